package filter

import "testing"

func TestParseTraceFilterFields(t *testing.T) {
	fb := func(k string) Field { return Field{Kind: KindFeedback, Key: k} }
	ex := func(k string) Field { return Field{Kind: KindExpectation, Key: k} }
	span := func(k string) Field { return Field{Kind: KindSpan, Key: k} }
	runParseCases(t, ParseTraceFilter, []parseCase{
		{in: "", want: nil},
		{in: "  \t\n ", want: nil},
		// status and its aliases; values are case-insensitive and come back upper case.
		{in: "status = 'OK'", want: []Clause{cl(attr("status"), OpEq, "OK")}},
		{in: "trace.status != 'ERROR'", want: []Clause{cl(attr("status"), OpNe, "ERROR")}},
		{in: "attributes.status = 'in_progress'", want: []Clause{cl(attr("status"), OpEq, "IN_PROGRESS")}},
		{in: "attribute.status IN ('OK', 'ERROR')", want: []Clause{cl(attr("status"), OpIn, []string{"OK", "ERROR"})}},
		{in: `status not in ("OK")`, want: []Clause{cl(attr("status"), OpNotIn, []string{"OK"})}},
		// timestamps and their aliases.
		{in: "timestamp_ms > 1700000000000", want: []Clause{cl(attr("timestamp_ms"), OpGt, 1700000000000.0)}},
		{in: "timestamp >= 5", want: []Clause{cl(attr("timestamp_ms"), OpGe, 5.0)}},
		{in: "trace.timestamp_ms < 5", want: []Clause{cl(attr("timestamp_ms"), OpLt, 5.0)}},
		{in: "trace.timestamp <= 5", want: []Clause{cl(attr("timestamp_ms"), OpLe, 5.0)}},
		{in: "attributes.timestamp_ms = 5", want: []Clause{cl(attr("timestamp_ms"), OpEq, 5.0)}},
		{in: "timestamp_ms != -5", want: []Clause{cl(attr("timestamp_ms"), OpNe, -5.0)}},
		{in: "execution_time_ms > 1.5e3", want: []Clause{cl(attr("execution_time_ms"), OpGt, 1500.0)}},
		{in: "trace.execution_time_ms < .5", want: []Clause{cl(attr("execution_time_ms"), OpLt, 0.5)}},
		{in: "attributes.execution_time_ms>=10", want: []Clause{cl(attr("execution_time_ms"), OpGe, 10.0)}},
		{in: "end_time_ms > 3", want: []Clause{cl(attr("end_time_ms"), OpGt, 3.0)}},
		// name, ids, run.
		{in: "name = 'chat'", want: []Clause{cl(attr("name"), OpEq, "chat")}},
		{in: "trace.name LIKE 'ch%'", want: []Clause{cl(attr("name"), OpLike, "ch%")}},
		{in: "attributes.name ILIKE 'CH%'", want: []Clause{cl(attr("name"), OpILike, "CH%")}},
		{in: "name IN ('a', 'b')", want: []Clause{cl(attr("name"), OpIn, []string{"a", "b"})}},
		{in: "request_id = 'tr-1'", want: []Clause{cl(attr("request_id"), OpEq, "tr-1")}},
		{in: "trace_id = 'tr-1'", want: []Clause{cl(attr("request_id"), OpEq, "tr-1")}},
		{in: "trace.request_id IN ('tr-1', 'tr-2',)", want: []Clause{cl(attr("request_id"), OpIn, []string{"tr-1", "tr-2"})}},
		{in: "trace.trace_id NOT IN ('tr-1')", want: []Clause{cl(attr("request_id"), OpNotIn, []string{"tr-1"})}},
		{in: "client_request_id = 'c-1'", want: []Clause{cl(attr("client_request_id"), OpEq, "c-1")}},
		{in: "run_id = 'r1'", want: []Clause{cl(attr("run_id"), OpEq, "r1")}},
		{in: "trace.run_id != 'r1'", want: []Clause{cl(attr("run_id"), OpNe, "r1")}},
		{in: "attributes.run_id IN ('r1', 'r2')", want: []Clause{cl(attr("run_id"), OpIn, []string{"r1", "r2"})}},
		// tags, in every spelling of the key.
		{in: "tags.`mlflow.traceName` = 'chat'", want: []Clause{cl(tag("mlflow.traceName"), OpEq, "chat")}},
		{in: "tags.mlflow.traceName = 'chat'", want: []Clause{cl(tag("mlflow.traceName"), OpEq, "chat")}},
		{in: `tag."my key" != "v"`, want: []Clause{cl(tag("my key"), OpNe, "v")}},
		{in: "`tags`.`a``b` = 'v'", want: []Clause{cl(tag("a`b"), OpEq, "v")}},
		{in: "tags.my-key LIKE '%x%'", want: []Clause{cl(tag("my-key"), OpLike, "%x%")}},
		{in: "TAGS.Env ilike 'prod'", want: []Clause{cl(tag("Env"), OpILike, "prod")}},
		{in: "tags.x IS NULL", want: []Clause{cl(tag("x"), OpIsNull, nil)}},
		{in: "tags.x is not null", want: []Clause{cl(tag("x"), OpIsNotNull, nil)}},
		// metadata.
		{in: "metadata.`mlflow.sourceRun` = 'r1'", want: []Clause{cl(meta("mlflow.sourceRun"), OpEq, "r1")}},
		{in: "request_metadata.user LIKE 'a%'", want: []Clause{cl(meta("user"), OpLike, "a%")}},
		// assessments.
		{in: "feedback.score > 0.5", want: []Clause{cl(fb("score"), OpGt, 0.5)}},
		{in: "feedback.score = 5", want: []Clause{cl(fb("score"), OpEq, 5.0)}},
		{in: "feedback.correct = 'true'", want: []Clause{cl(fb("correct"), OpEq, "true")}},
		{in: "feedback.`answer quality` ILIKE '%good%'", want: []Clause{cl(fb("answer quality"), OpILike, "%good%")}},
		{in: "expectation.answer != 'Paris'", want: []Clause{cl(ex("answer"), OpNe, "Paris")}},
		{in: "expectation.answer IS NULL", want: []Clause{cl(ex("answer"), OpIsNull, nil)}},
		// spans.
		{in: "span.name = 'ChatModel'", want: []Clause{cl(span("name"), OpEq, "ChatModel")}},
		{in: "span.type IN ('LLM', 'TOOL')", want: []Clause{cl(span("type"), OpIn, []string{"LLM", "TOOL"})}},
		{in: "span.status LIKE 'O%'", want: []Clause{cl(span("status"), OpLike, "O%")}},
		// strings: both quotes, doubled quotes, backslash escapes; other backslashes kept.
		{in: `name = 'it''s'`, want: []Clause{cl(attr("name"), OpEq, "it's")}},
		{in: `name = "say ""hi"""`, want: []Clause{cl(attr("name"), OpEq, `say "hi"`)}},
		{in: `name = 'it\'s \\ ok'`, want: []Clause{cl(attr("name"), OpEq, `it's \ ok`)}},
		{in: `name LIKE '100\%'`, want: []Clause{cl(attr("name"), OpLike, `100\%`)}},
		{in: `name = 'héllo, wörld'`, want: []Clause{cl(attr("name"), OpEq, "héllo, wörld")}},
		// several clauses, any case of AND, any spacing.
		{
			in: "tags.test_tag = 'C001' AND status = 'OK' and timestamp_ms>=1 And\nspan.type='LLM'",
			want: []Clause{
				cl(tag("test_tag"), OpEq, "C001"),
				cl(attr("status"), OpEq, "OK"),
				cl(attr("timestamp_ms"), OpGe, 1.0),
				cl(span("type"), OpEq, "LLM"),
			},
		},
	})
}

