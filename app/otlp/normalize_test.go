package otlp

import (
	"testing"

	"github.com/assay-labs/assay/app/model"
	"github.com/google/go-cmp/cmp"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name            string
		attrs           map[string]any
		events          []model.SpanEvent
		wantType        string
		wantIn, wantOut string // JSON; "" means the attribute stays absent
		wantKept        map[string]any
	}{
		{
			name: "mlflow span left alone",
			attrs: map[string]any{
				model.AttrSpanType: `"LLM"`, model.AttrSpanInputs: `{"x": 1}`, model.AttrSpanOutput: `"hi"`,
				"input.value": "other", "openinference.span.kind": "TOOL",
			},
			wantType: "LLM", wantIn: `{"x": 1}`, wantOut: `"hi"`,
		},
		{
			name:     "mlflow UNKNOWN is refined",
			attrs:    map[string]any{model.AttrSpanType: `"UNKNOWN"`, "openinference.span.kind": "LLM"},
			wantType: "LLM",
		},
		{
			name:     "mlflow UNKNOWN stays when nothing better",
			attrs:    map[string]any{model.AttrSpanType: `"UNKNOWN"`},
			wantType: "UNKNOWN",
		},
		{
			name:     "custom span type kept",
			attrs:    map[string]any{model.AttrSpanType: `"MY_TYPE"`, "gen_ai.operation.name": "chat"},
			wantType: "MY_TYPE",
		},
		{name: "no convention", attrs: map[string]any{"http.method": "GET"}, wantType: "UNKNOWN",
			wantKept: map[string]any{"http.method": "GET"}},
		{name: "nil attributes", wantType: "UNKNOWN"},
		{
			name: "openinference json and text values",
			attrs: map[string]any{
				"openinference.span.kind": "CHAIN",
				"input.value":             `{"question": "why?"}`, "input.mime_type": "application/json",
				"output.value": `{"not": "json for text/plain"}`, "output.mime_type": "text/plain",
			},
			wantType: "CHAIN", wantIn: `{"question": "why?"}`, wantOut: `"{\"not\": \"json for text/plain\"}"`,
		},
		{
			name: "openinference values without mime type",
			attrs: map[string]any{
				"openinference.span.kind": "chain", "input.value": "plain words", "output.value": `["a", "b"]`,
			},
			wantType: "CHAIN", wantIn: `"plain words"`, wantOut: `["a", "b"]`,
		},
		{
			name: "openinference invalid json with json mime",
			attrs: map[string]any{
				"input.value": "{oops", "input.mime_type": "application/json", "output.value": int64(3),
			},
			wantType: "UNKNOWN", wantIn: `"{oops"`, wantOut: `3`,
		},
		{
			name:     "openinference mime type JSON-encoded by an MLflow-style client",
			attrs:    map[string]any{"input.value": `{"a": 1}`, "input.mime_type": `"application/json"`},
			wantType: "UNKNOWN", wantIn: `{"a": 1}`,
		},
		{
			name: "openinference flattened messages",
			attrs: map[string]any{
				"openinference.span.kind":                                                 "LLM",
				"llm.model_name":                                                          "gpt-4o",
				"llm.input_messages.0.message.role":                                       "system",
				"llm.input_messages.0.message.content":                                    "Be brief.",
				"llm.input_messages.1.message.role":                                       "user",
				"llm.input_messages.1.message.contents.0.message_content.type":            "text",
				"llm.input_messages.1.message.contents.0.message_content.text":            "What is this?",
				"llm.input_messages.1.message.contents.1.message_content.type":            "image",
				"llm.input_messages.1.message.contents.1.message_content.image.image.url": "http://x/cat.png",
				"llm.input_messages.10.message.role":                                      "tool",
				"llm.input_messages.10.message.content":                                   "42",
				"llm.input_messages.10.message.tool_call_id":                              "call_1",
				"llm.input_messages.2.message.role":                                       "assistant",
				"llm.input_messages.2.message.tool_calls.0.tool_call.id":                  "call_1",
				"llm.input_messages.2.message.tool_calls.0.tool_call.function.name":       "calc",
				"llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments":  `{"x": 6}`,
				"llm.output_messages.0.message.role":                                      "assistant",
				"llm.output_messages.0.message.content":                                   "A cat.",
			},
			wantType: "LLM",
			wantIn: `{"messages": [
				{"role": "system", "content": "Be brief."},
				{"role": "user", "content": [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": "http://x/cat.png"}}]},
				{"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "calc", "arguments": "{\"x\": 6}"}}]},
				{"role": "tool", "content": "42", "tool_call_id": "call_1"}]}`,
			wantOut:  `{"choices": [{"index": 0, "message": {"role": "assistant", "content": "A cat."}}]}`,
			wantKept: map[string]any{"llm.model_name": "gpt-4o"},
		},
		{
			name: "openinference input.value wins over messages",
			attrs: map[string]any{
				"input.value": "hello", "input.mime_type": "text/plain",
				"llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "other",
			},
			wantType: "UNKNOWN", wantIn: `"hello"`,
		},
		{
			name: "openinference retriever documents",
			attrs: map[string]any{
				"openinference.span.kind":                 "RETRIEVER",
				"input.value":                             "where is Paris?",
				"output.value":                            "ignored in favour of the documents",
				"retrieval.documents.0.document.id":       "doc-1",
				"retrieval.documents.0.document.content":  "Paris is in France.",
				"retrieval.documents.0.document.metadata": `{"doc_uri": "https://x/paris"}`,
				"retrieval.documents.0.document.score":    0.9,
				"retrieval.documents.1.document.content":  "Lyon too.",
				"retrieval.documents.1.document.metadata": "not json",
			},
			wantType: "RETRIEVER", wantIn: `"where is Paris?"`,
			wantOut: `[{"page_content": "Paris is in France.", "metadata": {"doc_uri": "https://x/paris", "score": 0.9}, "id": "doc-1"},
				{"page_content": "Lyon too.", "metadata": {"value": "not json"}, "id": null}]`,
		},
		{
			name: "openinference reranker documents",
			attrs: map[string]any{
				"openinference.span.kind":                       "RERANKER",
				"reranker.output_documents.0.document.content":  "best",
				"reranker.output_documents.0.document.metadata": map[string]any{"k": "v"},
			},
			wantType: "RERANKER",
			wantOut:  `[{"page_content": "best", "metadata": {"k": "v"}, "id": null}]`,
		},
		{
			name: "genai semconv messages",
			attrs: map[string]any{
				"gen_ai.operation.name":      "chat",
				"gen_ai.system":              "openai",
				"gen_ai.request.model":       "gpt-4o-mini",
				"gen_ai.system_instructions": `[{"type": "text", "content": "You are terse."}]`,
				"gen_ai.input.messages": `[{"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]},
					{"role": "assistant", "parts": [{"type": "tool_call", "id": "c1", "name": "weather", "arguments": {"city": "Paris"}}]},
					{"role": "tool", "parts": [{"type": "tool_call_response", "id": "c1", "response": {"temp": 21}}]}]`,
				"gen_ai.output.messages": `[{"role": "assistant", "parts": [{"type": "text", "content": "21°C & sunny"}], "finish_reason": "stop"}]`,
			},
			wantType: "CHAT_MODEL",
			wantIn: `{"messages": [
				{"role": "system", "content": "You are terse."},
				{"role": "user", "content": "Weather in Paris?"},
				{"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Paris\"}"}}]},
				{"role": "tool", "tool_call_id": "c1", "content": "{\"temp\":21}"}]}`,
			wantOut:  `{"choices": [{"index": 0, "message": {"role": "assistant", "content": "21°C & sunny"}, "finish_reason": "stop"}]}`,
			wantKept: map[string]any{"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini"},
		},
		{
			name: "genai semconv mixed parts and OTLP array value",
			attrs: map[string]any{
				"gen_ai.operation.name": "generate_content",
				"gen_ai.input.messages": []any{map[string]any{"role": "user", "parts": []any{
					map[string]any{"type": "text", "content": "Describe"},
					map[string]any{"type": "uri", "uri": "http://x/img.png", "modality": "image"},
				}}},
				"gen_ai.output.messages": `{"not": "a list"}`,
			},
			wantType: "LLM",
			wantIn: `{"messages": [{"role": "user", "content": [{"type": "text", "text": "Describe"},
				{"type": "uri", "uri": "http://x/img.png", "modality": "image"}]}]}`,
			wantOut: `{"not": "a list"}`,
		},
		{
			name: "genai tool execution",
			attrs: map[string]any{
				"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "weather",
				"gen_ai.tool.call.arguments": `{"city": "Paris"}`, "gen_ai.tool.call.result": "sunny",
			},
			wantType: "TOOL", wantIn: `{"city": "Paris"}`, wantOut: `"sunny"`,
		},
		{
			name:     "genai agent",
			attrs:    map[string]any{"gen_ai.operation.name": "invoke_agent"},
			wantType: "AGENT",
		},
		{
			name:     "genai embeddings",
			attrs:    map[string]any{"gen_ai.operation.name": "embeddings"},
			wantType: "EMBEDDING",
		},
		{
			name:     "traceloop kind",
			attrs:    map[string]any{"traceloop.span.kind": "workflow", "traceloop.entity.input": `{"q": 1}`, "traceloop.entity.output": "done"},
			wantType: "WORKFLOW", wantIn: `{"q": 1}`, wantOut: `"done"`,
		},
		{
			name: "genai old prompt and completion text",
			attrs: map[string]any{
				"gen_ai.operation.name": "text_completion", "gen_ai.system": "openai",
				"gen_ai.prompt": "Tell me a joke", "gen_ai.completion": "No.",
			},
			wantType: "LLM", wantIn: `"Tell me a joke"`, wantOut: `"No."`,
		},
		{
			name: "genai old prompt and completion JSON messages",
			attrs: map[string]any{
				"gen_ai.prompt":     `[{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi"}]`,
				"gen_ai.completion": `[{"role": "assistant", "content": "Hello!"}]`,
			},
			wantType: "UNKNOWN",
			wantIn:   `{"messages": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi"}]}`,
			wantOut:  `{"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}}]}`,
		},
		{
			name: "genai indexed prompt and completion",
			attrs: map[string]any{
				"gen_ai.operation.name":                      "chat",
				"gen_ai.prompt.0.role":                       "user",
				"gen_ai.prompt.0.content":                    "What's 2+2?",
				"gen_ai.prompt.1.role":                       "assistant",
				"gen_ai.prompt.1.content":                    "4",
				"gen_ai.prompt.2.role":                       "user",
				"gen_ai.prompt.2.content":                    `[{"type": "text", "text": "And 3+3?"}]`,
				"gen_ai.completion.0.role":                   "assistant",
				"gen_ai.completion.0.finish_reason":          "tool_calls",
				"gen_ai.completion.0.tool_calls.0.id":        "call_9",
				"gen_ai.completion.0.tool_calls.0.name":      "add",
				"gen_ai.completion.0.tool_calls.0.arguments": `{"a": 3, "b": 3}`,
				"gen_ai.completion.1.content":                "6",
			},
			wantType: "CHAT_MODEL",
			wantIn: `{"messages": [{"role": "user", "content": "What's 2+2?"}, {"role": "assistant", "content": "4"},
				{"role": "user", "content": [{"type": "text", "text": "And 3+3?"}]}]}`,
			wantOut: `{"choices": [
				{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
					"tool_calls": [{"id": "call_9", "type": "function", "function": {"name": "add", "arguments": "{\"a\": 3, \"b\": 3}"}}]}},
				{"index": 1, "message": {"role": "assistant", "content": "6"}}]}`,
		},
		{
			name:  "genai message events",
			attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.system": "anthropic"},
			events: []model.SpanEvent{
				{Name: "gen_ai.system.message", Attributes: map[string]any{"content": "Be brief.", "gen_ai.system": "anthropic"}},
				{Name: "gen_ai.user.message", Attributes: map[string]any{"content": "Hi there"}},
				{Name: "gen_ai.assistant.message", Attributes: map[string]any{"tool_calls": `[{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]`}},
				{Name: "gen_ai.tool.message", Attributes: map[string]any{"content": "ok", "id": "t1"}},
				{Name: "exception", Attributes: map[string]any{"exception.message": "ignored"}},
				{Name: "gen_ai.choice", Attributes: map[string]any{"index": int64(0), "finish_reason": "stop",
					"message": map[string]any{"role": "assistant", "content": "Hello!"}}},
				{Name: "gen_ai.choice", Attributes: map[string]any{"index": int64(1), "content": "Hi!"}},
			},
			wantType: "CHAT_MODEL",
			wantIn: `{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there"},
				{"role": "assistant", "content": null, "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
				{"role": "tool", "content": "ok", "tool_call_id": "t1"}]}`,
			wantOut: `{"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"},
				{"index": 1, "message": {"role": "assistant", "content": "Hi!"}}]}`,
		},
		{
			name: "genai content events",
			events: []model.SpanEvent{
				{Name: "gen_ai.content.prompt", Attributes: map[string]any{"gen_ai.prompt": `[{"role": "user", "content": "Q"}]`}},
				{Name: "gen_ai.content.completion", Attributes: map[string]any{"gen_ai.completion": "A"}},
			},
			wantType: "UNKNOWN", wantIn: `{"messages": [{"role": "user", "content": "Q"}]}`, wantOut: `"A"`,
		},
		{
			name: "empty values are skipped",
			attrs: map[string]any{
				"input.value": "", "gen_ai.input.messages": "[]", "gen_ai.prompt": "hello",
				"output.value": "{}", "gen_ai.completion.0.content": "bye",
			},
			wantType: "UNKNOWN", wantIn: `"hello"`,
			wantOut: `{"choices": [{"index": 0, "message": {"role": "assistant", "content": "bye"}}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := model.Span{TraceID: testTraceHex, SpanID: testRootHex, Attributes: tt.attrs, Events: tt.events}
			Normalize(&s)
			if got := s.Attributes[model.AttrTraceID]; got != testRequestID {
				t.Errorf("%s = %v, want %s", model.AttrTraceID, got, testRequestID)
			}
			if got := s.Attributes[model.AttrSpanType]; got != dumpJSON(tt.wantType) {
				t.Errorf("span type = %v, want %q", got, dumpJSON(tt.wantType))
			}
			checkJSONAttr(t, s, model.AttrSpanInputs, tt.wantIn)
			checkJSONAttr(t, s, model.AttrSpanOutput, tt.wantOut)
			for k, want := range tt.wantKept {
				if diff := cmp.Diff(want, s.Attributes[k]); diff != "" {
					t.Errorf("attribute %s changed (-want +got):\n%s", k, diff)
				}
			}
		})
	}
}

func checkJSONAttr(t *testing.T, s model.Span, key, want string) {
	t.Helper()
	got, ok := s.Attributes[key]
	if want == "" {
		if ok {
			t.Errorf("%s = %v, want absent", key, got)
		}
		return
	}
	gotStr, isStr := got.(string)
	if !isStr {
		t.Fatalf("%s = %#v, want a JSON string", key, got)
	}
	if diff := cmp.Diff(jsonValue(t, want), jsonValue(t, gotStr)); diff != "" {
		t.Errorf("%s (-want +got):\n%s\ngot %s", key, diff, gotStr)
	}
}

func TestNormalizeOverwritesClientTraceRequestID(t *testing.T) {
	s := model.Span{TraceID: testTraceHex, Attributes: map[string]any{model.AttrTraceID: `"tr-someone-else"`}}
	Normalize(&s)
	if got := s.Attributes[model.AttrTraceID]; got != testRequestID {
		t.Errorf("%s = %v, want %s", model.AttrTraceID, got, testRequestID)
	}
}

func TestNormalizeOpenInferenceKinds(t *testing.T) {
	for kind, want := range map[string]string{
		"LLM": "LLM", "CHAIN": "CHAIN", "TOOL": "TOOL", "RETRIEVER": "RETRIEVER", "EMBEDDING": "EMBEDDING",
		"RERANKER": "RERANKER", "AGENT": "AGENT", "GUARDRAIL": "GUARDRAIL", "EVALUATOR": "EVALUATOR",
		"UNKNOWN": "UNKNOWN", "PROMPT": "UNKNOWN", `"TOOL"`: "TOOL",
	} {
		s := model.Span{Attributes: map[string]any{"openinference.span.kind": kind}}
		Normalize(&s)
		if got := attrStr(s.Attributes[model.AttrSpanType]); got != want {
			t.Errorf("openinference.span.kind %s: span type %q, want %q", kind, got, want)
		}
	}
}

func TestNormalizeDoesNotModifyAttributeValues(t *testing.T) {
	meta := map[string]any{"k": "v"}
	msg := map[string]any{"role": "assistant", "content": "x"}
	s := model.Span{
		Attributes: map[string]any{"retrieval.documents.0.document.metadata": meta, "retrieval.documents.0.document.content": "c"},
		Events:     []model.SpanEvent{{Name: "gen_ai.choice", Attributes: map[string]any{"message": msg, "finish_reason": "stop"}}},
	}
	Normalize(&s)
	if diff := cmp.Diff(map[string]any{"k": "v"}, meta); diff != "" {
		t.Errorf("metadata changed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"role": "assistant", "content": "x"}, msg); diff != "" {
		t.Errorf("event message changed (-want +got):\n%s", diff)
	}
}

func TestAttrValue(t *testing.T) {
	s := model.Span{Attributes: map[string]any{
		"json": `{"a": [1, "b"]}`, "text": "plain", "num": int64(3), "quoted": `"LLM"`, "nil": nil,
	}}
	tests := []struct {
		key    string
		want   any
		wantOK bool
	}{
		{"json", map[string]any{"a": []any{jsonNumber("1"), "b"}}, true},
		{"text", "plain", true},
		{"num", int64(3), true},
		{"quoted", "LLM", true},
		{"nil", nil, false},
		{"missing", nil, false},
	}
	for _, tt := range tests {
		got, ok := AttrValue(&s, tt.key)
		if ok != tt.wantOK {
			t.Errorf("AttrValue(%s) ok = %v, want %v", tt.key, ok, tt.wantOK)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("AttrValue(%s) (-want +got):\n%s", tt.key, diff)
		}
	}
}

func TestSpanType(t *testing.T) {
	for raw, want := range map[any]string{`"LLM"`: "LLM", "TOOL": "TOOL", int64(1): "", nil: ""} {
		s := model.Span{Attributes: map[string]any{model.AttrSpanType: raw}}
		if got := SpanType(&s); got != want {
			t.Errorf("SpanType(%v) = %q, want %q", raw, got, want)
		}
	}
}
