package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/assay-labs/assay/app/model"
)

// UpsertTraceInfo creates a trace from its info (MLflow's StartTraceV3), or completes one whose
// spans arrived first: tags are merged, metadata keys only ever added (metadata is immutable).
func (db *DB) UpsertTraceInfo(ctx context.Context, info model.TraceInfo) (model.TraceInfo, error) {
	if info.State == "" {
		info.State = model.TraceOK
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		exp, err := requireActiveExperiment(ctx, tx, info.ExperimentID)
		if err != nil {
			return err
		}
		return mergeInfoTx(ctx, tx, exp, info)
	})
	if err != nil {
		return info, err
	}
	return db.FindTraceInfo(ctx, info.TraceID)
}

// LogTraces stores spans and trace infos together in one transaction (imports use it, so a
// failure stores nothing): the spans as LogSpans does, then each info merged over what the spans
// gave (its non-zero fields win), with its tags, metadata and assessments.
func (db *DB) LogTraces(ctx context.Context, expID string, spans []model.Span, infos []model.TraceInfo) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		exp, err := requireActiveExperiment(ctx, tx, expID)
		if err != nil {
			return err
		}
		if _, err := logSpansTx(ctx, tx, exp, spans); err != nil {
			return err
		}
		for _, info := range infos {
			if err := mergeInfoTx(ctx, tx, exp, info); err != nil {
				return err
			}
		}
		return nil
	})
}

