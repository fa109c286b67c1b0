package otlp

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// mlflowTraceJSON is a Trace.to_json() document shaped as MLflow 3.18 writes it.
const mlflowTraceJSON = `{"info": {"trace_id": "tr-0102030405060708090a0b0c0d0e0f10", "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": "0"}},
 "request_time": "2023-11-14T22:13:20Z", "execution_duration_ms": 1000, "state": "OK", "trace_metadata": {"mlflow.trace_schema.version": "3"}, "tags": {}},
 "data": {"spans": [
  {"trace_id": "AQIDBAUGBwgJCgsMDQ4PEA==", "span_id": "ERITFBUWFxg=", "parent_span_id": null, "name": "predict", "kind": "SPAN_KIND_INTERNAL",
   "start_time_unix_nano": 1700000000000000000, "end_time_unix_nano": 1700000001000000000, "events": [],
   "status": {"code": "STATUS_CODE_OK", "message": ""},
   "attributes": {"mlflow.traceRequestId": "\"tr-0102030405060708090a0b0c0d0e0f10\"", "mlflow.spanType": "\"CHAIN\"",
     "mlflow.spanFunctionName": "\"predict\"", "mlflow.spanInputs": "{\"question\": \"why?\"}", "mlflow.spanOutputs": "\"because\""},
   "links": []},
  {"trace_id": "AQIDBAUGBwgJCgsMDQ4PEA==", "span_id": "ISIjJCUmJyg=", "parent_span_id": "ERITFBUWFxg=", "name": "llm", "kind": "SPAN_KIND_CLIENT",
   "start_time_unix_nano": 1700000000000000010, "end_time_unix_nano": 1700000000999999990,
   "events": [{"name": "exception", "time_unix_nano": 1700000000000000020, "attributes": {"exception.message": "boom", "exception.type": "ValueError", "retries": 2}}],
   "status": {"code": "STATUS_CODE_ERROR", "message": "ValueError: boom"},
   "attributes": {"mlflow.traceRequestId": "\"tr-0102030405060708090a0b0c0d0e0f10\"", "mlflow.spanType": "\"LLM\"", "mlflow.spanInputs": "[1, 2]"},
   "links": []}]}}`

func wantMLflowSpans() []model.Span {
	return []model.Span{
		{
			TraceID: testTraceHex, SpanID: testRootHex, Name: "predict", Kind: "SPAN_KIND_INTERNAL",
			StartTimeNs: testStartNs, EndTimeNs: testEndNs, StatusCode: model.StatusOK,
			Attributes: map[string]any{
				model.AttrTraceID: testRequestID, model.AttrSpanType: `"CHAIN"`, "mlflow.spanFunctionName": `"predict"`,
				model.AttrSpanInputs: `{"question": "why?"}`, model.AttrSpanOutput: `"because"`,
			},
		},
		{
			TraceID: testTraceHex, SpanID: testChildHex, ParentSpanID: testRootHex, Name: "llm", Kind: "SPAN_KIND_CLIENT",
			StartTimeNs: testStartNs + 10, EndTimeNs: testEndNs - 10, StatusCode: model.StatusError, StatusMessage: "ValueError: boom",
			Attributes: map[string]any{model.AttrTraceID: testRequestID, model.AttrSpanType: `"LLM"`, model.AttrSpanInputs: "[1, 2]"},
			Events: []model.SpanEvent{{Name: "exception", TimeNs: testStartNs + 20, Attributes: map[string]any{
				"exception.message": "boom", "exception.type": "ValueError", "retries": int64(2)}}},
		},
	}
}

func TestParseTraceJSON(t *testing.T) {
	info, spans, err := ParseTraceJSON([]byte(mlflowTraceJSON))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantMLflowSpans(), spans, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	if got := info["execution_duration_ms"]; got != int64(1000) {
		t.Errorf("info.execution_duration_ms = %#v, want int64 1000", got)
	}
}

