package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/otlp"
)

// TraceIO returns a trace's inputs and outputs: its root span's mlflow.spanInputs and
// mlflow.spanOutputs as JSON ({} and null when absent).
func (db *DB) TraceIO(ctx context.Context, q queryer, traceID string) (json.RawMessage, json.RawMessage, error) {
	var content string
	err := q.QueryRowContext(ctx, `SELECT content FROM spans WHERE trace_id = ? AND parent_span_id = '' ORDER BY start_time_ns LIMIT 1`, traceID).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		return json.RawMessage(`{}`), nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var root model.Span
	if err := json.Unmarshal([]byte(content), &root); err != nil {
		return nil, nil, err
	}
	enc := func(key string) json.RawMessage {
		v, ok := otlp.AttrValue(&root, key)
		if !ok {
			return nil
		}
		b, _ := json.Marshal(v)
		return b
	}
	in := enc(model.AttrSpanInputs)
	if in == nil {
		in = json.RawMessage(`{}`)
	}
	return in, enc(model.AttrSpanOutput), nil
}

// SyncResult is what a sync did.
type SyncResult struct {
	DatasetID string `json:"dataset_id"`
	Inserted  int    `json:"inserted"`
	Updated   int    `json:"updated"`
}

// SyncSession merges a session's collected expectations into the named evaluation dataset of
// the session's experiment (created when missing; refused, listing the ids, when several share
// the name). Per trace with valid expectation assessments: the trace's inputs are the key; a
// record with the same inputs gets those expectations written over same-named ones (others
// kept); otherwise a new record (source TRACE, with the trace id and outputs) is added. Records
// with other inputs are untouched; feedback never syncs; the latest valid expectation wins.
func (db *DB) SyncSession(ctx context.Context, sessionID, datasetName string, by Actor) (SyncResult, error) {
	var res SyncResult
	if strings.TrimSpace(datasetName) == "" {
		return res, model.Invalid("dataset_name", "dataset_name is required")
	}
	sess, err := db.FindSession(ctx, sessionID)
	if err != nil {
		return res, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		datasetID, err := resolveDatasetTx(ctx, tx, sess.ExperimentID, datasetName, by.Email)
		if err != nil {
			return err
		}
		res.DatasetID = datasetID
		records, err := db.sessionRecordsTx(ctx, tx, sessionID)
		if err != nil {
			return err
		}
		res.Inserted, res.Updated, err = mergeRecordsTx(ctx, tx, datasetID, records, by.Email)
		if err != nil {
			return err
		}
		return auditTx(ctx, tx, by.Email, "session.sync", "labeling_session", sessionID, nil, res)
	})
	return res, err
}

// resolveDatasetTx finds the dataset of that name in the experiment, or creates it.
func resolveDatasetTx(ctx context.Context, tx *sql.Tx, experimentID, name, user string) (string, error) {
	exp, err := parseExperimentID(experimentID)
	if err != nil {
		return "", err
	}
	rows, err := tx.QueryContext(ctx, `SELECT d.dataset_id FROM datasets d JOIN dataset_experiments de USING (dataset_id) WHERE de.experiment_id = ? AND d.name = ? ORDER BY d.created_time`, exp, name)
	if err != nil {
		return "", err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return "", err
		}
		ids = append(ids, id)
	}
	rows.Close()
	switch len(ids) {
	case 0:
		id := "d-" + NewHexID(16)
		if err := createDatasetTx(ctx, tx, id, DatasetCreate{Name: name, ExperimentIDs: []string{experimentID}, CreatedBy: user}); err != nil {
			return "", err
		}
		return id, nil
	case 1:
		return ids[0], nil
	}
	return "", model.Invalid("dataset_name", "several datasets are named %q in experiment %s: %s; rename one or sync by id", name, experimentID, strings.Join(ids, ", "))
}

// sessionRecordsTx builds one record per session trace that has valid expectations.
func (db *DB) sessionRecordsTx(ctx context.Context, tx *sql.Tx, sessionID string) ([]RecordInput, error) {
	rows, err := tx.QueryContext(ctx, `SELECT trace_id FROM session_items WHERE labeling_session_id = ? ORDER BY position`, sessionID)
	if err != nil {
		return nil, err
	}
	var traces []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		traces = append(traces, id)
	}
	rows.Close()
	var out []RecordInput
	for _, traceID := range traces {
		as, err := db.queryAssessments(ctx, tx, `WHERE trace_id = ? AND kind = 'expectation' AND valid = 1 ORDER BY last_update_time, create_time, assessment_id`, traceID)
		if err != nil {
			return nil, err
		}
		if len(as) == 0 {
			continue
		}
		exps := map[string]json.RawMessage{}
		for _, a := range as { // ordered oldest first: the latest one wins
			exps[a.Name] = a.Value
		}
		in, outputs, err := db.TraceIO(ctx, tx, traceID)
		if err != nil {
			return nil, err
		}
		if len(in) == 0 || in[0] != '{' {
			in = json.RawMessage(`{"input": ` + string(in) + `}`) // records are keyed by an inputs object
		}
		source, _ := json.Marshal(map[string]any{"source_type": "TRACE", "source_data": map[string]string{"trace_id": traceID}})
		out = append(out, RecordInput{Inputs: in, Outputs: outputs, HasOutputs: outputs != nil, OutputsOnInsertOnly: true, Expectations: exps, Source: source})
	}
	return out, nil
}
