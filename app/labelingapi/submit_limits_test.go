package labelingapi_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/assay-labs/assay/app/store"
)

// TestSubmitTimeSpentBounded: time_spent_ms is capped per submission. Unbounded, two submits of
// a huge value overflowed the reviewer's running total into a REAL that no later read could
// scan, so the item list, stats and export of the whole session answered 500 from then on.
func TestSubmitTimeSpentBounded(t *testing.T) {
	tm := newTeam(t)
	tm.dev.MustOK("POST", "/api/3.0/mlflow/label-schemas/create", map[string]any{"experiment_id": tm.exp, "name": "ok", "type": "FEEDBACK",
		"input": map[string]any{"pass_fail": map[string]any{"positive_label": "Yes", "negative_label": "No"}}})
	sid := tm.dev.MustOK("POST", tm.sessionsPath(), map[string]any{"name": "s", "assigned_users": []string{"ana@example.com"},
		"labeling_schemas": []map[string]string{{"name": "ok"}}})["labeling_session_id"].(string)
	tm.dev.MustOK("POST", "/api/assay/v1/sessions/"+sid+"/traces", map[string]any{"trace_ids": []string{tm.trace(t, "q", "a", nil)}})
	item := tm.ana.MustOK("POST", "/api/assay/v1/review/sessions/"+sid+"/next", map[string]any{})["item"].(map[string]any)["item_id"].(string)
	submit := "/api/assay/v1/review/sessions/" + sid + "/items/" + item + "/submit"
	answer := func(ms int64) string {
		return fmt.Sprintf(`{"answers": {"ok": {"value": true}}, "time_spent_ms": %d}`, ms)
	}

	for range 2 {
		b := mustStatus(t, tm.ana.Do("POST", submit, answer(math.MaxInt64)), 400)
		want(t, "field", b["field"], "time_spent_ms")
	}
	for range 2 {
		mustStatus(t, tm.ana.Do("POST", submit, answer(store.MaxTimeSpentMs)), 200)
	}
	for _, path := range []string{tm.sessionsPath() + "/" + sid + "/items", "/api/assay/v1/sessions/" + sid + "/stats", "/api/assay/v1/sessions/" + sid + "/export.jsonl"} {
		if r := tm.dev.Do("GET", path, nil); r.Status != 200 {
			t.Errorf("GET %s: %d %s", path, r.Status, r.Body)
		}
	}
	items := tm.dev.MustOK("GET", tm.sessionsPath()+"/"+sid+"/items", nil)["items"].([]any)
	got := items[0].(map[string]any)["reviews"].([]any)[0].(map[string]any)["time_spent_ms"]
	want(t, "time_spent_ms", got, 2*store.MaxTimeSpentMs)
}
