// Command bench is Assay's benchmark harness: it measures the figures SPEC §8 sets targets for
// (OTLP ingestion, search_traces on many traces, JSONL export, start time and idle RSS, the
// review loop with 50 concurrent reviewers), each next to a baseline measured in the same run,
// and writes report.md and report.json.
//
// Benchmarks are not tests: nothing here fails on a slow figure. A missed target is written
// down in the report with what was seen.
//
//	go run ./bench -out bench/out           # full run: 1M traces, several minutes
//	go run ./bench -quick -out /tmp/benchq  # 100k traces, for a quick look
//	go run ./bench -only review -out /tmp/bench-review  # one section
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// options are the harness's flags.
type options struct {
	Out         string  `json:"-"`
	Work        string  `json:"-"`
	Keep        bool    `json:"-"`
	Quick       bool    `json:"quick"`
	Traces      int     `json:"traces"`
	Records     int     `json:"records"`
	Seconds     float64 `json:"ingest_seconds"`
	Clients     int     `json:"clients"`
	SearchIters int     `json:"search_iterations"`
	MLflow      string  `json:"-"`
	Only        string  `json:"only,omitempty"`

	ReviewItems   int     `json:"review_items"`
	ReviewSeconds float64 `json:"review_seconds"`
	Reviewers     int     `json:"reviewers"`
	ReviewThink   float64 `json:"review_think_seconds"`
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.Out, "out", "bench/out", "directory for report.md and report.json")
	flag.StringVar(&o.Work, "work", "", "directory for the benchmark databases (default: a new temporary directory, removed afterwards); "+
		"the generated N-trace database is reused from here on the next run")
	flag.BoolVar(&o.Keep, "keep", false, "keep the temporary working directory")
	flag.BoolVar(&o.Quick, "quick", false, "a quick run: 100k traces, 50k records, 5 s of ingestion, 10k review items and 5 s review loops (explicit flags still win)")
	flag.IntVar(&o.Traces, "traces", 1_000_000, "traces in the database for the search, RSS and start-time figures")
	flag.IntVar(&o.Records, "records", 200_000, "dataset records (about 1 KB each) for the export figure")
	flag.Float64Var(&o.Seconds, "seconds", 15, "seconds of OTLP ingestion (Assay, the raw baseline and MLflow each)")
	flag.IntVar(&o.Clients, "clients", 4, "concurrent OTLP clients")
	flag.IntVar(&o.SearchIters, "search-iters", 200, "timed searches with the tag filter")
	flag.StringVar(&o.MLflow, "mlflow", ".venv/bin/mlflow", "the mlflow command for the MLflow comparison (skipped when missing; \"\" to skip)")
	flag.IntVar(&o.ReviewItems, "review-items", 100_000, "items in the review session")
	flag.Float64Var(&o.ReviewSeconds, "review-seconds", 20, "seconds of the review loop (the 1-reviewer baseline and the concurrent run each)")
	flag.IntVar(&o.Reviewers, "reviewers", 50, "concurrent reviewers in the review loop")
	flag.Float64Var(&o.ReviewThink, "review-think", 2, "mean seconds each reviewer pauses between items in the paced review run")
	flag.StringVar(&o.Only, "only", "", "comma-separated sections to run: ingest, export, search, startup, review (default all)")
	flag.Parse()
	if o.Quick {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["traces"] {
			o.Traces = 100_000
		}
		if !set["records"] {
			o.Records = 50_000
		}
		if !set["seconds"] {
			o.Seconds = 5
		}
		if !set["search-iters"] {
			o.SearchIters = 100
		}
		if !set["review-items"] {
			o.ReviewItems = 10_000
		}
		if !set["review-seconds"] {
			o.ReviewSeconds = 5
		}
	}
	return o
}

// wants reports whether section is to run.
func (o options) wants(section string) bool {
	if o.Only == "" {
		return true
	}
	for _, s := range strings.Split(o.Only, ",") {
		if strings.TrimSpace(s) == section {
			return true
		}
	}
	return false
}

func main() {
	log.SetFlags(log.Ltime)
	o := parseFlags()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, o options) error {
	work := o.Work
	if work == "" {
		dir, err := os.MkdirTemp("", "assay-bench-")
		if err != nil {
			return err
		}
		work = dir
		if !o.Keep {
			defer os.RemoveAll(dir)
		}
	}
	if err := os.MkdirAll(work, 0o700); err != nil {
		return err
	}
	work, _ = filepath.Abs(work)
	logf("working directory %s", work)

	rep := newReport(o)
	sections := []struct {
		name string
		fn   func(context.Context, options, string, *Report) error
	}{
		{"ingest", benchIngest},
		{"export", benchExport},
		{"search", benchSearch},
		{"startup", benchStartup},
		{"review", benchReview},
	}
	for _, s := range sections {
		if !o.wants(s.name) {
			continue
		}
		logf("== %s", s.name)
		rep.note(s.name, "Load average (1/5/15 min) when the section started: %s.", loadAvg())
		start := time.Now()
		if err := s.fn(ctx, o, work, rep); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			logf("%s failed: %v", s.name, err)
			rep.note(s.name, "The %s benchmark failed: %v", s.name, err)
		}
		logf("== %s done in %s", s.name, time.Since(start).Round(time.Second))
	}
	rep.Finished = time.Now().UTC()
	if err := rep.write(o.Out); err != nil {
		return err
	}
	fmt.Println(rep.markdown())
	logf("wrote %s and %s", filepath.Join(o.Out, "report.md"), filepath.Join(o.Out, "report.json"))
	return nil
}
