package otlp

import (
	"encoding/base64"
	"math"

	commonpb "go.opentelemetry.io/proto/slim/otlp/common/v1"
)

// attributes converts an OTLP attribute list to a map; a repeated key keeps its last value.
// It returns nil for an empty list.
func attributes(kvs []*commonpb.KeyValue) map[string]any {
	if len(kvs) == 0 {
		return nil
	}
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[kv.GetKey()] = anyValue(kv.GetValue())
	}
	return m
}

// anyValue converts an OTLP AnyValue to plain Go: string, bool, int64, float64, []any,
// map[string]any or nil. Bytes become standard base64 strings (as in protobuf JSON), and
// non-finite doubles become the strings "NaN", "Infinity" and "-Infinity" (also as in
// protobuf JSON), so that every attribute map can be stored with encoding/json.
func anyValue(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return finiteOrString(x.DoubleValue)
	case *commonpb.AnyValue_BytesValue:
		return base64.StdEncoding.EncodeToString(x.BytesValue)
	case *commonpb.AnyValue_ArrayValue:
		vals := x.ArrayValue.GetValues()
		out := make([]any, len(vals))
		for i, e := range vals {
			out[i] = anyValue(e)
		}
		return out
	case *commonpb.AnyValue_KvlistValue:
		m := make(map[string]any, len(x.KvlistValue.GetValues()))
		for _, kv := range x.KvlistValue.GetValues() {
			m[kv.GetKey()] = anyValue(kv.GetValue())
		}
		return m
	}
	// Unset, or string_value_strindex, which only means something inside OTLP profiles.
	return nil
}

// finiteOrString returns f, or its protobuf JSON name when it is NaN or infinite.
func finiteOrString(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}
