package app_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/apptest"
)

// fuzzRoute is one JSON endpoint FuzzJSONBodies posts fuzzed bytes to.
type fuzzRoute struct {
	method, path string
	contentType  string // default application/json
	header       []string
	seeds        []string
	// reads are the GETs that read back what the route writes; after every fuzzed request they
	// must not answer 5xx (a stored value no read can scan poisons the object for everyone).
	reads []string
}

// fuzzFixtures are the objects the fuzzed routes point at, made once per fuzzing process.
type fuzzFixtures struct {
	exp, trace, traceHex, run, dataset, app, sid, item string
}

func newFuzzFixtures(tb testing.TB, env *apptest.Env) fuzzFixtures {
	tb.Helper()
	var fx fuzzFixtures
	fx.exp = env.MustOK("POST", "/api/2.0/mlflow/experiments/create", map[string]any{"name": "fuzz"})["experiment_id"].(string)
	fx.traceHex = "0102030405060708090a0b0c0d0e0f10"
	fx.trace = "tr-" + fx.traceHex
	if r := env.Do("POST", "/v1/traces", otlpJSON(fx.traceHex), "x-mlflow-experiment-id", fx.exp); r.Status != 200 {
		tb.Fatalf("otlp: %d %s", r.Status, r.Body)
	}
	fx.run = apptest.Get(env.MustOK("POST", "/api/2.0/mlflow/runs/create", map[string]any{"experiment_id": fx.exp}), "run", "info", "run_id").(string)
	fx.dataset = apptest.Get(env.MustOK("POST", "/api/3.0/mlflow/datasets/create", map[string]any{"name": "fuzz-ds", "experiment_ids": []string{fx.exp}}), "dataset", "dataset_id").(string)
	env.MustOK("POST", "/api/3.0/mlflow/label-schemas/create", map[string]any{"experiment_id": fx.exp, "name": "quality", "type": "FEEDBACK", "enable_comment": true,
		"input": map[string]any{"categorical": map[string]any{"options": []string{"Poor", "Fair", "Good"}}}})
	env.MustOK("POST", "/api/3.0/mlflow/label-schemas/create", map[string]any{"experiment_id": fx.exp, "name": "score", "type": "FEEDBACK",
		"input": map[string]any{"numeric": map[string]any{"min_value": 0, "max_value": 10}}})
	env.MustOK("POST", "/api/3.0/mlflow/label-schemas/create", map[string]any{"experiment_id": fx.exp, "name": "facts", "type": "EXPECTATION",
		"input": map[string]any{"text_list": map[string]any{"max_length_each": 50, "max_count": 3}}})
	fx.app = env.MustOK("POST", "/api/2.0/managed-evals/review-apps", map[string]any{"experiment_id": fx.exp})["review_app_id"].(string)
	fx.sid = env.MustOK("POST", "/api/2.0/managed-evals/review-apps/"+fx.app+"/labeling-sessions", map[string]any{"name": "fuzz",
		"assigned_users": []string{"ana@example.com"}, "labeling_schemas": []map[string]string{{"name": "quality"}, {"name": "score"}, {"name": "facts"}}})["labeling_session_id"].(string)
	env.MustOK("POST", "/api/assay/v1/sessions/"+fx.sid+"/traces", map[string]any{"trace_ids": []string{fx.trace}})
	fx.item = apptest.Get(env.MustOK("GET", "/api/2.0/managed-evals/review-apps/"+fx.app+"/labeling-sessions/"+fx.sid+"/items", nil), "items", 0, "item_id").(string)
	return fx
}

