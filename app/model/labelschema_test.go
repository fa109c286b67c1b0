package model

import (
	"encoding/json"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestLabelSchemaValidate(t *testing.T) {
	ok := LabelInput{Text: &InputText{}}
	tests := []struct {
		name      string
		schema    LabelSchema
		wantField string // "" = valid
	}{
		{"valid categorical", LabelSchema{Name: "quality", Type: "feedback", Input: LabelInput{Categorical: &InputOptions{Options: []string{"good", "bad"}}}}, ""},
		{"valid numeric", LabelSchema{Name: "score", Type: "feedback", Input: LabelInput{Numeric: &InputNumeric{MinValue: ptr(1.0), MaxValue: ptr(5.0)}}}, ""},
		{"valid open numeric", LabelSchema{Name: "score", Type: "feedback", Input: LabelInput{Numeric: &InputNumeric{}}}, ""},
		{"valid text_list", LabelSchema{Name: "facts", Type: "expectation", Input: LabelInput{TextList: &InputTextList{MaxLengthEach: ptr(10), MaxCount: ptr(3)}}}, ""},
		{"valid pass_fail", LabelSchema{Name: "ok", Type: "feedback", Input: LabelInput{PassFail: &InputPassFail{PositiveLabel: "Pass", NegativeLabel: "Fail"}}}, ""},
		{"empty name", LabelSchema{Name: " ", Type: "feedback", Input: ok}, "name"},
		{"long name", LabelSchema{Name: string(make([]rune, 251)), Type: "feedback", Input: ok}, "name"},
		{"dotted name", LabelSchema{Name: "a.b", Type: "feedback", Input: ok}, "name"},
		{"bad type", LabelSchema{Name: "x", Type: "opinion", Input: ok}, "type"},
		{"long instruction", LabelSchema{Name: "x", Type: "feedback", Instruction: string(make([]byte, 1001)), Input: ok}, "instruction"},
		{"no input", LabelSchema{Name: "x", Type: "feedback"}, "input"},
		{"two inputs", LabelSchema{Name: "x", Type: "feedback", Input: LabelInput{Text: &InputText{}, Numeric: &InputNumeric{}}}, "input"},
		{"no options", LabelSchema{Name: "x", Type: "feedback", Input: LabelInput{Categorical: &InputOptions{}}}, "input.categorical.options"},
		{"too many options", LabelSchema{Name: "x", Type: "feedback", Input: LabelInput{CategoricalList: &InputOptions{Options: manyOptions(101)}}}, "input.categorical_list.options"},
		{"empty option", LabelSchema{Name: "x", Type: "feedback", Input: LabelInput{Categorical: &InputOptions{Options: []string{"a", ""}}}}, "input.categorical.options[1]"},
		{"long option", LabelSchema{Name: "x", Type: "feedback", Input: LabelInput{Categorical: &InputOptions{Options: []string{string(make([]rune, 65))}}}}, "input.categorical.options[0]"},
		{"duplicate option", LabelSchema{Name: "x", Type: "feedback", Input: LabelInput{Categorical: &InputOptions{Options: []string{"a", "a"}}}}, "input.categorical.options[1]"},
		{"min >= max", LabelSchema{Name: "x", Type: "feedback", Input: LabelInput{Numeric: &InputNumeric{MinValue: ptr(5.0), MaxValue: ptr(5.0)}}}, "input.numeric"},
		{"text max 0", LabelSchema{Name: "x", Type: "feedback", Input: LabelInput{Text: &InputText{MaxLength: ptr(0)}}}, "input.text.max_length"},
		{"text_list each 0", LabelSchema{Name: "x", Type: "feedback", Input: LabelInput{TextList: &InputTextList{MaxLengthEach: ptr(0)}}}, "input.text_list.max_length_each"},
		{"text_list count 0", LabelSchema{Name: "x", Type: "feedback", Input: LabelInput{TextList: &InputTextList{MaxCount: ptr(0)}}}, "input.text_list.max_count"},
		{"same labels", LabelSchema{Name: "x", Type: "feedback", Input: LabelInput{PassFail: &InputPassFail{PositiveLabel: "a", NegativeLabel: "a"}}}, "input.pass_fail"},
		{"empty label", LabelSchema{Name: "x", Type: "feedback", Input: LabelInput{PassFail: &InputPassFail{PositiveLabel: "", NegativeLabel: "a"}}}, "input.pass_fail.positive_label"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.schema.Validate()
			checkField(t, err, tc.wantField)
		})
	}
}

