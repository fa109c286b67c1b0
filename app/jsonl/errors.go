package jsonl

import (
	"fmt"
	"strings"
)

// MaxReportedLines is how many bad lines an ImportError lists; the rest are only counted, so a
// file of the wrong kind gives a readable report instead of a million lines of it.
const MaxReportedLines = 20

// LineError is one line of an import that could not be used.
type LineError struct {
	Line int // 1-based line number in the input
	Err  error
}

// Error renders "line N: what is wrong".
func (e LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// ImportError rejects a whole import because of its bad lines: nothing was stored. Lines holds
// the first MaxReportedLines bad lines in input order; Total counts them all.
type ImportError struct {
	Lines []LineError
	Total int
}

// Error joins the listed lines with "; " ("line 3: …; line 9: …") and says how many more there
// were, so one bad line reads exactly "line 3: …".
func (e *ImportError) Error() string {
	parts := make([]string, len(e.Lines))
	for i, l := range e.Lines {
		parts[i] = l.Error()
	}
	s := strings.Join(parts, "; ")
	if more := e.Total - len(e.Lines); more > 0 {
		s += fmt.Sprintf("; and %d more bad line%s", more, plural(more))
	}
	return s
}

// add records a bad line, keeping only the first MaxReportedLines.
func (e *ImportError) add(line int, err error) {
	e.Total++
	if len(e.Lines) < MaxReportedLines {
		e.Lines = append(e.Lines, LineError{Line: line, Err: err})
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
