package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/assay-labs/assay/app/model"
)

// ExperimentFilter selects experiments for FindExperiments.
type ExperimentFilter struct {
	ViewType   string // ACTIVE_ONLY (default), DELETED_ONLY, ALL
	Filter     string // MLflow's experiment filter: name, creation_time, last_update_time, tags.<k>
	VisibleTo  *int64 // when set, only experiments this user holds a grant on
	MaxResults int
	Offset     int
}

// parseExperimentID accepts MLflow's string ids ("0", "12").
func parseExperimentID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 0 {
		return 0, model.Invalid("experiment_id", "experiment_id must be a string of digits, got %q", id)
	}
	return n, nil
}

// CreateExperiment creates an experiment and returns its id; the creator (when given) gets
// MANAGE on it. A duplicate name is RESOURCE_ALREADY_EXISTS.
func (db *DB) CreateExperiment(ctx context.Context, name, artifactLocation string, tags []model.Tag, creator *int64) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", model.Invalid("name", "experiment name must not be empty")
	}
	var id int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := nowMs()
		res, err := tx.ExecContext(ctx, `INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES (?, ?, ?, ?)`, name, artifactLocation, now, now)
		if err != nil {
			if model.ErrorCode(mapErr(err)) == model.ResourceAlreadyExists {
				return model.Errorf(model.ResourceAlreadyExists, "Experiment '%s' already exists.", name)
			}
			return err
		}
		id, _ = res.LastInsertId()
		if creator != nil {
			if err := grantTx(ctx, tx, strconv.FormatInt(id, 10), creator, "", PermManage, "creator", "", creator); err != nil {
				return err
			}
		}
		return setExperimentTags(ctx, tx, id, tags)
	})
	return strconv.FormatInt(id, 10), err
}

