package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/assay-labs/assay/app/store"
)

// traceCols are the columns store.SearchTraces selects.
const traceCols = `t.trace_id, t.experiment_id, coalesce(t.client_request_id, ''), t.request_time, t.execution_duration, t.state, t.request_preview, t.response_preview`

// searchDB is the database searchSQL asks for the statement (the store picks the plan by the
// number of matches, so the statement depends on the data); set before searchSQL is used.
var searchDB *store.DB

// searchSQL is the statement store.SearchTraces runs for a filter on experiment 0, so its plan
// can be shown and timed without HTTP. benchSearch checks that it returns the same first page as
// the HTTP search.
func searchSQL(filterStr string, limit int) (string, []any, error) {
	return searchDB.TraceSearchStatement(context.Background(), store.TraceSearch{ExperimentIDs: []string{"0"}, Filter: filterStr, MaxResults: limit})
}

// existsSQL is `tags.K = 'V'` as a correlated EXISTS: SQLite walks the experiment's traces
// newest first through traces_experiment_time and probes each one's tag by primary key, so it
// stops as soon as it has a page — quick when many traces match, a full walk when few do.
func existsSQL(key, value string, limit int) (string, []any) {
	q := `SELECT ` + traceCols + ` FROM traces t WHERE t.experiment_id IN (?) AND EXISTS ` +
		`(SELECT 1 FROM trace_tags tt WHERE tt.trace_id = t.trace_id AND tt.key = ? AND tt.value = ?) ORDER BY t.request_time DESC, t.trace_id LIMIT ? OFFSET ?`
	return q, []any{int64(0), key, value, limit, 0}
}

// tagInSQL is the IN-subquery shape for `tags.K = 'V'`: the same query with the correlated
// EXISTS replaced by `t.trace_id IN (SELECT trace_id FROM trace_tags …)`, which the planner may
// run from the trace_tags_key_value index (it covers (key, value, trace_id)).
func tagInSQL(key, value string, limit int) (string, []any) {
	q := `SELECT ` + traceCols + ` FROM traces t WHERE t.experiment_id IN (?) AND t.trace_id IN ` +
		`(SELECT tt.trace_id FROM trace_tags tt WHERE tt.key = ? AND tt.value = ?) ORDER BY t.request_time DESC, t.trace_id LIMIT ? OFFSET ?`
	return q, []any{int64(0), key, value, limit, 0}
}

// tagDrivenSQL reads the matching trace ids from trace_tags_key_value, looks each trace up by
// id and sorts the matches: the plan the IN shape gets once sqlite_stat1 exists. CROSS JOIN
// fixes that join order in SQLite, with or without statistics.
func tagDrivenSQL(key, value string, limit int) (string, []any) {
	q := `SELECT ` + traceCols + ` FROM trace_tags tt CROSS JOIN traces t ON t.trace_id = tt.trace_id ` +
		`WHERE tt.key = ? AND tt.value = ? AND t.experiment_id IN (?) ORDER BY t.request_time DESC, t.trace_id LIMIT ? OFFSET ?`
	return q, []any{key, value, int64(0), limit, 0}
}

// adaptiveCap is where the adaptive strategy switches plans: below it the matches are few enough
// to look up and sort; at or above it, walking traces newest first (existsSQL) meets a page of
// matches soon enough.
const adaptiveCap = 5000

// querier is what a read needs: the reader pool, or the transaction that holds statistics.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queryShape is one way to run a tag-equality search; run returns the time of one search.
type queryShape struct {
	name  string
	stats bool // run inside the transaction that ran ANALYZE
	run   func(ctx context.Context, q querier, key, value string) (time.Duration, error)
}

func fixedShape(name string, stats bool, build func(key, value string) (string, []any, error)) queryShape {
	return queryShape{name, stats, func(ctx context.Context, db querier, key, value string) (time.Duration, error) {
		q, args, err := build(key, value)
		if err != nil {
			return 0, err
		}
		return runQuery(ctx, db, q, args)
	}}
}

