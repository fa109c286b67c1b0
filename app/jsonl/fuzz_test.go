package jsonl_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/jsonl"
	"github.com/assay-labs/assay/app/store"
)

// FuzzImportLine feeds arbitrary input to ImportTraces. The oracle: no panic; a failure is an
// *ImportError naming real line numbers and stores nothing; a success stores every trace it
// reports, readable back with its spans.
func FuzzImportLine(f *testing.F) {
	for _, name := range []string{"mlflow_trace.jsonl", "otlp.jsonl", "records.jsonl"} {
		f.Add([]byte(fixture(f, name)))
	}
	for _, seed := range []string{
		`{"inputs": {"q": "hi"}, "outputs": "yo", "tags": {"a": "b"}, "name": "n", "expectations": {"e": [1, 2]}}`,
		`{"inputs": 1}` + "\r\n\r\n" + `{"inputs": [true, null, 1e400, -0.5]}`,
		`{"info": {"request_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "timestamp_ms": 1, "status": "OK"}, "data": {"spans": []}}`,
		`{"info": {"trace_id": "trace:/cat.schema/0123456789abcdef0123456789abcdef", "request_time": "2025-01-01T00:00:00Z", "execution_duration": "1.5s"}, "data": {"spans": []}}`,
		`{"info": {"trace_id": "tr-0123456789abcdef0123456789abcdef"}, "data": {"spans": [{"trace_id": "ASNFZ4mrze8BI0VniavN7w==", "span_id": "ASNFZ4mrze8=", "name": "x", "start_time_unix_nano": 1, "attributes": {"k": 1.5}}]}}`,
		`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718","name":"x","startTimeUnixNano":"1","attributes":[{"key":"d","value":{"doubleValue":"NaN"}}]}]}]}]}`,
		`{"inputs": `,
		`[]`,
		`null`,
		`{"info": {}, "data": {}}`,
		`{"resourceSpans": [{}]}`,
		`{"inputs": 1, "tags": {"": ""}}`,
		"\xff\xfe{}",
		"{\"inputs\": \"\xff\"}",
	} {
		f.Add([]byte(seed))
	}
	db := openDB(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		before := countAll(t, db)
		res, err := jsonl.ImportTracesLimit(ctx, db, bytes.NewReader(data), "0", 1<<20, nil)
		if err != nil {
			var ie *jsonl.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("error is not an *ImportError: %T %v", err, err)
			}
			lines := bytes.Count(data, []byte("\n")) + 1
			if ie.Total < 1 || len(ie.Lines) < 1 {
				t.Fatalf("empty ImportError %+v", ie)
			}
			for _, l := range ie.Lines {
				if l.Line < 1 || l.Line > lines || l.Err == nil || strings.TrimSpace(l.Err.Error()) == "" {
					t.Fatalf("bad line error %+v (input has %d lines)", l, lines)
				}
			}
			if after := countAll(t, db); after != before {
				t.Fatalf("a failed import stored %d traces", after-before)
			}
			return
		}
		if res.Lines > 0 && res.Traces == 0 {
			t.Fatalf("imported %d lines but no trace", res.Lines)
		}
		for _, id := range res.TraceIDs {
			info, spans := traceOf(t, db, id)
			if info.ExperimentID != "0" {
				t.Fatalf("trace %s went to experiment %s", id, info.ExperimentID)
			}
			for _, s := range spans {
				if "tr-"+s.TraceID != id {
					t.Fatalf("span %s of %s carries trace id %s", s.SpanID, id, s.TraceID)
				}
			}
		}
	})
}

// countAll is how many traces experiment 0 holds.
func countAll(t testing.TB, db *store.DB) int {
	t.Helper()
	ids, err := db.SearchTraceIDs(context.Background(), store.TraceSearch{ExperimentIDs: []string{"0"}, MaxResults: 1 << 30})
	if err != nil {
		t.Fatalf("search traces: %v", err)
	}
	return len(ids)
}
