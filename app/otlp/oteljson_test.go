package otlp

import (
	"encoding/json"
	"testing"

	"github.com/assay-labs/assay/app/model"
	"github.com/google/go-cmp/cmp"
	tracepb "go.opentelemetry.io/proto/slim/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

func TestToOTelJSON(t *testing.T) {
	tests := []struct {
		name string
		span model.Span
		want string
	}{
		{
			name: "mlflow child span",
			span: wantMLflowSpans()[1],
			want: `{"trace_id": "AQIDBAUGBwgJCgsMDQ4PEA==", "span_id": "ISIjJCUmJyg=", "parent_span_id": "ERITFBUWFxg=",
				"name": "llm", "kind": "SPAN_KIND_CLIENT",
				"start_time_unix_nano": 1700000000000000010, "end_time_unix_nano": 1700000000999999990,
				"attributes": [
					{"key": "mlflow.spanInputs", "value": {"array_value": {"values": [{"int_value": 1}, {"int_value": 2}]}}},
					{"key": "mlflow.spanType", "value": {"string_value": "LLM"}},
					{"key": "mlflow.traceRequestId", "value": {"string_value": "tr-0102030405060708090a0b0c0d0e0f10"}}],
				"events": [{"time_unix_nano": 1700000000000000020, "name": "exception", "attributes": [
					{"key": "exception.message", "value": {"string_value": "boom"}},
					{"key": "exception.type", "value": {"string_value": "ValueError"}},
					{"key": "retries", "value": {"int_value": 2}}]}],
				"status": {"code": "STATUS_CODE_ERROR", "message": "ValueError: boom"}}`,
		},
		{
			name: "otlp root span with plain values",
			span: model.Span{
				TraceID: testTraceHex, SpanID: testRootHex, Name: "root", StatusCode: model.StatusUnset,
				Attributes: map[string]any{
					"text": "openai", "int": int64(3), "float": 2.5, "bool": false, "nil": nil,
					"map":                map[string]any{"k": []any{}, "m": map[string]any{}, "n": nil},
					model.AttrSpanInputs: `{"messages": [{"role": "user", "content": "hi"}]}`,
				},
				Events: []model.SpanEvent{{}},
			},
			want: `{"trace_id": "AQIDBAUGBwgJCgsMDQ4PEA==", "span_id": "ERITFBUWFxg=", "name": "root", "kind": "SPAN_KIND_INTERNAL",
				"attributes": [
					{"key": "bool", "value": {"bool_value": false}},
					{"key": "float", "value": {"double_value": 2.5}},
					{"key": "int", "value": {"int_value": 3}},
					{"key": "map", "value": {"kvlist_value": {"values": [
						{"key": "k", "value": {"array_value": {}}}, {"key": "m", "value": {"kvlist_value": {}}}, {"key": "n"}]}}},
					{"key": "mlflow.spanInputs", "value": {"kvlist_value": {"values": [
						{"key": "messages", "value": {"array_value": {"values": [{"kvlist_value": {"values": [
							{"key": "content", "value": {"string_value": "hi"}}, {"key": "role", "value": {"string_value": "user"}}]}}]}}}]}}},
					{"key": "mlflow.traceRequestId", "value": {"string_value": "tr-0102030405060708090a0b0c0d0e0f10"}},
					{"key": "nil"},
					{"key": "text", "value": {"string_value": "openai"}}],
				"events": [{}],
				"status": {}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ToOTelJSON(tt.span)
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(decodeDoc(t, tt.want), decodeDoc(t, string(b))); diff != "" {
				t.Errorf("ToOTelJSON (-want +got):\n%s", diff)
			}
			// The output must be valid protobuf JSON of an OTel Span.
			var ps tracepb.Span
			if err := protojson.Unmarshal(b, &ps); err != nil {
				t.Fatalf("protojson rejects the output: %v", err)
			}
			if got := hexOf(ps.GetTraceId()); got != tt.span.TraceID {
				t.Errorf("trace id = %s, want %s", got, tt.span.TraceID)
			}
			if got := hexOf(ps.GetParentSpanId()); got != tt.span.ParentSpanID {
				t.Errorf("parent span id = %s, want %s", got, tt.span.ParentSpanID)
			}
		})
	}
}
