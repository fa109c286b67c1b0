package otlp

// Chat payloads that Normalize writes. Inputs use MLflow's chat request shape
// {"messages": [message…]}; outputs use a ChatCompletion-like response
// {"choices": [{"index": i, "message": message, "finish_reason"?: …}]}, the shape MLflow's
// preview and chat views understand. A message is OpenAI style: {"role", "content"} plus
// "name", "tool_call_id" and "tool_calls": [{"id", "type": "function", "function": {"name",
// "arguments"}}] when known; content is a string, a list of parts, or null.

// finishKey carries a finish reason inside a message until chatOutputs moves it to the choice.
const finishKey = "finish_reason"

// chatInputs renders input messages as {"messages": […]}.
func chatInputs(msgs []map[string]any) string {
	out := make([]any, len(msgs))
	for i, m := range msgs {
		delete(m, finishKey)
		out[i] = m
	}
	return dumpJSON(map[string]any{"messages": out})
}

// chatOutputs renders output messages as {"choices": [{"index", "message", "finish_reason"}]}.
func chatOutputs(msgs []map[string]any) string {
	choices := make([]any, len(msgs))
	for i, m := range msgs {
		c := map[string]any{"index": i, "message": m}
		if fr, ok := m[finishKey]; ok {
			delete(m, finishKey)
			c[finishKey] = fr
		}
		choices[i] = c
	}
	return dumpJSON(map[string]any{"choices": choices})
}

// chatMessages converts one message of any supported shape (OpenAI style, Traceloop's
// indexed attributes, or GenAI semconv with "parts") into one or more OpenAI-style messages;
// a semconv message carrying tool results yields one "tool" message per result. role is used
// when the message has none. The input is never modified.
func chatMessages(m map[string]any, role string) []map[string]any {
	if r := str(m["role"]); r != "" {
		role = r
	}
	if _, ok := m["parts"]; ok {
		return semconvMessages(m, role)
	}
	out := map[string]any{"role": role, "content": nil}
	if c, ok := m["content"]; ok {
		out["content"] = structured(c)
	}
	for _, k := range []string{"name", "tool_call_id", finishKey} {
		if s := str(m[k]); s != "" {
			out[k] = s
		}
	}
	if calls := toolCalls(m["tool_calls"]); len(calls) > 0 {
		out["tool_calls"] = calls
	}
	return []map[string]any{out}
}

// semconvMessages converts a GenAI semconv message ({"role", "parts": [{"type": …}]}).
func semconvMessages(m map[string]any, role string) []map[string]any {
	var parts, calls []any
	var results []map[string]any
	allText := true
	for _, p := range list(structured(m["parts"])) {
		switch str(p["type"]) {
		case "text":
			parts = append(parts, map[string]any{"type": "text", "text": str(p["content"])})
		case "tool_call":
			calls = append(calls, toolCall(p["id"], p["name"], p["arguments"]))
		case "tool_call_response":
			results = append(results, map[string]any{
				"role": "tool", "tool_call_id": str(p["id"]), "content": textOrJSON(p["response"]),
			})
		default:
			allText = false
			parts = append(parts, p)
		}
	}
	msg := map[string]any{"role": role, "content": nil}
	switch {
	case len(parts) == 1 && allText:
		msg["content"] = parts[0].(map[string]any)["text"]
	case len(parts) > 0:
		msg["content"] = parts
	}
	if len(calls) > 0 {
		msg["tool_calls"] = calls
	}
	for _, k := range []string{"name", finishKey} {
		if s := str(m[k]); s != "" {
			msg[k] = s
		}
	}
	if len(results) > 0 && len(parts) == 0 && len(calls) == 0 {
		return results
	}
	return append([]map[string]any{msg}, results...)
}

// toolCalls converts a list of tool calls, OpenAI style ({"id", "function": {"name",
// "arguments"}}) or flat ({"id", "name", "arguments"}), possibly JSON-encoded.
func toolCalls(v any) []any {
	var out []any
	for _, tc := range list(structured(v)) {
		if f := obj(tc["function"]); f != nil {
			out = append(out, toolCall(tc["id"], f["name"], f["arguments"]))
		} else {
			out = append(out, toolCall(tc["id"], tc["name"], tc["arguments"]))
		}
	}
	return out
}

// toolCall builds an OpenAI tool call; arguments become a JSON string as OpenAI has them.
func toolCall(id, name, args any) map[string]any {
	tc := map[string]any{"type": "function", "function": map[string]any{
		"name": str(name), "arguments": textOrJSON(args),
	}}
	if s := str(id); s != "" {
		tc["id"] = s
	}
	return tc
}

// textOrJSON returns a string as it is and encodes anything else as JSON.
func textOrJSON(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return ""
	}
	return dumpJSON(v)
}

// structured decodes a string holding a JSON list or object (a list of content parts, say)
// and returns any other value unchanged.
func structured(v any) any {
	if s, ok := v.(string); ok {
		if dec, isJSON := loadJSON(s); isJSON {
			switch dec.(type) {
			case []any, map[string]any:
				return dec
			}
		}
	}
	return v
}

// messageList reads v as a list of messages (a JSON string or an OTLP array of kvlists);
// ok is false unless every element is an object with a "role" or "parts".
func messageList(v any, role string) (msgs []map[string]any, ok bool) {
	arr, isList := structured(v).([]any)
	if !isList || len(arr) == 0 {
		return nil, false
	}
	for _, e := range arr {
		m, isObj := e.(map[string]any)
		if !isObj {
			return nil, false
		}
		_, hasRole := m["role"]
		_, hasParts := m["parts"]
		if !hasRole && !hasParts {
			return nil, false
		}
		msgs = append(msgs, chatMessages(m, role)...)
	}
	return msgs, true
}
