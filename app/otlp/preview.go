package otlp

import (
	"strings"

	"github.com/assay-labs/assay/app/model"
)

// DefaultPreviewMax is MLflow OSS's preview length (TRACE_REQUEST_RESPONSE_PREVIEW_MAX_LENGTH_OSS).
const DefaultPreviewMax = 1000

// Preview returns a trace's request or response preview computed from its root span s, as
// MLflow's _get_truncated_preview does: key is model.AttrSpanInputs (request, role "user") or
// model.AttrSpanOutput (response, role "assistant"). When the attribute's JSON is a chat
// payload ({"messages": …}, {"choices": [{"message": …}]}, Responses API "input"/"output",
// or those under "request"), the text of the last message with that role (else the last
// message) is used; otherwise the attribute's JSON text itself. NUL becomes U+FFFD, and text
// longer than max runes is cut to max-3 runes plus "...". max <= 0 means DefaultPreviewMax.
// The result is "" when the attribute is missing or empty, where MLflow leaves the preview null.
func Preview(s *model.Span, key string, max int) string {
	v, ok := s.Attributes[key]
	if !ok || v == nil || v == "" {
		return ""
	}
	raw := encodedAttr(key, v)
	role := "user"
	if key == model.AttrSpanOutput {
		role = "assistant"
	}
	if max <= 0 {
		max = DefaultPreviewMax
	}
	return previewText(raw, role, max)
}

// previewText applies MLflow's message extraction and truncation to a JSON document.
func previewText(raw, role string, max int) string {
	content := ""
	if obj, ok := loadJSON(raw); ok {
		if msgs := extractMessages(obj); len(msgs) > 0 {
			content = messageText(lastMessage(msgs, role))
		}
	}
	if content == "" {
		content = raw
	}
	content = strings.ReplaceAll(content, "\x00", "\uFFFD")
	runes := []rune(content)
	if len(runes) <= max {
		return content
	}
	if max <= 3 {
		return string(runes[:max])
	}
	return string(runes[:max-3]) + "..."
}

// extractMessages mirrors MLflow's _try_extract_messages.
func extractMessages(obj any) []map[string]any {
	m, ok := obj.(map[string]any)
	if !ok {
		return nil
	}
	if list, ok := m["messages"].([]any); ok && len(list) > 0 {
		return filterMessages(list)
	}
	if choices, ok := m["choices"].([]any); ok && len(choices) > 0 {
		if c0, ok := choices[0].(map[string]any); ok {
			if msg, ok := c0["message"].(map[string]any); ok && len(msg) > 0 && isMessage(msg) {
				return []map[string]any{msg}
			}
		}
	}
	for _, k := range []string{"input", "output"} {
		if list, ok := m[k].([]any); ok && len(list) > 0 {
			return filterMessages(list)
		}
	}
	if req, ok := m["request"]; ok {
		return extractMessages(req)
	}
	return nil
}

func filterMessages(list []any) []map[string]any {
	var out []map[string]any
	for _, item := range list {
		if msg, ok := item.(map[string]any); ok && isMessage(msg) {
			out = append(out, msg)
		}
	}
	return out
}

func isMessage(m map[string]any) bool {
	_, hasRole := m["role"]
	_, hasContent := m["content"]
	return hasRole && hasContent
}

// lastMessage returns the last message with role, or the last message of all.
func lastMessage(msgs []map[string]any, role string) map[string]any {
	for i := len(msgs) - 1; i >= 0; i-- {
		if r, ok := msgs[i]["role"].(string); ok && r == role {
			return msgs[i]
		}
	}
	return msgs[len(msgs)-1]
}

// messageText returns a message's text: its string content, or the first string or
// text/output_text part of a content list.
func messageText(msg map[string]any) string {
	switch c := msg["content"].(type) {
	case string:
		return c
	case []any:
		for _, part := range c {
			switch p := part.(type) {
			case string:
				return p
			case map[string]any:
				if t, _ := p["type"].(string); t == "text" || t == "output_text" {
					s, _ := p["text"].(string)
					return s
				}
			}
		}
	}
	return ""
}
