package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/apptest"
	"github.com/assay-labs/assay/app/mlflowapi"
	"github.com/assay-labs/assay/app/store"
	"github.com/assay-labs/assay/auth"
)

// The authorization matrix (issue 3; reference/security.md §5): every route Echo has registered ×
// every kind of caller × {an experiment the caller holds a grant on ("own"), one where the caller
// holds nothing ("other")}. Each cell is a real request, with real ids and a body that would
// succeed, through the whole middleware chain over a real SQLite file, and must get the status
// the policy below gives it.
//
// The policy is written by hand from what each route is for; it is not read from the code, so a
// rule copied from a neighbouring route and never updated shows up here. A registered route
// with no row fails the test, and so does a row for a route that does not exist: a new route
// cannot ship unchecked. Adding one is one line: the route, what it needs, and a request.
//
// Callers authenticate with API tokens (Bearer). Session-cookie callers are covered by the auth
// package's own tests (auth/session_test.go, auth/oidc_flow_test.go, auth/csrf_test.go): a
// cookie and a token resolve to the same Principal, and these rules only read the Principal —
// except "person", which is exactly the difference between the two.

// need is what a route asks of its caller.
type need int

const (
	public       need = iota // anyone, signed in or not
	signedIn                 // any signed-in caller; a listing then shows only what the caller may read
	read                     // READ on the target experiment (server admins pass every level check)
	edit                     // EDIT on it
	manage                   // MANAGE on it
	person                   // a person signed in (or local mode): API tokens cannot mint API tokens
	owner                    // the caller's own object, or anyone's for an admin; others' are a 404
	serverAdmin              // a server admin
	review                   // an assigned reviewer of the target session, or MANAGE on its experiment (not READ or EDIT alone)
	readOrReview             // READ on the target experiment, or an assigned reviewer of the target session
	self                     // the caller's own object; anyone else's is a 404, even for an admin
	noRoute                  // an unknown API path: a JSON 404 for everyone, never the SPA page
)

// level is the experiment permission a need asks for (0 when it asks for none).
func (n need) level() int {
	switch n {
	case read:
		return store.PermRead
	case edit:
		return store.PermEdit
	case manage:
		return store.PermManage
	}
	return 0
}

// targets says whether the own/other distinction means anything for a route.
type targets bool

const (
	both targets = false // one cell on the caller's own experiment, one on someone else's
	one  targets = true  // one cell ("any"): the route touches no experiment
)

// rule is one row of the policy: the route as registered ("METHOD /path"; MLflow routes by the
// path after the prefix, and checked under every prefix), what it needs, and how to build a
// request that succeeds for a caller who may make it.
type rule struct {
	route   string
	need    need
	targets targets
	req     func(f *fixtures, c cell) call
}

// call is a request a rule builds for one cell.
type call struct {
	path   string   // with path parameters filled in, and any query; "" is the route's own path
	body   any      // JSON-encoded, or sent as is when a string
	header []string // extra header pairs
	want   int      // the status when allowed; 0 is any 2xx
	// check looks further at an allowed answer (what a listing shows, say).
	check func(t *testing.T, c cell, r apptest.Response)
}

type obj = map[string]any

