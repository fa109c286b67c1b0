package filter

// Trace fields stored outside the traces row, under these keys.
const (
	traceNameTag = "mlflow.traceName" // the name attribute is this tag
	sourceRunKey = "mlflow.sourceRun" // run_id is this metadata key, or a trace_runs row
)

var (
	traceTags     = keyValues{table: "trace_tags", alias: "tt", join: "tt.trace_id = t.trace_id", owner: "t.trace_id", ref: "trace_id"}
	traceMetadata = keyValues{table: "trace_metadata", alias: "tm", join: "tm.trace_id = t.trace_id", owner: "t.trace_id", ref: "trace_id"}
)

// traceColumns maps the trace attributes kept on the traces row to their SQL expression.
var traceColumns = map[string]string{
	"status":            "t.state",
	"timestamp_ms":      "t.request_time",
	"execution_time_ms": "t.execution_duration",
	"end_time_ms":       "(t.request_time + t.execution_duration)",
	"request_id":        "t.trace_id",
	"client_request_id": "t.client_request_id",
}

// Assessment values are stored as JSON. assessmentText is the value as text (a JSON string
// unquoted, anything else in compact JSON, so 'true' finds true and '5' finds 5);
// assessmentNumber is the value when it is a JSON number and NULL otherwise. Both are NULL for a
// missing or malformed value rather than failing the whole query.
const (
	assessmentText = `(CASE WHEN json_valid(a.value) THEN CASE json_type(a.value) ` +
		`WHEN 'text' THEN a.value ->> '$' ELSE json(a.value) END END)`
	assessmentNumber = `(CASE WHEN json_valid(a.value) THEN CASE json_type(a.value) ` +
		`WHEN 'integer' THEN a.value ->> '$' WHEN 'real' THEN a.value ->> '$' END END)`
)

// TraceWhere compiles search_traces clauses to a WHERE fragment (without the WHERE keyword) over
// the traces table aliased t, with ? placeholders and their arguments in order. No clauses give
// "1=1". Errors are *Error.
func TraceWhere(cs []Clause) (sql string, args []any, err error) {
	return compileWhere(cs, traceSpec, traceClause)
}

// TraceWhereByTime is TraceWhere for searches that walk an experiment's traces in time order
// and stop after a page: tag and metadata clauses become correlated EXISTS probes. That is the
// fast plan when those clauses match many traces (TraceWhere's IN lists are, when they match few).
func TraceWhereByTime(cs []Clause) (sql string, args []any, err error) {
	return compileWhere(cs, traceSpec, func(c Clause) (string, []any, string) {
		switch {
		case c.Field.Kind == KindTag:
			return traceTags.probe(c.Field.Key, c.Op, c.Value)
		case c.Field.Kind == KindMetadata:
			return traceMetadata.probe(c.Field.Key, c.Op, c.Value)
		case c.Field.Kind == KindAttribute && c.Field.Key == "name":
			return traceTags.probe(traceNameTag, c.Op, c.Value)
		}
		return traceClause(c)
	})
}

// SelectiveClauses returns the equality (or IN) clauses on tags, metadata keys and the trace
// name: those a search may start from, through the (key, value) index of trace_tags or
// trace_metadata. A name clause comes back as the tag it is stored as.
func SelectiveClauses(cs []Clause) []Clause {
	var out []Clause
	for _, c := range cs {
		if c.Op != OpEq && c.Op != OpIn {
			continue
		}
		switch {
		case c.Field.Kind == KindTag || c.Field.Kind == KindMetadata:
			out = append(out, c)
		case c.Field.Kind == KindAttribute && c.Field.Key == "name":
			c.Field = Field{Kind: KindTag, Key: traceNameTag}
			out = append(out, c)
		}
	}
	return out
}

// traceClause renders one checked clause.
func traceClause(c Clause) (string, []any, string) {
	switch c.Field.Kind {
	case KindAttribute:
		switch c.Field.Key {
		case "name":
			return traceTags.match(traceNameTag, c.Op, c.Value)
		case "run_id":
			return traceRun(c.Op, c.Value)
		}
		return compare(traceColumns[c.Field.Key], c.Op, c.Value)
	case KindTag:
		return traceTags.match(c.Field.Key, c.Op, c.Value)
	case KindMetadata:
		return traceMetadata.match(c.Field.Key, c.Op, c.Value)
	case KindFeedback, KindExpectation:
		return assessment(string(c.Field.Kind), c.Field.Key, c.Op, c.Value)
	case KindSpan:
		cond, args, msg := compare("s."+c.Field.Key, c.Op, c.Value)
		return "EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND " + cond + ")", args, msg
	}
	return "", nil, "cannot filter traces by " + describe(c.Field)
}

// traceRun matches traces linked to a run: through a trace_runs row or through the
// mlflow.sourceRun metadata that MLflow clients set. != and NOT IN match traces linked to none of
// the given runs, including traces linked to no run at all.
func traceRun(op string, v any) (string, []any, string) {
	negate := op == OpNe || op == OpNotIn
	switch op {
	case OpNe:
		op = OpEq
	case OpNotIn:
		op = OpIn
	}
	linked, args, _ := compare("tr.run_id", op, v)
	source, more, _ := compare("tm.value", op, v)
	sql := "EXISTS (SELECT 1 FROM trace_runs tr WHERE tr.trace_id = t.trace_id AND " + linked + ")" +
		" OR EXISTS (SELECT 1 FROM trace_metadata tm WHERE tm.trace_id = t.trace_id AND tm.key = ? AND " + source + ")"
	args = append(append(args, sourceRunKey), more...)
	if negate {
		sql = "NOT (" + sql + ")"
	}
	return sql, args, ""
}

// assessment matches traces with a valid assessment of the given kind and name whose value
// compares so. A number compares with the JSON number; a string with the value as text.
func assessment(kind, name, op string, v any) (string, []any, string) {
	sub := "SELECT 1 FROM assessments a WHERE a.trace_id = t.trace_id AND a.kind = ? AND a.name = ? AND a.valid = 1"
	args := []any{kind, name}
	switch op {
	case OpIsNull:
		return "NOT EXISTS (" + sub + ")", args, ""
	case OpIsNotNull:
		return "EXISTS (" + sub + ")", args, ""
	}
	expr := assessmentText
	if _, ok := v.(float64); ok {
		expr = assessmentNumber
	}
	cond, more, msg := compare(expr, op, v)
	return "EXISTS (" + sub + " AND " + cond + ")", append(args, more...), msg
}