func fuzzRoutes(fx fuzzFixtures) []fuzzRoute {
	sessions := "/api/2.0/managed-evals/review-apps/" + fx.app + "/labeling-sessions"
	var (
		traceGet    = "/api/3.0/mlflow/traces/get?trace_id=" + fx.trace
		traceSearch = "/api/3.0/mlflow/traces/search?experiment_ids=" + fx.exp + "&max_results=50"
		reviewItem  = "/api/assay/v1/review/sessions/" + fx.sid + "/items/" + fx.item
		items       = sessions + "/" + fx.sid + "/items"
		stats       = "/api/assay/v1/sessions/" + fx.sid + "/stats"
		export      = "/api/assay/v1/sessions/" + fx.sid + "/export.jsonl"
		expSessions = "/api/assay/v1/experiments/" + fx.exp + "/sessions"
	)
	return []fuzzRoute{
		{method: "POST", path: "/api/2.0/mlflow/experiments/create", reads: []string{"/api/2.0/mlflow/experiments/search?max_results=50"}, seeds: []string{
			`{"name": "exp-a"}`,
			`{"name": "exp-b", "artifact_location": "s3://bucket/x", "tags": [{"key": "team", "value": "search"}]}`,
			`{"name": ""}`, `{"name": 5}`, `{"tags": {"key": "k"}}`,
		}},
		{method: "POST", path: "/api/2.0/mlflow/runs/search", seeds: []string{
			`{"experiment_ids": ["` + fx.exp + `"], "filter": "metrics.acc > 0.5 and params.lr = '0.1'", "max_results": 10, "order_by": ["start_time DESC"]}`,
			`{"experiment_ids": ["` + fx.exp + `"], "run_view_type": "ALL", "filter": "tags.mlflow.runName LIKE '%x%'", "page_token": "bzox"}`,
			`{"experiment_ids": [], "max_results": -1}`, `{"experiment_ids": "1", "order_by": "x"}`,
		}},
		{method: "POST", path: "/api/3.0/mlflow/traces/search", seeds: []string{
			`{"locations": [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": "` + fx.exp + `"}}], "filter": "tags.k = 'v'", "max_results": 5, "order_by": ["timestamp_ms DESC"]}`,
			`{"experiment_ids": ["` + fx.exp + `"], "filter": "trace.status = 'OK' AND trace.timestamp_ms > 0", "page_token": "x"}`,
			`{"locations": [{"type": "UC_SCHEMA"}]}`, `{"experiment_ids": [null], "max_results": 1e309}`,
		}},
		{method: "POST", path: "/api/3.0/mlflow/traces/" + fx.trace + "/assessments", reads: []string{traceGet, export, reviewItem}, seeds: []string{
			`{"assessment": {"assessment_name": "quality", "source": {"source_type": "HUMAN", "source_id": "ana"}, "feedback": {"value": true}}}`,
			`{"assessment": {"assessment_name": "expected", "trace_id": "` + fx.trace + `", "source": {"source_type": "LLM_JUDGE", "source_id": "j"}, "expectation": {"serialized_value": {"serialization_format": "JSON_FORMAT", "value": "{\"a\": 1}"}}, "metadata": {"k": "v"}}}`,
			`{"assessment": {"assessment_name": "x", "feedback": {"error": {"error_code": "E", "error_message": "boom"}}, "span_id": "1112131415161718", "overrides": "a-1"}}`,
			`{"assessment": {"assessment_name": "x", "feedback": {"value": 1}, "expectation": {"value": 2}}}`, `{"assessment": null}`,
		}},
		{method: "POST", path: "/api/3.0/mlflow/datasets/" + fx.dataset + "/records", reads: []string{"/api/3.0/mlflow/datasets/" + fx.dataset + "/records"}, seeds: []string{
			`{"records": "[{\"inputs\": {\"q\": \"hi\"}, \"expectations\": {\"facts\": [\"a\"]}}]"}`,
			`{"records": "[{\"inputs\": {\"q\": \"hi\"}, \"source\": {\"source_type\": \"TRACE\", \"source_data\": {\"trace_id\": \"` + fx.trace + `\"}}, \"tags\": {\"t\": \"1\"}}]"}`,
			`{"records": "[]"}`, `{"records": "{"}`, `{"records": [{"inputs": {}}]}`,
		}},
		{method: "POST", path: "/api/3.0/mlflow/label-schemas/create", reads: []string{"/api/3.0/mlflow/label-schemas/list?experiment_id=" + fx.exp, "/api/2.0/managed-evals/review-apps/" + fx.app, reviewItem}, seeds: []string{
			`{"experiment_id": "` + fx.exp + `", "name": "tone", "type": "FEEDBACK", "input": {"pass_fail": {"positive_label": "Yes", "negative_label": "No"}}}`,
			`{"experiment_id": "` + fx.exp + `", "name": "tags", "type": "EXPECTATION", "title": "T", "instruction": "I", "enable_comment": true, "input": {"categorical_list": {"options": ["a", "b"]}}}`,
			`{"experiment_id": "` + fx.exp + `", "name": "n", "type": "FEEDBACK", "input": {"numeric": {"min_value": 10, "max_value": 1}}}`,
			`{"experiment_id": "` + fx.exp + `", "name": "t", "type": "FEEDBACK", "input": {"text": {"max_length": -1}, "numeric": {}}}`,
		}},
		{method: "POST", path: sessions, reads: []string{sessions, expSessions}, seeds: []string{
			`{"name": "s", "assigned_users": ["ana@example.com"], "labeling_schemas": [{"name": "quality"}], "reviews_per_item": 2}`,
			`{"name": "s2", "label_schemas": ["score"], "reviews_per_item": "all", "agent": {"agent_name": "bot"}, "custom_inputs": {"k": 1}, "enable_multi_turn_chat": true}`,
			`{"name": "s3", "labeling_schemas": [{"name": "nope"}], "reviews_per_item": 0}`, `{"name": "s4", "reviews_per_item": -3, "assigned_users": ["not an email"]}`,
		}},
		{method: "POST", path: reviewItem + "/submit", reads: []string{items, stats, export, reviewItem, traceGet, expSessions}, seeds: []string{
			`{"answers": {"quality": {"value": "Good", "comment": "fine"}, "score": {"value": 7}, "facts": {"value": ["a", "b"]}}, "time_spent_ms": 1200}`,
			`{"answers": {"quality": {"value": "Bad"}}}`, `{"answers": {"score": {"value": 1e400}}}`, `{"answers": {"facts": {"value": [1, 2]}}, "time_spent_ms": -5}`,
			`{"answers": {}}`, `{"answers": {"nope": {"value": null}}}`,
			// Twice in a row, this overflowed the reviewer's running total into a REAL that no read could scan.
			`{"answers": {"score": {"value": 3}}, "time_spent_ms": 9223372036854775807}`, `{"answers": {"score": {"value": 4}}, "time_spent_ms": 9223372036854775807}`,
		}},
		{method: "POST", path: "/api/assay/v1/sessions/" + fx.sid + "/traces", reads: []string{items, stats, export}, seeds: []string{
			`{"trace_ids": ["` + fx.trace + `"]}`, `{"trace_ids": ["` + fx.trace + `", "tr-00000000000000000000000000000000"]}`,
			`{"filter": "tags.k = 'v'"}`, `{"filter": "attributes.status = "}`,
			`{"traces": [{"info": {"trace_id": "tr-1", "trace_location": {"mlflow_experiment": {"experiment_id": "` + fx.exp + `"}}}, "data": {"spans": []}}]}`,
			`{"trace_ids": ["a"], "filter": "x"}`,
		}},
		{method: "PATCH", path: sessions + "/" + fx.sid + "?update_mask=name,assigned_users,labeling_schemas,reviews_per_item,agent", reads: []string{sessions, expSessions, stats, reviewItem, "/api/assay/v1/review/sessions"}, seeds: []string{
			`{"name": "renamed", "assigned_users": ["ben@example.com"], "labeling_schemas": [{"name": "score"}], "reviews_per_item": 1, "agent": null}`,
			`{"reviews_per_item": "some"}`, `{"labeling_schemas": []}`,
		}},
		{method: "POST", path: "/api/assay/v1/experiments/" + fx.exp + "/permissions", reads: []string{"/api/assay/v1/experiments/" + fx.exp + "/permissions"}, seeds: []string{
			`{"email": "cy@example.com", "permission": "READ"}`, `{"email": "CY@EXAMPLE.COM", "permission": "MANAGE"}`, `{"email": "x", "permission": "OWNER"}`,
		}},
		{method: "POST", path: "/api/2.0/mlflow/runs/log-batch", reads: []string{"/api/2.0/mlflow/runs/get?run_id=" + fx.run}, seeds: []string{
			`{"run_id": "` + fx.run + `", "metrics": [{"key": "acc", "value": 0.9, "timestamp": 1, "step": 2}], "params": [{"key": "lr", "value": "0.1"}], "tags": [{"key": "t", "value": "v"}]}`,
			`{"run_id": "` + fx.run + `", "metrics": [{"key": "acc", "value": "NaN", "timestamp": 1}]}`, `{"run_id": "` + fx.run + `", "params": [{"key": "", "value": null}]}`,
		}},
		{method: "POST", path: "/v1/traces", header: []string{"x-mlflow-experiment-id", fx.exp}, reads: []string{traceSearch, traceGet}, seeds: []string{
			otlpJSON("0102030405060708090a0b0c0d0e0f11"),
			`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f12","spanId":"1112131415161718","name":"r","startTimeUnixNano":"9","endTimeUnixNano":"1",` +
				`"attributes":[{"key":"mlflow.spanInputs","value":{"stringValue":"{"}},{"key":"k","value":{"arrayValue":{"values":[{"intValue":"x"}]}}}]}]}]}]}`,
		}},
		{method: "POST", path: "/api/assay/v1/experiments/" + fx.exp + "/traces:import", contentType: "application/x-ndjson", reads: []string{traceSearch}, seeds: []string{
			`{"inputs": {"q": "hi"}, "outputs": "yo", "tags": {"team": "search"}}` + "\n" + otlpJSON("0102030405060708090a0b0c0d0e0f13") + "\n",
			`{"inputs": 1}` + "\n\n" + `[]` + "\n", `{"info": {"trace_id": "tr-x"}, "data": {"spans": [{}]}}`,
		}},
	}
}

