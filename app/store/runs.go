package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/assay-labs/assay/app/filter"
	"github.com/assay-labs/assay/app/model"
)

// RunCreate is what CreateRun needs.
type RunCreate struct {
	ExperimentID string
	RunName      string
	UserID       string
	StartTime    int64
	Tags         []model.Tag
}

// CreateRun creates a RUNNING run; its name is also kept in the mlflow.runName tag, as MLflow does.
func (db *DB) CreateRun(ctx context.Context, in RunCreate) (model.Run, error) {
	id := NewHexID(16)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := db.createRunTx(ctx, tx, id, in)
		return err
	})
	if err != nil {
		return model.Run{}, err
	}
	return db.FindRunByID(ctx, id)
}

// createRunTx inserts a run inside tx; the labeling store uses it to create a session's run.
func (db *DB) createRunTx(ctx context.Context, tx *sql.Tx, id string, in RunCreate) (string, error) {
	exp, err := requireActiveExperiment(ctx, tx, in.ExperimentID)
	if err != nil {
		return "", err
	}
	name := in.RunName
	for _, t := range in.Tags {
		if t.Key == model.RunTagName && name == "" {
			name = t.Value
		}
	}
	if name == "" {
		name = "run-" + id[:8]
	}
	start := in.StartTime
	if start == 0 {
		start = nowMs()
	}
	artifactURI := fmt.Sprintf("mlflow-artifacts:/%d/%s/artifacts", exp, id)
	if _, err := tx.ExecContext(ctx, `INSERT INTO runs (run_id, experiment_id, run_name, user_id, status, start_time, artifact_uri)
		VALUES (?, ?, ?, ?, 'RUNNING', ?, ?)`, id, exp, name, in.UserID, start, artifactURI); err != nil {
		return "", err
	}
	tags := append([]model.Tag{{Key: model.RunTagName, Value: name}}, in.Tags...)
	if in.UserID != "" {
		tags = append(tags, model.Tag{Key: "mlflow.user", Value: in.UserID})
	}
	return id, setRunTags(ctx, tx, id, tags)
}

