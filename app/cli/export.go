package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/jsonl"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

const exportDatasetSynopsis = `Usage: assay export dataset [flags] NAME_OR_ID

Writes an evaluation dataset as JSON Lines, one record per line in the shape of MLflow's
DatasetRecord.to_dict() (dataset_record_id, inputs, outputs, expectations, tags, source, …),
to standard output or to the file given with -o. NAME_OR_ID is a dataset id (d-…) or a name;
a name several datasets share is refused with their ids (narrow it with --experiment-id).
A file given with -o is written whole or not at all. The server may keep running meanwhile.`

const exportSessionSynopsis = `Usage: assay export session [flags] ID

Writes a labeling session as JSON Lines, one item per line in session order: item_id, position,
state, trace_id, the trace's inputs and outputs, every answer given in the session (reviewer,
schema, schema_version, value, comment, valid, assessment_id, created_time — overridden answers
included, with valid false, so the history is complete) and every review (reviewer, state,
completed_time, time_spent_ms). ID is the labeling session id or its MLflow run id. Output goes
to standard output or to the file given with -o, which is written whole or not at all. The
server may keep running meanwhile.`

// runExport dispatches `assay export WHAT`.
func runExport(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) > 0 && args[0] == "dataset" {
		return runExportDataset(ctx, args[1:], out, errOut)
	}
	if len(args) > 0 && args[0] == "session" {
		return runExportSession(ctx, args[1:], out, errOut)
	}
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(errOut, "Usage: assay export dataset [flags] NAME_OR_ID\n       assay export session [flags] ID\n\nRun `assay export dataset --help` or `assay export session --help` for the details.")
		return flag.ErrHelp
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return &usageError{"say what to export: assay export dataset NAME_OR_ID [-o FILE], or assay export session ID [-o FILE]"}
	}
	return &usageError{fmt.Sprintf("cannot export %q: export a dataset or a session (assay export dataset NAME_OR_ID, assay export session ID)", args[0])}
}

func runExportSession(ctx context.Context, args []string, out, errOut io.Writer) error {
	var cfg app.Config
	var output string
	fs := newFlagSet("export session", exportSessionSynopsis, errOut)
	cfg.BindStorage(fs)
	fs.StringVar(&output, "output", "", "file to write (default: standard output)")
	fs.StringVar(&output, "o", "", "shorthand for --output")
	ids, err := parseWithArgs(fs, args)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return &usageError{"give exactly one labeling session ID"}
	}
	db, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := findSession(ctx, db, ids[0])
	if err != nil {
		return err
	}
	return writeExport(out, errOut, output, func(w io.Writer, progress func(int, int64)) (int, error) {
		return jsonl.ExportSession(ctx, db, s.LabelingSessionID, w, progress)
	}, func(n int, where string) string {
		return fmt.Sprintf("exported %s of labeling session %q (%s) to %s", plural(n, "item"), s.Name, s.LabelingSessionID, where)
	})
}

// findSession resolves a labeling session id, or the id of the MLflow run a session is.
func findSession(ctx context.Context, db *store.DB, id string) (model.LabelingSession, error) {
	s, err := db.FindSession(ctx, id)
	if model.ErrorCode(err) != model.ResourceDoesNotExist {
		return s, err
	}
	ss, ferr := db.FindSessions(ctx, store.SessionFilter{RunID: id})
	if ferr != nil {
		return s, ferr
	}
	if len(ss) == 0 {
		return s, fmt.Errorf("no labeling session with id or run id %q", id)
	}
	return ss[0], nil
}

// writeExport sends an export to standard output or, with output set, to that file (written
// whole or not at all), with a progress bar on a terminal, then prints the summary: on standard
// error when the data went to standard output, so the two never mix.
func writeExport(out, errOut io.Writer, output string, export func(io.Writer, func(int, int64)) (int, error), summary func(n int, where string) string) error {
	dest, summaryTo, barTo := out, errOut, errOut
	var file *atomicFile
	var err error
	if output != "" && output != "-" {
		if file, err = createAtomic(output); err != nil {
			return err
		}
		defer file.abort()
		dest, summaryTo = file, out
	} else if isTerminal(out) {
		barTo = io.Discard // lines scrolling on the same terminal: a bar would garble them
	}
	bar := newProgress(barTo, -1, "exporting")
	n, err := export(dest, func(items int, b int64) { bar.update("exporting", items, b) })
	bar.finish()
	if err != nil {
		return err
	}
	where := "standard output"
	if file != nil {
		if err := file.commit(); err != nil {
			return err
		}
		where = output
	}
	fmt.Fprintln(summaryTo, summary(n, where))
	return nil
}

func runExportDataset(ctx context.Context, args []string, out, errOut io.Writer) error {
	var cfg app.Config
	var experimentID, output string
	fs := newFlagSet("export dataset", exportDatasetSynopsis, errOut)
	cfg.BindStorage(fs)
	fs.StringVar(&experimentID, "experiment-id", "", "look the dataset name up in this experiment only")
	fs.StringVar(&output, "output", "", "file to write (default: standard output)")
	fs.StringVar(&output, "o", "", "shorthand for --output")
	names, err := parseWithArgs(fs, args)
	if err != nil {
		return err
	}
	if len(names) != 1 {
		return &usageError{"give exactly one dataset NAME_OR_ID"}
	}
	db, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := jsonl.ResolveDataset(ctx, db, names[0], experimentID)
	if err != nil {
		return err
	}

	return writeExport(out, errOut, output, func(w io.Writer, progress func(int, int64)) (int, error) {
		return jsonl.ExportDataset(ctx, db, d.DatasetID, w, progress)
	}, func(n int, where string) string {
		return fmt.Sprintf("exported %s of dataset %q (%s) to %s", plural(n, "record"), d.Name, d.DatasetID, where)
	})
}

// atomicFile is written under a temporary name next to its destination and renamed into place
// on commit, so a failed export never leaves a truncated file behind (or clobbers a good one).
type atomicFile struct {
	*os.File
	dest string
	done bool
}

func createAtomic(dest string) (*atomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", dest, err)
	}
	return &atomicFile{File: f, dest: dest}, nil
}

// commit flushes the file to disk and moves it to its destination.
func (f *atomicFile) commit() error {
	err := errors.Join(f.Sync(), f.Close())
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), f.dest)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", f.dest, err)
	}
	f.done = true
	return nil
}

// abort removes the temporary file unless commit succeeded.
func (f *atomicFile) abort() {
	if !f.done {
		f.Close()
		os.Remove(f.Name())
	}
}

// openExisting opens the database of cfg, refusing to create one: exporting from a data
// directory that has none is a mistake (usually a wrong --data-dir).
func openExisting(ctx context.Context, cfg app.Config) (*store.DB, error) {
	if _, err := os.Stat(cfg.DBPath()); err != nil {
		return nil, fmt.Errorf("no Assay database at %s (is --data-dir right?)", cfg.DBPath())
	}
	return store.Open(ctx, cfg.DBPath())
}
