package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/assay-labs/assay/app/filter"
	"github.com/assay-labs/assay/app/model"
)

const traceCols = `t.trace_id, t.experiment_id, coalesce(t.client_request_id, ''), t.request_time, t.execution_duration, t.state, t.request_preview, t.response_preview`

func scanTraceInfo(row interface{ Scan(...any) error }) (model.TraceInfo, error) {
	var ti model.TraceInfo
	var exp int64
	err := row.Scan(&ti.TraceID, &exp, &ti.ClientRequestID, &ti.RequestTimeMs, &ti.ExecutionDurationMs, &ti.State, &ti.RequestPreview, &ti.ResponsePreview)
	ti.ExperimentID = strconv.FormatInt(exp, 10)
	return ti, err
}

// FindTraceInfo returns one trace's info with tags, metadata and assessments.
func (db *DB) FindTraceInfo(ctx context.Context, id string) (model.TraceInfo, error) {
	infos, err := db.FindTraceInfos(ctx, []string{id})
	if err != nil {
		return model.TraceInfo{}, err
	}
	if len(infos) == 0 {
		return model.TraceInfo{}, model.Errorf(model.ResourceDoesNotExist, "Trace with ID %s is not found.", id)
	}
	return infos[0], nil
}

// FindTraceInfos returns the infos of the given traces that exist, in the order asked.
func (db *DB) FindTraceInfos(ctx context.Context, ids []string) ([]model.TraceInfo, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	infos, err := db.queryTraceInfos(ctx, `SELECT `+traceCols+` FROM traces t WHERE t.trace_id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	ordered := make([]model.TraceInfo, 0, len(infos))
	byID := map[string]model.TraceInfo{}
	for _, ti := range infos {
		byID[ti.TraceID] = ti
	}
	for _, id := range ids {
		if ti, ok := byID[id]; ok {
			ordered = append(ordered, ti)
			delete(byID, id)
		}
	}
	return ordered, nil
}

func (db *DB) queryTraceInfos(ctx context.Context, q string, args ...any) ([]model.TraceInfo, error) {
	rows, err := db.Reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.TraceInfo
	for rows.Next() {
		ti, err := scanTraceInfo(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ti)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, db.loadTraceDetails(ctx, out)
}

// loadTraceDetails fills tags, metadata and assessments of the given traces with three queries.
func (db *DB) loadTraceDetails(ctx context.Context, infos []model.TraceInfo) error {
	if len(infos) == 0 {
		return nil
	}
	idx := map[string]int{}
	args := make([]any, len(infos))
	for i := range infos {
		idx[infos[i].TraceID] = i
		args[i] = infos[i].TraceID
		infos[i].Tags = map[string]string{}
		infos[i].Metadata = map[string]string{}
		infos[i].Assessments = []model.Assessment{}
	}
	in := "(" + placeholders(len(infos)) + ")"
	for table, dest := range map[string]func(i int) map[string]string{
		"trace_tags":     func(i int) map[string]string { return infos[i].Tags },
		"trace_metadata": func(i int) map[string]string { return infos[i].Metadata },
	} {
		rows, err := db.Reader.QueryContext(ctx, `SELECT trace_id, key, value FROM `+table+` WHERE trace_id IN `+in, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, k, v string
			if err := rows.Scan(&id, &k, &v); err != nil {
				rows.Close()
				return err
			}
			dest(idx[id])[k] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	as, err := db.queryAssessments(ctx, db.Reader, `WHERE trace_id IN `+in+` ORDER BY create_time, assessment_id`, args...)
	if err != nil {
		return err
	}
	for _, a := range as {
		i := idx[a.TraceID]
		infos[i].Assessments = append(infos[i].Assessments, a)
	}
	return nil
}

// TraceSearch is a search_traces request.
type TraceSearch struct {
	ExperimentIDs []string
	Filter        string
	OrderBy       []string
	MaxResults    int
	Offset        int
}

// selectiveLimit is how many matches make a tag or metadata equality "selective": below it a
// search starts from the (key, value) index and sorts the matches; at or above it, walking the
// experiment's traces newest first finds a page sooner.
const selectiveLimit = 5000

// traceSearchSQL compiles a search into a WHERE clause, an ORDER BY clause and arguments,
// choosing the plan by how many traces the most selective tag or metadata equality matches.
func (db *DB) traceSearchSQL(ctx context.Context, s TraceSearch) (string, string, []any, error) {
	clauses, err := filter.ParseTraceFilter(s.Filter)
	if err != nil {
		return "", "", nil, model.Invalid("filter", "%s", err.Error())
	}
	fromIndex, err := db.startFromIndex(ctx, filter.SelectiveClauses(clauses))
	if err != nil {
		return "", "", nil, err
	}
	compile, expTerm := filter.TraceWhereByTime, "t.experiment_id"
	if fromIndex {
		// The unary + keeps SQLite from walking the experiment's traces in time order.
		compile, expTerm = filter.TraceWhere, "+t.experiment_id"
	}
	where, args, err := compile(clauses)
	if err != nil {
		return "", "", nil, model.Invalid("filter", "%s", err.Error())
	}
	orders, err := filter.ParseTraceOrderBy(s.OrderBy)
	if err != nil {
		return "", "", nil, model.Invalid("order_by", "%s", err.Error())
	}
	if len(s.ExperimentIDs) == 0 {
		return "", "", nil, model.Invalid("locations", "at least one experiment location is required")
	}
	exps := make([]any, len(s.ExperimentIDs))
	for i, id := range s.ExperimentIDs {
		n, err := parseExperimentID(id)
		if err != nil {
			return "", "", nil, model.Invalid(fmt.Sprintf("locations[%d].mlflow_experiment.experiment_id", i), "experiment id must be a string of digits, got %q", id)
		}
		exps[i] = n
	}
	orderSQL, orderArgs, err := filter.TraceOrderSQL(orders)
	if err != nil {
		return "", "", nil, model.Invalid("order_by", "%s", err.Error())
	}
	where = expTerm + " IN (" + placeholders(len(exps)) + ") AND (" + where + ")"
	return where, orderSQL, append(append(exps, args...), orderArgs...), nil
}

// startFromIndex reports whether one of the clauses matches fewer than selectiveLimit traces
// (counted in the covering (key, value) index, at most selectiveLimit rows read per clause).
func (db *DB) startFromIndex(ctx context.Context, cs []filter.Clause) (bool, error) {
	for _, c := range cs {
		table := "trace_tags"
		if c.Field.Kind == filter.KindMetadata {
			table = "trace_metadata"
		}
		values := []any{c.Value}
		if list, ok := c.Value.([]string); ok {
			values = values[:0]
			for _, v := range list {
				values = append(values, v)
			}
		}
		if len(values) == 0 {
			continue
		}
		var n int
		args := append([]any{c.Field.Key}, values...)
		args = append(args, selectiveLimit)
		if err := db.Reader.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+table+` WHERE key = ? AND value IN (`+placeholders(len(values))+`) LIMIT ?)`, args...).Scan(&n); err != nil {
			return false, err
		}
		if n < selectiveLimit {
			return true, nil
		}
	}
	return false, nil
}

// SearchTraces returns one page of traces matching s.
func (db *DB) SearchTraces(ctx context.Context, s TraceSearch) ([]model.TraceInfo, error) {
	q, args, err := db.TraceSearchStatement(ctx, s)
	if err != nil {
		return nil, err
	}
	return db.queryTraceInfos(ctx, q, args...)
}

// TraceSearchStatement is the SELECT (and its arguments) SearchTraces runs for s; the
// benchmarks show and time its plan.
func (db *DB) TraceSearchStatement(ctx context.Context, s TraceSearch) (string, []any, error) {
	where, order, args, err := db.traceSearchSQL(ctx, s)
	if err != nil {
		return "", nil, err
	}
	return `SELECT ` + traceCols + ` FROM traces t WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`, append(args, s.MaxResults, s.Offset), nil
}

// SearchTraceIDs returns the ids of every trace matching s (no paging), for bulk operations.
func (db *DB) SearchTraceIDs(ctx context.Context, s TraceSearch) ([]string, error) {
	where, order, args, err := db.traceSearchSQL(ctx, s)
	if err != nil {
		return nil, err
	}
	rows, err := db.Reader.QueryContext(ctx, `SELECT t.trace_id FROM traces t WHERE `+where+` ORDER BY `+order, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// FindSpans returns a trace's spans ordered by start time.
func (db *DB) FindSpans(ctx context.Context, traceID string) ([]model.Span, error) {
	rows, err := db.Reader.QueryContext(ctx, `SELECT content FROM spans WHERE trace_id = ? ORDER BY start_time_ns, span_id`, traceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	spans := []model.Span{}
	for rows.Next() {
		var content []byte
		if err := rows.Scan(&content); err != nil {
			return nil, err
		}
		var s model.Span
		if err := json.Unmarshal(content, &s); err != nil {
			return nil, fmt.Errorf("decode span of %s: %w", traceID, err)
		}
		spans = append(spans, s)
	}
	return spans, rows.Err()
}

// SetTraceTag sets one mutable tag on a trace.
func (db *DB) SetTraceTag(ctx context.Context, traceID, key, value string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := requireTrace(ctx, tx, traceID); err != nil {
			return err
		}
		return writeTraceKV(ctx, tx, traceID, map[string]string{key: value}, nil)
	})
}

// DeleteTraceTag removes one tag from a trace.
func (db *DB) DeleteTraceTag(ctx context.Context, traceID, key string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := requireTrace(ctx, tx, traceID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM trace_tags WHERE trace_id = ? AND key = ?`, traceID, key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ResourceDoesNotExist, "No trace tag with key '%s' for trace with ID '%s'", key, traceID)
		}
		return nil
	})
}

