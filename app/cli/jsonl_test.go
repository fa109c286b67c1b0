package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/store"
)

const (
	otlpLine   = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718","name":"root","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"}]}]}]}`
	recordLine = `{"inputs": {"q": "hi"}, "outputs": {"a": "yo"}, "tags": {"k": "v"}}`
)

// cliEnv is a data directory with a database the test can inspect while the CLI uses it too.
type cliEnv struct {
	dir string
	db  *store.DB
}

func newCLIEnv(t *testing.T) *cliEnv {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "assay.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &cliEnv{dir: dir, db: db}
}

// run calls Run and returns the exit code, standard output and standard error.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeFile writes a file in a temp dir and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *cliEnv) traceCount(t *testing.T, exp string) int {
	t.Helper()
	ids, err := e.db.SearchTraceIDs(context.Background(), store.TraceSearch{ExperimentIDs: []string{exp}, MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(ids)
}

func TestImportTracesCommand(t *testing.T) {
	env := newCLIEnv(t)
	exp, err := env.db.CreateExperiment(context.Background(), "target", "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, "traces.jsonl", otlpLine+"\n\n"+recordLine+"\r\n")

	code, out, errOut := run(t, "import", "traces", "--data-dir", env.dir, "--experiment-id", exp, file)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if want := "imported 2 traces (2 spans) from 2 lines\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if errOut != "" {
		t.Errorf("stderr = %q, want nothing (no progress bar when not on a terminal)", errOut)
	}
	if n := env.traceCount(t, exp); n != 2 {
		t.Errorf("experiment %s holds %d traces, want 2", exp, n)
	}
	info, err := env.db.FindTraceInfo(context.Background(), "tr-0102030405060708090a0b0c0d0e0f10")
	if err != nil || info.ExperimentID != exp {
		t.Errorf("OTLP trace: %+v, %v; want it in experiment %s", info, err, exp)
	}
}

// TestImportTracesFlagsAndEnv: flags may follow FILE, ASSAY_* variables set them, and "-"
// reads standard input.
func TestImportTracesFlagsAndEnv(t *testing.T) {
	env := newCLIEnv(t)
	file := writeFile(t, "one.jsonl", recordLine)
	if code, out, errOut := run(t, "import", "traces", file, "--data-dir", env.dir); code != ExitOK || out != "imported 1 trace (1 span) from 1 line\n" {
		t.Fatalf("flags after FILE: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	t.Setenv("ASSAY_DATA_DIR", env.dir)
	t.Setenv("ASSAY_EXPERIMENT_ID", "0")
	old := stdin
	stdin = strings.NewReader(recordLine + "\n" + recordLine + "\n")
	t.Cleanup(func() { stdin = old })
	if code, out, errOut := run(t, "import", "traces", "-"); code != ExitOK || out != "imported 2 traces (2 spans) from 2 lines\n" {
		t.Fatalf("stdin with env: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if n := env.traceCount(t, "0"); n != 3 {
		t.Errorf("experiment 0 holds %d traces, want 3", n)
	}
}

// TestImportTracesBadLine: one bad line makes the command fail with status 1, name the line,
// and store nothing.
func TestImportTracesBadLine(t *testing.T) {
	env := newCLIEnv(t)
	file := writeFile(t, "bad.jsonl", recordLine+"\n"+`{"inputs": 1, "tags": {"k": 2}}`+"\n"+recordLine+"\n{oops\n")
	code, out, errOut := run(t, "import", "traces", "--data-dir", env.dir, file)
	if code != ExitError {
		t.Fatalf("exit %d, want %d", code, ExitError)
	}
	if out != "" {
		t.Errorf("stdout = %q, want nothing", out)
	}
	for _, want := range []string{"line 2: tags.k: want a string, got a number\n", "line 4: malformed JSON", "assay import: nothing imported: 2 bad lines in " + file} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if n := env.traceCount(t, "0"); n != 0 {
		t.Errorf("%d traces stored, want none", n)
	}
}

func TestImportExportUsage(t *testing.T) {
	env := newCLIEnv(t)
	file := writeFile(t, "one.jsonl", recordLine)
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"import nothing", []string{"import"}, ExitUsage, "say what to import"},
		{"import the wrong thing", []string{"import", "spans", file}, ExitUsage, `cannot import "spans"`},
		{"import without a file", []string{"import", "traces", "--data-dir", env.dir}, ExitUsage, "exactly one FILE"},
		{"import two files", []string{"import", "traces", "--data-dir", env.dir, file, file}, ExitUsage, "exactly one FILE"},
		{"import unknown flag", []string{"import", "traces", "--nope", file}, ExitUsage, "nope"},
		{"import help", []string{"import", "traces", "--help"}, ExitOK, "All or nothing"},
		{"import missing file", []string{"import", "traces", "--data-dir", env.dir, filepath.Join(env.dir, "missing.jsonl")}, ExitError, "no such file"},
		{"import unknown experiment", []string{"import", "traces", "--data-dir", env.dir, "--experiment-id", "99", file}, ExitError, "No Experiment with id=99"},
		{"export nothing", []string{"export"}, ExitUsage, "say what to export"},
		{"export the wrong thing", []string{"export", "traces", "x"}, ExitUsage, `cannot export "traces"`},
		{"export session without an id", []string{"export", "session", "--data-dir", env.dir}, ExitUsage, "exactly one labeling session ID"},
		{"export session help", []string{"export", "session", "--help"}, ExitOK, "overridden answers"},
		{"export unknown session", []string{"export", "session", "--data-dir", env.dir, "nope"}, ExitError, `no labeling session with id or run id "nope"`},
		{"export without a name", []string{"export", "dataset", "--data-dir", env.dir}, ExitUsage, "exactly one dataset"},
		{"export help", []string{"export", "dataset", "-h"}, ExitOK, "ASSAY_EXPERIMENT_ID"},
		{"export unknown dataset", []string{"export", "dataset", "--data-dir", env.dir, "nope"}, ExitError, `no dataset with id or name "nope"`},
		{"export without a database", []string{"export", "dataset", "--data-dir", t.TempDir(), "x"}, ExitError, "no Assay database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, errOut)
			}
			if !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantErr, errOut)
			}
		})
	}
}

