package otlp

import (
	"strings"

	"github.com/assay-labs/assay/app/model"
)

// Normalize fills in MLflow's reserved attributes of a decoded span so every convention reads
// the same downstream, never overwriting inputs, outputs or a span type that are present:
//
//   - mlflow.traceRequestId is set to "tr-<trace id>" (JSON-encoded). MLflow's server derives it
//     from the OTLP trace id too and does not trust a value sent by the client.
//   - mlflow.spanType, when missing, empty or "UNKNOWN", comes from openinference.span.kind,
//     gen_ai.operation.name or traceloop.span.kind; failing those it is "UNKNOWN".
//   - mlflow.spanInputs / mlflow.spanOutputs, when missing, come from OpenInference
//     (input.value/output.value, llm.{input,output}_messages, retrieval.documents) or the
//     GenAI conventions (see genai.go). Chat inputs become {"messages": […]} and chat outputs
//     {"choices": [{"index", "message", "finish_reason"}]} (see messages.go); retriever
//     outputs a list of {"page_content", "metadata", "id"}.
//
// Everything Normalize writes is a JSON-encoded string, as MLflow's SDK writes them; the
// source attributes (gen_ai.system, gen_ai.request.model, …) are kept as they are.
func Normalize(s *model.Span) {
	if s.Attributes == nil {
		s.Attributes = map[string]any{}
	}
	a := s.Attributes
	a[model.AttrTraceID] = dumpJSON("tr-" + s.TraceID)
	if cur := attrStr(a[model.AttrSpanType]); cur == "" || cur == "UNKNOWN" {
		if t := conventionSpanType(a); t != "" {
			a[model.AttrSpanType] = dumpJSON(t)
		} else if cur == "" {
			a[model.AttrSpanType] = dumpJSON("UNKNOWN")
		}
	}
	if a[model.AttrSpanInputs] == nil {
		if v, ok := conventionInputs(s); ok {
			a[model.AttrSpanInputs] = v
		}
	}
	if a[model.AttrSpanOutput] == nil {
		if v, ok := conventionOutputs(s); ok {
			a[model.AttrSpanOutput] = v
		}
	}
}

// conventionSpanType maps the first known span-kind attribute to an MLflow span type.
func conventionSpanType(a map[string]any) string {
	if t, ok := openInferenceTypes[strings.ToUpper(attrStr(a["openinference.span.kind"]))]; ok {
		return t
	}
	if t, ok := genAITypes[strings.ToLower(attrStr(a["gen_ai.operation.name"]))]; ok {
		return t
	}
	if t, ok := traceloopTypes[strings.ToLower(attrStr(a["traceloop.span.kind"]))]; ok {
		return t
	}
	return ""
}

// conventionInputs finds a span's inputs, first match wins.
func conventionInputs(s *model.Span) (string, bool) {
	a := s.Attributes
	if v, ok := oiValue(a, "input.value", "input.mime_type"); ok {
		return v, true
	}
	if msgs := oiMessages(a, "llm.input_messages.", "user"); len(msgs) > 0 {
		return chatInputs(msgs), true
	}
	if truthy(a["gen_ai.input.messages"]) {
		if msgs, ok := genAIMessages(a, "gen_ai.input.messages", "user"); ok {
			return chatInputs(msgs), true
		}
		return encodedAttr("gen_ai.input.messages", a["gen_ai.input.messages"]), true
	}
	if v := a["gen_ai.tool.call.arguments"]; truthy(v) {
		return encodedAttr("gen_ai.tool.call.arguments", v), true
	}
	if v := a["gen_ai.prompt"]; truthy(v) {
		return promptValue("gen_ai.prompt", v, false), true
	}
	if msgs := indexedMessages(a, "gen_ai.prompt.", "user"); len(msgs) > 0 {
		return chatInputs(msgs), true
	}
	if v := a["traceloop.entity.input"]; truthy(v) {
		return encodedAttr("traceloop.entity.input", v), true
	}
	if v, ok := eventValue(s.Events, "gen_ai.content.prompt", "gen_ai.prompt"); ok {
		return promptValue("gen_ai.prompt", v, false), true
	}
	if msgs := eventInputMessages(s.Events); len(msgs) > 0 {
		return chatInputs(msgs), true
	}
	return "", false
}

// conventionOutputs finds a span's outputs, first match wins. Retrieved documents come
// before output.value because MLflow's retriever views need the document list.
func conventionOutputs(s *model.Span) (string, bool) {
	a := s.Attributes
	for _, prefix := range []string{"retrieval.documents.", "reranker.output_documents."} {
		if docs := oiDocuments(a, prefix); len(docs) > 0 {
			return dumpJSON(docs), true
		}
	}
	if v, ok := oiValue(a, "output.value", "output.mime_type"); ok {
		return v, true
	}
	if msgs := oiMessages(a, "llm.output_messages.", "assistant"); len(msgs) > 0 {
		return chatOutputs(msgs), true
	}
	if truthy(a["gen_ai.output.messages"]) {
		if msgs, ok := genAIMessages(a, "gen_ai.output.messages", "assistant"); ok {
			return chatOutputs(msgs), true
		}
		return encodedAttr("gen_ai.output.messages", a["gen_ai.output.messages"]), true
	}
	if v := a["gen_ai.tool.call.result"]; truthy(v) {
		return encodedAttr("gen_ai.tool.call.result", v), true
	}
	if v := a["gen_ai.completion"]; truthy(v) {
		return promptValue("gen_ai.completion", v, true), true
	}
	if msgs := indexedMessages(a, "gen_ai.completion.", "assistant"); len(msgs) > 0 {
		return chatOutputs(msgs), true
	}
	if v := a["traceloop.entity.output"]; truthy(v) {
		return encodedAttr("traceloop.entity.output", v), true
	}
	if v, ok := eventValue(s.Events, "gen_ai.content.completion", "gen_ai.completion"); ok {
		return promptValue("gen_ai.completion", v, true), true
	}
	if msgs := eventChoices(s.Events); len(msgs) > 0 {
		return chatOutputs(msgs), true
	}
	return "", false
}
