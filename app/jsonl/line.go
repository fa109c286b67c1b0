package jsonl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/otlp"
)

// traceInfo is what a line says about a trace beyond its spans: tags, metadata and, for MLflow
// trace JSON, the info fields. Fields the line leaves out are taken from what the store derives
// from the spans (see save.go).
type traceInfo struct {
	model.TraceInfo      // TraceID ("tr-…"), ClientRequestID, State ("" = derive), previews, Tags, Metadata
	hasTime, hasDuration bool
	fromTrace            bool // an MLflow trace's info, always written; a record's only when it has tags
}

// lineResult is what one good line contributes to an import.
type lineResult struct {
	spans        []model.Span
	info         *traceInfo         // nil when the line carries no trace info (OTLP)
	expectations []model.Assessment // TraceID set
}

// parseLine recognises and converts one non-blank line. maxBytes is the size limit handed to
// the OTLP decoder.
func parseLine(line []byte, maxBytes int64) (lineResult, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(line, &top); err != nil {
		return lineResult{}, jsonErr(err)
	}
	if top == nil {
		return lineResult{}, errors.New("want a JSON object, got null")
	}
	_, hasInfo := top["info"]
	_, hasData := top["data"]
	var res lineResult
	var err error
	switch {
	case has(top, "resourceSpans") || has(top, "resource_spans"):
		res.spans, err = otlp.Decode(line, otlp.ContentTypeJSON, "", maxBytes)
		if err == nil && len(res.spans) == 0 {
			err = errors.New("the OTLP export holds no spans")
		}
	case hasInfo && hasData:
		res, err = parseMLflowTrace(line, top)
	case has(top, "inputs"):
		res, err = parsePlainRecord(top)
	default:
		return lineResult{}, errors.New(`not an MLflow trace ({"info", "data"}), an OTLP/JSON export ({"resourceSpans"}) or a record ({"inputs", "outputs", "tags"})`)
	}
	if err != nil {
		return lineResult{}, err
	}
	for i := range res.spans {
		otlp.Normalize(&res.spans[i])
	}
	return res, nil
}

func has(m map[string]json.RawMessage, key string) bool {
	_, ok := m[key]
	return ok
}

// jsonErr words a decoding error of a whole line.
func jsonErr(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("malformed JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		return fmt.Errorf("want a JSON object, got %s", te.Value)
	}
	return fmt.Errorf("malformed JSON: %v", err)
}

// compactJSON returns raw without insignificant space, keeping key order and number text.
func compactJSON(raw json.RawMessage) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// checkKeys applies the store's rule for tag and metadata keys before anything is written, so
// the store never rejects a line half-way through an import.
func checkKeys(field string, m map[string]string) error {
	for k := range m {
		if k == "" || len(k) > 250 {
			return fmt.Errorf("%s: keys must be 1 to 250 characters, got %q", field, truncate(k, 40))
		}
	}
	return nil
}

// truncate shortens s to n runes for an error message.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
