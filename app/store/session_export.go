package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/assay-labs/assay/app/model"
)

// exportPage is how many items EachExportItem loads at a time: enough to keep the number of
// queries low, few enough that a session of any size is exported in bounded memory.
const exportPage = 500

// ExportAnswer is one answer in a session export: a human assessment made in the session,
// valid or overridden, so the export carries the whole history.
type ExportAnswer struct {
	Reviewer      string          `json:"reviewer"`
	Schema        string          `json:"schema"`
	SchemaVersion string          `json:"schema_version"`
	Value         json.RawMessage `json:"value"`
	Comment       string          `json:"comment"`
	Valid         bool            `json:"valid"`
	AssessmentID  string          `json:"assessment_id"`
	Overrides     string          `json:"overrides,omitempty"`
	CreatedTime   int64           `json:"created_time"`
}

// ExportReview is one reviewer's review of an item in a session export.
type ExportReview struct {
	Reviewer      string `json:"reviewer"`
	State         string `json:"state"`
	CompletedTime *int64 `json:"completed_time"`
	TimeSpentMs   int64  `json:"time_spent_ms"`
}

// ExportItem is one line of a session's JSONL export.
type ExportItem struct {
	ItemID          string          `json:"item_id"`
	Position        int             `json:"position"`
	State           string          `json:"state"`
	TraceID         string          `json:"trace_id"`
	DatasetID       string          `json:"dataset_id,omitempty"`
	DatasetRecordID string          `json:"dataset_record_id,omitempty"`
	Inputs          json.RawMessage `json:"inputs"`
	Outputs         json.RawMessage `json:"outputs"`
	Answers         []ExportAnswer  `json:"answers"`
	Reviews         []ExportReview  `json:"reviews"`
}

// EachExportItem streams a session's items in order, each with its trace's inputs and outputs,
// every answer given in the session (oldest first, overridden ones included) and every review,
// to fn. Items are read a page at a time, so memory does not grow with the session.
func (db *DB) EachExportItem(ctx context.Context, sessionID string, fn func(ExportItem) error) error {
	after, afterID := -1, ""
	for {
		items, err := db.findItemsAfter(ctx, sessionID, after, afterID)
		if err != nil {
			return fmt.Errorf("export items of session %s: %w", sessionID, err)
		}
		if len(items) == 0 {
			return nil
		}
		if err := db.loadExportDetails(ctx, sessionID, items); err != nil {
			return fmt.Errorf("export items of session %s: %w", sessionID, err)
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		after, afterID = items[len(items)-1].Position, items[len(items)-1].ItemID
	}
}

// findItemsAfter returns the next page of a session's items, in (position, item_id) order,
// after the item at (after, afterID).
func (db *DB) findItemsAfter(ctx context.Context, sessionID string, after int, afterID string) ([]ExportItem, error) {
	rows, err := db.Reader.QueryContext(ctx, `SELECT item_id, position, state, trace_id, coalesce(dataset_id, ''), coalesce(dataset_record_id, '')
		FROM session_items WHERE labeling_session_id = :sid AND (position, item_id) > (:pos, :id)
		ORDER BY position, item_id LIMIT :n`, sql.Named("sid", sessionID), sql.Named("pos", after), sql.Named("id", afterID), sql.Named("n", exportPage))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ExportItem
	for rows.Next() {
		it := ExportItem{Answers: []ExportAnswer{}, Reviews: []ExportReview{}}
		if err := rows.Scan(&it.ItemID, &it.Position, &it.State, &it.TraceID, &it.DatasetID, &it.DatasetRecordID); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// loadExportDetails fills in a page of items: trace inputs/outputs, answers and reviews.
func (db *DB) loadExportDetails(ctx context.Context, sessionID string, items []ExportItem) error {
	byItem, byTrace := map[string]int{}, map[string]int{}
	traceIDs, itemIDs := make([]any, 0, len(items)), make([]any, 0, len(items))
	for i := range items {
		it := &items[i]
		byItem[it.ItemID], byTrace[it.TraceID] = i, i
		traceIDs, itemIDs = append(traceIDs, it.TraceID), append(itemIDs, it.ItemID)
		in, out, err := db.TraceIO(ctx, db.Reader, it.TraceID)
		if err != nil {
			return err
		}
		it.Inputs, it.Outputs = in, out
		if it.Outputs == nil {
			it.Outputs = json.RawMessage("null")
		}
	}
	as, err := db.queryAssessments(ctx, db.Reader, `WHERE trace_id IN (`+placeholders(len(traceIDs))+`) AND source_type = 'HUMAN'
		AND json_extract(metadata, '$."`+model.MetaSessionID+`"') = ? ORDER BY create_time, rowid`, append(traceIDs, sessionID)...)
	if err != nil {
		return err
	}
	for _, a := range as {
		it := &items[byTrace[a.TraceID]]
		value := a.Value
		if value == nil {
			value = json.RawMessage("null")
		}
		it.Answers = append(it.Answers, ExportAnswer{Reviewer: a.SourceID, Schema: a.Name, SchemaVersion: a.Metadata[model.MetaAnswerSchemaVersion],
			Value: value, Comment: a.Rationale, Valid: a.Valid, AssessmentID: a.AssessmentID, Overrides: a.Overrides, CreatedTime: a.CreateTimeMs})
	}
	rows, err := db.Reader.QueryContext(ctx, `SELECT item_id, reviewer, state, completed_time, time_spent_ms FROM item_reviews
		WHERE item_id IN (`+placeholders(len(itemIDs))+`) ORDER BY started_time, reviewer`, itemIDs...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r ExportReview
		var done sql.NullInt64
		if err := rows.Scan(&id, &r.Reviewer, &r.State, &done, &r.TimeSpentMs); err != nil {
			return err
		}
		if done.Valid {
			r.CompletedTime = &done.Int64
		}
		items[byItem[id]].Reviews = append(items[byItem[id]].Reviews, r)
	}
	return rows.Err()
}
