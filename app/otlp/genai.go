package otlp

import "github.com/assay-labs/assay/app/model"

// OpenTelemetry GenAI semantic conventions: the current gen_ai.input.messages /
// gen_ai.output.messages attributes, the older gen_ai.prompt / gen_ai.completion (whole or
// indexed as gen_ai.prompt.N.role, as OpenLLMetry writes them) and the span events
// gen_ai.{system,user,assistant,tool}.message, gen_ai.choice and
// gen_ai.content.{prompt,completion}.

// genAITypes maps gen_ai.operation.name to MLflow span types, as MLflow's GenAiTranslator does.
var genAITypes = map[string]string{
	"chat": "CHAT_MODEL", "text_completion": "LLM", "generate_content": "LLM", "response": "LLM",
	"embeddings": "EMBEDDING", "execute_tool": "TOOL", "invoke_agent": "AGENT", "create_agent": "AGENT",
}

// traceloopTypes maps traceloop.span.kind (OpenLLMetry) to MLflow span types.
var traceloopTypes = map[string]string{
	"workflow": "WORKFLOW", "task": "TASK", "agent": "AGENT", "tool": "TOOL", "unknown": "UNKNOWN",
}

// genAIMessages reads gen_ai.input.messages or gen_ai.output.messages. ok is false when the
// value is not a list of messages; the caller then keeps it verbatim.
func genAIMessages(attrs map[string]any, key, role string) ([]map[string]any, bool) {
	msgs, ok := messageList(attrs[key], role)
	if !ok || key != "gen_ai.input.messages" {
		return msgs, ok
	}
	if sys := list(structured(attrs["gen_ai.system_instructions"])); len(sys) > 0 {
		parts := make([]any, len(sys))
		for i, p := range sys {
			parts[i] = p
		}
		msgs = append(semconvMessages(map[string]any{"parts": parts}, "system"), msgs...)
	}
	return msgs, true
}

// promptValue renders an old-style gen_ai.prompt or gen_ai.completion value: a list of
// messages becomes a chat payload, anything else (usually plain prompt text) is kept as
// MLflow would store it.
func promptValue(key string, v any, output bool) string {
	role := "user"
	if output {
		role = "assistant"
	}
	if msgs, ok := messageList(v, role); ok {
		if output {
			return chatOutputs(msgs)
		}
		return chatInputs(msgs)
	}
	return encodedAttr(key, v)
}

// indexedMessages reads gen_ai.prompt.N.* or gen_ai.completion.N.* (role, content,
// finish_reason, tool_calls.M.{id,name,arguments}, tool_call_id).
func indexedMessages(attrs map[string]any, prefix, role string) []map[string]any {
	var out []map[string]any
	for _, m := range list(unflatten(attrs, prefix)) {
		out = append(out, chatMessages(m, role)...)
	}
	return out
}

// eventRoles names the role of each GenAI message event.
var eventRoles = map[string]string{
	"gen_ai.system.message":    "system",
	"gen_ai.user.message":      "user",
	"gen_ai.assistant.message": "assistant",
	"gen_ai.tool.message":      "tool",
}

// eventInputMessages collects the GenAI message events, in order.
func eventInputMessages(events []model.SpanEvent) []map[string]any {
	var out []map[string]any
	for _, ev := range events {
		role, ok := eventRoles[ev.Name]
		if !ok {
			continue
		}
		at := ev.Attributes
		if !truthy(at["content"]) && at["tool_calls"] == nil {
			continue
		}
		m := map[string]any{"content": at["content"], "tool_calls": at["tool_calls"]}
		if r := str(at["role"]); r != "" {
			role = r
		}
		if id := str(at["id"]); id != "" && role == "tool" {
			m["tool_call_id"] = id
		}
		out = append(out, chatMessages(m, role)...)
	}
	return out
}

// eventChoices collects gen_ai.choice events: {"index", "finish_reason", "message": {…}} or
// flat {"role", "content", "tool_calls"}.
func eventChoices(events []model.SpanEvent) []map[string]any {
	var out []map[string]any
	for _, ev := range events {
		if ev.Name != "gen_ai.choice" {
			continue
		}
		at := ev.Attributes
		m := obj(at["message"])
		if m == nil {
			m = at
		}
		if !truthy(m["content"]) && m["tool_calls"] == nil {
			continue
		}
		msgs := chatMessages(m, "assistant")
		if fr := str(at[finishKey]); fr != "" {
			msgs[0][finishKey] = fr
		}
		out = append(out, msgs...)
	}
	return out
}

// eventValue returns attribute key of the first event named name that has it.
func eventValue(events []model.SpanEvent, name, key string) (any, bool) {
	for _, ev := range events {
		if ev.Name == name && truthy(ev.Attributes[key]) {
			return ev.Attributes[key], true
		}
	}
	return nil, false
}