func TestExportDatasetCommand(t *testing.T) {
	env := newCLIEnv(t)
	ctx := context.Background()
	d, err := env.db.CreateDataset(ctx, store.DatasetCreate{Name: "golden set", ExperimentIDs: []string{"0"}})
	if err != nil {
		t.Fatal(err)
	}
	recs := []store.RecordInput{
		{Inputs: json.RawMessage(`{"q": "one"}`), Expectations: map[string]json.RawMessage{"expected_response": json.RawMessage(`"1"`)}},
		{Inputs: json.RawMessage(`{"q": "two"}`), Outputs: json.RawMessage(`"2"`), HasOutputs: true},
	}
	if _, _, err := env.db.MergeRecords(ctx, d.DatasetID, recs, "me"); err != nil {
		t.Fatal(err)
	}

	code, stdout, errOut := run(t, "export", "dataset", "--data-dir", env.dir, "golden set")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdout has %d lines, want 2:\n%s", len(lines), stdout)
	}
	var first struct {
		DatasetID    string            `json:"dataset_id"`
		Inputs       map[string]string `json:"inputs"`
		Expectations map[string]string `json:"expectations"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.DatasetID != d.DatasetID || first.Inputs["q"] != "one" || first.Expectations["expected_response"] != "1" {
		t.Errorf("first record = %+v", first)
	}
	if want := `exported 2 records of dataset "golden set" (` + d.DatasetID + ") to standard output\n"; errOut != want {
		t.Errorf("stderr = %q, want %q (the summary stays off the data)", errOut, want)
	}

	// -o after the name, by id: the file holds the same bytes, the summary goes to stdout.
	path := filepath.Join(t.TempDir(), "golden.jsonl")
	code, out, errOut := run(t, "export", "dataset", d.DatasetID, "-o", path, "--data-dir", env.dir)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != stdout {
		t.Errorf("file = %q (%v), want the same bytes as stdout %q", got, err, stdout)
	}
	if !strings.HasPrefix(out, "exported 2 records") || !strings.HasSuffix(out, "to "+path+"\n") {
		t.Errorf("stdout = %q", out)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("export dir holds %d entries, want only the file (no temp files left)", len(entries))
	}

	// A name two datasets share is refused, listing both ids.
	other, err := env.db.CreateExperiment(ctx, "other", "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	twin, err := env.db.CreateDataset(ctx, store.DatasetCreate{Name: "golden set", ExperimentIDs: []string{other}})
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut = run(t, "export", "dataset", "--data-dir", env.dir, "golden set")
	if code != ExitError || !strings.Contains(errOut, d.DatasetID) || !strings.Contains(errOut, twin.DatasetID) {
		t.Errorf("ambiguous name: exit %d, stderr %q; want 1 and both ids", code, errOut)
	}
	if code, _, errOut = run(t, "export", "dataset", "--data-dir", env.dir, "--experiment-id", other, "golden set"); code != ExitOK {
		t.Errorf("name within an experiment: exit %d, stderr %q", code, errOut)
	}
}
