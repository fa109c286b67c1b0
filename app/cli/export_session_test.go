package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

func TestExportSessionCommand(t *testing.T) {
	env := newCLIEnv(t)
	ctx := context.Background()
	db := env.db
	exp, err := db.CreateExperiment(ctx, "bot", "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	by := store.Actor{Email: "dev@example.com"}
	s, err := db.CreateSession(ctx, store.SessionCreate{ExperimentID: exp, Name: "triage", LabelSchemas: []string{"expected_response"},
		AssignedUsers: []string{"ana@example.com"}}, by)
	if err != nil {
		t.Fatal(err)
	}
	var spans []model.Span
	for _, q := range []string{"one", "two"} {
		spans = append(spans, model.Span{TraceID: store.NewHexID(16), SpanID: store.NewHexID(8), Name: "root", StartTimeNs: 1, EndTimeNs: 2,
			StatusCode: model.StatusOK, Attributes: map[string]any{model.AttrSpanInputs: map[string]any{"q": q}, model.AttrSpanOutput: "answer " + q}})
	}
	traces, err := db.LogSpans(ctx, exp, spans)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddItems(ctx, s.LabelingSessionID, []store.ItemSource{{TraceID: traces[0]}, {TraceID: traces[1]}}, by); err != nil {
		t.Fatal(err)
	}
	items, err := db.FindItems(ctx, s.LabelingSessionID, store.ItemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Submit(ctx, store.Submission{SessionID: s.LabelingSessionID, ItemID: items[0].ItemID, Reviewer: "ana@example.com",
		Answers: map[string]model.Answer{"expected_response": {Value: json.RawMessage(`"It is one."`)}}, TimeSpentMs: 900}); err != nil {
		t.Fatal(err)
	}

	code, stdout, errOut := run(t, "export", "session", "--data-dir", env.dir, s.LabelingSessionID)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdout has %d lines, want 2:\n%s", len(lines), stdout)
	}
	var first store.ExportItem
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.TraceID != traces[0] || string(first.Inputs) != `{"q":"one"}` || string(first.Outputs) != `"answer one"` || first.State != model.ItemCompleted {
		t.Errorf("first line = %s", lines[0])
	}
	if len(first.Answers) != 1 || string(first.Answers[0].Value) != `"It is one."` || first.Answers[0].Reviewer != "ana@example.com" || !first.Answers[0].Valid {
		t.Errorf("first line's answers = %+v", first.Answers)
	}
	if len(first.Reviews) != 1 || first.Reviews[0].TimeSpentMs != 900 {
		t.Errorf("first line's reviews = %+v", first.Reviews)
	}
	wantSummary := `exported 2 items of labeling session "triage" (` + s.LabelingSessionID + ") to standard output\n"
	if errOut != wantSummary {
		t.Errorf("stderr = %q, want %q", errOut, wantSummary)
	}

	// By the session's run id, to a file given after the id: the same bytes, summary on stdout.
	path := filepath.Join(t.TempDir(), "triage.jsonl")
	code, out, errOut := run(t, "export", "session", s.MLflowRunID, "-o", path, "--data-dir", env.dir)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != stdout {
		t.Errorf("file = %q (%v), want the bytes of stdout", got, err)
	}
	if !strings.HasPrefix(out, "exported 2 items") || !strings.HasSuffix(out, "to "+path+"\n") {
		t.Errorf("stdout = %q", out)
	}
}
