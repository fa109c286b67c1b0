package labelingapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/httpapi"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/otlp"
	"github.com/assay-labs/assay/app/store"
)

// mySessions lists the sessions the caller is assigned to, with their progress.
func (a *API) mySessions(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := access.Caller(ctx)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	if p.Email == "" {
		return c.JSON(http.StatusOK, map[string]any{"sessions": out})
	}
	ss, err := a.DB.FindSessions(ctx, store.SessionFilter{AssignedUser: p.Email})
	if err != nil {
		return err
	}
	for _, s := range ss {
		prog, err := a.DB.MyProgress(ctx, s.LabelingSessionID, strings.ToLower(p.Email))
		if err != nil {
			return err
		}
		out = append(out, map[string]any{"labeling_session_id": s.LabelingSessionID, "name": s.Name, "experiment_id": s.ExperimentID,
			"label_schemas": s.LabelSchemas, "url": a.SessionURL(s.LabelingSessionID), "progress": prog, "create_time": s.CreateTime})
	}
	return c.JSON(http.StatusOK, map[string]any{"sessions": out})
}

// next hands the caller the next item to review, reserved for them, or {"item": null}.
func (a *API) next(c echo.Context) error {
	s, reviewer, err := a.reviewSession(c)
	if err != nil {
		return err
	}
	id, err := a.DB.NextItem(c.Request().Context(), s.LabelingSessionID, reviewer)
	if err != nil {
		return err
	}
	if id == "" {
		return c.JSON(http.StatusOK, map[string]any{"item": nil})
	}
	view, err := a.itemView(c.Request().Context(), s, id, reviewer)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"item": view})
}

func (a *API) reviewItem(c echo.Context) error {
	s, reviewer, err := a.reviewSession(c)
	if err != nil {
		return err
	}
	view, err := a.itemView(c.Request().Context(), s, c.Param("item"), reviewer)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"item": view})
}

func (a *API) myItems(c echo.Context) error {
	s, reviewer, err := a.reviewSession(c)
	if err != nil {
		return err
	}
	items, err := a.DB.MyItems(c.Request().Context(), s.LabelingSessionID, reviewer)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (a *API) submit(c echo.Context) error {
	s, reviewer, err := a.reviewSession(c)
	if err != nil {
		return err
	}
	var req struct {
		Answers     map[string]model.Answer `json:"answers"`
		TimeSpentMs int64                   `json:"time_spent_ms"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	it, err := a.DB.Submit(c.Request().Context(), store.Submission{SessionID: s.LabelingSessionID, ItemID: c.Param("item"), Reviewer: reviewer,
		Answers: req.Answers, TimeSpentMs: req.TimeSpentMs})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"item_state": it.State, "my_state": model.ItemCompleted})
}

func (a *API) skip(c echo.Context) error {
	s, reviewer, err := a.reviewSession(c)
	if err != nil {
		return err
	}
	it, err := a.DB.Skip(c.Request().Context(), s.LabelingSessionID, c.Param("item"), reviewer)
	if err != nil {
		return err
	}
	mine := ""
	for _, r := range it.Reviews {
		if r.Reviewer == reviewer {
			mine = r.State
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"item_state": it.State, "my_state": mine})
}

// itemView is everything the Review App needs to show one item: the trace's inputs and outputs,
// retrieved documents, the session's questions, and the reviewer's earlier answers.
func (a *API) itemView(ctx context.Context, s model.LabelingSession, itemID, reviewer string) (map[string]any, error) {
	it, err := a.DB.FindItem(ctx, s.LabelingSessionID, itemID)
	if err != nil {
		return nil, err
	}
	total, err := a.DB.ItemSpan(ctx, s.LabelingSessionID)
	if err != nil {
		return nil, err
	}
	in, out, err := a.DB.TraceIO(ctx, a.DB.Reader, it.TraceID)
	if err != nil {
		return nil, err
	}
	spans, err := a.DB.FindSpans(ctx, it.TraceID)
	if err != nil {
		return nil, err
	}
	docs := []any{}
	summary := []map[string]any{}
	for i := range spans {
		sp := &spans[i]
		typ := otlp.SpanType(sp)
		summary = append(summary, map[string]any{"span_id": sp.SpanID, "parent_span_id": sp.ParentSpanID, "name": sp.Name, "type": typ,
			"start_time_ns": sp.StartTimeNs, "end_time_ns": sp.EndTimeNs, "status": sp.StatusCode})
		if typ == "RETRIEVER" {
			if v, ok := otlp.AttrValue(sp, model.AttrSpanOutput); ok {
				if list, ok := v.([]any); ok {
					docs = append(docs, list...)
				}
			}
		}
	}
	schemas := []databricksSchema{}
	for _, name := range s.LabelSchemas {
		sc, err := a.DB.FindLabelSchemaByName(ctx, s.ExperimentID, name)
		if err != nil {
			continue // a schema deleted after the session was made: its question is no longer asked
		}
		schemas = append(schemas, schemaToDatabricks(sc))
	}
	mine, err := a.DB.MyAnswers(ctx, s.LabelingSessionID, it, reviewer)
	if err != nil {
		return nil, err
	}
	answers := map[string]any{}
	for name, as := range mine {
		answers[name] = map[string]any{"value": as.Value, "comment": as.Rationale, "assessment_id": as.AssessmentID, "schema_version": as.Metadata[model.MetaAnswerSchemaVersion]}
	}
	myState := ""
	for _, r := range it.Reviews {
		if r.Reviewer == reviewer {
			myState = r.State
		}
	}
	return map[string]any{"item_id": it.ItemID, "position": it.Position, "total": total, "state": it.State, "my_state": myState,
		"trace":   map[string]any{"trace_id": it.TraceID, "inputs": json.RawMessage(in), "outputs": rawOrNull(out), "retriever_documents": docs, "spans": summary},
		"schemas": schemas, "my_answers": answers, "session": map[string]any{"labeling_session_id": s.LabelingSessionID, "name": s.Name}}, nil
}

func rawOrNull(r json.RawMessage) json.RawMessage {
	if r == nil {
		return json.RawMessage("null")
	}
	return r
}