// mlflowRules are the MLflow-compatible routes, served under each of mlflowapi.Prefixes.
var mlflowRules = []rule{
	{"POST /experiments/create", signedIn, one, func(f *fixtures, c cell) call { return call{body: obj{"name": f.unique("exp")}} }},
	{"GET /experiments/get", read, both, func(f *fixtures, c cell) call { return call{path: q("/experiments/get", "experiment_id", c.side.exp)} }},
	{"GET /experiments/get-by-name", read, both, func(f *fixtures, c cell) call {
		return call{path: q("/experiments/get-by-name", "experiment_name", c.side.expName)}
	}},
	{"POST /experiments/search", signedIn, both, func(f *fixtures, c cell) call {
		return call{body: obj{"filter": "name = '" + c.side.expName + "'"}, check: lists("experiments", "experiment_id", c.side.exp)}
	}},
	{"GET /experiments/search", signedIn, both, func(f *fixtures, c cell) call {
		return call{path: q("/experiments/search", "filter", "name = '"+c.side.expName+"'"), check: lists("experiments", "experiment_id", c.side.exp)}
	}},
	{"POST /experiments/update", edit, both, func(f *fixtures, c cell) call {
		return call{body: obj{"experiment_id": f.experiment(c.side.own).id, "new_name": f.unique("renamed")}}
	}},
	{"POST /experiments/delete", manage, both, func(f *fixtures, c cell) call { return call{body: obj{"experiment_id": f.experiment(c.side.own).id}} }},
	{"POST /experiments/restore", manage, both, func(f *fixtures, c cell) call {
		return call{body: obj{"experiment_id": f.deletedExperiment(c.side.own)}}
	}},
	{"POST /experiments/set-experiment-tag", edit, both, func(f *fixtures, c cell) call {
		return call{body: obj{"experiment_id": c.side.exp, "key": "k", "value": "v"}}
	}},
	{"POST /experiments/delete-experiment-tag", edit, both, func(f *fixtures, c cell) call {
		return call{body: obj{"experiment_id": c.side.exp, "key": f.experimentTag(c.side.exp)}}
	}},

	{"POST /runs/create", edit, both, func(f *fixtures, c cell) call { return call{body: obj{"experiment_id": c.side.exp}} }},
	{"GET /runs/get", read, both, func(f *fixtures, c cell) call { return call{path: q("/runs/get", "run_id", c.side.run)} }},
	{"POST /runs/update", edit, both, func(f *fixtures, c cell) call { return call{body: obj{"run_id": c.side.run, "status": "FINISHED"}} }},
	{"POST /runs/delete", edit, both, func(f *fixtures, c cell) call { return call{body: obj{"run_id": f.run(c.side.exp)}} }},
	{"POST /runs/restore", edit, both, func(f *fixtures, c cell) call { return call{body: obj{"run_id": f.deletedRun(c.side.exp)}} }},
	{"POST /runs/search", read, both, func(f *fixtures, c cell) call { return call{body: obj{"experiment_ids": []string{c.side.exp}}} }},
	{"POST /runs/set-tag", edit, both, func(f *fixtures, c cell) call { return call{body: obj{"run_id": c.side.run, "key": "k", "value": "v"}} }},
	{"POST /runs/delete-tag", edit, both, func(f *fixtures, c cell) call {
		return call{body: obj{"run_id": c.side.run, "key": f.runTag(c.side.run)}}
	}},
	{"POST /runs/log-batch", edit, both, func(f *fixtures, c cell) call {
		return call{body: obj{"run_id": c.side.run, "metrics": []obj{{"key": "m", "value": 1, "timestamp": 1, "step": 0}}}}
	}},
	{"POST /runs/log-metric", edit, both, func(f *fixtures, c cell) call {
		return call{body: obj{"run_id": c.side.run, "key": "m", "value": 1, "timestamp": 1, "step": 0}}
	}},
	{"POST /runs/log-parameter", edit, both, func(f *fixtures, c cell) call {
		return call{body: obj{"run_id": c.side.run, "key": f.unique("p"), "value": "1"}} // params never change, so a new key each time
	}},

	{"POST /traces", edit, both, func(f *fixtures, c cell) call { return call{body: startTrace(f.traceID(), c.side.exp, "")} }},
	{"POST /traces/search", read, both, func(f *fixtures, c cell) call {
		return call{body: obj{"locations": []obj{{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": obj{"experiment_id": c.side.exp}}}}}
	}},
	{"GET /traces/search", read, both, func(f *fixtures, c cell) call { return call{path: q("/traces/search", "experiment_ids", c.side.exp)} }},
	{"GET /traces/get", read, both, func(f *fixtures, c cell) call { return call{path: q("/traces/get", "trace_id", c.side.trace)} }},
	{"GET /traces/batchGet", read, both, func(f *fixtures, c cell) call { return call{path: q("/traces/batchGet", "trace_ids", c.side.trace)} }},
	{"POST /traces/batchGetInfos", read, both, func(f *fixtures, c cell) call { return call{body: obj{"trace_ids": []string{c.side.trace}}} }},
	{"POST /traces/delete-traces", edit, both, func(f *fixtures, c cell) call {
		return call{body: obj{"experiment_id": c.side.exp, "trace_ids": []string{f.trace(c.side.exp)}}}
	}},
	{"POST /traces/link-to-run", edit, both, func(f *fixtures, c cell) call {
		return call{body: obj{"run_id": c.side.run, "trace_ids": []string{c.side.trace}}}
	}},
	{"GET /traces/:trace_id", read, both, func(f *fixtures, c cell) call { return call{path: "/traces/" + c.side.trace} }},
	{"GET /traces/:trace_id/info", read, both, func(f *fixtures, c cell) call { return call{path: "/traces/" + c.side.trace + "/info"} }},
	{"PATCH /traces/:trace_id/tags", edit, both, func(f *fixtures, c cell) call {
		return call{path: "/traces/" + c.side.trace + "/tags", body: obj{"key": "k", "value": "v"}}
	}},
	{"DELETE /traces/:trace_id/tags", edit, both, func(f *fixtures, c cell) call {
		return call{path: "/traces/" + c.side.trace + "/tags", body: obj{"key": f.traceTag(c.side.trace)}}
	}},
	{"POST /traces/:trace_id/assessments", edit, both, func(f *fixtures, c cell) call {
		return call{path: "/traces/" + c.side.trace + "/assessments", body: obj{"assessment": feedback()}}
	}},
	{"GET /traces/:trace_id/assessments/:assessment_id", read, both, func(f *fixtures, c cell) call {
		return call{path: "/traces/" + c.side.trace + "/assessments/" + c.side.assessment}
	}},
	{"PATCH /traces/:trace_id/assessments/:assessment_id", edit, both, func(f *fixtures, c cell) call {
		return call{path: "/traces/" + c.side.trace + "/assessments/" + c.side.assessment, body: obj{"assessment": obj{"rationale": "because"}, "update_mask": "rationale"}}
	}},
	{"DELETE /traces/:trace_id/assessments/:assessment_id", edit, both, func(f *fixtures, c cell) call {
		return call{path: "/traces/" + c.side.trace + "/assessments/" + f.assessment(c.side.trace)}
	}},

	{"POST /datasets/create", edit, both, func(f *fixtures, c cell) call {
		return call{body: obj{"name": f.unique("ds"), "experiment_ids": []string{c.side.exp}}}
	}},
	{"POST /datasets/search", signedIn, both, func(f *fixtures, c cell) call {
		return call{body: obj{"experiment_ids": []string{c.side.exp}}, check: lists("datasets", "dataset_id", c.side.dataset)}
	}},
	{"GET /datasets/search", signedIn, both, func(f *fixtures, c cell) call {
		return call{path: q("/datasets/search", "experiment_ids", c.side.exp), check: lists("datasets", "dataset_id", c.side.dataset)}
	}},
	{"GET /datasets/:dataset_id", read, both, func(f *fixtures, c cell) call { return call{path: "/datasets/" + c.side.dataset} }},
	{"DELETE /datasets/:dataset_id", edit, both, func(f *fixtures, c cell) call { return call{path: "/datasets/" + f.dataset(c.side.exp)} }},
	{"PATCH /datasets/:dataset_id/tags", edit, both, func(f *fixtures, c cell) call {
		return call{path: "/datasets/" + c.side.dataset + "/tags", body: obj{"tags": `{"k": "v"}`}}
	}},
	{"DELETE /datasets/:dataset_id/tags/:key", edit, both, func(f *fixtures, c cell) call { return call{path: "/datasets/" + c.side.dataset + "/tags/k"} }},
	{"POST /datasets/:dataset_id/records", edit, both, func(f *fixtures, c cell) call {
		return call{path: "/datasets/" + c.side.dataset + "/records", body: obj{"records": recordsJSON(f.unique("q"))}}
	}},
	{"GET /datasets/:dataset_id/records", read, both, func(f *fixtures, c cell) call { return call{path: "/datasets/" + c.side.dataset + "/records"} }},
	{"DELETE /datasets/:dataset_id/records", edit, both, func(f *fixtures, c cell) call {
		return call{path: "/datasets/" + c.side.dataset + "/records", body: obj{"dataset_record_ids": []string{f.record(c.side.dataset)}}}
	}},
	{"GET /datasets/:dataset_id/experiment-ids", read, both, func(f *fixtures, c cell) call {
		return call{path: "/datasets/" + c.side.dataset + "/experiment-ids"}
	}},

	{"POST /label-schemas/create", edit, both, func(f *fixtures, c cell) call { return call{body: labelSchema(c.side.exp, f.unique("schema"))} }},
	{"POST /label-schemas/upsert", edit, both, func(f *fixtures, c cell) call { return call{body: labelSchema(c.side.exp, f.unique("schema"))} }},
	{"GET /label-schemas/get", read, both, func(f *fixtures, c cell) call { return call{path: q("/label-schemas/get", "schema_id", c.side.schema)} }},
	{"GET /label-schemas/get-by-name", read, both, func(f *fixtures, c cell) call {
		return call{path: q("/label-schemas/get-by-name", "experiment_id", c.side.exp, "name", c.side.schemaName)}
	}},
	{"GET /label-schemas/list", read, both, func(f *fixtures, c cell) call {
		return call{path: q("/label-schemas/list", "experiment_id", c.side.exp)}
	}},
	{"PATCH /label-schemas/update", edit, both, func(f *fixtures, c cell) call {
		return call{body: obj{"schema_id": c.side.schema, "title": "Retitled"}}
	}},
	{"DELETE /label-schemas/delete", edit, both, func(f *fixtures, c cell) call { return call{body: obj{"schema_id": f.schema(c.side.exp).id}} }},
}

// otherRules are every other route, by the path Echo registered it under. "ANY" matches every method.
var otherRules = []rule{
	{"GET /healthz", public, one, nil},
	{"GET /health", public, one, nil},
	{"GET /version", public, one, nil},
	{"GET /api/assay/v1/version", public, one, nil},
	{"GET /api/assay/v1/auth/config", public, one, nil},
	{"GET /api/assay/v1/openapi.json", public, one, nil}, // the API's description, no data
	// The OpenID Provider is down in these tests: login answers 503, a callback without state 400.
	// Local mode has no sign-in and sends both home.
	{"GET /auth/login", public, one, func(f *fixtures, c cell) call {
		return call{want: pick(f.local, http.StatusFound, http.StatusServiceUnavailable)}
	}},
	{"GET /auth/callback", public, one, func(f *fixtures, c cell) call {
		return call{want: pick(f.local, http.StatusFound, http.StatusBadRequest)}
	}},
	{"GET /auth/logout", public, one, nil},
	{"POST /auth/logout", public, one, func(f *fixtures, c cell) call { return call{want: http.StatusSeeOther} }},
	{"GET /*", public, one, func(f *fixtures, c cell) call { return call{path: "/experiments/1/traces"} }}, // the SPA's deep links

	{"GET /api/assay/v1/me", signedIn, one, nil},
	{"GET /api/assay/v1/tokens", signedIn, one, nil},
	{"POST /api/assay/v1/tokens", person, one, func(f *fixtures, c cell) call { return call{body: obj{"name": "matrix"}, want: http.StatusCreated} }},
	{"DELETE /api/assay/v1/tokens/:id", owner, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/tokens/" + f.token(c), want: http.StatusNoContent}
	}},
	{"POST /v1/traces", edit, both, func(f *fixtures, c cell) call {
		return call{body: otlpJSON(f.otelTraceID()), header: []string{mlflowapi.ExperimentHeader, c.side.exp}}
	}},

	// JSON Lines import and export. Echo lists the import under three spellings of its colon.
	{`POST /api/assay/v1/experiments/:experiment_id/traces\:import`, edit, both, func(f *fixtures, c cell) call { return importJSONL(c, "traces:import") }},
	{"POST /api/assay/v1/experiments/:experiment_id/traces%3Aimport", edit, both, func(f *fixtures, c cell) call { return importJSONL(c, "traces%3Aimport") }},
	{"POST /api/assay/v1/experiments/:experiment_id/traces%3aimport", edit, both, func(f *fixtures, c cell) call { return importJSONL(c, "traces%3aimport") }},
	{"GET /api/assay/v1/datasets/:dataset_id/records.jsonl", read, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/datasets/" + c.side.dataset + "/records.jsonl"}
	}},

	// Permissions, audit and the caller's own lists (app/labelingapi).
	{"GET /api/assay/v1/experiments/:experiment_id/permissions", manage, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/experiments/" + c.side.exp + "/permissions"}
	}},
	{"POST /api/assay/v1/experiments/:experiment_id/permissions", manage, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/experiments/" + c.side.exp + "/permissions", body: obj{"email": f.unique("invitee") + "@example.com", "permission": "READ"}}
	}},
	{"DELETE /api/assay/v1/experiments/:experiment_id/permissions/:grant", manage, both, func(f *fixtures, c cell) call {
		return call{path: fmt.Sprintf("/api/assay/v1/experiments/%s/permissions/%d", c.side.exp, f.grant(c.side.exp))}
	}},
	{"GET /api/assay/v1/audit", serverAdmin, one, nil},
	{"GET /api/assay/v1/notifications", signedIn, one, func(f *fixtures, c cell) call { return call{check: noticesOf(f)} }},
	{"POST /api/assay/v1/notifications/:id/read", self, both, func(f *fixtures, c cell) call {
		return call{path: fmt.Sprintf("/api/assay/v1/notifications/%d/read", f.notification(c)), body: obj{}}
	}},

	// Labeling (app/labelingapi): review apps, sessions and items on Databricks' resource model.
	{"GET /api/2.0/managed-evals/review-apps", read, both, func(f *fixtures, c cell) call {
		return call{path: q(me+"/review-apps", "filter", "experiment_id="+c.side.exp), check: lists("review_apps", "review_app_id", c.side.app)}
	}},
	{"POST /api/2.0/managed-evals/review-apps", read, both, func(f *fixtures, c cell) call { // get-or-create
		return call{body: obj{"experiment_id": c.side.exp}, check: field("review_app_id", c.side.app)}
	}},
	{"GET /api/2.0/managed-evals/review-apps/:app", read, both, func(f *fixtures, c cell) call { return call{path: me + "/review-apps/" + c.side.app} }},
	{"PATCH /api/2.0/managed-evals/review-apps/:app", edit, both, func(f *fixtures, c cell) call {
		return call{path: me + "/review-apps/" + c.side.app + "?update_mask=agents",
			body: obj{"agents": []obj{{"agent_name": "bot", "model_serving_endpoint": obj{"endpoint_name": "bot-endpoint"}}}}}
	}},
	{"GET /api/2.0/managed-evals/review-apps/:app/labeling-sessions", read, both, func(f *fixtures, c cell) call {
		return call{path: sessionsOf(c.side), check: lists("labeling_sessions", "labeling_session_id", c.side.session)}
	}},
	{"POST /api/2.0/managed-evals/review-apps/:app/labeling-sessions", edit, both, func(f *fixtures, c cell) call {
		return call{path: sessionsOf(c.side), body: obj{"name": f.unique("session"), "labeling_schemas": []obj{{"name": c.side.schemaName}}}}
	}},
	{"GET /api/2.0/managed-evals/review-apps/:app/labeling-sessions/:sid", read, both, func(f *fixtures, c cell) call {
		return call{path: sessionsOf(c.side) + "/" + c.side.session}
	}},
	{"PATCH /api/2.0/managed-evals/review-apps/:app/labeling-sessions/:sid", edit, both, func(f *fixtures, c cell) call {
		return call{path: sessionsOf(c.side) + "/" + c.side.session + "?update_mask=name", body: obj{"name": f.unique("renamed")}}
	}},
	{"DELETE /api/2.0/managed-evals/review-apps/:app/labeling-sessions/:sid", edit, both, func(f *fixtures, c cell) call {
		return call{path: sessionsOf(c.side) + "/" + f.session(c.side.app, c.side.schemaName)}
	}},
	{"GET /api/2.0/managed-evals/review-apps/:app/labeling-sessions/:sid/items", read, both, func(f *fixtures, c cell) call {
		return call{path: sessionsOf(c.side) + "/" + c.side.session + "/items", check: lists("items", "item_id", c.side.item)}
	}},
	{`POST /api/2.0/managed-evals/review-apps/:app/labeling-sessions/:sid/items\:batchCreate`, edit, both, func(f *fixtures, c cell) call {
		return batchCreate(f, c, "items:batchCreate")
	}},
	{"POST /api/2.0/managed-evals/review-apps/:app/labeling-sessions/:sid/items%3AbatchCreate", edit, both, func(f *fixtures, c cell) call {
		return batchCreate(f, c, "items%3AbatchCreate")
	}},
	{"GET /api/2.0/managed-evals/review-apps/:app/labeling-sessions/:sid/items/:item", read, both, func(f *fixtures, c cell) call {
		return call{path: sessionsOf(c.side) + "/" + c.side.session + "/items/" + c.side.item}
	}},
	{"PATCH /api/2.0/managed-evals/review-apps/:app/labeling-sessions/:sid/items/:item", edit, both, func(f *fixtures, c cell) call {
		return call{path: sessionsOf(c.side) + "/" + c.side.session + "/items/" + f.addItem(c.side, c.side.session, "") + "?update_mask=state",
			body: obj{"state": "SKIPPED"}}
	}},
	{"DELETE /api/2.0/managed-evals/review-apps/:app/labeling-sessions/:sid/items/:item", edit, both, func(f *fixtures, c cell) call {
		return call{path: sessionsOf(c.side) + "/" + c.side.session + "/items/" + f.addItem(c.side, c.side.session, "")}
	}},

	// Labeling: Assay's own operations.
	{"GET /api/assay/v1/experiments/:experiment_id/sessions", read, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/experiments/" + c.side.exp + "/sessions", check: lists("sessions", "labeling_session_id", c.side.session)}
	}},
	{"GET /api/assay/v1/sessions/:sid", readOrReview, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/sessions/" + c.side.session, check: field("labeling_session_id", c.side.session)}
	}},
	{"POST /api/assay/v1/sessions/:sid/traces", edit, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/sessions/" + c.side.session + "/traces", body: obj{"trace_ids": []string{f.trace(c.side.exp)}}}
	}},
	// Besides EDIT on the session's experiment, READ on the dataset's: here both are the side's.
	{"POST /api/assay/v1/sessions/:sid/records", edit, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/sessions/" + c.side.session + "/records", body: obj{"dataset_id": c.side.dataset, "record_ids": []string{c.side.record}}}
	}},
	{"GET /api/assay/v1/sessions/:sid/stats", read, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/sessions/" + c.side.session + "/stats", check: field("labeling_session_id", c.side.session)}
	}},
	{"GET /api/assay/v1/sessions/:sid/export.jsonl", read, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/sessions/" + c.side.session + "/export.jsonl", check: func(t *testing.T, c cell, r apptest.Response) {
			if !strings.Contains(string(r.Body), c.side.item) {
				t.Errorf("the export does not hold the session's item %s\n%s", c.side.item, r.Body)
			}
		}}
	}},
	{"PUT /api/assay/v1/sessions/:sid/assigned-users", edit, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/sessions/" + f.session(c.side.app, c.side.schemaName) + "/assigned-users", body: obj{"assigned_users": []string{f.unique("assignee") + "@example.com"}}}
	}},
	{"POST /api/assay/v1/sessions/:sid/sync", edit, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/sessions/" + c.side.session + "/sync", body: obj{"dataset_name": f.unique("synced")}}
	}},

	// Labeling: the reviewer's own flow. MANAGE (and an admin) may open any session of the
	// experiment; READ and EDIT alone may not, even though they may read its items elsewhere.
	{"GET /api/assay/v1/review/sessions", signedIn, one, func(f *fixtures, c cell) call { return call{check: mySessions(f)} }},
	{"POST /api/assay/v1/review/sessions/:sid/next", review, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/review/sessions/" + c.side.session + "/next", body: obj{}}
	}},
	{"GET /api/assay/v1/review/sessions/:sid/items", review, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/review/sessions/" + c.side.session + "/items"}
	}},
	{"GET /api/assay/v1/review/sessions/:sid/items/:item", review, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/review/sessions/" + c.side.session + "/items/" + c.side.item}
	}},
	{"POST /api/assay/v1/review/sessions/:sid/items/:item/submit", review, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/review/sessions/" + c.side.session + "/items/" + f.addItem(c.side, c.side.session, "") + "/submit",
			body: obj{"answers": obj{c.side.schemaName: obj{"value": true}}, "time_spent_ms": 1000}}
	}},
	{"POST /api/assay/v1/review/sessions/:sid/items/:item/skip", review, both, func(f *fixtures, c cell) call {
		return call{path: "/api/assay/v1/review/sessions/" + c.side.session + "/items/" + f.addItem(c.side, c.side.session, "") + "/skip", body: obj{}}
	}},

	// A well-formed JSON body, so that CSRF's JSON rule (local mode) lets the request reach the 404.
	{"ANY /api/*", noRoute, one, func(f *fixtures, c cell) call { return call{path: "/api/no-such-endpoint", body: obj{}} }},
	{"ANY /ajax-api/*", noRoute, one, func(f *fixtures, c cell) call { return call{path: "/ajax-api/no-such-endpoint", body: obj{}} }},
}

