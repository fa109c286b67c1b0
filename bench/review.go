package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// The review benchmark (SPEC §8: "Review loop (next item → submit) p99 ≤ 20 ms with 50
// concurrent reviewers on a 100k-item session; zero errors, zero lost answers").
//
// Setup, all in a fresh database: Assay in OIDC mode (a loopback issuer nobody listens on;
// discovery is lazy and every caller uses an API token, as in apptest), o.Reviewers users with
// verified emails and one API token each (inserted into users directly, token from
// auth.Service.CreateToken), an experiment, one categorical feedback schema, a session with every
// reviewer assigned and reviews_per_item=1, and o.ReviewItems traces (written with the same
// direct INSERTs as the search database, then moved to the experiment) added as items with
// store.AddItems in one call — the same code POST /sessions/:sid/traces runs.
//
// Load: each reviewer is one goroutine with its own token looping POST …/next then POST
// …/items/:item/submit with no pause between items until the duration is over (a pair already
// started is finished). First one reviewer (the baseline), then all of them, on the same session.
const (
	reviewIssuer = "http://127.0.0.1:9/"
	reviewSchema = "quality"
)

var reviewOptions = []string{"Poor", "Fair", "Good", "Excellent"}

// reviewer is one benchmark user.
type reviewer struct {
	Email string
	Token string
}

// reviewFixture is the session the loops run against.
type reviewFixture struct {
	ExperimentID string
	SessionID    string
	Reviewers    []reviewer
}

// reviewAck is a submit the server answered 200 to.
type reviewAck struct {
	Item, Reviewer, Value string
}

// reviewRun is what one load phase saw.
type reviewRun struct {
	Reviewers int
	Next      []time.Duration
	Submit    []time.Duration
	Pair      []time.Duration
	Acks      []reviewAck
	Errors    int
	ErrorMsgs []string
	Exhausted int // reviewers told {"item": null}
	Elapsed   time.Duration
}

func (r reviewRun) rate() float64 { return float64(len(r.Acks)) / r.Elapsed.Seconds() }

