package filter

import (
	"fmt"
	"slices"
	"strings"
)

// traceAttributes maps every accepted spelling of a trace attribute to its canonical name.
var traceAttributes = map[string]string{
	"status":            "status",
	"timestamp_ms":      "timestamp_ms",
	"timestamp":         "timestamp_ms",
	"execution_time_ms": "execution_time_ms",
	"execution_time":    "execution_time_ms",
	"end_time_ms":       "end_time_ms",
	"end_time":          "end_time_ms",
	"name":              "name",
	"request_id":        "request_id",
	"trace_id":          "request_id",
	"client_request_id": "client_request_id",
	"run_id":            "run_id",
}

// traceStatuses are the states a trace can be searched for.
var traceStatuses = []string{"OK", "ERROR", "IN_PROGRESS"}

// traceAttributeSpecs holds what each canonical trace attribute accepts.
var traceAttributeSpecs = map[string]spec{
	"status":            {ops: listOps, enum: traceStatuses},
	"timestamp_ms":      {ops: numericOps, value: vNumber},
	"execution_time_ms": {ops: numericOps, value: vNumber},
	"end_time_ms":       {ops: numericOps, value: vNumber},
	"name":              {ops: stringListOps},
	"request_id":        {ops: stringListOps},
	"client_request_id": {ops: stringListOps},
	"run_id":            {ops: listOps},
}

// tracePrefixes maps the prefixes of the search_traces grammar to field kinds.
var tracePrefixes = map[string]Kind{
	"trace":            KindAttribute,
	"attributes":       KindAttribute,
	"attribute":        KindAttribute,
	"tags":             KindTag,
	"tag":              KindTag,
	"metadata":         KindMetadata,
	"request_metadata": KindMetadata,
	"feedback":         KindFeedback,
	"expectation":      KindExpectation,
	"span":             KindSpan,
}

// spanColumns are the span fields a trace can be searched by.
var spanColumns = []string{"name", "type", "status"}

// ParseTraceFilter parses a search_traces filter string, such as
// "tags.`mlflow.traceName` = 'chat' AND timestamp_ms > 1700000000000", into clauses.
// An empty or blank string has no clauses. Errors are *Error.
func ParseTraceFilter(s string) ([]Clause, error) {
	return parseFilter(s, resolveTrace)
}

// resolveTrace names the field of a search_traces identifier.
func resolveTrace(t token) (Field, spec, string) {
	f, msg := traceField(t)
	if msg != "" {
		return Field{}, spec{}, msg
	}
	return f, traceSpec(f), ""
}

// traceField maps an identifier token to a trace field, with aliases made canonical.
func traceField(t token) (Field, string) {
	prefix, key := identParts(t)
	kind := KindAttribute
	if prefix != "" {
		k, ok := tracePrefixes[strings.ToLower(prefix)]
		if !ok {
			return Field{}, fmt.Sprintf("unknown prefix %q; use tags., metadata., feedback., expectation., span. or trace.", prefix)
		}
		kind = k
	}
	switch kind {
	case KindAttribute:
		name, ok := traceAttributes[strings.ToLower(key)]
		if !ok {
			return Field{}, fmt.Sprintf("unknown trace field %q; use status, timestamp_ms, execution_time_ms, name, request_id, client_request_id, run_id, or a prefix such as tags.", key)
		}
		return Field{Kind: KindAttribute, Key: name}, ""
	case KindSpan:
		col := strings.ToLower(key)
		if !slices.Contains(spanColumns, col) {
			return Field{}, fmt.Sprintf("unknown span field %q; use span.name, span.type or span.status", key)
		}
		return Field{Kind: KindSpan, Key: col}, ""
	}
	return Field{Kind: kind, Key: key}, ""
}

// traceSpec says what a trace field accepts. Fields that traceField cannot produce get an empty
// spec, which allows nothing.
func traceSpec(f Field) spec {
	switch f.Kind {
	case KindAttribute:
		return traceAttributeSpecs[f.Key]
	case KindTag, KindMetadata:
		return spec{ops: keyValueOps}
	case KindFeedback, KindExpectation:
		return spec{ops: assessmentOps, value: vEither}
	case KindSpan:
		if slices.Contains(spanColumns, f.Key) {
			return spec{ops: stringListOps}
		}
	}
	return spec{}
}

// identParts splits an identifier token into its prefix ("" for none) and key.
func identParts(t token) (prefix, key string) {
	if t.kind == tWord {
		return "", t.str
	}
	return t.prefix, t.key
}