func TestValidateAnswer(t *testing.T) {
	cat := LabelInput{Categorical: &InputOptions{Options: []string{"good", "bad"}}}
	catList := LabelInput{CategoricalList: &InputOptions{Options: []string{"a", "b", "c"}}}
	num := LabelInput{Numeric: &InputNumeric{MinValue: ptr(1.0), MaxValue: ptr(5.0)}}
	text := LabelInput{Text: &InputText{MaxLength: ptr(5)}}
	textList := LabelInput{TextList: &InputTextList{MaxLengthEach: ptr(3), MaxCount: ptr(2)}}
	pf := LabelInput{PassFail: &InputPassFail{PositiveLabel: "Pass", NegativeLabel: "Fail"}}
	tests := []struct {
		name      string
		input     LabelInput
		answer    string
		want      string // canonical JSON when valid
		wantField string
	}{
		{"categorical ok", cat, `"good"`, `"good"`, ""},
		{"categorical unknown option", cat, `"meh"`, "", "a"},
		{"categorical wrong type", cat, `1`, "", "a"},
		{"categorical missing", cat, `null`, "", "a"},
		{"categorical_list ok", catList, `["a", "c"]`, `["a","c"]`, ""},
		{"categorical_list empty list ok", catList, `[]`, `[]`, ""},
		{"categorical_list unknown", catList, `["a", "z"]`, "", "a[1]"},
		{"categorical_list duplicate", catList, `["a", "a"]`, "", "a[1]"},
		{"categorical_list not a list", catList, `"a"`, "", "a"},
		{"numeric ok", num, `4.5`, `4.5`, ""},
		{"numeric at bound", num, `5`, `5`, ""},
		{"numeric below", num, `0.5`, "", "a"},
		{"numeric above", num, `6`, "", "a"},
		{"numeric as string", num, `"3"`, "", "a"},
		{"text ok", text, `"hello"`, `"hello"`, ""},
		{"text too long", text, `"hello!"`, "", "a"},
		{"text counts runes", text, `"héllo"`, `"héllo"`, ""},
		{"text wrong type", text, `["x"]`, "", "a"},
		{"text_list ok", textList, `["ab", "c"]`, `["ab","c"]`, ""},
		{"text_list too many", textList, `["a", "b", "c"]`, "", "a"},
		{"text_list entry too long", textList, `["abcd"]`, "", "a[0]"},
		{"text_list wrong type", textList, `[1]`, "", "a"},
		{"pass_fail true", pf, `true`, `true`, ""},
		{"pass_fail label is not a bool", pf, `"Pass"`, "", "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.input.ValidateAnswer("a", json.RawMessage(tc.answer))
			checkField(t, err, tc.wantField)
			if err == nil && string(got) != tc.want {
				t.Errorf("canonical answer = %s, want %s", got, tc.want)
			}
		})
	}
}

func checkField(t *testing.T, err error, wantField string) {
	t.Helper()
	if wantField == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("err = %v, want an *Error naming %s", err, wantField)
	}
	if e.Code != InvalidParameterValue || e.Field != wantField {
		t.Errorf("got code %s field %q (%v), want field %q", e.Code, e.Field, e, wantField)
	}
}

func manyOptions(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "o" + itoa(i)
	}
	return out
}
