package labelingapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/httpapi"
	"github.com/assay-labs/assay/app/jsonl"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

func (a *API) listItems(c echo.Context) error {
	s, err := a.session(c, access.Read)
	if err != nil {
		return err
	}
	f := store.ItemFilter{}
	if raw := c.QueryParam("filter"); raw != "" {
		st, ok := strings.CutPrefix(strings.ReplaceAll(raw, " ", ""), "state=")
		if !ok {
			return model.Invalid("filter", "filter must be state=<STATE>, got %q", raw)
		}
		f.State = strings.Trim(st, `'"`)
	}
	size, err := httpapi.QueryInt(c, "page_size")
	if err != nil {
		return err
	}
	if f.Limit, err = httpapi.Limit("page_size", size, 1000, 10000); err != nil {
		return err
	}
	if f.Offset, err = httpapi.ParsePageToken(c.QueryParam("page_token")); err != nil {
		return err
	}
	limit := f.Limit
	f.Limit++
	items, err := a.DB.FindItems(c.Request().Context(), s.LabelingSessionID, f)
	if err != nil {
		return err
	}
	items, next := httpapi.Page(items, f.Offset, limit)
	resp := map[string]any{"next_page_token": next}
	out := make([]itemWire, 0, len(items))
	for _, it := range items {
		out = append(out, itemToWire(it))
	}
	resp["items"] = out
	return c.JSON(http.StatusOK, resp)
}

