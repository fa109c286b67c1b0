package filter

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ignorePos compares clauses without their positions, which the tables do not spell out.
var ignorePos = cmpopts.IgnoreFields(Clause{}, "Pos")

func attr(k string) Field   { return Field{Kind: KindAttribute, Key: k} }
func tag(k string) Field    { return Field{Kind: KindTag, Key: k} }
func meta(k string) Field   { return Field{Kind: KindMetadata, Key: k} }
func param(k string) Field  { return Field{Kind: KindParam, Key: k} }
func metric(k string) Field { return Field{Kind: KindMetric, Key: k} }

// cl builds a clause for the tables.
func cl(f Field, op string, v any) Clause { return Clause{Field: f, Op: op, Value: v} }

// parseCase is one row of a parse table: either want clauses or an error at wantPos whose message
// contains wantMsg.
type parseCase struct {
	in      string
	want    []Clause
	wantPos int
	wantMsg string
}

// runParseCases checks a parse table against parse.
func runParseCases(t *testing.T, parse func(string) ([]Clause, error), cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parse(tc.in)
			if tc.wantMsg != "" {
				checkError(t, err, tc.wantPos, tc.wantMsg)
				return
			}
			if err != nil {
				t.Fatalf("parse(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got, ignorePos, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("parse(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// checkError asserts that err is an *Error at pos whose message contains msg.
func checkError(t *testing.T, err error, pos int, msg string) {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("got error %v (%T), want *filter.Error", err, err)
	}
	if fe.Pos != pos || !strings.Contains(fe.Error(), msg) {
		t.Errorf("got error %q at %d, want position %d and a message containing %q", fe.Error(), fe.Pos, pos, msg)
	}
}
