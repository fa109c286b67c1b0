package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/assay-labs/assay/app/model"
)

const assessmentCols = `assessment_id, trace_id, span_id, name, kind, source_type, source_id, value, error, rationale, metadata, overrides, valid, create_time, last_update_time`

func scanAssessment(row interface{ Scan(...any) error }) (model.Assessment, error) {
	var a model.Assessment
	var value, errJSON sql.NullString
	var metadata string
	err := row.Scan(&a.AssessmentID, &a.TraceID, &a.SpanID, &a.Name, &a.Kind, &a.SourceType, &a.SourceID, &value, &errJSON,
		&a.Rationale, &metadata, &a.Overrides, &a.Valid, &a.CreateTimeMs, &a.LastUpdateTimeMs)
	if err != nil {
		return a, err
	}
	if value.Valid {
		a.Value = json.RawMessage(value.String)
	}
	if errJSON.Valid {
		a.Error = &model.AssessmentError{}
		if err := json.Unmarshal([]byte(errJSON.String), a.Error); err != nil {
			return a, err
		}
	}
	return a, json.Unmarshal([]byte(metadata), &a.Metadata)
}

func (db *DB) queryAssessments(ctx context.Context, q queryer, where string, args ...any) ([]model.Assessment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+assessmentCols+` FROM assessments `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Assessment
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// validateAssessment checks what MLflow requires of an assessment before it is stored.
func validateAssessment(a *model.Assessment) error {
	switch {
	case strings.TrimSpace(a.Name) == "":
		return model.Invalid("assessment.assessment_name", "assessment_name is required")
	case a.Kind != model.KindFeedback && a.Kind != model.KindExpectation:
		return model.Invalid("assessment", "exactly one of feedback or expectation is required")
	case a.Kind == model.KindFeedback && a.Value == nil && a.Error == nil:
		return model.Invalid("assessment.feedback", "a feedback needs a value or an error")
	case a.Kind == model.KindExpectation && a.Value == nil:
		return model.Invalid("assessment.expectation.value", "an expectation needs a value")
	}
	if a.SourceType == "" {
		return model.Invalid("assessment.source.source_type", "source.source_type is required")
	}
	a.SourceType = strings.ToUpper(a.SourceType)
	if a.SourceType == "AI_JUDGE" {
		a.SourceType = "LLM_JUDGE"
	}
	if !slices.Contains(model.SourceTypes, a.SourceType) {
		return model.Invalid("assessment.source.source_type", "source_type must be one of %s, got %q", strings.Join(model.SourceTypes, ", "), a.SourceType)
	}
	if a.Value != nil && !json.Valid(a.Value) {
		return model.Invalid("assessment."+a.Kind+".value", "value is not valid JSON")
	}
	return nil
}

// CreateAssessment stores a new assessment on a trace. When it overrides another assessment of
// the same trace, that one is kept and marked valid=false.
func (db *DB) CreateAssessment(ctx context.Context, a model.Assessment) (model.Assessment, error) {
	if err := validateAssessment(&a); err != nil {
		return a, err
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = createAssessmentTx(ctx, tx, a)
		return err
	})
	return a, err
}

