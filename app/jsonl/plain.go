package jsonl

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// Plain records become traces of one span with these traits.
const (
	DefaultSpanName = "import"       // the span (and trace) name when the record has no "name"
	PlainSpanType   = "CHAIN"        // MLflow span type of the one span
	ExpectationFrom = "jsonl-import" // source_id of the expectation assessments
	expectationType = "HUMAN"        // source_type: expectations are ground truth people wrote
)

// parsePlainRecord turns {"inputs", "outputs", "tags", "name", "expectations"} into a one-span
// trace with fresh random ids, timed at the moment it is read.
func parsePlainRecord(top map[string]json.RawMessage) (lineResult, error) {
	if isNull(top["inputs"]) {
		return lineResult{}, errors.New("inputs: want a JSON value, got null")
	}
	inputs, err := compactJSON(top["inputs"])
	if err != nil {
		return lineResult{}, fmt.Errorf("inputs: %v", err)
	}
	name := DefaultSpanName
	if raw, ok := top["name"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &name); err != nil || name == "" {
			return lineResult{}, errors.New("name: want a non-empty string")
		}
	}
	var tagsAny any
	if raw, ok := top["tags"]; ok {
		_ = json.Unmarshal(raw, &tagsAny) // raw is valid JSON: the whole line decoded
	}
	tags, err := stringMap("tags", tagsAny)
	if err != nil {
		return lineResult{}, err
	}
	now := time.Now().UnixNano()
	span := model.Span{
		TraceID:     store.NewHexID(16),
		SpanID:      store.NewHexID(8),
		Name:        name,
		Kind:        "SPAN_KIND_INTERNAL",
		StartTimeNs: now,
		EndTimeNs:   now,
		StatusCode:  model.StatusOK,
		Attributes: map[string]any{
			model.AttrSpanType:   `"` + PlainSpanType + `"`,
			model.AttrSpanInputs: inputs,
		},
	}
	if raw, ok := top["outputs"]; ok && !isNull(raw) {
		if span.Attributes[model.AttrSpanOutput], err = compactJSON(raw); err != nil {
			return lineResult{}, fmt.Errorf("outputs: %v", err)
		}
	}
	traceID := model.TraceIDPrefix + span.TraceID
	exps, err := expectations(traceID, top["expectations"], now/1e6)
	if err != nil {
		return lineResult{}, err
	}
	info := &traceInfo{TraceInfo: model.TraceInfo{TraceID: traceID, Tags: tags}}
	return lineResult{spans: []model.Span{span}, info: info, expectations: exps}, nil
}

// expectations reads {"name": value, …} into expectation assessments, in name order.
func expectations(traceID string, raw json.RawMessage, nowMs int64) ([]model.Assessment, error) {
	if isNull(raw) {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errors.New("expectations: want an object {\"name\": value, …}")
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]model.Assessment, 0, len(names))
	for _, k := range names {
		if strings.TrimSpace(k) == "" || isNull(m[k]) {
			return nil, fmt.Errorf("expectations.%s: want a name and a non-null value", truncate(k, 40))
		}
		v, err := compactJSON(m[k])
		if err != nil {
			return nil, fmt.Errorf("expectations.%s: %v", truncate(k, 40), err)
		}
		out = append(out, model.Assessment{TraceID: traceID, Name: k, Kind: model.KindExpectation, SourceType: expectationType,
			SourceID: ExpectationFrom, Value: json.RawMessage(v), CreateTimeMs: nowMs})
	}
	return out, nil
}

// isNull reports whether raw is absent or the JSON literal null.
func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }
