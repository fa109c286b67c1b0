package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	coltrace "go.opentelemetry.io/proto/slim/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/slim/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/slim/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/slim/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/assay-labs/assay/app/model"
)

// gen.go makes the test data: MLflow-style spans (the attributes MLflow's SDK exports, with
// JSON-encoded inputs and outputs) as OTLP protobuf requests and as model.Span values, and
// dataset records. Everything is drawn from a seeded generator, so runs are comparable.

var words = strings.Fields(`the a of to and in is for on that with as by this be are from at or an
	model answer question context retrieval document customer order refund policy shipping account
	password reset invoice billing support ticket product warranty return label delivery address
	summary report latency token prompt response assistant user system tool search result score
	evaluation dataset record label review quality relevant helpful correct grounded safe`)

// text returns words drawn from rng, about n bytes of them.
func text(rng *rand.Rand, n int) string {
	var b strings.Builder
	b.Grow(n + 16)
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[rng.IntN(len(words))])
	}
	return b.String()
}

// dumpJSON is v as JSON text: how MLflow stores span attributes.
func dumpJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// chatInputs is an LLM call's inputs as MLflow records them, with about n bytes of text.
func chatInputs(rng *rand.Rand, n int) string {
	return dumpJSON(map[string]any{"messages": []map[string]string{
		{"role": "system", "content": "You are a helpful support assistant."},
		{"role": "user", "content": text(rng, n)},
	}})
}

// chatOutputs is an LLM call's outputs as MLflow records them, with about n bytes of text.
func chatOutputs(rng *rand.Rand, n int) string {
	return dumpJSON(map[string]any{"choices": []map[string]any{{
		"index": 0, "finish_reason": "stop",
		"message": map[string]string{"role": "assistant", "content": text(rng, n)},
	}}})
}

// spanShape is one span of a generated trace: its name and MLflow span type.
type spanShape struct{ name, typ string }

// traceShape is a RAG request: a root chain and its children.
var traceShape = []spanShape{
	{"rag_pipeline", "CHAIN"}, {"retrieve_documents", "RETRIEVER"}, {"format_prompt", "PARSER"},
	{"chat_completion", "CHAT_MODEL"}, {"postprocess", "TOOL"},
}

// randomID fills b with random bytes, never all zero (OTLP's "no id").
func randomID(rng *rand.Rand, b []byte) {
	for i := 0; i < len(b); i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], rng.Uint64()|1)
		copy(b[i:], w[:])
	}
}

// otlpTemplate is one marshalled ExportTraceServiceRequest and where each trace's id sits in
// it, so a client sends fresh traces by copying the bytes and patching ids, spending almost no
// CPU of the two cores the server also needs.
type otlpTemplate struct {
	body   []byte
	traces int
	spans  int
	rawAt  [][]int // per trace: offsets of the 16-byte trace id in each span
	hexAt  [][]int // per trace: offsets of its 32 hex digits inside mlflow.traceRequestId
}

// newOTLPTemplate builds a request of traces traces with spansPerTrace spans each (at most
// len(traceShape)), every span carrying about ioBytes of inputs and of outputs.
func newOTLPTemplate(seed uint64, traces, spansPerTrace, ioBytes int) (*otlpTemplate, error) {
	rng := rand.New(rand.NewPCG(seed, 1))
	start := time.Now().Add(-time.Hour).UnixNano()
	var spans []*tracepb.Span
	ids := make([][]byte, traces)
	for t := range traces {
		tid := make([]byte, 16)
		randomID(rng, tid)
		ids[t] = tid
		root := make([]byte, 8)
		randomID(rng, root)
		t0 := uint64(start + int64(t)*int64(time.Second))
		for s := range spansPerTrace {
			shape := traceShape[s%len(traceShape)]
			sid, parent := root, []byte(nil)
			if s > 0 {
				sid = make([]byte, 8)
				randomID(rng, sid)
				parent = root
			}
			begin := t0 + uint64(s)*10e6
			end := t0 + 900e6 - uint64(s)*10e6
			if s == 0 {
				end = t0 + 1e9
			}
			spans = append(spans, &tracepb.Span{
				TraceId: tid, SpanId: sid, ParentSpanId: parent, Name: shape.name,
				Kind:              tracepb.Span_SPAN_KIND_INTERNAL,
				StartTimeUnixNano: begin, EndTimeUnixNano: end,
				Status: &tracepb.Status{Code: tracepb.Status_STATUS_CODE_OK},
				Attributes: []*commonpb.KeyValue{
					strAttr(model.AttrTraceID, dumpJSON("tr-"+hex.EncodeToString(tid))),
					strAttr(model.AttrSpanType, dumpJSON(shape.typ)),
					strAttr("mlflow.spanFunctionName", dumpJSON(shape.name)),
					strAttr(model.AttrSpanInputs, chatInputs(rng, ioBytes-90)),
					strAttr(model.AttrSpanOutput, chatOutputs(rng, ioBytes-110)),
				},
			})
		}
	}
	req := &coltrace.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{
			strAttr("service.name", "support-bot"), strAttr("telemetry.sdk.language", "python"),
		}},
		ScopeSpans: []*tracepb.ScopeSpans{{Scope: &commonpb.InstrumentationScope{Name: "mlflow.tracing"}, Spans: spans}},
	}}}
	body, err := proto.Marshal(req)
	if err != nil {
		return nil, err
	}
	tpl := &otlpTemplate{body: body, traces: traces, spans: len(spans)}
	for _, id := range ids {
		raw, hx := indexAll(body, id), indexAll(body, []byte(hex.EncodeToString(id)))
		if len(raw) != spansPerTrace || len(hx) != spansPerTrace {
			return nil, fmt.Errorf("template: found trace id %d/%d times, want %d", len(raw), len(hx), spansPerTrace)
		}
		tpl.rawAt = append(tpl.rawAt, raw)
		tpl.hexAt = append(tpl.hexAt, hx)
	}
	return tpl, nil
}