func requireTrace(ctx context.Context, q queryer, traceID string) error {
	var one int
	if err := q.QueryRowContext(ctx, `SELECT 1 FROM traces WHERE trace_id = ?`, traceID).Scan(&one); err != nil {
		if err == sql.ErrNoRows {
			return model.Errorf(model.ResourceDoesNotExist, "Trace with ID %s is not found.", traceID)
		}
		return err
	}
	return nil
}

// TraceDeletion selects traces to delete from one experiment: by ids, or the oldest ones
// before MaxTimestampMs (at most MaxTraces).
type TraceDeletion struct {
	ExperimentID   string
	TraceIDs       []string
	MaxTimestampMs int64
	MaxTraces      int
}

// DeleteTraces deletes traces (with their spans, tags and assessments) and returns how many.
// Traces that are items of a labeling session are refused (by id) or kept (by age).
func (db *DB) DeleteTraces(ctx context.Context, d TraceDeletion) (int64, error) {
	exp, err := parseExperimentID(d.ExperimentID)
	if err != nil {
		return 0, err
	}
	var n int64
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		if len(d.TraceIDs) > 0 {
			args := []any{exp}
			for _, id := range d.TraceIDs {
				args = append(args, id)
			}
			var held string
			err := tx.QueryRowContext(ctx, `SELECT trace_id FROM session_items WHERE trace_id IN (`+placeholders(len(d.TraceIDs))+`) LIMIT 1`, args[1:]...).Scan(&held)
			if err == nil {
				return model.Invalid("request_ids", "trace %s is in a labeling session; remove it from the session first (human labels are never deleted with a trace)", held)
			} else if err != sql.ErrNoRows {
				return err
			}
			res, err = tx.ExecContext(ctx, `DELETE FROM traces WHERE experiment_id = ? AND trace_id IN (`+placeholders(len(d.TraceIDs))+`)`, args...)
		} else {
			limit := d.MaxTraces
			if limit <= 0 {
				limit = -1
			}
			// Traces in labeling sessions are kept: their human labels are never deleted.
			res, err = tx.ExecContext(ctx, `DELETE FROM traces WHERE trace_id IN (SELECT trace_id FROM traces WHERE experiment_id = ? AND request_time <= ?
				AND trace_id NOT IN (SELECT trace_id FROM session_items) ORDER BY request_time LIMIT ?)`, exp, d.MaxTimestampMs, limit)
		}
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// LinkTracesToRun links traces to a run (idempotent).
func (db *DB) LinkTracesToRun(ctx context.Context, runID string, traceIDs []string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return linkTracesTx(ctx, tx, runID, traceIDs) })
}

func linkTracesTx(ctx context.Context, tx *sql.Tx, runID string, traceIDs []string) error {
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM runs WHERE run_id = ?`, runID).Scan(&one); err != nil {
		if err == sql.ErrNoRows {
			return model.Errorf(model.ResourceDoesNotExist, "Run with id=%s not found", runID)
		}
		return err
	}
	for i, id := range traceIDs {
		if err := requireTrace(ctx, tx, id); err != nil {
			return model.Invalid(fmt.Sprintf("trace_ids[%d]", i), "%s", err.Error())
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO trace_runs (trace_id, run_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, runID); err != nil {
			return err
		}
	}
	return nil
}