func setExperimentTags(ctx context.Context, tx *sql.Tx, id int64, tags []model.Tag) error {
	for i, t := range tags {
		if t.Key == "" {
			return model.Invalid("tags["+strconv.Itoa(i)+"].key", "tag key must not be empty")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value`, id, t.Key, t.Value); err != nil {
			return err
		}
	}
	return nil
}

const experimentCols = `experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time`

func scanExperiment(row interface{ Scan(...any) error }) (model.Experiment, error) {
	var e model.Experiment
	var id int64
	err := row.Scan(&id, &e.Name, &e.ArtifactLocation, &e.LifecycleStage, &e.CreationTime, &e.LastUpdateTime)
	e.ExperimentID = strconv.FormatInt(id, 10)
	return e, err
}

// FindExperimentByID returns one experiment with its tags.
func (db *DB) FindExperimentByID(ctx context.Context, id string) (model.Experiment, error) {
	n, err := parseExperimentID(id)
	if err != nil {
		return model.Experiment{}, err
	}
	e, err := scanExperiment(db.Reader.QueryRowContext(ctx, `SELECT `+experimentCols+` FROM experiments WHERE experiment_id = ?`, n))
	if errors.Is(err, sql.ErrNoRows) {
		return e, model.Errorf(model.ResourceDoesNotExist, "No Experiment with id=%s exists", id)
	}
	if err != nil {
		return e, err
	}
	e.Tags, err = db.experimentTags(ctx, n)
	return e, err
}

// FindExperimentByName returns the experiment with that name (active or deleted).
func (db *DB) FindExperimentByName(ctx context.Context, name string) (model.Experiment, error) {
	e, err := scanExperiment(db.Reader.QueryRowContext(ctx, `SELECT `+experimentCols+` FROM experiments WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return e, model.Errorf(model.ResourceDoesNotExist, "Could not find experiment with name '%s'", name)
	}
	if err != nil {
		return e, err
	}
	n, _ := strconv.ParseInt(e.ExperimentID, 10, 64)
	e.Tags, err = db.experimentTags(ctx, n)
	return e, err
}

func (db *DB) experimentTags(ctx context.Context, id int64) ([]model.Tag, error) {
	rows, err := db.Reader.QueryContext(ctx, `SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key`, id)
	if err != nil {
		return nil, err
	}
	return scanTags(rows)
}

func scanTags(rows *sql.Rows) ([]model.Tag, error) {
	defer rows.Close()
	tags := []model.Tag{}
	for rows.Next() {
		var t model.Tag
		if err := rows.Scan(&t.Key, &t.Value); err != nil {
			return nil, err
		}
		tags = append(tags, t)
	}
	return tags, rows.Err()
}

// FindExperiments searches experiments, most recently updated first (MLflow's order).
func (db *DB) FindExperiments(ctx context.Context, f ExperimentFilter) ([]model.Experiment, error) {
	where, args := []string{"1=1"}, []any{}
	switch f.ViewType {
	case "", "ACTIVE_ONLY":
		where = append(where, "lifecycle_stage = 'active'")
	case "DELETED_ONLY":
		where = append(where, "lifecycle_stage = 'deleted'")
	case "ALL":
	default:
		return nil, model.Invalid("view_type", "view_type must be ACTIVE_ONLY, DELETED_ONLY or ALL, got %q", f.ViewType)
	}
	clauses, err := parseSimpleFilter("filter", f.Filter)
	if err != nil {
		return nil, err
	}
	cond, cargs, err := simpleWhere("filter", clauses,
		map[string]string{"name": "name", "creation_time": "creation_time", "last_update_time": "last_update_time", "experiment_id": "experiment_id"},
		map[string]bool{"creation_time": true, "last_update_time": true},
		func(op string) string {
			return "EXISTS (SELECT 1 FROM experiment_tags et WHERE et.experiment_id = experiments.experiment_id AND et.key = ? AND et.value " + op + " ?)"
		})
	if err != nil {
		return nil, err
	}
	where, args = append(where, cond), append(args, cargs...)
	if f.VisibleTo != nil {
		where, args = append(where, "experiment_id IN ("+visibleExperimentsSQL+")"), append(args, *f.VisibleTo)
	}
	args = append(args, f.MaxResults, f.Offset)
	rows, err := db.Reader.QueryContext(ctx, `SELECT `+experimentCols+` FROM experiments WHERE `+strings.Join(where, " AND ")+
		` ORDER BY last_update_time DESC, experiment_id DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Experiment
	for rows.Next() {
		e, err := scanExperiment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		n, _ := strconv.ParseInt(out[i].ExperimentID, 10, 64)
		if out[i].Tags, err = db.experimentTags(ctx, n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ExperimentUpdate changes an experiment; nil fields stay as they are.
type ExperimentUpdate struct {
	Name           *string
	LifecycleStage *string
	SetTags        []model.Tag
	DeleteTag      *string
}

// UpdateExperiment renames, deletes/restores or re-tags an experiment.
func (db *DB) UpdateExperiment(ctx context.Context, id string, upd ExperimentUpdate) error {
	n, err := parseExperimentID(id)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var stage string
		if err := tx.QueryRowContext(ctx, `SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?`, n).Scan(&stage); errors.Is(err, sql.ErrNoRows) {
			return model.Errorf(model.ResourceDoesNotExist, "No Experiment with id=%s exists", id)
		} else if err != nil {
			return err
		}
		if upd.Name != nil {
			if strings.TrimSpace(*upd.Name) == "" {
				return model.Invalid("new_name", "experiment name must not be empty")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE experiments SET name = ? WHERE experiment_id = ?`, *upd.Name, n); err != nil {
				if model.ErrorCode(mapErr(err)) == model.ResourceAlreadyExists {
					return model.Errorf(model.ResourceAlreadyExists, "Experiment '%s' already exists.", *upd.Name)
				}
				return err
			}
		}
		if upd.LifecycleStage != nil {
			if n == 0 && *upd.LifecycleStage == model.StageDeleted {
				return model.Invalid("experiment_id", "the Default experiment (id 0) cannot be deleted")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE experiments SET lifecycle_stage = ? WHERE experiment_id = ?`, *upd.LifecycleStage, n); err != nil {
				return err
			}
		}
		if err := setExperimentTags(ctx, tx, n, upd.SetTags); err != nil {
			return err
		}
		if upd.DeleteTag != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?`, n, *upd.DeleteTag); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?`, nowMs(), n)
		return err
	})
}

// requireActiveExperiment checks inside a transaction that the experiment exists and is active.
func requireActiveExperiment(ctx context.Context, q queryer, id string) (int64, error) {
	n, err := parseExperimentID(id)
	if err != nil {
		return 0, err
	}
	var stage string
	err = q.QueryRowContext(ctx, `SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?`, n).Scan(&stage)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, model.Errorf(model.ResourceDoesNotExist, "No Experiment with id=%s exists", id)
	}
	if err != nil {
		return 0, err
	}
	if stage != model.StageActive {
		return 0, model.Invalid("experiment_id", "experiment %s is deleted", id)
	}
	return n, nil
}
