package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"time"
	"unicode/utf8"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// The generated search database: every trace has test_tag with one of 1,000 values spread
// evenly over time, so tags.test_tag = 'C001' matches one trace in a thousand; rare_tag is on
// one trace in 100,000. Span inputs/outputs are kept at ~180 B so a span row (~920 B)
// stays under the ~1,000 B a WITHOUT ROWID row keeps on its page (see the ingest notes):
// larger spans would add a 4 KB overflow page each and make a 1M-trace file ~10 GB.
const (
	bulkIOBytes   = 180
	bulkBatch     = 5000
	commonTag     = "test_tag"
	commonValues  = 1000
	rareTag       = "rare_tag"
	rareEvery     = 100_000
	everywhereTag = model.TagSpansLocation // LogSpans puts it on every trace
)

// genStats describe how the trace database was made; they are kept in its marker file, so a
// run that reuses the database can still report them.
type genStats struct {
	Traces       int       `json:"traces"`
	GeneratedAt  time.Time `json:"generated_at"`
	Seconds      float64   `json:"seconds"`
	LogSpansRate float64   `json:"logspans_traces_per_s"` // store.LogSpans on the check traces
	DirectRate   float64   `json:"direct_traces_per_s"`   // rowWriter on the same traces
	Reused       bool      `json:"-"`
}

// generateTraces fills dataDir/assay.db with n traces of 2 spans each. store.LogSpans runs 9
// statements and decodes the root span's JSON per trace; to keep 1M traces within minutes on a
// shared machine, the rows LogSpans would leave are written with prepared plain INSERTs, 5,000
// traces per transaction. checkTraceRows first proves they are the same rows and times both.
// A marker file lets a later run with the same -work directory reuse the database.
func generateTraces(ctx context.Context, work, dataDir string, n int) (genStats, error) {
	marker := filepath.Join(dataDir, fmt.Sprintf("bench-generated-%d-traces.json", n))
	if b, err := os.ReadFile(marker); err == nil {
		st := genStats{Reused: true}
		return st, json.Unmarshal(b, &st)
	}
	st := genStats{Traces: n, GeneratedAt: time.Now().UTC()}
	var err error
	if st.LogSpansRate, st.DirectRate, err = checkTraceRows(ctx, work); err != nil {
		return st, err
	}
	if err := os.RemoveAll(dataDir); err != nil {
		return st, err
	}
	db, err := openStore(ctx, dataDir)
	if err != nil {
		return st, err
	}
	defer db.Close()
	w, err := newRowWriter(ctx, db)
	if err != nil {
		return st, err
	}
	defer w.close()
	rng := rand.New(rand.NewPCG(11, 11))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	start := time.Now()
	for i := 0; i < n; i += bulkBatch {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		tx, err := db.Writer.BeginTx(ctx, nil)
		if err != nil {
			return st, err
		}
		for j := i; j < min(n, i+bulkBatch); j++ {
			tags := [][2]string{{commonTag, fmt.Sprintf("C%03d", j%commonValues)}}
			if j%rareEvery == rareEvery/2 {
				tags = append(tags, [2]string{rareTag, "needle"})
			}
			if err := w.write(ctx, tx, bulkSpans(rng, base+int64(j)*int64(50*time.Millisecond), bulkIOBytes), tags); err != nil {
				tx.Rollback()
				return st, err
			}
		}
		if err := tx.Commit(); err != nil {
			return st, err
		}
		if done := i + bulkBatch; done%100_000 == 0 {
			el := time.Since(start)
			logf("generated %d/%d traces in %s (%.0f traces/s)", done, n, el.Round(time.Second), float64(done)/el.Seconds())
		}
	}
	st.Seconds = time.Since(start).Seconds()
	if err := db.Close(); err != nil {
		return st, err
	}
	b, _ := json.Marshal(st)
	return st, os.WriteFile(marker, b, 0o600)
}

// rowWriter inserts the rows of complete traces with prepared statements.
type rowWriter struct{ stmts []*sql.Stmt }

func newRowWriter(ctx context.Context, db *store.DB) (*rowWriter, error) {
	w := &rowWriter{}
	for _, t := range rawTables {
		st, err := db.Writer.PrepareContext(ctx, t.insertSQL())
		if err != nil {
			w.close()
			return nil, err
		}
		w.stmts = append(w.stmts, st)
	}
	return w, nil
}

func (w *rowWriter) close() {
	for _, s := range w.stmts {
		s.Close()
	}
}

