package otlp

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/hex"
	"encoding/json"
	"testing"

	coltrace "go.opentelemetry.io/proto/slim/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/slim/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/slim/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

const (
	testTraceHex  = "0102030405060708090a0b0c0d0e0f10"
	testRootHex   = "1112131415161718"
	testChildHex  = "2122232425262728"
	testStartNs   = 1700000000000000000
	testEndNs     = 1700000001000000000
	testTraceB64  = "AQIDBAUGBwgJCgsMDQ4PEA=="
	testRootB64   = "ERITFBUWFxg="
	testChildB64  = "ISIjJCUmJyg="
	testRequestID = `"tr-0102030405060708090a0b0c0d0e0f10"`
)

// tracepbReq lets table tests reach a span of a request by index.
type tracepbReq struct {
	*coltrace.ExportTraceServiceRequest
}

func (r *tracepbReq) span(i int) *tracepb.Span {
	return r.ResourceSpans[0].ScopeSpans[0].Spans[i]
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func kv(key string, v *commonpb.AnyValue) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: key, Value: v}
}

func sv(s string) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: s}}
}

func iv(i int64) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: i}}
}

// protoSpans wraps spans into a request: one resource, one scope.
func protoSpans(spans ...*tracepb.Span) *coltrace.ExportTraceServiceRequest {
	return &coltrace.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: spans}},
	}}}
}

// rootAndChild is the request the table tests send in every encoding.
func rootAndChild(t testing.TB) *coltrace.ExportTraceServiceRequest {
	root := &tracepb.Span{
		TraceId: mustHex(t, testTraceHex), SpanId: mustHex(t, testRootHex),
		Name: "root", Kind: tracepb.Span_SPAN_KIND_SERVER,
		StartTimeUnixNano: testStartNs, EndTimeUnixNano: testEndNs,
		Attributes: []*commonpb.KeyValue{kv("s", sv("x")), kv("i", iv(42))},
		Status:     &tracepb.Status{Code: tracepb.Status_STATUS_CODE_OK},
	}
	child := &tracepb.Span{
		TraceId: mustHex(t, testTraceHex), SpanId: mustHex(t, testChildHex), ParentSpanId: mustHex(t, testRootHex),
		Name: "child", StartTimeUnixNano: testStartNs + 10, EndTimeUnixNano: testEndNs - 10,
		Events: []*tracepb.Span_Event{{Name: "exception", TimeUnixNano: testStartNs + 20,
			Attributes: []*commonpb.KeyValue{kv("exception.message", sv("boom"))}}},
		Status: &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "failed"},
	}
	return protoSpans(root, child)
}

// rootAndChildJSON is rootAndChild written by hand as OTLP/JSON (hex ids, camelCase).
const rootAndChildJSON = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
 "scopeSpans":[{"scope":{"name":"test"},"spans":[
  {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718","parentSpanId":"","name":"root","kind":2,
   "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000",
   "attributes":[{"key":"s","value":{"stringValue":"x"}},{"key":"i","value":{"intValue":"42"}}],
   "status":{"code":1}},
  {"traceId":"0102030405060708090A0B0C0D0E0F10","spanId":"2122232425262728","parentSpanId":"1112131415161718","name":"child","kind":"SPAN_KIND_INTERNAL",
   "startTimeUnixNano":1700000000000000010,"endTimeUnixNano":"1700000000999999990",
   "events":[{"timeUnixNano":"1700000000000000020","name":"exception","attributes":[{"key":"exception.message","value":{"stringValue":"boom"}}]}],
   "links":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718"}],
   "status":{"code":"STATUS_CODE_ERROR","message":"failed"},"someFutureField":true}]}]}]}`

// rootAndChildSnakeJSON is the same request with protobuf field names.
const rootAndChildSnakeJSON = `{"resource_spans":[{"scope_spans":[{"spans":[
  {"trace_id":"0102030405060708090a0b0c0d0e0f10","span_id":"1112131415161718","name":"root","kind":"SPAN_KIND_SERVER",
   "start_time_unix_nano":"1700000000000000000","end_time_unix_nano":"1700000001000000000",
   "attributes":[{"key":"s","value":{"string_value":"x"}},{"key":"i","value":{"int_value":42}}],
   "status":{"code":"STATUS_CODE_OK"}},
  {"trace_id":"0102030405060708090a0b0c0d0e0f10","span_id":"2122232425262728","parent_span_id":"1112131415161718","name":"child",
   "start_time_unix_nano":"1700000000000000010","end_time_unix_nano":"1700000000999999990",
   "events":[{"time_unix_nano":"1700000000000000020","name":"exception","attributes":[{"key":"exception.message","value":{"string_value":"boom"}}]}],
   "status":{"code":2,"message":"failed"}}]}]}]}`

func marshalProto(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zlibBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func flateBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestSpeed)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// jsonValue parses a JSON document for semantic comparison; it fails the test on bad JSON.
func jsonValue(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("invalid JSON %q: %v", s, err)
	}
	return v
}

func jsonNumber(s string) json.Number { return json.Number(s) }

func hexOf(b []byte) string { return hex.EncodeToString(b) }
