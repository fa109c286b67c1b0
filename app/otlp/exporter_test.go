package otlp

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/assay-labs/assay/app/model"
	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/slim/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// receiver is a minimal /v1/traces endpoint around Decode that records what arrives.
type receiver struct {
	mu        sync.Mutex
	spans     []model.Span
	headers   []http.Header
	decodeErr []error
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	spans, err := Decode(body, r.Header.Get("Content-Type"), r.Header.Get("Content-Encoding"), 0)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.headers = append(rc.headers, r.Header.Clone())
	if err != nil {
		rc.decodeErr = append(rc.decodeErr, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.spans = append(rc.spans, spans...)
	if isJSON, _ := mediaType(r.Header.Get("Content-Type")); isJSON {
		w.Header().Set("Content-Type", ContentTypeJSON)
		w.Write([]byte("{}"))
		return
	}
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", ContentTypeProtobuf)
	w.Write(out)
}

// TestRealExporter sends a parent and a child span through the OpenTelemetry Go SDK and its
// OTLP/HTTP exporter, in protobuf and JSON, with and without gzip, and checks what Decode
// makes of them.
func TestRealExporter(t *testing.T) {
	tests := []struct {
		name             string
		opts             []otlptracehttp.Option
		wantCT, wantGzip string
	}{
		{"protobuf", nil, ContentTypeProtobuf, ""},
		{"protobuf gzip", []otlptracehttp.Option{otlptracehttp.WithCompression(otlptracehttp.GzipCompression)}, ContentTypeProtobuf, "gzip"},
		{"json", []otlptracehttp.Option{otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON)}, ContentTypeJSON, ""},
		{"json gzip", []otlptracehttp.Option{otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON),
			otlptracehttp.WithCompression(otlptracehttp.GzipCompression)}, ContentTypeJSON, "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := &receiver{}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			ctx := context.Background()
			opts := append([]otlptracehttp.Option{
				otlptracehttp.WithEndpointURL(srv.URL + "/v1/traces"),
				otlptracehttp.WithInsecure(),
				otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}),
			}, tt.opts...)
			exp, err := otlptracehttp.New(ctx, opts...)
			if err != nil {
				t.Fatal(err)
			}
			tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp),
				sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "assay-test"))))
			tracer := tp.Tracer("assay/otlp-test")

			pctx, parent := tracer.Start(ctx, "agent.run", trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(attribute.String("openinference.span.kind", "AGENT"), attribute.String("input.value", "hi")))
			_, child := tracer.Start(pctx, "llm.call", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
				attribute.String("gen_ai.operation.name", "chat"), attribute.Int64("gen_ai.usage.input_tokens", 12),
				attribute.Float64("gen_ai.request.temperature", 0.5), attribute.Bool("stream", false),
				attribute.StringSlice("tags", []string{"a", "b"})))
			child.AddEvent("gen_ai.user.message", trace.WithAttributes(attribute.String("content", "hi")))
			child.SetStatus(codes.Error, "rate limited")
			child.End()
			parent.SetStatus(codes.Ok, "")
			parent.End()
			if err := tp.Shutdown(ctx); err != nil {
				t.Fatalf("shutdown: %v", err)
			}

			rc.mu.Lock()
			defer rc.mu.Unlock()
			if len(rc.decodeErr) > 0 {
				t.Fatalf("Decode errors: %v", rc.decodeErr)
			}
			for _, h := range rc.headers {
				if got := h.Get("Content-Type"); got != tt.wantCT {
					t.Errorf("Content-Type = %q, want %q", got, tt.wantCT)
				}
				if got := h.Get("Content-Encoding"); got != tt.wantGzip {
					t.Errorf("Content-Encoding = %q, want %q", got, tt.wantGzip)
				}
			}
			byName := map[string]model.Span{}
			for _, s := range rc.spans {
				byName[s.Name] = s
			}
			if len(rc.spans) != 2 || len(byName) != 2 {
				t.Fatalf("got %d spans %v, want agent.run and llm.call", len(rc.spans), byName)
			}
			psc, csc := parent.SpanContext(), child.SpanContext()
			want := map[string]model.Span{
				"agent.run": {
					TraceID: psc.TraceID().String(), SpanID: psc.SpanID().String(), Name: "agent.run",
					Kind: "SPAN_KIND_SERVER", StatusCode: model.StatusOK,
					Attributes: map[string]any{"openinference.span.kind": "AGENT", "input.value": "hi"},
				},
				"llm.call": {
					TraceID: csc.TraceID().String(), SpanID: csc.SpanID().String(), ParentSpanID: psc.SpanID().String(),
					Name: "llm.call", Kind: "SPAN_KIND_CLIENT", StatusCode: model.StatusError, StatusMessage: "rate limited",
					Attributes: map[string]any{
						"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": int64(12),
						"gen_ai.request.temperature": 0.5, "stream": false, "tags": []any{"a", "b"},
					},
					Events: []model.SpanEvent{{Name: "gen_ai.user.message", Attributes: map[string]any{"content": "hi"}}},
				},
			}
			ignoreTimes := cmp.FilterPath(func(p cmp.Path) bool {
				switch p.Last().String() {
				case ".StartTimeNs", ".EndTimeNs", ".TimeNs":
					return true
				}
				return false
			}, cmp.Ignore())
			if diff := cmp.Diff(want, byName, ignoreTimes); diff != "" {
				t.Errorf("spans (-want +got):\n%s", diff)
			}
			for name, s := range byName {
				if s.StartTimeNs == 0 || s.EndTimeNs < s.StartTimeNs {
					t.Errorf("%s: times %d..%d", name, s.StartTimeNs, s.EndTimeNs)
				}
			}
			if psc.TraceID() != csc.TraceID() {
				t.Errorf("parent and child in different traces")
			}

			// Normalized, the same spans read as an MLflow agent with an LLM child.
			p, c := byName["agent.run"], byName["llm.call"]
			Normalize(&p)
			Normalize(&c)
			if got := p.Attributes[model.AttrSpanType]; got != `"AGENT"` {
				t.Errorf("parent span type = %v", got)
			}
			if got := c.Attributes[model.AttrSpanType]; got != `"CHAT_MODEL"` {
				t.Errorf("child span type = %v", got)
			}
			if got := Preview(&p, model.AttrSpanInputs, 0); got != `"hi"` {
				t.Errorf("request preview = %q", got)
			}
			checkJSONAttr(t, c, model.AttrSpanInputs, `{"messages": [{"role": "user", "content": "hi"}]}`)
		})
	}
}
