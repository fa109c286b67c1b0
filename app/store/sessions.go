package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"github.com/assay-labs/assay/app/model"
)

// SessionCreate is what CreateSession needs.
type SessionCreate struct {
	ExperimentID        string
	Name                string
	AssignedUsers       []string
	Agent               string
	LabelSchemas        []string
	EnableMultiTurnChat bool
	CustomInputs        json.RawMessage
	ReviewsPerItem      int
}

// Actor is who makes a change: their email for records and audit, and whether assigned
// reviewers get EDIT on the experiment (the seed's behaviour) or only their sessions.
type Actor struct {
	Email          string
	UserID         *int64
	GrantReviewers bool
	ReviewLinkBase string // e.g. https://assay.example.com/review/ — the session id is appended
}

// NormalizeEmails validates, lower-cases and de-duplicates reviewer emails, keeping their order.
func NormalizeEmails(field string, emails []string) ([]string, error) {
	out := []string{}
	for i, e := range emails {
		e = strings.ToLower(strings.TrimSpace(e))
		addr, err := mail.ParseAddress(e)
		if err != nil || addr.Address != e || !strings.Contains(e, "@") {
			return nil, model.Invalid(fmt.Sprintf("%s[%d]", field, i), "%q is not an email address", emails[i])
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// CreateSession creates a labeling session and the MLflow run that it is, in one transaction.
func (db *DB) CreateSession(ctx context.Context, in SessionCreate, by Actor) (model.LabelingSession, error) {
	if strings.TrimSpace(in.Name) == "" {
		return model.LabelingSession{}, model.Invalid("name", "name is required")
	}
	users, err := NormalizeEmails("assigned_users", in.AssignedUsers)
	if err != nil {
		return model.LabelingSession{}, err
	}
	if in.ReviewsPerItem < 0 {
		return model.LabelingSession{}, model.Invalid("reviews_per_item", "must be a positive number or \"all\"")
	}
	id := NewHexID(16)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		app, err := reviewAppTx(ctx, tx, in.ExperimentID)
		if err != nil {
			return err
		}
		if err := checkSchemaNames(ctx, db, tx, in.ExperimentID, in.LabelSchemas); err != nil {
			return err
		}
		runID := NewHexID(16)
		if _, err := db.createRunTx(ctx, tx, runID, RunCreate{ExperimentID: in.ExperimentID, RunName: SessionRunName(in.Name), UserID: by.Email, Tags: []model.Tag{
			{Key: model.TagRunType, Value: model.RunTypeLabeling}, {Key: model.TagLabelingID, Value: id}, {Key: model.TagReviewAppID, Value: app.ReviewAppID},
		}}); err != nil {
			return err
		}
		now := nowMs()
		var custom any
		if len(in.CustomInputs) > 0 && string(in.CustomInputs) != "null" {
			custom = string(in.CustomInputs)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO labeling_sessions (labeling_session_id, review_app_id, experiment_id, mlflow_run_id, name, agent,
			enable_multi_turn_chat, custom_inputs, reviews_per_item, created_by, create_time, last_updated_by, last_update_time)
			SELECT ?, ?, experiment_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM review_apps WHERE review_app_id = ?`,
			id, app.ReviewAppID, runID, in.Name, in.Agent, in.EnableMultiTurnChat, custom, in.ReviewsPerItem, by.Email, now, by.Email, now, app.ReviewAppID); err != nil {
			return err
		}
		if err := setSessionSchemas(ctx, tx, id, in.LabelSchemas); err != nil {
			return err
		}
		if err := setReviewersTx(ctx, tx, id, in.ExperimentID, in.Name, nil, users, by); err != nil {
			return err
		}
		return auditTx(ctx, tx, by.Email, "session.create", "labeling_session", id, nil, in)
	})
	if err != nil {
		return model.LabelingSession{}, err
	}
	return db.FindSession(ctx, id)
}

// SessionRunName is the name of a session's run: the session's name, marked as a labeling
// session so that the query the Databricks documentation gives for finding a session's run —
// tags.mlflow.runName LIKE '%labeling_session%' AND attribute.run_id = '…' — matches it.
func SessionRunName(name string) string {
	if strings.Contains(name, "labeling_session") {
		return name
	}
	return name + " (labeling_session)"
}

// checkSchemaNames requires at least one schema and every name to be a live schema of the experiment.
func checkSchemaNames(ctx context.Context, db *DB, tx *sql.Tx, experimentID string, names []string) error {
	if len(names) == 0 {
		return model.Invalid("labeling_schemas", "a session needs at least one label schema")
	}
	seen := map[string]bool{}
	for i, n := range names {
		if seen[n] {
			return model.Invalid(fmt.Sprintf("labeling_schemas[%d]", i), "schema %q is listed twice", n)
		}
		seen[n] = true
		if _, err := findSchemaByName(ctx, db, tx, experimentID, n); err != nil {
			if model.ErrorCode(err) == model.ResourceDoesNotExist {
				return model.Invalid(fmt.Sprintf("labeling_schemas[%d]", i), "label schema %q does not exist in experiment %s", n, experimentID)
			}
			return err
		}
	}
	return nil
}

func setSessionSchemas(ctx context.Context, tx *sql.Tx, id string, names []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM session_schemas WHERE labeling_session_id = ?`, id); err != nil {
		return err
	}
	for i, n := range names {
		if _, err := tx.ExecContext(ctx, `INSERT INTO session_schemas (labeling_session_id, schema_name, position) VALUES (?, ?, ?)`, id, n, i); err != nil {
			return err
		}
	}
	return nil
}

// setReviewersTx makes next the session's reviewers: newcomers are granted access (EDIT on the
// experiment unless reviewers are limited to their sessions) and notified; people removed lose
// the grant this session gave them.
func setReviewersTx(ctx context.Context, tx *sql.Tx, sessionID, experimentID, name string, prev, next []string, by Actor) error {
	for _, e := range prev {
		if slices.Contains(next, e) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM session_reviewers WHERE labeling_session_id = ? AND email = ?`, sessionID, e); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM experiment_permissions WHERE reason = 'reviewer' AND session_id = ? AND (email = ? OR user_id IN (SELECT user_id FROM users WHERE email = ?))`, sessionID, e, e); err != nil {
			return err
		}
	}
	for _, e := range next {
		if slices.Contains(prev, e) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO session_reviewers (labeling_session_id, email, added_at) VALUES (?, ?, ?)`, sessionID, e, nowMs()); err != nil {
			return err
		}
		if by.GrantReviewers {
			if err := grantTx(ctx, tx, experimentID, nil, e, PermEdit, "reviewer", sessionID, by.UserID); err != nil {
				return err
			}
		}
		msg := fmt.Sprintf("%s asked you to review %q.", orSomeone(by.Email), name)
		if err := notifyTx(ctx, tx, e, "session.assigned", msg, by.ReviewLinkBase+sessionID); err != nil {
			return err
		}
	}
	return nil
}

func orSomeone(s string) string {
	if s == "" {
		return "Someone"
	}
	return s
}

const sessionCols = `s.labeling_session_id, s.review_app_id, s.experiment_id, s.mlflow_run_id, s.name, s.agent, s.enable_multi_turn_chat,
	coalesce(s.custom_inputs, ''), s.reviews_per_item, s.created_by, s.create_time, s.last_updated_by, s.last_update_time`

// SessionFilter selects sessions; empty fields do not filter.
type SessionFilter struct {
	ReviewAppID  string
	ExperimentID string
	AssignedUser string
	RunID        string
	IDs          []string
}

// FindSessions lists live sessions, oldest first, with their schemas and reviewers.
func (db *DB) FindSessions(ctx context.Context, f SessionFilter) ([]model.LabelingSession, error) {
	conds, args := []string{"s.deleted_at IS NULL"}, []any{}
	if f.ReviewAppID != "" {
		conds, args = append(conds, "s.review_app_id = ?"), append(args, f.ReviewAppID)
	}
	if f.ExperimentID != "" {
		exp, err := parseExperimentID(f.ExperimentID)
		if err != nil {
			return nil, err
		}
		conds, args = append(conds, "s.experiment_id = ?"), append(args, exp)
	}
	if f.AssignedUser != "" {
		conds = append(conds, "s.labeling_session_id IN (SELECT labeling_session_id FROM session_reviewers WHERE email = ?)")
		args = append(args, strings.ToLower(f.AssignedUser))
	}
	if f.RunID != "" {
		conds, args = append(conds, "s.mlflow_run_id = ?"), append(args, f.RunID)
	}
	if f.IDs != nil {
		conds = append(conds, "s.labeling_session_id IN ("+placeholders(len(f.IDs))+")")
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	rows, err := db.Reader.QueryContext(ctx, `SELECT `+sessionCols+` FROM labeling_sessions s WHERE `+strings.Join(conds, " AND ")+` ORDER BY s.create_time, s.labeling_session_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []model.LabelingSession{}
	for rows.Next() {
		var s model.LabelingSession
		var exp int64
		var custom string
		if err := rows.Scan(&s.LabelingSessionID, &s.ReviewAppID, &exp, &s.MLflowRunID, &s.Name, &s.Agent, &s.EnableMultiTurnChat, &custom,
			&s.ReviewsPerItem, &s.CreatedBy, &s.CreateTime, &s.LastUpdatedBy, &s.LastUpdateTime); err != nil {
			return nil, err
		}
		s.ExperimentID = strconv.FormatInt(exp, 10)
		if custom != "" {
			s.CustomInputs = json.RawMessage(custom)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		if err := db.loadSessionLists(ctx, db.Reader, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) loadSessionLists(ctx context.Context, q queryer, s *model.LabelingSession) error {
	s.LabelSchemas, s.AssignedUsers = []string{}, []string{}
	for _, l := range []struct {
		sql  string
		dest *[]string
	}{
		{`SELECT schema_name FROM session_schemas WHERE labeling_session_id = ? ORDER BY position`, &s.LabelSchemas},
		{`SELECT email FROM session_reviewers WHERE labeling_session_id = ? ORDER BY added_at, email`, &s.AssignedUsers},
	} {
		rows, err := q.QueryContext(ctx, l.sql, s.LabelingSessionID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			*l.dest = append(*l.dest, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// FindSession returns one live session.
func (db *DB) FindSession(ctx context.Context, id string) (model.LabelingSession, error) {
	ss, err := db.FindSessions(ctx, SessionFilter{IDs: []string{id}})
	if err != nil {
		return model.LabelingSession{}, err
	}
	if len(ss) == 0 {
		return model.LabelingSession{}, model.Errorf(model.ResourceDoesNotExist, "Labeling session '%s' does not exist", id)
	}
	return ss[0], nil
}

// SessionUpdate is a PATCH of a session; Mask names the fields to change.
type SessionUpdate struct {
	Mask []string
	New  SessionCreate
}

// UpdateSession applies a PATCH, keeping the run's name in step, and audits before/after.
func (db *DB) UpdateSession(ctx context.Context, id string, upd SessionUpdate, by Actor) (model.LabelingSession, error) {
	old, err := db.FindSession(ctx, id)
	if err != nil {
		return old, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		for _, f := range upd.Mask {
			switch strings.TrimSpace(snakeCase(strings.TrimSpace(f))) {
			case "name":
				if strings.TrimSpace(upd.New.Name) == "" {
					return model.Invalid("name", "name is required")
				}
				if _, err := tx.ExecContext(ctx, `UPDATE labeling_sessions SET name = ? WHERE labeling_session_id = ?`, upd.New.Name, id); err != nil {
					return err
				}
				if err := setRunTags(ctx, tx, old.MLflowRunID, []model.Tag{{Key: model.RunTagName, Value: SessionRunName(upd.New.Name)}}); err != nil {
					return err
				}
			case "assigned_users":
				users, err := NormalizeEmails("assigned_users", upd.New.AssignedUsers)
				if err != nil {
					return err
				}
				if err := setReviewersTx(ctx, tx, id, old.ExperimentID, old.Name, old.AssignedUsers, users, by); err != nil {
					return err
				}
			case "labeling_schemas", "label_schemas":
				if err := checkSchemaNames(ctx, db, tx, old.ExperimentID, upd.New.LabelSchemas); err != nil {
					return err
				}
				if err := setSessionSchemas(ctx, tx, id, upd.New.LabelSchemas); err != nil {
					return err
				}
			case "agent":
				if _, err := tx.ExecContext(ctx, `UPDATE labeling_sessions SET agent = ? WHERE labeling_session_id = ?`, upd.New.Agent, id); err != nil {
					return err
				}
			case "reviews_per_item":
				if upd.New.ReviewsPerItem < 0 {
					return model.Invalid("reviews_per_item", "must be a positive number or \"all\"")
				}
				if _, err := tx.ExecContext(ctx, `UPDATE labeling_sessions SET reviews_per_item = ? WHERE labeling_session_id = ?`, upd.New.ReviewsPerItem, id); err != nil {
					return err
				}
			case "enable_multi_turn_chat":
				if _, err := tx.ExecContext(ctx, `UPDATE labeling_sessions SET enable_multi_turn_chat = ? WHERE labeling_session_id = ?`, upd.New.EnableMultiTurnChat, id); err != nil {
					return err
				}
			case "custom_inputs", "additional_configs":
				if _, err := tx.ExecContext(ctx, `UPDATE labeling_sessions SET custom_inputs = ? WHERE labeling_session_id = ?`, nullIfEmpty(string(upd.New.CustomInputs)), id); err != nil {
					return err
				}
			case "":
			default:
				return model.Invalid("update_mask", "cannot update field %q of a labeling session", f)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE labeling_sessions SET last_updated_by = ?, last_update_time = ? WHERE labeling_session_id = ?`, by.Email, nowMs(), id); err != nil {
			return err
		}
		if err := refreshItemStatesTx(ctx, tx, id); err != nil {
			return err
		}
		next := old
		if err := db.loadSessionLists(ctx, tx, &next); err != nil {
			return err
		}
		return auditTx(ctx, tx, by.Email, "session.update", "labeling_session", id, old, map[string]any{"update_mask": upd.Mask, "new": upd.New, "assigned_users": next.AssignedUsers})
	})
	if err != nil {
		return old, err
	}
	return db.FindSession(ctx, id)
}

// DeleteSession removes a session from the Review App and marks its run deleted. Its traces,
// items and every assessment stay; reviewer grants it gave are withdrawn.
func (db *DB) DeleteSession(ctx context.Context, id string, by Actor) error {
	old, err := db.FindSession(ctx, id)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE labeling_sessions SET deleted_at = ? WHERE labeling_session_id = ?`, nowMs(), id); err != nil {
			return err
		}
		stage := model.StageDeleted
		if err := updateRunTx(ctx, tx, old.MLflowRunID, RunUpdate{LifecycleStage: &stage}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM experiment_permissions WHERE reason = 'reviewer' AND session_id = ?`, id); err != nil {
			return err
		}
		return auditTx(ctx, tx, by.Email, "session.delete", "labeling_session", id, old, nil)
	})
}
