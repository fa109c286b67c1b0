package jsonl_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/jsonl"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// newDataset creates a dataset in the experiments given and merges records into it.
func newDataset(t testing.TB, db *store.DB, name string, exps []string, recs ...store.RecordInput) model.Dataset {
	t.Helper()
	ctx := context.Background()
	d, err := db.CreateDataset(ctx, store.DatasetCreate{Name: name, ExperimentIDs: exps})
	if err != nil {
		t.Fatalf("create dataset: %v", err)
	}
	if len(recs) > 0 {
		if _, _, err := db.MergeRecords(ctx, d.DatasetID, recs, "tester"); err != nil {
			t.Fatalf("merge records: %v", err)
		}
	}
	return d
}

// TestExportDataset writes one line per record, byte for byte, in insertion order: inputs,
// outputs and expectations exactly as stored (the store's canonical inputs escape "<" as
// \u003c), and the other strings with HTML characters and non-ASCII text unescaped, as
// Python's json.dumps writes them.
func TestExportDataset(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	d := newDataset(t, db, "golden", []string{"0"},
		store.RecordInput{Inputs: json.RawMessage(`{"q": "a < b & c", "lang": "pt"}`), Outputs: json.RawMessage(`"sim"`), HasOutputs: true,
			Expectations: map[string]json.RawMessage{"expected_response": json.RawMessage(`"é verdade"`)}, Tags: map[string]string{"split": "dev<1>"}},
		store.RecordInput{Inputs: json.RawMessage(`{"q": "second"}`)},
	)
	recs, err := db.FindRecords(ctx, d.DatasetID, 10, 0)
	if err != nil || len(recs) != 2 {
		t.Fatalf("find records: %d, %v", len(recs), err)
	}
	r0, r1 := recs[0], recs[1]
	want := fmt.Sprintf(`{"dataset_record_id":"%s","dataset_id":"%s","inputs":{"lang":"pt","q":"a \u003c b \u0026 c"},"outputs":"sim","expectations":{"expected_response":"é verdade"},"tags":{"split":"dev<1>"},"source":{"source_data":{},"source_type":"HUMAN"},"source_type":"HUMAN","created_time":%d,"last_update_time":%d,"created_by":"tester","last_updated_by":"tester"}`+"\n",
		r0.DatasetRecordID, d.DatasetID, r0.CreatedTime, r0.LastUpdateTime) +
		fmt.Sprintf(`{"dataset_record_id":"%s","dataset_id":"%s","inputs":{"q":"second"},"expectations":{},"tags":{},"source":{"source_data":{},"source_type":"CODE"},"source_type":"CODE","created_time":%d,"last_update_time":%d,"created_by":"tester","last_updated_by":"tester"}`+"\n",
			r1.DatasetRecordID, d.DatasetID, r1.CreatedTime, r1.LastUpdateTime)

	var buf bytes.Buffer
	var lastN int
	var lastBytes int64
	n, err := jsonl.ExportDataset(ctx, db, d.DatasetID, &buf, func(records int, b int64) { lastN, lastBytes = records, b })
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "records", n, 2)
	wantEq(t, "progress records", lastN, 2)
	wantEq(t, "progress bytes", lastBytes, int64(buf.Len()))
	gotLines, wantLines := strings.SplitAfter(buf.String(), "\n"), strings.SplitAfter(want, "\n")
	for i := range max(len(gotLines), len(wantLines)) {
		var g, w string
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if g != w {
			t.Errorf("line %d:\ngot  %s\nwant %s", i+1, g, w)
		}
	}

	// Each line reads back as the record MLflow's DatasetRecord.from_dict would see.
	var back struct {
		Inputs       map[string]string          `json:"inputs"`
		Expectations map[string]json.RawMessage `json:"expectations"`
	}
	if err := json.Unmarshal([]byte(gotLines[0]), &back); err != nil {
		t.Fatal(err)
	}
	wantEq(t, "inputs.q", back.Inputs["q"], "a < b & c")

	buf.Reset()
	empty := newDataset(t, db, "empty", []string{"0"})
	if n, err := jsonl.ExportDataset(ctx, db, empty.DatasetID, &buf, nil); err != nil || n != 0 || buf.Len() != 0 {
		t.Errorf("empty dataset: %d records, %d bytes, err %v; want nothing", n, buf.Len(), err)
	}
}

// TestExportRoundTrip: an exported dataset imports back as plain-record traces.
func TestExportRoundTrip(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	d := newDataset(t, db, "rt", []string{"0"},
		store.RecordInput{Inputs: json.RawMessage(`{"q": "one"}`), Outputs: json.RawMessage(`{"a": 1}`), HasOutputs: true, Tags: map[string]string{"k": "v"},
			Expectations: map[string]json.RawMessage{"expected_facts": json.RawMessage(`["x", "y"]`)}},
		store.RecordInput{Inputs: json.RawMessage(`{"q": "two"}`)})
	var buf bytes.Buffer
	if _, err := jsonl.ExportDataset(ctx, db, d.DatasetID, &buf, nil); err != nil {
		t.Fatal(err)
	}
	res := mustImport(t, db, "0", buf.String())
	wantEq(t, "traces", res.Traces, 2)
	info, spans := traceOf(t, db, res.TraceIDs[0])
	wantEq(t, "inputs", attr(t, spans[0], model.AttrSpanInputs), `{"q":"one"}`)
	wantEq(t, "outputs", attr(t, spans[0], model.AttrSpanOutput), `{"a":1}`)
	wantEq(t, "tag", info.Tags["k"], "v")
	if len(info.Assessments) != 1 || string(info.Assessments[0].Value) != `["x","y"]` {
		t.Errorf("assessments = %+v, want the expected_facts expectation", info.Assessments)
	}
}

// TestResolveDataset finds datasets by id and by name, and refuses an ambiguous name.
func TestResolveDataset(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	exp := newExperiment(t, db, "second")
	a := newDataset(t, db, "shared", []string{"0"})
	b := newDataset(t, db, "shared", []string{exp})
	only := newDataset(t, db, "only", []string{"0"})
	odd := newDataset(t, db, "d-not-an-id", []string{"0"})

	for _, tc := range []struct {
		name, arg, exp, wantID, wantCode, wantMsg string
	}{
		{"by id", b.DatasetID, "", b.DatasetID, "", ""},
		{"by name", "only", "", only.DatasetID, "", ""},
		{"name that looks like an id", "d-not-an-id", "", odd.DatasetID, "", ""},
		{"ambiguous name", "shared", "", "", model.InvalidParameterValue, a.DatasetID},
		{"name within an experiment", "shared", exp, b.DatasetID, "", ""},
		{"unknown", "nope", "", "", model.ResourceDoesNotExist, `"nope"`},
		{"unknown id", "d-0000", "", "", model.ResourceDoesNotExist, "d-0000"},
		{"name in the wrong experiment", "only", exp, "", model.ResourceDoesNotExist, "in experiment " + exp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := jsonl.ResolveDataset(ctx, db, tc.arg, tc.exp)
			if tc.wantCode != "" {
				wantEq(t, "error code", model.ErrorCode(err), tc.wantCode)
				if err == nil || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Errorf("error = %v, want it to mention %s", err, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantEq(t, "dataset", d.DatasetID, tc.wantID)
		})
	}
	_, err := jsonl.ResolveDataset(ctx, db, "shared", "")
	if err == nil || !strings.Contains(err.Error(), b.DatasetID) {
		t.Errorf("ambiguous error = %v, want it to list %s too", err, b.DatasetID)
	}
}
