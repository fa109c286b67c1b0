package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/assay-labs/assay/app/model"
)

// ReviewerStats is one reviewer's progress in a session.
type ReviewerStats struct {
	Reviewer string `json:"reviewer"`
	Done     int    `json:"done"`
	// Todo counts the open items they have neither completed nor skipped.
	Todo    int `json:"todo"`
	Skipped int `json:"skipped"`
	// MedianMs is the median time_spent_ms over their completed items; nil before their first.
	MedianMs *float64 `json:"median_ms"`
}

// FindReviewerStats reports every reviewer of a session — the assigned ones and anyone else
// who reviewed an item (a manager, someone unassigned since) — in e-mail order.
func (db *DB) FindReviewerStats(ctx context.Context, sessionID string) ([]ReviewerStats, error) {
	sid := sql.Named("sid", sessionID)
	rows, err := db.Reader.QueryContext(ctx, `WITH reviewers (reviewer) AS (
			SELECT email FROM session_reviewers WHERE labeling_session_id = :sid
			UNION SELECT r.reviewer FROM item_reviews r JOIN session_items i USING (item_id) WHERE i.labeling_session_id = :sid)
		SELECT v.reviewer,
			(SELECT count(*) FROM item_reviews r JOIN session_items i USING (item_id)
				WHERE i.labeling_session_id = :sid AND r.reviewer = v.reviewer AND r.state = 'COMPLETED'),
			(SELECT count(*) FROM item_reviews r JOIN session_items i USING (item_id)
				WHERE i.labeling_session_id = :sid AND r.reviewer = v.reviewer AND r.state = 'SKIPPED'),
			(SELECT count(*) FROM session_items i WHERE i.labeling_session_id = :sid AND i.state IN ('PENDING', 'IN_PROGRESS')
				AND NOT EXISTS (SELECT 1 FROM item_reviews r WHERE r.item_id = i.item_id AND r.reviewer = v.reviewer AND r.state <> 'IN_PROGRESS'))
		FROM reviewers v ORDER BY v.reviewer`, sid)
	if err != nil {
		return nil, fmt.Errorf("reviewer stats of session %s: %w", sessionID, err)
	}
	defer rows.Close()
	out := []ReviewerStats{}
	idx := map[string]int{}
	for rows.Next() {
		var r ReviewerStats
		if err := rows.Scan(&r.Reviewer, &r.Done, &r.Skipped, &r.Todo); err != nil {
			return nil, err
		}
		idx[r.Reviewer] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	times, err := db.Reader.QueryContext(ctx, `SELECT r.reviewer, r.time_spent_ms FROM item_reviews r JOIN session_items i USING (item_id)
		WHERE i.labeling_session_id = ? AND r.state = 'COMPLETED' ORDER BY r.reviewer, r.time_spent_ms`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("review times of session %s: %w", sessionID, err)
	}
	defer times.Close()
	spent := map[string][]int64{}
	for times.Next() {
		var who string
		var ms int64
		if err := times.Scan(&who, &ms); err != nil {
			return nil, err
		}
		spent[who] = append(spent[who], ms)
	}
	if err := times.Err(); err != nil {
		return nil, err
	}
	for who, ms := range spent {
		if i, ok := idx[who]; ok {
			m := median(ms)
			out[i].MedianMs = &m
		}
	}
	return out, nil
}

// median of a sorted, non-empty list: the middle value, or the mean of the two middle ones.
func median(sorted []int64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return float64(sorted[n/2])
	}
	return float64(sorted[n/2-1]+sorted[n/2]) / 2
}

// SessionAnswer is one reviewer's current (valid) answer to one schema on one item of a session.
type SessionAnswer struct {
	ItemID   string
	Position int
	Reviewer string
	Schema   string
	Value    json.RawMessage
}

// EachSessionAnswer streams the valid human answers given in a session — the assessments whose
// metadata names the session, on the traces of its items — in item order, to fn.
func (db *DB) EachSessionAnswer(ctx context.Context, sessionID string, fn func(SessionAnswer) error) error {
	rows, err := db.Reader.QueryContext(ctx, `SELECT i.item_id, i.position, a.source_id, a.name, coalesce(a.value, 'null')
		FROM session_items i JOIN assessments a ON a.trace_id = i.trace_id
		WHERE i.labeling_session_id = :sid AND a.valid = 1 AND a.source_type = 'HUMAN'
		  AND json_extract(a.metadata, '$."`+model.MetaSessionID+`"') = :sid
		ORDER BY i.position, a.create_time, a.rowid`, sql.Named("sid", sessionID))
	if err != nil {
		return fmt.Errorf("answers of session %s: %w", sessionID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a SessionAnswer
		var value string
		if err := rows.Scan(&a.ItemID, &a.Position, &a.Reviewer, &a.Schema, &value); err != nil {
			return err
		}
		a.Value = json.RawMessage(value)
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SessionSchemas returns the label schemas answered in a session, in the session's order, with
// any other schema that has answers there (one since removed from the session) after them;
// schemas that no longer exist are left out.
func (db *DB) SessionSchemas(ctx context.Context, s model.LabelingSession, answered []string) ([]model.LabelSchema, error) {
	names := append([]string{}, s.LabelSchemas...)
	extra := []string{}
	for _, n := range answered {
		if !contains(names, n) && !contains(extra, n) {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	var out []model.LabelSchema
	for _, n := range append(names, extra...) {
		sc, err := db.FindLabelSchemaByName(ctx, s.ExperimentID, n)
		if model.ErrorCode(err) == model.ResourceDoesNotExist {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}
