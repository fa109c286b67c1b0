package otlp

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/assay-labs/assay/app/model"
)

// FuzzDecode feeds arbitrary bodies to Decode. Oracle: no panic; either a *DecodeError and no
// spans, or spans that pass OTLP validation and survive Normalize, Preview and both renderers
// as JSON.
func FuzzDecode(f *testing.F) {
	pb := marshalProto(f, rootAndChild(f))
	f.Add(pb, uint8(0), uint8(0))
	f.Add(gzipBytes(f, pb), uint8(0), uint8(1))
	f.Add(zlibBytes(f, pb), uint8(0), uint8(2))
	f.Add([]byte(rootAndChildJSON), uint8(1), uint8(0))
	f.Add([]byte(rootAndChildSnakeJSON), uint8(1), uint8(0))
	f.Add(gzipBytes(f, []byte(rootAndChildJSON)), uint8(1), uint8(1))
	f.Add([]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000001",
		"attributes":[{"key":"llm.input_messages.0.message.role","value":{"stringValue":"user"}},
		{"key":"llm.input_messages.0.message.content","value":{"stringValue":"hi"}},
		{"key":"gen_ai.input.messages","value":{"stringValue":"[{\"role\":\"user\",\"parts\":[{\"type\":\"tool_call\",\"arguments\":{}}]}]"}},
		{"key":"retrieval.documents.0.document.metadata","value":{"kvlistValue":{"values":[{"key":"a","value":{"doubleValue":"NaN"}}]}}}],
		"events":[{"name":"gen_ai.choice","attributes":[{"key":"message","value":{"stringValue":"{\"content\":[1]}"}}]}]}]}]}]}`), uint8(1), uint8(0))
	f.Add([]byte{}, uint8(2), uint8(3))
	f.Fuzz(func(t *testing.T, body []byte, ct, enc uint8) {
		contentType := []string{ContentTypeProtobuf, ContentTypeJSON, "application/json; charset=utf-8", "text/plain"}[ct%4]
		encoding := []string{"", "gzip", "deflate", "br"}[enc%4]
		spans, err := Decode(body, contentType, encoding, 1<<20)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DecodeError: %v", err, err)
			}
			if spans != nil {
				t.Fatalf("spans returned with an error")
			}
			return
		}
		for i := range spans {
			checkValidSpan(t, spans[i])
			Normalize(&spans[i])
			Preview(&spans[i], model.AttrSpanInputs, 0)
			Preview(&spans[i], model.AttrSpanOutput, 50)
			for _, v := range []any{spans[i], ToMLflowDict(spans[i]), ToOTelJSON(spans[i])} {
				if _, err := json.Marshal(v); err != nil {
					t.Fatalf("span %d does not marshal: %v", i, err)
				}
			}
			back, err := FromMLflowDict(roundJSONNumbersTB(t, ToMLflowDict(spans[i])))
			if err != nil {
				t.Fatalf("span %d does not come back from its MLflow dict: %v", i, err)
			}
			if back.TraceID != spans[i].TraceID || back.SpanID != spans[i].SpanID || back.ParentSpanID != spans[i].ParentSpanID {
				t.Fatalf("span %d ids changed in the MLflow dict round trip", i)
			}
		}
	})
}

func checkValidSpan(t *testing.T, s model.Span) {
	t.Helper()
	checkHex := func(what, id string, size int, optional bool) {
		if optional && id == "" {
			return
		}
		b, err := hex.DecodeString(id)
		if err != nil || len(b) != size {
			t.Fatalf("%s %q is not %d bytes of hex", what, id, size)
		}
		for _, c := range b {
			if c != 0 {
				return
			}
		}
		t.Fatalf("%s is all zeros", what)
	}
	checkHex("trace id", s.TraceID, 16, false)
	checkHex("span id", s.SpanID, 8, false)
	checkHex("parent id", s.ParentSpanID, 8, true)
	if s.StartTimeNs < 0 || (s.EndTimeNs != 0 && s.EndTimeNs < s.StartTimeNs) {
		t.Fatalf("times %d..%d", s.StartTimeNs, s.EndTimeNs)
	}
}

func roundJSONNumbersTB(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	return roundJSONNumbers(t, v)
}