// expect is the status a cell must get (0: any 2xx, or the call's own want) and whether the
// caller is allowed through.
func expect(r rule, c cell) (status int, allowed bool) {
	s := c.subject
	switch {
	case r.need == public:
		return 0, true
	case r.need == noRoute:
		return http.StatusNotFound, false
	case s.anonymous():
		return http.StatusUnauthorized, false
	case r.need == person:
		if s.caller != nil {
			return http.StatusForbidden, false
		}
		return 0, true
	case r.need == owner:
		if c.side.own || s.admin {
			return 0, true
		}
		return http.StatusNotFound, false
	case r.need == self:
		if c.side.own {
			return 0, true
		}
		return http.StatusNotFound, false
	case s.admin, r.need == signedIn:
		return 0, true
	case r.need == serverAdmin:
		return http.StatusForbidden, false
	case r.need == review:
		if c.reviews() || c.side.own && s.level >= store.PermManage {
			return 0, true
		}
		return http.StatusForbidden, false
	case r.need == readOrReview:
		if c.reviews() || c.mayHave(store.PermRead) {
			return 0, true
		}
		return http.StatusForbidden, false
	case c.mayHave(r.need.level()):
		return 0, true
	}
	return http.StatusForbidden, false
}

// TestAuthzMatrix runs every cell in OIDC mode: anonymous, a user with no grant, users with
// READ, EDIT and MANAGE on the "own" experiment, and a server admin, each on the own and the
// other experiment.
func TestAuthzMatrix(t *testing.T) { runMatrix(t, apptest.NewOIDC(t), "") }

