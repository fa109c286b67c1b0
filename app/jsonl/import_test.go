package jsonl_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/assay-labs/assay/app/jsonl"
	"github.com/assay-labs/assay/app/model"
)

// TestImportMLflowTrace imports a line written by MLflow 3.18's Trace.to_json() (generated
// with the real mlflow package) into an experiment other than the one the file names.
func TestImportMLflowTrace(t *testing.T) {
	db := openDB(t)
	exp := newExperiment(t, db, "imported")
	res := mustImport(t, db, exp, fixture(t, "mlflow_trace.jsonl"))
	const id = "tr-54a87c9ac9eb7deb7841c143e46616a3"
	if diff := cmp.Diff(jsonl.ImportResult{Lines: 1, Traces: 1, Spans: 2, TraceIDs: []string{id}}, res); diff != "" {
		t.Fatalf("result (-want +got):\n%s", diff)
	}
	info, spans := traceOf(t, db, id)
	wantEq(t, "experiment", info.ExperimentID, exp)
	wantEq(t, "request time", info.RequestTimeMs, time.Date(2026, 11, 26, 1, 7, 25, 641e6, time.UTC).UnixMilli())
	wantEq(t, "duration", info.ExecutionDurationMs, 55)
	wantEq(t, "state", info.State, model.TraceOK)
	wantEq(t, "request preview", info.RequestPreview, `{"question": "what is life?"}`)
	wantEq(t, "response preview", info.ResponsePreview, `{"answer": "42", "n": 1}`)
	for k, v := range map[string]string{"test_tag": "C001", "dotted.key": "v", model.TagTraceName: "answer", model.TagSpansLocation: model.SpansInStore} {
		wantEq(t, "tag "+k, info.Tags[k], v)
	}
	if v, ok := info.Tags["mlflow.artifactLocation"]; ok {
		t.Errorf("tag mlflow.artifactLocation = %q: the source server's artifact path must not be copied", v)
	}
	wantEq(t, "metadata mlflow.trace.session", info.Metadata["mlflow.trace.session"], "s1")
	wantEq(t, "metadata mlflow.source.name", info.Metadata["mlflow.source.name"], "gen.py")

	if len(spans) != 2 {
		t.Fatalf("got %d spans, want 2", len(spans))
	}
	root, child := spanNamed(t, spans, "answer"), spanNamed(t, spans, "retrieve")
	wantEq(t, "root parent", root.ParentSpanID, "")
	wantEq(t, "child parent", child.ParentSpanID, root.SpanID)
	wantEq(t, "root inputs", attr(t, root, model.AttrSpanInputs), `{"question":"what is life?"}`)
	wantEq(t, "root outputs", attr(t, root, model.AttrSpanOutput), `{"answer":"42","n":1}`)
	wantEq(t, "child type", attr(t, child, model.AttrSpanType), `"RETRIEVER"`)
	wantEq(t, "child trace request id", attr(t, child, model.AttrTraceID), `"`+id+`"`)
	wantEq(t, "root start", root.StartTimeNs, 1795655245641763181)

	// Importing the same file again replaces the trace instead of duplicating it.
	mustImport(t, db, exp, fixture(t, "mlflow_trace.jsonl"))
	wantEq(t, "traces after a second import", countTraces(t, db, exp), 1)
}

// TestImportMLflowTraceV2 reads MLflow 2's to_json(): TraceInfo v2 ("request_id", "status",
// "timestamp_ms", "request_metadata") and v2 span dicts whose OpenTelemetry trace id differs
// from the request id; the spans are filed under the request id, as MLflow does.
func TestImportMLflowTraceV2(t *testing.T) {
	db := openDB(t)
	line := `{"info": {"request_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "experiment_id": "7", "timestamp_ms": 1700000000000, "execution_time_ms": 1500, "status": "ERROR", "request_metadata": {"mlflow.sourceRun": "abc"}, "tags": {"team": "search"}},` +
		` "data": {"spans": [{"name": "root", "context": {"span_id": "0x00000000000000aa", "trace_id": "0x000000000000000000000000000000bb"}, "parent_id": null, "start_time": 1700000000000000000, "end_time": 1700000001500000000, "status_code": "ERROR", "status_message": "boom", "attributes": {"mlflow.spanType": "\"CHAIN\"", "mlflow.spanInputs": "{\"x\": 1}"}, "events": []}]}}`
	res := mustImport(t, db, "0", line)
	const id = "tr-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	wantEq(t, "trace id", res.TraceIDs[0], id)
	info, spans := traceOf(t, db, id)
	wantEq(t, "experiment", info.ExperimentID, "0")
	wantEq(t, "state", info.State, model.TraceError)
	wantEq(t, "request time", info.RequestTimeMs, 1700000000000)
	wantEq(t, "duration", info.ExecutionDurationMs, 1500)
	wantEq(t, "tag team", info.Tags["team"], "search")
	wantEq(t, "metadata mlflow.sourceRun", info.Metadata["mlflow.sourceRun"], "abc")
	if len(spans) != 1 {
		t.Fatalf("got %d spans, want 1", len(spans))
	}
	wantEq(t, "span trace id", spans[0].TraceID, "0f1e2d3c4b5a69788796a5b4c3d2e1f0")
	wantEq(t, "span inputs", attr(t, spans[0], model.AttrSpanInputs), `{"x":1}`)
}