func TestParseTraceFilterErrors(t *testing.T) {
	runParseCases(t, ParseTraceFilter, []parseCase{
		// The example of the brief: a misspelt operator.
		{in: "tags.test_tag = 'C001' AND status LIKEE 'OK'", wantPos: 34, wantMsg: `near "LIKEE": expected an operator (=, !=, <, <=, >, >=, IN, NOT IN, LIKE, ILIKE)`},
		{in: "tags.test_tag = 'C001' LIKE", wantPos: 23, wantMsg: "expected AND or the end of the filter"},
		{in: "status = 'OK' OR status = 'ERROR'", wantPos: 14, wantMsg: "OR is not supported"},
		{in: "status = 'OK' AND", wantPos: 17, wantMsg: "(end of input): expected a field name"},
		{in: "= 'x'", wantPos: 0, wantMsg: "expected a field name"},
		{in: "(status = 'OK')", wantPos: 0, wantMsg: "expected a field name"},
		{in: "status", wantPos: 6, wantMsg: "expected an operator"},
		{in: "status =", wantPos: 8, wantMsg: "expected a quoted string after status ="},
		// Unknown fields and prefixes.
		{in: "foo = 'x'", wantPos: 0, wantMsg: `unknown trace field "foo"`},
		{in: "trace.foo = 'x'", wantPos: 0, wantMsg: `unknown trace field "foo"`},
		{in: "params.x = 'x'", wantPos: 0, wantMsg: `unknown prefix "params"`},
		{in: "span.kind = 'x'", wantPos: 0, wantMsg: `unknown span field "kind"`},
		// Operators a field does not take.
		{in: "tags.x < 'a'", wantPos: 7, wantMsg: "operator < is not supported for tags.x"},
		{in: "tags.x IN ('a')", wantPos: 7, wantMsg: "operator IN is not supported for tags.x"},
		{in: "timestamp_ms LIKE '1%'", wantPos: 13, wantMsg: "operator LIKE is not supported for timestamp_ms"},
		{in: "timestamp_ms IN ('1')", wantPos: 13, wantMsg: "operator IN is not supported"},
		{in: "status LIKE 'O%'", wantPos: 7, wantMsg: "operator LIKE is not supported for status"},
		{in: "status > 'OK'", wantPos: 7, wantMsg: "operator > is not supported for status"},
		{in: "run_id LIKE 'r%'", wantPos: 7, wantMsg: "operator LIKE is not supported for run_id"},
		{in: "span.name > 'a'", wantPos: 10, wantMsg: "operator > is not supported for span.name"},
		{in: "feedback.x IN ('a')", wantPos: 11, wantMsg: "operator IN is not supported for feedback.x"},
		{in: "name IS NULL", wantPos: 5, wantMsg: "operator IS NULL is not supported for name"},
		// Values of the wrong type.
		{in: "timestamp_ms = '5'", wantPos: 15, wantMsg: "expected a number after timestamp_ms ="},
		{in: "execution_time_ms > abc", wantPos: 20, wantMsg: "expected a number"},
		{in: "tags.x = 5", wantPos: 9, wantMsg: "expected a quoted string after tags.x ="},
		{in: "tags.x = abc", wantPos: 9, wantMsg: "expected a quoted string"},
		{in: "feedback.score > 'high'", wantPos: 17, wantMsg: "expected a number after feedback.score >"},
		{in: "feedback.score LIKE 5", wantPos: 20, wantMsg: "expected a quoted string after feedback.score LIKE"},
		{in: "feedback.score = abc", wantPos: 17, wantMsg: "expected a quoted string or a number"},
		{in: "status = 'done'", wantPos: 9, wantMsg: "status must be one of OK, ERROR, IN_PROGRESS"},
		{in: "status IN ('OK', 'nope')", wantPos: 17, wantMsg: "status must be one of"},
		// Lists.
		{in: "status IN 'OK'", wantPos: 10, wantMsg: "expected ( to start the list"},
		{in: "status IN ()", wantPos: 11, wantMsg: "the list of values cannot be empty"},
		{in: "status IN ('OK' 'ERROR')", wantPos: 16, wantMsg: "expected , or ) in the list"},
		{in: "request_id IN ('a', 5)", wantPos: 20, wantMsg: "expected a quoted string in the list"},
		{in: "request_id IN ('a',", wantPos: 19, wantMsg: "expected a quoted string in the list"},
		{in: "request_id IN ('a'", wantPos: 18, wantMsg: "expected , or ) in the list"},
		// Operator spelling.
		{in: "status NOT 'OK'", wantPos: 11, wantMsg: "expected IN after NOT"},
		{in: "name NOT LIKE 'a'", wantPos: 9, wantMsg: "expected IN after NOT (NOT LIKE is not supported)"},
		{in: "tags.x IS 'a'", wantPos: 10, wantMsg: "expected NULL or NOT NULL after IS"},
		{in: "tags.x IS NOT 'a'", wantPos: 14, wantMsg: "expected NULL after IS NOT"},
		{in: "name RLIKE 'a.*'", wantPos: 5, wantMsg: "RLIKE is not supported"},
		{in: "name == 'a'", wantPos: 5, wantMsg: "unknown operator ==; use ="},
		{in: "name <> 'a'", wantPos: 5, wantMsg: "unknown operator <>; use !="},
		{in: "name =! 'a'", wantPos: 5, wantMsg: "unknown operator =!"},
		// Lexing.
		{in: "name = 'abc", wantPos: 7, wantMsg: `near "'abc": unterminated string: missing closing '`},
		{in: `name = "abc`, wantPos: 7, wantMsg: `unterminated string: missing closing "`},
		{in: "tags.`abc = 'x'", wantPos: 5, wantMsg: "unterminated quoted name"},
		{in: "tags.`` = 'x'", wantPos: 5, wantMsg: "empty key"},
		{in: "tags. = 'x'", wantPos: 0, wantMsg: `expected a key after "tags."`},
		{in: "tags.`a`b = 'x'", wantPos: 8, wantMsg: "unexpected text after the key"},
		{in: "name = 'a'; DROP TABLE traces", wantPos: 10, wantMsg: `unexpected character ';'`},
		{in: "timestamp_ms > 12abc", wantPos: 15, wantMsg: `invalid number "12abc"`},
		{in: "timestamp_ms > 1.2.3", wantPos: 15, wantMsg: `invalid number "1.2.3"`},
		{in: "timestamp_ms > -", wantPos: 15, wantMsg: `invalid number "-"`},
		{in: "timestamp_ms > 1e999", wantPos: 15, wantMsg: "number 1e999 is out of range"},
		{in: "name = 'ok' AND x = 'unterminated", wantPos: 16, wantMsg: `unknown trace field "x"`},
	})
}

func TestParseTraceFilterPositions(t *testing.T) {
	got, err := ParseTraceFilter("status = 'OK' AND  tags.x = 'y'")
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Pos != 0 || got[1].Pos != 19 {
		t.Errorf("got positions %d, %d; want 0, 19", got[0].Pos, got[1].Pos)
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := ParseTraceFilter("tags.test_tag = 'C001' AND status LIKEE 'OK'")
	want := `invalid filter at position 34 near "LIKEE": expected an operator (=, !=, <, <=, >, >=, IN, NOT IN, LIKE, ILIKE)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	_, err = ParseTraceFilter("status = ")
	want = `invalid filter at position 9 (end of input): expected a quoted string after status =`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	_, err = ParseTraceFilter("name = '" + string(make([]byte, 100)) + "")
	if fe, ok := err.(*Error); !ok || len(fe.Near) > maxNear+len("...") {
		t.Errorf("got %v, want a shortened Near", err)
	}
}
