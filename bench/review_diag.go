package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// Diagnostics of the review benchmark: where NextItem and Submit spend the writer's time.

// candidateSQL is NextItem's query for a reviewer's next item (a copy of the statement in
// app/store/review.go, with requiredReviewsSQL from app/store/items.go inlined), for EXPLAIN.
const candidateSQL = `SELECT item_id FROM session_items
			WHERE labeling_session_id = ? AND state IN ('PENDING', 'IN_PROGRESS')
			  AND NOT EXISTS (SELECT 1 FROM item_reviews r WHERE r.item_id = session_items.item_id AND r.reviewer = ?)
			  AND completed_reviews + (SELECT count(*) FROM item_reviews r WHERE r.item_id = session_items.item_id AND r.state = 'IN_PROGRESS' AND r.reserved_until > ?)
			      < (SELECT CASE WHEN s.reviews_per_item = 0
		THEN max(1, (SELECT count(*) FROM session_reviewers WHERE labeling_session_id = s.labeling_session_id))
		ELSE s.reviews_per_item END FROM labeling_sessions s WHERE s.labeling_session_id = session_items.labeling_session_id)
			ORDER BY position LIMIT 1`

// resumeSQL is NextItem's first query (the reviewer's own unfinished items), copied likewise.
const resumeSQL = `SELECT i.item_id FROM item_reviews r JOIN session_items i USING (item_id)
			WHERE r.reviewer = ? AND r.state = 'IN_PROGRESS' AND i.labeling_session_id = ? AND i.state NOT IN ('COMPLETED', 'SKIPPED')
			ORDER BY i.position`

// resumeByReviewerSQL is resumeSQL with the join order fixed (CROSS JOIN) so it starts from the
// reviewer's rows in item_reviews_reviewer instead of walking every item of the session — the
// fix the diagnosis times next to the statement NextItem runs.
const resumeByReviewerSQL = `SELECT i.item_id FROM item_reviews r CROSS JOIN session_items i ON i.item_id = r.item_id
			WHERE r.reviewer = ? AND r.state = 'IN_PROGRESS' AND i.labeling_session_id = ? AND i.state NOT IN ('COMPLETED', 'SKIPPED')
			ORDER BY i.position`

// reserveSQL is the upsert reserveTx runs.
const reserveSQL = `INSERT INTO item_reviews (item_id, reviewer, state, reserved_until, started_time) VALUES (?, ?, 'IN_PROGRESS', ?, ?)
		ON CONFLICT (item_id, reviewer) DO UPDATE SET reserved_until = excluded.reserved_until WHERE item_reviews.state = 'IN_PROGRESS'`

// nextItemSteps times each statement of NextItem for reviewer inside one write transaction that
// is rolled back, n times, and returns the median of each.
func nextItemSteps(ctx context.Context, db *store.DB, sid, reviewer string, n int) (map[string]time.Duration, error) {
	steps := map[string][]time.Duration{}
	for range n {
		t0 := time.Now()
		tx, err := db.Writer.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		steps["BEGIN IMMEDIATE"] = append(steps["BEGIN IMMEDIATE"], time.Since(t0))
		now := time.Now().UnixMilli()
		t := time.Now()
		if _, err := runQuery(ctx, tx, resumeSQL, []any{reviewer, sid}); err != nil {
			tx.Rollback()
			return nil, err
		}
		steps["resume query (own IN_PROGRESS items)"] = append(steps["resume query (own IN_PROGRESS items)"], time.Since(t))
		t = time.Now()
		if _, err := runQuery(ctx, tx, resumeByReviewerSQL, []any{reviewer, sid}); err != nil {
			tx.Rollback()
			return nil, err
		}
		steps["(fix) resume query, CROSS JOIN from r"] = append(steps["(fix) resume query, CROSS JOIN from r"], time.Since(t))
		t = time.Now()
		var id string
		if err := tx.QueryRowContext(ctx, candidateSQL, sid, reviewer, now).Scan(&id); err != nil {
			tx.Rollback()
			return nil, err
		}
		steps["candidate query"] = append(steps["candidate query"], time.Since(t))
		t = time.Now()
		if _, err := tx.ExecContext(ctx, reserveSQL, id, reviewer, now+600_000, now); err != nil {
			tx.Rollback()
			return nil, err
		}
		steps["reserve upsert"] = append(steps["reserve upsert"], time.Since(t))
		t = time.Now()
		if err := tx.Rollback(); err != nil {
			return nil, err
		}
		steps["ROLLBACK"] = append(steps["ROLLBACK"], time.Since(t))
	}
	out := map[string]time.Duration{}
	for k, v := range steps {
		out[k] = medianDur(v)
	}
	return out, nil
}

