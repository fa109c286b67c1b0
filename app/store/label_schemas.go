package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/assay-labs/assay/app/model"
)

const schemaCols = `schema_id, experiment_id, name, type, title, instruction, enable_comment, input, version, builtin, created_by, created_at, last_updated_at`

func scanSchema(row interface{ Scan(...any) error }) (model.LabelSchema, error) {
	var s model.LabelSchema
	var exp int64
	var input string
	if err := row.Scan(&s.SchemaID, &exp, &s.Name, &s.Type, &s.Title, &s.Instruction, &s.EnableComment, &input, &s.Version, &s.BuiltIn,
		&s.CreatedBy, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return s, err
	}
	s.ExperimentID = strconv.FormatInt(exp, 10)
	return s, json.Unmarshal([]byte(input), &s.Input)
}

func (db *DB) querySchemas(ctx context.Context, q queryer, where string, args ...any) ([]model.LabelSchema, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+schemaCols+` FROM label_schemas WHERE deleted_at IS NULL AND `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []model.LabelSchema{}
	for rows.Next() {
		s, err := scanSchema(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FindLabelSchemas lists an experiment's live schemas, built-ins first, then by creation.
func (db *DB) FindLabelSchemas(ctx context.Context, experimentID string, limit, offset int) ([]model.LabelSchema, error) {
	exp, err := parseExperimentID(experimentID)
	if err != nil {
		return nil, err
	}
	return db.querySchemas(ctx, db.Reader, `experiment_id = ? ORDER BY builtin DESC, created_at, schema_id LIMIT ? OFFSET ?`, exp, limit, offset)
}

// FindLabelSchemaByID returns one live schema.
func (db *DB) FindLabelSchemaByID(ctx context.Context, id string) (model.LabelSchema, error) {
	ss, err := db.querySchemas(ctx, db.Reader, `schema_id = ?`, id)
	if err != nil {
		return model.LabelSchema{}, err
	}
	if len(ss) == 0 {
		return model.LabelSchema{}, model.Errorf(model.ResourceDoesNotExist, "Label schema with id '%s' not found", id)
	}
	return ss[0], nil
}

// FindLabelSchemaByName returns the live schema with that name in an experiment.
func (db *DB) FindLabelSchemaByName(ctx context.Context, experimentID, name string) (model.LabelSchema, error) {
	return findSchemaByName(ctx, db, db.Reader, experimentID, name)
}

func findSchemaByName(ctx context.Context, db *DB, q queryer, experimentID, name string) (model.LabelSchema, error) {
	exp, err := parseExperimentID(experimentID)
	if err != nil {
		return model.LabelSchema{}, err
	}
	ss, err := db.querySchemas(ctx, q, `experiment_id = ? AND name = ?`, exp, name)
	if err != nil {
		return model.LabelSchema{}, err
	}
	if len(ss) == 0 {
		return model.LabelSchema{}, model.Errorf(model.ResourceDoesNotExist, "Label schema with name '%s' not found in experiment %s", name, experimentID)
	}
	return ss[0], nil
}

// FindSchemaVersion returns a schema as it was at one version (schemas are never lost, even
// once deleted, so old answers stay readable).
func (db *DB) FindSchemaVersion(ctx context.Context, id string, version int) (model.LabelSchema, error) {
	var snap string
	err := db.Reader.QueryRowContext(ctx, `SELECT snapshot FROM label_schema_versions WHERE schema_id = ? AND version = ?`, id, version).Scan(&snap)
	if errors.Is(err, sql.ErrNoRows) {
		return model.LabelSchema{}, model.Errorf(model.ResourceDoesNotExist, "Label schema '%s' has no version %d", id, version)
	}
	if err != nil {
		return model.LabelSchema{}, err
	}
	s := model.LabelSchema{SchemaID: id, Version: version}
	return s, json.Unmarshal([]byte(snap), &s)
}

// SaveLabelSchema creates a schema, or replaces the live one of the same name when overwrite is
// set (the replacement keeps its id and becomes a new version; its type cannot change).
func (db *DB) SaveLabelSchema(ctx context.Context, s model.LabelSchema, overwrite bool) (model.LabelSchema, error) {
	if err := s.Validate(); err != nil {
		return s, err
	}
	var id string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		exp, err := requireActiveExperiment(ctx, tx, s.ExperimentID)
		if err != nil {
			return err
		}
		old, err := findSchemaByName(ctx, db, tx, s.ExperimentID, s.Name)
		switch {
		case err == nil && !overwrite:
			return model.Errorf(model.ResourceAlreadyExists, "Label schema '%s' already exists in experiment %s; pass overwrite=true to replace it", s.Name, s.ExperimentID)
		case err == nil:
			id = old.SchemaID
			return updateSchemaTx(ctx, tx, old, s)
		case model.ErrorCode(err) != model.ResourceDoesNotExist:
			return err
		}
		id = "ls-" + NewHexID(16)
		input, _ := json.Marshal(s.Input)
		now := nowMs()
		_, err = tx.ExecContext(ctx, `INSERT INTO label_schemas (schema_id, experiment_id, name, type, title, instruction, enable_comment, input, created_by, created_at, last_updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, exp, s.Name, s.Type, s.Title, s.Instruction, s.EnableComment, string(input), s.CreatedBy, now, now)
		return err
	})
	if err != nil {
		return s, err
	}
	return db.FindLabelSchemaByID(ctx, id)
}

// UpdateLabelSchema changes a schema (found by id) to next: a new version is recorded.
func (db *DB) UpdateLabelSchema(ctx context.Context, id string, change func(*model.LabelSchema) error) (model.LabelSchema, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		ss, err := db.querySchemas(ctx, tx, `schema_id = ?`, id)
		if err != nil {
			return err
		}
		if len(ss) == 0 {
			return model.Errorf(model.ResourceDoesNotExist, "Label schema with id '%s' not found", id)
		}
		next := ss[0]
		if err := change(&next); err != nil {
			return err
		}
		if err := next.Validate(); err != nil {
			return err
		}
		if next.Name != ss[0].Name {
			if _, err := findSchemaByName(ctx, db, tx, next.ExperimentID, next.Name); err == nil {
				return model.Errorf(model.ResourceAlreadyExists, "Label schema '%s' already exists in experiment %s", next.Name, next.ExperimentID)
			}
		}
		return updateSchemaTx(ctx, tx, ss[0], next)
	})
	if err != nil {
		return model.LabelSchema{}, err
	}
	return db.FindLabelSchemaByID(ctx, id)
}

// updateSchemaTx writes next over old. Nothing changes when the definition is the same. A
// schema nobody has answered yet is changed in place; once answers exist, the change becomes a
// new version, so every answer keeps naming the version it was given under. The type is
// immutable.
func updateSchemaTx(ctx context.Context, tx *sql.Tx, old, next model.LabelSchema) error {
	if next.Type != old.Type {
		return model.Invalid("type", "the type of label schema '%s' is %s and cannot change", old.Name, old.Type)
	}
	if old.BuiltIn && next.Name != old.Name {
		return model.Invalid("name", "built-in label schema '%s' cannot be renamed", old.Name)
	}
	snapshot := func(s model.LabelSchema) string {
		b, _ := json.Marshal(map[string]any{"name": s.Name, "type": s.Type, "title": s.Title, "instruction": s.Instruction,
			"enable_comment": s.EnableComment, "input": s.Input})
		return string(b)
	}
	snap := snapshot(next)
	if snap == snapshot(old) {
		return nil
	}
	var answered bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM assessments WHERE json_extract(metadata, '$."`+model.MetaSchemaID+`"') = ?)`, old.SchemaID).Scan(&answered); err != nil {
		return err
	}
	version := old.Version
	if answered {
		version++
	}
	input, _ := json.Marshal(next.Input)
	now := nowMs()
	if _, err := tx.ExecContext(ctx, `UPDATE label_schemas SET name = ?, title = ?, instruction = ?, enable_comment = ?, input = ?, version = ?, last_updated_at = ? WHERE schema_id = ?`,
		next.Name, next.Title, next.Instruction, next.EnableComment, string(input), version, now, old.SchemaID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO label_schema_versions (schema_id, version, snapshot, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (schema_id, version) DO UPDATE SET snapshot = excluded.snapshot, created_at = excluded.created_at`, old.SchemaID, version, snap, now)
	return err
}

// DeleteLabelSchema marks a schema deleted (a no-op when it is already gone). Assessments made
// with it, and its versions, stay. Built-ins cannot be deleted.
func (db *DB) DeleteLabelSchema(ctx context.Context, id string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var builtin bool
		err := tx.QueryRowContext(ctx, `SELECT builtin FROM label_schemas WHERE schema_id = ? AND deleted_at IS NULL`, id).Scan(&builtin)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if builtin {
			return model.Invalid("schema_id", "built-in label schemas cannot be deleted")
		}
		_, err = tx.ExecContext(ctx, `UPDATE label_schemas SET deleted_at = ? WHERE schema_id = ?`, nowMs(), id)
		return err
	})
}
