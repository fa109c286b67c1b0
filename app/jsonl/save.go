package jsonl

import (
	"context"
	"fmt"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// lookupChunk bounds the ids of one FindTraceInfos query, well under SQLite's variable limit.
const lookupChunk = 500

// checkExperiments refuses traces that already exist in another experiment: the store would
// add the spans to that experiment's trace, which is not what importing into exp means.
func checkExperiments(ctx context.Context, db *store.DB, exp string, b *batch) error {
	bad := &ImportError{}
	err := eachStored(ctx, db, b.traces, func(ti model.TraceInfo) {
		if ti.ExperimentID != exp {
			bad.add(b.lineOf[ti.TraceID], fmt.Errorf("trace %s already exists in experiment %s; import it there or delete it first", ti.TraceID, ti.ExperimentID))
		}
	})
	if err != nil {
		return err
	}
	if bad.Total > 0 {
		return bad
	}
	return nil
}

// save writes a checked batch in one store transaction (LogTraces): every span, then each line's
// trace info (MLflow tags and metadata, a record's tags) merged over what the spans gave, and
// each record's expectations as assessments. A failure stores nothing. Writing runs on a
// context that is not cancelled, so neither Ctrl-C nor a client hanging up interrupts it.
func save(ctx context.Context, db *store.DB, exp string, b *batch) error {
	ctx = context.WithoutCancel(ctx)
	byTrace := map[string][]model.Assessment{}
	for _, a := range b.expectations {
		byTrace[a.TraceID] = append(byTrace[a.TraceID], a)
	}
	var infos []model.TraceInfo
	for _, id := range b.traces {
		info := model.TraceInfo{TraceID: id, ExperimentID: exp}
		if ti := b.infos[id]; ti != nil {
			info = ti.TraceInfo
			info.ExperimentID = exp
			if !ti.hasTime {
				info.RequestTimeMs = 0
			}
			if !ti.hasDuration {
				info.ExecutionDurationMs = 0
			}
		}
		info.Assessments = byTrace[id]
		if b.infos[id] != nil || len(info.Assessments) > 0 {
			infos = append(infos, info)
		}
	}
	if err := db.LogTraces(ctx, exp, b.spans, infos); err != nil {
		return fmt.Errorf("store traces: %w", err)
	}
	return nil
}

// eachStored calls fn with the stored info of each of ids that exists, querying in chunks.
func eachStored(ctx context.Context, db *store.DB, ids []string, fn func(model.TraceInfo)) error {
	for start := 0; start < len(ids); start += lookupChunk {
		infos, err := db.FindTraceInfos(ctx, ids[start:min(start+lookupChunk, len(ids))])
		if err != nil {
			return err
		}
		for _, ti := range infos {
			fn(ti)
		}
	}
	return nil
}
