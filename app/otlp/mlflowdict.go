package otlp

import (
	"github.com/assay-labs/assay/app/model"
)

// ToMLflowDict renders s as MLflow's Span.to_dict() (schema v3), the span form inside
// Trace.to_json() files and MLflow's stored span content: ids in base64 of their bytes,
// parent_span_id null for a root span, kind by name, times as integers (end null while 0),
// status {"code": "STATUS_CODE_…", "message"}, events [{"name", "time_unix_nano",
// "attributes"}] with plain values, "links": [] and attributes as a flat map of JSON-encoded
// strings, as MLflow stores spans received over OTLP (see encodedAttr). mlflow.traceRequestId
// is added when missing, since MLflow's Span.from_dict requires it.
func ToMLflowDict(s model.Span) map[string]any {
	var parent, end any
	if s.ParentSpanID != "" {
		parent = hexToB64(s.ParentSpanID)
	}
	if s.EndTimeNs != 0 {
		end = s.EndTimeNs
	}
	events := make([]any, len(s.Events))
	for i, ev := range s.Events {
		attrs := map[string]any{}
		for k, v := range ev.Attributes {
			attrs[k] = v
		}
		events[i] = map[string]any{"name": ev.Name, "time_unix_nano": ev.TimeNs, "attributes": attrs}
	}
	status := s.StatusCode
	if status == "" {
		status = model.StatusUnset
	}
	return map[string]any{
		"trace_id":             hexToB64(s.TraceID),
		"span_id":              hexToB64(s.SpanID),
		"parent_span_id":       parent,
		"name":                 s.Name,
		"kind":                 kindOrInternal(s.Kind),
		"start_time_unix_nano": s.StartTimeNs,
		"end_time_unix_nano":   end,
		"events":               events,
		"status":               map[string]any{"code": status, "message": s.StatusMessage},
		"attributes":           mlflowAttributes(s),
		"links":                []any{},
	}
}

// mlflowAttributes returns s's attributes as MLflow stores them: every value a JSON string.
func mlflowAttributes(s model.Span) map[string]any {
	out := make(map[string]any, len(s.Attributes)+1)
	for k, v := range s.Attributes {
		out[k] = encodedAttr(k, v)
	}
	if _, ok := out[model.AttrTraceID]; !ok {
		out[model.AttrTraceID] = dumpJSON("tr-" + s.TraceID)
	}
	return out
}
