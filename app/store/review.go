package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/assay-labs/assay/app/model"
)

// ReservationTime is how long the next item is held for the reviewer who was handed it.
const ReservationTime = 10 * time.Minute

// NextItem hands a reviewer the first item, in session order, that they have not done and that
// still needs reviews (counting other reviewers' live reservations), and reserves it for them.
// An item they were handed before and did not finish comes first. It returns "" when nothing is
// left for them.
func (db *DB) NextItem(ctx context.Context, sessionID, reviewer string) (string, error) {
	var itemID string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := nowMs()
		// Resume my own unfinished item when its slot is still free.
		// CROSS JOIN starts from the reviewer's own open reservations (item_reviews_open): the
		// session may hold 100k items, the reviewer has one or two open.
		rows, err := tx.QueryContext(ctx, `SELECT i.item_id FROM item_reviews r CROSS JOIN session_items i ON i.item_id = r.item_id
			WHERE r.reviewer = ? AND r.state = 'IN_PROGRESS' AND i.labeling_session_id = ? AND i.state IN ('PENDING', 'IN_PROGRESS')
			ORDER BY i.position`, reviewer, sessionID)
		if err != nil {
			return err
		}
		var mine []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			mine = append(mine, id)
		}
		rows.Close()
		for _, id := range mine {
			var free bool
			if err := tx.QueryRowContext(ctx, `SELECT completed_reviews + (SELECT count(*) FROM item_reviews r WHERE r.item_id = session_items.item_id
				AND r.reviewer <> ? AND r.state = 'IN_PROGRESS' AND r.reserved_until > ?) < `+requiredReviewsSQL+` FROM session_items WHERE item_id = ?`,
				reviewer, now, id).Scan(&free); err != nil {
				return err
			}
			if free {
				itemID = id
				return reserveTx(ctx, tx, id, reviewer, now)
			}
			// Others finished it meanwhile: let it go.
			if _, err := tx.ExecContext(ctx, `DELETE FROM item_reviews WHERE item_id = ? AND reviewer = ? AND state = 'IN_PROGRESS'`, id, reviewer); err != nil {
				return err
			}
			if err := refreshItemStateTx(ctx, tx, id); err != nil {
				return err
			}
		}
		err = tx.QueryRowContext(ctx, `SELECT item_id FROM session_items
			WHERE labeling_session_id = ? AND state IN ('PENDING', 'IN_PROGRESS')
			  AND NOT EXISTS (SELECT 1 FROM item_reviews r WHERE r.item_id = session_items.item_id AND r.reviewer = ?)
			  AND completed_reviews + (SELECT count(*) FROM item_reviews r WHERE r.item_id = session_items.item_id AND r.state = 'IN_PROGRESS' AND r.reserved_until > ?)
			      < `+requiredReviewsSQL+`
			ORDER BY position LIMIT 1`, sessionID, reviewer, now).Scan(&itemID)
		if errors.Is(err, sql.ErrNoRows) {
			itemID = ""
			return nil
		}
		if err != nil {
			return err
		}
		return reserveTx(ctx, tx, itemID, reviewer, now)
	})
	return itemID, err
}