// TestAuthzMatrixReviewerSession runs the reviewer's cells again with reviewer-access=session,
// where an assignment gives the reviewer no permission on the experiment: they must be refused
// its MLflow routes (its traces, the session's among them) and the session listings, yet may
// still do their own reviewing and open their session. The mode changes nothing for the other
// callers, whose cells TestAuthzMatrix runs.
func TestAuthzMatrixReviewerSession(t *testing.T) {
	runMatrix(t, apptest.NewOIDCWith(t, func(c *app.Config) { c.ReviewerAccess = "session" }), "reviewer-token")
}

// runMatrix runs every cell, or only the cells of the subject named only.
func runMatrix(t *testing.T, env *apptest.Env, only string) {
	w := newWorld(t, env)
	for _, rt := range w.routes(t) {
		for _, s := range w.subjects {
			if only != "" && s.name != only {
				continue
			}
			for _, sd := range w.sides(rt.rule) {
				c := cell{subject: s, side: sd}
				t.Run(rt.method+" "+rt.path+"/"+s.name+"/"+sd.name(rt.rule), func(t *testing.T) { w.run(t, rt, c) })
			}
		}
	}
}

// TestAuthzMatrixLocal checks local mode: every route works for the local admin, and every route
// refuses a request addressed to another host (a web page using DNS rebinding) with a 403.
func TestAuthzMatrixLocal(t *testing.T) {
	env := apptest.New(t)
	w := newWorld(t, env)
	routes := w.routes(t)
	for _, rt := range routes {
		c := cell{subject: w.subjects[0], side: w.own}
		t.Run(rt.method+" "+rt.path+"/local-admin", func(t *testing.T) { w.run(t, rt, c) })
	}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path+"/local-admin/Host:evil.example.com", func(t *testing.T) {
			req := w.request(rt.method, fillParams(rt.path), nil, w.subjects[0])
			req.Host = "evil.example.com"
			r := env.Send(req)
			if r.Status != http.StatusForbidden || errorCode(r) != "PERMISSION_DENIED" {
				t.Errorf("got %d %s, want 403 PERMISSION_DENIED", r.Status, r.Body)
			}
		})
	}
}

