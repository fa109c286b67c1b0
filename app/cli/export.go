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
	"github.com/assay-labs/assay/app/store"
)

const exportDatasetSynopsis = `Usage: assay export dataset [flags] NAME_OR_ID

Writes an evaluation dataset as JSON Lines, one record per line in the shape of MLflow's
DatasetRecord.to_dict() (dataset_record_id, inputs, outputs, expectations, tags, source, …),
to standard output or to the file given with -o. NAME_OR_ID is a dataset id (d-…) or a name;
a name several datasets share is refused with their ids (narrow it with --experiment-id).
A file given with -o is written whole or not at all. The server may keep running meanwhile.`

// runExport dispatches `assay export WHAT`.
func runExport(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) > 0 && args[0] == "dataset" {
		return runExportDataset(ctx, args[1:], out, errOut)
	}
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(errOut, "Usage: assay export dataset [flags] NAME_OR_ID\n\nRun `assay export dataset --help` for the details.")
		return flag.ErrHelp
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return &usageError{"say what to export: assay export dataset NAME_OR_ID [-o FILE]"}
	}
	return &usageError{fmt.Sprintf("cannot export %q: only datasets can be exported so far (assay export dataset NAME_OR_ID)", args[0])}
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
	if _, err := os.Stat(cfg.DBPath()); err != nil {
		return fmt.Errorf("no Assay database at %s (is --data-dir right?)", cfg.DBPath())
	}
	db, err := store.Open(ctx, cfg.DBPath())
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := jsonl.ResolveDataset(ctx, db, names[0], experimentID)
	if err != nil {
		return err
	}

	dest, summaryTo, barTo := out, errOut, errOut // data on stdout: keep the summary off it
	var file *atomicFile
	if output != "" && output != "-" {
		if file, err = createAtomic(output); err != nil {
			return err
		}
		defer file.abort()
		dest, summaryTo = file, out
	} else if isTerminal(out) {
		barTo = io.Discard // records scrolling on the same terminal: a bar would garble them
	}
	bar := newProgress(barTo, -1, "exporting")
	n, err := jsonl.ExportDataset(ctx, db, d.DatasetID, dest, func(records int, b int64) { bar.update("exporting", records, b) })
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
	fmt.Fprintf(summaryTo, "exported %s of dataset %q (%s) to %s\n", plural(n, "record"), d.Name, d.DatasetID, where)
	return nil
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
