package mlflowapi_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/assay-labs/assay/app/apptest"
)

const (
	otelTraceID = "5b8aa5a2d2c872e8321cf37308d69df2"
	rootSpanID  = "051581bf3cb55c13"
	childSpanID = "0a1b2c3d4e5f6071"
)

// otlpJSON builds an OTLP/JSON export request (hex ids, as the OTLP spec says).
func otlpJSON(traceID string, spans ...map[string]any) string {
	for _, s := range spans {
		s["traceId"] = traceID
	}
	b, _ := json.Marshal(map[string]any{"resourceSpans": []any{map[string]any{
		"resource":   map[string]any{"attributes": []any{map[string]any{"key": "service.name", "value": map[string]any{"stringValue": "bot"}}}},
		"scopeSpans": []any{map[string]any{"spans": spans}},
	}}})
	return string(b)
}

func strAttr(k, v string) map[string]any {
	return map[string]any{"key": k, "value": map[string]any{"stringValue": v}}
}

func rootSpan() map[string]any {
	return map[string]any{"spanId": rootSpanID, "name": "support_app", "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000001500000000",
		"status": map[string]any{"code": 1}, "attributes": []any{
			strAttr("mlflow.spanType", `"CHAIN"`),
			strAttr("mlflow.spanInputs", `{"question": "How do I reset my password?"}`),
			strAttr("mlflow.spanOutputs", `"Use the reset link."`),
		}}
}

func childSpan() map[string]any {
	return map[string]any{"spanId": childSpanID, "parentSpanId": rootSpanID, "name": "llm", "startTimeUnixNano": "1700000000100000000", "endTimeUnixNano": "1700000001000000000",
		"attributes": []any{strAttr("openinference.span.kind", "LLM"), strAttr("input.value", "hello"), strAttr("output.value", "hi")}}
}

func postOTLP(env *apptest.Env, body string, exp string) apptest.Response {
	return env.Do("POST", "/v1/traces", body, "Content-Type", otlpJSONHeader, "x-mlflow-experiment-id", exp)
}

