package jsonl

import (
	"maps"

	"github.com/assay-labs/assay/app/model"
)

// batch collects the good lines of an import until everything has been read and checked.
type batch struct {
	lines        int
	spans        []model.Span
	traces       []string       // MLflow trace ids ("tr-…"), first seen first
	lineOf       map[string]int // the first line of each trace, for error messages
	infos        map[string]*traceInfo
	expectations []model.Assessment
}

func newBatch() *batch {
	return &batch{lineOf: map[string]int{}, infos: map[string]*traceInfo{}}
}

// add takes in one good line. Lines about the same trace (a trace split over several OTLP
// exports, or listed twice) are merged: spans by id in the store, info here, later lines winning.
func (b *batch) add(line int, r lineResult) {
	for _, s := range r.spans {
		b.note(model.TraceIDPrefix+s.TraceID, line)
	}
	b.spans = append(b.spans, r.spans...)
	b.expectations = append(b.expectations, r.expectations...)
	if r.info == nil {
		return
	}
	b.note(r.info.TraceID, line)
	prev, ok := b.infos[r.info.TraceID]
	if !ok {
		b.infos[r.info.TraceID] = r.info
		return
	}
	prev.Tags = mergeMaps(prev.Tags, r.info.Tags)
	prev.Metadata = mergeMaps(r.info.Metadata, prev.Metadata) // metadata is write-once: the first line keeps its values
	next := r.info
	prev.fromTrace = prev.fromTrace || next.fromTrace
	if next.hasTime {
		prev.RequestTimeMs, prev.hasTime = next.RequestTimeMs, true
	}
	if next.hasDuration {
		prev.ExecutionDurationMs, prev.hasDuration = next.ExecutionDurationMs, true
	}
	setIfGiven(&prev.State, next.State)
	setIfGiven(&prev.ClientRequestID, next.ClientRequestID)
	setIfGiven(&prev.RequestPreview, next.RequestPreview)
	setIfGiven(&prev.ResponsePreview, next.ResponsePreview)
}

func setIfGiven(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// note records that line mentions trace id.
func (b *batch) note(id string, line int) {
	if _, ok := b.lineOf[id]; !ok {
		b.lineOf[id] = line
		b.traces = append(b.traces, id)
	}
}

// mergeMaps returns a copy of base overlaid with over.
func mergeMaps(base, over map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(over))
	maps.Copy(out, base)
	maps.Copy(out, over)
	return out
}
