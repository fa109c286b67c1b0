package filter

import (
	"database/sql"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// searchTraces parses and compiles filter and order and runs them over db's traces.
func searchTraces(tb testing.TB, db *sql.DB, filter string, order []string) ([]string, error) {
	tb.Helper()
	cs, err := ParseTraceFilter(filter)
	if err != nil {
		return nil, err
	}
	where, args, err := TraceWhere(cs)
	if err != nil {
		return nil, err
	}
	os, err := ParseTraceOrderBy(order)
	if err != nil {
		return nil, err
	}
	orderSQL, orderArgs, err := TraceOrderSQL(os)
	if err != nil {
		return nil, err
	}
	q := "SELECT t.trace_id FROM traces t WHERE " + where + " ORDER BY " + orderSQL
	return queryIDs(tb, db, q, append(args, orderArgs...)), nil
}

func TestTraceWhere(t *testing.T) {
	db := openDB(t)
	all := []string{"tr-3", "tr-4", "tr-2", "tr-1"}
	tests := []struct {
		filter string
		want   []string
	}{
		{"", all},
		{"   ", all},
		// tags: =, != (has the tag with another value), LIKE vs ILIKE, IS [NOT] NULL.
		{"tags.test_tag = 'C001'", []string{"tr-3", "tr-1"}},
		{"tags.`test_tag` = 'C001'", []string{"tr-3", "tr-1"}},
		{"tag.test_tag != 'C001'", []string{"tr-2"}},
		{"tags.env = 'prod'", []string{"tr-2"}},
		{"tags.env LIKE 'prod'", []string{"tr-2"}},
		{"tags.env LIKE 'P%'", []string{"tr-1"}},
		{"tags.env ILIKE 'prod'", []string{"tr-2", "tr-1"}},
		{"tags.env ILIKE 'PR_D'", []string{"tr-2", "tr-1"}},
		{"tags.env IS NULL", []string{"tr-3", "tr-4"}},
		{"tags.env IS NOT NULL", []string{"tr-2", "tr-1"}},
		// LIKE escapes and GLOB metacharacters in data and patterns.
		{`name LIKE '100\%\_done'`, []string{"tr-3"}},
		{`name LIKE '1__\%%'`, []string{"tr-3"}},
		{`name LIKE '100\%x'`, nil},
		{"name LIKE 'cha_'", []string{"tr-2"}},
		{"tags.`weird``key` = 'x*y?[z]'", []string{"tr-3"}},
		{"tags.`weird``key` LIKE 'x*y?[z]'", []string{"tr-3"}},
		{"tags.`weird``key` LIKE 'x*%'", []string{"tr-3"}},
		{"tags.`weird``key` LIKE 'x%[z]'", []string{"tr-3"}},
		{"tags.`weird``key` LIKE 'xay%'", nil},
		{"tags.`weird``key` LIKE '%[a-z]'", nil},
		{"tags.`weird``key` ILIKE 'X*Y?[Z]'", []string{"tr-3"}},
		// name is the mlflow.traceName tag.
		{"name = 'chat'", []string{"tr-2"}},
		{"trace.name LIKE 'Ch%'", []string{"tr-1"}},
		{"name ILIKE 'ch%'", []string{"tr-2", "tr-1"}},
		{"name != 'chat'", []string{"tr-3", "tr-1"}},
		{"name IN ('Chat', 'chat')", []string{"tr-2", "tr-1"}},
		{"name NOT IN ('Chat')", []string{"tr-3", "tr-2"}},
		// status.
		{"status = 'OK'", []string{"tr-4", "tr-1"}},
		{"status = 'ok'", []string{"tr-4", "tr-1"}},
		{"attributes.status IN ('ERROR', 'IN_PROGRESS')", []string{"tr-3", "tr-2"}},
		{"status != 'OK'", []string{"tr-3", "tr-2"}},
		{"status NOT IN ('OK')", []string{"tr-3", "tr-2"}},
		// times.
		{"timestamp_ms > 1000", []string{"tr-3", "tr-4", "tr-2"}},
		{"timestamp_ms >= 1000 AND trace.timestamp < 3000", []string{"tr-2", "tr-1"}},
		{"timestamp = 3000", []string{"tr-3", "tr-4"}},
		{"timestamp_ms != 3000", []string{"tr-2", "tr-1"}},
		{"timestamp_ms <= 1e3", []string{"tr-1"}},
		{"execution_time_ms > 40", []string{"tr-2", "tr-1"}},
		{"execution_time_ms <= 5", []string{"tr-3", "tr-4"}},
		{"end_time_ms > 2400", []string{"tr-3", "tr-4", "tr-2"}},
		{"end_time_ms < 2000", []string{"tr-1"}},
		// ids.
		{"request_id = 'tr-2'", []string{"tr-2"}},
		{"trace_id IN ('tr-1', 'tr-4')", []string{"tr-4", "tr-1"}},
		{"request_id LIKE 'TR-%'", nil},
		{"request_id ILIKE 'TR-%'", all},
		{"client_request_id = 'c-1'", []string{"tr-1"}},
		{"client_request_id LIKE 'c-%'", []string{"tr-1"}},
		{"client_request_id ILIKE 'c-%'", []string{"tr-3", "tr-1"}},
		{"client_request_id != 'c-1'", []string{"tr-3"}},
		// run_id: a trace_runs row or the mlflow.sourceRun metadata.
		{"run_id = 'run-a'", []string{"tr-3", "tr-1"}},
		{"run_id = 'run-b'", []string{"tr-2"}},
		{"run_id IN ('run-b', 'run-x')", []string{"tr-2"}},
		{"run_id != 'run-a'", []string{"tr-4", "tr-2"}},
		{"run_id NOT IN ('run-a', 'run-b')", []string{"tr-4"}},
		// metadata.
		{"metadata.`mlflow.user` = 'alice'", []string{"tr-1"}},
		{"metadata.mlflow.user LIKE 'b%'", nil},
		{"metadata.mlflow.user ILIKE 'b%'", []string{"tr-2"}},
		{"request_metadata.mlflow.sourceRun = 'run-a'", []string{"tr-1"}},
		{"metadata.mlflow.user IS NULL", []string{"tr-3", "tr-4"}},
		// feedback: numbers compare numerically, invalid (overridden) assessments are ignored,
		// booleans and strings are not numbers, malformed JSON matches nothing.
		{"feedback.score > 1", []string{"tr-1"}},
		{"feedback.score >= 0.5", []string{"tr-2", "tr-1"}},
		{"feedback.score < 1", []string{"tr-2"}},
		{"feedback.score > 9", nil},
		{"feedback.score = 5", []string{"tr-1"}},
		{"feedback.score = '5'", []string{"tr-1"}},
		{"feedback.score != 5", []string{"tr-2"}},
		{"feedback.correct = 'true'", []string{"tr-1"}},
		{"feedback.correct = 'false'", []string{"tr-3"}},
		{"feedback.correct > 0", nil},
		{"feedback.tone = 'Friendly'", []string{"tr-1"}},
		{"feedback.tone LIKE 'f%'", nil},
		{"feedback.tone ILIKE 'f%'", []string{"tr-1"}},
		{"feedback.tone != 'rude'", []string{"tr-1"}},
		{"feedback.score_text > 5", nil},
		{"feedback.score_text = '7'", []string{"tr-3"}},
		{"feedback.broken = 'not json'", nil},
		{"feedback.broken ILIKE '%'", nil},
		{"feedback.score IS NULL", []string{"tr-4"}},
		{"feedback.score IS NOT NULL", []string{"tr-3", "tr-2", "tr-1"}},
		{"expectation.answer = 'Paris'", []string{"tr-1"}},
		{"feedback.answer = 'Paris'", []string{"tr-4"}},
		// spans.
		{"span.name = 'ChatModel'", []string{"tr-1"}},
		{"span.type IN ('RETRIEVER', 'TOOL')", []string{"tr-2"}},
		{"span.name LIKE 'chat%'", nil},
		{"span.name ILIKE 'chat%'", []string{"tr-1"}},
		{"span.status = 'ERROR'", []string{"tr-2"}},
		{"span.name != 'format'", []string{"tr-2", "tr-1"}},
		{"span.type NOT IN ('LLM')", []string{"tr-2", "tr-1"}},
		// several clauses.
		{"tags.test_tag = 'C001' AND status = 'OK'", []string{"tr-1"}},
		{"tags.test_tag = 'C001' AND feedback.correct = 'false' AND run_id = 'run-a'", []string{"tr-3"}},
		// A key that looks like SQL is just a key.
		{"tags.`x'); DROP TABLE traces; --` = 'y'", nil},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			got, err := searchTraces(t, db, tc.filter, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("filter %q mismatch (-want +got):\n%s", tc.filter, diff)
			}
		})
	}
}