// TestImportOTLPLine imports an OTLP/JSON export with OpenInference attributes: Normalize
// turns them into MLflow's inputs, outputs and span type.
func TestImportOTLPLine(t *testing.T) {
	db := openDB(t)
	res := mustImport(t, db, "0", fixture(t, "otlp.jsonl"))
	const id = "tr-5b8efff798038103d269b633813fc60c"
	if diff := cmp.Diff(jsonl.ImportResult{Lines: 1, Traces: 1, Spans: 2, TraceIDs: []string{id}}, res); diff != "" {
		t.Fatalf("result (-want +got):\n%s", diff)
	}
	info, spans := traceOf(t, db, id)
	root := spanNamed(t, spans, "chat")
	wantEq(t, "span type", attr(t, root, model.AttrSpanType), `"LLM"`)
	wantEq(t, "inputs", attr(t, root, model.AttrSpanInputs), `{"question":"hi"}`)
	wantEq(t, "outputs", attr(t, root, model.AttrSpanOutput), `"hello"`)
	wantEq(t, "trace name", info.Tags[model.TagTraceName], "chat")
	wantEq(t, "state", info.State, model.TraceOK)
	wantEq(t, "duration", info.ExecutionDurationMs, 1000)
}

// TestImportPlainRecords turns {"inputs", "outputs", "tags", "name", "expectations"} lines into
// one-span traces.
func TestImportPlainRecords(t *testing.T) {
	db := openDB(t)
	res := mustImport(t, db, "0", fixture(t, "records.jsonl"))
	if res.Lines != 2 || res.Traces != 2 || res.Spans != 2 {
		t.Fatalf("result = %+v, want 2 lines, 2 traces, 2 spans", res)
	}

	info, spans := traceOf(t, db, res.TraceIDs[0])
	if len(spans) != 1 {
		t.Fatalf("got %d spans, want 1", len(spans))
	}
	s := spans[0]
	wantEq(t, "name", s.Name, "qa")
	wantEq(t, "root", s.ParentSpanID, "")
	wantEq(t, "span type", attr(t, s, model.AttrSpanType), `"CHAIN"`)
	wantEq(t, "raw inputs", s.Attributes[model.AttrSpanInputs].(string), `{"question":"What is MLflow?"}`)
	wantEq(t, "outputs", attr(t, s, model.AttrSpanOutput), `{"answer":"A platform"}`)
	wantEq(t, "tag source", info.Tags["source"], "faq")
	wantEq(t, "trace name", info.Tags[model.TagTraceName], "qa")
	wantEq(t, "state", info.State, model.TraceOK)
	wantEq(t, "request preview", info.RequestPreview, `{"question":"What is MLflow?"}`)
	if len(info.Assessments) != 1 {
		t.Fatalf("got %d assessments, want 1 expectation", len(info.Assessments))
	}
	a := info.Assessments[0]
	wantEq(t, "expectation name", a.Name, "expected_response")
	wantEq(t, "expectation kind", a.Kind, model.KindExpectation)
	wantEq(t, "expectation value", string(a.Value), `"An open source platform"`)
	wantEq(t, "expectation source", a.SourceType, "HUMAN")

	_, spans = traceOf(t, db, res.TraceIDs[1])
	wantEq(t, "default name", spans[0].Name, jsonl.DefaultSpanName)
	wantEq(t, "string inputs", attr(t, spans[0], model.AttrSpanInputs), `"just a string"`)
	wantEq(t, "number outputs", attr(t, spans[0], model.AttrSpanOutput), `42`)
}

