package jsonl

import (
	"bufio"
	"context"
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
// mlflowapi.RecordJSON, absent optional ones left out), in
// insertion order, streaming from the database. It returns how many records were written.
// progress, when not nil, is called after every record with the records and bytes so far.
func ExportDataset(ctx context.Context, db *store.DB, datasetID string, w io.Writer, progress func(records int, bytes int64)) (int, error) {
	bw := bufio.NewWriterSize(w, exportBuffer)
	cw := &countingWriter{w: bw}
	n := 0
	err := db.EachRecordLine(ctx, datasetID, func(line []byte) error {
		cw.Write(line)
		if _, err := cw.Write([]byte{'\n'}); err != nil {
			return fmt.Errorf("write record %d: %w", n+1, err)
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
		return n, fmt.Errorf("write records: %w", err)
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