func setRunTags(ctx context.Context, tx *sql.Tx, runID string, tags []model.Tag) error {
	for i, t := range tags {
		if t.Key == "" {
			return model.Invalid("tags["+strconv.Itoa(i)+"].key", "tag key must not be empty")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value`, runID, t.Key, t.Value); err != nil {
			return err
		}
		if t.Key == model.RunTagName {
			if _, err := tx.ExecContext(ctx, `UPDATE runs SET run_name = ? WHERE run_id = ?`, t.Value, runID); err != nil {
				return err
			}
		}
	}
	return nil
}

const runCols = `r.run_id, r.experiment_id, r.run_name, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage`

func scanRunInfo(row interface{ Scan(...any) error }) (model.RunInfo, error) {
	var ri model.RunInfo
	var exp int64
	var end sql.NullInt64
	err := row.Scan(&ri.RunID, &exp, &ri.RunName, &ri.UserID, &ri.Status, &ri.StartTime, &end, &ri.ArtifactURI, &ri.LifecycleStage)
	ri.RunUUID = ri.RunID
	ri.ExperimentID = strconv.FormatInt(exp, 10)
	if end.Valid {
		ri.EndTime = &end.Int64
	}
	return ri, err
}

// FindRunByID returns a run with its data.
func (db *DB) FindRunByID(ctx context.Context, id string) (model.Run, error) {
	ri, err := scanRunInfo(db.Reader.QueryRowContext(ctx, `SELECT `+runCols+` FROM runs r WHERE r.run_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return model.Run{}, model.Errorf(model.ResourceDoesNotExist, "Run with id=%s not found", id)
	}
	if err != nil {
		return model.Run{}, err
	}
	runs := []model.Run{{Info: ri}}
	return runs[0], db.loadRunData(ctx, runs)
}

// loadRunData fills tags, params and latest metrics of the given runs with three queries.
func (db *DB) loadRunData(ctx context.Context, runs []model.Run) error {
	if len(runs) == 0 {
		return nil
	}
	idx := map[string]int{}
	args := make([]any, len(runs))
	for i := range runs {
		idx[runs[i].Info.RunID] = i
		args[i] = runs[i].Info.RunID
		runs[i].Data = model.RunData{Metrics: []model.Metric{}, Params: []model.Tag{}, Tags: []model.Tag{}}
		runs[i].Inputs = map[string]any{}
	}
	in := "(" + placeholders(len(runs)) + ")"
	for _, q := range []struct {
		sql  string
		scan func(*sql.Rows) error
	}{
		{`SELECT run_id, key, value FROM run_tags WHERE run_id IN ` + in + ` ORDER BY key`, func(r *sql.Rows) error {
			var id string
			var t model.Tag
			if err := r.Scan(&id, &t.Key, &t.Value); err != nil {
				return err
			}
			runs[idx[id]].Data.Tags = append(runs[idx[id]].Data.Tags, t)
			return nil
		}},
		{`SELECT run_id, key, value FROM run_params WHERE run_id IN ` + in + ` ORDER BY key`, func(r *sql.Rows) error {
			var id string
			var t model.Tag
			if err := r.Scan(&id, &t.Key, &t.Value); err != nil {
				return err
			}
			runs[idx[id]].Data.Params = append(runs[idx[id]].Data.Params, t)
			return nil
		}},
		{`SELECT run_id, key, value, timestamp, step FROM run_latest_metrics WHERE run_id IN ` + in + ` ORDER BY key`, func(r *sql.Rows) error {
			var id string
			var m model.Metric
			if err := r.Scan(&id, &m.Key, &m.Value, &m.Timestamp, &m.Step); err != nil {
				return err
			}
			runs[idx[id]].Data.Metrics = append(runs[idx[id]].Data.Metrics, m)
			return nil
		}},
	} {
		rows, err := db.Reader.QueryContext(ctx, q.sql, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := q.scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// RunUpdate changes a run; nil fields stay as they are.
type RunUpdate struct {
	Status         *string
	EndTime        *int64
	RunName        *string
	LifecycleStage *string
	SetTags        []model.Tag
	DeleteTag      *string
	Params         []model.Tag
	Metrics        []model.Metric
}

// UpdateRun applies upd to run id in one transaction.
func (db *DB) UpdateRun(ctx context.Context, id string, upd RunUpdate) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return updateRunTx(ctx, tx, id, upd) })
}

func updateRunTx(ctx context.Context, tx *sql.Tx, id string, upd RunUpdate) error {
	var stage string
	err := tx.QueryRowContext(ctx, `SELECT lifecycle_stage FROM runs WHERE run_id = ?`, id).Scan(&stage)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Errorf(model.ResourceDoesNotExist, "Run with id=%s not found", id)
	}
	if err != nil {
		return err
	}
	if upd.Status != nil {
		if !slices.Contains(model.RunStatuses, *upd.Status) {
			return model.Invalid("status", "status must be one of %s, got %q", strings.Join(model.RunStatuses, ", "), *upd.Status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET status = ? WHERE run_id = ?`, *upd.Status, id); err != nil {
			return err
		}
	}
	if upd.EndTime != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET end_time = ? WHERE run_id = ?`, *upd.EndTime, id); err != nil {
			return err
		}
	}
	if upd.RunName != nil && *upd.RunName != "" {
		upd.SetTags = append(upd.SetTags, model.Tag{Key: model.RunTagName, Value: *upd.RunName})
	}
	if upd.LifecycleStage != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET lifecycle_stage = ? WHERE run_id = ?`, *upd.LifecycleStage, id); err != nil {
			return err
		}
	}
	if err := setRunTags(ctx, tx, id, upd.SetTags); err != nil {
		return err
	}
	if upd.DeleteTag != nil {
		res, err := tx.ExecContext(ctx, `DELETE FROM run_tags WHERE run_id = ? AND key = ?`, id, *upd.DeleteTag)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ResourceDoesNotExist, "No tag with name: %s in run with id %s", *upd.DeleteTag, id)
		}
	}
	for i, p := range upd.Params {
		var old string
		err := tx.QueryRowContext(ctx, `SELECT value FROM run_params WHERE run_id = ? AND key = ?`, id, p.Key).Scan(&old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `INSERT INTO run_params (run_id, key, value) VALUES (?, ?, ?)`, id, p.Key, p.Value); err != nil {
				return err
			}
		case err != nil:
			return err
		case old != p.Value:
			return model.Invalid(fmt.Sprintf("params[%d]", i), "changing param values is not allowed: param %q was %q, new value %q", p.Key, old, p.Value)
		}
	}
	for _, m := range upd.Metrics {
		if _, err := tx.ExecContext(ctx, `INSERT INTO run_metrics (run_id, key, value, timestamp, step) VALUES (?, ?, ?, ?, ?)`, id, m.Key, m.Value, m.Timestamp, m.Step); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO run_latest_metrics (run_id, key, value, timestamp, step) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step
			WHERE excluded.step > run_latest_metrics.step OR (excluded.step = run_latest_metrics.step AND excluded.timestamp >= run_latest_metrics.timestamp)`,
			id, m.Key, m.Value, m.Timestamp, m.Step); err != nil {
			return err
		}
	}
	return nil
}

