package labelingapi_test

import (
	"math"
	"testing"

	"github.com/assay-labs/assay/app/apptest"
)

// scoredSession is a session of five items reviewed by ana and ben (reviews_per_item 2) with
// cat assigned but idle, over four schemas — one of each kind of agreement:
//
//	item  quality (categorical)  score (numeric)  tags (categorical_list)  note (text)
//	1     Good / Good            4 / 5            [a b] / [b a]
//	2     Poor* / Good           2 / 2            [a] / [a c]
//	3     Fair / Fair            3 / –            – / –                   – / "ok"
//	4     Good / Good
//	5     skipped / Poor
//
// (*ana first answered Fair, then changed it to Poor.) Ana spends 1, 2, 3 and 4 s per item,
// ben 0.5 s.
type scoredSession struct {
	*team
	sid   string
	items []string
}

func newScoredSession(t *testing.T) *scoredSession {
	t.Helper()
	tm := newTeam(t)
	for _, s := range []map[string]any{
		{"name": "quality", "input": map[string]any{"categorical": map[string]any{"options": []string{"Poor", "Fair", "Good"}}}},
		{"name": "score", "input": map[string]any{"numeric": map[string]any{"min_value": 1, "max_value": 5}}},
		{"name": "tags", "input": map[string]any{"categorical_list": map[string]any{"options": []string{"a", "b", "c"}}}},
		{"name": "note", "input": map[string]any{"text": map[string]any{}}},
	} {
		s["experiment_id"], s["type"] = tm.exp, "FEEDBACK"
		tm.dev.MustOK("POST", "/api/3.0/mlflow/label-schemas/create", s)
	}
	sess := tm.dev.MustOK("POST", tm.sessionsPath(), map[string]any{"name": "scored", "reviews_per_item": 2,
		"assigned_users":   []string{"ana@example.com", "ben@example.com", "cat@example.com"},
		"labeling_schemas": []map[string]string{{"name": "quality"}, {"name": "score"}, {"name": "tags"}, {"name": "note"}}})
	ss := &scoredSession{team: tm, sid: sess["labeling_session_id"].(string)}
	var traces []string
	for i := 1; i <= 5; i++ {
		traces = append(traces, tm.trace(t, map[string]any{"question": "q" + itoa(i)}, "a"+itoa(i), nil))
	}
	tm.dev.MustOK("POST", "/api/assay/v1/sessions/"+ss.sid+"/traces", map[string]any{"trace_ids": traces})
	for _, it := range tm.dev.MustOK("GET", tm.sessionsPath()+"/"+ss.sid+"/items", nil)["items"].([]any) {
		ss.items = append(ss.items, it.(map[string]any)["item_id"].(string))
	}
	type answers = map[string]any
	submit := func(who *apptest.Env, item int, ms int, a answers) {
		t.Helper()
		body := map[string]any{"time_spent_ms": ms, "answers": map[string]any{}}
		for k, v := range a {
			body["answers"].(map[string]any)[k] = map[string]any{"value": v}
		}
		who.MustOK("POST", "/api/assay/v1/review/sessions/"+ss.sid+"/items/"+ss.items[item-1]+"/submit", body)
	}
	submit(tm.ana, 1, 1000, answers{"quality": "Good", "score": 4, "tags": []string{"a", "b"}})
	submit(tm.ana, 2, 2000, answers{"quality": "Fair", "score": 2, "tags": []string{"a"}})
	submit(tm.ana, 2, 0, answers{"quality": "Poor", "score": 2, "tags": []string{"a"}})
	submit(tm.ana, 3, 3000, answers{"quality": "Fair", "score": 3})
	submit(tm.ana, 4, 4000, answers{"quality": "Good"})
	tm.ana.MustOK("POST", "/api/assay/v1/review/sessions/"+ss.sid+"/items/"+ss.items[4]+"/skip", map[string]any{})
	submit(tm.ben, 1, 500, answers{"quality": "Good", "score": 5, "tags": []string{"b", "a"}})
	submit(tm.ben, 2, 500, answers{"quality": "Good", "score": 2, "tags": []string{"a", "c"}})
	submit(tm.ben, 3, 500, answers{"quality": "Fair", "note": "ok"})
	submit(tm.ben, 4, 500, answers{"quality": "Good"})
	submit(tm.ben, 5, 500, answers{"quality": "Poor"})
	return ss
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestSessionStats(t *testing.T) {
	ss := newScoredSession(t)
	st := ss.dev.MustOK("GET", "/api/assay/v1/sessions/"+ss.sid+"/stats", nil)

	want(t, "reviewers", st["reviewers"], []map[string]any{
		{"reviewer": "ana@example.com", "done": 4, "todo": 0, "skipped": 1, "median_ms": 2500},
		{"reviewer": "ben@example.com", "done": 5, "todo": 0, "skipped": 0, "median_ms": 500},
		{"reviewer": "cat@example.com", "done": 0, "todo": 1, "skipped": 0, "median_ms": nil},
	})
	want(t, "progress", st["progress"], map[string]int{"total": 5, "pending": 0, "in_progress": 1, "completed": 4, "skipped": 0})

	schemas := map[string]map[string]any{}
	var order []string
	for _, s := range st["schemas"].([]any) {
		m := s.(map[string]any)
		schemas[m["name"].(string)] = m
		order = append(order, m["name"].(string))
	}
	want(t, "schemas in session order", order, []string{"quality", "score", "tags", "note"})
	it := ss.items

	// quality, nominal. Coincidences over items 1–4 (item 5 has one answer): n = 8, Good 5,
	// Fair 2, Poor 1; only item 2 disagrees: D_o·n = 2, D_e·n(n−1) = 2(5·1 + 5·2 + 1·2) = 34,
	// α = 1 − 7·2/34 = 0.588235. Kappa ana–ben: p_o = 3/4, p_e = 2/4·3/4 + 1/4·1/4 = 7/16,
	// κ = (12/16 − 7/16)/(9/16) = 5/9.
	q := schemas["quality"]
	want(t, "quality type", q["type"], "categorical")
	want(t, "quality answers (valid only)", q["answers"], 9)
	want(t, "quality distribution", q["distribution"], map[string]int{"Good": 5, "Fair": 2, "Poor": 2})
	near(t, "quality alpha", apptest.Get(q, "agreement", "alpha"), 1-14.0/34)
	want(t, "quality level", apptest.Get(q, "agreement", "level"), "nominal")
	want(t, "quality units", apptest.Get(q, "agreement", "units"), 4)
	pair := apptest.Get(q, "agreement", "kappa_pairs", 0).(map[string]any)
	want(t, "kappa pair", pair["reviewers"], []string{"ana@example.com", "ben@example.com"})
	want(t, "kappa items", pair["items"], 4)
	near(t, "kappa", pair["kappa"], 5.0/9)
	near(t, "kappa observed agreement", pair["observed_agreement"], 0.75)
	want(t, "quality disagreements", q["disagreements"], []string{it[1]})

	// score, interval: values 4, 5, 2, 2 pairable; D_o·n = 2·1², D_e·n(n−1) = 2·4·49 − 2·13² = 54,
	// α = 1 − 3·2/54 = 8/9.
	s := schemas["score"]
	want(t, "score distribution", s["distribution"], map[string]int{"2": 2, "3": 1, "4": 1, "5": 1})
	near(t, "score alpha", apptest.Get(s, "agreement", "alpha"), 8.0/9)
	want(t, "score level", apptest.Get(s, "agreement", "level"), "interval")
	want(t, "score kappa (not nominal)", apptest.Get(s, "agreement", "kappa_pairs"), []any{})
	want(t, "score disagreements", s["disagreements"], []string{it[0]})

	// tags, nominal-set with MASI: {a,b}×2, {a}, {a,c}; δ({a},{a,c}) = δ({a,b},{a}) = 2/3,
	// δ({a,b},{a,c}) = 8/9; D_o·n = 2·2/3, D_e·n(n−1) = 2(2·2/3 + 2·8/9 + 2/3) = 68/9,
	// α = 1 − 3·(4/3)/(68/9) = 8/17.
	g := schemas["tags"]
	want(t, "tags distribution (each element)", g["distribution"], map[string]int{"a": 4, "b": 2, "c": 1})
	near(t, "tags alpha", apptest.Get(g, "agreement", "alpha"), 8.0/17)
	want(t, "tags level", apptest.Get(g, "agreement", "level"), "nominal-set")
	want(t, "tags metric", apptest.Get(g, "agreement", "metric"), "masi")
	want(t, "tags disagreements", g["disagreements"], []string{it[1]})

	n := schemas["note"]
	want(t, "note distribution", n["distribution"], map[string]int{"ok": 1})
	want(t, "note agreement (free text)", n["agreement"], nil)
	want(t, "note disagreements", n["disagreements"], []string{})
}

func TestSessionStatsAccess(t *testing.T) {
	ss := newScoredSession(t)
	path := "/api/assay/v1/sessions/" + ss.sid + "/stats"
	stranger := ss.env.As(ss.env.User("eve@example.com", false))
	mustStatus(t, stranger.Do("GET", path, nil), 403)
	mustStatus(t, ss.dev.Do("GET", "/api/assay/v1/sessions/nope/stats", nil), 404)
	ss.ana.MustOK("GET", path, nil) // an assigned reviewer holds EDIT on the experiment
}

// TestSessionStatsEmpty: a session nobody has answered yet has zero counts and null alphas.
func TestSessionStatsEmpty(t *testing.T) {
	tm := newTeam(t)
	sess := tm.dev.MustOK("POST", tm.sessionsPath(), map[string]any{"name": "empty", "labeling_schemas": []map[string]string{{"name": "guidelines"}}})
	st := tm.dev.MustOK("GET", "/api/assay/v1/sessions/"+sess["labeling_session_id"].(string)+"/stats", nil)
	want(t, "reviewers", st["reviewers"], []any{})
	want(t, "schemas", st["schemas"], []map[string]any{{"name": "guidelines", "type": "text_list", "answers": 0, "distribution": map[string]int{},
		"agreement": nil, "disagreements": []string{}}})
}

// near fails unless got is a JSON number within 1e-9 of w.
func near(t *testing.T, what string, got any, w float64) {
	t.Helper()
	f, ok := got.(float64)
	if !ok || math.Abs(f-w) > 1e-9 {
		t.Errorf("%s = %v, want %.9f", what, got, w)
	}
}
