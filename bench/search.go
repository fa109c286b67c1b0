package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/assay-labs/assay/app/store"
)

// searchCase is one search_traces request timed over HTTP.
type searchCase struct {
	name   string
	filter string
	iters  int
}

// searchCases are the searches timed: the tag filter SPEC §8 sets a target for, a tag on almost
// no trace (the worst case for a plan that walks traces by time), the trace name every trace
// has (the worst case for a plan that starts from the tag index: all matches are sorted) and no
// filter at all.
func searchCases(o options) []searchCase {
	return []searchCase{
		{"tag filter", fmt.Sprintf("tags.%s = 'C001'", commonTag), o.SearchIters},
		{"rare tag", fmt.Sprintf("tags.%s = 'needle'", rareTag), 5},
		{"name of every trace", "trace.name = 'support_chat'", 5},
		{"no filter", "", 50},
	}
}

// searchDataDir is where the N-trace database lives; the startup benchmark reuses it.
func searchDataDir(o options, work string) string {
	return filepath.Join(work, fmt.Sprintf("traces-%d", o.Traces))
}

// benchSearch times POST /api/3.0/mlflow/traces/search (max_results 100) over o.Traces traces,
// then shows the query plan of the statement behind it and times other query shapes.
func benchSearch(ctx context.Context, o options, work string, rep *Report) error {
	const section = "search"
	dataDir := searchDataDir(o, work)
	if err := ensureTraces(ctx, o, work, dataDir, rep); err != nil {
		return err
	}
	srv, err := startAssay(ctx, dataDir)
	if err != nil {
		return err
	}
	defer srv.Stop()
	c := newHTTPClient(1)
	results := map[string]searchStats{}
	for _, sc := range searchCases(o) {
		logf("search %q × %d…", sc.filter, sc.iters)
		st, err := timeSearches(ctx, c, srv.URL, sc.filter, sc.iters)
		if err != nil {
			return fmt.Errorf("search %q: %w", sc.filter, err)
		}
		results[sc.name] = st
		if err := checkMirror(ctx, srv.DB, sc.filter, st.firstPage); err != nil {
			return err
		}
		rep.note(section, "%s `%s`: %d timed requests after 3 warm-up ones; %s on the first page%s; p50 %.1f ms, p99 %.1f ms, max %.1f ms.",
			sc.name, orNone(sc.filter), sc.iters, count(st.returned, "trace"), map[bool]string{true: " and a next_page_token", false: ""}[st.more],
			ms(st.p(50)), ms(st.p(99)), ms(st.p(100)))
	}
	noFilter := &Baseline{Name: "no filter, same page", Value: ms(results["no filter"].p(50)), Unit: "ms"}
	n := thousands(int64(o.Traces))
	tag := results["tag filter"]
	rep.add(section, fmt.Sprintf("search_traces `tags.%s = 'C001'` on %s traces, p50", commonTag, n), ms(tag.p(50)), "ms", noFilter, &Target{Op: "<=", Limit: 50})
	rep.add(section, fmt.Sprintf("search_traces `tags.%s = 'C001'` on %s traces, p99", commonTag, n), ms(tag.p(99)), "ms", nil, nil)
	rep.add(section, fmt.Sprintf("search_traces rare tag (%s) on %s traces, p50", count(o.Traces/rareEvery, "match"), n), ms(results["rare tag"].p(50)), "ms", noFilter, nil)
	rep.add(section, fmt.Sprintf("search_traces `trace.name` of every trace on %s traces, p50", n), ms(results["name of every trace"].p(50)), "ms", noFilter, nil)
	rep.add(section, fmt.Sprintf("search_traces no filter on %s traces, p50", n), ms(results["no filter"].p(50)), "ms", nil, nil)
	return explainSearches(ctx, srv.DB, o, rep)
}

