package otlp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/assay-labs/assay/app/model"
)

// AttrValue returns attribute key of s decoded the way MLflow's Span.get_attribute does: a
// string holding JSON is parsed (numbers come back as json.Number), any other value is
// returned as it is. ok is false when the attribute is missing or nil.
func AttrValue(s *model.Span, key string) (v any, ok bool) {
	raw, ok := s.Attributes[key]
	if !ok || raw == nil {
		return nil, false
	}
	if str, isStr := raw.(string); isStr {
		if dec, isJSON := loadJSON(str); isJSON {
			return dec, true
		}
	}
	return raw, true
}

// SpanType returns s's MLflow span type ("LLM", "CHAIN", …) with its JSON encoding removed,
// or "" when it has none; call Normalize first to get "UNKNOWN" instead.
func SpanType(s *model.Span) string { return attrStr(s.Attributes[model.AttrSpanType]) }

// encodedAttr returns the JSON-encoded string MLflow stores for attribute key when it arrives
// over OTLP with value v (Span.from_otel_proto followed by strip_otlp_double_encoding): a
// string that already holds a JSON string, object or array is kept, anything else is encoded.
// One deliberate difference: a string under an "mlflow." key that holds any JSON value is
// kept, because MLflow's SDK JSON-encodes all of its own attributes (so spanInputs "5" stays
// the number 5 instead of becoming the string "5").
func encodedAttr(key string, v any) string {
	if s, ok := v.(string); ok {
		if dec, isJSON := loadJSON(s); isJSON {
			switch dec.(type) {
			case string, map[string]any, []any:
				return s
			}
			if strings.HasPrefix(key, "mlflow.") {
				return s
			}
		}
	}
	return dumpJSON(v)
}

// dumpJSON encodes v compactly without HTML escaping, like Python's
// json.dumps(ensure_ascii=False) minus the spaces. A value encoding/json refuses (a NaN set by
// a caller) is encoded as its fmt text, as MLflow falls back to repr.
func dumpJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		_ = enc.Encode(fmt.Sprint(v))
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// loadJSON parses s as exactly one JSON value, keeping numbers as json.Number.
func loadJSON(s string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return v, true
}

// plainNumbers returns a copy of v in which every json.Number is an int64, or a float64 when
// it is not an integer that fits. v itself is not modified.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return finiteOrString(f)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = plainNumbers(e)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainNumbers(e)
		}
		return out
	}
	return v
}

// truthy reports whether v counts as a value in Python's sense (MLflow skips empty strings,
// lists, maps, zeros, false and null when it looks for inputs and outputs). A string is
// judged by the JSON it holds, if any, as MLflow's _get_and_check_attribute_value does.
func truthy(v any) bool {
	if s, ok := v.(string); ok {
		if dec, isJSON := loadJSON(s); isJSON {
			return truthyValue(dec)
		}
		return s != ""
	}
	return truthyValue(v)
}

func truthyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case json.Number:
		f, err := x.Float64()
		return err != nil || f != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// str returns v when it is a string and "" otherwise.
func str(v any) string {
	s, _ := v.(string)
	return s
}

// attrStr returns an attribute value as a string, decoding a JSON-encoded string ("\"LLM\"",
// as MLflow's SDK writes them) too.
func attrStr(v any) string {
	s, ok := v.(string)
	if !ok {
		return ""
	}
	if strings.HasPrefix(s, `"`) {
		if dec, isJSON := loadJSON(s); isJSON {
			if ds, ok := dec.(string); ok {
				return ds
			}
		}
	}
	return s
}