// reserveTx starts (or renews) a reviewer's review of an item.
func reserveTx(ctx context.Context, tx *sql.Tx, itemID, reviewer string, now int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO item_reviews (item_id, reviewer, state, reserved_until, started_time) VALUES (?, ?, 'IN_PROGRESS', ?, ?)
		ON CONFLICT (item_id, reviewer) DO UPDATE SET reserved_until = excluded.reserved_until WHERE item_reviews.state = 'IN_PROGRESS'`,
		itemID, reviewer, now+ReservationTime.Milliseconds(), now); err != nil {
		return err
	}
	return refreshItemStateTx(ctx, tx, itemID)
}

// MaxTimeSpentMs is the most time one submission may report (30 days).
const MaxTimeSpentMs = 30 * 24 * 60 * 60 * 1000

// Submission is one reviewer's answers to one item.
type Submission struct {
	SessionID   string
	ItemID      string
	Reviewer    string
	Answers     map[string]model.Answer
	TimeSpentMs int64
}

// Submit validates every answer against its schema and, only if all are valid, writes one
// assessment per answer on the item's trace (overriding the reviewer's own earlier answer, whose
// history is kept) and marks the reviewer's review COMPLETED — all in one transaction.
func (db *DB) Submit(ctx context.Context, sub Submission) (model.SessionItem, error) {
	sess, err := db.FindSession(ctx, sub.SessionID)
	if err != nil {
		return model.SessionItem{}, err
	}
	if len(sub.Answers) == 0 {
		return model.SessionItem{}, model.Invalid("answers", "answer at least one question")
	}
	if sub.TimeSpentMs > MaxTimeSpentMs {
		// Unbounded, two submits could overflow the reviewer's running total, which SQLite then
		// stores as a REAL that no later read of the item can scan.
		return model.SessionItem{}, model.Invalid("time_spent_ms", "must be at most %d (30 days), got %d", int64(MaxTimeSpentMs), sub.TimeSpentMs)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		items, err := db.findItems(ctx, tx, sess.LabelingSessionID, ItemFilter{IDs: []string{sub.ItemID}})
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return model.Errorf(model.ResourceDoesNotExist, "Item '%s' does not exist in labeling session '%s'", sub.ItemID, sub.SessionID)
		}
		item := items[0]
		var mine string
		for _, r := range item.Reviews {
			if r.Reviewer == sub.Reviewer {
				mine = r.State
			}
		}
		if mine != model.ItemCompleted && item.CompletedReviews >= requiredFor(sess) {
			return model.Errorf(model.InvalidParameterValue, "item '%s' already has the %d review(s) it needs", item.ItemID, requiredFor(sess))
		}
		assessments, err := db.answerAssessments(ctx, tx, sess, item, sub)
		if err != nil {
			return err
		}
		for _, a := range assessments {
			if _, err := createAssessmentTx(ctx, tx, a); err != nil {
				return err
			}
			if a.Overrides != "" {
				if err := auditTx(ctx, tx, sub.Reviewer, "assessment.override", "assessment", a.Overrides, nil, map[string]any{"name": a.Name, "value": a.Value, "trace_id": a.TraceID}); err != nil {
					return err
				}
			}
		}
		now := nowMs()
		if _, err := tx.ExecContext(ctx, `INSERT INTO item_reviews (item_id, reviewer, state, started_time, completed_time, time_spent_ms) VALUES (?, ?, 'COMPLETED', ?, ?, ?)
			ON CONFLICT (item_id, reviewer) DO UPDATE SET state = 'COMPLETED', completed_time = excluded.completed_time, reserved_until = 0,
				time_spent_ms = item_reviews.time_spent_ms + excluded.time_spent_ms`, item.ItemID, sub.Reviewer, now, now, max(0, sub.TimeSpentMs)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE session_items SET last_updated_by = ?, last_update_time = ? WHERE item_id = ?`, sub.Reviewer, now, item.ItemID); err != nil {
			return err
		}
		return refreshItemStateTx(ctx, tx, item.ItemID)
	})
	if err != nil {
		return model.SessionItem{}, err
	}
	return db.FindItem(ctx, sub.SessionID, sub.ItemID)
}

func requiredFor(s model.LabelingSession) int { return s.RequiredReviews() }

// answerAssessments turns a submission into assessments, validating every answer first.
func (db *DB) answerAssessments(ctx context.Context, tx *sql.Tx, sess model.LabelingSession, item model.SessionItem, sub Submission) ([]model.Assessment, error) {
	names := make([]string, 0, len(sub.Answers))
	for n := range sub.Answers {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []model.Assessment
	for _, name := range names {
		ans := sub.Answers[name]
		field := "answers." + name
		if !contains(sess.LabelSchemas, name) {
			return nil, model.Invalid(field, "%q is not a question of this session", name)
		}
		schema, err := findSchemaByName(ctx, db, tx, sess.ExperimentID, name)
		if err != nil {
			return nil, model.Invalid(field, "label schema %q no longer exists", name)
		}
		value, err := schema.Input.ValidateAnswer(field+".value", ans.Value)
		if err != nil {
			return nil, err
		}
		if ans.Comment != "" && !schema.EnableComment {
			return nil, model.Invalid(field+".comment", "comments are not enabled for %q", name)
		}
		kind := model.KindFeedback
		if schema.Type == model.SchemaExpectation {
			kind = model.KindExpectation
		}
		var prev string
		err = tx.QueryRowContext(ctx, `SELECT assessment_id FROM assessments WHERE trace_id = ? AND name = ? AND source_type = 'HUMAN' AND source_id = ? AND valid = 1
			AND json_extract(metadata, '$."`+model.MetaSessionID+`"') = ? ORDER BY create_time DESC LIMIT 1`, item.TraceID, name, sub.Reviewer, sess.LabelingSessionID).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		out = append(out, model.Assessment{
			TraceID: item.TraceID, Name: name, Kind: kind, SourceType: "HUMAN", SourceID: sub.Reviewer, Value: value, Rationale: ans.Comment,
			Overrides: prev, Metadata: map[string]string{
				model.MetaSessionID: sess.LabelingSessionID, model.MetaItemID: item.ItemID, model.MetaSchemaID: schema.SchemaID,
				model.MetaAnswerSchemaVersion: fmt.Sprint(schema.Version), "mlflow.assessmentSourceRunId": sess.MLflowRunID,
			},
		})
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Skip records that a reviewer skipped an item.
func (db *DB) Skip(ctx context.Context, sessionID, itemID, reviewer string) (model.SessionItem, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var state string
		err := tx.QueryRowContext(ctx, `SELECT state FROM session_items WHERE item_id = ? AND labeling_session_id = ?`, itemID, sessionID).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return model.Errorf(model.ResourceDoesNotExist, "Item '%s' does not exist in labeling session '%s'", itemID, sessionID)
		}
		if err != nil {
			return err
		}
		now := nowMs()
		if _, err := tx.ExecContext(ctx, `INSERT INTO item_reviews (item_id, reviewer, state, started_time, completed_time) VALUES (?, ?, 'SKIPPED', ?, ?)
			ON CONFLICT (item_id, reviewer) DO UPDATE SET state = 'SKIPPED', completed_time = excluded.completed_time, reserved_until = 0
			WHERE item_reviews.state <> 'COMPLETED'`, itemID, reviewer, now, now); err != nil {
			return err
		}
		return refreshItemStateTx(ctx, tx, itemID)
	})
	if err != nil {
		return model.SessionItem{}, err
	}
	return db.FindItem(ctx, sessionID, itemID)
}

