package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/otlp"
	"github.com/assay-labs/assay/app/store"
)

// DefaultMaxLineBytes is the longest line ImportTraces accepts: the server's default body limit,
// so a line the server would take in one request is never too long for a file.
const DefaultMaxLineBytes = otlp.DefaultMaxBytes

// ImportResult counts what an import stored.
type ImportResult struct {
	Lines    int      // non-blank lines read
	Traces   int      // distinct traces written (created, or completed when they already existed)
	Spans    int      // spans written
	TraceIDs []string // the traces written ("tr-…"), in the order the file first mentions them
}

// ImportTraces reads JSON Lines from r into experiment experimentID ("" is "0"), with lines of
// up to DefaultMaxLineBytes. It is all or nothing: when a line is bad the error is an
// *ImportError listing the bad lines and nothing is stored. progress, when not nil, is called
// after every line with the non-blank lines and bytes read so far.
func ImportTraces(ctx context.Context, db *store.DB, r io.Reader, experimentID string, progress func(lines int, bytes int64)) (ImportResult, error) {
	return ImportTracesLimit(ctx, db, r, experimentID, DefaultMaxLineBytes, progress)
}

// ImportTracesLimit is ImportTraces with another line limit (the HTTP route passes its body
// limit); maxLineBytes <= 0 means DefaultMaxLineBytes.
func ImportTracesLimit(ctx context.Context, db *store.DB, r io.Reader, experimentID string, maxLineBytes int64, progress func(lines int, bytes int64)) (ImportResult, error) {
	if experimentID == "" {
		experimentID = "0"
	}
	if maxLineBytes <= 0 {
		maxLineBytes = DefaultMaxLineBytes
	}
	exp, err := db.FindExperimentByID(ctx, experimentID)
	if err != nil {
		return ImportResult{}, err
	}
	if exp.LifecycleStage != model.StageActive {
		return ImportResult{}, model.Invalid("experiment_id", "experiment %s is deleted", experimentID)
	}
	b, err := readLines(ctx, r, maxLineBytes, progress)
	if err != nil {
		return ImportResult{}, err
	}
	if err := checkExperiments(ctx, db, exp.ExperimentID, b); err != nil {
		return ImportResult{}, err
	}
	if err := save(ctx, db, exp.ExperimentID, b); err != nil {
		return ImportResult{}, err
	}
	return ImportResult{Lines: b.lines, Traces: len(b.traces), Spans: len(b.spans), TraceIDs: b.traces}, nil
}

// readLines parses every line. Once a line is bad the good ones that follow are still checked
// (so the report lists every problem up to MaxReportedLines) but no longer kept.
func readLines(ctx context.Context, r io.Reader, maxLineBytes int64, progress func(int, int64)) (*batch, error) {
	sc := bufio.NewScanner(r)
	limit := int(min(maxLineBytes+2, math.MaxInt32)) // +2 for "\r\n"
	sc.Buffer(make([]byte, min(64<<10, limit)), limit)
	sc.Split(scanLines)
	b, bad := newBatch(), &ImportError{}
	lineNo, read := 0, int64(0)
	for sc.Scan() {
		tok := sc.Bytes()
		lineNo++
		read += int64(len(tok))
		if lineNo%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if lineNo == 1 {
			tok = bytes.TrimPrefix(tok, []byte("\uFEFF")) // a byte-order mark some Windows tools write
		}
		line := bytes.TrimSpace(tok)
		if len(line) == 0 {
			continue
		}
		b.lines++
		if int64(len(line)) > maxLineBytes {
			bad.add(lineNo, fmt.Errorf("the line is %d bytes, over the %d-byte limit", len(line), maxLineBytes))
		} else if res, err := parseLine(line, maxLineBytes); err != nil {
			bad.add(lineNo, err)
		} else if bad.Total == 0 {
			b.add(lineNo, res)
		}
		if progress != nil {
			progress(b.lines, read)
		}
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		bad.add(lineNo+1, fmt.Errorf("the line is over the %d-byte limit (reading stopped there)", maxLineBytes))
	} else if err != nil {
		return nil, fmt.Errorf("read line %d: %w", lineNo+1, err)
	}
	if bad.Total > 0 {
		return nil, bad
	}
	return b, nil
}

// scanLines is bufio.ScanLines keeping the line end, so the byte count of progress reports
// matches the input exactly.
func scanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i+1], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
