package filter

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseTraceOrderBy(t *testing.T) {
	tests := []struct {
		in   []string
		want []Order
	}{
		{in: nil, want: nil},
		{in: []string{"timestamp_ms"}, want: []Order{{Field: attr("timestamp_ms")}}},
		{in: []string{"timestamp DESC"}, want: []Order{{Field: attr("timestamp_ms"), Desc: true}}},
		{in: []string{"trace.timestamp_ms asc"}, want: []Order{{Field: attr("timestamp_ms")}}},
		{in: []string{"attributes.timestamp_ms desc"}, want: []Order{{Field: attr("timestamp_ms"), Desc: true}}},
		{in: []string{"execution_time_ms DESC", "status"}, want: []Order{{Field: attr("execution_time_ms"), Desc: true}, {Field: attr("status")}}},
		{in: []string{"request_id", "name DESC"}, want: []Order{{Field: attr("request_id")}, {Field: attr("name"), Desc: true}}},
		{in: []string{"trace_id DESC"}, want: []Order{{Field: attr("request_id"), Desc: true}}},
		{in: []string{"tags.`priority` DESC", "metadata.mlflow.user"}, want: []Order{{Field: tag("priority"), Desc: true}, {Field: meta("mlflow.user")}}},
	}
	for _, tc := range tests {
		got, err := ParseTraceOrderBy(tc.in)
		if err != nil {
			t.Errorf("ParseTraceOrderBy(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ParseTraceOrderBy(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestParseRunOrderBy(t *testing.T) {
	tests := []struct {
		in   []string
		want []Order
	}{
		{in: []string{"start_time"}, want: []Order{{Field: attr("start_time")}}},
		{in: []string{"attributes.start_time DESC"}, want: []Order{{Field: attr("start_time"), Desc: true}}},
		{in: []string{"attribute.created ASC"}, want: []Order{{Field: attr("start_time")}}},
		{in: []string{"metrics.rmse ASC", "params.lr DESC", "tags.mlflow.runName"}, want: []Order{
			{Field: metric("rmse")}, {Field: param("lr"), Desc: true}, {Field: tag("mlflow.runName")},
		}},
		{in: []string{"`metrics`.`eval loss` desc"}, want: []Order{{Field: metric("eval loss"), Desc: true}}},
	}
	for _, tc := range tests {
		got, err := ParseRunOrderBy(tc.in)
		if err != nil {
			t.Errorf("ParseRunOrderBy(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseRunOrderBy(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestParseOrderByErrors(t *testing.T) {
	tests := []struct {
		name    string
		parse   func([]string) ([]Order, error)
		in      []string
		wantPos int
		wantMsg string
	}{
		{"trace bad direction", ParseTraceOrderBy, []string{"timestamp_ms DOWN"}, 13, `invalid order_by[0] at position 13 near "DOWN": expected ASC, DESC`},
		{"trace extra", ParseTraceOrderBy, []string{"status", "timestamp_ms DESC x"}, 18, "invalid order_by[1]"},
		{"trace empty", ParseTraceOrderBy, []string{""}, 0, "(end of input): expected a field name"},
		{"trace feedback", ParseTraceOrderBy, []string{"feedback.score"}, 0, "cannot order traces by feedback.score"},
		{"trace span", ParseTraceOrderBy, []string{"span.name"}, 0, "cannot order traces by span.name"},
		{"trace unknown", ParseTraceOrderBy, []string{"bogus"}, 0, `unknown trace field "bogus"`},
		{"trace duplicate", ParseTraceOrderBy, []string{"timestamp_ms", "timestamp DESC"}, 0, "timestamp_ms appears twice"},
		{"trace not a field", ParseTraceOrderBy, []string{"'status'"}, 0, "expected a field name"},
		{"run dataset", ParseRunOrderBy, []string{"datasets.name"}, 0, "cannot order runs by datasets.name"},
		{"run unknown", ParseRunOrderBy, []string{"attributes.bogus"}, 0, `unknown run attribute "bogus"`},
		{"run duplicate", ParseRunOrderBy, []string{"metrics.a", "metric.a DESC"}, 0, "metrics.a appears twice"},
		{"run lexing", ParseRunOrderBy, []string{"metrics.`a"}, 8, "unterminated quoted name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.parse(tc.in)
			checkError(t, err, tc.wantPos, tc.wantMsg)
		})
	}
}

// TestStringRoundTrip checks that Clause.String and Order.String spell what the parsers read back.
func TestStringRoundTrip(t *testing.T) {
	traceFilters := []string{
		"tags.`mlflow.traceName` = 'it''s' AND timestamp_ms > 1.5e12 AND status IN ('OK', 'ERROR')",
		"feedback.`a b` >= -0.25 AND span.type NOT IN ('LLM') AND metadata.x IS NOT NULL",
		`tags.k = 'back\\slash \% quote'' ' AND name LIKE '100\%' AND tags.` + "`a``b\\\\`" + ` != ""`,
	}
	for _, s := range traceFilters {
		cs, err := ParseTraceFilter(s)
		if err != nil {
			t.Fatalf("ParseTraceFilter(%q): %v", s, err)
		}
		for _, c := range cs {
			back, err := ParseTraceFilter(c.String())
			if err != nil {
				t.Fatalf("ParseTraceFilter(%q): %v", c.String(), err)
			}
			if diff := cmp.Diff([]Clause{c}, back, ignorePos); diff != "" {
				t.Errorf("round trip of %q mismatch (-want +got):\n%s", c.String(), diff)
			}
		}
	}
	cs, err := ParseRunFilter("attributes.`run name` = 'x' AND metrics.`eval/loss` < 3 AND params.p.q = 'y'")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		back, err := ParseRunFilter(c.String())
		if err != nil {
			t.Fatalf("ParseRunFilter(%q): %v", c.String(), err)
		}
		if diff := cmp.Diff([]Clause{c}, back, ignorePos); diff != "" {
			t.Errorf("round trip of %q mismatch (-want +got):\n%s", c.String(), diff)
		}
	}
	o := Order{Field: tag("mlflow.runName"), Desc: true}
	back, err := ParseRunOrderBy([]string{o.String()})
	if err != nil || len(back) != 1 || back[0] != o {
		t.Errorf("round trip of %q: got %v, %v", o.String(), back, err)
	}
}