// route is a registered route with its rule.
type route struct {
	method, path string
	rule         rule
}

// routes pairs every registered route with its rule, failing the test for a route without one
// and for a rule whose route is not registered (under every MLflow prefix, for MLflow rules).
func (w *world) routes(t *testing.T) []route {
	t.Helper()
	mlflow, other := byRoute(t, mlflowRules), byRoute(t, otherRules)
	used := map[string]int{}
	var out []route
	for _, r := range w.env.Server.Echo.Routes() {
		key := r.Method + " " + r.Path
		var (
			rl  rule
			ok  bool
			use string
		)
		if p := mlflowPrefix(r.Path); p != "" {
			use = r.Method + " " + strings.TrimPrefix(r.Path, p)
			rl, ok = mlflow[use]
		} else if rl, ok = other[key]; ok {
			use = key
		} else {
			use = "ANY " + r.Path
			rl, ok = other[use]
		}
		if !ok {
			t.Errorf("route %s has no row in the authorization policy: add one (what it needs, and a request that succeeds)", key)
			continue
		}
		used[use]++
		out = append(out, route{r.Method, r.Path, rl})
	}
	for key := range mlflow {
		if used[key] != len(mlflowapi.Prefixes) {
			t.Errorf("policy row %q matches %d registered routes, want one under each of the %d MLflow prefixes", key, used[key], len(mlflowapi.Prefixes))
		}
	}
	for key := range other {
		if used[key] == 0 {
			t.Errorf("policy row %q matches no registered route: remove it, or fix its method and path", key)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+" "+out[i].method < out[j].path+" "+out[j].method })
	return out
}