func benchReview(ctx context.Context, o options, work string, rep *Report) error {
	const section = "review"
	dir := filepath.Join(work, fmt.Sprintf("review-%d", o.ReviewItems))
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	srv, err := startAssayMode(ctx, dir, reviewIssuer)
	if err != nil {
		return err
	}
	defer srv.Stop()
	rep.note(section, "Database on %s (filesystem %s); synchronous=FULL, WAL, one writer connection, as `assay serve` runs it.", dir, fsType(dir))

	t0 := time.Now()
	fx, addTook, err := setupReview(ctx, srv, o.Reviewers, o.ReviewItems)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	logf("review setup took %s (AddItems of %d items: %s)", time.Since(t0).Round(time.Millisecond), o.ReviewItems, addTook.Round(time.Millisecond))
	rep.note(section, "Setup: %d users with API tokens, a session with all of them assigned, reviews_per_item=1, one categorical question; "+
		"%s traces written with direct INSERTs (as the search database), added as items with one store.AddItems call (the code behind "+
		"POST /api/assay/v1/sessions/:sid/traces) in %s.", o.Reviewers, thousands(int64(o.ReviewItems)), addTook.Round(time.Millisecond))

	candFresh, err := timeCandidate(ctx, srv.DB, fx.SessionID)
	if err != nil {
		return err
	}

	d := time.Duration(o.ReviewSeconds * float64(time.Second))
	logf("review loop: 1 reviewer for %s…", d)
	base, err := reviewLoad(ctx, srv.URL, fx, fx.Reviewers[:1], d, 0)
	if err != nil {
		return err
	}
	logf("review loop: %d reviewers for %s…", len(fx.Reviewers), d)
	full, err := reviewLoad(ctx, srv.URL, fx, fx.Reviewers, d, 0)
	if err != nil {
		return err
	}
	think := time.Duration(o.ReviewThink * float64(time.Second))
	logf("review loop: %d reviewers pausing ~%s between items, for %s…", len(fx.Reviewers), think, d)
	paced, err := reviewLoad(ctx, srv.URL, fx, fx.Reviewers, d, think)
	if err != nil {
		return err
	}

	acks := append(append(append([]reviewAck{}, base.Acks...), full.Acks...), paced.Acks...)
	v, err := verifyReview(ctx, srv.DB, fx, acks)
	if err != nil {
		return err
	}

	n := o.Reviewers
	items := thousands(int64(o.ReviewItems))
	bl := func(stat string, v time.Duration) *Baseline {
		return &Baseline{Name: "1 reviewer, " + stat, Value: ms(v), Unit: "ms"}
	}
	rep.add(section, fmt.Sprintf("review pair next → submit, %d reviewers, %s items, p99", n, items), ms(percentile(full.Pair, 99)), "ms",
		bl("p99", percentile(base.Pair, 99)), &Target{Op: "<=", Limit: 20})
	rep.add(section, fmt.Sprintf("review pair, %d reviewers pausing ~%s between items (as people do), p99", n, think), ms(percentile(paced.Pair, 99)), "ms",
		bl("p99", percentile(base.Pair, 99)), &Target{Op: "<=", Limit: 20})
	rep.add(section, fmt.Sprintf("review pair, %d reviewers pausing, p50", n), ms(percentile(paced.Pair, 50)), "ms", bl("p50", percentile(base.Pair, 50)), nil)
	rep.add(section, fmt.Sprintf("review pair, %d reviewers, p95", n), ms(percentile(full.Pair, 95)), "ms", bl("p95", percentile(base.Pair, 95)), nil)
	rep.add(section, fmt.Sprintf("review pair, %d reviewers, p50", n), ms(percentile(full.Pair, 50)), "ms", bl("p50", percentile(base.Pair, 50)), nil)
	for _, op := range []struct {
		name     string
		one, all []time.Duration
	}{{"next", base.Next, full.Next}, {"submit", base.Submit, full.Submit}} {
		for _, p := range []float64{50, 99} {
			rep.add(section, fmt.Sprintf("review %s, %d reviewers, p%.0f", op.name, n, p), ms(percentile(op.all, p)), "ms",
				bl(fmt.Sprintf("p%.0f", p), percentile(op.one, p)), nil)
		}
	}
	rep.add(section, fmt.Sprintf("review throughput, %d reviewers", n), full.rate(), "items/s",
		&Baseline{Name: "1 reviewer", Value: base.rate(), Unit: "items/s"}, nil)
	rep.add(section, "review errors (non-200 or transport)", float64(base.Errors+full.Errors), "", nil, &Target{Op: "<=", Limit: 0})
	rep.add(section, "review lost answers (acknowledged, not stored valid with that value)", float64(v.Lost), "", nil, &Target{Op: "<=", Limit: 0})
	rep.add(section, "review items over-reviewed (reviews_per_item=1)", float64(v.OverReviewed), "", nil, &Target{Op: "<=", Limit: 0})

	for _, r := range []reviewRun{base, full, paced} {
		rep.note(section, "%d reviewer(s), %s: %s pairs acknowledged (%.0f items/s), %d errors%s; next p50/p95/p99/max %s; submit %s; pair %s.",
			r.Reviewers, r.Elapsed.Round(time.Millisecond), thousands(int64(len(r.Acks))), r.rate(), r.Errors, errSample(r.ErrorMsgs),
			pcts(r.Next), pcts(r.Submit), pcts(r.Pair))
		if r.Exhausted > 0 {
			rep.note(section, "%d reviewer(s) ran out of items: the session was too small for the duration.", r.Exhausted)
		}
	}
	rep.note(section, "Verification (SQL on assessments, item_reviews, session_items): %s acknowledged submits; %s valid assessments in the session "+
		"(%s in all); every acknowledged (item, reviewer) checked for one valid assessment on the item's trace with the submitted value: %d missing or wrong; "+
		"items with more than one completed review: %d; items handed to two reviewers in the acknowledgements: %d; items COMPLETED: %s; reservations left IN_PROGRESS: %d.",
		thousands(int64(len(acks))), thousands(v.Valid), thousands(v.All), v.Lost, v.OverReviewed, v.DupAcks, thousands(v.Completed), v.Leftover)

	return diagnoseReview(ctx, srv.DB, fx, o, base, full, candFresh, rep)
}

