package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/assay-labs/assay/app/model"
)

// requiredReviewsSQL is the number of completed reviews an item of session ?1 needs.
const requiredReviewsSQL = `(SELECT CASE WHEN s.reviews_per_item = 0
		THEN max(1, (SELECT count(*) FROM session_reviewers WHERE labeling_session_id = s.labeling_session_id))
		ELSE s.reviews_per_item END FROM labeling_sessions s WHERE s.labeling_session_id = session_items.labeling_session_id)`

// refreshItemStateSQL recomputes state and completed_reviews of the items it is applied to:
// COMPLETED with enough completed reviews; IN_PROGRESS once someone started or finished;
// SKIPPED when reviewers skipped it and no assigned reviewer is left who could still review it;
// PENDING otherwise.
const refreshItemStateSQL = `UPDATE session_items SET
	completed_reviews = (SELECT count(*) FROM item_reviews r WHERE r.item_id = session_items.item_id AND r.state = 'COMPLETED'),
	state = CASE
		WHEN (SELECT count(*) FROM item_reviews r WHERE r.item_id = session_items.item_id AND r.state = 'COMPLETED') >= ` + requiredReviewsSQL + ` THEN 'COMPLETED'
		WHEN EXISTS (SELECT 1 FROM item_reviews r WHERE r.item_id = session_items.item_id AND r.state IN ('IN_PROGRESS', 'COMPLETED')) THEN 'IN_PROGRESS'
		WHEN EXISTS (SELECT 1 FROM item_reviews r WHERE r.item_id = session_items.item_id AND r.state = 'SKIPPED')
			AND NOT EXISTS (SELECT 1 FROM session_reviewers sr WHERE sr.labeling_session_id = session_items.labeling_session_id
				AND NOT EXISTS (SELECT 1 FROM item_reviews r WHERE r.item_id = session_items.item_id AND r.reviewer = sr.email AND r.state IN ('COMPLETED', 'SKIPPED')))
			THEN 'SKIPPED'
		ELSE 'PENDING' END`

func refreshItemStateTx(ctx context.Context, tx *sql.Tx, itemID string) error {
	_, err := tx.ExecContext(ctx, refreshItemStateSQL+` WHERE item_id = ?`, itemID)
	return err
}

func refreshItemStatesTx(ctx context.Context, tx *sql.Tx, sessionID string) error {
	_, err := tx.ExecContext(ctx, refreshItemStateSQL+` WHERE labeling_session_id = ?`, sessionID)
	return err
}

// AddResult reports what adding items did.
type AddResult struct {
	Added          int `json:"added"`
	AlreadyPresent int `json:"already_present"`
	TotalItems     int `json:"total_items"`
}

// ItemSource is one thing to add to a session: a trace, optionally standing for a dataset record.
type ItemSource struct {
	TraceID         string
	DatasetID       string
	DatasetRecordID string
}

// AddItems adds traces to a session (idempotently: a trace already there is not added twice)
// and links them to the session's run, all in one transaction. Every trace must exist in the
// session's experiment.
func (db *DB) AddItems(ctx context.Context, sessionID string, sources []ItemSource, by Actor) (AddResult, error) {
	var res AddResult
	sess, err := db.FindSession(ctx, sessionID)
	if err != nil {
		return res, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = addItemsTx(ctx, tx, sess, sources, by)
		return err
	})
	return res, err
}

