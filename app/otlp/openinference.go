package otlp

// OpenInference (Arize) conventions: https://github.com/Arize-ai/openinference.

// openInferenceTypes maps openinference.span.kind to MLflow span types, as MLflow's
// OpenInferenceTranslator does.
var openInferenceTypes = map[string]string{
	"LLM": "LLM", "CHAIN": "CHAIN", "TOOL": "TOOL", "RETRIEVER": "RETRIEVER",
	"EMBEDDING": "EMBEDDING", "AGENT": "AGENT", "RERANKER": "RERANKER",
	"GUARDRAIL": "GUARDRAIL", "EVALUATOR": "EVALUATOR", "UNKNOWN": "UNKNOWN",
}

// oiValue reads input.value or output.value. With mime type application/json a valid JSON
// value is used as it is; with text/plain the text is JSON-encoded as a string; without a mime
// type MLflow's rule applies (a string holding a JSON string, object or array is kept).
func oiValue(attrs map[string]any, valueKey, mimeKey string) (string, bool) {
	v := attrs[valueKey]
	if !truthy(v) {
		return "", false
	}
	s, isStr := v.(string)
	if !isStr {
		return dumpJSON(v), true
	}
	switch attrStr(attrs[mimeKey]) {
	case "application/json":
		if _, isJSON := loadJSON(s); isJSON {
			return s, true
		}
		return dumpJSON(s), true
	case "text/plain":
		return dumpJSON(s), true
	}
	return encodedAttr(valueKey, s), true
}

// oiMessages reads llm.input_messages.N.message.* or llm.output_messages.N.message.*.
func oiMessages(attrs map[string]any, prefix, role string) []map[string]any {
	var out []map[string]any
	for _, item := range list(unflatten(attrs, prefix)) {
		m := obj(item["message"])
		if m == nil {
			continue
		}
		plain := map[string]any{}
		for _, k := range []string{"role", "content", "name", "tool_call_id"} {
			if v, ok := m[k]; ok {
				plain[k] = v
			}
		}
		if _, ok := plain["content"]; !ok {
			if parts := oiContents(m["contents"]); len(parts) > 0 {
				plain["content"] = parts
			}
		}
		var calls []any
		for _, tc := range list(m["tool_calls"]) {
			if c := obj(tc["tool_call"]); c != nil {
				calls = append(calls, c)
			}
		}
		if len(calls) > 0 {
			plain["tool_calls"] = calls
		}
		out = append(out, chatMessages(plain, role)...)
	}
	return out
}

// oiContents converts message.contents.N.message_content.{type,text,image.image.url} into
// OpenAI content parts.
func oiContents(v any) []any {
	var parts []any
	for _, item := range list(v) {
		c := obj(item["message_content"])
		switch str(c["type"]) {
		case "text":
			parts = append(parts, map[string]any{"type": "text", "text": str(c["text"])})
		case "image":
			url := str(obj(obj(c["image"])["image"])["url"])
			parts = append(parts, map[string]any{"type": "image_url", "image_url": map[string]any{"url": url}})
		}
	}
	return parts
}

// oiDocuments reads retrieval.documents.N.document.* (or reranker.output_documents…) into
// MLflow's retriever output: [{"page_content", "metadata", "id"}]. A document's metadata is
// kept when it is an object (or JSON of one), else stored under "value"; its score, if any,
// is added to the metadata as "score".
func oiDocuments(attrs map[string]any, prefix string) []any {
	var docs []any
	for _, item := range list(unflatten(attrs, prefix)) {
		d := obj(item["document"])
		if d == nil {
			continue
		}
		meta := map[string]any{}
		if md := obj(d["metadata"]); md != nil {
			for k, v := range md {
				meta[k] = v
			}
		} else if v, ok := d["metadata"]; ok && v != nil {
			meta["value"] = v
		}
		if score, ok := d["score"]; ok {
			if _, taken := meta["score"]; !taken {
				meta["score"] = score
			}
		}
		var id any
		if v, ok := d["id"]; ok {
			id = v
		}
		docs = append(docs, map[string]any{"page_content": textOrJSON(d["content"]), "metadata": meta, "id": id})
	}
	return docs
}