// ensureTraces generates the N-trace database unless a previous run left it in dataDir, and
// notes how it was made.
func ensureTraces(ctx context.Context, o options, work, dataDir string, rep *Report) error {
	logf("generating %d traces in %s (or reusing them)…", o.Traces, dataDir)
	st, err := generateTraces(ctx, work, dataDir, o.Traces)
	if err != nil {
		return fmt.Errorf("generate traces: %w", err)
	}
	how := fmt.Sprintf("in %s (%.0f traces/s)", (time.Duration(st.Seconds) * time.Second).Round(time.Second), float64(o.Traces)/st.Seconds)
	if st.Reused {
		how = fmt.Sprintf("by an earlier run at %s, %s, and reused from the -work directory", st.GeneratedAt.Format(time.RFC3339), how)
	}
	rep.note("search", "%d traces (2 spans each, MLflow-style attributes with ~%d B inputs/outputs, so ~%d B previews) were generated "+
		"with direct SQL — prepared plain INSERTs of exactly the rows store.LogSpans leaves, %d traces per transaction, plus the "+
		"user tags — %s. Before that, the same 2,000 traces went through store.LogSpans (%.0f traces/s) and through the direct "+
		"writer (%.0f traces/s) into two fresh scratch databases, one transaction each, and every row was the same; both slow "+
		"down as the B-trees outgrow the cache, and the direct writer keeps 1M traces within minutes on this shared machine. The database is "+
		"%.0f MB, traces 50 ms apart. Every trace has %s ∈ C000…C999 ('C001' matches %d traces spread evenly over time); "+
		"%s = 'needle' is on %s; every trace has %s = 'TRACKING_STORE' (written by LogSpans).",
		o.Traces, bulkIOBytes, bulkIOBytes, bulkBatch, how, st.LogSpansRate, st.DirectRate, float64(dirSize(dataDir))/1e6,
		commonTag, o.Traces/commonValues, rareTag, count(o.Traces/rareEvery, "trace"), everywhereTag)
	return nil
}

// searchStats are the latencies of one search case and what its first answer held.
type searchStats struct {
	lat       []time.Duration
	returned  int
	more      bool
	firstPage []string // trace ids
}

// p is a percentile of the latencies (p=100 is the maximum).
func (s searchStats) p(pc float64) time.Duration { return percentile(s.lat, pc) }

// timeSearches posts the search iters times, one after another, after three warm-up requests.
func timeSearches(ctx context.Context, c *http.Client, base, filter string, iters int) (searchStats, error) {
	body, _ := json.Marshal(map[string]any{
		"locations":   []any{map[string]any{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": map[string]string{"experiment_id": "0"}}},
		"filter":      filter,
		"max_results": 100,
	})
	url := base + "/api/3.0/mlflow/traces/search"
	var st searchStats
	for i := range iters + 3 {
		t0 := time.Now()
		out, err := post(ctx, c, url, "application/json", nil, body)
		if err != nil {
			return st, err
		}
		if i < 3 {
			if i == 0 {
				var resp struct {
					Traces []struct {
						TraceID string `json:"trace_id"`
					} `json:"traces"`
					NextPageToken string `json:"next_page_token"`
				}
				if err := json.Unmarshal(out, &resp); err != nil {
					return st, err
				}
				st.returned, st.more = len(resp.Traces), resp.NextPageToken != ""
				for _, t := range resp.Traces {
					st.firstPage = append(st.firstPage, t.TraceID)
				}
			}
			continue
		}
		st.lat = append(st.lat, time.Since(t0))
	}
	return st, nil
}

// checkMirror fails unless searchSQL's first page for filter is the page the HTTP search
// returned, so the plans and timings of searchSQL are those of the real search.
func checkMirror(ctx context.Context, db *store.DB, filter string, page []string) error {
	searchDB = db
	q, args, err := searchSQL(filter, len(page))
	if err != nil {
		return err
	}
	rows, err := db.Reader.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		vals := make([]any, 8)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		got = append(got, fmt.Sprint(vals[0]))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if strings.Join(got, ",") != strings.Join(page, ",") {
		return fmt.Errorf("the harness's copy of the search SQL no longer matches store.SearchTraces for %q (%d vs %d traces on the first page); update searchSQL in bench/plan.go", filter, len(got), len(page))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// count is "1 trace", "2 traces", "1 match", "3 matches".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "ch") {
		return thousands(int64(n)) + " " + noun + "es"
	}
	return thousands(int64(n)) + " " + noun + "s"
}

func orNone(f string) string {
	if f == "" {
		return "(none)"
	}
	return f
}
