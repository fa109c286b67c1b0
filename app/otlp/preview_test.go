package otlp

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/assay-labs/assay/app/model"
)

func TestPreview(t *testing.T) {
	long := strings.Repeat("é", 1500)
	tests := []struct {
		name string
		key  string
		val  any
		max  int
		want string
	}{
		{name: "missing", key: model.AttrSpanInputs, want: ""},
		{name: "empty", key: model.AttrSpanInputs, val: "", want: ""},
		{name: "last user message", key: model.AttrSpanInputs,
			val:  `{"messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "first"}, {"role": "assistant", "content": "a"}, {"role": "user", "content": "last"}]}`,
			want: "last"},
		{name: "no message with the role takes the last", key: model.AttrSpanInputs,
			val: `{"messages": [{"role": "system", "content": "sys"}, {"role": "assistant", "content": "a"}]}`, want: "a"},
		{name: "assistant from choices", key: model.AttrSpanOutput,
			val: `{"choices": [{"index": 0, "message": {"role": "assistant", "content": "answer"}}]}`, want: "answer"},
		{name: "last assistant in messages output", key: model.AttrSpanOutput,
			val: `{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "r"}, {"role": "tool", "content": "t"}]}`, want: "r"},
		{name: "content parts", key: model.AttrSpanInputs,
			val: `{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}, {"type": "text", "text": "look"}]}]}`, want: "look"},
		{name: "content parts string first", key: model.AttrSpanInputs,
			val: `{"messages": [{"role": "user", "content": ["s", {"type": "text", "text": "t"}]}]}`, want: "s"},
		{name: "content parts without text fall back to the JSON", key: model.AttrSpanInputs,
			val:  `{"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}`,
			want: `{"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}`},
		{name: "null content falls back", key: model.AttrSpanInputs,
			val: `{"messages": [{"role": "user", "content": null}]}`, want: `{"messages": [{"role": "user", "content": null}]}`},
		{name: "responses api input", key: model.AttrSpanInputs,
			val: `{"input": [{"role": "user", "content": "from input"}]}`, want: "from input"},
		{name: "responses api output", key: model.AttrSpanOutput,
			val: `{"output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "out"}]}]}`, want: "out"},
		{name: "responses agent request", key: model.AttrSpanInputs,
			val: `{"request": {"input": [{"role": "user", "content": "nested"}]}}`, want: "nested"},
		{name: "messages without content are not messages", key: model.AttrSpanInputs,
			val:  `{"messages": [{"role": "user"}], "input": [{"role": "user", "content": "x"}]}`,
			want: `{"messages": [{"role": "user"}], "input": [{"role": "user", "content": "x"}]}`},
		{name: "empty messages list checks the next shape", key: model.AttrSpanInputs,
			val: `{"messages": [], "input": [{"role": "user", "content": "x"}]}`, want: "x"},
		{name: "bad choices fall through to output", key: model.AttrSpanOutput,
			val: `{"choices": [{"message": {"role": "assistant"}}], "output": [{"role": "assistant", "content": "o"}]}`, want: "o"},
		{name: "plain dict", key: model.AttrSpanInputs, val: `{"question": "why?"}`, want: `{"question": "why?"}`},
		{name: "json string keeps quotes", key: model.AttrSpanOutput, val: `"hello"`, want: `"hello"`},
		{name: "raw OTLP text is encoded first", key: model.AttrSpanOutput, val: "hello", want: `"hello"`},
		{name: "int value", key: model.AttrSpanOutput, val: int64(5), want: "5"},
		{name: "NUL replaced", key: model.AttrSpanInputs, val: `{"messages": [{"role": "user", "content": "a\u0000b"}]}`, want: "a\uFFFDb"},
		{name: "exactly max", key: model.AttrSpanInputs, val: `"abcdefgh"`, max: 10, want: `"abcdefgh"`},
		{name: "custom max", key: model.AttrSpanInputs, val: `"abcdefghijk"`, max: 10, want: `"abcdef...`},
		{name: "default max counts runes", key: model.AttrSpanInputs,
			val: `{"messages": [{"role": "user", "content": "` + long + `"}]}`, want: strings.Repeat("é", 997) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := model.Span{Attributes: map[string]any{}}
			if tt.val != nil {
				s.Attributes[tt.key] = tt.val
			}
			got := Preview(&s, tt.key, tt.max)
			if got != tt.want {
				t.Errorf("Preview = %q, want %q", got, tt.want)
			}
		})
	}
	s := model.Span{Attributes: map[string]any{model.AttrSpanInputs: dumpJSON(long)}}
	if n := utf8.RuneCountInString(Preview(&s, model.AttrSpanInputs, 0)); n != DefaultPreviewMax {
		t.Errorf("preview of a long string has %d runes, want %d", n, DefaultPreviewMax)
	}
}

// TestPreviewOfNormalizedChat checks the chat shapes Normalize writes preview as MLflow's would.
func TestPreviewOfNormalizedChat(t *testing.T) {
	s := model.Span{TraceID: testTraceHex, Attributes: map[string]any{
		"gen_ai.input.messages":  `[{"role": "system", "parts": [{"type": "text", "content": "sys"}]}, {"role": "user", "parts": [{"type": "text", "content": "question"}]}]`,
		"gen_ai.output.messages": `[{"role": "assistant", "parts": [{"type": "text", "content": "answer"}], "finish_reason": "stop"}]`,
	}}
	Normalize(&s)
	if got := Preview(&s, model.AttrSpanInputs, 0); got != "question" {
		t.Errorf("request preview = %q, want %q", got, "question")
	}
	if got := Preview(&s, model.AttrSpanOutput, 0); got != "answer" {
		t.Errorf("response preview = %q, want %q", got, "answer")
	}
}