// TestToMLflowDictMatchesMLflow renders the parsed spans back and compares with the file.
func TestToMLflowDictMatchesMLflow(t *testing.T) {
	var doc struct {
		Data struct {
			Spans []json.RawMessage `json:"spans"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(mlflowTraceJSON), &doc); err != nil {
		t.Fatal(err)
	}
	for i, s := range wantMLflowSpans() {
		got := roundJSON(t, ToMLflowDict(s))
		if diff := cmp.Diff(jsonValue(t, string(doc.Data.Spans[i])), got); diff != "" {
			t.Errorf("span %d (-mlflow +ours):\n%s", i, diff)
		}
	}
}

func TestToMLflowDictEncodesOTLPValues(t *testing.T) {
	s := model.Span{
		TraceID: testTraceHex, SpanID: testRootHex, Name: "x", StartTimeNs: 5,
		Attributes: map[string]any{
			"text": "openai", "json_object": `{"a": 1}`, "json_string": `"q"`, "digits": "5", "int": int64(5),
			"float": 1.5, "bool": true, "list": []any{"a", int64(1)}, "map": map[string]any{"k": "v"}, "nil": nil,
			"html": "<b>&</b>", "mlflow.spanInputs": "5",
		},
		Events: []model.SpanEvent{{Name: "e", TimeNs: 6}},
	}
	got := roundJSON(t, ToMLflowDict(s))
	want := jsonValue(t, `{"trace_id": "AQIDBAUGBwgJCgsMDQ4PEA==", "span_id": "ERITFBUWFxg=", "parent_span_id": null,
		"name": "x", "kind": "SPAN_KIND_INTERNAL", "start_time_unix_nano": 5, "end_time_unix_nano": null,
		"events": [{"name": "e", "time_unix_nano": 6, "attributes": {}}],
		"status": {"code": "STATUS_CODE_UNSET", "message": ""},
		"attributes": {"text": "\"openai\"", "json_object": "{\"a\": 1}", "json_string": "\"q\"", "digits": "\"5\"",
			"int": "5", "float": "1.5", "bool": "true", "list": "[\"a\",1]", "map": "{\"k\":\"v\"}", "nil": "null",
			"html": "\"<b>&</b>\"", "mlflow.spanInputs": "5",
			"mlflow.traceRequestId": "\"tr-0102030405060708090a0b0c0d0e0f10\""},
		"links": []}`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ToMLflowDict (-want +got):\n%s", diff)
	}
}

// TestMLflowDictRoundTrip: spans decoded from OTLP and normalized survive a trip through an
// MLflow trace file in MLflow's terms (the dict is stable), and MLflow-native spans come back equal.
func TestMLflowDictRoundTrip(t *testing.T) {
	decoded, err := Decode([]byte(rootAndChildJSON), ContentTypeJSON, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	decoded[0].Attributes["gen_ai.input.messages"] = `[{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]`
	decoded[0].Attributes["list"] = []any{true, 2.5, map[string]any{"x": nil}}
	for i := range decoded {
		Normalize(&decoded[i])
	}
	for name, spans := range map[string][]model.Span{"otlp": decoded, "mlflow": wantMLflowSpans()} {
		t.Run(name, func(t *testing.T) {
			for i, s := range spans {
				d1 := ToMLflowDict(s)
				back, err := FromMLflowDict(roundJSONNumbers(t, d1))
				if err != nil {
					t.Fatalf("span %d: FromMLflowDict: %v", i, err)
				}
				if diff := cmp.Diff(roundJSON(t, d1), roundJSON(t, ToMLflowDict(back))); diff != "" {
					t.Errorf("span %d dict changed (-first +second):\n%s", i, diff)
				}
				if name == "mlflow" {
					if diff := cmp.Diff(s, back, cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("span %d (-want +got):\n%s", i, diff)
					}
				}
				for _, key := range []string{model.AttrSpanType, model.AttrSpanInputs, model.AttrSpanOutput, "s", "i", "list"} {
					want, _ := AttrValue(&s, key)
					got, _ := AttrValue(&back, key)
					if diff := cmp.Diff(plainNumbers(want), plainNumbers(got)); diff != "" {
						t.Errorf("span %d attribute %s as MLflow reads it (-want +got):\n%s", i, key, diff)
					}
				}
			}
		})
	}
}

func TestFromMLflowDictFormats(t *testing.T) {
	want := model.Span{
		TraceID: testTraceHex, SpanID: testChildHex, ParentSpanID: testRootHex, Name: "n", Kind: "SPAN_KIND_INTERNAL",
		StartTimeNs: testStartNs, EndTimeNs: testEndNs, StatusCode: model.StatusOK,
		Attributes: map[string]any{"a": `"b"`},
		Events:     []model.SpanEvent{{Name: "ev", TimeNs: 7, Attributes: map[string]any{"k": "v"}}},
	}
	tests := []struct{ name, doc string }{
		{"v3 base64", `{"trace_id": "AQIDBAUGBwgJCgsMDQ4PEA==", "span_id": "ISIjJCUmJyg=", "parent_span_id": "ERITFBUWFxg=",
			"name": "n", "start_time_unix_nano": 1700000000000000000, "end_time_unix_nano": 1700000001000000000,
			"status": {"code": "STATUS_CODE_OK"}, "attributes": {"a": "\"b\""},
			"events": [{"name": "ev", "time_unix_nano": 7, "attributes": {"k": "v"}}]}`},
		{"3.5.0 properties form", `{"trace_id": "tr-0102030405060708090a0b0c0d0e0f10", "span_id": "2122232425262728", "parent_span_id": "1112131415161718",
			"name": "n", "kind": "SPAN_KIND_INTERNAL", "start_time_unix_nano": "1700000000000000000", "end_time_unix_nano": 1700000001000000000,
			"status": {"code": "OK", "message": ""}, "attributes": {"a": "\"b\""},
			"events": [{"name": "ev", "time_unix_nano": 7, "attributes": {"k": "v"}}]}`},
		{"v4 trace id", `{"trace_id": "trace:/catalog.schema/0102030405060708090a0b0c0d0e0f10", "span_id": "2122232425262728", "parent_span_id": "1112131415161718",
			"name": "n", "start_time_unix_nano": 1700000000000000000, "end_time_unix_nano": 1700000001000000000,
			"status": {"code": "STATUS_CODE_OK"}, "attributes": {"a": "\"b\""},
			"events": [{"name": "ev", "time_unix_nano": 7, "attributes": {"k": "v"}}]}`},
		{"v2 schema", `{"name": "n", "context": {"span_id": "0x2122232425262728", "trace_id": "0x0102030405060708090a0b0c0d0e0f10"},
			"parent_id": "0x1112131415161718", "start_time": 1700000000000000000, "end_time": 1700000001000000000,
			"status_code": "OK", "status_message": "", "attributes": {"a": "\"b\""},
			"events": [{"name": "ev", "timestamp": 7, "attributes": {"k": "v"}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromMLflowDict(decodeDoc(t, tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("span (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromMLflowDictErrors(t *testing.T) {
	base := func(edit string) string {
		return `{"trace_id": "AQIDBAUGBwgJCgsMDQ4PEA==", "span_id": "ERITFBUWFxg=", "start_time_unix_nano": 1, "status": {"code": "STATUS_CODE_OK"}` + edit + `}`
	}
	tests := []struct{ name, doc, msg string }{
		{"bad trace id", `{"trace_id": "nope", "span_id": "ERITFBUWFxg=", "start_time_unix_nano": 1}`, "trace_id"},
		{"zero trace id", `{"trace_id": "AAAAAAAAAAAAAAAAAAAAAA==", "span_id": "ERITFBUWFxg=", "start_time_unix_nano": 1}`, "trace_id is all zeros"},
		{"short span id", `{"trace_id": "AQIDBAUGBwgJCgsMDQ4PEA==", "span_id": "ERIT", "start_time_unix_nano": 1}`, "span_id"},
		{"bad parent id", base(`, "parent_span_id": "!!"`), "parent_span_id"},
		{"hex span id too long", `{"trace_id": "tr-0102030405060708090a0b0c0d0e0f10", "span_id": "001112131415161718", "start_time_unix_nano": 1}`, "span_id"},
		{"missing start", `{"trace_id": "AQIDBAUGBwgJCgsMDQ4PEA==", "span_id": "ERITFBUWFxg="}`, "start_time_unix_nano is missing"},
		{"negative start", base(`, "start_time_unix_nano": -1`), "start_time_unix_nano"},
		{"fractional end", base(`, "end_time_unix_nano": 1.5`), "end_time_unix_nano"},
		{"unknown kind", base(`, "kind": "SPAN_KIND_WEIRD"`), "unknown kind"},
		{"unknown status", `{"trace_id": "AQIDBAUGBwgJCgsMDQ4PEA==", "span_id": "ERITFBUWFxg=", "start_time_unix_nano": 1, "status": {"code": "MAYBE"}}`, "unknown status code"},
		{"bad event time", base(`, "events": [{"name": "e", "time_unix_nano": "x"}]`), "events[0].time_unix_nano"},
		{"v2 bad id", `{"context": {"trace_id": "0xzz", "span_id": "0x1"}, "start_time": 1}`, "context.trace_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromMLflowDict(decodeDoc(t, tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error = %v, want one containing %q", err, tt.msg)
			}
		})
	}
}

func TestParseTraceJSONErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"not json":        `{`,
		"no info":         `{"data": {"spans": []}}`,
		"span not object": `{"info": {}, "data": {"spans": [1]}}`,
		"bad span":        `{"info": {}, "data": {"spans": [{"trace_id": "x"}]}}`,
	} {
		if _, _, err := ParseTraceJSON([]byte(doc)); err == nil {
			t.Errorf("%s: ParseTraceJSON succeeded, want error", name)
		}
	}
}

// roundJSON marshals v and decodes it generically, for comparing JSON documents.
func roundJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return jsonValue(t, string(b))
}

// roundJSONNumbers marshals a dict and decodes it with UseNumber, as a file would be read.
func roundJSONNumbers(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return decodeDoc(t, string(b))
}

func decodeDoc(t *testing.T, doc string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("bad test document: %v", err)
	}
	return m
}
