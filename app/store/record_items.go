package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/assay-labs/assay/app/model"
)

// AddRecordItems adds dataset records to a session. Answers are assessments on traces, so each
// record is first given a one-span trace in the session's experiment (inputs and outputs of the
// record, tagged with its dataset and record id); a record already in the session is not added
// twice. recordIDs nil means every record of the dataset. One transaction.
func (db *DB) AddRecordItems(ctx context.Context, sessionID, datasetID string, recordIDs []string, by Actor) (AddResult, error) {
	var res AddResult
	sess, err := db.FindSession(ctx, sessionID)
	if err != nil {
		return res, err
	}
	if _, err := db.FindDatasetByID(ctx, datasetID); err != nil {
		return res, err
	}
	var recs []model.DatasetRecord
	if recordIDs == nil {
		err = db.EachRecord(ctx, datasetID, func(r model.DatasetRecord) error { recs = append(recs, r); return nil })
	} else {
		recs, err = db.findRecordsByID(ctx, datasetID, recordIDs)
	}
	if err != nil {
		return res, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		exp, _ := parseExperimentID(sess.ExperimentID)
		var sources []ItemSource
		for _, r := range recs {
			var existing string
			err := tx.QueryRowContext(ctx, `SELECT item_id FROM session_items WHERE labeling_session_id = ? AND dataset_record_id = ?`, sessionID, r.DatasetRecordID).Scan(&existing)
			if err == nil {
				res.AlreadyPresent++
				continue
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			span, err := recordSpan(r)
			if err != nil {
				return err
			}
			ids, err := logSpansTx(ctx, tx, exp, []model.Span{span})
			if err != nil {
				return err
			}
			if err := writeTraceKV(ctx, tx, ids[0], map[string]string{"assay.dataset_id": datasetID, "assay.dataset_record_id": r.DatasetRecordID}, nil); err != nil {
				return err
			}
			sources = append(sources, ItemSource{TraceID: ids[0], DatasetID: datasetID, DatasetRecordID: r.DatasetRecordID})
		}
		added, err := addItemsTx(ctx, tx, sess, sources, by)
		res.Added, res.TotalItems = added.Added, added.TotalItems
		return err
	})
	return res, err
}

func (db *DB) findRecordsByID(ctx context.Context, datasetID string, ids []string) ([]model.DatasetRecord, error) {
	if len(ids) == 0 {
		return nil, model.Invalid("record_ids", "give at least one record id, or leave record_ids out to add every record")
	}
	args := []any{datasetID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := db.Reader.QueryContext(ctx, `SELECT `+recordCols+` FROM dataset_records WHERE dataset_id = ? AND dataset_record_id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := map[string]model.DatasetRecord{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		found[r.DatasetRecordID] = r
	}
	out := make([]model.DatasetRecord, 0, len(ids))
	for i, id := range ids {
		r, ok := found[id]
		if !ok {
			return nil, model.Invalid(fmt.Sprintf("record_ids[%d]", i), "record %q is not in dataset %s", id, datasetID)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// recordSpan is the one span of the trace that carries a dataset record into a session.
func recordSpan(r model.DatasetRecord) (model.Span, error) {
	var inputs, outputs any
	if err := json.Unmarshal(r.Inputs, &inputs); err != nil {
		return model.Span{}, err
	}
	attrs := map[string]any{model.AttrSpanType: "CHAIN", model.AttrSpanInputs: inputs}
	if len(r.Outputs) > 0 {
		if err := json.Unmarshal(r.Outputs, &outputs); err != nil {
			return model.Span{}, err
		}
		attrs[model.AttrSpanOutput] = outputs
	}
	now := nowMs() * 1e6
	return model.Span{TraceID: NewHexID(16), SpanID: NewHexID(8), Name: "dataset_record", StartTimeNs: now, EndTimeNs: now,
		StatusCode: model.StatusOK, Attributes: attrs, Kind: strings.ToUpper("SPAN_KIND_INTERNAL")}, nil
}
