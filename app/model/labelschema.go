package model

import (
	"encoding/json"
	"math"
	"strings"
	"unicode/utf8"
)

// Label schema types: answers become Feedback or Expectation assessments.
const (
	SchemaFeedback    = "feedback"
	SchemaExpectation = "expectation"
)

// Names of the built-in schemas every experiment has.
var BuiltinSchemaNames = []string{"expected_facts", "guidelines", "expected_response"}

// LabelSchema is one question reviewers answer; its Name is the name of the assessments its
// answers become.
type LabelSchema struct {
	SchemaID      string     `json:"schema_id"`
	ExperimentID  string     `json:"experiment_id"`
	Name          string     `json:"name"`
	Type          string     `json:"type"`
	Title         string     `json:"title"`
	Instruction   string     `json:"instruction"`
	EnableComment bool       `json:"enable_comment"`
	Input         LabelInput `json:"input"`
	Version       int        `json:"version"`
	BuiltIn       bool       `json:"builtin"`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     int64      `json:"created_at"`
	UpdatedAt     int64      `json:"last_updated_at"`
}

// LabelInput is the widget of a schema: exactly one field is set (Databricks' names).
type LabelInput struct {
	Categorical     *InputOptions  `json:"categorical,omitempty"`
	CategoricalList *InputOptions  `json:"categorical_list,omitempty"`
	Numeric         *InputNumeric  `json:"numeric,omitempty"`
	Text            *InputText     `json:"text,omitempty"`
	TextList        *InputTextList `json:"text_list,omitempty"`
	PassFail        *InputPassFail `json:"pass_fail,omitempty"`
}

// InputOptions are the choices of a categorical or categorical_list input.
type InputOptions struct {
	Options []string `json:"options"`
}

// InputNumeric bounds a numeric answer; nil means unbounded.
type InputNumeric struct {
	MinValue *float64 `json:"min_value,omitempty"`
	MaxValue *float64 `json:"max_value,omitempty"`
}

// InputText limits a free-text answer; nil means unlimited.
type InputText struct {
	MaxLength *int `json:"max_length,omitempty"`
}

// InputTextList limits a list of strings; nil means unlimited.
type InputTextList struct {
	MaxLengthEach *int `json:"max_length_each,omitempty"`
	MaxCount      *int `json:"max_count,omitempty"`
}

// InputPassFail names the two sides of a boolean answer (true = positive).
type InputPassFail struct {
	PositiveLabel string `json:"positive_label"`
	NegativeLabel string `json:"negative_label"`
}

// Kind is the input's key ("categorical", "text_list", …), or "" when none or several are set.
func (in LabelInput) Kind() string {
	kinds := []struct {
		set  bool
		name string
	}{{in.Categorical != nil, "categorical"}, {in.CategoricalList != nil, "categorical_list"}, {in.Numeric != nil, "numeric"},
		{in.Text != nil, "text"}, {in.TextList != nil, "text_list"}, {in.PassFail != nil, "pass_fail"}}
	found := ""
	for _, k := range kinds {
		if k.set {
			if found != "" {
				return ""
			}
			found = k.name
		}
	}
	return found
}

// Validate checks a schema against the rules of SPEC §4; field paths start at the schema.
func (s *LabelSchema) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	switch {
	case s.Name == "":
		return Invalid("name", "name is required")
	case utf8.RuneCountInString(s.Name) > 250:
		return Invalid("name", "name must be at most 250 characters")
	case strings.Contains(s.Name, "."):
		return Invalid("name", "name must not contain '.' (it becomes an assessment name)")
	case s.Type != SchemaFeedback && s.Type != SchemaExpectation:
		return Invalid("type", "type must be feedback or expectation, got %q", s.Type)
	case utf8.RuneCountInString(s.Instruction) > 1000:
		return Invalid("instruction", "instruction must be at most 1000 characters")
	case utf8.RuneCountInString(s.Title) > 250:
		return Invalid("title", "title must be at most 250 characters")
	}
	return s.Input.Validate()
}

// Validate checks an input's settings.
func (in LabelInput) Validate() error {
	switch in.Kind() {
	case "":
		return Invalid("input", "input must have exactly one of categorical, categorical_list, numeric, text, text_list, pass_fail")
	case "categorical":
		return validateOptions("input.categorical.options", in.Categorical.Options)
	case "categorical_list":
		return validateOptions("input.categorical_list.options", in.CategoricalList.Options)
	case "numeric":
		n := in.Numeric
		for field, v := range map[string]*float64{"input.numeric.min_value": n.MinValue, "input.numeric.max_value": n.MaxValue} {
			if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
				return Invalid(field, "must be a finite number")
			}
		}
		if n.MinValue != nil && n.MaxValue != nil && *n.MinValue >= *n.MaxValue {
			return Invalid("input.numeric", "min_value (%v) must be less than max_value (%v)", *n.MinValue, *n.MaxValue)
		}
	case "text":
		if m := in.Text.MaxLength; m != nil && *m < 1 {
			return Invalid("input.text.max_length", "must be at least 1")
		}
	case "text_list":
		if m := in.TextList.MaxLengthEach; m != nil && *m < 1 {
			return Invalid("input.text_list.max_length_each", "must be at least 1")
		}
		if m := in.TextList.MaxCount; m != nil && *m < 1 {
			return Invalid("input.text_list.max_count", "must be at least 1")
		}
	case "pass_fail":
		p, n := in.PassFail.PositiveLabel, in.PassFail.NegativeLabel
		for field, v := range map[string]string{"input.pass_fail.positive_label": p, "input.pass_fail.negative_label": n} {
			if l := utf8.RuneCountInString(strings.TrimSpace(v)); l < 1 || l > 64 {
				return Invalid(field, "must be 1 to 64 characters")
			}
		}
		if p == n {
			return Invalid("input.pass_fail", "positive_label and negative_label must differ")
		}
	}
	return nil
}

func validateOptions(field string, opts []string) error {
	if len(opts) < 1 || len(opts) > 100 {
		return Invalid(field, "must have 1 to 100 options, got %d", len(opts))
	}
	seen := map[string]bool{}
	for i, o := range opts {
		if l := utf8.RuneCountInString(o); strings.TrimSpace(o) == "" || l > 64 {
			return Invalid(field+"["+itoa(i)+"]", "options must be non-empty and at most 64 characters")
		}
		if seen[o] {
			return Invalid(field+"["+itoa(i)+"]", "duplicate option %q", o)
		}
		seen[o] = true
	}
	return nil
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