// TestImportLineEnds: blank lines, CRLF, a byte-order mark and a missing final newline are all
// fine, and line numbers count every physical line.
func TestImportLineEnds(t *testing.T) {
	db := openDB(t)
	text := "\uFEFF{\"inputs\": 1}\r\n\r\n   \n{\"inputs\": 2}\r\n\n{\"inputs\": 3}"
	var calls, lastLines int
	var lastBytes int64
	res, err := jsonl.ImportTraces(context.Background(), db, strings.NewReader(text), "0", func(lines int, n int64) {
		calls++
		lastLines, lastBytes = lines, n
	})
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "lines", res.Lines, 3)
	wantEq(t, "traces stored", countTraces(t, db, "0"), 3)
	wantEq(t, "progress lines", lastLines, 3)
	wantEq(t, "progress bytes", lastBytes, int64(len(text)))
	wantEq(t, "progress calls", calls, 3)

	_, err = jsonl.ImportTraces(context.Background(), db, strings.NewReader(strings.ReplaceAll(text, "{\"inputs\": 3}", "{bad")), "0", nil)
	if err == nil || !strings.HasPrefix(err.Error(), "line 6: ") {
		t.Errorf("error = %v, want it to name line 6", err)
	}
}

// TestImportEmpty: an empty file imports nothing and is not an error.
func TestImportEmpty(t *testing.T) {
	db := openDB(t)
	for _, text := range []string{"", "\n\n", "\r\n  \r\n"} {
		res := mustImport(t, db, "0", text)
		if res.Lines != 0 || res.Traces != 0 {
			t.Errorf("import %q = %+v, want nothing", text, res)
		}
	}
}