// write inserts one complete trace (its root span among spans) as store.LogSpans leaves it —
// the traces row with time, duration, state and previews from the root, the mlflow.traceName and
// spans-location tags, the schema-version metadata, the spans with their JSON content — plus
// the given user tags.
func (w *rowWriter) write(ctx context.Context, tx *sql.Tx, spans []model.Span, userTags [][2]string) error {
	var root model.Span
	minStart, maxEnd := spans[0].StartTimeNs, int64(0)
	for _, s := range spans {
		if s.IsRoot() {
			root = s
		}
		minStart, maxEnd = min(minStart, s.StartTimeNs), max(maxEnd, s.EndTimeNs)
	}
	id := store.TraceIDFromOTel(root.TraceID)
	exec := func(table int, args ...any) error {
		_, err := tx.StmtContext(ctx, w.stmts[table]).ExecContext(ctx, args...)
		return err
	}
	if err := exec(0, id, 0, nil, minStart/1e6, max(0, (maxEnd-minStart)/1e6), model.TraceOK,
		preview(root, model.AttrSpanInputs), preview(root, model.AttrSpanOutput)); err != nil {
		return err
	}
	tags := append([][2]string{{model.TagTraceName, root.Name}, {model.TagSpansLocation, model.SpansInStore}}, userTags...)
	for _, t := range tags {
		if err := exec(1, id, t[0], t[1]); err != nil {
			return err
		}
	}
	if err := exec(2, id, model.MetaSchemaVersion, "3"); err != nil {
		return err
	}
	for _, s := range spans {
		content, err := json.Marshal(s)
		if err != nil {
			return err
		}
		var typ string
		_ = json.Unmarshal([]byte(s.Attributes[model.AttrSpanType].(string)), &typ)
		if err := exec(3, id, s.SpanID, s.ParentSpanID, s.Name, typ, s.StatusCode, s.StartTimeNs, s.EndTimeNs, content); err != nil {
			return err
		}
	}
	return nil
}

// preview is the root's inputs or outputs cut to MLflow's preview length.
func preview(root model.Span, key string) string {
	s, _ := root.Attributes[key].(string)
	if utf8.RuneCountInString(s) > model.PreviewMaxRunes {
		s = string([]rune(s)[:model.PreviewMaxRunes])
	}
	return s
}

// checkTraceRows stores the same 2,000 generated traces once through store.LogSpans and once
// through rowWriter (one transaction each), in two scratch databases, fails unless every row is
// the same, and returns both rates in traces/s.
func checkTraceRows(ctx context.Context, work string) (logSpansRate, directRate float64, err error) {
	const n = 2000
	var traces [][]model.Span
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range n {
		traces = append(traces, bulkSpans(rng, time.Now().UnixNano()+int64(i)*1e9, bulkIOBytes))
	}
	var took time.Duration
	dump := func(dir string, fill func(*store.DB) error) ([][]any, error) {
		dir = filepath.Join(work, dir)
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		db, err := openStore(ctx, dir)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		t0 := time.Now()
		if err := fill(db); err != nil {
			return nil, err
		}
		took = time.Since(t0)
		var all [][]any
		for _, t := range rawTables {
			rows, err := db.Reader.QueryContext(ctx, "SELECT "+t.cols+" FROM "+t.name+" ORDER BY "+t.cols)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				vals := make([]any, len(splitCols(t.cols)))
				ptrs := make([]any, len(vals))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return nil, err
				}
				all = append(all, append([]any{t.name}, vals...))
			}
			rows.Close()
		}
		return all, nil
	}
	viaLogSpans, err := dump("gen-check-logspans", func(db *store.DB) error {
		var all []model.Span
		for _, spans := range traces {
			all = append(all, spans...)
		}
		_, err := db.LogSpans(ctx, "0", all)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	logSpansRate = n / took.Seconds()
	direct, err := dump("gen-check-direct", func(db *store.DB) error {
		w, err := newRowWriter(ctx, db)
		if err != nil {
			return err
		}
		defer w.close()
		tx, err := db.Writer.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for _, spans := range traces {
			if err := w.write(ctx, tx, spans, nil); err != nil {
				return err
			}
		}
		return tx.Commit()
	})
	if err != nil {
		return 0, 0, err
	}
	directRate = n / took.Seconds()
	if !reflect.DeepEqual(viaLogSpans, direct) {
		for i := range min(len(direct), len(viaLogSpans)) {
			if !reflect.DeepEqual(viaLogSpans[i], direct[i]) {
				return 0, 0, fmt.Errorf("generator check: rows differ from LogSpans'\nLogSpans: %.400v\ndirect:   %.400v", viaLogSpans[i], direct[i])
			}
		}
		return 0, 0, fmt.Errorf("generator check: %d rows via LogSpans, %d written directly", len(viaLogSpans), len(direct))
	}
	return logSpansRate, directRate, nil
}