// setupReview creates the users, tokens, experiment, schema, session, traces and items.
func setupReview(ctx context.Context, srv *assayServer, reviewers, items int) (reviewFixture, time.Duration, error) {
	var fx reviewFixture
	db := srv.DB
	var emails []string
	for i := range reviewers {
		email := fmt.Sprintf("reviewer%02d@example.com", i)
		res, err := db.Writer.ExecContext(ctx, `INSERT INTO users (issuer, subject, email, email_verified, display_name, admin, created_at)
			VALUES (?, ?, ?, 1, ?, 0, 0)`, reviewIssuer, "sub-"+email, email, email)
		if err != nil {
			return fx, 0, err
		}
		id, _ := res.LastInsertId()
		tok, _, err := srv.Auth.CreateToken(ctx, id, "bench", nil)
		if err != nil {
			return fx, 0, err
		}
		fx.Reviewers = append(fx.Reviewers, reviewer{Email: email, Token: tok})
		emails = append(emails, email)
	}
	var err error
	if fx.ExperimentID, err = db.CreateExperiment(ctx, "review-bench", "", nil, nil); err != nil {
		return fx, 0, err
	}
	if _, err := db.SaveLabelSchema(ctx, model.LabelSchema{ExperimentID: fx.ExperimentID, Name: reviewSchema, Type: model.SchemaFeedback,
		Title: "How good is the answer?", Input: model.LabelInput{Categorical: &model.InputOptions{Options: reviewOptions}}}, false); err != nil {
		return fx, 0, err
	}
	sess, err := db.CreateSession(ctx, store.SessionCreate{ExperimentID: fx.ExperimentID, Name: "review-bench", AssignedUsers: emails,
		LabelSchemas: []string{reviewSchema}, ReviewsPerItem: 1}, store.Actor{Email: "bench-admin@example.com", GrantReviewers: true})
	if err != nil {
		return fx, 0, err
	}
	fx.SessionID = sess.LabelingSessionID

	// Traces: the generator's rows (experiment 0), then moved to the session's experiment.
	w, err := newRowWriter(ctx, db)
	if err != nil {
		return fx, 0, err
	}
	defer w.close()
	rng := rand.New(rand.NewPCG(21, 21))
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for i := 0; i < items; i += bulkBatch {
		tx, err := db.Writer.BeginTx(ctx, nil)
		if err != nil {
			return fx, 0, err
		}
		for j := i; j < min(items, i+bulkBatch); j++ {
			if err := w.write(ctx, tx, bulkSpans(rng, start+int64(j)*int64(time.Second), bulkIOBytes), nil); err != nil {
				tx.Rollback()
				return fx, 0, err
			}
		}
		if err := tx.Commit(); err != nil {
			return fx, 0, err
		}
	}
	if _, err := db.Writer.ExecContext(ctx, `UPDATE traces SET experiment_id = ? WHERE experiment_id = 0`, fx.ExperimentID); err != nil {
		return fx, 0, err
	}
	rows, err := db.Reader.QueryContext(ctx, `SELECT trace_id FROM traces WHERE experiment_id = ? ORDER BY request_time`, fx.ExperimentID)
	if err != nil {
		return fx, 0, err
	}
	var sources []store.ItemSource
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fx, 0, err
		}
		sources = append(sources, store.ItemSource{TraceID: id})
	}
	rows.Close()
	if len(sources) != items {
		return fx, 0, fmt.Errorf("%d traces in the experiment, want %d", len(sources), items)
	}
	t0 := time.Now()
	res, err := db.AddItems(ctx, fx.SessionID, sources, store.Actor{Email: "bench-admin@example.com"})
	if err != nil {
		return fx, 0, err
	}
	took := time.Since(t0)
	if res.Added != items {
		return fx, 0, fmt.Errorf("AddItems added %d items, want %d", res.Added, items)
	}
	return fx, took, nil
}

// reviewLoad runs one goroutine per reviewer, each looping next → submit over HTTP until d has
// passed; think, when not zero, is each reviewer's mean pause between items (drawn uniformly
// from ½ to 1½ of it), as people reading a trace take.
func reviewLoad(ctx context.Context, baseURL string, fx reviewFixture, who []reviewer, d, think time.Duration) (reviewRun, error) {
	run := reviewRun{Reviewers: len(who)}
	c := newHTTPClient(len(who))
	c.Timeout = time.Minute
	prefix := baseURL + "/api/assay/v1/review/sessions/" + fx.SessionID
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for i, rv := range who {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hdr := http.Header{"Authorization": {"Bearer " + rv.Token}}
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			var next, submit, pair []time.Duration
			var acks []reviewAck
			var errs []string
			exhausted := false
			if think > 0 { // people do not all open the session in the same millisecond
				time.Sleep(time.Duration(rng.Int64N(int64(think))))
			}
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t0 := time.Now()
				body, err := post(ctx, c, prefix+"/next", "application/json", hdr, []byte(`{}`))
				t1 := time.Now()
				if err != nil {
					errs = append(errs, "next: "+err.Error())
					continue
				}
				var got struct {
					Item *struct {
						ItemID string `json:"item_id"`
					} `json:"item"`
				}
				if err := json.Unmarshal(body, &got); err != nil {
					errs = append(errs, "next: "+err.Error())
					continue
				}
				if got.Item == nil {
					exhausted = true
					break
				}
				val := reviewOptions[rng.IntN(len(reviewOptions))]
				sub, _ := json.Marshal(map[string]any{"time_spent_ms": 5, "answers": map[string]any{reviewSchema: map[string]any{"value": val}}})
				t2 := time.Now()
				body, err = post(ctx, c, prefix+"/items/"+got.Item.ItemID+"/submit", "application/json", hdr, sub)
				t3 := time.Now()
				if err != nil {
					errs = append(errs, "submit: "+err.Error())
					continue
				}
				var ack struct {
					MyState string `json:"my_state"`
				}
				if err := json.Unmarshal(body, &ack); err != nil || ack.MyState != model.ItemCompleted {
					errs = append(errs, fmt.Sprintf("submit: unexpected answer %.200s", body))
					continue
				}
				next, submit, pair = append(next, t1.Sub(t0)), append(submit, t3.Sub(t2)), append(pair, t1.Sub(t0)+t3.Sub(t2))
				acks = append(acks, reviewAck{Item: got.Item.ItemID, Reviewer: rv.Email, Value: val})
				if think > 0 {
					time.Sleep(think/2 + time.Duration(rng.Int64N(int64(think))))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			run.Next, run.Submit, run.Pair = append(run.Next, next...), append(run.Submit, submit...), append(run.Pair, pair...)
			run.Acks = append(run.Acks, acks...)
			run.Errors += len(errs)
			if len(run.ErrorMsgs) < 5 {
				run.ErrorMsgs = append(run.ErrorMsgs, errs[:min(len(errs), 5-len(run.ErrorMsgs))]...)
			}
			if exhausted {
				run.Exhausted++
			}
		}()
	}
	wg.Wait()
	run.Elapsed = time.Since(start)
	return run, ctx.Err()
}

