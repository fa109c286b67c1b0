package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/assay-labs/assay/app/model"
)

// DatasetCreate is what CreateDataset needs.
type DatasetCreate struct {
	Name          string
	ExperimentIDs []string
	Tags          map[string]string
	CreatedBy     string
}

// CreateDataset creates an empty evaluation dataset linked to the given experiments. Names are
// unique within an experiment (not across experiments), so a name resolves within one.
func (db *DB) CreateDataset(ctx context.Context, in DatasetCreate) (model.Dataset, error) {
	if strings.TrimSpace(in.Name) == "" {
		return model.Dataset{}, model.Invalid("name", "dataset name is required")
	}
	id := "d-" + NewHexID(16)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := createDatasetTx(ctx, tx, id, in); err != nil {
			return err
		}
		return refreshDigest(ctx, tx, id, in.CreatedBy) // MLflow's client needs a digest from the start
	})
	if err != nil {
		return model.Dataset{}, err
	}
	return db.FindDatasetByID(ctx, id)
}

func createDatasetTx(ctx context.Context, tx *sql.Tx, id string, in DatasetCreate) error {
	tags, _ := json.Marshal(orEmpty(in.Tags))
	now := nowMs()
	if _, err := tx.ExecContext(ctx, `INSERT INTO datasets (dataset_id, name, tags, created_time, last_update_time, created_by, last_updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, in.Name, string(tags), now, now, in.CreatedBy, in.CreatedBy); err != nil {
		return err
	}
	for i, e := range in.ExperimentIDs {
		exp, err := requireActiveExperiment(ctx, tx, e)
		if err != nil {
			return model.Invalid(fmt.Sprintf("experiment_ids[%d]", i), "%s", err.Error())
		}
		var clash string
		err = tx.QueryRowContext(ctx, `SELECT d.dataset_id FROM datasets d JOIN dataset_experiments de USING (dataset_id) WHERE de.experiment_id = ? AND d.name = ?`, exp, in.Name).Scan(&clash)
		if err == nil {
			return model.Errorf(model.ResourceAlreadyExists, "a dataset named '%s' already exists in experiment %s (%s)", in.Name, e, clash)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dataset_experiments (dataset_id, experiment_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, exp); err != nil {
			return err
		}
	}
	return nil
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

const datasetCols = `d.dataset_id, d.name, d.digest, d.schema, d.profile, d.tags, d.created_time, d.last_update_time, d.created_by, d.last_updated_by`

func (db *DB) queryDatasets(ctx context.Context, q string, args ...any) ([]model.Dataset, error) {
	rows, err := db.Reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Dataset
	for rows.Next() {
		var d model.Dataset
		var tags string
		if err := rows.Scan(&d.DatasetID, &d.Name, &d.Digest, &d.Schema, &d.Profile, &tags, &d.CreatedTime, &d.LastUpdateTime, &d.CreatedBy, &d.LastUpdatedBy); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(tags), &d.Tags); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		exps, err := db.Reader.QueryContext(ctx, `SELECT experiment_id FROM dataset_experiments WHERE dataset_id = ? ORDER BY experiment_id`, out[i].DatasetID)
		if err != nil {
			return nil, err
		}
		out[i].ExperimentIDs = []string{}
		for exps.Next() {
			var e int64
			if err := exps.Scan(&e); err != nil {
				exps.Close()
				return nil, err
			}
			out[i].ExperimentIDs = append(out[i].ExperimentIDs, strconv.FormatInt(e, 10))
		}
		exps.Close()
	}
	return out, nil
}

// FindDatasetByID returns one dataset without its records.
func (db *DB) FindDatasetByID(ctx context.Context, id string) (model.Dataset, error) {
	ds, err := db.queryDatasets(ctx, `SELECT `+datasetCols+` FROM datasets d WHERE d.dataset_id = ?`, id)
	if err != nil {
		return model.Dataset{}, err
	}
	if len(ds) == 0 {
		return model.Dataset{}, model.Errorf(model.ResourceDoesNotExist, "Dataset '%s' not found", id)
	}
	return ds[0], nil
}

// FindDatasetsByName returns the datasets with that name, optionally within one experiment.
func (db *DB) FindDatasetsByName(ctx context.Context, name, experimentID string) ([]model.Dataset, error) {
	if experimentID == "" {
		return db.queryDatasets(ctx, `SELECT `+datasetCols+` FROM datasets d WHERE d.name = ? ORDER BY d.created_time DESC`, name)
	}
	exp, err := parseExperimentID(experimentID)
	if err != nil {
		return nil, err
	}
	return db.queryDatasets(ctx, `SELECT `+datasetCols+` FROM datasets d JOIN dataset_experiments de USING (dataset_id)
		WHERE d.name = ? AND de.experiment_id = ? ORDER BY d.created_time DESC`, name, exp)
}

// DatasetSearch is a search_datasets request. Filter is MLflow's dataset filter (name,
// created_time, last_update_time, created_by, last_updated_by, tags.<k>).
type DatasetSearch struct {
	ExperimentIDs []string
	Filter        string
	OrderBy       []string
	VisibleTo     *int64 // when set, only datasets all of whose experiments this user holds a grant on
	MaxResults    int
	Offset        int
}

// FindDatasets searches datasets, newest first.
func (db *DB) FindDatasets(ctx context.Context, s DatasetSearch) ([]model.Dataset, error) {
	conds, args := []string{"1=1"}, []any{}
	if len(s.ExperimentIDs) > 0 {
		for i, e := range s.ExperimentIDs {
			n, err := parseExperimentID(e)
			if err != nil {
				return nil, model.Invalid(fmt.Sprintf("experiment_ids[%d]", i), "experiment id must be a string of digits, got %q", e)
			}
			args = append(args, n)
		}
		conds = append(conds, `d.dataset_id IN (SELECT dataset_id FROM dataset_experiments WHERE experiment_id IN (`+placeholders(len(s.ExperimentIDs))+`))`)
	}
	if s.VisibleTo != nil {
		// Listed only when every linked experiment is readable, the rule GET /datasets/:id applies.
		conds = append(conds, `NOT EXISTS (SELECT 1 FROM dataset_experiments de WHERE de.dataset_id = d.dataset_id AND de.experiment_id NOT IN (`+visibleExperimentsSQL+`))`)
		args = append(args, *s.VisibleTo)
	}
	clauses, err := parseSimpleFilter("filter_string", s.Filter)
	if err != nil {
		return nil, err
	}
	cond, cargs, err := simpleWhere("filter_string", clauses, datasetColumns, map[string]bool{"created_time": true, "last_update_time": true},
		func(op string) string { return "json_extract(d.tags, '$.\"' || ? || '\"') " + op + " ?" })
	if err != nil {
		return nil, err
	}
	order, err := datasetOrder(s.OrderBy)
	if err != nil {
		return nil, err
	}
	conds, args = append(conds, cond), append(append(args, cargs...), s.MaxResults, s.Offset)
	return db.queryDatasets(ctx, `SELECT `+datasetCols+` FROM datasets d WHERE `+strings.Join(conds, " AND ")+` ORDER BY `+order+`, d.dataset_id LIMIT ? OFFSET ?`, args...)
}

var datasetColumns = map[string]string{"name": "d.name", "created_time": "d.created_time", "last_update_time": "d.last_update_time",
	"created_by": "d.created_by", "last_updated_by": "d.last_updated_by", "dataset_id": "d.dataset_id"}

// datasetOrder turns order_by entries such as "created_time DESC" into SQL (default newest first).
func datasetOrder(orderBy []string) (string, error) {
	var parts []string
	for i, o := range orderBy {
		f := strings.Fields(o)
		if len(f) == 0 || len(f) > 2 {
			return "", model.Invalid(fmt.Sprintf("order_by[%d]", i), "expected '<key> [ASC|DESC]', got %q", o)
		}
		col, ok := datasetColumns[strings.ToLower(f[0])]
		if !ok {
			return "", model.Invalid(fmt.Sprintf("order_by[%d]", i), "cannot order by %q", f[0])
		}
		dir := "ASC"
		if len(f) == 2 {
			dir = strings.ToUpper(f[1])
			if dir != "ASC" && dir != "DESC" {
				return "", model.Invalid(fmt.Sprintf("order_by[%d]", i), "direction must be ASC or DESC, got %q", f[1])
			}
		}
		parts = append(parts, col+" "+dir)
	}
	if len(parts) == 0 {
		return "d.created_time DESC", nil
	}
	return strings.Join(parts, ", "), nil
}

// DeleteDataset deletes a dataset and its records.
func (db *DB) DeleteDataset(ctx context.Context, id string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM datasets WHERE dataset_id = ?`, id)
		return err
	})
}

// UpdateDatasetTags merges tags into a dataset's tags; a nil value deletes the key.
func (db *DB) UpdateDatasetTags(ctx context.Context, id string, tags map[string]*string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var raw string
		if err := tx.QueryRowContext(ctx, `SELECT tags FROM datasets WHERE dataset_id = ?`, id).Scan(&raw); errors.Is(err, sql.ErrNoRows) {
			return model.Errorf(model.ResourceDoesNotExist, "Dataset '%s' not found", id)
		} else if err != nil {
			return err
		}
		cur := map[string]string{}
		if err := json.Unmarshal([]byte(raw), &cur); err != nil {
			return err
		}
		for k, v := range tags {
			if v == nil {
				delete(cur, k)
			} else {
				cur[k] = *v
			}
		}
		b, _ := json.Marshal(cur)
		_, err := tx.ExecContext(ctx, `UPDATE datasets SET tags = ?, last_update_time = ? WHERE dataset_id = ?`, string(b), nowMs(), id)
		return err
	})
}
