// Package cli is Assay's command line: `assay [serve]`, and the sub-commands people script.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/assay-labs/assay/app"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// command is one sub-command.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, out, errOut io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the server (the default when no sub-command is given)", runServe},
		{"import", "import traces from a JSONL file: assay import traces FILE", runImport},
		{"export", "export a dataset or a session as JSONL: assay export dataset NAME_OR_ID [-o FILE]", runExport},
		{"backup", "write a consistent copy of the database while Assay runs: assay backup FILE", runBackup},
		{"token", "create, list or revoke API tokens: assay token create --email EMAIL", runToken},
		{"user", "list users, grant or revoke admin, disable or enable: assay user list", runUser},
		{"version", "print the version", func(_ context.Context, _ []string, out, _ io.Writer) error {
			fmt.Fprintln(out, "assay", app.Version)
			return nil
		}},
	}
}

// usageError makes Run exit with ExitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// Run executes the command line args and returns the process exit code.
func Run(ctx context.Context, args []string, out, errOut io.Writer) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		printUsage(errOut)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, args, out, errOut)
		var ue *usageError
		switch {
		case err == nil:
			return ExitOK
		case errors.Is(err, flag.ErrHelp):
			return ExitOK
		case errors.As(err, &ue):
			fmt.Fprintf(errOut, "assay %s: %s\n", name, ue.msg)
			return ExitUsage
		default:
			fmt.Fprintf(errOut, "assay %s: %v\n", name, err)
			return ExitError
		}
	}
	fmt.Fprintf(errOut, "assay: unknown command %q\n\n", name)
	printUsage(errOut)
	return ExitUsage
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Assay: labeling sessions for GenAI traces, with an MLflow-compatible API.\n\nUsage: assay [command] [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `assay COMMAND --help` for a command's flags and their ASSAY_* environment variables.")
}

// newFlagSet returns a FlagSet whose errors are returned (not printed and exited) and whose
// --help lists each flag with its environment variable.
func newFlagSet(name, synopsis string, errOut io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = app.Usage(fs, errOut, synopsis)
	return fs
}

// parse applies env and args to fs, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := app.ParseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	return nil
}

// newLogger builds the slog logger the flags ask for.
func newLogger(cfg app.Config, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, &usageError{fmt.Sprintf("invalid --log-level %q", cfg.LogLevel)}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch cfg.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, &usageError{fmt.Sprintf("invalid --log-format %q: use text or json", cfg.LogFormat)}
}

// ensureDataDir creates the data directory, readable only by its owner.
func ensureDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	return nil
}
