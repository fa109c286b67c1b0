package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/assay-labs/assay/app/otlp"
	"github.com/assay-labs/assay/app/store"
)

// Shape of one OTLP request: 100 traces of 5 spans, each span with ~1 KB inputs and ~1 KB outputs.
const (
	tracesPerRequest = 100
	spansPerTrace    = 5
	spanIOBytes      = 1024
)

// benchIngest measures OTLP/HTTP ingestion into Assay in spans/s, next to the raw SQLite insert
// ceiling for the same rows and, when mlflow is installed, MLflow's tracking server on the same
// requests.
func benchIngest(ctx context.Context, o options, work string, rep *Report) error {
	const section = "ingest"
	for _, dir := range []string{"ingest-template", "ingest-raw", "ingest-assay", "ingest-mlflow"} {
		if err := os.RemoveAll(filepath.Join(work, dir)); err != nil {
			return err
		}
	}
	tpl, err := newOTLPTemplate(1, tracesPerRequest, spansPerTrace, spanIOBytes)
	if err != nil {
		return err
	}
	d := time.Duration(o.Seconds * float64(time.Second))
	rep.note(section, "Each request is one OTLP protobuf ExportTraceServiceRequest of %d traces × %d spans (%.2f MB) with MLflow's span "+
		"attributes and ~%d B of inputs and of outputs per span; every request carries fresh random trace ids. %d clients post "+
		"for %s over keep-alive HTTP to 127.0.0.1; spans/s counts acknowledged spans from the first request to the last answer.",
		tracesPerRequest, spansPerTrace, float64(len(tpl.body))/1e6, spanIOBytes, o.Clients, d)

	rows, err := templateRows(ctx, filepath.Join(work, "ingest-template"), tpl)
	if err != nil {
		return fmt.Errorf("store the template request: %w", err)
	}
	logf("raw SQLite insert ceiling for %s…", d)
	raw, err := rawInsert(ctx, filepath.Join(work, "ingest-raw"), rows, tpl, d)
	if err != nil {
		return fmt.Errorf("raw inserts: %w", err)
	}
	rep.note(section, "Raw ceiling: the rows Assay stored for the template request (1 traces row, 2 trace_tags, 1 trace_metadata and "+
		"%d spans rows per trace, read back from a scratch database), inserted with prepared plain INSERTs, one BEGIN IMMEDIATE "+
		"transaction per %d traces (the same batch as one request), single-threaded, into a fresh database opened with "+
		"store.Open (same schema, WAL, synchronous=FULL, foreign keys on). Only trace ids are patched between batches.",
		spansPerTrace, tracesPerRequest)

	srv, err := startAssay(ctx, filepath.Join(work, "ingest-assay"))
	if err != nil {
		return err
	}
	logf("Assay OTLP ingestion for %s…", d)
	assay, err := otlpLoad(ctx, srv.URL+"/v1/traces", nil, tpl, o.Clients, d)
	var contentBytes float64
	var stored int
	if err == nil {
		err = srv.DB.Reader.QueryRowContext(ctx, `SELECT count(*), avg(length(content)) FROM spans`).Scan(&stored, &contentBytes)
	}
	if serr := srv.Stop(); err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("assay: %w", err)
	}
	size := float64(dirSize(filepath.Join(work, "ingest-assay")))
	rep.note(section, "Assay's database after ingestion (data directory, WAL included): %.0f MB for %d spans, %.1f KB per span for %.1f KB of span "+
		"content JSON; on 4 KB pages a span row of that size leaves the rest of its page unused (the raw baseline has the same schema, "+
		"so the ratio does not show this).",
		size/1e6, stored, size/1e3/float64(stored), contentBytes/1e3)
	rep.add(section, fmt.Sprintf("OTLP ingestion, Assay (%d clients, HTTP protobuf)", o.Clients), assay.rate(), "spans/s",
		&Baseline{Name: "raw SQLite inserts of the same rows", Value: raw.rate(), Unit: "spans/s"},
		&Target{OnRatio: true, Op: ">=", Limit: 0.5})
	rep.note(section, "Assay: %d requests, latency p50 %s, p99 %s per %d-span request. Raw: %d batches in %s, %.0f ms per batch "+
		"of which %.0f ms in COMMIT (the WAL fsync that synchronous=FULL asks for).",
		assay.requests, assay.percentile(50), assay.percentile(99), tpl.spans, raw.requests, raw.elapsed.Round(time.Millisecond),
		ms(raw.elapsed)/float64(raw.requests), ms(raw.commits)/float64(raw.requests))

	return benchMLflowIngest(ctx, o, work, rep, tpl, assay, raw)
}

