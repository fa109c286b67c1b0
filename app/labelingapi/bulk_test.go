package labelingapi_test

import (
	"context"
	"testing"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// TestAddTenThousandTracesInOneRequest: a filter adds every match, not one page, in one request.
func TestAddTenThousandTracesInOneRequest(t *testing.T) {
	tm := newTeam(t)
	const n = 10_000
	spans := make([]model.Span, 0, n)
	for i := range n {
		spans = append(spans, model.Span{TraceID: store.NewHexID(16), SpanID: store.NewHexID(8), Name: "bulk", StartTimeNs: int64(1e18) + int64(i),
			EndTimeNs: int64(1e18) + int64(i) + 1000, StatusCode: model.StatusOK, Attributes: map[string]any{model.AttrSpanInputs: map[string]any{"i": i}}})
	}
	ids, err := tm.env.DB.LogSpans(context.Background(), tm.exp, spans)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:10] {
		if err := tm.env.DB.SetTraceTag(context.Background(), id, "batch", "small"); err != nil {
			t.Fatal(err)
		}
	}
	sess := tm.dev.MustOK("POST", tm.sessionsPath(), map[string]any{"name": "bulk", "labeling_schemas": []map[string]string{{"name": "guidelines"}}})
	sid := sess["labeling_session_id"].(string)
	got := tm.dev.MustOK("POST", "/api/assay/v1/sessions/"+sid+"/traces", map[string]any{"filter": "timestamp_ms > 0"})
	want(t, "added", got, map[string]int{"added": n, "already_present": 0, "total_items": n})
	got = tm.dev.MustOK("POST", "/api/assay/v1/sessions/"+sid+"/traces", map[string]any{"filter": "tags.batch = 'small'"})
	want(t, "added again", got, map[string]int{"added": 0, "already_present": 10, "total_items": n})
	progress, err := tm.env.DB.FindSessionProgress(context.Background(), sid)
	if err != nil || progress.Total != n || progress.Pending != n {
		t.Fatalf("progress = %+v, %v", progress, err)
	}
}
