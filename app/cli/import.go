package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/jsonl"
	"github.com/assay-labs/assay/app/store"
)

// stdin is where `assay import traces -` reads; a variable so tests can feed it.
var stdin io.Reader = os.Stdin

const importTracesSynopsis = `Usage: assay import traces [flags] FILE

Imports traces from a JSON Lines file (FILE "-" reads standard input) into one experiment.
Each line is one of:
  - an MLflow trace as written by Trace.to_json(): {"info": {…}, "data": {"spans": […]}}
    (its trace id, tags and metadata are kept; its experiment is not: --experiment-id is);
  - an OTLP/JSON export: {"resourceSpans": […]};
  - a record {"inputs": …, "outputs": …, "tags": {…}, "name": "…", "expectations": {…}},
    which becomes a trace of one span (expectations become expectation assessments).
Blank lines are skipped.

All or nothing: every line is checked before anything is stored. If any line is bad, each
bad line is reported as "line N: what is wrong" (the first 20), nothing is imported and the
exit status is 1. The server may keep running meanwhile.`

// runImport dispatches `assay import WHAT`.
func runImport(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) > 0 && args[0] == "traces" {
		return runImportTraces(ctx, args[1:], out, errOut)
	}
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(errOut, "Usage: assay import traces [flags] FILE\n\nRun `assay import traces --help` for the details.")
		return flag.ErrHelp
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return &usageError{"say what to import: assay import traces FILE"}
	}
	return &usageError{fmt.Sprintf("cannot import %q: only traces can be imported (assay import traces FILE)", args[0])}
}

func runImportTraces(ctx context.Context, args []string, out, errOut io.Writer) error {
	var cfg app.Config
	var experimentID string
	fs := newFlagSet("import traces", importTracesSynopsis, errOut)
	cfg.BindStorage(fs)
	fs.StringVar(&experimentID, "experiment-id", "0", "experiment the traces are imported into")
	files, err := parseWithArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return &usageError{"give exactly one FILE to import (- for standard input)"}
	}
	name := files[0]
	in, size, closeIn, err := openInput(name)
	if err != nil {
		return err
	}
	defer closeIn()
	if err := ensureDataDir(cfg.DataDir); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DBPath())
	if err != nil {
		return err
	}
	defer db.Close()

	bar := newProgress(errOut, size, "reading")
	res, err := jsonl.ImportTraces(ctx, db, in, experimentID, func(lines int, n int64) {
		bar.update("reading", lines, n)
		if n == size {
			bar.describe("storing")
		}
	})
	bar.finish()
	var bad *jsonl.ImportError
	if errors.As(err, &bad) {
		for _, l := range bad.Lines {
			fmt.Fprintln(errOut, l.Error())
		}
		if more := bad.Total - len(bad.Lines); more > 0 {
			fmt.Fprintf(errOut, "… and %s more\n", plural(more, "bad line"))
		}
		return fmt.Errorf("nothing imported: %s in %s", plural(bad.Total, "bad line"), name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "imported %s (%s) from %s\n", plural(res.Traces, "trace"), plural(res.Spans, "span"), plural(res.Lines, "line"))
	return nil
}

// openInput opens FILE, or standard input for "-". size is the file's length, or -1 when it
// is not a regular file.
func openInput(name string) (r io.Reader, size int64, closeFn func(), err error) {
	if name == "-" {
		return stdin, -1, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, err
	}
	size = -1
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, func() { f.Close() }, nil
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}
