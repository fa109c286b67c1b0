package otlp

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/assay-labs/assay/app/model"
)

// ToOTelJSON renders s as MLflow's GET /api/3.0/mlflow/traces/get puts a span in
// trace.spans: the opentelemetry.proto.trace.v1.Span produced by MLflow's Span.to_otel_proto,
// printed by MLflow's message_to_json. That printer keeps the proto field names (snake_case:
// trace_id, start_time_unix_nano, string_value), writes 64-bit integers as JSON numbers, ids
// as base64, enums by name (kind "SPAN_KIND_INTERNAL", status code "STATUS_CODE_OK"), and
// leaves out fields at their default (no parent_span_id on a root span, no status code when
// unset, so an unset status is {}). Attribute values are decoded from their MLflow JSON
// encoding first, so mlflow.spanInputs arrives as a kvlist_value, mlflow.spanType as a
// string_value without quotes; attributes are sorted by key.
func ToOTelJSON(s model.Span) map[string]any {
	out := map[string]any{"trace_id": hexToB64(s.TraceID), "span_id": hexToB64(s.SpanID)}
	if s.ParentSpanID != "" {
		out["parent_span_id"] = hexToB64(s.ParentSpanID)
	}
	if s.Name != "" {
		out["name"] = s.Name
	}
	out["kind"] = kindOrInternal(s.Kind)
	if s.StartTimeNs != 0 {
		out["start_time_unix_nano"] = s.StartTimeNs
	}
	if s.EndTimeNs != 0 {
		out["end_time_unix_nano"] = s.EndTimeNs
	}
	encoded := mlflowAttributes(s)
	decoded := make(map[string]any, len(encoded))
	for k, v := range encoded {
		if dec, ok := loadJSON(v.(string)); ok {
			decoded[k] = plainNumbers(dec)
		} else if v != "" {
			decoded[k] = v
		} else {
			decoded[k] = nil
		}
	}
	if kvs := keyValues(decoded); len(kvs) > 0 {
		out["attributes"] = kvs
	}
	if len(s.Events) > 0 {
		evs := make([]any, len(s.Events))
		for i, ev := range s.Events {
			e := map[string]any{}
			if ev.TimeNs != 0 {
				e["time_unix_nano"] = ev.TimeNs
			}
			if ev.Name != "" {
				e["name"] = ev.Name
			}
			if kvs := keyValues(ev.Attributes); len(kvs) > 0 {
				e["attributes"] = kvs
			}
			evs[i] = e
		}
		out["events"] = evs
	}
	status := map[string]any{}
	if c := s.StatusCode; c == model.StatusOK || c == model.StatusError {
		status["code"] = c
	}
	if s.StatusMessage != "" {
		status["message"] = s.StatusMessage
	}
	out["status"] = status
	return out
}

// keyValues renders a map as a KeyValue list sorted by key; a nil value has no "value".
func keyValues(m map[string]any) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	kvs := make([]any, len(keys))
	for i, k := range keys {
		kv := map[string]any{"key": k}
		if v := m[k]; v != nil {
			kv["value"] = anyValueJSON(v)
		}
		kvs[i] = kv
	}
	return kvs
}

// anyValueJSON renders a Go value as the proto JSON of an AnyValue, as MLflow's
// _set_otel_proto_anyvalue builds it (nil stays an empty AnyValue).
func anyValueJSON(v any) map[string]any {
	switch x := v.(type) {
	case nil:
		return map[string]any{}
	case bool:
		return map[string]any{"bool_value": x}
	case string:
		return map[string]any{"string_value": x}
	case int64, int, int32:
		return map[string]any{"int_value": x}
	case float64, float32:
		return map[string]any{"double_value": x}
	case []any:
		if len(x) == 0 {
			return map[string]any{"array_value": map[string]any{}}
		}
		vals := make([]any, len(x))
		for i, e := range x {
			vals[i] = anyValueJSON(e)
		}
		return map[string]any{"array_value": map[string]any{"values": vals}}
	case map[string]any:
		if len(x) == 0 {
			return map[string]any{"kvlist_value": map[string]any{}}
		}
		return map[string]any{"kvlist_value": map[string]any{"values": keyValues(x)}}
	}
	return map[string]any{"string_value": fmt.Sprint(v)}
}

// hexToB64 converts a hex id to base64; an id that is not hex yields "".
func hexToB64(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}

// kindOrInternal returns kind, or SPAN_KIND_INTERNAL when it is empty or unspecified.
func kindOrInternal(kind string) string {
	if kind == "" || kind == "SPAN_KIND_UNSPECIFIED" {
		return "SPAN_KIND_INTERNAL"
	}
	return kind
}
