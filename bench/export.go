package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/assay-labs/assay/app/jsonl"
	"github.com/assay-labs/assay/app/store"
)

// benchExport measures the JSONL export of a dataset of o.Records records (~1 KB each) to
// io.Discard and to a file, next to a raw read of the same rows with no JSON work.
func benchExport(ctx context.Context, o options, work string, rep *Report) error {
	const section = "export"
	dir := filepath.Join(work, "export")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	db, err := openStore(ctx, dir)
	if err != nil {
		return err
	}
	defer db.Close()
	logf("creating a dataset of %d records…", o.Records)
	t0 := time.Now()
	ds, err := fillDataset(ctx, db, o.Records)
	if err != nil {
		return err
	}
	logf("dataset ready in %s", time.Since(t0).Round(time.Second))

	// Each measurement runs three times on a warm page cache; the median counts.
	var jsonlBytes int64
	toDiscard := median3(func() (time.Duration, error) {
		n, d, err := timeExport(ctx, db, ds, io.Discard)
		jsonlBytes = n
		return d, err
	})
	file := filepath.Join(dir, "export.jsonl")
	toFile := median3(func() (time.Duration, error) {
		f, err := os.Create(file)
		if err != nil {
			return 0, err
		}
		_, d, err := timeExport(ctx, db, ds, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return d, err
	})
	var rawBytes int64
	raw := median3(func() (time.Duration, error) {
		n, d, err := timeRawRead(ctx, db, ds)
		rawBytes = n
		return d, err
	})
	sketchFile := filepath.Join(dir, "sketch.jsonl")
	sketch := median3(func() (time.Duration, error) {
		f, err := os.Create(sketchFile)
		if err != nil {
			return 0, err
		}
		_, d, err := timeVerbatimExport(ctx, db, ds, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return d, err
	})
	for _, r := range []timing{toDiscard, toFile, raw, sketch} {
		if r.err != nil {
			return r.err
		}
	}
	mbps := func(n int64, d time.Duration) float64 { return float64(n) / 1e6 / d.Seconds() }
	base := &Baseline{Name: "raw SELECT of the same rows, no JSON", Value: mbps(rawBytes, raw.d), Unit: "MB/s"}
	rep.add(section, "JSONL export to io.Discard", mbps(jsonlBytes, toDiscard.d), "MB/s", base, &Target{Op: ">=", Limit: 100})
	rep.add(section, "JSONL export to a file", mbps(jsonlBytes, toFile.d), "MB/s", base, &Target{Op: ">=", Limit: 100})
	rep.note(section, "%d records, %.1f MB of JSONL (%.0f B per line); the raw read moves %.1f MB of column data. Export = "+
		"jsonl.ExportDataset, what `assay export dataset` and the HTTP export run, with no progress callback. The file is "+
		"written without fsync. Median of 3 runs each, warm page cache; ratio = export MB/s ÷ raw-read MB/s (each over its own bytes).",
		o.Records, float64(jsonlBytes)/1e6, float64(jsonlBytes)/float64(o.Records), float64(rawBytes)/1e6)
	same := "the same JSON values line by line as ExportDataset's file"
	if err := sameJSONLines(file, sketchFile); err != nil {
		same = "NOT the same output as ExportDataset (" + err.Error() + ")"
	}
	rep.note(section, "For comparison, a Go sketch that appends the stored JSON columns as they are (compacting only outputs and "+
		"source, stored as sent; bench/exportsketch.go, not Assay code) writes %s at %.0f MB/s to a file, against %.0f MB/s for "+
		"ExportDataset.", same, mbps(jsonlBytes, sketch.d), mbps(jsonlBytes, toFile.d))
	return nil
}

// fillDataset creates a dataset and merges n generated records into it, 2,000 per call.
func fillDataset(ctx context.Context, db *store.DB, n int) (string, error) {
	ds, err := db.CreateDataset(ctx, store.DatasetCreate{Name: "bench-export", ExperimentIDs: []string{"0"}, CreatedBy: "bench"})
	if err != nil {
		return "", err
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for i := 0; i < n; {
		batch := make([]store.RecordInput, 0, 2000)
		for ; i < n && len(batch) < cap(batch); i++ {
			in, out, exp := recordJSON(rng, i)
			batch = append(batch, store.RecordInput{Inputs: in, Outputs: out, HasOutputs: true,
				Expectations: map[string]json.RawMessage{"expected_response": exp},
				Tags:         map[string]string{"split": "eval", "source": "bench"}})
		}
		if _, _, err := db.MergeRecords(ctx, ds.DatasetID, batch, "bench"); err != nil {
			return "", err
		}
	}
	return ds.DatasetID, nil
}

// timeExport writes the dataset as JSONL to w with jsonl.ExportDataset (what `assay export
// dataset` and the HTTP export run) and returns the bytes written and the time taken.
func timeExport(ctx context.Context, db *store.DB, datasetID string, w io.Writer) (int64, time.Duration, error) {
	cw := &countingWriter{w: w}
	start := time.Now()
	_, err := jsonl.ExportDataset(ctx, db, datasetID, cw, nil)
	return cw.n, time.Since(start), err
}

// timeRawRead reads the same columns EachRecord reads, in the same order, into sql.RawBytes:
// what reading the rows costs before any JSON work.
func timeRawRead(ctx context.Context, db *store.DB, datasetID string) (int64, time.Duration, error) {
	start := time.Now()
	rows, err := db.Reader.QueryContext(ctx, `SELECT dataset_record_id, dataset_id, inputs, outputs, expectations, tags, source,
		source_type, source_id, created_time, last_update_time, created_by, last_updated_by
		FROM dataset_records WHERE dataset_id = ? ORDER BY created_time, rowid`, datasetID)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	cols := make([]sql.RawBytes, 13)
	ptrs := make([]any, len(cols))
	for i := range cols {
		ptrs[i] = &cols[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, 0, err
		}
		for _, c := range cols {
			n += int64(len(c))
		}
	}
	return n, time.Since(start), rows.Err()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// timing is one measured duration, or the error that stopped it.
type timing struct {
	d   time.Duration
	err error
}

// median3 runs fn three times and returns the median duration.
func median3(fn func() (time.Duration, error)) timing {
	var ds []time.Duration
	for range 3 {
		d, err := fn()
		if err != nil {
			return timing{err: fmt.Errorf("measure: %w", err)}
		}
		ds = append(ds, d)
	}
	return timing{d: medianDur(ds)}
}