func TestOTLPIntakeAndTraceRoutes(t *testing.T) {
	env := apptest.New(t)
	traceID := "tr-" + otelTraceID

	// The child arrives first, in its own request; the root later: one trace either way.
	if r := postOTLP(env, otlpJSON(otelTraceID, childSpan()), "0"); r.Status != 200 {
		t.Fatalf("child span: %d %s", r.Status, r.Body)
	}
	if r := postOTLP(env, otlpJSON(otelTraceID, rootSpan()), "0"); r.Status != 200 {
		t.Fatalf("root span: %d %s", r.Status, r.Body)
	}
	run(t, env, []scenario{
		{name: "get full trace", method: "GET", path: "/api/3.0/mlflow/traces/get?trace_id=" + traceID, wantStatus: 200, check: func(t *testing.T, b map[string]any) {
			wantLen(t, apptest.Get(b, "trace", "spans"), 2)
			info := apptest.Get(b, "trace", "trace_info")
			wantEq(t, apptest.Get(info, "state"), "OK")
			wantEq(t, apptest.Get(info, "execution_duration"), "1.500s")
			wantEq(t, apptest.Get(info, "request_time"), "2023-11-14T22:13:20.000Z")
			wantEq(t, apptest.Get(info, "request_preview"), `{"question": "How do I reset my password?"}`)
			wantEq(t, apptest.Get(info, "tags", "mlflow.traceName"), "support_app")
		}},
		{name: "set tag", method: "PATCH", path: "/api/3.0/mlflow/traces/" + traceID + "/tags", body: map[string]string{"key": "test_tag", "value": "C001"}, wantStatus: 200},
		{name: "search by tag", method: "POST", path: "/api/3.0/mlflow/traces/search", wantStatus: 200,
			body: map[string]any{"locations": []any{map[string]any{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": map[string]any{"experiment_id": "0"}}}, "filter": "tags.test_tag = 'C001'", "max_results": 50},
			check: func(t *testing.T, b map[string]any) {
				wantLen(t, b["traces"], 1)
				wantEq(t, apptest.Get(b, "traces", 0, "trace_id"), traceID)
			}},
		{name: "search misses", method: "POST", path: "/api/3.0/mlflow/traces/search", wantStatus: 200,
			body:  map[string]any{"experiment_ids": []string{"0"}, "filter": "tags.test_tag = 'C002'"},
			check: func(t *testing.T, b map[string]any) { wantLen(t, b["traces"], 0) }},
		{name: "malformed trace filter", method: "POST", path: "/api/3.0/mlflow/traces/search", wantStatus: 400, wantField: "filter",
			body: map[string]any{"experiment_ids": []string{"0"}, "filter": "tags.test_tag = "}},
		{name: "unknown trace", method: "GET", path: "/api/3.0/mlflow/traces/get?trace_id=tr-00000000000000000000000000000001", wantStatus: 404},
		{name: "delete tag", method: "DELETE", path: "/api/3.0/mlflow/traces/" + traceID + "/tags?key=test_tag", wantStatus: 200},
		{name: "link to unknown run", method: "POST", path: "/api/2.0/mlflow/traces/link-to-run", body: map[string]any{"trace_ids": []string{traceID}, "run_id": "nope"}, wantStatus: 404},
	})
}

func TestOTLPRejectedRequestStoresNothing(t *testing.T) {
	env := apptest.New(t)
	bad := childSpan()
	bad["spanId"] = "zz"
	r := postOTLP(env, otlpJSON(otelTraceID, rootSpan(), bad), "0")
	if r.Status != 400 {
		t.Fatalf("status %d, want 400: %s", r.Status, r.Body)
	}
	got := env.MustOK("POST", "/api/3.0/mlflow/traces/search", map[string]any{"experiment_ids": []string{"0"}})
	wantLen(t, got["traces"], 0)

	for name, tc := range map[string]struct {
		body, ct string
		want     int
	}{
		"unsupported content type": {otlpJSON(otelTraceID, rootSpan()), "text/plain", 415},
		"garbage protobuf":         {"\x0a\xff\xff", "application/x-protobuf", 400},
		"empty":                    {"", "application/json", 400},
	} {
		t.Run(name, func(t *testing.T) {
			r := env.Do("POST", "/v1/traces", tc.body, "Content-Type", tc.ct)
			if r.Status != tc.want {
				t.Errorf("status %d, want %d: %s", r.Status, tc.want, r.Body)
			}
		})
	}
	t.Run("unknown experiment", func(t *testing.T) {
		if r := postOTLP(env, otlpJSON(otelTraceID, rootSpan()), "77"); r.Status != 404 {
			t.Errorf("status %d, want 404: %s", r.Status, r.Body)
		}
	})
}

func TestAssessmentsKeepHistory(t *testing.T) {
	env := apptest.New(t)
	if r := postOTLP(env, otlpJSON(otelTraceID, rootSpan()), "0"); r.Status != 200 {
		t.Fatalf("ingest: %d %s", r.Status, r.Body)
	}
	base := "/api/3.0/mlflow/traces/tr-" + otelTraceID + "/assessments"
	var first, second string
	run(t, env, []scenario{
		{name: "create feedback", method: "POST", path: base, wantStatus: 200, body: map[string]any{"assessment": map[string]any{
			"assessment_name": "quality", "source": map[string]any{"source_type": "HUMAN", "source_id": "ana@example.com"}, "feedback": map[string]any{"value": "good"}, "rationale": "clear"}},
			check: func(t *testing.T, b map[string]any) {
				first = apptest.Get(b, "assessment", "assessment_id").(string)
				wantEq(t, apptest.Get(b, "assessment", "valid"), true)
			}},
		{name: "create object expectation", method: "POST", path: base, wantStatus: 200, body: map[string]any{"assessment": map[string]any{
			"assessment_name": "expected", "source": map[string]any{"source_type": "HUMAN", "source_id": "ana@example.com"},
			"expectation": map[string]any{"serialized_value": map[string]any{"serialization_format": "JSON_FORMAT", "value": `{"a": [1, 2]}`}}}},
			check: func(t *testing.T, b map[string]any) {
				wantEq(t, apptest.Get(b, "assessment", "expectation", "serialized_value", "value"), `{"a": [1, 2]}`)
			}},
		{name: "missing source", method: "POST", path: base, wantStatus: 400, wantField: "assessment.source.source_type", body: map[string]any{"assessment": map[string]any{"assessment_name": "q", "feedback": map[string]any{"value": 1}}}},
		{name: "both kinds", method: "POST", path: base, wantStatus: 400, body: map[string]any{"assessment": map[string]any{"assessment_name": "q",
			"source": map[string]any{"source_type": "HUMAN"}, "feedback": map[string]any{"value": 1}, "expectation": map[string]any{"value": 1}}}},
		{name: "bad source type", method: "POST", path: base, wantStatus: 400, wantField: "assessment.source.source_type", body: map[string]any{"assessment": map[string]any{"assessment_name": "q",
			"source": map[string]any{"source_type": "ROBOT"}, "feedback": map[string]any{"value": 1}}}},
	})
	run(t, env, []scenario{
		{name: "update keeps the previous value in history", method: "PATCH", path: base + "/" + first, wantStatus: 200,
			body: map[string]any{"assessment": map[string]any{"feedback": map[string]any{"value": "bad"}}, "update_mask": "feedback"},
			check: func(t *testing.T, b map[string]any) {
				wantEq(t, apptest.Get(b, "assessment", "feedback", "value"), "bad")
			}},
		{name: "override", method: "POST", path: base, wantStatus: 200, body: map[string]any{"assessment": map[string]any{
			"assessment_name": "quality", "source": map[string]any{"source_type": "HUMAN", "source_id": "ben@example.com"}, "feedback": map[string]any{"value": "ok"}, "overrides": first}},
			check: func(t *testing.T, b map[string]any) { second = apptest.Get(b, "assessment", "assessment_id").(string) }},
		{name: "overridden one is kept, invalid", method: "GET", path: base + "/" + first, wantStatus: 200,
			check: func(t *testing.T, b map[string]any) { wantEq(t, apptest.Get(b, "assessment", "valid"), false) }},
		{name: "override of unknown", method: "POST", path: base, wantStatus: 400, wantField: "assessment.overrides", body: map[string]any{"assessment": map[string]any{
			"assessment_name": "quality", "source": map[string]any{"source_type": "HUMAN"}, "feedback": map[string]any{"value": "ok"}, "overrides": "a-nope"}}},
	})
	hist, err := env.DB.AssessmentHistory(t.Context(), first)
	if err != nil || len(hist) != 1 || string(hist[0].Value) != `"good"` {
		t.Fatalf("history = %+v, %v; want the original value \"good\"", hist, err)
	}
	info := env.MustOK("GET", "/api/3.0/mlflow/traces/tr-"+otelTraceID, nil)
	wantLen(t, apptest.Get(info, "trace", "trace_info", "assessments"), 3)
	// Deleting the override makes the overridden assessment valid again.
	env.MustOK("DELETE", base+"/"+second, nil)
	got := env.MustOK("GET", base+"/"+first, nil)
	wantEq(t, apptest.Get(got, "assessment", "valid"), true)
}

func TestDatasetsMergeRecords(t *testing.T) {
	env := apptest.New(t)
	created := env.MustOK("POST", "/api/3.0/mlflow/datasets/create", map[string]any{"name": "golden", "experiment_ids": []string{"0"}, "tags": `{"team": "x"}`})
	id := apptest.Get(created, "dataset", "dataset_id").(string)
	recs := func(v any) map[string]any {
		b, _ := json.Marshal(v)
		return map[string]any{"records": string(b)}
	}
	records := "/api/3.0/mlflow/datasets/" + id + "/records"
	run(t, env, []scenario{
		{name: "duplicate name in experiment", method: "POST", path: "/api/3.0/mlflow/datasets/create", body: map[string]any{"name": "golden", "experiment_ids": []string{"0"}}, wantStatus: 400, wantCode: "RESOURCE_ALREADY_EXISTS"},
		{name: "insert two", method: "POST", path: records, wantStatus: 200, body: recs([]any{
			map[string]any{"inputs": map[string]any{"q": "a", "n": 1}, "expectations": map[string]any{"expected_response": "A", "keep": 1}},
			map[string]any{"inputs": map[string]any{"q": "b"}},
		}), check: func(t *testing.T, b map[string]any) {
			wantEq(t, b["inserted_count"], 1+1)
			wantEq(t, b["updated_count"], 0)
		}},
		{name: "same inputs in another key order update", method: "POST", path: records, wantStatus: 200, body: recs([]any{
			map[string]any{"inputs": map[string]any{"n": 1, "q": "a"}, "expectations": map[string]any{"expected_response": "A2"}},
		}), check: func(t *testing.T, b map[string]any) {
			wantEq(t, b["inserted_count"], 0)
			wantEq(t, b["updated_count"], 1)
		}},
		{name: "a bad record stores nothing", method: "POST", path: records, wantStatus: 400, wantField: "records[1].inputs", body: recs([]any{
			map[string]any{"inputs": map[string]any{"q": "c"}}, map[string]any{"outputs": "no inputs"},
		})},
		{name: "records read back", method: "GET", path: records, wantStatus: 200, check: func(t *testing.T, b map[string]any) {
			var got []map[string]any
			if err := json.Unmarshal([]byte(b["records"].(string)), &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("got %d records, want 2 (the failed merge must store nothing)", len(got))
			}
			wantEq(t, fmt.Sprint(got[0]["expectations"]), "map[expected_response:A2 keep:1]")
			wantEq(t, apptest.Get(got[1], "source", "source_type"), "CODE")
			wantEq(t, apptest.Get(got[0], "source", "source_type"), "HUMAN")
		}},
		{name: "search by name", method: "POST", path: "/api/3.0/mlflow/datasets/search", body: map[string]any{"experiment_ids": []string{"0"}, "filter_string": "name = 'golden'"}, wantStatus: 200,
			check: func(t *testing.T, b map[string]any) { wantLen(t, b["datasets"], 1) }},
		{name: "search as get_dataset(name=) sends it", method: "POST", path: "/api/3.0/mlflow/datasets/search", wantStatus: 200,
			body:  map[string]any{"filter_string": `name = "golden"`, "max_results": 2, "order_by": []string{"created_time DESC"}},
			check: func(t *testing.T, b map[string]any) { wantLen(t, b["datasets"], 1) }},
		{name: "search_datasets default time filter", method: "POST", path: "/api/3.0/mlflow/datasets/search", wantStatus: 200,
			body:  map[string]any{"experiment_ids": []string{"0"}, "filter_string": "created_time >= 1000 AND tags.team = 'x'"},
			check: func(t *testing.T, b map[string]any) { wantLen(t, b["datasets"], 1) }},
		{name: "bad dataset filter", method: "POST", path: "/api/3.0/mlflow/datasets/search", wantStatus: 400, wantField: "filter_string",
			body: map[string]any{"filter_string": "colour = 'red'"}},
		{name: "unknown dataset", method: "GET", path: "/api/3.0/mlflow/datasets/d-nope", wantStatus: 404},
		{name: "records into unknown dataset", method: "POST", path: "/api/3.0/mlflow/datasets/d-nope/records", body: recs([]any{map[string]any{"inputs": map[string]any{}}}), wantStatus: 404},
	})
}

func TestOversizeBodyIs413(t *testing.T) {
	env := apptest.New(t)
	big := fmt.Sprintf(`{"name": "%s"}`, make([]byte, 9<<20))
	r := env.Do("POST", "/api/2.0/mlflow/experiments/create", big)
	if r.Status != 413 {
		t.Fatalf("status %d, want 413", r.Status)
	}
	wantEq(t, r.JSON(t)["error_code"], "REQUEST_LIMIT_EXCEEDED")
}
