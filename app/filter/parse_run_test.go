package filter

import "testing"

func TestParseRunFilterFields(t *testing.T) {
	ds := func(k string) Field { return Field{Kind: KindDataset, Key: k} }
	runParseCases(t, ParseRunFilter, []parseCase{
		{in: "", want: nil},
		{in: " ", want: nil},
		// metrics, with both prefixes and every numeric comparator.
		{in: "metrics.rmse < 0.5", want: []Clause{cl(metric("rmse"), OpLt, 0.5)}},
		{in: "metric.rmse <= 1", want: []Clause{cl(metric("rmse"), OpLe, 1.0)}},
		{in: "metrics.`eval/loss` > -1e-3", want: []Clause{cl(metric("eval/loss"), OpGt, -0.001)}},
		{in: `metrics."my metric" >= 2`, want: []Clause{cl(metric("my metric"), OpGe, 2.0)}},
		{in: "metrics.acc = 0.9", want: []Clause{cl(metric("acc"), OpEq, 0.9)}},
		{in: "metrics.acc != 0.9", want: []Clause{cl(metric("acc"), OpNe, 0.9)}},
		// params.
		{in: "params.lr = '0.1'", want: []Clause{cl(param("lr"), OpEq, "0.1")}},
		{in: "param.model LIKE 'gpt%'", want: []Clause{cl(param("model"), OpLike, "gpt%")}},
		{in: "parameter.model ILIKE 'GPT%'", want: []Clause{cl(param("model"), OpILike, "GPT%")}},
		{in: "parameters.model != 'x'", want: []Clause{cl(param("model"), OpNe, "x")}},
		{in: "params.model IS NULL", want: []Clause{cl(param("model"), OpIsNull, nil)}},
		// tags: dotted keys unquoted, in backticks or in double quotes.
		{in: "tags.mlflow.runName LIKE '%labeling%'", want: []Clause{cl(tag("mlflow.runName"), OpLike, "%labeling%")}},
		{in: "tags.`mlflow.runName` = 'x'", want: []Clause{cl(tag("mlflow.runName"), OpEq, "x")}},
		{in: `tag."mlflow.runName" = "x"`, want: []Clause{cl(tag("mlflow.runName"), OpEq, "x")}},
		{in: "tags.team IS NOT NULL", want: []Clause{cl(tag("team"), OpIsNotNull, nil)}},
		// attributes, with every prefix and without one.
		{in: "attributes.run_id = 'a'", want: []Clause{cl(attr("run_id"), OpEq, "a")}},
		{in: "attribute.run_id IN ('a', 'b')", want: []Clause{cl(attr("run_id"), OpIn, []string{"a", "b"})}},
		{in: "attr.run_id NOT IN ('a')", want: []Clause{cl(attr("run_id"), OpNotIn, []string{"a"})}},
		{in: "run.run_id != 'a'", want: []Clause{cl(attr("run_id"), OpNe, "a")}},
		{in: "run_id = 'a'", want: []Clause{cl(attr("run_id"), OpEq, "a")}},
		{in: "attributes.run_name ILIKE '%Label%'", want: []Clause{cl(attr("run_name"), OpILike, "%Label%")}},
		{in: "attributes.`Run Name` = 'x'", want: []Clause{cl(attr("run_name"), OpEq, "x")}},
		{in: "status = 'FINISHED'", want: []Clause{cl(attr("status"), OpEq, "FINISHED")}},
		{in: "attributes.user_id LIKE 'al%'", want: []Clause{cl(attr("user_id"), OpLike, "al%")}},
		{in: "attributes.artifact_uri = 's3://b/x'", want: []Clause{cl(attr("artifact_uri"), OpEq, "s3://b/x")}},
		{in: "attributes.lifecycle_stage = 'active'", want: []Clause{cl(attr("lifecycle_stage"), OpEq, "active")}},
		{in: "attributes.start_time > 100", want: []Clause{cl(attr("start_time"), OpGt, 100.0)}},
		{in: "attributes.created >= 100", want: []Clause{cl(attr("start_time"), OpGe, 100.0)}},
		{in: "end_time < 100", want: []Clause{cl(attr("end_time"), OpLt, 100.0)}},
		// datasets parse (compiling them fails).
		{in: "datasets.name = 'd'", want: []Clause{cl(ds("name"), OpEq, "d")}},
		{in: "dataset.digest IN ('a', 'b')", want: []Clause{cl(ds("digest"), OpIn, []string{"a", "b"})}},
		{in: "datasets.context LIKE 'train%'", want: []Clause{cl(ds("context"), OpLike, "train%")}},
		// The labeling-session lookup.
		{
			in: "tags.mlflow.runName LIKE '%labeling%' AND attribute.run_id = 'abc123'",
			want: []Clause{
				cl(tag("mlflow.runName"), OpLike, "%labeling%"),
				cl(attr("run_id"), OpEq, "abc123"),
			},
		},
	})
}

func TestParseRunFilterErrors(t *testing.T) {
	runParseCases(t, ParseRunFilter, []parseCase{
		{in: "metrics.rmse LIKE '0.%'", wantPos: 13, wantMsg: "operator LIKE is not supported for metrics.rmse"},
		{in: "metrics.rmse = '0.5'", wantPos: 15, wantMsg: "expected a number after metrics.rmse ="},
		{in: "metrics.rmse IN ('1')", wantPos: 13, wantMsg: "operator IN is not supported"},
		{in: "params.lr > 0.1", wantPos: 10, wantMsg: "operator > is not supported for params.lr"},
		{in: "params.lr = 0.1", wantPos: 12, wantMsg: "expected a quoted string after params.lr ="},
		{in: "tags.x < 'a'", wantPos: 7, wantMsg: "operator < is not supported for tags.x"},
		{in: "tags.x IN ('a')", wantPos: 7, wantMsg: "operator IN is not supported for tags.x"},
		{in: "attributes.run_name IN ('a')", wantPos: 20, wantMsg: "operator IN is not supported for run_name"},
		{in: "attributes.status > 'a'", wantPos: 18, wantMsg: "operator > is not supported for status"},
		{in: "attributes.start_time LIKE '1%'", wantPos: 22, wantMsg: "operator LIKE is not supported for start_time"},
		{in: "attributes.start_time = '1'", wantPos: 24, wantMsg: "expected a number after start_time ="},
		{in: "attributes.run_id = 1", wantPos: 20, wantMsg: "expected a quoted string after run_id ="},
		{in: "attributes.name = 'x'", wantPos: 0, wantMsg: `unknown run attribute "name"`},
		{in: "foo = 'x'", wantPos: 0, wantMsg: `unknown run attribute "foo"`},
		{in: "feedback.x = 'y'", wantPos: 0, wantMsg: `unknown prefix "feedback"`},
		{in: "datasets.size = 'x'", wantPos: 0, wantMsg: `unknown dataset field "size"`},
		{in: "datasets.name > 'x'", wantPos: 14, wantMsg: "operator > is not supported for datasets.name"},
		{in: "metrics.rmse < 1 OR metrics.rmse > 2", wantPos: 17, wantMsg: "OR is not supported"},
		{in: "metrics.rmse < 1 metrics.rmse > 2", wantPos: 17, wantMsg: "expected AND"},
		{in: "params.x = 'a", wantPos: 11, wantMsg: "unterminated string"},
		{in: "tags.mlflow.runName LIKEE '%x%'", wantPos: 20, wantMsg: `near "LIKEE": expected an operator`},
	})
}
