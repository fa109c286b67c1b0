package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"time"

	"github.com/assay-labs/assay/app/store"
)

// timeVerbatimExport is a sketch of a faster export, not Assay's code: it writes each line by
// appending the stored JSON columns as they are — inputs is stored canonical and compact,
// expectations and tags as compact JSON objects — and compacts only outputs and source, which
// are stored as the client sent them (a newline in them would break the line). ExportDataset
// instead decodes expectations and tags into maps and has encoding/json re-validate and
// re-compact every json.RawMessage. It shows how much of the gap to the raw read can go.
func timeVerbatimExport(ctx context.Context, db *store.DB, datasetID string, w io.Writer) (int64, time.Duration, error) {
	cw := &countingWriter{w: w}
	start := time.Now()
	bw := bufio.NewWriterSize(cw, 256<<10)
	rows, err := db.Reader.QueryContext(ctx, `SELECT dataset_record_id, dataset_id, inputs, outputs, expectations, tags, source,
		source_type, source_id, created_time, last_update_time, created_by, last_updated_by
		FROM dataset_records WHERE dataset_id = ? ORDER BY created_time, rowid`, datasetID)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	var (
		id, ds, inputs, outputs, exps, tags, source, stype, sid, by, lastBy sql.RawBytes
		created, updated                                                    int64
		line                                                                []byte
		compact                                                             bytes.Buffer
	)
	for rows.Next() {
		if err := rows.Scan(&id, &ds, &inputs, &outputs, &exps, &tags, &source, &stype, &sid, &created, &updated, &by, &lastBy); err != nil {
			return 0, 0, err
		}
		line = append(line[:0], `{"dataset_record_id":`...)
		line = appendJSONString(line, id)
		line = appendJSONString(append(line, `,"dataset_id":`...), ds)
		line = append(append(line, `,"inputs":`...), inputs...)
		if outputs != nil {
			compact.Reset()
			if err := json.Compact(&compact, outputs); err != nil {
				return 0, 0, err
			}
			line = append(append(line, `,"outputs":`...), compact.Bytes()...)
		}
		line = append(append(line, `,"expectations":`...), exps...)
		line = append(append(line, `,"tags":`...), tags...)
		if source != nil {
			compact.Reset()
			if err := json.Compact(&compact, source); err != nil {
				return 0, 0, err
			}
			line = append(append(line, `,"source":`...), compact.Bytes()...)
		}
		if len(sid) > 0 {
			line = appendJSONString(append(line, `,"source_id":`...), sid)
		}
		if len(stype) > 0 {
			line = appendJSONString(append(line, `,"source_type":`...), stype)
		}
		line = strconv.AppendInt(append(line, `,"created_time":`...), created, 10)
		line = strconv.AppendInt(append(line, `,"last_update_time":`...), updated, 10)
		if len(by) > 0 {
			line = appendJSONString(append(line, `,"created_by":`...), by)
		}
		if len(lastBy) > 0 {
			line = appendJSONString(append(line, `,"last_updated_by":`...), lastBy)
		}
		if _, err := bw.Write(append(line, "}\n"...)); err != nil {
			return 0, 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	err = bw.Flush()
	return cw.n, time.Since(start), err
}

// appendJSONString appends s as a JSON string (s is valid UTF-8: it came from Go strings).
func appendJSONString(b, s []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// sameJSONLines reports whether two JSONL files hold the same JSON values line by line.
func sameJSONLines(a, b string) error {
	fa, err := os.Open(a)
	if err != nil {
		return err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return err
	}
	defer fb.Close()
	sa, sb := bufio.NewScanner(fa), bufio.NewScanner(fb)
	sa.Buffer(nil, 16<<20)
	sb.Buffer(nil, 16<<20)
	for n := 1; ; n++ {
		okA, okB := sa.Scan(), sb.Scan()
		if !okA || !okB {
			if okA != okB {
				return fmt.Errorf("line counts differ at line %d", n)
			}
			return firstErr(sa.Err(), sb.Err())
		}
		var va, vb any
		if err := json.Unmarshal(sa.Bytes(), &va); err != nil {
			return fmt.Errorf("%s line %d: %w", a, n, err)
		}
		if err := json.Unmarshal(sb.Bytes(), &vb); err != nil {
			return fmt.Errorf("%s line %d: %w", b, n, err)
		}
		if !reflect.DeepEqual(va, vb) {
			return fmt.Errorf("line %d differs", n)
		}
	}
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
