package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/assay-labs/assay/app/model"
)

// RecordInput is one record of a merge_records call. HasOutputs tells an absent "outputs" key
// (keep the stored outputs) from an explicit one.
type RecordInput struct {
	Inputs     json.RawMessage
	Outputs    json.RawMessage
	HasOutputs bool
	// OutputsOnInsertOnly keeps an existing record's outputs (a sync adds outputs to new
	// records only).
	OutputsOnInsertOnly bool
	Expectations        map[string]json.RawMessage
	Tags                map[string]string
	Source              json.RawMessage
}

// CanonicalJSON re-encodes a JSON value with sorted object keys and no insignificant space,
// keeping numbers exactly as written.
func CanonicalJSON(raw json.RawMessage) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v) // encoding/json sorts map keys
}

// InputHash is a record's identity: SHA-256 of its canonical inputs.
func InputHash(inputs json.RawMessage) (string, []byte, error) {
	canon, err := CanonicalJSON(inputs)
	if err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:]), canon, nil
}

// recordSource works out a record's source and its denormalised type and id, inferring HUMAN
// (has expectations) or CODE when the caller gave none, as MLflow does.
func recordSource(r RecordInput) (json.RawMessage, string, string) {
	if len(r.Source) == 0 || string(r.Source) == "null" {
		t := "CODE"
		if len(r.Expectations) > 0 {
			t = "HUMAN"
		}
		b, _ := json.Marshal(map[string]any{"source_type": t, "source_data": map[string]any{}})
		return b, t, ""
	}
	var s struct {
		SourceType string         `json:"source_type"`
		SourceData map[string]any `json:"source_data"`
	}
	_ = json.Unmarshal(r.Source, &s)
	id := ""
	for _, k := range []string{"trace_id", "source_id", "doc_uri", "name"} {
		if v, ok := s.SourceData[k].(string); ok {
			id = v
			break
		}
	}
	return r.Source, s.SourceType, id
}

// MergeRecords upserts records by their inputs: an existing record gets its expectations and
// tags dict-merged (same keys overwritten, others kept) and its outputs replaced when given; a
// new one is inserted. All records go in one transaction.
func (db *DB) MergeRecords(ctx context.Context, datasetID string, records []RecordInput, user string) (inserted, updated int, err error) {
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var e error
		inserted, updated, e = mergeRecordsTx(ctx, tx, datasetID, records, user)
		return e
	})
	return inserted, updated, err
}

func mergeRecordsTx(ctx context.Context, tx *sql.Tx, datasetID string, records []RecordInput, user string) (inserted, updated int, err error) {
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM datasets WHERE dataset_id = ?`, datasetID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return 0, 0, model.Invalid("dataset_id", "dataset '%s' does not exist", datasetID)
	} else if err != nil {
		return 0, 0, err
	}
	now := nowMs()
	for i, r := range records {
		field := fmt.Sprintf("records[%d]", i)
		if len(r.Inputs) == 0 || r.Inputs[0] != '{' {
			return 0, 0, model.Invalid(field+".inputs", "inputs is required and must be a JSON object")
		}
		hash, canon, err := InputHash(r.Inputs)
		if err != nil {
			return 0, 0, model.Invalid(field+".inputs", "inputs is not valid JSON: %v", err)
		}
		var id, expRaw, tagRaw string
		err = tx.QueryRowContext(ctx, `SELECT dataset_record_id, expectations, tags FROM dataset_records WHERE dataset_id = ? AND input_hash = ?`, datasetID, hash).Scan(&id, &expRaw, &tagRaw)
		if errors.Is(err, sql.ErrNoRows) {
			source, st, sid := recordSource(r)
			exps := marshalText(orEmptyRaw(r.Expectations))
			tags := marshalText(orEmpty(r.Tags))
			var outputs any
			if r.HasOutputs {
				outputs = string(r.Outputs)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO dataset_records (dataset_record_id, dataset_id, input_hash, inputs, outputs, expectations, tags, source_type, source_id, source, created_time, last_update_time, created_by, last_updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				"dr-"+NewHexID(16), datasetID, hash, string(canon), outputs, string(exps), string(tags), st, sid, string(source), now, now, user, user); err != nil {
				return 0, 0, err
			}
			inserted++
			continue
		}
		if err != nil {
			return 0, 0, err
		}
		exps := map[string]json.RawMessage{}
		tags := map[string]string{}
		if err := json.Unmarshal([]byte(expRaw), &exps); err != nil {
			return 0, 0, err
		}
		if err := json.Unmarshal([]byte(tagRaw), &tags); err != nil {
			return 0, 0, err
		}
		for k, v := range r.Expectations {
			exps[k] = v
		}
		for k, v := range r.Tags {
			tags[k] = v
		}
		eb, tb := marshalText(exps), marshalText(tags)
		q := `UPDATE dataset_records SET expectations = ?, tags = ?, last_update_time = ?, last_updated_by = ? WHERE dataset_record_id = ?`
		args := []any{string(eb), string(tb), now, user, id}
		if r.HasOutputs && !r.OutputsOnInsertOnly {
			q = `UPDATE dataset_records SET expectations = ?, tags = ?, last_update_time = ?, last_updated_by = ?, outputs = ? WHERE dataset_record_id = ?`
			args = []any{string(eb), string(tb), now, user, string(r.Outputs), id}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return 0, 0, err
		}
		updated++
	}
	return inserted, updated, refreshDigest(ctx, tx, datasetID, user)
}

func orEmptyRaw(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return map[string]json.RawMessage{}
	}
	return m
}

// refreshDigest recomputes a dataset's digest from its records' identities and update times.
func refreshDigest(ctx context.Context, tx *sql.Tx, datasetID, user string) error {
	var count, latest int64
	var hashes sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(max(last_update_time), 0), group_concat(input_hash, '') FROM dataset_records WHERE dataset_id = ?`, datasetID).Scan(&count, &latest, &hashes); err != nil {
		return err
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%d:%d:%s", count, latest, hashes.String))
	_, err := tx.ExecContext(ctx, `UPDATE datasets SET digest = ?, last_update_time = ?, last_updated_by = ? WHERE dataset_id = ?`, hex.EncodeToString(sum[:])[:8], nowMs(), user, datasetID)
	return err
}