// timeCandidate is the median of 20 runs of the candidate query on the reader, for a reviewer
// with nothing done.
func timeCandidate(ctx context.Context, db *store.DB, sid string) (time.Duration, error) {
	var ds []time.Duration
	for range 20 {
		d, err := runQuery(ctx, db.Reader, candidateSQL, []any{sid, "nobody@example.com", time.Now().UnixMilli()})
		if err != nil {
			return 0, err
		}
		ds = append(ds, d)
	}
	return medianDur(ds), nil
}

// diagnoseReview looks at where the time goes: the candidate query's plan and time as the
// session fills up, and what one fsynced write transaction costs on this file — the loop is two
// write transactions (NextItem's reservation, Submit) through Assay's single writer connection.
func diagnoseReview(ctx context.Context, db *store.DB, fx reviewFixture, o options, base, full reviewRun, candFresh time.Duration, rep *Report) error {
	const section = "review"
	plan, err := explain(ctx, db.Reader, candidateSQL, []any{fx.SessionID, "nobody@example.com", time.Now().UnixMilli()})
	if err != nil {
		return err
	}
	var done int
	if err := db.Reader.QueryRowContext(ctx, `SELECT count(*) FROM session_items WHERE labeling_session_id = ? AND state <> 'PENDING'`, fx.SessionID).Scan(&done); err != nil {
		return err
	}
	candAfter, err := timeCandidate(ctx, db, fx.SessionID)
	if err != nil {
		return err
	}
	rep.block(fmt.Sprintf("review: EXPLAIN QUERY PLAN of NextItem's candidate query (%s items, %s no longer PENDING)", thousands(int64(o.ReviewItems)), thousands(int64(done))), plan)

	// The floor of a write transaction: BEGIN IMMEDIATE, one one-row upsert, COMMIT (fsync of
	// the WAL under synchronous=FULL), on the same file and writer connection.
	if _, err := db.Writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_commit_probe (k INTEGER PRIMARY KEY, v INTEGER)`); err != nil {
		return err
	}
	var commits []time.Duration
	for i := range 200 {
		t0 := time.Now()
		tx, err := db.Writer.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bench_commit_probe (k, v) VALUES (1, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, i); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		commits = append(commits, time.Since(t0))
	}
	commitP50 := percentile(commits, 50)
	rep.add(section, "one-row write transaction on the review database (commit floor), p50", ms(commitP50), "ms", nil, nil)
	rep.add(section, fmt.Sprintf("NextItem candidate query, %s items, %s done, median", thousands(int64(o.ReviewItems)), thousands(int64(done))), ms(candAfter), "ms",
		&Baseline{Name: "same session before the loops", Value: ms(candFresh), Unit: "ms"}, nil)

	// NextItem's statements one by one, for the baseline reviewer (the one with most reviews).
	rv := fx.Reviewers[0].Email
	steps, err := nextItemSteps(ctx, db, fx.SessionID, rv, 20)
	if err != nil {
		return err
	}
	resumePlan, err := explain(ctx, db.Reader, resumeSQL, []any{rv, fx.SessionID})
	if err != nil {
		return err
	}
	rep.block("review: EXPLAIN QUERY PLAN of the resume query in its old join order (the reviewer's own IN_PROGRESS items)", resumePlan)
	fixPlan, err := explain(ctx, db.Reader, resumeByReviewerSQL, []any{rv, fx.SessionID})
	if err != nil {
		return err
	}
	rep.block("review: EXPLAIN QUERY PLAN of the resume query with CROSS JOIN (as NextItem runs it now)", fixPlan)
	rep.add(section, fmt.Sprintf("resume query in its old join order (walks the session's %s items), median", thousands(int64(o.ReviewItems))), ms(steps["resume query (own IN_PROGRESS items)"]), "ms",
		&Baseline{Name: "as NextItem runs it now, CROSS JOIN from item_reviews", Value: ms(steps["(fix) resume query, CROSS JOIN from r"]), Unit: "ms"}, nil)
	var reviewsOfRv int
	if err := db.Reader.QueryRowContext(ctx, `SELECT count(*) FROM item_reviews WHERE reviewer = ?`, rv).Scan(&reviewsOfRv); err != nil {
		return err
	}

	// In-process store calls, one reviewer, no HTTP: what NextItem and Submit themselves cost.
	var nexts, submits []time.Duration
	for range 100 {
		t0 := time.Now()
		id, err := db.NextItem(ctx, fx.SessionID, rv)
		if err != nil {
			return err
		}
		if id == "" {
			break
		}
		t1 := time.Now()
		if _, err := db.Submit(ctx, store.Submission{SessionID: fx.SessionID, ItemID: id, Reviewer: rv, TimeSpentMs: 1,
			Answers: map[string]model.Answer{reviewSchema: {Value: json.RawMessage(`"Good"`)}}}); err != nil {
			return err
		}
		nexts, submits = append(nexts, t1.Sub(t0)), append(submits, time.Since(t1))
	}

	var tb strings.Builder
	tw := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\tp50 ms\tp95 ms\tp99 ms\tmax ms\tn\t\n")
	row := func(name string, ds []time.Duration) {
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t\n", name, ms(percentile(ds, 50)), ms(percentile(ds, 95)), ms(percentile(ds, 99)), ms(percentile(ds, 100)), len(ds))
	}
	row("HTTP next, 1 reviewer", base.Next)
	row("HTTP submit, 1 reviewer", base.Submit)
	row("HTTP pair, 1 reviewer", base.Pair)
	row(fmt.Sprintf("HTTP next, %d reviewers", full.Reviewers), full.Next)
	row(fmt.Sprintf("HTTP submit, %d reviewers", full.Reviewers), full.Submit)
	row(fmt.Sprintf("HTTP pair, %d reviewers", full.Reviewers), full.Pair)
	row("store.NextItem in process, 1 caller", nexts)
	row("store.Submit in process, 1 caller", submits)
	row("one-row write tx (commit floor)", commits)
	tw.Flush()
	fmt.Fprintf(&tb, "\nNextItem statement by statement (%s, %s reviews of theirs in item_reviews), medians of 20, in a rolled-back write transaction:\n", rv, thousands(int64(reviewsOfRv)))
	for _, k := range []string{"BEGIN IMMEDIATE", "resume query (own IN_PROGRESS items)", "(fix) resume query, CROSS JOIN from r", "candidate query", "reserve upsert", "ROLLBACK"} {
		fmt.Fprintf(&tb, "  %-40s %8.3f ms\n", k, ms(steps[k]))
	}
	rep.block("review: latency by operation", tb.String())

	// Little's law for a closed loop with no pause: pair latency ≈ reviewers / throughput. Both
	// calls run their work in a write transaction on the one writer connection, so throughput is
	// at most 1 / (NextItem + Submit time); the share of each second the writer is busy shows
	// whether that queue is what the 50 reviewers wait in.
	perPair := percentile(nexts, 50) + percentile(submits, 50)
	rep.note(section, "Closed loop with no pause between items, so mean pair latency ≈ reviewers / throughput (Little's law): "+
		"%d / %.1f items/s = %.0f ms (measured mean %.0f ms). NextItem and Submit each run in a write transaction on Assay's single writer "+
		"connection; in process, 1 caller, they take %.2f + %.2f ms (p50), so the writer can do at most ~%.0f pairs/s and at the measured rate it is "+
		"busy ~%.0f%% of the time: the 50 reviewers queue for it. Committing is not the cost (a one-row fsynced transaction: p50 %.2f ms, i.e. "+
		"%.0f%% of the writer's time at this rate). The resume query in its old join order (before the fix) takes %.2f ms alone, against NextItem's whole %.2f ms now; see the statement breakdown. "+
		"Candidate query median %.2f ms before the loops, %.2f ms after (%s items no longer PENDING).",
		full.Reviewers, full.rate(), float64(full.Reviewers)/full.rate()*1000, ms(mean(full.Pair)),
		ms(percentile(nexts, 50)), ms(percentile(submits, 50)), 1/perPair.Seconds(), 100*full.rate()*perPair.Seconds(),
		ms(commitP50), 100*full.rate()*2*commitP50.Seconds(), ms(steps["resume query (own IN_PROGRESS items)"]), ms(percentile(nexts, 50)),
		ms(candFresh), ms(candAfter), thousands(int64(done)))
	return nil
}

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s / time.Duration(len(ds))
}

// pcts is "p50/p95/p99/max" in ms.
func pcts(ds []time.Duration) string {
	return fmt.Sprintf("%.1f/%.1f/%.1f/%.1f ms", ms(percentile(ds, 50)), ms(percentile(ds, 95)), ms(percentile(ds, 99)), ms(percentile(ds, 100)))
}

func errSample(msgs []string) string {
	if len(msgs) == 0 {
		return ""
	}
	return " (first: " + strings.Join(msgs, "; ") + ")"
}

// fsType names the filesystem dir is on (fsync cost depends on it).
func fsType(dir string) string {
	out, err := exec.Command("stat", "-f", "-c", "%T", dir).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}