// mergeInfoTx writes a trace info: the trace is created if needed, its non-zero fields replace
// the stored ones, tags are merged, metadata added, and its assessments (arriving with ids the
// client made) stored once.
func mergeInfoTx(ctx context.Context, tx *sql.Tx, exp int64, info model.TraceInfo) error {
	if err := validateTraceID(info.TraceID); err != nil {
		return err
	}
	switch info.State {
	case "", model.TraceOK, model.TraceError, model.TraceInProgress:
	default:
		return model.Invalid("state", "state must be OK, ERROR or IN_PROGRESS, got %q", info.State)
	}
	if err := requireTraceInExperiment(ctx, tx, info.TraceID, exp); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO traces (trace_id, experiment_id, client_request_id, request_time, execution_duration, state, request_preview, response_preview)
		VALUES (?, ?, ?, ?, ?, coalesce(nullif(?, ''), 'OK'), ?, ?)
		ON CONFLICT (trace_id) DO UPDATE SET
			client_request_id = coalesce(excluded.client_request_id, client_request_id),
			request_time = CASE WHEN excluded.request_time > 0 THEN excluded.request_time ELSE request_time END,
			execution_duration = CASE WHEN excluded.execution_duration > 0 THEN excluded.execution_duration ELSE execution_duration END,
			state = CASE WHEN ? <> '' THEN excluded.state ELSE state END,
			request_preview = CASE WHEN excluded.request_preview <> '' THEN excluded.request_preview ELSE request_preview END,
			response_preview = CASE WHEN excluded.response_preview <> '' THEN excluded.response_preview ELSE response_preview END`,
		info.TraceID, exp, nullIfEmpty(info.ClientRequestID), info.RequestTimeMs, info.ExecutionDurationMs, info.State,
		truncateRunes(info.RequestPreview, model.PreviewMaxRunes), truncateRunes(info.ResponsePreview, model.PreviewMaxRunes), info.State); err != nil {
		return err
	}
	tags := map[string]string{model.TagSpansLocation: model.SpansInStore}
	for k, v := range info.Tags {
		tags[k] = v
	}
	if err := writeTraceKV(ctx, tx, info.TraceID, tags, info.Metadata); err != nil {
		return err
	}
	for i, a := range info.Assessments {
		a.TraceID = info.TraceID
		if err := validateAssessment(&a); err != nil {
			return model.Invalid(fmt.Sprintf("trace.trace_info.assessments[%d]", i), "%s", err.Error())
		}
		var exists int
		if a.AssessmentID != "" {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM assessments WHERE assessment_id = ?`, a.AssessmentID).Scan(&exists); err != nil {
				return err
			}
		}
		if exists == 0 {
			if _, err := createAssessmentTx(ctx, tx, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeTraceKV sets tags (overwriting) and adds metadata (never overwriting).
func writeTraceKV(ctx context.Context, tx *sql.Tx, traceID string, tags, metadata map[string]string) error {
	for k, v := range tags {
		if err := validateTagKey("tags", k); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO trace_tags (trace_id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (trace_id, key) DO UPDATE SET value = excluded.value`, traceID, k, v); err != nil {
			return err
		}
	}
	for k, v := range metadata {
		if err := validateTagKey("trace_metadata", k); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO trace_metadata (trace_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, traceID, k, v); err != nil {
			return err
		}
		if k == model.MetaSourceRun && v != "" {
			// Linked only to a run of the trace's own experiment (permission was checked there).
			if _, err := tx.ExecContext(ctx, `INSERT INTO trace_runs (trace_id, run_id) SELECT ?, r.run_id FROM runs r JOIN traces t ON t.trace_id = ?
				WHERE r.run_id = ? AND r.experiment_id = t.experiment_id ON CONFLICT DO NOTHING`, traceID, traceID, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateTagKey(field, k string) error {
	if k == "" || len(k) > 250 {
		return model.Invalid(field, "keys must be 1 to 250 characters, got %q", k)
	}
	return nil
}

// validateTraceID accepts MLflow v3 ids: "tr-" and 32 lower-case hex digits.
func validateTraceID(id string) error {
	hexPart, ok := strings.CutPrefix(id, model.TraceIDPrefix)
	if !ok || len(hexPart) != 32 || strings.Trim(hexPart, "0123456789abcdef") != "" {
		return model.Invalid("trace_id", "trace_id must be 'tr-' followed by 32 lower-case hex digits, got %q", id)
	}
	return nil
}

// TraceIDFromOTel turns a 32-hex OTel trace id into an MLflow trace id.
func TraceIDFromOTel(hexID string) string { return model.TraceIDPrefix + strings.ToLower(hexID) }

// LogSpans stores spans of one or more traces in experiment expID, all in one transaction: a
// failure stores none of them. A trace is created on its first span and its info (time,
// duration, state, previews, name) recomputed from everything stored so far, so spans of one
// trace may arrive in several requests. Re-sent spans replace the stored copy.
func (db *DB) LogSpans(ctx context.Context, expID string, spans []model.Span) ([]string, error) {
	var order []string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		exp, err := requireActiveExperiment(ctx, tx, expID)
		if err != nil {
			return err
		}
		order, err = logSpansTx(ctx, tx, exp, spans)
		return err
	})
	return order, err
}

// logSpansTx stores spans grouped by trace inside tx and returns the trace ids in arrival order.
func logSpansTx(ctx context.Context, tx *sql.Tx, exp int64, spans []model.Span) ([]string, error) {
	byTrace := map[string][]model.Span{}
	var order []string
	for _, s := range spans {
		id := TraceIDFromOTel(s.TraceID)
		if _, ok := byTrace[id]; !ok {
			order = append(order, id)
		}
		byTrace[id] = append(byTrace[id], s)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO spans (trace_id, span_id, parent_span_id, name, type, status, start_time_ns, end_time_ns, content)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (trace_id, span_id) DO UPDATE SET parent_span_id = excluded.parent_span_id, name = excluded.name, type = excluded.type,
			status = excluded.status, start_time_ns = excluded.start_time_ns, end_time_ns = excluded.end_time_ns, content = excluded.content`)
	if err != nil {
		return nil, err
	}
	defer ins.Close()
	for _, traceID := range order {
		if err := validateTraceID(traceID); err != nil {
			return nil, err
		}
		if err := requireTraceInExperiment(ctx, tx, traceID, exp); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO traces (trace_id, experiment_id, request_time, state) VALUES (?, ?, 0, 'IN_PROGRESS') ON CONFLICT DO NOTHING`, traceID, exp); err != nil {
			return nil, err
		}
		for _, s := range byTrace[traceID] {
			content, err := json.Marshal(s)
			if err != nil {
				return nil, fmt.Errorf("encode span %s: %w", s.SpanID, err)
			}
			if _, err := ins.ExecContext(ctx, traceID, s.SpanID, s.ParentSpanID, s.Name, spanType(s), s.StatusCode, s.StartTimeNs, s.EndTimeNs, string(content)); err != nil { // TEXT: SQLite reads a BLOB as binary JSON
				return nil, err
			}
		}
		if err := refreshTraceFromSpans(ctx, tx, traceID); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func spanType(s model.Span) string {
	if v, ok := s.Attributes[model.AttrSpanType].(string); ok {
		var t string
		if json.Unmarshal([]byte(v), &t) == nil {
			return t
		}
		return v
	}
	return ""
}

// refreshTraceFromSpans recomputes a trace's time, duration and state from its spans, and fills
// its previews unless the client already reported them.
func refreshTraceFromSpans(ctx context.Context, tx *sql.Tx, traceID string) error {
	var minStart, maxEnd int64
	if err := tx.QueryRowContext(ctx, `SELECT min(start_time_ns), max(coalesce(end_time_ns, 0)) FROM spans WHERE trace_id = ?`, traceID).Scan(&minStart, &maxEnd); err != nil {
		return err
	}
	var content string
	err := tx.QueryRowContext(ctx, `SELECT content FROM spans WHERE trace_id = ? AND parent_span_id = '' ORDER BY start_time_ns LIMIT 1`, traceID).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		// No root yet: the trace stays IN_PROGRESS until its root span arrives.
		_, err = tx.ExecContext(ctx, `UPDATE traces SET request_time = ? WHERE trace_id = ?`, minStart/1e6, traceID)
		return err
	}
	if err != nil {
		return err
	}
	var root model.Span
	if err := json.Unmarshal([]byte(content), &root); err != nil {
		return fmt.Errorf("decode root span of %s: %w", traceID, err)
	}
	state := model.TraceOK
	switch {
	case root.StatusCode == model.StatusError:
		state = model.TraceError
	case root.EndTimeNs == 0:
		state = model.TraceInProgress
	}
	duration := max(int64(0), (maxEnd-minStart)/1e6)
	if _, err := tx.ExecContext(ctx, `UPDATE traces SET request_time = ?, execution_duration = ?, state = ?,
		request_preview = CASE WHEN request_preview = '' THEN ? ELSE request_preview END,
		response_preview = CASE WHEN response_preview = '' THEN ? ELSE response_preview END WHERE trace_id = ?`,
		minStart/1e6, duration, state, previewOf(root, model.AttrSpanInputs), previewOf(root, model.AttrSpanOutput), traceID); err != nil {
		return err
	}
	tags := map[string]string{model.TagSpansLocation: model.SpansInStore}
	if root.Name != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO trace_tags (trace_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, traceID, model.TagTraceName, root.Name); err != nil {
			return err
		}
	}
	return writeTraceKV(ctx, tx, traceID, tags, map[string]string{model.MetaSchemaVersion: "3"})
}

// previewOf is the root span's JSON-encoded inputs or outputs, truncated as MLflow does.
func previewOf(root model.Span, key string) string {
	v, ok := root.Attributes[key]
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		s = string(b)
	}
	return truncateRunes(s, model.PreviewMaxRunes)
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// requireTraceInExperiment refuses writing to a trace that exists in another experiment: trace
// ids are global, and permission was checked for exp only.
func requireTraceInExperiment(ctx context.Context, tx *sql.Tx, traceID string, exp int64) error {
	var have int64
	err := tx.QueryRowContext(ctx, `SELECT experiment_id FROM traces WHERE trace_id = ?`, traceID).Scan(&have)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if have != exp {
		return model.Invalid("trace_id", "trace %s already exists in another experiment", traceID)
	}
	return nil
}