// MyAnswers returns a reviewer's current (valid) answers on an item, by schema name.
func (db *DB) MyAnswers(ctx context.Context, sessionID string, item model.SessionItem, reviewer string) (map[string]model.Assessment, error) {
	as, err := db.queryAssessments(ctx, db.Reader, `WHERE trace_id = ? AND source_type = 'HUMAN' AND source_id = ? AND valid = 1
		AND json_extract(metadata, '$."`+model.MetaSessionID+`"') = ? ORDER BY create_time`, item.TraceID, reviewer, sessionID)
	if err != nil {
		return nil, err
	}
	out := map[string]model.Assessment{}
	for _, a := range as {
		out[a.Name] = a
	}
	return out, nil
}

// ReviewerProgress is one reviewer's standing in one session.
type ReviewerProgress struct {
	Done      int `json:"done"`
	Skipped   int `json:"skipped"`
	Total     int `json:"total"`
	Remaining int `json:"remaining"`
}

// MyProgress counts a reviewer's work in a session; Remaining counts items still open to them.
func (db *DB) MyProgress(ctx context.Context, sessionID, reviewer string) (ReviewerProgress, error) {
	var p ReviewerProgress
	err := db.Reader.QueryRowContext(ctx, `SELECT count(*),
		coalesce(sum(EXISTS (SELECT 1 FROM item_reviews r WHERE r.item_id = i.item_id AND r.reviewer = ? AND r.state = 'COMPLETED')), 0),
		coalesce(sum(EXISTS (SELECT 1 FROM item_reviews r WHERE r.item_id = i.item_id AND r.reviewer = ? AND r.state = 'SKIPPED')), 0),
		coalesce(sum(i.state IN ('PENDING', 'IN_PROGRESS') AND NOT EXISTS (SELECT 1 FROM item_reviews r WHERE r.item_id = i.item_id AND r.reviewer = ? AND r.state <> 'IN_PROGRESS')), 0)
		FROM session_items i WHERE i.labeling_session_id = ?`, reviewer, reviewer, reviewer, sessionID).Scan(&p.Total, &p.Done, &p.Skipped, &p.Remaining)
	return p, err
}

// MyItem is an item as one reviewer sees it in the item list (to go back to earlier ones).
type MyItem struct {
	ItemID   string `json:"item_id"`
	Position int    `json:"position"`
	State    string `json:"state"`
	MyState  string `json:"my_state"`
}

// MyItems lists the items a reviewer has touched, in session order.
func (db *DB) MyItems(ctx context.Context, sessionID, reviewer string) ([]MyItem, error) {
	rows, err := db.Reader.QueryContext(ctx, `SELECT i.item_id, i.position, i.state, r.state FROM session_items i JOIN item_reviews r ON r.item_id = i.item_id AND r.reviewer = ?
		WHERE i.labeling_session_id = ? ORDER BY i.position`, reviewer, sessionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []MyItem{}
	for rows.Next() {
		var m MyItem
		if err := rows.Scan(&m.ItemID, &m.Position, &m.State, &m.MyState); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