// mlflowPrefix is the MLflow prefix a path starts with, or "".
func mlflowPrefix(path string) string {
	for _, p := range mlflowapi.Prefixes {
		if strings.HasPrefix(path, p+"/") {
			return p
		}
	}
	return ""
}

func byRoute(t *testing.T, rules []rule) map[string]rule {
	m := map[string]rule{}
	for _, r := range rules {
		if _, dup := m[r.route]; dup {
			t.Errorf("policy row %q appears twice", r.route)
		}
		m[r.route] = r
	}
	return m
}

// run sends one cell's request and checks its answer.
func (w *world) run(t *testing.T, rt route, c cell) {
	f := w.fixtures(t)
	cl := call{}
	if rt.rule.req != nil {
		cl = rt.rule.req(f, c)
	}
	path := rt.path
	switch {
	case cl.path != "":
		path = mlflowPrefix(rt.path) + cl.path
	case strings.ContainsAny(rt.path, ":*"):
		t.Fatalf("the policy row of %s must fill in the path parameters", rt.path)
	}
	r := w.env.Send(w.request(rt.method, path, cl.body, c.subject, cl.header...))

	want, allowed := expect(rt.rule, c)
	if allowed && cl.want != 0 {
		want = cl.want
	}
	switch {
	case want == 0 && (r.Status < 200 || r.Status > 299):
		t.Fatalf("%s %s: got %d, want 2xx\n%s", rt.method, path, r.Status, r.Body)
	case want != 0 && r.Status != want:
		t.Fatalf("%s %s: got %d, want %d\n%s", rt.method, path, r.Status, want, r.Body)
	}
	if code := map[int]string{401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED"}[want]; !allowed && code != "" && errorCode(r) != code {
		t.Errorf("error_code = %q, want %s\n%s", errorCode(r), code, r.Body)
	}
	if rt.rule.need == noRoute && rt.method != http.MethodHead && errorCode(r) != "ENDPOINT_NOT_FOUND" {
		t.Errorf("unknown API path: want a JSON ENDPOINT_NOT_FOUND, got %s", r.Body)
	}
	if allowed && cl.check != nil {
		cl.check(t, c, r)
	}
}