// fill writes into dst a copy of the template with fresh random trace ids and returns it.
func (t *otlpTemplate) fill(dst []byte, rng *rand.Rand) []byte {
	dst = append(dst[:0], t.body...)
	var id [16]byte
	var hx [32]byte
	for i := range t.traces {
		randomID(rng, id[:])
		hex.Encode(hx[:], id[:])
		for _, at := range t.rawAt[i] {
			copy(dst[at:], id[:])
		}
		for _, at := range t.hexAt[i] {
			copy(dst[at:], hx[:])
		}
	}
	return dst
}

func strAttr(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

// indexAll returns every offset of needle in buf.
func indexAll(buf, needle []byte) []int {
	var out []int
	for off := 0; ; {
		i := bytes.Index(buf[off:], needle)
		if i < 0 {
			return out
		}
		out = append(out, off+i)
		off += i + len(needle)
	}
}

// bulkSpans returns the spans of one generated trace for the search database, as
// otlp.Normalize leaves MLflow-style spans: a root chain and one chat-model child, each with
// about ioBytes of inputs and of outputs.
func bulkSpans(rng *rand.Rand, startNs int64, ioBytes int) []model.Span {
	var tid [16]byte
	var root, child [8]byte
	randomID(rng, tid[:])
	randomID(rng, root[:])
	randomID(rng, child[:])
	traceHex := hex.EncodeToString(tid[:])
	attrs := func(typ string) map[string]any {
		return map[string]any{
			model.AttrTraceID:    dumpJSON("tr-" + traceHex),
			model.AttrSpanType:   dumpJSON(typ),
			model.AttrSpanInputs: chatInputs(rng, ioBytes-90),
			model.AttrSpanOutput: chatOutputs(rng, ioBytes-110),
		}
	}
	return []model.Span{
		{TraceID: traceHex, SpanID: hex.EncodeToString(root[:]), Name: "support_chat", StartTimeNs: startNs,
			EndTimeNs: startNs + 1.2e9, StatusCode: model.StatusOK, Attributes: attrs("CHAIN")},
		{TraceID: traceHex, SpanID: hex.EncodeToString(child[:]), ParentSpanID: hex.EncodeToString(root[:]), Name: "chat_completion",
			StartTimeNs: startNs + 5e6, EndTimeNs: startNs + 1.1e9, StatusCode: model.StatusOK, Attributes: attrs("CHAT_MODEL")},
	}
}

// recordJSON is one dataset record's inputs, outputs and expectations, about 1 KB together.
func recordJSON(rng *rand.Rand, i int) (inputs, outputs, expected json.RawMessage) {
	inputs = json.RawMessage(dumpJSON(map[string]any{
		"question": fmt.Sprintf("#%d %s", i, text(rng, 300)),
		"context":  text(rng, 250),
	}))
	outputs = json.RawMessage(dumpJSON(map[string]any{"answer": text(rng, 250)}))
	expected = json.RawMessage(dumpJSON(text(rng, 150)))
	return inputs, outputs, expected
}