func addItemsTx(ctx context.Context, tx *sql.Tx, sess model.LabelingSession, sources []ItemSource, by Actor) (AddResult, error) {
	var res AddResult
	var next int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(position), -1) + 1 FROM session_items WHERE labeling_session_id = ?`, sess.LabelingSessionID).Scan(&next); err != nil {
		return res, err
	}
	exp, _ := parseExperimentID(sess.ExperimentID)
	check, err := tx.PrepareContext(ctx, `SELECT experiment_id FROM traces WHERE trace_id = ?`)
	if err != nil {
		return res, err
	}
	defer check.Close()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO session_items (item_id, labeling_session_id, trace_id, dataset_id, dataset_record_id, position, created_by, create_time, last_updated_by, last_update_time)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (labeling_session_id, trace_id) DO NOTHING`)
	if err != nil {
		return res, err
	}
	defer ins.Close()
	link, err := tx.PrepareContext(ctx, `INSERT INTO trace_runs (trace_id, run_id) VALUES (?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return res, err
	}
	defer link.Close()
	now := nowMs()
	for i, src := range sources {
		var traceExp int64
		if err := check.QueryRowContext(ctx, src.TraceID).Scan(&traceExp); err != nil {
			if err == sql.ErrNoRows {
				return res, model.Invalid(fmt.Sprintf("items[%d].source.trace_id", i), "trace %q does not exist", src.TraceID)
			}
			return res, err
		}
		if traceExp != exp {
			return res, model.Invalid(fmt.Sprintf("items[%d].source.trace_id", i), "trace %q belongs to experiment %d, not to the session's experiment %s", src.TraceID, traceExp, sess.ExperimentID)
		}
		r, err := ins.ExecContext(ctx, "it-"+NewHexID(12), sess.LabelingSessionID, src.TraceID, nullIfEmpty(src.DatasetID), nullIfEmpty(src.DatasetRecordID), next, by.Email, now, by.Email, now)
		if err != nil {
			return res, err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			res.AlreadyPresent++
			continue
		}
		if _, err := link.ExecContext(ctx, src.TraceID, sess.MLflowRunID); err != nil {
			return res, err
		}
		next++
		res.Added++
	}
	res.TotalItems = next
	return res, nil
}

const itemCols = `item_id, labeling_session_id, trace_id, coalesce(dataset_id, ''), coalesce(dataset_record_id, ''), position, state, completed_reviews,
	created_by, create_time, last_updated_by, last_update_time`

// ItemFilter selects a session's items.
type ItemFilter struct {
	State  string
	IDs    []string
	Limit  int
	Offset int
}

// FindItems lists a session's items in order, with every reviewer's review.
func (db *DB) FindItems(ctx context.Context, sessionID string, f ItemFilter) ([]model.SessionItem, error) {
	return db.findItems(ctx, db.Reader, sessionID, f)
}

func (db *DB) findItems(ctx context.Context, q queryer, sessionID string, f ItemFilter) ([]model.SessionItem, error) {
	conds, args := []string{"labeling_session_id = ?"}, []any{sessionID}
	if f.State != "" {
		st := strings.ToUpper(f.State)
		switch st {
		case model.ItemPending, model.ItemInProgress, model.ItemCompleted, model.ItemSkipped:
		default:
			return nil, model.Invalid("filter", "state must be PENDING, IN_PROGRESS, COMPLETED or SKIPPED, got %q", f.State)
		}
		conds, args = append(conds, "state = ?"), append(args, st)
	}
	if f.IDs != nil {
		conds = append(conds, "item_id IN ("+placeholders(len(f.IDs))+")")
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if f.Limit <= 0 {
		f.Limit = -1
	}
	args = append(args, f.Limit, f.Offset)
	rows, err := q.QueryContext(ctx, `SELECT `+itemCols+` FROM session_items WHERE `+strings.Join(conds, " AND ")+` ORDER BY position LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []model.SessionItem{}
	idx := map[string]int{}
	for rows.Next() {
		var it model.SessionItem
		if err := rows.Scan(&it.ItemID, &it.LabelingSessionID, &it.TraceID, &it.DatasetID, &it.DatasetRecordID, &it.Position, &it.State, &it.CompletedReviews,
			&it.CreatedBy, &it.CreateTime, &it.LastUpdatedBy, &it.LastUpdateTime); err != nil {
			return nil, err
		}
		it.Reviews = []model.ItemReview{}
		idx[it.ItemID] = len(out)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]any, 0, len(out))
	for _, it := range out {
		ids = append(ids, it.ItemID)
	}
	rrows, err := q.QueryContext(ctx, `SELECT item_id, reviewer, state, started_time, completed_time, time_spent_ms FROM item_reviews
		WHERE item_id IN (`+placeholders(len(ids))+`) ORDER BY started_time, reviewer`, ids...)
	if err != nil {
		return nil, err
	}
	defer rrows.Close()
	for rrows.Next() {
		var id string
		var r model.ItemReview
		var done sql.NullInt64
		if err := rrows.Scan(&id, &r.Reviewer, &r.State, &r.StartedTime, &done, &r.TimeSpentMs); err != nil {
			return nil, err
		}
		if done.Valid {
			r.CompletedTime = &done.Int64
		}
		out[idx[id]].Reviews = append(out[idx[id]].Reviews, r)
	}
	return out, rrows.Err()
}

