package mlflowapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/apptest"
)

const otlpJSONHeader = "application/json"

// scenario is one request and what must come back.
type scenario struct {
	name       string
	method     string
	path       string
	body       any
	wantStatus int
	wantCode   string // error_code for failures
	wantField  string // field named by a validation error
	check      func(t *testing.T, body map[string]any)
}

func run(t *testing.T, env *apptest.Env, scenarios []scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			r := env.Do(s.method, s.path, s.body)
			if r.Status != s.wantStatus {
				t.Fatalf("status = %d, want %d\n%s", r.Status, s.wantStatus, r.Body)
			}
			body := r.JSON(t)
			if s.wantCode != "" && body["error_code"] != s.wantCode {
				t.Errorf("error_code = %v, want %s (%s)", body["error_code"], s.wantCode, r.Body)
			}
			if s.wantField != "" && body["field"] != s.wantField {
				t.Errorf("field = %v, want %s (%s)", body["field"], s.wantField, r.Body)
			}
			if s.check != nil {
				s.check(t, body)
			}
		})
	}
}

func TestExperiments(t *testing.T) {
	env := apptest.New(t)
	run(t, env, []scenario{
		{name: "default experiment exists", method: "GET", path: "/api/2.0/mlflow/experiments/get?experiment_id=0", wantStatus: 200,
			check: func(t *testing.T, b map[string]any) { wantEq(t, apptest.Get(b, "experiment", "name"), "Default") }},
		{name: "create", method: "POST", path: "/api/2.0/mlflow/experiments/create", body: map[string]any{"name": "support-bot", "tags": []map[string]string{{"key": "team", "value": "x"}}}, wantStatus: 200,
			check: func(t *testing.T, b map[string]any) { wantEq(t, b["experiment_id"], "1") }},
		{name: "duplicate name", method: "POST", path: "/api/2.0/mlflow/experiments/create", body: map[string]any{"name": "support-bot"}, wantStatus: 400, wantCode: "RESOURCE_ALREADY_EXISTS"},
		{name: "missing name", method: "POST", path: "/api/2.0/mlflow/experiments/create", body: map[string]any{}, wantStatus: 400, wantCode: "INVALID_PARAMETER_VALUE", wantField: "name"},
		{name: "wrong type", method: "POST", path: "/api/2.0/mlflow/experiments/create", body: `{"name": 5}`, wantStatus: 400, wantField: "name"},
		{name: "malformed JSON", method: "POST", path: "/api/2.0/mlflow/experiments/create", body: `{"name": `, wantStatus: 400, wantCode: "INVALID_PARAMETER_VALUE"},
		{name: "get by name", method: "GET", path: "/api/2.0/mlflow/experiments/get-by-name?experiment_name=support-bot", wantStatus: 200,
			check: func(t *testing.T, b map[string]any) { wantEq(t, apptest.Get(b, "experiment", "tags", 0, "value"), "x") }},
		{name: "unknown id", method: "GET", path: "/api/2.0/mlflow/experiments/get?experiment_id=42", wantStatus: 404, wantCode: "RESOURCE_DOES_NOT_EXIST"},
		{name: "non-numeric id", method: "GET", path: "/api/2.0/mlflow/experiments/get?experiment_id=abc", wantStatus: 400, wantField: "experiment_id"},
		{name: "search via ajax-api alias", method: "POST", path: "/ajax-api/2.0/mlflow/experiments/search", body: map[string]any{"filter": "name LIKE 'support%'"}, wantStatus: 200,
			check: func(t *testing.T, b map[string]any) { wantLen(t, b["experiments"], 1) }},
		{name: "rename", method: "POST", path: "/api/2.0/mlflow/experiments/update", body: map[string]any{"experiment_id": "1", "new_name": "bot"}, wantStatus: 200},
		{name: "delete", method: "POST", path: "/api/2.0/mlflow/experiments/delete", body: map[string]any{"experiment_id": "1"}, wantStatus: 200},
		{name: "deleted is hidden from active search", method: "POST", path: "/api/2.0/mlflow/experiments/search", body: map[string]any{}, wantStatus: 200,
			check: func(t *testing.T, b map[string]any) { wantLen(t, b["experiments"], 1) }},
		{name: "restore", method: "POST", path: "/api/2.0/mlflow/experiments/restore", body: map[string]any{"experiment_id": "1"}, wantStatus: 200},
		{name: "default cannot be deleted", method: "POST", path: "/api/2.0/mlflow/experiments/delete", body: map[string]any{"experiment_id": "0"}, wantStatus: 400},
		{name: "unknown API path is a JSON 404", method: "GET", path: "/api/2.0/mlflow/nothing-here", wantStatus: 404, wantCode: "ENDPOINT_NOT_FOUND"},
	})
}