// lists checks a listing: it shows the target's item (field idField of the list key) exactly
// when the caller may read the target experiment.
func lists(key, idField, id string) func(t *testing.T, c cell, r apptest.Response) {
	return func(t *testing.T, c cell, r apptest.Response) {
		if shown, want := listed(t, r, key, idField, id), c.subject.admin || c.mayHave(store.PermRead); shown != want {
			t.Errorf("%s lists %s %s: %v, want %v\n%s", c.subject.name, key, id, shown, want, r.Body)
		}
	}
}

func errorCode(r apptest.Response) string {
	var e struct {
		Code string `json:"error_code"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Code
}

func pick[T any](cond bool, yes, no T) T {
	if cond {
		return yes
	}
	return no
}

// shows checks that an allowed caller's listing shows the target's item (for routes where being
// allowed at all is what lets the caller see it).
func shows(key, idField, id string) func(t *testing.T, c cell, r apptest.Response) {
	return func(t *testing.T, c cell, r apptest.Response) {
		if !listed(t, r, key, idField, id) {
			t.Errorf("%s: %s does not list %s\n%s", c.subject.name, key, id, r.Body)
		}
	}
}

// listed reports whether the list under key shows an object whose idField is id.
func listed(t *testing.T, r apptest.Response, key, idField, id string) bool {
	t.Helper()
	var body map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("listing is not JSON: %v\n%s", err, r.Body)
	}
	var list []map[string]any
	if err := json.Unmarshal(body[key], &list); err != nil {
		t.Fatalf("%s is not a list of objects: %v\n%s", key, err, r.Body)
	}
	return slices.ContainsFunc(list, func(it map[string]any) bool { return fmt.Sprint(it[idField]) == id })
}

// field checks a top-level field of the answer.
func field(key, want string) func(t *testing.T, c cell, r apptest.Response) {
	return func(t *testing.T, c cell, r apptest.Response) {
		if got := fmt.Sprint(r.JSON(t)[key]); got != want {
			t.Errorf("%s = %s, want %s", key, got, want)
		}
	}
}

// sessionsOf is the path of a side's labeling sessions, under its review app.
func sessionsOf(s *side) string { return me + "/review-apps/" + s.app + "/labeling-sessions" }

// batchCreate adds a new trace of the side's experiment to its session; spelling is the last
// path segment as the client writes it.
func batchCreate(f *fixtures, c cell, spelling string) call {
	return call{path: sessionsOf(c.side) + "/" + c.side.session + "/" + spelling,
		body: obj{"items": []obj{{"source": obj{"trace_id": f.trace(c.side.exp)}}}}}
}

// emailOf is the caller's (verified) email.
func emailOf(f *fixtures, c cell) string {
	if c.subject.caller != nil {
		return c.subject.caller.Email
	}
	return auth.LocalEmail
}

// assignedTo reports whether email is an assigned reviewer of the session.
func assignedTo(t *testing.T, f *fixtures, sid, email string) bool {
	s, err := f.env.DB.FindSession(context.Background(), sid)
	if err != nil {
		t.Fatalf("session %s: %v", sid, err)
	}
	return slices.Contains(s.AssignedUsers, email)
}

// mySessions checks the reviewer's list: only sessions the caller is assigned to, and for the
// reviewer the own side's session.
func mySessions(f *fixtures) func(t *testing.T, c cell, r apptest.Response) {
	return func(t *testing.T, c cell, r apptest.Response) {
		var body struct {
			Sessions []struct {
				ID string `json:"labeling_session_id"`
			} `json:"sessions"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, r.Body)
		}
		email, mine := emailOf(f, c), false
		for _, s := range body.Sessions {
			if !assignedTo(t, f, s.ID, email) {
				t.Errorf("%s's review list shows session %s, which is not theirs", c.subject.name, s.ID)
			}
			mine = mine || s.ID == c.side.session
		}
		if mine != c.reviews() {
			t.Errorf("%s's review list shows the own side's session %s: %v, want %v", c.subject.name, c.side.session, mine, c.reviews())
		}
	}
}

// noticesOf checks a notification list: each one tells the caller of a session they are
// assigned to, and the reviewer has some.
func noticesOf(f *fixtures) func(t *testing.T, c cell, r apptest.Response) {
	return func(t *testing.T, c cell, r apptest.Response) {
		var body struct {
			Notifications []struct {
				Link string `json:"link"`
			} `json:"notifications"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, r.Body)
		}
		for _, n := range body.Notifications {
			_, sid, ok := strings.Cut(n.Link, "/review/")
			if !ok || !assignedTo(t, f, sid, emailOf(f, c)) {
				t.Errorf("%s is shown a notification that is not theirs: %s", c.subject.name, n.Link)
			}
		}
		if c.subject.reviewer && len(body.Notifications) == 0 {
			t.Errorf("the reviewer has no notification of their assignments")
		}
	}
}