const recordCols = `dataset_record_id, dataset_id, inputs, outputs, expectations, tags, source, source_type, source_id, created_time, last_update_time, created_by, last_updated_by`

// FindRecords returns one page of a dataset's records in insertion order.
func (db *DB) FindRecords(ctx context.Context, datasetID string, limit, offset int) ([]model.DatasetRecord, error) {
	rows, err := db.Reader.QueryContext(ctx, `SELECT `+recordCols+` FROM dataset_records WHERE dataset_id = ? ORDER BY created_time, rowid LIMIT ? OFFSET ?`, datasetID, limit, offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []model.DatasetRecord{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// EachRecord streams every record of a dataset to fn, in insertion order, without loading them all.
func (db *DB) EachRecord(ctx context.Context, datasetID string, fn func(model.DatasetRecord) error) error {
	rows, err := db.Reader.QueryContext(ctx, `SELECT `+recordCols+` FROM dataset_records WHERE dataset_id = ? ORDER BY created_time, rowid`, datasetID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func scanRecord(row interface{ Scan(...any) error }) (model.DatasetRecord, error) {
	var r model.DatasetRecord
	var inputs, exps, tags string
	var outputs, source sql.NullString
	if err := row.Scan(&r.DatasetRecordID, &r.DatasetID, &inputs, &outputs, &exps, &tags, &source, &r.SourceType, &r.SourceID,
		&r.CreatedTime, &r.LastUpdateTime, &r.CreatedBy, &r.LastUpdatedBy); err != nil {
		return r, err
	}
	r.Inputs = json.RawMessage(inputs)
	if outputs.Valid {
		r.Outputs = json.RawMessage(outputs.String)
	}
	if source.Valid {
		r.Source = json.RawMessage(source.String)
	}
	if err := json.Unmarshal([]byte(exps), &r.Expectations); err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(tags), &r.Tags)
}

// DeleteRecords deletes records of a dataset by id and returns how many went.
func (db *DB) DeleteRecords(ctx context.Context, datasetID string, ids []string) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		args := []any{datasetID}
		for _, id := range ids {
			args = append(args, id)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM dataset_records WHERE dataset_id = ? AND dataset_record_id IN (`+placeholders(len(ids))+`)`, args...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return refreshDigest(ctx, tx, datasetID, "")
	})
	return n, err
}

// EachRecordLine streams every record of a dataset to fn as one line of JSON (no newline), in
// insertion order. SQLite builds the line itself from the stored JSON columns, which is several
// times faster than decoding them into Go values and encoding them again (JSONL exports). The
// fields are those of a record's wire form; absent optional ones are left out.
func (db *DB) EachRecordLine(ctx context.Context, datasetID string, fn func(line []byte) error) error {
	opt := func(key, expr string) string { // ,"key":value — or nothing when value is NULL
		return `coalesce(',"` + key + `":' || ` + expr + `, '')`
	}
	str := func(col string) string { return `CASE WHEN ` + col + ` <> '' THEN json_quote(` + col + `) END` }
	lineSQL := `'{"dataset_record_id":' || json_quote(dataset_record_id) || ',"dataset_id":' || json_quote(dataset_id) || ',"inputs":' || json(inputs)` +
		` || ` + opt("outputs", "json(outputs)") + ` || ',"expectations":' || json(expectations) || ',"tags":' || json(tags)` +
		` || ` + opt("source", "json(source)") + ` || ` + opt("source_id", str("source_id")) +
		` || ` + opt("source_type", str("source_type")) + ` || ',"created_time":' || created_time || ',"last_update_time":' || last_update_time` +
		` || ` + opt("created_by", str("created_by")) + ` || ` + opt("last_updated_by", str("last_updated_by")) + ` || '}'`
	rows, err := db.Reader.QueryContext(ctx, `SELECT `+lineSQL+`
		FROM dataset_records WHERE dataset_id = ? ORDER BY created_time, rowid`, datasetID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var line sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&line); err != nil {
			return err
		}
		if err := fn(line); err != nil {
			return err
		}
	}
	return rows.Err()
}

// marshalText encodes a value as compact JSON without escaping <, > and & (as Python's json does),
// for columns that exports copy verbatim.
func marshalText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}