// reviewCheck is what verifyReview found.
type reviewCheck struct {
	Valid, All, Completed int64
	Lost                  int // acknowledged answers missing, invalid, on the wrong trace or with another value
	OverReviewed          int // items with more than one completed review
	DupAcks               int // items acknowledged to more than one reviewer
	Leftover              int // IN_PROGRESS reviews left behind
}

// verifyReview checks, in SQL, that every acknowledged submit is stored as one valid assessment
// with the submitted value on the item's trace, and that no item got more than one review.
func verifyReview(ctx context.Context, db *store.DB, fx reviewFixture, acks []reviewAck) (reviewCheck, error) {
	var v reviewCheck
	sid := fx.SessionID
	q := db.Reader
	sessOf := `json_extract(a.metadata, '$."` + model.MetaSessionID + `"')`
	if err := q.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(valid), 0) FROM assessments a WHERE `+sessOf+` = ?`, sid).Scan(&v.All, &v.Valid); err != nil {
		return v, err
	}
	// Every stored answer with the item it names, kept only when it is on that item's trace.
	rows, err := q.QueryContext(ctx, `SELECT i.item_id, a.source_id, a.value, a.valid FROM assessments a
		JOIN session_items i ON i.item_id = json_extract(a.metadata, '$."`+model.MetaItemID+`"') AND i.trace_id = a.trace_id
		WHERE `+sessOf+` = ? AND a.name = ? AND a.source_type = 'HUMAN'`, sid, reviewSchema)
	if err != nil {
		return v, err
	}
	type key struct{ item, reviewer string }
	stored := map[key][]string{}
	for rows.Next() {
		var item, who, value string
		var valid bool
		if err := rows.Scan(&item, &who, &value, &valid); err != nil {
			rows.Close()
			return v, err
		}
		if valid {
			stored[key{item, who}] = append(stored[key{item, who}], value)
		}
	}
	rows.Close()
	seen := map[string]int{}
	for _, a := range acks {
		seen[a.Item]++
		got := stored[key{a.Item, a.Reviewer}]
		want, _ := json.Marshal(a.Value)
		if len(got) != 1 || got[0] != string(want) {
			v.Lost++
		}
	}
	for _, n := range seen {
		if n > 1 {
			v.DupAcks++
		}
	}
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT r.item_id FROM item_reviews r JOIN session_items i USING (item_id)
		WHERE i.labeling_session_id = ? AND r.state = 'COMPLETED' GROUP BY r.item_id HAVING count(*) > 1)`, sid).Scan(&v.OverReviewed); err != nil {
		return v, err
	}
	var overCol int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM session_items WHERE labeling_session_id = ? AND completed_reviews > 1`, sid).Scan(&overCol); err != nil {
		return v, err
	}
	v.OverReviewed = max(v.OverReviewed, overCol)
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM session_items WHERE labeling_session_id = ? AND state = 'COMPLETED'`, sid).Scan(&v.Completed); err != nil {
		return v, err
	}
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM item_reviews r JOIN session_items i USING (item_id)
		WHERE i.labeling_session_id = ? AND r.state = 'IN_PROGRESS'`, sid).Scan(&v.Leftover); err != nil {
		return v, err
	}
	if v.Valid != int64(len(acks)) || v.Completed != int64(len(acks)) {
		logf("review verification: %d acknowledged, %d valid assessments, %d items COMPLETED", len(acks), v.Valid, v.Completed)
	}
	return v, nil
}
