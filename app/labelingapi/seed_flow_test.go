package labelingapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/assay-labs/assay/app/apptest"
	"github.com/assay-labs/assay/app/store"
)

// TestSeedFlow walks the seed documentation's flow through the API: schemas, a session, finding
// it by name and by run id, adding traces from a search and one by one, replacing and extending
// reviewers, two reviewers reviewing, syncing to a dataset, deleting the session.
func TestSeedFlow(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	var traces []string
	for i, q := range []string{"How do I reset my password?", "Where is my invoice?", "Cancel my plan", "Hello"} {
		tag := "C001"
		if i == 3 {
			tag = "C002"
		}
		traces = append(traces, tm.trace(t, map[string]any{"question": q}, "answer "+q, map[string]string{"test_tag": tag}))
	}

	// A custom schema, created twice with overwrite (the seed's create_label_schema(..., overwrite=True)).
	schema := map[string]any{"experiment_id": tm.exp, "name": "response_quality", "type": "FEEDBACK", "title": "How good is the response?",
		"input": map[string]any{"categorical": map[string]any{"options": []string{"Poor", "Good"}}}, "enable_comment": true}
	tm.dev.MustOK("POST", "/api/3.0/mlflow/label-schemas/create", schema)
	schema["input"] = map[string]any{"categorical": map[string]any{"options": []string{"Poor", "Fair", "Good", "Excellent"}}}
	mustStatus(t, tm.dev.Do("POST", "/api/3.0/mlflow/label-schemas/create", schema), 400) // exists, no overwrite
	schema["overwrite"] = true
	saved := tm.dev.MustOK("POST", "/api/3.0/mlflow/label-schemas/create", schema)
	want(t, "schema version after an overwrite before any answer (changed in place)", apptest.Get(saved, "label_schema", "version"), 1)
	same := tm.dev.MustOK("POST", "/api/3.0/mlflow/label-schemas/create", schema)
	want(t, "schema version after an identical overwrite", apptest.Get(same, "label_schema", "version"), 1)

	// Sessions: names are not unique; at least one existing schema; emails lower-cased.
	body := map[string]any{"name": "labeling_session_customer_support", "assigned_users": []string{"ANA@example.com"},
		"labeling_schemas": []map[string]string{{"name": "expected_facts"}, {"name": "response_quality"}}, "reviews_per_item": 2}
	sess := tm.dev.MustOK("POST", tm.sessionsPath(), body)
	twin := tm.dev.MustOK("POST", tm.sessionsPath(), body)
	sid, runID := sess["labeling_session_id"].(string), sess["mlflow_run_id"].(string)
	want(t, "assigned users", sess["assigned_users"], []string{"ana@example.com"})
	want(t, "url", sess["url"], "http://127.0.0.1:5000/review/"+sid)
	if twin["labeling_session_id"] == sid {
		t.Fatal("a second session with the same name must be a new session")
	}
	for name, b := range map[string]map[string]any{
		"no schema":      {"name": "x", "labeling_schemas": []any{}},
		"unknown schema": {"name": "x", "labeling_schemas": []map[string]string{{"name": "nope"}}},
		"bad email":      {"name": "x", "labeling_schemas": []map[string]string{{"name": "guidelines"}}, "assigned_users": []string{"not-an-email"}},
		"no name":        {"labeling_schemas": []map[string]string{{"name": "guidelines"}}},
		"bad rpi":        {"name": "x", "labeling_schemas": []map[string]string{{"name": "guidelines"}}, "reviews_per_item": "some"},
	} {
		t.Run("create refused/"+name, func(t *testing.T) { mustStatus(t, tm.dev.Do("POST", tm.sessionsPath(), b), 400) })
	}

	// Find it by name and by run id, the way the seed does with search_runs.
	runs := tm.dev.MustOK("POST", "/api/2.0/mlflow/runs/search", map[string]any{"experiment_ids": []string{tm.exp},
		"filter": fmt.Sprintf("tags.mlflow.runName LIKE '%%labeling_session%%' AND attribute.run_id = '%s'", runID)})
	want(t, "runs found by name and id", len(runs["runs"].([]any)), 1)
	byRun := tm.dev.MustOK("GET", "/api/assay/v1/experiments/"+tm.exp+"/sessions?run_id="+runID, nil)
	want(t, "session by run id", apptest.Get(byRun, "sessions", 0, "labeling_session_id"), sid)

	// Add traces one by one and from a search (every match); adding again changes nothing.
	added := tm.dev.MustOK("POST", "/api/assay/v1/sessions/"+sid+"/traces", map[string]any{"trace_ids": traces[:2]})
	want(t, "added by id", added, map[string]int{"added": 2, "already_present": 0, "total_items": 2})
	again := tm.dev.MustOK("POST", "/api/assay/v1/sessions/"+sid+"/traces", map[string]any{"filter": "tags.test_tag = 'C001'"})
	want(t, "added from search", again, map[string]int{"added": 1, "already_present": 2, "total_items": 3})
	items := tm.dev.MustOK("POST", tm.sessionsPath()+"/"+sid+`/items:batchCreate`, map[string]any{"items": []any{map[string]any{"source": map[string]string{"trace_id": traces[3]}}}})
	want(t, "batchCreate", len(items["items"].([]any)), 1)
	linked := tm.dev.MustOK("POST", "/api/3.0/mlflow/traces/search", map[string]any{"experiment_ids": []string{tm.exp}, "filter": "run_id = '" + runID + "'"})
	want(t, "traces linked to the session's run", len(linked["traces"].([]any)), 4)

	// Reviewers: replace (ana → ben), then extend (ben + ana). Ben gets access and a notice.
	mustStatus(t, tm.ben.Do("GET", "/api/3.0/mlflow/traces/"+traces[0], nil), 403)
	patched := tm.dev.MustOK("PATCH", tm.sessionsPath()+"/"+sid+"?update_mask=assigned_users", map[string]any{"assigned_users": []string{"ben@example.com"}})
	want(t, "replaced", patched["assigned_users"], []string{"ben@example.com"})
	extended := tm.dev.MustOK("PUT", "/api/assay/v1/sessions/"+sid+"/assigned-users", map[string]any{"assigned_users": []string{"ben@example.com", "ana@example.com"}})
	want(t, "extended", extended["assigned_users"], []string{"ben@example.com", "ana@example.com"})
	tm.ben.MustOK("GET", "/api/3.0/mlflow/traces/"+traces[0], nil)
	notes := tm.ben.MustOK("GET", "/api/assay/v1/notifications", nil)
	want(t, "ben's notice link", apptest.Get(notes, "notifications", 0, "link"), "http://127.0.0.1:5000/review/"+sid)

	// Review: ana and ben each get the first item (two reviews needed); an invalid answer stores nothing.
	reviewPath := "/api/assay/v1/review/sessions/" + sid
	anaItem := tm.ana.MustOK("POST", reviewPath+"/next", map[string]any{})["item"].(map[string]any)
	benItem := tm.ben.MustOK("POST", reviewPath+"/next", map[string]any{})["item"].(map[string]any)
	if anaItem["item_id"] != benItem["item_id"] {
		t.Fatalf("with reviews_per_item=2 both reviewers start on the first item: %v vs %v", anaItem["item_id"], benItem["item_id"])
	}
	want(t, "item inputs", apptest.Get(anaItem, "trace", "inputs", "question"), "How do I reset my password?")
	item := anaItem["item_id"].(string)
	bad := tm.ana.Do("POST", reviewPath+"/items/"+item+"/submit", map[string]any{"answers": map[string]any{
		"expected_facts": map[string]any{"value": []string{"Use the reset link"}}, "response_quality": map[string]any{"value": "Great"}}})
	want(t, "invalid answer field", mustStatus(t, bad, 400)["field"], "answers.response_quality.value")
	info := tm.dev.MustOK("GET", "/api/3.0/mlflow/traces/"+traces[0], nil)
	want(t, "assessments after a refused submission", len(apptest.Get(info, "trace", "trace_info", "assessments").([]any)), 0)

	submit := func(who *apptest.Env, facts []string, quality, comment string) {
		t.Helper()
		who.MustOK("POST", reviewPath+"/items/"+item+"/submit", map[string]any{"time_spent_ms": 1200, "answers": map[string]any{
			"expected_facts": map[string]any{"value": facts}, "response_quality": map[string]any{"value": quality, "comment": comment}}})
	}
	submit(tm.ana, []string{"Use the reset link"}, "Good", "clear")
	got := tm.dev.MustOK("GET", tm.sessionsPath()+"/"+sid+"/items/"+item, nil)
	want(t, "state after one of two reviews", got["state"], "IN_PROGRESS")
	submit(tm.ben, []string{"Reset link in settings"}, "Fair", "")
	got = tm.dev.MustOK("GET", tm.sessionsPath()+"/"+sid+"/items/"+item, nil)
	want(t, "state after two reviews", got["state"], "COMPLETED")
	// A third reviewer cannot over-review a completed item.
	mustStatus(t, tm.dev.Do("POST", reviewPath+"/items/"+item+"/submit", map[string]any{"answers": map[string]any{"response_quality": map[string]any{"value": "Good"}}}), 400)

	// The schema changes after answers exist: a new version. Ana then changes her answer: a new
	// assessment (naming version 2) overrides hers, which is kept as invalid.
	schema["input"] = map[string]any{"categorical": map[string]any{"options": []string{"Poor", "Fair", "Good", "Excellent", "Outstanding"}}}
	v2 := tm.dev.MustOK("POST", "/api/3.0/mlflow/label-schemas/create", schema)
	want(t, "schema version after a change once answered", apptest.Get(v2, "label_schema", "version"), 2)
	submit(tm.ana, []string{"Use the reset link", "It expires in 1 hour"}, "Excellent", "better")
	info = tm.dev.MustOK("GET", "/api/3.0/mlflow/traces/"+traces[0], nil)
	as := apptest.Get(info, "trace", "trace_info", "assessments").([]any)
	want(t, "assessments on the trace (2 by ana's first, 2 by ben, 2 by ana's second)", len(as), 6)
	var invalid, anaQuality int
	for _, a := range as {
		m := a.(map[string]any)
		if m["valid"] == false {
			invalid++
		}
		if apptest.Get(m, "source", "source_id") == "ana@example.com" && m["assessment_name"] == "response_quality" && m["valid"] == true {
			anaQuality++
			want(t, "ana's current answer", apptest.Get(m, "feedback", "value"), "Excellent")
			want(t, "comment as rationale", m["rationale"], "better")
			want(t, "metadata names the session", apptest.Get(m, "metadata", "assay.labeling_session_id"), sid)
			want(t, "metadata names the schema version", apptest.Get(m, "metadata", "assay.schema_version"), "2")
		}
	}
	want(t, "overridden assessments kept", invalid, 2)
	want(t, "ana's valid quality answers", anaQuality, 1)

	// Sync: a record with the same inputs exists with other expectations; another record is unrelated.
	ds, err := tm.env.DB.CreateDataset(ctx, store.DatasetCreate{Name: "golden", ExperimentIDs: []string{tm.exp}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tm.env.DB.MergeRecords(ctx, ds.DatasetID, []store.RecordInput{
		{Inputs: json.RawMessage(`{"question": "How do I reset my password?"}`), Outputs: json.RawMessage(`"kept"`), HasOutputs: true,
			Expectations: map[string]json.RawMessage{"expected_facts": json.RawMessage(`["old"]`), "guidelines": json.RawMessage(`["be kind"]`)}},
		{Inputs: json.RawMessage(`{"question": "unrelated"}`), Expectations: map[string]json.RawMessage{"expected_facts": json.RawMessage(`["x"]`)}},
	}, ""); err != nil {
		t.Fatal(err)
	}
	// A second trace gets an expectation from ben only, so it becomes a new record.
	item2 := tm.ben.MustOK("POST", reviewPath+"/next", map[string]any{})["item"].(map[string]any)["item_id"].(string)
	tm.ben.MustOK("POST", reviewPath+"/items/"+item2+"/submit", map[string]any{"answers": map[string]any{"expected_facts": map[string]any{"value": []string{"Invoices are under Billing"}}}})
	res := tm.dev.MustOK("POST", "/api/assay/v1/sessions/"+sid+"/sync", map[string]any{"dataset_name": "golden"})
	want(t, "sync result", res, map[string]any{"dataset_id": ds.DatasetID, "inserted": 1, "updated": 1})
	recs, err := tm.env.DB.FindRecords(ctx, ds.DatasetID, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("dataset has %d records, want 3", len(recs))
	}
	want(t, "matched record: expected_facts overwritten by the latest valid answer (ana's)", recs[0].Expectations["expected_facts"], []string{"Use the reset link", "It expires in 1 hour"})
	want(t, "matched record: other expectations kept", recs[0].Expectations["guidelines"], []string{"be kind"})
	want(t, "matched record: outputs untouched", recs[0].Outputs, "kept")
	want(t, "matched record: feedback does not sync", recs[0].Expectations["response_quality"], nil)
	want(t, "unrelated record untouched", recs[1].Expectations["expected_facts"], []string{"x"})
	want(t, "new record from the trace", recs[2].Expectations["expected_facts"], []string{"Invoices are under Billing"})
	want(t, "new record source", recs[2].SourceType, "TRACE")
	want(t, "new record source id", recs[2].SourceID, traces[1])

	// Delete: gone from the review app, the run is deleted, traces and assessments stay.
	tm.dev.MustOK("DELETE", tm.sessionsPath()+"/"+sid, nil)
	mustStatus(t, tm.dev.Do("GET", tm.sessionsPath()+"/"+sid, nil), 404)
	run := tm.dev.MustOK("GET", "/api/2.0/mlflow/runs/get?run_id="+runID, nil)
	want(t, "run lifecycle", apptest.Get(run, "run", "info", "lifecycle_stage"), "deleted")
	info = tm.dev.MustOK("GET", "/api/3.0/mlflow/traces/"+traces[0], nil)
	want(t, "assessments kept after delete", len(apptest.Get(info, "trace", "trace_info", "assessments").([]any)), 6)
	list := tm.dev.MustOK("GET", tm.sessionsPath(), nil)
	want(t, "sessions left (the twin)", len(list["labeling_sessions"].([]any)), 1)
	// Ben's reviewer grant came from the deleted session only.
	mustStatus(t, tm.ben.Do("GET", "/api/3.0/mlflow/traces/"+traces[0], nil), 403)
	audit := tm.env.DB
	events, err := audit.FindAuditEvents(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range events {
		actions[e.Action]++
	}
	for _, a := range []string{"session.create", "session.update", "session.delete", "assessment.override", "session.sync"} {
		if actions[a] == 0 {
			t.Errorf("audit log lacks %s: %v", a, actions)
		}
	}
}

// TestTracesInSessionsAreNotDeleted: deleting a trace would delete the human labels on it.
func TestTracesInSessionsAreNotDeleted(t *testing.T) {
	tm := newTeam(t)
	kept := tm.trace(t, map[string]any{"q": "a"}, "b", nil)
	free := tm.trace(t, map[string]any{"q": "c"}, "d", nil)
	sess := tm.dev.MustOK("POST", tm.sessionsPath(), map[string]any{"name": "s", "labeling_schemas": []map[string]string{{"name": "guidelines"}}})
	tm.dev.MustOK("POST", "/api/assay/v1/sessions/"+sess["labeling_session_id"].(string)+"/traces", map[string]any{"trace_ids": []string{kept}})
	r := tm.dev.Do("POST", "/api/3.0/mlflow/traces/delete-traces", map[string]any{"experiment_id": tm.exp, "request_ids": []string{kept}})
	want(t, "field", mustStatus(t, r, 400)["field"], "request_ids")
	n := tm.dev.MustOK("POST", "/api/3.0/mlflow/traces/delete-traces", map[string]any{"experiment_id": tm.exp, "max_timestamp_millis": 1 << 62})
	want(t, "deleted by age (the session's trace kept)", n["traces_deleted"], 1)
	tm.dev.MustOK("GET", "/api/3.0/mlflow/traces/"+kept, nil)
	mustStatus(t, tm.dev.Do("GET", "/api/3.0/mlflow/traces/"+free, nil), 404)
}

// TestDocumentedRunQueryFindsSession: the Databricks docs find a session's run with
// tags.mlflow.runName LIKE '%labeling_session%' AND attribute.run_id = '…', whatever the name.
func TestDocumentedRunQueryFindsSession(t *testing.T) {
	tm := newTeam(t)
	sess := tm.dev.MustOK("POST", tm.sessionsPath(), map[string]any{"name": "customer_service_review_jan_2024", "labeling_schemas": []map[string]string{{"name": "guidelines"}}})
	runID := sess["mlflow_run_id"].(string)
	runs := tm.dev.MustOK("POST", "/api/2.0/mlflow/runs/search", map[string]any{"experiment_ids": []string{tm.exp},
		"filter": fmt.Sprintf("tags.mlflow.runName LIKE '%%labeling_session%%' AND attribute.run_id = '%s'", runID)})
	want(t, "runs found", len(runs["runs"].([]any)), 1)
	want(t, "run name", apptest.Get(runs, "runs", 0, "info", "run_name"), "customer_service_review_jan_2024 (labeling_session)")
	want(t, "session name", sess["name"], "customer_service_review_jan_2024")
}
