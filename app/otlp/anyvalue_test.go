package otlp

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	commonpb "go.opentelemetry.io/proto/slim/otlp/common/v1"
)

func TestAnyValue(t *testing.T) {
	arr := func(vs ...*commonpb.AnyValue) *commonpb.AnyValue {
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: vs}}}
	}
	kvl := func(kvs ...*commonpb.KeyValue) *commonpb.AnyValue {
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{Values: kvs}}}
	}
	dbl := func(f float64) *commonpb.AnyValue {
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: f}}
	}
	tests := []struct {
		name string
		in   *commonpb.AnyValue
		want any
	}{
		{"string", sv("hi"), "hi"},
		{"bool", &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: true}}, true},
		{"int", iv(-7), int64(-7)},
		{"double", dbl(1.5), 1.5},
		{"NaN", dbl(math.NaN()), "NaN"},
		{"+Inf", dbl(math.Inf(1)), "Infinity"},
		{"-Inf", dbl(math.Inf(-1)), "-Infinity"},
		{"bytes", &commonpb.AnyValue{Value: &commonpb.AnyValue_BytesValue{BytesValue: []byte{0xde, 0xad, 0xbe, 0xef}}}, "3q2+7w=="},
		{"unset", &commonpb.AnyValue{}, nil},
		{"nil", nil, nil},
		{"strindex", &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValueStrindex{StringValueStrindex: 3}}, nil},
		{"empty array", arr(), []any{}},
		{"array", arr(sv("a"), iv(1), arr(dbl(2))), []any{"a", int64(1), []any{2.0}}},
		{"kvlist", kvl(kv("a", sv("b")), kv("n", kvl(kv("x", nil)))), map[string]any{"a": "b", "n": map[string]any{"x": nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, anyValue(tt.in)); diff != "" {
				t.Errorf("anyValue (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAttributesLastKeyWins(t *testing.T) {
	got := attributes([]*commonpb.KeyValue{kv("a", sv("1")), kv("a", sv("2"))})
	if diff := cmp.Diff(map[string]any{"a": "2"}, got); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
	if got := attributes(nil); got != nil {
		t.Errorf("attributes(nil) = %v, want nil", got)
	}
}