func TestTraceOrderSQL(t *testing.T) {
	db := openDB(t)
	tests := []struct {
		order []string
		want  []string
	}{
		{nil, []string{"tr-3", "tr-4", "tr-2", "tr-1"}},
		{[]string{"timestamp_ms ASC"}, []string{"tr-1", "tr-2", "tr-3", "tr-4"}},
		{[]string{"timestamp_ms DESC"}, []string{"tr-3", "tr-4", "tr-2", "tr-1"}},
		{[]string{"execution_time_ms DESC"}, []string{"tr-2", "tr-1", "tr-3", "tr-4"}},
		{[]string{"status"}, []string{"tr-2", "tr-3", "tr-4", "tr-1"}},
		{[]string{"name"}, []string{"tr-3", "tr-1", "tr-2", "tr-4"}},
		{[]string{"name DESC"}, []string{"tr-2", "tr-1", "tr-3", "tr-4"}},
		{[]string{"request_id DESC"}, []string{"tr-4", "tr-3", "tr-2", "tr-1"}},
		{[]string{"tags.env DESC"}, []string{"tr-2", "tr-1", "tr-3", "tr-4"}},
		{[]string{"metadata.mlflow.user"}, []string{"tr-2", "tr-1", "tr-3", "tr-4"}},
		{[]string{"client_request_id"}, []string{"tr-3", "tr-1", "tr-4", "tr-2"}},
		{[]string{"run_id"}, []string{"tr-1", "tr-3", "tr-4", "tr-2"}},
		{[]string{"end_time_ms DESC"}, []string{"tr-3", "tr-4", "tr-2", "tr-1"}},
		{[]string{"status DESC", "timestamp_ms"}, []string{"tr-1", "tr-4", "tr-3", "tr-2"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.order, ","), func(t *testing.T) {
			got, err := searchTraces(t, db, "", tc.order)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("order %q mismatch (-want +got):\n%s", tc.order, diff)
			}
		})
	}
}

