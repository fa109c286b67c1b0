package mlflowapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/httpapi"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/otlp"
	"github.com/assay-labs/assay/app/store"
)

// startTrace is StartTraceV3: the client reports a finished trace's info (its spans arrive through
// OTLP, before or after).
func (a *API) startTrace(c echo.Context) error {
	var req struct {
		Trace struct {
			TraceInfo traceInfoWire `json:"trace_info"`
		} `json:"trace"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	ti, err := req.Trace.TraceInfo.toModel()
	if err != nil {
		return err
	}
	saved, err := a.DB.UpsertTraceInfo(c.Request().Context(), ti)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"trace": map[string]any{"trace_info": traceInfoToWire(saved)}})
}

func (a *API) getTraceInfo(c echo.Context) error {
	ti, err := a.DB.FindTraceInfo(c.Request().Context(), c.Param("trace_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"trace": map[string]any{"trace_info": traceInfoToWire(ti)}})
}

// fullTrace renders a trace with its spans as OTel protobuf JSON, MLflow's v3 wire shape.
func (a *API) fullTrace(c echo.Context, ti model.TraceInfo) (map[string]any, error) {
	spans, err := a.DB.FindSpans(c.Request().Context(), ti.TraceID)
	if err != nil {
		return nil, err
	}
	wire := make([]any, 0, len(spans))
	for _, s := range spans {
		wire = append(wire, otlp.ToOTelJSON(s))
	}
	return map[string]any{"trace_info": traceInfoToWire(ti), "spans": wire}, nil
}

func (a *API) getTrace(c echo.Context) error {
	id := c.QueryParam("trace_id")
	if err := httpapi.Required("trace_id", id); err != nil {
		return err
	}
	ti, err := a.DB.FindTraceInfo(c.Request().Context(), id)
	if err != nil {
		return err
	}
	full, err := a.fullTrace(c, ti)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"trace": full})
}

// traceIDsParam reads trace_ids given as repeated query parameters or comma-separated.
func traceIDsParam(c echo.Context) []string {
	var ids []string
	for _, v := range c.QueryParams()["trace_ids"] {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func (a *API) batchGetTraces(c echo.Context) error {
	ids := traceIDsParam(c)
	if len(ids) == 0 {
		return model.Invalid("trace_ids", "trace_ids is required")
	}
	infos, err := a.DB.FindTraceInfos(c.Request().Context(), ids)
	if err != nil {
		return err
	}
	traces := make([]any, 0, len(infos))
	for _, ti := range infos {
		full, err := a.fullTrace(c, ti)
		if err != nil {
			return err
		}
		traces = append(traces, full)
	}
	return c.JSON(http.StatusOK, map[string]any{"traces": traces})
}

func (a *API) batchGetTraceInfos(c echo.Context) error {
	var req struct {
		TraceIDs []string `json:"trace_ids"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	infos, err := a.DB.FindTraceInfos(c.Request().Context(), req.TraceIDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"trace_infos": tracesToWire(infos)})
}

// searchTracesRequest is SearchTracesV3 (locations) with the v2 form (experiment_ids) accepted too.
type searchTracesRequest struct {
	Locations     []traceLocation `json:"locations"`
	ExperimentIDs []string        `json:"experiment_ids"`
	Filter        string          `json:"filter"`
	MaxResults    int             `json:"max_results"`
	OrderBy       []string        `json:"order_by"`
	PageToken     string          `json:"page_token"`
}

func (a *API) searchTraces(c echo.Context) error {
	var req searchTracesRequest
	if c.Request().Method == http.MethodGet {
		n, err := httpapi.QueryInt(c, "max_results")
		if err != nil {
			return err
		}
		q := c.QueryParams()
		req.ExperimentIDs, req.Filter, req.MaxResults, req.OrderBy, req.PageToken = q["experiment_ids"], q.Get("filter"), n, q["order_by"], q.Get("page_token")
	} else if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	exps := req.ExperimentIDs
	for _, l := range req.Locations {
		if l.MlflowExperiment != nil {
			exps = append(exps, l.MlflowExperiment.ExperimentID)
		}
	}
	limit, err := httpapi.Limit("max_results", req.MaxResults, 100, 500)
	if err != nil {
		return err
	}
	offset, err := httpapi.ParsePageToken(req.PageToken)
	if err != nil {
		return err
	}
	infos, err := a.DB.SearchTraces(c.Request().Context(), store.TraceSearch{ExperimentIDs: exps, Filter: req.Filter, OrderBy: req.OrderBy, MaxResults: limit + 1, Offset: offset})
	if err != nil {
		return err
	}
	infos, next := httpapi.Page(infos, offset, limit)
	resp := map[string]any{"traces": tracesToWire(infos)}
	httpapi.SetNext(resp, next)
	return c.JSON(http.StatusOK, resp)
}

func (a *API) setTraceTag(c echo.Context) error {
	var req struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("key", req.Key); err != nil {
		return err
	}
	if err := a.DB.SetTraceTag(c.Request().Context(), c.Param("trace_id"), req.Key, req.Value); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}

func (a *API) deleteTraceTag(c echo.Context) error {
	var req struct {
		Key string `json:"key"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil { // the MLflow client sends the key in a JSON body
		return err
	}
	key := req.Key
	if key == "" {
		key = c.QueryParam("key")
	}
	if err := httpapi.Required("key", key); err != nil {
		return err
	}
	if err := a.DB.DeleteTraceTag(c.Request().Context(), c.Param("trace_id"), key); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}

func (a *API) deleteTraces(c echo.Context) error {
	var req struct {
		ExperimentID       string   `json:"experiment_id"`
		MaxTimestampMillis int64    `json:"max_timestamp_millis"`
		MaxTraces          int      `json:"max_traces"`
		RequestIDs         []string `json:"request_ids"`
		TraceIDs           []string `json:"trace_ids"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("experiment_id", req.ExperimentID); err != nil {
		return err
	}
	ids := append(req.RequestIDs, req.TraceIDs...)
	if len(ids) == 0 && req.MaxTimestampMillis == 0 {
		return model.Invalid("request_ids", "give either request_ids or max_timestamp_millis")
	}
	if len(ids) > 0 && req.MaxTimestampMillis != 0 {
		return model.Invalid("request_ids", "give either request_ids or max_timestamp_millis, not both")
	}
	n, err := a.DB.DeleteTraces(c.Request().Context(), store.TraceDeletion{ExperimentID: req.ExperimentID, TraceIDs: ids, MaxTimestampMs: req.MaxTimestampMillis, MaxTraces: req.MaxTraces})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"traces_deleted": n})
}

func (a *API) linkTracesToRun(c echo.Context) error {
	var req struct {
		TraceIDs []string `json:"trace_ids"`
		RunID    string   `json:"run_id"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("run_id", req.RunID); err != nil {
		return err
	}
	if len(req.TraceIDs) == 0 || len(req.TraceIDs) > 100 {
		return model.Invalid("trace_ids", "give between 1 and 100 trace ids, got %d", len(req.TraceIDs))
	}
	if err := a.DB.LinkTracesToRun(c.Request().Context(), req.RunID, req.TraceIDs); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}