// loadResult is what one ingestion run achieved.
type loadResult struct {
	spans     int
	requests  int
	elapsed   time.Duration
	latencies []time.Duration
	commits   time.Duration // raw baseline: time spent in COMMIT (the WAL fsync)
}

func (r loadResult) rate() float64 { return float64(r.spans) / r.elapsed.Seconds() }

// percentile is a percentile of the request latencies, to the millisecond.
func (r loadResult) percentile(p float64) time.Duration {
	return percentile(r.latencies, p).Round(time.Millisecond)
}

// otlpLoad has clients goroutines post fresh copies of tpl to url until d has passed (after one
// untimed warm-up request), and counts what was acknowledged.
func otlpLoad(ctx context.Context, url string, header http.Header, tpl *otlpTemplate, clients int, d time.Duration) (loadResult, error) {
	c := newHTTPClient(clients)
	warm := tpl.fill(nil, rand.New(rand.NewPCG(99, uint64(time.Now().UnixNano()))))
	if _, err := post(ctx, c, url, otlp.ContentTypeProtobuf, header, warm); err != nil {
		return loadResult{}, fmt.Errorf("warm-up request: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		total loadResult
		first error
		wg    sync.WaitGroup
	)
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))
			var body []byte
			var lat []time.Duration
			for time.Since(start) < d && ctx.Err() == nil {
				body = tpl.fill(body, rng)
				t0 := time.Now()
				if _, err := post(ctx, c, url, otlp.ContentTypeProtobuf, header, body); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					cancel()
					return
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			total.requests += len(lat)
			total.latencies = append(total.latencies, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	total.spans = total.requests * tpl.spans
	return total, first
}

// rawTable is one table the raw baseline writes, in foreign-key order.
type rawTable struct{ name, cols string }

var rawTables = []rawTable{
	{"traces", "trace_id, experiment_id, client_request_id, request_time, execution_duration, state, request_preview, response_preview"},
	{"trace_tags", "trace_id, key, value"},
	{"trace_metadata", "trace_id, key, value"},
	{"spans", "trace_id, span_id, parent_span_id, name, type, status, start_time_ns, end_time_ns, content"},
}

// rawRow is one row Assay stored for the template request. at[c] lists where the trace's hex id
// sits inside column c, so a batch with new ids only patches those bytes.
type rawRow struct {
	table int
	trace int
	vals  []any
	at    [][]int
}

// templateRows stores the template request through Assay's own code path (otlp.Decode,
// otlp.Normalize, store.LogSpans — what POST /v1/traces does) into a scratch database and reads
// back every row that produced, so the raw baseline inserts exactly the same rows.
func templateRows(ctx context.Context, dir string, tpl *otlpTemplate) ([]rawRow, error) {
	db, err := openStore(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	spans, err := otlp.Decode(tpl.body, otlp.ContentTypeProtobuf, "", 0)
	if err != nil {
		return nil, err
	}
	for i := range spans {
		otlp.Normalize(&spans[i])
	}
	ids, err := db.LogSpans(ctx, "0", spans)
	if err != nil {
		return nil, err
	}
	traceIdx := map[string]int{}
	for i, id := range ids {
		traceIdx[id] = i
	}
	var rows []rawRow
	for t, tab := range rawTables {
		q, err := db.Reader.QueryContext(ctx, "SELECT "+tab.cols+" FROM "+tab.name)
		if err != nil {
			return nil, err
		}
		n := len(splitCols(tab.cols))
		for q.Next() {
			vals := make([]any, n)
			ptrs := make([]any, n)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := q.Scan(ptrs...); err != nil {
				q.Close()
				return nil, err
			}
			id, _ := vals[0].(string)
			ti, ok := traceIdx[id]
			if !ok {
				q.Close()
				return nil, fmt.Errorf("%s row of unknown trace %v", tab.name, vals[0])
			}
			r := rawRow{table: t, trace: ti, vals: vals, at: make([][]int, n)}
			hexID := []byte(id[len("tr-"):])
			for c, v := range vals {
				switch v := v.(type) {
				case string:
					r.at[c] = indexAll([]byte(v), hexID)
				case []byte:
					r.at[c] = indexAll(v, hexID)
				}
			}
			rows = append(rows, r)
		}
		q.Close()
		if err := q.Err(); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

func splitCols(cols string) []string { return strings.Split(cols, ", ") }

// insertSQL is a plain INSERT of every column of t.
func (t rawTable) insertSQL() string {
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(splitCols(t.cols))), ", ")
	return "INSERT INTO " + t.name + " (" + t.cols + ") VALUES (" + ph + ")"
}

// rawInsert inserts the template's rows, with fresh trace ids per batch, for d and reports spans/s.
func rawInsert(ctx context.Context, dir string, rows []rawRow, tpl *otlpTemplate, d time.Duration) (loadResult, error) {
	db, err := openStore(ctx, dir)
	if err != nil {
		return loadResult{}, err
	}
	defer db.Close()
	stmts := make([]*sql.Stmt, len(rawTables))
	for i, t := range rawTables {
		if stmts[i], err = db.Writer.PrepareContext(ctx, t.insertSQL()); err != nil {
			return loadResult{}, err
		}
		defer stmts[i].Close()
	}
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	hexIDs := make([][]byte, tpl.traces)
	var id [16]byte
	var res loadResult
	start := time.Now()
	for time.Since(start) < d {
		for i := range hexIDs {
			randomID(rng, id[:])
			hexIDs[i] = fmt.Appendf(hexIDs[i][:0], "%x", id)
		}
		commit, err := insertBatch(ctx, db, stmts, rows, hexIDs)
		if err != nil {
			return res, err
		}
		res.commits += commit
		res.requests++
		res.spans += tpl.spans
	}
	res.elapsed = time.Since(start)
	return res, nil
}

// insertBatch writes one batch of rows in one transaction and returns how long COMMIT took.
func insertBatch(ctx context.Context, db *store.DB, stmts []*sql.Stmt, rows []rawRow, hexIDs [][]byte) (time.Duration, error) {
	tx, err := db.Writer.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	txStmts := make([]*sql.Stmt, len(stmts))
	for i, s := range stmts {
		txStmts[i] = tx.StmtContext(ctx, s)
	}
	for _, r := range rows {
		args := make([]any, len(r.vals))
		for c, v := range r.vals {
			args[c] = v
			if len(r.at[c]) == 0 {
				continue
			}
			switch v := v.(type) {
			case string:
				args[c] = string(patch([]byte(v), r.at[c], hexIDs[r.trace]))
			case []byte:
				args[c] = patch(slices.Clone(v), r.at[c], hexIDs[r.trace])
			}
		}
		if _, err := txStmts[r.table].ExecContext(ctx, args...); err != nil {
			return 0, fmt.Errorf("insert %s: %w", rawTables[r.table].name, err)
		}
	}
	t0 := time.Now()
	err = tx.Commit()
	return time.Since(t0), err
}

// patch writes id at each offset of b and returns b.
func patch(b []byte, at []int, id []byte) []byte {
	for _, o := range at {
		copy(b[o:], id)
	}
	return b
}
