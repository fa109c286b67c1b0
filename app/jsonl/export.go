package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// ContentType is the media type of JSON Lines bodies Assay sends.
const ContentType = "application/x-ndjson"

// exportBuffer is the write buffer of an export: large writes keep a disk or socket busy.
const exportBuffer = 256 << 10

// ExportDataset writes every record of a dataset to w, one record per line (the fields of
// mlflowapi.RecordJSON, absent optional ones left out), in insertion order, streaming from the
// database. It returns how many records were written. progress, when not nil, is called after
// every record with the records and bytes so far.
func ExportDataset(ctx context.Context, db *store.DB, datasetID string, w io.Writer, progress func(records int, bytes int64)) (int, error) {
	return stream(w, progress, func(emit func([]byte) error) error { return db.EachRecordLine(ctx, datasetID, emit) })
}

// ExportSession writes a labeling session to w, one store.ExportItem per line in session order
// (every reviewer's answers, overridden ones included), streaming from the database. It returns
// how many items were written; progress is as for ExportDataset.
func ExportSession(ctx context.Context, db *store.DB, sessionID string, w io.Writer, progress func(items int, bytes int64)) (int, error) {
	return stream(w, progress, func(emit func([]byte) error) error {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // keep "<" and "&" of traces readable, as Python's json.dumps writes them
		return db.EachExportItem(ctx, sessionID, func(it store.ExportItem) error {
			buf.Reset()
			if err := enc.Encode(it); err != nil {
				return fmt.Errorf("encode item %s: %w", it.ItemID, err)
			}
			return emit(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}))
		})
	})
}

// stream writes the lines each emits to w through a large buffer, one per line, counting them
// and calling progress after each.
func stream(w io.Writer, progress func(lines int, bytes int64), each func(emit func(line []byte) error) error) (int, error) {
	bw := bufio.NewWriterSize(w, exportBuffer)
	cw := &countingWriter{w: bw}
	n := 0
	err := each(func(line []byte) error {
		cw.Write(line)
		if _, err := cw.Write([]byte{'\n'}); err != nil {
			return fmt.Errorf("write line %d: %w", n+1, err)
		}
		n++
		if progress != nil {
			progress(n, cw.n)
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("write lines: %w", err)
	}
	return n, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ResolveDataset finds a dataset by id ("d-…") or by name, optionally within one experiment.
// A name several datasets share is an error listing their ids, since exporting the wrong one
// would go unnoticed.
func ResolveDataset(ctx context.Context, db *store.DB, nameOrID, experimentID string) (model.Dataset, error) {
	if strings.HasPrefix(nameOrID, "d-") {
		d, err := db.FindDatasetByID(ctx, nameOrID)
		if model.ErrorCode(err) != model.ResourceDoesNotExist {
			return d, err
		}
	}
	ds, err := db.FindDatasetsByName(ctx, nameOrID, experimentID)
	if err != nil {
		return model.Dataset{}, err
	}
	where := ""
	if experimentID != "" {
		where = " in experiment " + experimentID
	}
	switch len(ds) {
	case 0:
		return model.Dataset{}, model.Errorf(model.ResourceDoesNotExist, "no dataset with id or name %q%s", nameOrID, where)
	case 1:
		return ds[0], nil
	}
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = fmt.Sprintf("%s (experiments %s)", d.DatasetID, strings.Join(d.ExperimentIDs, ", "))
	}
	return model.Dataset{}, model.Invalid("dataset", "%d datasets are named %q%s: %s; give the id instead", len(ds), nameOrID, where, strings.Join(ids, ", "))
}
