package labelingapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/httpapi"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// reviewAppWire is a ReviewApp with the experiment's live schemas.
func (a *API) reviewAppWire(c echo.Context, app model.ReviewApp) (map[string]any, error) {
	schemas, err := a.DB.FindLabelSchemas(c.Request().Context(), app.ExperimentID, 1000, 0)
	if err != nil {
		return nil, err
	}
	ws := make([]databricksSchema, 0, len(schemas))
	for _, s := range schemas {
		ws = append(ws, schemaToDatabricks(s))
	}
	return map[string]any{"review_app_id": app.ReviewAppID, "experiment_id": app.ExperimentID, "agents": app.Agents, "labeling_schemas": ws}, nil
}

func (a *API) listReviewApps(c echo.Context) error {
	f := c.QueryParam("filter")
	exp, ok := strings.CutPrefix(strings.ReplaceAll(f, " ", ""), "experiment_id=")
	if !ok || exp == "" {
		return model.Invalid("filter", "filter must be experiment_id=<id>, got %q", f)
	}
	exp = strings.Trim(exp, `'"`)
	if err := a.Access.Require(c.Request().Context(), access.Read, exp); err != nil {
		return err
	}
	app, err := a.DB.ReviewAppForExperiment(c.Request().Context(), exp)
	if err != nil {
		return err
	}
	w, err := a.reviewAppWire(c, app)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"review_apps": []any{w}})
}

func (a *API) createReviewApp(c echo.Context) error {
	var req struct {
		ExperimentID string `json:"experiment_id"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("experiment_id", req.ExperimentID); err != nil {
		return err
	}
	if err := a.Access.Require(c.Request().Context(), access.Read, req.ExperimentID); err != nil {
		return err
	}
	app, err := a.DB.ReviewAppForExperiment(c.Request().Context(), req.ExperimentID)
	if err != nil {
		return err
	}
	w, err := a.reviewAppWire(c, app)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

// reviewApp loads the :app of the path and checks the caller's level on its experiment.
func (a *API) reviewApp(c echo.Context, level int) (model.ReviewApp, error) {
	app, err := a.DB.FindReviewApp(c.Request().Context(), c.Param("app"))
	if err != nil {
		return app, err
	}
	return app, a.Access.Require(c.Request().Context(), level, app.ExperimentID)
}

func (a *API) getReviewApp(c echo.Context) error {
	app, err := a.reviewApp(c, access.Read)
	if err != nil {
		return err
	}
	w, err := a.reviewAppWire(c, app)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (a *API) patchReviewApp(c echo.Context) error {
	app, err := a.reviewApp(c, access.Edit)
	if err != nil {
		return err
	}
	var req struct {
		Agents json.RawMessage `json:"agents"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if strings.Contains(c.QueryParam("update_mask"), "agents") {
		if len(req.Agents) == 0 || req.Agents[0] != '[' {
			return model.Invalid("agents", "agents must be a list")
		}
		if err := a.DB.SetReviewAppAgents(c.Request().Context(), app.ReviewAppID, req.Agents); err != nil {
			return err
		}
	}
	return a.getReviewApp(c)
}

func (a *API) listSessions(c echo.Context) error {
	app, err := a.reviewApp(c, access.Read)
	if err != nil {
		return err
	}
	f := store.SessionFilter{ReviewAppID: app.ReviewAppID}
	if raw := c.QueryParam("filter"); raw != "" {
		email, ok := strings.CutPrefix(strings.ReplaceAll(raw, " ", ""), "assigned_users=")
		if !ok {
			return model.Invalid("filter", "filter must be assigned_users=<email>, got %q", raw)
		}
		f.AssignedUser = strings.Trim(email, `'"`)
	}
	ss, err := a.DB.FindSessions(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]sessionWire, 0, len(ss))
	for _, s := range ss {
		out = append(out, a.sessionToWire(s))
	}
	return c.JSON(http.StatusOK, map[string]any{"labeling_sessions": out, "next_page_token": ""})
}

func (a *API) createSession(c echo.Context) error {
	app, err := a.reviewApp(c, access.Edit)
	if err != nil {
		return err
	}
	var body sessionBody
	if err := httpapi.BindJSON(c, &body); err != nil {
		return err
	}
	in, err := body.toCreate(app.ExperimentID)
	if err != nil {
		return err
	}
	s, err := a.DB.CreateSession(c.Request().Context(), in, a.actor(c.Request().Context()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.sessionToWire(s))
}

func (a *API) getSession(c echo.Context) error {
	s, err := a.session(c, access.Read)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.sessionToWire(s))
}

func (a *API) patchSession(c echo.Context) error {
	s, err := a.session(c, access.Edit)
	if err != nil {
		return err
	}
	var body sessionBody
	if err := httpapi.BindJSON(c, &body); err != nil {
		return err
	}
	mask := c.QueryParam("update_mask")
	if err := httpapi.Required("update_mask", mask); err != nil {
		return err
	}
	in, err := body.toCreate(s.ExperimentID)
	if err != nil {
		return err
	}
	if len(body.ReviewsPerItem) == 0 {
		in.ReviewsPerItem = s.ReviewsPerItem
	}
	updated, err := a.DB.UpdateSession(c.Request().Context(), s.LabelingSessionID, store.SessionUpdate{Mask: strings.Split(mask, ","), New: in}, a.actor(c.Request().Context()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.sessionToWire(updated))
}

func (a *API) deleteSession(c echo.Context) error {
	s, err := a.session(c, access.Edit)
	if err != nil {
		return err
	}
	if err := a.DB.DeleteSession(c.Request().Context(), s.LabelingSessionID, a.actor(c.Request().Context())); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}

// experimentSessions lists an experiment's sessions with their progress (optionally the one
// whose run is ?run_id=).
func (a *API) experimentSessions(c echo.Context) error {
	exp := c.Param("experiment_id")
	ctx := c.Request().Context()
	if err := a.Access.Require(ctx, access.Read, exp); err != nil {
		return err
	}
	ss, err := a.DB.FindSessions(ctx, store.SessionFilter{ExperimentID: exp, RunID: c.QueryParam("run_id")})
	if err != nil {
		return err
	}
	out := make([]sessionWire, 0, len(ss))
	for _, s := range ss {
		w := a.sessionToWire(s)
		if w.Progress, err = a.DB.FindSessionProgress(ctx, s.LabelingSessionID); err != nil {
			return err
		}
		out = append(out, w)
	}
	return c.JSON(http.StatusOK, map[string]any{"sessions": out})
}

func (a *API) getAssaySession(c echo.Context) error {
	s, err := a.session(c, access.Read)
	if err != nil {
		if model.ErrorCode(err) != model.PermissionDenied {
			return err
		}
		if s, _, err = a.reviewSession(c); err != nil {
			return err
		}
	}
	w := a.sessionToWire(s)
	if w.Progress, err = a.DB.FindSessionProgress(c.Request().Context(), s.LabelingSessionID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (a *API) setAssignedUsers(c echo.Context) error {
	s, err := a.session(c, access.Edit)
	if err != nil {
		return err
	}
	var req struct {
		AssignedUsers []string `json:"assigned_users"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if req.AssignedUsers == nil {
		return model.Invalid("assigned_users", "assigned_users is required (a list; [] removes everyone)")
	}
	updated, err := a.DB.UpdateSession(c.Request().Context(), s.LabelingSessionID,
		store.SessionUpdate{Mask: []string{"assigned_users"}, New: store.SessionCreate{AssignedUsers: req.AssignedUsers}}, a.actor(c.Request().Context()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.sessionToWire(updated))
}