func TestRunsAndRunFilter(t *testing.T) {
	env := apptest.New(t)
	var a, b string
	run(t, env, []scenario{
		{name: "create labeling run", method: "POST", path: "/api/2.0/mlflow/runs/create", body: map[string]any{"experiment_id": "0", "run_name": "labeling_session_one"}, wantStatus: 200,
			check: func(t *testing.T, body map[string]any) { a = apptest.Get(body, "run", "info", "run_id").(string) }},
		{name: "create other run", method: "POST", path: "/api/2.0/mlflow/runs/create", body: map[string]any{"experiment_id": "0", "tags": []map[string]string{{"key": "mlflow.runName", "value": "training"}}}, wantStatus: 200,
			check: func(t *testing.T, body map[string]any) {
				b = apptest.Get(body, "run", "info", "run_id").(string)
				wantEq(t, apptest.Get(body, "run", "info", "run_name"), "training")
			}},
		{name: "unknown experiment", method: "POST", path: "/api/2.0/mlflow/runs/create", body: map[string]any{"experiment_id": "9"}, wantStatus: 404},
	})
	search := func(filter string) scenario {
		return scenario{name: "search " + filter, method: "POST", path: "/api/2.0/mlflow/runs/search", wantStatus: 200,
			body: map[string]any{"experiment_ids": []string{"0"}, "filter": filter}}
	}
	s1 := search("tags.mlflow.runName LIKE '%labeling%'")
	s1.check = func(t *testing.T, body map[string]any) { wantLen(t, body["runs"], 1) }
	s2 := search(fmt.Sprintf("tags.mlflow.runName LIKE '%%labeling_session%%' AND attribute.run_id = '%s'", a))
	s2.check = func(t *testing.T, body map[string]any) {
		wantLen(t, body["runs"], 1)
		wantEq(t, apptest.Get(body, "runs", 0, "info", "run_id"), a)
	}
	s3 := search(fmt.Sprintf("tags.mlflow.runName LIKE '%%labeling%%' AND attribute.run_id = '%s'", b))
	s3.check = func(t *testing.T, body map[string]any) { wantLen(t, body["runs"], 0) }
	s4 := search("tags.mlflow.runName LIKE '%LABELING%'")
	s4.check = func(t *testing.T, body map[string]any) { wantLen(t, body["runs"], 0) } // LIKE is case-sensitive, as in MLflow
	s5 := search("tags.mlflow.runName ILIKE '%LABELING%'")
	s5.check = func(t *testing.T, body map[string]any) { wantLen(t, body["runs"], 1) }
	bad := search("tags.mlflow.runName LIKEE 'x'")
	bad.wantStatus, bad.wantCode, bad.wantField = 400, "INVALID_PARAMETER_VALUE", "filter"
	bad.check = func(t *testing.T, body map[string]any) {
		if msg, _ := body["message"].(string); !strings.Contains(msg, "position") {
			t.Errorf("message %q does not say where the filter broke", msg)
		}
	}
	run(t, env, []scenario{s1, s2, s3, s4, s5, bad,
		{name: "log batch", method: "POST", path: "/api/2.0/mlflow/runs/log-batch", wantStatus: 200, body: map[string]any{"run_id": b,
			"metrics": []map[string]any{{"key": "acc", "value": 0.9, "timestamp": 1, "step": 1}}, "params": []map[string]any{{"key": "lr", "value": "0.1"}}}},
		{name: "param change refused", method: "POST", path: "/api/2.0/mlflow/runs/log-parameter", wantStatus: 400, body: map[string]any{"run_id": b, "key": "lr", "value": "0.2"}},
		{name: "metric filter", method: "POST", path: "/api/2.0/mlflow/runs/search", wantStatus: 200, body: map[string]any{"experiment_ids": []string{"0"}, "filter": "metrics.acc > 0.5"},
			check: func(t *testing.T, body map[string]any) { wantLen(t, body["runs"], 1) }},
		{name: "delete run", method: "POST", path: "/api/2.0/mlflow/runs/delete", body: map[string]any{"run_id": a}, wantStatus: 200},
		{name: "deleted run hidden", method: "POST", path: "/api/2.0/mlflow/runs/search", wantStatus: 200, body: map[string]any{"experiment_ids": []string{"0"}, "filter": "tags.mlflow.runName LIKE '%labeling%'"},
			check: func(t *testing.T, body map[string]any) { wantLen(t, body["runs"], 0) }},
		{name: "deleted run visible with ALL", method: "POST", path: "/api/2.0/mlflow/runs/search", wantStatus: 200, body: map[string]any{"experiment_ids": []string{"0"}, "run_view_type": "ALL", "filter": "tags.mlflow.runName LIKE '%labeling%'"},
			check: func(t *testing.T, body map[string]any) { wantLen(t, body["runs"], 1) }},
		{name: "unknown run", method: "GET", path: "/api/2.0/mlflow/runs/get?run_id=ffff", wantStatus: 404},
	})
}

func wantEq(t *testing.T, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func wantLen(t *testing.T, v any, n int) {
	t.Helper()
	l, _ := v.([]any)
	if len(l) != n {
		t.Errorf("len = %d, want %d: %v", len(l), n, v)
	}
}

// TestWritesAreAttributedToTheCaller: with an API token, the run's user is the token's owner,
// not the OS user the MLflow client reports.
func TestWritesAreAttributedToTheCaller(t *testing.T) {
	env := apptest.NewOIDC(t)
	ana := env.As(env.User("ana@example.com", false))
	exp := ana.MustOK("POST", "/api/2.0/mlflow/experiments/create", map[string]any{"name": "e"})["experiment_id"]
	run := ana.MustOK("POST", "/api/2.0/mlflow/runs/create", map[string]any{"experiment_id": exp, "user_id": "root",
		"tags": []map[string]string{{"key": "mlflow.user", "value": "root"}}})
	wantEq(t, apptest.Get(run, "run", "info", "user_id"), "ana@example.com")
	ds := ana.MustOK("POST", "/api/3.0/mlflow/datasets/create", map[string]any{"name": "d", "experiment_ids": []any{exp}, "created_by": "root"})
	wantEq(t, apptest.Get(ds, "dataset", "created_by"), "ana@example.com")
}
