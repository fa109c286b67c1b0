package model

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// ValidateAnswer checks a reviewer's answer against the schema's input and returns it as
// canonical JSON. field is the JSON path of the answer in the request, for the error.
func (in LabelInput) ValidateAnswer(field string, raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, Invalid(field, "an answer is required")
	}
	switch in.Kind() {
	case "categorical":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, Invalid(field, "must be one of the options as a string")
		}
		if !slices.Contains(in.Categorical.Options, s) {
			return nil, Invalid(field, "%q is not one of the options %q", s, in.Categorical.Options)
		}
		return json.Marshal(s)
	case "categorical_list":
		var l []string
		if json.Unmarshal(raw, &l) != nil {
			return nil, Invalid(field, "must be a list of options")
		}
		seen := map[string]bool{}
		for i, s := range l {
			if !slices.Contains(in.CategoricalList.Options, s) {
				return nil, Invalid(field+"["+itoa(i)+"]", "%q is not one of the options %q", s, in.CategoricalList.Options)
			}
			if seen[s] {
				return nil, Invalid(field+"["+itoa(i)+"]", "%q is chosen twice", s)
			}
			seen[s] = true
		}
		return json.Marshal(l)
	case "numeric":
		var n float64
		if raw[0] == '"' || json.Unmarshal(raw, &n) != nil {
			return nil, Invalid(field, "must be a number")
		}
		if p := in.Numeric; (p.MinValue != nil && n < *p.MinValue) || (p.MaxValue != nil && n > *p.MaxValue) {
			return nil, Invalid(field, "%v is outside the allowed range %s", n, boundsText(p))
		}
		return json.Marshal(n)
	case "text":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, Invalid(field, "must be a string")
		}
		if m := in.Text.MaxLength; m != nil && utf8.RuneCountInString(s) > *m {
			return nil, Invalid(field, "is %d characters long; the limit is %d", utf8.RuneCountInString(s), *m)
		}
		return json.Marshal(s)
	case "text_list":
		var l []string
		if json.Unmarshal(raw, &l) != nil {
			return nil, Invalid(field, "must be a list of strings")
		}
		if m := in.TextList.MaxCount; m != nil && len(l) > *m {
			return nil, Invalid(field, "has %d entries; the limit is %d", len(l), *m)
		}
		for i, s := range l {
			if m := in.TextList.MaxLengthEach; m != nil && utf8.RuneCountInString(s) > *m {
				return nil, Invalid(field+"["+itoa(i)+"]", "is %d characters long; the limit is %d", utf8.RuneCountInString(s), *m)
			}
		}
		return json.Marshal(l)
	case "pass_fail":
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, Invalid(field, "must be true (%s) or false (%s)", in.PassFail.PositiveLabel, in.PassFail.NegativeLabel)
		}
		return json.Marshal(b)
	}
	return nil, Invalid(field, "the schema has no valid input")
}

func boundsText(p *InputNumeric) string {
	lo, hi := "-∞", "∞"
	if p.MinValue != nil {
		b, _ := json.Marshal(*p.MinValue)
		lo = string(b)
	}
	if p.MaxValue != nil {
		b, _ := json.Marshal(*p.MaxValue)
		hi = string(b)
	}
	return "[" + lo + ", " + hi + "]"
}
