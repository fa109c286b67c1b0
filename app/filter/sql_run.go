package filter

var (
	runTags    = keyValues{table: "run_tags", alias: "rt", join: "rt.run_id = r.run_id", owner: "r.run_id", ref: "run_id"}
	runParams  = keyValues{table: "run_params", alias: "rp", join: "rp.run_id = r.run_id", owner: "r.run_id", ref: "run_id"}
	runMetrics = keyValues{table: "run_latest_metrics", alias: "rm", join: "rm.run_id = r.run_id", owner: "r.run_id", ref: "run_id"}
)

// runColumns maps run attributes to columns of the runs table.
var runColumns = map[string]string{
	"run_id":          "r.run_id",
	"run_name":        "r.run_name",
	"status":          "r.status",
	"user_id":         "r.user_id",
	"artifact_uri":    "r.artifact_uri",
	"lifecycle_stage": "r.lifecycle_stage",
	"start_time":      "r.start_time",
	"end_time":        "r.end_time",
}

// RunWhere compiles search_runs clauses to a WHERE fragment (without the WHERE keyword) over the
// runs table aliased r, with ? placeholders and their arguments in order. No clauses give "1=1".
// Dataset clauses parse but are refused here: Assay does not record run inputs. Errors are
// *Error.
func RunWhere(cs []Clause) (sql string, args []any, err error) {
	return compileWhere(cs, runSpec, runClause)
}

// runClause renders one checked clause. Metrics compare the latest value of the metric.
func runClause(c Clause) (string, []any, string) {
	switch c.Field.Kind {
	case KindAttribute:
		return compare(runColumns[c.Field.Key], c.Op, c.Value)
	case KindTag:
		return runTags.match(c.Field.Key, c.Op, c.Value)
	case KindParam:
		return runParams.match(c.Field.Key, c.Op, c.Value)
	case KindMetric:
		return runMetrics.match(c.Field.Key, c.Op, c.Value)
	case KindDataset:
		return "", nil, "dataset filters are not supported"
	}
	return "", nil, "cannot filter runs by " + describe(c.Field)
}