func (a *API) batchCreateItems(c echo.Context) error {
	s, err := a.session(c, access.Edit)
	if err != nil {
		return err
	}
	var req struct {
		Items []struct {
			Source struct {
				TraceID string `json:"trace_id"`
			} `json:"source"`
		} `json:"items"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if len(req.Items) == 0 {
		return model.Invalid("items", "give at least one item")
	}
	sources := make([]store.ItemSource, 0, len(req.Items))
	for i, it := range req.Items {
		if it.Source.TraceID == "" {
			return model.Invalid(fmt.Sprintf("items[%d].source.trace_id", i), "trace_id is required")
		}
		sources = append(sources, store.ItemSource{TraceID: it.Source.TraceID})
	}
	ctx := c.Request().Context()
	if _, err := a.DB.AddItems(ctx, s.LabelingSessionID, sources, a.actor(ctx)); err != nil {
		return err
	}
	ids := make([]string, len(sources))
	for i, src := range sources {
		ids[i] = src.TraceID
	}
	all, err := a.DB.FindItems(ctx, s.LabelingSessionID, store.ItemFilter{})
	if err != nil {
		return err
	}
	out := []itemWire{}
	for _, it := range all {
		if contains(ids, it.TraceID) {
			out = append(out, itemToWire(it))
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

func (a *API) getItem(c echo.Context) error {
	s, err := a.session(c, access.Read)
	if err != nil {
		return err
	}
	it, err := a.DB.FindItem(c.Request().Context(), s.LabelingSessionID, c.Param("item"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, itemToWire(it))
}

// patchItem changes an item's state, or labels it (update_mask=state,labels): labels are
// submitted as the caller's answers, exactly as the Review App submits them.
func (a *API) patchItem(c echo.Context) error {
	s, err := a.session(c, access.Edit)
	if err != nil {
		return err
	}
	var req struct {
		State  string                  `json:"state"`
		Labels map[string]model.Answer `json:"labels"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	mask := strings.Split(c.QueryParam("update_mask"), ",")
	if contains(mask, "labels") {
		by := a.actor(ctx)
		if _, err := a.DB.Submit(ctx, store.Submission{SessionID: s.LabelingSessionID, ItemID: c.Param("item"), Reviewer: by.Email, Answers: req.Labels}); err != nil {
			return err
		}
	}
	if contains(mask, "state") {
		if err := a.DB.SetItemState(ctx, s.LabelingSessionID, c.Param("item"), strings.ToUpper(req.State), a.actor(ctx)); err != nil {
			return err
		}
	}
	if !contains(mask, "labels") && !contains(mask, "state") {
		return model.Invalid("update_mask", "update_mask must name state and/or labels")
	}
	return a.getItem(c)
}

func (a *API) deleteItem(c echo.Context) error {
	s, err := a.session(c, access.Edit)
	if err != nil {
		return err
	}
	if err := a.DB.DeleteItem(c.Request().Context(), s.LabelingSessionID, c.Param("item"), a.actor(c.Request().Context())); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}

// addTraces adds traces by ids, by a search_traces filter (every match), or by MLflow trace
// JSON (stored first, then added). Exactly one of the three is given.
func (a *API) addTraces(c echo.Context) error {
	s, err := a.session(c, access.Edit)
	if err != nil {
		return err
	}
	var req struct {
		TraceIDs []string          `json:"trace_ids"`
		Filter   *string           `json:"filter"`
		Traces   []json.RawMessage `json:"traces"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	given := 0
	for _, ok := range []bool{req.TraceIDs != nil, req.Filter != nil, req.Traces != nil} {
		if ok {
			given++
		}
	}
	if given != 1 {
		return model.Invalid("trace_ids", "give exactly one of trace_ids, filter or traces")
	}
	ctx := c.Request().Context()
	ids := req.TraceIDs
	switch {
	case req.Filter != nil:
		if ids, err = a.DB.SearchTraceIDs(ctx, store.TraceSearch{ExperimentIDs: []string{s.ExperimentID}, Filter: *req.Filter}); err != nil {
			return err
		}
	case req.Traces != nil:
		var buf bytes.Buffer
		for _, t := range req.Traces {
			if err := json.Compact(&buf, t); err != nil {
				return model.Invalid("traces", "each trace must be a JSON object: %v", err)
			}
			buf.WriteByte('\n')
		}
		res, err := jsonl.ImportTraces(ctx, a.DB, &buf, s.ExperimentID, nil)
		if err != nil {
			return model.Invalid("traces", "%s", strings.ReplaceAll(err.Error(), "line ", "traces item "))
		}
		ids = res.TraceIDs
	}
	sources := make([]store.ItemSource, len(ids))
	for i, id := range ids {
		sources[i] = store.ItemSource{TraceID: id}
	}
	res, err := a.DB.AddItems(ctx, s.LabelingSessionID, sources, a.actor(ctx))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (a *API) addRecords(c echo.Context) error {
	s, err := a.session(c, access.Edit)
	if err != nil {
		return err
	}
	var req struct {
		DatasetID   string   `json:"dataset_id"`
		DatasetName string   `json:"dataset_name"`
		RecordIDs   []string `json:"record_ids"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if req.DatasetID == "" && req.DatasetName != "" {
		d, err := jsonl.ResolveDataset(ctx, a.DB, req.DatasetName, s.ExperimentID)
		if err != nil {
			return model.Invalid("dataset_name", "%s", err.Error())
		}
		req.DatasetID = d.DatasetID
	}
	if err := httpapi.Required("dataset_id", req.DatasetID); err != nil {
		return err
	}
	d, err := a.DB.FindDatasetByID(ctx, req.DatasetID)
	if err != nil {
		return err
	}
	if err := a.Access.Require(ctx, access.Read, d.ExperimentIDs...); err != nil {
		return err
	}
	res, err := a.DB.AddRecordItems(ctx, s.LabelingSessionID, req.DatasetID, req.RecordIDs, a.actor(ctx))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (a *API) sync(c echo.Context) error {
	s, err := a.session(c, access.Edit)
	if err != nil {
		return err
	}
	var req struct {
		DatasetName string `json:"dataset_name"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	res, err := a.DB.SyncSession(c.Request().Context(), s.LabelingSessionID, req.DatasetName, a.actor(c.Request().Context()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
