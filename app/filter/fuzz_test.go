package filter

import (
	"database/sql"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// traceSeeds and runSeeds are the fuzzers' seed corpora: valid filters of every shape, and
// broken ones that stop at each step of the parser.
var traceSeeds = []string{
	"",
	"status = 'OK'",
	"tags.test_tag = 'C001'",
	"tags.`mlflow.traceName` = 'chat' AND timestamp_ms > 1700000000000",
	"tags.mlflow.traceName LIKE '%a%' and status IN ('ok', \"ERROR\",)",
	"trace.status NOT IN ('OK') AND execution_time_ms <= 1.5e3",
	"feedback.score >= 0.5 AND span.name != 'x' AND run_id NOT IN ('a')",
	"feedback.correct = 'true' AND expectation.answer ILIKE '%paris%'",
	"tags.x IS NOT NULL AND metadata.y is null AND feedback.z IS NULL",
	`name LIKE '100\%\_done' AND tags.` + "`weird``key`" + ` LIKE 'x*y?[z]'`,
	"request_metadata.`mlflow.sourceRun` = 'r' AND client_request_id = 'c'",
	"end_time_ms > -5 AND trace.request_id ILIKE 'TR-%'",
	"span.type IN ('LLM', 'TOOL') AND span.status = 'OK'",
	"timestamp_ms DESC",
	"name ASC",
	"tags.test_tag = 'C001' AND status LIKEE 'OK'",
	"status = 'OK' OR status = 'ERROR'",
	"status = 'OK' AND",
	"name = 'abc",
	"tags.`abc = 'x'",
	"tags. = 'x'",
	"status IN ()",
	"status IN ('OK' 'ERROR')",
	"timestamp_ms > 12abc",
	"timestamp_ms > 1e999",
	"name == 'a'",
	"name NOT LIKE 'a'",
	"tags.x IS NOT 'a'",
	"name = 'a'; DROP TABLE traces",
	"feedback.score > 'high'",
	"\x00\xff`'\"",
}

var runSeeds = []string{
	"",
	"tags.mlflow.runName LIKE '%labeling%' AND attribute.run_id = 'abc'",
	"metrics.rmse < 0.5 AND params.lr = '0.1'",
	"metrics.`eval/loss` >= -1e-3 AND tags.\"my key\" != 'v'",
	"attributes.run_id IN ('a', 'b',) AND run_name ILIKE '%x%'",
	"attr.start_time > 5 AND attributes.created <= 7 AND end_time != 3",
	"params.model IS NULL AND tags.team IS NOT NULL",
	"status = 'FINISHED' AND attributes.`run name` = 'x'",
	"datasets.name = 'd' AND dataset.digest IN ('x')",
	"metrics.rmse DESC",
	"start_time",
	"metrics.rmse LIKE '0.%'",
	"params.lr > 0.1",
	"attributes.run_name IN ('a')",
	"metrics.rmse < 1 OR metrics.rmse > 2",
	"params.x = 'a",
	"tags.mlflow.runName LIKEE '%x%'",
	"`metrics`.`a``b` = 1",
	"\x00\xff`'\"",
}

// fuzzSetup is what one fuzz target compiles and runs against.
type fuzzSetup struct {
	db        *sql.DB
	parse     func(string) ([]Clause, error)
	where     func([]Clause) (string, []any, error)
	parseBy   func([]string) ([]Order, error)
	orderSQL  func([]Order) (string, []any, error)
	selectSQL string // SELECT ... WHERE
}

func FuzzParseTraceFilter(f *testing.F) {
	for _, s := range traceSeeds {
		f.Add(s)
	}
	setup := fuzzSetup{
		db: openDB(f), parse: ParseTraceFilter, where: TraceWhere,
		parseBy: ParseTraceOrderBy, orderSQL: TraceOrderSQL,
		selectSQL: "SELECT t.trace_id FROM traces t WHERE ",
	}
	f.Fuzz(func(t *testing.T, s string) { setup.check(t, s) })
}

func FuzzParseRunFilter(f *testing.F) {
	for _, s := range runSeeds {
		f.Add(s)
	}
	setup := fuzzSetup{
		db: openDB(f), parse: ParseRunFilter, where: RunWhere,
		parseBy: ParseRunOrderBy, orderSQL: RunOrderSQL,
		selectSQL: "SELECT r.run_id FROM runs r WHERE ",
	}
	f.Fuzz(func(t *testing.T, s string) { setup.check(t, s) })
}

// check is the fuzz oracle. Parsing s as a filter (and as an order_by entry) never panics and
// fails only with an *Error inside the input; a parsed clause prints back to itself; compiling
// succeeds or fails with an *Error; and compiled SQL runs on a real database.
func (fs fuzzSetup) check(t *testing.T, s string) {
	cs, err := fs.parse(s)
	if err != nil {
		checkFuzzError(t, s, err)
		return
	}
	for _, c := range cs {
		if c.Pos < 0 || c.Pos >= len(s) {
			t.Fatalf("clause %v of %q has position %d outside the input", c, s, c.Pos)
		}
		back, err := fs.parse(c.String())
		if err != nil {
			t.Fatalf("clause %v of %q prints as %q, which does not parse: %v", c, s, c.String(), err)
		}
		if diff := cmp.Diff([]Clause{c}, back, ignorePos); diff != "" {
			t.Fatalf("clause of %q printed as %q parses differently (-want +got):\n%s", s, c.String(), diff)
		}
	}
	where, args, err := fs.where(cs)
	if err != nil {
		var fe *Error
		if !errors.As(err, &fe) {
			t.Fatalf("compiling %q: got %v (%T), want *filter.Error", s, err, err)
		}
		return
	}
	orders, err := fs.parseBy([]string{s})
	if err != nil {
		checkFuzzError(t, s, err)
	}
	order, orderArgs, err := fs.orderSQL(orders)
	if err != nil {
		t.Fatalf("order_by %q parsed but does not compile: %v", s, err)
	}
	q := fs.selectSQL + where + " ORDER BY " + order
	rows, err := fs.db.Query(q, append(args, orderArgs...)...)
	if err != nil {
		t.Fatalf("filter %q: query %s %v: %v", s, q, args, err)
	}
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("filter %q: query %s %v: %v", s, q, args, err)
	}
	rows.Close()
}

// checkFuzzError asserts that err is an *Error pointing inside the input (or at its end).
func checkFuzzError(t *testing.T, s string, err error) {
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("parsing %q: got %v (%T), want *filter.Error", s, err, err)
	}
	if fe.Pos < 0 || fe.Pos > len(s) {
		t.Fatalf("parsing %q: error position %d outside the input: %v", s, fe.Pos, err)
	}
	if fe.Msg == "" {
		t.Fatalf("parsing %q: error without a message", s)
	}
}
