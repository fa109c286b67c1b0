package mlflowapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/httpapi"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

func (a *API) createExperiment(c echo.Context) error {
	var req struct {
		Name             string      `json:"name"`
		ArtifactLocation string      `json:"artifact_location"`
		Tags             []model.Tag `json:"tags"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("name", req.Name); err != nil {
		return err
	}
	ctx := c.Request().Context()
	id, err := a.DB.CreateExperiment(ctx, req.Name, req.ArtifactLocation, req.Tags, access.UserID(ctx))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"experiment_id": id})
}

func (a *API) getExperiment(c echo.Context) error {
	id := c.QueryParam("experiment_id")
	if err := httpapi.Required("experiment_id", id); err != nil {
		return err
	}
	e, err := a.DB.FindExperimentByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"experiment": e})
}

func (a *API) getExperimentByName(c echo.Context) error {
	name := c.QueryParam("experiment_name")
	if err := httpapi.Required("experiment_name", name); err != nil {
		return err
	}
	e, err := a.DB.FindExperimentByName(c.Request().Context(), name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"experiment": e})
}

func (a *API) searchExperiments(c echo.Context) error {
	var req struct {
		MaxResults int      `json:"max_results"`
		PageToken  string   `json:"page_token"`
		Filter     string   `json:"filter"`
		OrderBy    []string `json:"order_by"`
		ViewType   string   `json:"view_type"`
	}
	if c.Request().Method == http.MethodGet {
		n, err := httpapi.QueryInt(c, "max_results")
		if err != nil {
			return err
		}
		req.MaxResults, req.PageToken, req.Filter, req.ViewType = n, c.QueryParam("page_token"), c.QueryParam("filter"), c.QueryParam("view_type")
	} else if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	limit, err := httpapi.Limit("max_results", req.MaxResults, 1000, 50000)
	if err != nil {
		return err
	}
	offset, err := httpapi.ParsePageToken(req.PageToken)
	if err != nil {
		return err
	}
	visible, err := access.VisibleTo(c.Request().Context())
	if err != nil {
		return err
	}
	exps, err := a.DB.FindExperiments(c.Request().Context(), store.ExperimentFilter{ViewType: req.ViewType, Filter: req.Filter, VisibleTo: visible, MaxResults: limit + 1, Offset: offset})
	if err != nil {
		return err
	}
	exps, next := httpapi.Page(exps, offset, limit)
	resp := map[string]any{"experiments": orEmptyList(exps)}
	httpapi.SetNext(resp, next)
	return c.JSON(http.StatusOK, resp)
}

func (a *API) updateExperiment(c echo.Context) error {
	var req struct {
		ExperimentID string `json:"experiment_id"`
		NewName      string `json:"new_name"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("new_name", req.NewName); err != nil {
		return err
	}
	return a.updateExp(c, req.ExperimentID, store.ExperimentUpdate{Name: &req.NewName})
}

func (a *API) deleteExperiment(c echo.Context) error {
	return a.setExperimentStage(c, model.StageDeleted)
}

func (a *API) restoreExperiment(c echo.Context) error {
	return a.setExperimentStage(c, model.StageActive)
}

func (a *API) setExperimentStage(c echo.Context, stage string) error {
	var req struct {
		ExperimentID string `json:"experiment_id"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	return a.updateExp(c, req.ExperimentID, store.ExperimentUpdate{LifecycleStage: &stage})
}

func (a *API) setExperimentTag(c echo.Context) error {
	var req struct {
		ExperimentID string `json:"experiment_id"`
		Key          string `json:"key"`
		Value        string `json:"value"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("key", req.Key); err != nil {
		return err
	}
	return a.updateExp(c, req.ExperimentID, store.ExperimentUpdate{SetTags: []model.Tag{{Key: req.Key, Value: req.Value}}})
}

func (a *API) deleteExperimentTag(c echo.Context) error {
	var req struct {
		ExperimentID string `json:"experiment_id"`
		Key          string `json:"key"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	return a.updateExp(c, req.ExperimentID, store.ExperimentUpdate{DeleteTag: &req.Key})
}

func (a *API) updateExp(c echo.Context, id string, upd store.ExperimentUpdate) error {
	if err := httpapi.Required("experiment_id", id); err != nil {
		return err
	}
	if err := a.DB.UpdateExperiment(c.Request().Context(), id, upd); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}

// orEmptyList makes a nil slice encode as [] rather than null.
func orEmptyList[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
