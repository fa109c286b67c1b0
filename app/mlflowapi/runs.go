package mlflowapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/httpapi"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// runRef is how MLflow requests name a run: run_id, or the deprecated run_uuid.
type runRef struct {
	RunID   string `json:"run_id"`
	RunUUID string `json:"run_uuid"`
}

func (r runRef) id() (string, error) {
	if r.RunID == "" {
		r.RunID = r.RunUUID
	}
	return r.RunID, httpapi.Required("run_id", r.RunID)
}

func (a *API) createRun(c echo.Context) error {
	var req struct {
		ExperimentID string      `json:"experiment_id"`
		UserID       string      `json:"user_id"`
		RunName      string      `json:"run_name"`
		StartTime    int64       `json:"start_time"`
		Tags         []model.Tag `json:"tags"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if req.ExperimentID == "" {
		req.ExperimentID = "0"
	}
	run, err := a.DB.CreateRun(c.Request().Context(), store.RunCreate{ExperimentID: req.ExperimentID, RunName: req.RunName, UserID: author(c, req.UserID), StartTime: req.StartTime, Tags: req.Tags})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"run": run})
}

func (a *API) getRun(c echo.Context) error {
	id := c.QueryParam("run_id")
	if id == "" {
		id = c.QueryParam("run_uuid")
	}
	if err := httpapi.Required("run_id", id); err != nil {
		return err
	}
	run, err := a.DB.FindRunByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"run": run})
}

func (a *API) updateRun(c echo.Context) error {
	var req struct {
		runRef
		Status  *string `json:"status"`
		EndTime *int64  `json:"end_time"`
		RunName *string `json:"run_name"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	id, err := req.id()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := a.DB.UpdateRun(ctx, id, store.RunUpdate{Status: req.Status, EndTime: req.EndTime, RunName: req.RunName}); err != nil {
		return err
	}
	run, err := a.DB.FindRunByID(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"run_info": run.Info})
}

func (a *API) deleteRun(c echo.Context) error  { return a.setRunStage(c, model.StageDeleted) }
func (a *API) restoreRun(c echo.Context) error { return a.setRunStage(c, model.StageActive) }

func (a *API) setRunStage(c echo.Context, stage string) error {
	var req runRef
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	return a.updateRunAndAck(c, req, store.RunUpdate{LifecycleStage: &stage})
}

func (a *API) updateRunAndAck(c echo.Context, ref runRef, upd store.RunUpdate) error {
	id, err := ref.id()
	if err != nil {
		return err
	}
	if err := a.DB.UpdateRun(c.Request().Context(), id, upd); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}

func (a *API) setRunTag(c echo.Context) error {
	var req struct {
		runRef
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("key", req.Key); err != nil {
		return err
	}
	return a.updateRunAndAck(c, req.runRef, store.RunUpdate{SetTags: []model.Tag{{Key: req.Key, Value: req.Value}}})
}

func (a *API) deleteRunTag(c echo.Context) error {
	var req struct {
		runRef
		Key string `json:"key"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	return a.updateRunAndAck(c, req.runRef, store.RunUpdate{DeleteTag: &req.Key})
}

func (a *API) logBatch(c echo.Context) error {
	var req struct {
		runRef
		Metrics []model.Metric `json:"metrics"`
		Params  []model.Tag    `json:"params"`
		Tags    []model.Tag    `json:"tags"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if len(req.Metrics)+len(req.Params)+len(req.Tags) > 1000 || len(req.Params) > 100 || len(req.Tags) > 100 {
		return model.Invalid("", "a batch may hold at most 1000 items, 1000 metrics, 100 params and 100 tags")
	}
	return a.updateRunAndAck(c, req.runRef, store.RunUpdate{Metrics: req.Metrics, Params: req.Params, SetTags: req.Tags})
}

func (a *API) logMetric(c echo.Context) error {
	var req struct {
		runRef
		model.Metric
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("key", req.Key); err != nil {
		return err
	}
	return a.updateRunAndAck(c, req.runRef, store.RunUpdate{Metrics: []model.Metric{req.Metric}})
}

func (a *API) logParam(c echo.Context) error {
	var req struct {
		runRef
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("key", req.Key); err != nil {
		return err
	}
	return a.updateRunAndAck(c, req.runRef, store.RunUpdate{Params: []model.Tag{{Key: req.Key, Value: req.Value}}})
}

func (a *API) searchRuns(c echo.Context) error {
	var req struct {
		ExperimentIDs []string `json:"experiment_ids"`
		Filter        string   `json:"filter"`
		RunViewType   string   `json:"run_view_type"`
		MaxResults    int      `json:"max_results"`
		OrderBy       []string `json:"order_by"`
		PageToken     string   `json:"page_token"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
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
	runs, err := a.DB.FindRuns(c.Request().Context(), store.RunSearch{ExperimentIDs: req.ExperimentIDs, Filter: req.Filter, ViewType: req.RunViewType, OrderBy: req.OrderBy, MaxResults: limit + 1, Offset: offset})
	if err != nil {
		return err
	}
	runs, next := httpapi.Page(runs, offset, limit)
	resp := map[string]any{"runs": orEmptyList(runs)}
	httpapi.SetNext(resp, next)
	return c.JSON(http.StatusOK, resp)
}