func TestTraceSQLText(t *testing.T) {
	where, args, err := TraceWhere(nil)
	if where != "1=1" || args != nil || err != nil {
		t.Errorf("TraceWhere(nil) = %q, %v, %v; want 1=1", where, args, err)
	}
	order, args, err := TraceOrderSQL(nil)
	if order != "t.request_time DESC, t.trace_id" || args != nil || err != nil {
		t.Errorf("TraceOrderSQL(nil) = %q, %v, %v", order, args, err)
	}
	order, _, _ = TraceOrderSQL([]Order{{Field: attr("request_id"), Desc: true}})
	if order != "t.trace_id DESC, t.request_time DESC" {
		t.Errorf("TraceOrderSQL(request_id DESC) = %q", order)
	}
	cs, _ := ParseTraceFilter("tags.test_tag = 'C001' AND timestamp_ms > 5")
	where, args, _ = TraceWhere(cs)
	wantWhere := "(t.trace_id IN (SELECT tt.trace_id FROM trace_tags tt WHERE tt.key = ? AND tt.value = ?)) AND (t.request_time > ?)"
	if where != wantWhere {
		t.Errorf("got  %s\nwant %s", where, wantWhere)
	}
	if diff := cmp.Diff([]any{"test_tag", "C001", 5.0}, args); diff != "" {
		t.Errorf("args mismatch (-want +got):\n%s", diff)
	}
}

// TestTraceCompileErrors feeds clauses built by hand, which the parser would have refused.
func TestTraceCompileErrors(t *testing.T) {
	tests := []struct {
		name    string
		c       Clause
		wantMsg string
	}{
		{"operator", Clause{Field: tag("x"), Op: OpLt, Value: "a", Pos: 4}, "operator < is not supported for tags.x"},
		{"unknown operator", Clause{Field: tag("x"), Op: "DROP", Value: "a"}, "operator DROP is not supported"},
		{"string for number", Clause{Field: attr("timestamp_ms"), Op: OpEq, Value: "5"}, "does not fit operator = on timestamp_ms"},
		{"number for string", Clause{Field: tag("x"), Op: OpEq, Value: 5.0}, "does not fit"},
		{"NaN", Clause{Field: attr("timestamp_ms"), Op: OpGt, Value: math.NaN()}, "does not fit"},
		{"status value", Clause{Field: attr("status"), Op: OpEq, Value: "done"}, "status must be one of"},
		{"empty list", Clause{Field: attr("status"), Op: OpIn, Value: []string{}}, "IN lists cannot be empty"},
		{"list for =", Clause{Field: attr("name"), Op: OpEq, Value: []string{"a"}}, "does not fit"},
		{"value for IS NULL", Clause{Field: tag("x"), Op: OpIsNull, Value: "a"}, "does not fit"},
		{"unknown attribute", Clause{Field: attr("bogus"), Op: OpEq, Value: "a"}, "cannot filter by bogus"},
		{"unknown kind", Clause{Field: Field{Kind: KindParam, Key: "p"}, Op: OpEq, Value: "a"}, "cannot filter by params.p"},
		{"pattern too long", Clause{Field: tag("x"), Op: OpLike, Value: strings.Repeat("*", maxPattern)}, "the LIKE pattern is too long"},
		{"ilike pattern too long", Clause{Field: tag("x"), Op: OpILike, Value: strings.Repeat("%", maxPattern+1)}, "the ILIKE pattern is too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := TraceWhere([]Clause{tc.c})
			checkError(t, err, tc.c.Pos, tc.wantMsg)
		})
	}
	_, _, err := TraceOrderSQL([]Order{{Field: attr("status")}, {Field: Field{Kind: KindFeedback, Key: "x"}}})
	checkError(t, err, 0, "invalid order_by[1] at position 0 near \"feedback.x\": cannot order traces by feedback.x")
}