// TestFuzzRoutesReachHandlers checks the fuzz target's fixtures: the first seed of every route
// is a valid request the handler accepts, so fuzzing starts from inputs that reach its logic.
func TestFuzzRoutesReachHandlers(t *testing.T) {
	env := apptest.New(t)
	for _, r := range fuzzRoutes(newFuzzFixtures(t, env)) {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		res := env.Do(r.method, r.path, r.seeds[0], append([]string{"Content-Type", ct}, r.header...)...)
		if res.Status != 200 {
			t.Errorf("%s %s: first seed answered %d: %s", r.method, r.path, res.Status, res.Body)
		}
	}
}

// FuzzJSONBodies posts fuzzed bodies to the JSON endpoints that take one, through the real Echo
// stack over a real SQLite file, as the local admin. The server must never panic or answer 5xx,
// and every 4xx must be MLflow's error envelope {"error_code", "message"}.
func FuzzJSONBodies(f *testing.F) {
	env := apptest.New(f)
	fx := newFuzzFixtures(f, env)
	routes := fuzzRoutes(fx)
	generic := []string{"", "null", "[]", "{}", `"x"`, "0", "{", `{"a":1}{"b":2}`, "\x00", `{"name": "\ud800"}`,
		strings.Repeat("[", 600) + strings.Repeat("]", 600), `{"experiment_id": {"$ne": 1}}`, `{"NAME": "dup", "name": "dup2"}`}
	for i, r := range routes {
		for _, s := range r.seeds {
			f.Add(uint8(i), []byte(s))
		}
		for _, s := range generic {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		r := routes[int(which)%len(routes)]
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(string(body)))
		req.Host = apptest.Host
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
		for i := 0; i+1 < len(r.header); i += 2 {
			req.Header.Set(r.header[i], r.header[i+1])
		}
		rec := httptest.NewRecorder()
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("%s %s panicked: %v\nbody: %q", r.method, r.path, p, body)
				}
			}()
			env.Server.Echo.ServeHTTP(rec, req)
		}()
		status, out := rec.Code, rec.Body.Bytes()
		if status >= 500 {
			t.Fatalf("%s %s: status %d\nbody: %q\nanswer: %s", r.method, r.path, status, body, out)
		}
		if status >= 400 {
			if err := checkEnvelope(out); err != nil {
				t.Fatalf("%s %s: status %d answer is not MLflow's error envelope: %v\nbody: %q\nanswer: %s", r.method, r.path, status, err, body, out)
			}
		}
		if status < 300 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && !json.Valid(out) {
			t.Fatalf("%s %s: status %d with invalid JSON\nbody: %q\nanswer: %s", r.method, r.path, status, body, out)
		}
		// Whatever the request stored (or, answering 4xx, must not have stored), every reader
		// of it must still work.
		for _, path := range r.reads {
			rreq := httptest.NewRequest("GET", path, nil)
			rreq.Host = apptest.Host
			rrec := httptest.NewRecorder()
			env.Server.Echo.ServeHTTP(rrec, rreq)
			if rrec.Code >= 500 {
				t.Fatalf("after %s %s (status %d), GET %s: status %d\nbody: %q\nanswer: %s", r.method, r.path, status, path, rrec.Code, body, rrec.Body.Bytes())
			}
		}
	})
}

// checkEnvelope reports whether an error answer is {"error_code": "...", "message": "..."} with
// nothing else but an optional "field".
func checkEnvelope(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	code, _ := m["error_code"].(string)
	if code == "" {
		return fmt.Errorf("no error_code")
	}
	if _, ok := m["message"].(string); !ok {
		return fmt.Errorf("no message")
	}
	for k := range m {
		if k != "error_code" && k != "message" && k != "field" {
			return fmt.Errorf("unexpected key %q", k)
		}
	}
	return nil
}
