package otlp

import (
	"errors"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func wantRootAndChild() []model.Span {
	return []model.Span{
		{
			TraceID: testTraceHex, SpanID: testRootHex, Name: "root", Kind: "SPAN_KIND_SERVER",
			StartTimeNs: testStartNs, EndTimeNs: testEndNs, StatusCode: model.StatusOK,
			Attributes: map[string]any{"s": "x", "i": int64(42)},
		},
		{
			TraceID: testTraceHex, SpanID: testChildHex, ParentSpanID: testRootHex, Name: "child",
			Kind: "SPAN_KIND_INTERNAL", StartTimeNs: testStartNs + 10, EndTimeNs: testEndNs - 10,
			StatusCode: model.StatusError, StatusMessage: "failed",
			Events: []model.SpanEvent{{Name: "exception", TimeNs: testStartNs + 20,
				Attributes: map[string]any{"exception.message": "boom"}}},
		},
	}
}

func TestDecode(t *testing.T) {
	pb := marshalProto(t, rootAndChild(t))
	tests := []struct {
		name, contentType, encoding string
		body                        []byte
	}{
		{"protobuf", "application/x-protobuf", "", pb},
		{"protobuf alias", "application/protobuf", "identity", pb},
		{"protobuf gzip", "application/x-protobuf", "gzip", gzipBytes(t, pb)},
		{"protobuf gzip upper case", "Application/X-Protobuf", "GZIP", gzipBytes(t, pb)},
		{"protobuf deflate zlib", "application/x-protobuf", "deflate", zlibBytes(t, pb)},
		{"protobuf deflate raw", "application/x-protobuf", "deflate", flateBytes(t, pb)},
		{"json", "application/json", "", []byte(rootAndChildJSON)},
		{"json charset", "application/json; charset=utf-8", "", []byte(rootAndChildJSON)},
		{"json gzip", "application/json", "gzip", gzipBytes(t, []byte(rootAndChildJSON))},
		{"json snake_case", "application/json", "", []byte(rootAndChildSnakeJSON)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.body, tt.contentType, tt.encoding, 0)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(wantRootAndChild(), got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("spans (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	valid := rootAndChild(t)
	mutate := func(f func(r *tracepbReq)) []byte {
		r := rootAndChild(t)
		f(&tracepbReq{r})
		return marshalProto(t, r)
	}
	bomb := gzipBytes(t, make([]byte, 4<<20))
	tests := []struct {
		name, contentType, encoding string
		body                        []byte
		maxBytes                    int64
		kind                        ErrorKind
		path, msg                   string
	}{
		{name: "unsupported content type", contentType: "text/plain", body: []byte("x"),
			kind: KindContentType, msg: `unsupported Content-Type "text/plain"`},
		{name: "missing content type", body: []byte("x"), kind: KindContentType},
		{name: "unsupported encoding", contentType: "application/x-protobuf", encoding: "br",
			body: marshalProto(t, valid), kind: KindContentEncoding, msg: `unsupported Content-Encoding "br"`},
		{name: "bad gzip", contentType: "application/x-protobuf", encoding: "gzip",
			body: []byte("not gzip"), kind: KindCompression, msg: "invalid gzip body"},
		{name: "truncated gzip", contentType: "application/x-protobuf", encoding: "gzip",
			body: gzipBytes(t, marshalProto(t, valid))[:30], kind: KindCompression},
		{name: "bad deflate", contentType: "application/x-protobuf", encoding: "deflate",
			body: []byte{0xff, 0xff, 0xff}, kind: KindCompression, msg: "invalid deflate body"},
		{name: "gzip bomb", contentType: "application/x-protobuf", encoding: "gzip",
			body: bomb, maxBytes: 1 << 20, kind: KindTooLarge, msg: "decompressed body is over the 1048576-byte limit"},
		{name: "deflate bomb", contentType: "application/x-protobuf", encoding: "deflate",
			body: zlibBytes(t, make([]byte, 4<<20)), maxBytes: 1 << 20, kind: KindTooLarge},
		{name: "raw body too large", contentType: "application/x-protobuf",
			body: make([]byte, 100), maxBytes: 99, kind: KindTooLarge},
		{name: "invalid protobuf", contentType: "application/x-protobuf",
			body: []byte{0x0a, 0xff, 0xff}, kind: KindMalformed, msg: "invalid protobuf ExportTraceServiceRequest"},
		{name: "empty protobuf", contentType: "application/x-protobuf",
			body: nil, kind: KindEmpty, msg: "no spans found"},
		{name: "invalid json", contentType: "application/json",
			body: []byte(`{"resourceSpans":`), kind: KindMalformed, msg: "invalid JSON body"},
		{name: "json array", contentType: "application/json",
			body: []byte(`[]`), kind: KindMalformed, msg: "want an object"},
		{name: "json trailing data", contentType: "application/json",
			body: []byte(`{} {}`), kind: KindMalformed, msg: "data after the top-level value"},
		{name: "json wrong field type", contentType: "application/json",
			body: []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":5}]}]}]}`),
			kind: KindMalformed, msg: "invalid OTLP/JSON"},
		{name: "json id not hex", contentType: "application/json",
			body: []byte(`{"resourceSpans":[{"scopeSpans":[{},{"spans":[{},{"traceId":"AQIDBAUGBwgJCgsMDQ4PEA=="}]}]}]}`),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[1].spans[1].traceId", msg: "is not hex"},
		{name: "json link id not hex", contentType: "application/json",
			body: []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"links":[{"spanId":"zz"}]}]}]}]}`),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[0].spans[0].links[0].spanId"},
		{name: "json short trace id", contentType: "application/json",
			body: []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102","spanId":"1112131415161718"}]}]}]}`),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[0].spans[0].traceId", msg: "invalid trace id length 2 (want 16 bytes)"},
		{name: "json empty", contentType: "application/json", body: []byte(`{}`), kind: KindEmpty},
		{name: "trace id length", contentType: "application/x-protobuf",
			body: mutate(func(r *tracepbReq) { r.span(1).TraceId = []byte{1, 2, 3} }),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[0].spans[1].traceId", msg: "invalid trace id length 3"},
		{name: "missing trace id", contentType: "application/x-protobuf",
			body: mutate(func(r *tracepbReq) { r.span(0).TraceId = nil }),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[0].spans[0].traceId", msg: "invalid trace id length 0"},
		{name: "zero trace id", contentType: "application/x-protobuf",
			body: mutate(func(r *tracepbReq) { r.span(0).TraceId = make([]byte, 16) }),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[0].spans[0].traceId", msg: "trace id is all zeros"},
		{name: "span id length", contentType: "application/x-protobuf",
			body: mutate(func(r *tracepbReq) { r.span(0).SpanId = make([]byte, 16) }),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[0].spans[0].spanId", msg: "invalid span id length 16 (want 8 bytes)"},
		{name: "zero span id", contentType: "application/x-protobuf",
			body: mutate(func(r *tracepbReq) { r.span(1).SpanId = make([]byte, 8) }),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[0].spans[1].spanId", msg: "span id is all zeros"},
		{name: "parent id length", contentType: "application/x-protobuf",
			body: mutate(func(r *tracepbReq) { r.span(1).ParentSpanId = []byte{1, 2, 3, 4} }),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[0].spans[1].parentSpanId", msg: "invalid parent span id length 4"},
		{name: "zero parent id", contentType: "application/x-protobuf",
			body: mutate(func(r *tracepbReq) { r.span(1).ParentSpanId = make([]byte, 8) }),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[0].spans[1].parentSpanId"},
		{name: "end before start", contentType: "application/x-protobuf",
			body: mutate(func(r *tracepbReq) { r.span(1).EndTimeUnixNano = 5 }),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[0].spans[1].endTimeUnixNano", msg: "end time 5 is before start time"},
		{name: "start out of range", contentType: "application/x-protobuf",
			body: mutate(func(r *tracepbReq) { r.span(0).StartTimeUnixNano = 1 << 63; r.span(0).EndTimeUnixNano = 0 }),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano"},
		{name: "event time out of range", contentType: "application/x-protobuf",
			body: mutate(func(r *tracepbReq) { r.span(1).Events[0].TimeUnixNano = 1 << 63 }),
			kind: KindInvalidSpan, path: "resourceSpans[0].scopeSpans[0].spans[1].events[0].timeUnixNano"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.body, tt.contentType, tt.encoding, tt.maxBytes)
			if err == nil {
				t.Fatalf("Decode = %d spans, want error", len(got))
			}
			if got != nil {
				t.Errorf("Decode returned %d spans with the error, want none", len(got))
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T %v, want *DecodeError", err, err)
			}
			if de.Kind != tt.kind {
				t.Errorf("kind = %q, want %q (%v)", de.Kind, tt.kind, err)
			}
			if de.Path != tt.path {
				t.Errorf("path = %q, want %q", de.Path, tt.path)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

func TestDecodeOpenEndedSpan(t *testing.T) {
	r := rootAndChild(t)
	r.ResourceSpans[0].ScopeSpans[0].Spans[0].EndTimeUnixNano = 0
	got, err := Decode(marshalProto(t, r), ContentTypeProtobuf, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].EndTimeNs != 0 {
		t.Errorf("end = %d, want 0", got[0].EndTimeNs)
	}
}

func TestDecodeNoSpansInResource(t *testing.T) {
	got, err := Decode([]byte(`{"resourceSpans":[{"scopeSpans":[]}]}`), ContentTypeJSON, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || len(got) != 0 {
		t.Errorf("spans = %#v, want empty non-nil", got)
	}
}

func TestDecodeKindsAndStatus(t *testing.T) {
	body := `{"resourceSpans":[{"scopeSpans":[{"spans":[
	 {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000001","kind":0},
	 {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000002","kind":3,"status":{"code":0}},
	 {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000003","kind":4,"status":{"code":7}},
	 {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000004","kind":5},
	 {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000005","kind":9}]}]}]}`
	got, err := Decode([]byte(body), ContentTypeJSON, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds, codes []string
	for _, s := range got {
		kinds = append(kinds, s.Kind)
		codes = append(codes, s.StatusCode)
	}
	wantKinds := []string{"SPAN_KIND_INTERNAL", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER", "SPAN_KIND_INTERNAL"}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	for i, c := range codes {
		if c != model.StatusUnset {
			t.Errorf("span %d status = %q, want unset", i, c)
		}
	}
}