// FindItem returns one item of a session.
func (db *DB) FindItem(ctx context.Context, sessionID, itemID string) (model.SessionItem, error) {
	items, err := db.FindItems(ctx, sessionID, ItemFilter{IDs: []string{itemID}})
	if err != nil {
		return model.SessionItem{}, err
	}
	if len(items) == 0 {
		return model.SessionItem{}, model.Errorf(model.ResourceDoesNotExist, "Item '%s' does not exist in labeling session '%s'", itemID, sessionID)
	}
	return items[0], nil
}

// SetItemState sets an item's state by hand (the developer's PATCH).
func (db *DB) SetItemState(ctx context.Context, sessionID, itemID, state string, by Actor) error {
	switch state {
	case model.ItemPending, model.ItemInProgress, model.ItemCompleted, model.ItemSkipped:
	default:
		return model.Invalid("state", "state must be PENDING, IN_PROGRESS, COMPLETED or SKIPPED, got %q", state)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE session_items SET state = ?, last_updated_by = ?, last_update_time = ? WHERE item_id = ? AND labeling_session_id = ?`,
			state, by.Email, nowMs(), itemID, sessionID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ResourceDoesNotExist, "Item '%s' does not exist in labeling session '%s'", itemID, sessionID)
		}
		return auditTx(ctx, tx, by.Email, "item.state", "session_item", itemID, nil, map[string]string{"state": state})
	})
}

// DeleteItem removes an item from a session; its trace and assessments stay.
func (db *DB) DeleteItem(ctx context.Context, sessionID, itemID string, by Actor) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM session_items WHERE item_id = ? AND labeling_session_id = ?`, itemID, sessionID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ResourceDoesNotExist, "Item '%s' does not exist in labeling session '%s'", itemID, sessionID)
		}
		return auditTx(ctx, tx, by.Email, "item.delete", "session_item", itemID, nil, nil)
	})
}

// SessionProgress counts a session's items by state.
type SessionProgress struct {
	Total      int `json:"total"`
	Pending    int `json:"pending"`
	InProgress int `json:"in_progress"`
	Completed  int `json:"completed"`
	Skipped    int `json:"skipped"`
}

// FindSessionProgress counts items by state.
func (db *DB) FindSessionProgress(ctx context.Context, sessionID string) (SessionProgress, error) {
	var p SessionProgress
	err := db.Reader.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(state = 'PENDING'), 0), coalesce(sum(state = 'IN_PROGRESS'), 0),
		coalesce(sum(state = 'COMPLETED'), 0), coalesce(sum(state = 'SKIPPED'), 0) FROM session_items WHERE labeling_session_id = ?`, sessionID).
		Scan(&p.Total, &p.Pending, &p.InProgress, &p.Completed, &p.Skipped)
	return p, err
}

// ItemSpan is one more than the highest item position of a session: the "of N" the Review App
// shows beside an item's number (position + 1). It equals the number of items unless items were
// deleted, and costs one index probe however large the session.
func (db *DB) ItemSpan(ctx context.Context, sessionID string) (int, error) {
	var n int
	err := db.Reader.QueryRowContext(ctx, `SELECT coalesce(max(position), -1) + 1 FROM session_items WHERE labeling_session_id = ?`, sessionID).Scan(&n)
	return n, err
}
