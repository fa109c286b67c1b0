package labelingapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// exportLine mirrors one line of the session export.
type exportLine struct {
	ItemID   string          `json:"item_id"`
	Position int             `json:"position"`
	State    string          `json:"state"`
	TraceID  string          `json:"trace_id"`
	Inputs   json.RawMessage `json:"inputs"`
	Outputs  json.RawMessage `json:"outputs"`
	Answers  []struct {
		Reviewer      string          `json:"reviewer"`
		Schema        string          `json:"schema"`
		SchemaVersion string          `json:"schema_version"`
		Value         json.RawMessage `json:"value"`
		Comment       string          `json:"comment"`
		Valid         bool            `json:"valid"`
		AssessmentID  string          `json:"assessment_id"`
		CreatedTime   int64           `json:"created_time"`
	} `json:"answers"`
	Reviews []struct {
		Reviewer      string `json:"reviewer"`
		State         string `json:"state"`
		CompletedTime *int64 `json:"completed_time"`
		TimeSpentMs   int64  `json:"time_spent_ms"`
	} `json:"reviews"`
}

func parseExport(t *testing.T, body []byte) []exportLine {
	t.Helper()
	var out []exportLine
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l exportLine
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil && !strings.Contains(err.Error(), "unknown field") {
			t.Fatalf("line %d: %v\n%s", len(out)+1, err, sc.Text())
		}
		out = append(out, l)
	}
	return out
}

func TestSessionExport(t *testing.T) {
	ss := newScoredSession(t)
	r := ss.dev.Do("GET", "/api/assay/v1/sessions/"+ss.sid+"/export.jsonl", nil)
	if r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	want(t, "content type", r.Header.Get("Content-Type"), "application/x-ndjson")
	want(t, "content disposition", r.Header.Get("Content-Disposition"), `attachment; filename=session-scored.jsonl`)
	lines := parseExport(t, r.Body)
	if len(lines) != 5 {
		t.Fatalf("%d lines, want 5 (one per item)", len(lines))
	}
	for i, l := range lines {
		want(t, "item id", l.ItemID, ss.items[i])
		want(t, "position", l.Position, i)
		want(t, "inputs", json.RawMessage(l.Inputs), json.RawMessage(`{"question":"q`+itoa(i+1)+`"}`))
		want(t, "outputs", json.RawMessage(l.Outputs), json.RawMessage(`"a`+itoa(i+1)+`"`))
	}
	want(t, "item 5 state", lines[4].State, "IN_PROGRESS")

	// Item 2 carries ana's overridden first answers (valid=false) and her current ones.
	type ans struct {
		Reviewer, Schema, Value string
		Valid                   bool
	}
	var got []ans
	for _, a := range lines[1].Answers {
		got = append(got, ans{a.Reviewer, a.Schema, string(a.Value), a.Valid})
		if a.SchemaVersion != "1" || a.AssessmentID == "" || a.CreatedTime == 0 {
			t.Errorf("answer lacks version, id or time: %+v", a)
		}
	}
	want(t, "item 2 answers, oldest first", got, []ans{
		{"ana@example.com", "quality", `"Fair"`, false}, {"ana@example.com", "score", "2", false}, {"ana@example.com", "tags", `["a"]`, false},
		{"ana@example.com", "quality", `"Poor"`, true}, {"ana@example.com", "score", "2", true}, {"ana@example.com", "tags", `["a"]`, true},
		{"ben@example.com", "quality", `"Good"`, true}, {"ben@example.com", "score", "2", true}, {"ben@example.com", "tags", `["a","c"]`, true},
	})

	// Item 5: ana skipped, ben completed.
	reviews := map[string]string{}
	for _, rv := range lines[4].Reviews {
		reviews[rv.Reviewer] = rv.State
		if rv.CompletedTime == nil {
			t.Errorf("review of %s has no completed_time", rv.Reviewer)
		}
		if rv.Reviewer == "ben@example.com" && rv.TimeSpentMs != 500 {
			t.Errorf("ben's time on item 5 = %d, want 500", rv.TimeSpentMs)
		}
	}
	want(t, "item 5 reviews", reviews, map[string]string{"ana@example.com": "SKIPPED", "ben@example.com": "COMPLETED"})

	stranger := ss.env.As(ss.env.User("eve@example.com", false))
	mustStatus(t, stranger.Do("GET", "/api/assay/v1/sessions/"+ss.sid+"/export.jsonl", nil), 403)
	mustStatus(t, ss.dev.Do("GET", "/api/assay/v1/sessions/nope/export.jsonl", nil), 404)
}

// TestSessionExportPages exports a session larger than one page of the streaming reader and
// checks every item comes out once, in order.
func TestSessionExportPages(t *testing.T) {
	tm := newTeam(t)
	const n = 1203
	var spans []model.Span
	for i := range n {
		spans = append(spans, model.Span{TraceID: store.NewHexID(16), SpanID: store.NewHexID(8), Name: "root", StartTimeNs: int64(1_700_000_000_000_000_000 + i),
			EndTimeNs: int64(1_700_000_001_000_000_000 + i), StatusCode: model.StatusOK, Attributes: map[string]any{model.AttrSpanInputs: map[string]any{"i": i}}})
	}
	ids, err := tm.env.DB.LogSpans(context.Background(), tm.exp, spans)
	if err != nil {
		t.Fatal(err)
	}
	sess := tm.dev.MustOK("POST", tm.sessionsPath(), map[string]any{"name": "big", "labeling_schemas": []map[string]string{{"name": "guidelines"}}})
	sid := sess["labeling_session_id"].(string)
	tm.dev.MustOK("POST", "/api/assay/v1/sessions/"+sid+"/traces", map[string]any{"trace_ids": ids})
	r := tm.dev.Do("GET", "/api/assay/v1/sessions/"+sid+"/export.jsonl", nil)
	lines := parseExport(t, r.Body)
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	seen := map[string]bool{}
	for i, l := range lines {
		if l.Position != i || seen[l.ItemID] {
			t.Fatalf("line %d: position %d, item %s (seen before: %v)", i, l.Position, l.ItemID, seen[l.ItemID])
		}
		seen[l.ItemID] = true
		var in struct{ I int }
		if err := json.Unmarshal(l.Inputs, &in); err != nil || l.TraceID != ids[i] {
			t.Fatalf("line %d: trace %s inputs %s, want trace %s", i, l.TraceID, l.Inputs, ids[i])
		}
	}
}