func currentShape(k, v string) (string, []any, error) {
	return searchSQL(fmt.Sprintf("tags.`%s` = '%s'", k, v), 101)
}

// shapeOf adapts a builder that cannot fail.
func shapeOf(build func(key, value string, limit int) (string, []any)) func(k, v string) (string, []any, error) {
	return func(k, v string) (string, []any, error) {
		q, a := build(k, v, 101)
		return q, a, nil
	}
}

var queryShapes = []queryShape{
	fixedShape("current: as store.SearchTraces builds it", false, currentShape),
	fixedShape("correlated EXISTS, walk traces newest first", false, shapeOf(existsSQL)),
	fixedShape("IN (SELECT trace_id …), no statistics", false, shapeOf(tagInSQL)),
	fixedShape("IN (SELECT trace_id …) with sqlite_stat1", true, shapeOf(tagInSQL)),
	fixedShape("tag-driven: CROSS JOIN from trace_tags", false, shapeOf(tagDrivenSQL)),
	{fmt.Sprintf("adaptive: count ≤ %d matches, then tag-driven or EXISTS walk", adaptiveCap), false,
		func(ctx context.Context, db querier, k, v string) (time.Duration, error) {
			t0 := time.Now()
			var n int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM trace_tags WHERE key = ? AND value = ? LIMIT ?)`,
				k, v, adaptiveCap).Scan(&n); err != nil {
				return 0, err
			}
			q, args := tagDrivenSQL(k, v, 101)
			if n >= adaptiveCap {
				q, args = existsSQL(k, v, 101)
			}
			_, err := runQuery(ctx, db, q, args)
			return time.Since(t0), err
		}},
}

// explainSearches records the plan of the statement behind each timed search, then the plans
// of other shapes and the time of each on three tag filters of very different selectivity,
// without HTTP.
func explainSearches(ctx context.Context, db *store.DB, o options, rep *Report) error {
	searchDB = db
	for _, sc := range searchCases(o) {
		q, args, err := searchSQL(sc.filter, 101)
		if err != nil {
			return err
		}
		plan, err := explain(ctx, db.Reader, q, args)
		if err != nil {
			return err
		}
		rep.block(fmt.Sprintf("Plan of the search_traces statement, %s `%s`", sc.name, orNone(sc.filter)), q+"\n\n"+plan)
	}
	inQ, inArgs := tagInSQL(commonTag, "C001", 101)
	existsQ, existsArgs := existsSQL(commonTag, "C001", 101)
	drivenQ, drivenArgs := tagDrivenSQL(commonTag, "C001", 101)
	for _, alt := range []struct {
		title, q string
		args     []any
	}{
		{"correlated EXISTS shape", existsQ, existsArgs},
		{"IN-subquery shape, no statistics (Assay's database has no sqlite_stat1)", inQ, inArgs},
		{"tag-driven shape (CROSS JOIN from trace_tags)", drivenQ, drivenArgs},
	} {
		plan, err := explain(ctx, db.Reader, alt.q, alt.args)
		if err != nil {
			return err
		}
		rep.block("Plan of the "+alt.title, alt.q+"\n\n"+plan)
	}

	filters := [][2]string{{commonTag, "C001"}, {rareTag, "needle"}, {everywhereTag, "TRACKING_STORE"}}
	matches := map[string]int{}
	for _, f := range filters {
		var n int
		if err := db.Reader.QueryRowContext(ctx, `SELECT count(*) FROM trace_tags WHERE key = ? AND value = ?`, f[0], f[1]).Scan(&n); err != nil {
			return err
		}
		matches[f[0]] = n
	}
	var tbl strings.Builder
	tw := tabwriter.NewWriter(&tbl, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "query shape\tfilter\tmatches\tmedian\truns\n")
	type result struct {
		shape string
		d     time.Duration
	}
	byFilter := map[[2]string][]result{}
	timeShape := func(q querier, sh queryShape) error {
		for _, f := range filters {
			logf("timing %s on %s = %s…", sh.name, f[0], f[1])
			var ds []time.Duration
			for len(ds) < 15 {
				d, err := sh.run(ctx, q, f[0], f[1])
				if err != nil {
					return fmt.Errorf("%s: %w", sh.name, err)
				}
				ds = append(ds, d)
				if ds[0] > 300*time.Millisecond && len(ds) == 3 {
					break
				}
			}
			fmt.Fprintf(tw, "%s\ttags.%s = '%s'\t%s\t%.2f ms\t%d\n", sh.name, f[0], f[1], thousands(int64(matches[f[0]])), ms(medianDur(ds)), len(ds))
			byFilter[f] = append(byFilter[f], result{sh.name, medianDur(ds)})
		}
		return nil
	}
	for _, sh := range queryShapes {
		var err error
		if sh.stats {
			err = withStatistics(ctx, db, func(tx querier) error {
				plan, err := explain(ctx, tx, inQ, inArgs)
				if err != nil {
					return err
				}
				rep.block("Plan of the IN-subquery shape with sqlite_stat1 (ANALYZE with analysis_limit=1000, rolled back)", inQ+"\n\n"+plan)
				return timeShape(tx, sh)
			})
		} else {
			err = timeShape(db.Reader, sh)
		}
		if err != nil {
			return err
		}
	}
	tw.Flush()
	for _, f := range filters {
		rs := byFilter[f]
		best := rs[0]
		for _, r := range rs {
			if r.d < best.d {
				best = r
			}
		}
		worst := rs[0]
		for _, r := range rs {
			if r.d > worst.d {
				worst = r
			}
		}
		rep.note("search", "Main SELECT alone for `tags.%s = '%s'` (%s): current shape %.1f ms; fastest \"%s\" %.1f ms; slowest \"%s\" %.1f ms "+
			"(see the query-shapes table below).", f[0], f[1], count(matches[f[0]], "match"), ms(rs[0].d), best.shape, ms(best.d), worst.shape, ms(worst.d))
	}
	rep.block(fmt.Sprintf("Query shapes for a tag filter on %s traces: the main SELECT alone (LIMIT 101, every row read; "+
		"no tags/metadata loading, no HTTP)", thousands(int64(o.Traces))), tbl.String())
	return nil
}

// withStatistics runs fn inside a write transaction that first ran ANALYZE (with the
// analysis_limit PRAGMA optimize uses, so it takes seconds, not minutes), then rolls it back:
// the planner sees sqlite_stat1 and the database file is left as it was.
func withStatistics(ctx context.Context, db *store.DB, fn func(tx querier) error) error {
	conn, err := db.Writer.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA analysis_limit = 1000"); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), "PRAGMA analysis_limit = 0")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	t0 := time.Now()
	if _, err := tx.ExecContext(ctx, "ANALYZE"); err != nil {
		return err
	}
	logf("ANALYZE took %s", time.Since(t0).Round(time.Millisecond))
	return fn(tx)
}

// explain returns EXPLAIN QUERY PLAN's tree, indented.
func explain(ctx context.Context, db querier, q string, args []any) (string, error) {
	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	depth := map[int]int{}
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		depth[id] = depth[parent] + 1
		fmt.Fprintf(&b, "%s%s\n", strings.Repeat("  ", depth[id]-1), detail)
	}
	return b.String(), rows.Err()
}

// runQuery runs q once, reading every row, and returns how long that took.
func runQuery(ctx context.Context, db querier, q string, args []any) (time.Duration, error) {
	t0 := time.Now()
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
	}
	rows.Close()
	return time.Since(t0), rows.Err()
}

// medianDur is the median of ds.
func medianDur(ds []time.Duration) time.Duration { return percentile(ds, 50) }