// TestImportBadLineStoresNothing: one bad line among good ones rejects the whole file, names
// the line and stores nothing.
func TestImportBadLineStoresNothing(t *testing.T) {
	good := strings.Join([]string{
		strings.TrimSpace(fixture(t, "mlflow_trace.jsonl")),
		strings.TrimSpace(fixture(t, "otlp.jsonl")),
		`{"inputs": {"q": "x"}, "tags": {"k": "v"}, "expectations": {"e": 1}}`,
	}, "\n")
	for _, tc := range []struct {
		name, line, want string
	}{
		{"malformed JSON", `{"inputs": `, "malformed JSON"},
		{"not an object", `[1, 2]`, "want a JSON object"},
		{"null", `null`, "want a JSON object"},
		{"unknown shape", `{"question": "hi"}`, "not an MLflow trace"},
		{"two values on a line", `{"inputs": 1} {"inputs": 2}`, "malformed JSON"},
		{"null inputs", `{"inputs": null}`, "inputs: want a JSON value"},
		{"tag not a string", `{"inputs": 1, "tags": {"k": 1}}`, "tags.k: want a string"},
		{"tag key too long", `{"inputs": 1, "tags": {"` + strings.Repeat("k", 251) + `": "v"}}`, "keys must be 1 to 250"},
		{"empty tag key", `{"inputs": 1, "tags": {"": "v"}}`, "keys must be 1 to 250"},
		{"name not a string", `{"inputs": 1, "name": 5}`, "name: want a non-empty string"},
		{"null expectation", `{"inputs": 1, "expectations": {"e": null}}`, "expectations.e"},
		{"expectations a list", `{"inputs": 1, "expectations": [1]}`, "expectations: want an object"},
		{"OTLP without spans", `{"resourceSpans": []}`, "no spans"},
		{"OTLP bad span id", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"zz","name":"x","startTimeUnixNano":"1"}]}]}]}`, "spanId"},
		{"MLflow bad trace id", `{"info": {"trace_id": "tr-xyz", "request_time": "2025-01-01T00:00:00Z"}, "data": {"spans": []}}`, "info.trace_id"},
		{"MLflow bad state", `{"info": {"trace_id": "tr-0123456789abcdef0123456789abcdef", "request_time": "2025-01-01T00:00:00Z", "state": "DONE"}, "data": {"spans": []}}`, "info.state"},
		{"MLflow bad time", `{"info": {"trace_id": "tr-0123456789abcdef0123456789abcdef", "request_time": "yesterday"}, "data": {"spans": []}}`, "info.request_time"},
		{"MLflow no time no spans", `{"info": {"trace_id": "tr-0123456789abcdef0123456789abcdef"}, "data": {"spans": []}}`, "info.request_time is missing"},
		{"MLflow spans not a list", `{"info": {"trace_id": "tr-0123456789abcdef0123456789abcdef"}, "data": {"spans": {}}}`, "data.spans"},
		{"MLflow bad span", `{"info": {"trace_id": "tr-0123456789abcdef0123456789abcdef"}, "data": {"spans": [{"trace_id": "ASNFZ4mrze8BI0VniavN7w==", "span_id": "nope"}]}}`, "data.spans[0]"},
		{"MLflow metadata not strings", `{"info": {"trace_id": "tr-0123456789abcdef0123456789abcdef", "request_time": "2025-01-01T00:00:00Z", "trace_metadata": {"k": {}}}, "data": {"spans": []}}`, "info.trace_metadata.k"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t)
			text := good + "\n" + tc.line + "\n" + good + "\n"
			res, err := jsonl.ImportTraces(context.Background(), db, strings.NewReader(text), "0", nil)
			var ie *jsonl.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("error = %v (%T), want an *ImportError; result %+v", err, err, res)
			}
			if ie.Total != 1 || ie.Lines[0].Line != 4 {
				t.Errorf("bad lines = %+v, want only line 4", ie.Lines)
			}
			if !strings.HasPrefix(err.Error(), "line 4: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want \"line 4: …%s…\"", err, tc.want)
			}
			wantEq(t, "traces stored", countTraces(t, db, "0"), 0)
		})
	}
}

// TestImportManyBadLines lists the first MaxReportedLines bad lines and counts the rest.
func TestImportManyBadLines(t *testing.T) {
	db := openDB(t)
	text := `{"inputs": 1}` + "\n" + strings.Repeat("nope\n", jsonl.MaxReportedLines+5)
	_, err := jsonl.ImportTraces(context.Background(), db, strings.NewReader(text), "0", nil)
	var ie *jsonl.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("error = %v, want an *ImportError", err)
	}
	wantEq(t, "listed", len(ie.Lines), jsonl.MaxReportedLines)
	wantEq(t, "total", ie.Total, jsonl.MaxReportedLines+5)
	wantEq(t, "first bad line", ie.Lines[0].Line, 2)
	if !strings.HasSuffix(err.Error(), "; and 5 more bad lines") {
		t.Errorf("error = %q, want it to end with the count of unlisted lines", err)
	}
	wantEq(t, "traces stored", countTraces(t, db, "0"), 0)
}

// TestImportLineLimit rejects a line over the limit, both when it still fits the scanner's
// buffer and when it does not.
func TestImportLineLimit(t *testing.T) {
	db := openDB(t)
	short := `{"inputs": "` + strings.Repeat("a", 40) + `"}`
	long := `{"inputs": "` + strings.Repeat("a", 200) + `"}`
	for _, tc := range []struct {
		name, text, want string
	}{
		{"too long", short + "\n" + long + "\n" + short, "line 2: the line is over the 100-byte limit"},
		{"one byte too long", short + "\n" + `{"inputs": "` + strings.Repeat("a", 87) + `"}` + "\n" + short, "line 2: the line is 101 bytes, over the 100-byte limit"},
		{"one byte too long with CRLF", short + "\n" + `{"inputs": "` + strings.Repeat("a", 87) + `"}` + "\r\n" + short, "line 2: the line is over the 100-byte limit"},
		{"exactly at the limit", `{"inputs": "` + strings.Repeat("a", 86) + `"}` + "\r\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jsonl.ImportTracesLimit(context.Background(), db, strings.NewReader(tc.text), "0", 100, nil)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("error = %v, want none", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
		})
	}
	wantEq(t, "traces stored", countTraces(t, db, "0"), 1)
}

// TestImportExperimentChecks: the experiment must exist and be active, and a trace that lives
// in another experiment is not moved or merged.
func TestImportExperimentChecks(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	_, err := jsonl.ImportTraces(ctx, db, strings.NewReader(`{"inputs": 1}`), "42", nil)
	wantEq(t, "unknown experiment", model.ErrorCode(err), model.ResourceDoesNotExist)
	_, err = jsonl.ImportTraces(ctx, db, strings.NewReader(`{"inputs": 1}`), "x", nil)
	wantEq(t, "malformed experiment id", model.ErrorCode(err), model.InvalidParameterValue)

	other := newExperiment(t, db, "other")
	mustImport(t, db, other, fixture(t, "otlp.jsonl"))
	_, err = jsonl.ImportTraces(ctx, db, strings.NewReader(`{"inputs": 1}`+"\n"+fixture(t, "otlp.jsonl")), "0", nil)
	if err == nil || !strings.Contains(err.Error(), "line 2: trace tr-5b8efff798038103d269b633813fc60c already exists in experiment "+other) {
		t.Fatalf("error = %v, want line 2 to be refused", err)
	}
	wantEq(t, "traces in 0", countTraces(t, db, "0"), 0)
}

// TestImportSplitTrace: the spans of one trace on several lines end up in one trace.
func TestImportSplitTrace(t *testing.T) {
	db := openDB(t)
	span := func(id, parent, name string) string {
		p := ""
		if parent != "" {
			p = `"parentSpanId":"` + parent + `",`
		}
		return `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"` + id + `",` + p +
			`"name":"` + name + `","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000002000000000"}]}]}]}`
	}
	res := mustImport(t, db, "0", span("1112131415161718", "2122232425262728", "child")+"\n"+span("2122232425262728", "", "root"))
	wantEq(t, "traces", res.Traces, 1)
	info, spans := traceOf(t, db, "tr-0102030405060708090a0b0c0d0e0f10")
	wantEq(t, "spans", len(spans), 2)
	wantEq(t, "trace name", info.Tags[model.TagTraceName], "root")
}
