package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is a byte-counting progress bar on a terminal, and nothing at all when the output
// is piped or redirected, so scripts and logs never see bar updates.
type progress struct {
	bar *progressbar.ProgressBar
}

// newProgress draws on w when w is a terminal. total is the expected byte count, or -1 when it
// is unknown (standard input, an export), which shows a spinner with the bytes so far.
func newProgress(w io.Writer, total int64, description string) *progress {
	if !isTerminal(w) {
		return &progress{}
	}
	return &progress{bar: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionClearOnFinish(),
	)}
}

// update moves the bar to n bytes; every 1000 items it also shows the count in the description.
func (p *progress) update(description string, items int, n int64) {
	if p.bar == nil {
		return
	}
	if items%1000 == 0 {
		p.bar.Describe(fmt.Sprintf("%s (%d)", description, items))
	}
	_ = p.bar.Set64(n)
}

// describe replaces the bar's text, e.g. when reading is done and writing starts.
func (p *progress) describe(description string) {
	if p.bar != nil {
		p.bar.Describe(description)
		_ = p.bar.RenderBlank()
	}
}

// finish clears the bar, leaving the line free for the summary.
func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}

// isTerminal reports whether w is a terminal (an *os.File on a TTY).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// parseWithArgs is parse for commands whose flags may come after their arguments, as in
// `assay export dataset golden -o golden.jsonl`. It returns the positional arguments; "--"
// ends the flags.
func parseWithArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	var positional []string
	for rest := fs.Args(); len(rest) > 0; rest = fs.Args() {
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
	}
	return positional, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