// RunSearch is a search_runs request.
type RunSearch struct {
	ExperimentIDs []string
	Filter        string
	ViewType      string
	OrderBy       []string
	MaxResults    int
	Offset        int
}

// FindRuns searches runs with MLflow's run filter grammar.
func (db *DB) FindRuns(ctx context.Context, s RunSearch) ([]model.Run, error) {
	clauses, err := filter.ParseRunFilter(s.Filter)
	if err != nil {
		return nil, model.Invalid("filter", "%s", err.Error())
	}
	where, args, err := filter.RunWhere(clauses)
	if err != nil {
		return nil, model.Invalid("filter", "%s", err.Error())
	}
	orders, err := filter.ParseRunOrderBy(s.OrderBy)
	if err != nil {
		return nil, model.Invalid("order_by", "%s", err.Error())
	}
	conds := []string{"(" + where + ")"}
	if len(s.ExperimentIDs) == 0 {
		return nil, model.Invalid("experiment_ids", "at least one experiment id is required")
	}
	exps := make([]any, len(s.ExperimentIDs))
	for i, id := range s.ExperimentIDs {
		n, err := parseExperimentID(id)
		if err != nil {
			return nil, model.Invalid(fmt.Sprintf("experiment_ids[%d]", i), "experiment id must be a string of digits, got %q", id)
		}
		exps[i] = n
	}
	conds = append(conds, "r.experiment_id IN ("+placeholders(len(exps))+")")
	args = append(args, exps...)
	switch s.ViewType {
	case "", "ACTIVE_ONLY":
		conds = append(conds, "r.lifecycle_stage = 'active'")
	case "DELETED_ONLY":
		conds = append(conds, "r.lifecycle_stage = 'deleted'")
	case "ALL":
	default:
		return nil, model.Invalid("run_view_type", "run_view_type must be ACTIVE_ONLY, DELETED_ONLY or ALL, got %q", s.ViewType)
	}
	orderSQL, orderArgs, err := filter.RunOrderSQL(orders)
	if err != nil {
		return nil, model.Invalid("order_by", "%s", err.Error())
	}
	args = append(append(args, orderArgs...), s.MaxResults, s.Offset)
	q := `SELECT ` + runCols + ` FROM runs r WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY ` + orderSQL + ` LIMIT ? OFFSET ?`
	rows, err := db.Reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search runs: %w", err)
	}
	defer rows.Close()
	var runs []model.Run
	for rows.Next() {
		ri, err := scanRunInfo(rows)
		if err != nil {
			return nil, err
		}
		runs = append(runs, model.Run{Info: ri})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return runs, db.loadRunData(ctx, runs)
}
