package filter

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// searchRuns parses and compiles filter and order and runs them over db's runs.
func searchRuns(tb testing.TB, db *sql.DB, filter string, order []string) ([]string, error) {
	tb.Helper()
	cs, err := ParseRunFilter(filter)
	if err != nil {
		return nil, err
	}
	where, args, err := RunWhere(cs)
	if err != nil {
		return nil, err
	}
	os, err := ParseRunOrderBy(order)
	if err != nil {
		return nil, err
	}
	orderSQL, orderArgs, err := RunOrderSQL(os)
	if err != nil {
		return nil, err
	}
	q := "SELECT r.run_id FROM runs r WHERE " + where + " ORDER BY " + orderSQL
	return queryIDs(tb, db, q, append(args, orderArgs...)), nil
}

func TestRunWhere(t *testing.T) {
	db := openDB(t)
	all := []string{"run-b", "run-c", "run-a"}
	tests := []struct {
		filter string
		want   []string
	}{
		{"", all},
		// How labeling sessions find their run.
		{"tags.mlflow.runName LIKE '%labeling%' AND attribute.run_id = 'run-a'", []string{"run-a"}},
		{"tags.mlflow.runName LIKE '%labeling%' AND attribute.run_id = 'run-b'", nil},
		{"tags.`mlflow.runName` LIKE '%labeling%'", []string{"run-a"}},
		{`tags."mlflow.runName" ILIKE '%labeling%'`, []string{"run-b", "run-a"}},
		{"tags.mlflow.runName = 'training'", []string{"run-c"}},
		{"tags.team = 'ML'", []string{"run-a"}},
		{"tags.team != 'ML'", []string{"run-c"}},
		{"tags.team ILIKE 'ml'", []string{"run-c", "run-a"}},
		{"tags.team IS NULL", []string{"run-b"}},
		// attributes.
		{"attributes.run_name LIKE 'Lab%'", []string{"run-b"}},
		{"run_name ILIKE 'lab%'", []string{"run-b", "run-a"}},
		{"attributes.`run name` = 'training'", []string{"run-c"}},
		{"attributes.run_id IN ('run-a', 'run-c')", []string{"run-c", "run-a"}},
		{"run_id NOT IN ('run-a')", []string{"run-b", "run-c"}},
		{"run.run_id != 'run-a'", []string{"run-b", "run-c"}},
		{"status = 'RUNNING'", []string{"run-b"}},
		{"attributes.user_id = 'alice'", []string{"run-a"}},
		{"attr.user_id ILIKE 'ALICE'", []string{"run-c", "run-a"}},
		{"attributes.lifecycle_stage = 'deleted'", []string{"run-c"}},
		{"attributes.artifact_uri LIKE 's3://b/_'", all},
		{"attributes.start_time >= 200", []string{"run-b", "run-c"}},
		{"attributes.created < 200", []string{"run-a"}},
		{"end_time > 200", []string{"run-c"}},
		{"end_time <= 200", []string{"run-a"}},
		// metrics compare the latest value numerically.
		{"metrics.rmse < 0.5", []string{"run-a"}},
		{"metrics.rmse >= 0.3", []string{"run-b", "run-a"}},
		{"metrics.rmse != 0.3", []string{"run-b"}},
		{"metrics.`eval/loss` = 2.5", []string{"run-c"}},
		{"metric.acc > 0", []string{"run-a"}},
		// params.
		{"params.lr = '0.1'", []string{"run-a"}},
		{"params.lr != '0.1'", []string{"run-c"}},
		{"params.model LIKE 'gpt%'", []string{"run-b"}},
		{"param.model ILIKE 'gpt%'", []string{"run-b", "run-a"}},
		{"params.lr IS NULL", []string{"run-b"}},
		{"params.model IS NOT NULL", []string{"run-b", "run-a"}},
		{"params.model ILIKE 'GPT-4' AND metrics.rmse < 1 AND tags.team = 'ML'", []string{"run-a"}},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			got, err := searchRuns(t, db, tc.filter, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("filter %q mismatch (-want +got):\n%s", tc.filter, diff)
			}
		})
	}
}

func TestRunOrderSQL(t *testing.T) {
	db := openDB(t)
	tests := []struct {
		order []string
		want  []string
	}{
		{nil, []string{"run-b", "run-c", "run-a"}},
		{[]string{"metrics.rmse ASC"}, []string{"run-a", "run-b", "run-c"}},
		{[]string{"metrics.rmse DESC"}, []string{"run-b", "run-a", "run-c"}},
		{[]string{"params.lr"}, []string{"run-c", "run-a", "run-b"}},
		{[]string{"attributes.start_time ASC"}, []string{"run-a", "run-c", "run-b"}},
		{[]string{"end_time DESC"}, []string{"run-c", "run-a", "run-b"}},
		{[]string{"tags.team DESC"}, []string{"run-c", "run-a", "run-b"}},
		{[]string{"run_name"}, []string{"run-b", "run-a", "run-c"}},
		{[]string{"status", "metrics.rmse DESC"}, []string{"run-c", "run-a", "run-b"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.order, ","), func(t *testing.T) {
			got, err := searchRuns(t, db, "", tc.order)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("order %q mismatch (-want +got):\n%s", tc.order, diff)
			}
		})
	}
	order, args, err := RunOrderSQL(nil)
	if order != "r.start_time DESC, r.run_id" || args != nil || err != nil {
		t.Errorf("RunOrderSQL(nil) = %q, %v, %v", order, args, err)
	}
	order, args, _ = RunOrderSQL([]Order{{Field: metric("rmse")}})
	want := "(SELECT rm.value FROM run_latest_metrics rm WHERE rm.run_id = r.run_id AND rm.key = ?) ASC NULLS LAST, r.start_time DESC, r.run_id"
	if order != want || len(args) != 1 || args[0] != "rmse" {
		t.Errorf("RunOrderSQL(metrics.rmse) = %q, %v; want %q, [rmse]", order, args, want)
	}
}

func TestRunCompileErrors(t *testing.T) {
	cs, err := ParseRunFilter("metrics.a > 1 AND datasets.name = 'x'")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = RunWhere(cs)
	checkError(t, err, 18, `invalid filter at position 18 near "datasets.name": dataset filters are not supported`)

	_, _, err = RunWhere([]Clause{{Field: metric("a"), Op: OpLike, Value: "x"}})
	checkError(t, err, 0, "operator LIKE is not supported for metrics.a")
	_, _, err = RunWhere([]Clause{{Field: attr("run_name"), Op: OpIn, Value: []string{"x"}}})
	checkError(t, err, 0, "operator IN is not supported for run_name")
	_, _, err = RunWhere([]Clause{{Field: Field{Kind: KindSpan, Key: "name"}, Op: OpEq, Value: "x"}})
	checkError(t, err, 0, "cannot filter by span.name")
	_, _, err = RunOrderSQL([]Order{{Field: Field{Kind: KindDataset, Key: "name"}}})
	checkError(t, err, 0, "cannot order runs by datasets.name")
}