// createAssessmentTx inserts a validated assessment inside tx.
func createAssessmentTx(ctx context.Context, tx *sql.Tx, a model.Assessment) (model.Assessment, error) {
	if err := requireTrace(ctx, tx, a.TraceID); err != nil {
		return a, err
	}
	if a.Overrides != "" {
		res, err := tx.ExecContext(ctx, `UPDATE assessments SET valid = 0 WHERE assessment_id = ? AND trace_id = ?`, a.Overrides, a.TraceID)
		if err != nil {
			return a, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return a, model.Invalid("assessment.overrides", "assessment '%s' to override does not exist on trace '%s'", a.Overrides, a.TraceID)
		}
	}
	if a.AssessmentID == "" {
		a.AssessmentID = "a-" + NewHexID(16)
	}
	now := nowMs()
	if a.CreateTimeMs == 0 {
		a.CreateTimeMs = now
	}
	a.LastUpdateTimeMs = now
	a.Valid = true
	if a.Metadata == nil {
		a.Metadata = map[string]string{}
	}
	metadata, _ := json.Marshal(a.Metadata)
	var errJSON any
	if a.Error != nil {
		b, _ := json.Marshal(a.Error)
		errJSON = string(b)
	}
	var value any
	if a.Value != nil {
		value = string(a.Value)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO assessments (`+assessmentCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		a.AssessmentID, a.TraceID, a.SpanID, a.Name, a.Kind, a.SourceType, a.SourceID, value, errJSON, a.Rationale, string(metadata),
		a.Overrides, a.CreateTimeMs, a.LastUpdateTimeMs)
	return a, err
}

// FindAssessment returns one assessment of a trace.
func (db *DB) FindAssessment(ctx context.Context, traceID, id string) (model.Assessment, error) {
	as, err := db.queryAssessments(ctx, db.Reader, `WHERE assessment_id = ? AND trace_id = ?`, id, traceID)
	if err != nil {
		return model.Assessment{}, err
	}
	if len(as) == 0 {
		return model.Assessment{}, model.Errorf(model.ResourceDoesNotExist, "Assessment with ID '%s' not found for trace '%s'", id, traceID)
	}
	return as[0], nil
}

// AssessmentUpdate is a PATCH: only the fields named in the update mask change.
type AssessmentUpdate struct {
	Mask      []string
	New       model.Assessment
	KindGiven string // the kind the request carried a value for, if any
}

// UpdateAssessment changes an assessment in place, keeping its previous state in
// assessment_history so an update never destroys a value.
func (db *DB) UpdateAssessment(ctx context.Context, traceID, id string, upd AssessmentUpdate) (model.Assessment, error) {
	var out model.Assessment
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		as, err := db.queryAssessments(ctx, tx, `WHERE assessment_id = ? AND trace_id = ?`, id, traceID)
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return model.Errorf(model.ResourceDoesNotExist, "Assessment with ID '%s' not found for trace '%s'", id, traceID)
		}
		old := as[0]
		next := old
		for _, path := range upd.Mask {
			switch snakeCase(strings.TrimSpace(path)) {
			case "assessment_name":
				next.Name = upd.New.Name
			case "rationale":
				next.Rationale = upd.New.Rationale
			case "metadata":
				next.Metadata = upd.New.Metadata
			case "feedback", "feedback.value", "feedback.error":
				if old.Kind != model.KindFeedback || upd.KindGiven == model.KindExpectation {
					return model.Invalid("update_mask", "cannot change an %s into a feedback", old.Kind)
				}
				next.Value, next.Error = upd.New.Value, upd.New.Error
			case "expectation", "expectation.value":
				if old.Kind != model.KindExpectation || upd.KindGiven == model.KindFeedback {
					return model.Invalid("update_mask", "cannot change a %s into an expectation", old.Kind)
				}
				next.Value = upd.New.Value
			case "valid":
				next.Valid = upd.New.Valid
			case "":
			default:
				return model.Invalid("update_mask", "cannot update field %q", path)
			}
		}
		if err := validateAssessment(&next); err != nil {
			return err
		}
		snapshot, _ := json.Marshal(old)
		if _, err := tx.ExecContext(ctx, `INSERT INTO assessment_history (assessment_id, snapshot, replaced_time) VALUES (?, ?, ?)`, id, string(snapshot), nowMs()); err != nil {
			return err
		}
		next.LastUpdateTimeMs = nowMs()
		metadata, _ := json.Marshal(next.Metadata)
		var value, errJSON any
		if next.Value != nil {
			value = string(next.Value)
		}
		if next.Error != nil {
			b, _ := json.Marshal(next.Error)
			errJSON = string(b)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assessments SET name = ?, value = ?, error = ?, rationale = ?, metadata = ?, valid = ?, last_update_time = ? WHERE assessment_id = ?`,
			next.Name, value, errJSON, next.Rationale, string(metadata), next.Valid, next.LastUpdateTimeMs, id); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

// DeleteAssessment removes an assessment. If it had overridden another, that one becomes valid
// again, as in MLflow.
func (db *DB) DeleteAssessment(ctx context.Context, traceID, id string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var overrides string
		err := tx.QueryRowContext(ctx, `SELECT overrides FROM assessments WHERE assessment_id = ? AND trace_id = ?`, id, traceID).Scan(&overrides)
		if errors.Is(err, sql.ErrNoRows) {
			return model.Errorf(model.ResourceDoesNotExist, "Assessment with ID '%s' not found for trace '%s'", id, traceID)
		}
		if err != nil {
			return err
		}
		if overrides != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE assessments SET valid = 1 WHERE assessment_id = ?`, overrides); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM assessments WHERE assessment_id = ?`, id)
		return err
	})
}

// AssessmentHistory returns the earlier states of an assessment, oldest first.
func (db *DB) AssessmentHistory(ctx context.Context, id string) ([]model.Assessment, error) {
	rows, err := db.Reader.QueryContext(ctx, `SELECT snapshot FROM assessment_history WHERE assessment_id = ? ORDER BY history_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Assessment
	for rows.Next() {
		var s []byte
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		var a model.Assessment
		if err := json.Unmarshal(s, &a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// snakeCase turns a field-mask path the client may send in camelCase ("assessmentName") into
// the proto field name ("assessment_name").
func snakeCase(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
