package labelingapi_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/assay-labs/assay/app/apptest"
)

// TestConcurrentReviewers has 20 reviewers work one session of 60 items with
// reviews_per_item=2 at the same time, each looping next → submit until nothing is left for
// them, through the real server over a real SQLite file. No request may fail, every item must
// end COMPLETED with exactly two completed reviews by two different reviewers (none
// over-reviewed, none lost), and every acknowledged answer must be stored, valid, afterwards.
func TestConcurrentReviewers(t *testing.T) {
	const reviewers, items, perItem = 20, 60, 2
	tm := newTeam(t)
	tm.dev.MustOK("POST", "/api/3.0/mlflow/label-schemas/create", map[string]any{"experiment_id": tm.exp, "name": "quality", "type": "FEEDBACK",
		"input": map[string]any{"categorical": map[string]any{"options": []string{"Poor", "Fair", "Good"}}}})
	tm.dev.MustOK("POST", "/api/3.0/mlflow/label-schemas/create", map[string]any{"experiment_id": tm.exp, "name": "score", "type": "FEEDBACK",
		"input": map[string]any{"numeric": map[string]any{"min_value": 0, "max_value": 1000}}})
	var emails []string
	var envs []*apptest.Env
	for i := range reviewers {
		e := fmt.Sprintf("r%02d@example.com", i)
		emails = append(emails, e)
		envs = append(envs, tm.env.As(tm.env.User(e, false)))
	}
	sess := tm.dev.MustOK("POST", tm.sessionsPath(), map[string]any{"name": "crowd", "assigned_users": emails, "reviews_per_item": perItem,
		"labeling_schemas": []map[string]string{{"name": "quality"}, {"name": "score"}}})
	sid := sess["labeling_session_id"].(string)
	var traces []string
	for i := range items {
		traces = append(traces, tm.trace(t, map[string]any{"n": i}, "out", nil))
	}
	tm.dev.MustOK("POST", "/api/assay/v1/sessions/"+sid+"/traces", map[string]any{"trace_ids": traces})

	type ack struct {
		item, reviewer, quality string
		score                   int
	}
	var (
		mu       sync.Mutex
		acks     []ack
		failures []string
		wg       sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	review := "/api/assay/v1/review/sessions/" + sid
	for i, who := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			for {
				r := who.Do("POST", review+"/next", map[string]any{})
				if r.Status != 200 {
					fail("%s next: %d %s", emails[i], r.Status, r.Body)
					return
				}
				var next struct {
					Item *struct {
						ItemID string `json:"item_id"`
					} `json:"item"`
				}
				if err := json.Unmarshal(r.Body, &next); err != nil {
					fail("%s next: %v", emails[i], err)
					return
				}
				if next.Item == nil {
					return
				}
				a := ack{item: next.Item.ItemID, reviewer: emails[i], quality: []string{"Poor", "Fair", "Good"}[rng.IntN(3)], score: rng.IntN(1001)}
				r = who.Do("POST", review+"/items/"+a.item+"/submit", map[string]any{"time_spent_ms": 10, "answers": map[string]any{
					"quality": map[string]any{"value": a.quality}, "score": map[string]any{"value": a.score}}})
				if r.Status != 200 {
					fail("%s submit %s: %d %s", emails[i], a.item, r.Status, r.Body)
					return
				}
				mu.Lock()
				acks = append(acks, a)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	want(t, "acknowledged submissions", len(acks), items*perItem)

	// Every item: COMPLETED, exactly two completed reviews by two different reviewers.
	list := tm.dev.MustOK("GET", tm.sessionsPath()+"/"+sid+"/items", nil)["items"].([]any)
	want(t, "items", len(list), items)
	for _, it := range list {
		m := it.(map[string]any)
		reviewed := map[string]int{}
		for _, rv := range m["reviews"].([]any) {
			rm := rv.(map[string]any)
			if rm["state"] != "COMPLETED" {
				t.Errorf("item %s: review by %s is %s", m["item_id"], rm["reviewer"], rm["state"])
			}
			reviewed[rm["reviewer"].(string)]++
		}
		if m["state"] != "COMPLETED" || len(reviewed) != perItem {
			t.Errorf("item %s: state %s, reviews %v; want COMPLETED by %d reviewers", m["item_id"], m["state"], reviewed, perItem)
		}
	}

	// Every acknowledged answer is there, valid, and nothing else is.
	r := tm.dev.Do("GET", "/api/assay/v1/sessions/"+sid+"/export.jsonl", nil)
	stored := map[[3]string]string{}
	total := 0
	for _, l := range parseExport(t, r.Body) {
		for _, a := range l.Answers {
			total++
			if !a.Valid {
				t.Errorf("item %s: answer %s by %s is not valid (nobody re-submitted)", l.ItemID, a.Schema, a.Reviewer)
			}
			stored[[3]string{l.ItemID, a.Reviewer, a.Schema}] = string(a.Value)
		}
	}
	want(t, "stored answers", total, len(acks)*2)
	for _, a := range acks {
		if got := stored[[3]string{a.item, a.reviewer, "quality"}]; got != `"`+a.quality+`"` {
			t.Errorf("item %s, %s: quality = %s, want %q", a.item, a.reviewer, got, a.quality)
		}
		if got := stored[[3]string{a.item, a.reviewer, "score"}]; got != fmt.Sprint(a.score) {
			t.Errorf("item %s, %s: score = %s, want %d", a.item, a.reviewer, got, a.score)
		}
	}
	var valid int
	if err := tm.env.DB.Reader.QueryRow(`SELECT count(*) FROM assessments WHERE valid = 1 AND json_extract(metadata, '$."assay.labeling_session_id"') = ?`, sid).Scan(&valid); err != nil {
		t.Fatal(err)
	}
	want(t, "valid assessments in the database", valid, len(acks)*2)
}
