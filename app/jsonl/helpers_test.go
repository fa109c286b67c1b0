package jsonl_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/jsonl"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/otlp"
	"github.com/assay-labs/assay/app/store"
)

// openDB opens a fresh, migrated SQLite file in a temp dir.
func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "assay.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newExperiment creates an experiment and returns its id.
func newExperiment(t testing.TB, db *store.DB, name string) string {
	t.Helper()
	id, err := db.CreateExperiment(context.Background(), name, "", nil, nil)
	if err != nil {
		t.Fatalf("create experiment: %v", err)
	}
	return id
}

// fixture reads a file of testdata.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mustImport imports text and fails the test on an error.
func mustImport(t testing.TB, db *store.DB, exp, text string) jsonl.ImportResult {
	t.Helper()
	res, err := jsonl.ImportTraces(context.Background(), db, strings.NewReader(text), exp, nil)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

// countTraces is how many traces experiment exp holds.
func countTraces(t testing.TB, db *store.DB, exp string) int {
	t.Helper()
	ids, err := db.SearchTraceIDs(context.Background(), store.TraceSearch{ExperimentIDs: []string{exp}, MaxResults: 1000})
	if err != nil {
		t.Fatalf("search traces: %v", err)
	}
	return len(ids)
}

// traceOf reads a trace's info and spans back.
func traceOf(t testing.TB, db *store.DB, id string) (model.TraceInfo, []model.Span) {
	t.Helper()
	info, err := db.FindTraceInfo(context.Background(), id)
	if err != nil {
		t.Fatalf("find trace %s: %v", id, err)
	}
	spans, err := db.FindSpans(context.Background(), id)
	if err != nil {
		t.Fatalf("find spans of %s: %v", id, err)
	}
	return info, spans
}

// attr decodes a span attribute the way MLflow reads it (a JSON-encoded string is parsed) and
// re-encodes it compactly, so tests can compare against a JSON literal.
func attr(t testing.TB, s model.Span, key string) string {
	t.Helper()
	v, ok := otlp.AttrValue(&s, key)
	if !ok {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// spanNamed returns the span with that name.
func spanNamed(t testing.TB, spans []model.Span, name string) model.Span {
	t.Helper()
	for _, s := range spans {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no span named %q among %d", name, len(spans))
	return model.Span{}
}

func wantEq[T comparable](t testing.TB, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
