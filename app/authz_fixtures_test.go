package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/apptest"
	"github.com/assay-labs/assay/app/store"
)

// The callers, experiments and objects the authorization matrix runs against.

// world is one running Assay with the matrix's callers and fixtures.
type world struct {
	env       *apptest.Env
	local     bool
	owner     apptest.Caller // the admin who makes fixtures (unused in local mode: the local admin does)
	bystander apptest.Caller // owns "someone else's" API tokens and notifications
	reviewer  *subject       // the assigned reviewer (nil in local mode)
	noticeExp string         // an experiment whose sessions only serve to send notifications (made on first use)
	subjects  []*subject
	own       *side // made once; cells that change or consume an object make their own
	other     *side
	n         int // for unique names and ids
	addrs     int // for client addresses (the sign-in routes are rate-limited per address)
}

// subject is a kind of caller.
type subject struct {
	name   string
	caller *apptest.Caller // nil: no credentials (anonymous; or the local admin in local mode)
	level  int             // the permission it is granted on "own" experiments (store.PermRead…)
	admin  bool
	// reviewer: it holds no grant, but is an assigned reviewer of a labeling session in every
	// "own" experiment (among them the side's own session); assigned is the permission that
	// assignment gives it on the experiment: EDIT with reviewer-access=experiment, none with
	// reviewer-access=session.
	reviewer bool
	assigned int
}

func (s *subject) anonymous() bool { return s.caller == nil && !s.admin }

// effective is its permission on "own" experiments, by grant or by assignment.
func (s *subject) effective() int { return max(s.level, s.assigned) }

// side is an experiment with one of each object in it: a run, a trace with an assessment, a
// dataset with a record, a custom label schema, its review app, and a labeling session asking
// the custom schema, whose one item is the trace. On the own side the graded subjects hold their
// grants and the reviewer is assigned to the session; on the other side nobody but its (admin)
// creator holds anything, and its session has no reviewer.
type side struct {
	own                                  bool
	exp, expName, run, trace, assessment string
	dataset, record, schema, schemaName  string
	app, session, item                   string
}

// cell is one caller on one side.
type cell struct {
	subject *subject
	side    *side
}

// mayHave reports whether the caller holds at least level on the target experiment, by grant or
// (the reviewer) by assignment.
func (c cell) mayHave(level int) bool { return c.side.own && c.subject.effective() >= level }

// reviews reports whether the caller is an assigned reviewer of the target's session.
func (c cell) reviews() bool { return c.side.own && c.subject.reviewer }

// sides are the targets a rule is tried on.
func (w *world) sides(r rule) []*side {
	if r.targets == one {
		return []*side{w.own}
	}
	return []*side{w.own, w.other}
}

func (s *side) name(r rule) string {
	switch {
	case r.targets == one:
		return "any"
	case s.own:
		return "own"
	}
	return "other"
}

func newWorld(t *testing.T, env *apptest.Env) *world {
	t.Helper()
	w := &world{env: env, local: env.Config.OIDCIssuer == ""}
	if w.local {
		w.subjects = []*subject{{name: "local-admin", admin: true}}
	} else {
		w.owner = env.User("owner@example.com", true)
		w.bystander = env.User("bystander@example.com", false)
		w.subjects = []*subject{{name: "anonymous"}}
		for _, s := range []subject{{name: "nogrant"}, {name: "READ", level: store.PermRead}, {name: "EDIT", level: store.PermEdit},
			{name: "MANAGE", level: store.PermManage}, {name: "admin", admin: true}} {
			c := env.User(strings.ToLower(s.name)+"@example.com", s.admin)
			s.name, s.caller = s.name+"-token", &c
			w.subjects = append(w.subjects, &s)
		}
		// The reviewer is a user of its own: assignment grants EDIT (reviewer-access=experiment),
		// which would hide what READ alone, or MANAGE alone, may do.
		c := env.User("reviewer@example.com", false)
		w.reviewer = &subject{name: "reviewer-token", caller: &c, reviewer: true, assigned: pick(env.Config.ReviewerAccess == "session", 0, store.PermEdit)}
		w.subjects = append(w.subjects, w.reviewer)
	}
	f := w.fixtures(t)
	w.own, w.other = f.side(true), f.side(false)
	return w
}

// request builds a request from a caller, with a client address of its own.
func (w *world) request(method, path string, body any, s *subject, header ...string) *http.Request {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			panic(err)
		}
		rd = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Host = apptest.Host
	w.addrs++
	req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:40000", w.addrs>>16&255, w.addrs>>8&255, w.addrs&255)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s != nil && s.caller != nil {
		req.Header.Set("Authorization", "Bearer "+s.caller.Token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// fixtures makes objects through the MLflow API as an admin, failing t when that fails.
type fixtures struct {
	*world
	t     *testing.T
	admin *apptest.Env
}

func (w *world) fixtures(t *testing.T) *fixtures {
	e := *w.env
	e.T = t
	admin := &e
	if !w.local {
		admin = e.As(w.owner)
	}
	return &fixtures{world: w, t: t, admin: admin}
}

const fx = "/api/3.0/mlflow" // where fixtures are made

func (f *fixtures) next() int { f.n++; return f.n }

func (f *fixtures) unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, f.next()) }

func (f *fixtures) traceID() string { return fmt.Sprintf("tr-%032x", f.next()) }

func (f *fixtures) otelTraceID() string { return fmt.Sprintf("%032x", f.next()) }

func (f *fixtures) side(own bool) *side {
	e := f.experiment(own)
	s := &side{own: own, exp: e.id, expName: e.name}
	s.run = f.run(s.exp)
	s.trace = f.trace(s.exp)
	s.assessment = f.assessment(s.trace)
	s.dataset = f.dataset(s.exp)
	s.record = f.record(s.dataset)
	sc := f.schema(s.exp)
	s.schema, s.schemaName = sc.id, sc.name
	s.app = f.reviewApp(s.exp)
	var reviewers []string
	if own && f.reviewer != nil {
		reviewers = []string{f.reviewer.caller.Email}
	}
	s.session = f.session(s.app, s.schemaName, reviewers...)
	s.item = f.addItem(s, s.session, s.trace)
	return s
}

// named is an id with its name.
type named struct{ id, name string }

// experiment makes an experiment; on the own side the graded subjects get their grants on it.
func (f *fixtures) experiment(own bool) named {
	name := f.unique(pick(own, "own", "other"))
	id := f.admin.MustOK(http.MethodPost, fx+"/experiments/create", obj{"name": name})["experiment_id"].(string)
	for _, s := range f.subjects {
		if own && s.level > 0 {
			if err := f.env.DB.GrantPermission(context.Background(), id, &s.caller.UserID, "", s.level, "grant", "", nil); err != nil {
				f.t.Fatalf("grant %s on %s: %v", s.name, id, err)
			}
		}
	}
	if own && f.reviewer != nil { // the reviewer's access comes from an assignment, as it does in use
		f.session(f.reviewApp(id), "guidelines", f.reviewer.caller.Email)
	}
	return named{id, name}
}

func (f *fixtures) deletedExperiment(own bool) string {
	id := f.experiment(own).id
	f.admin.MustOK(http.MethodPost, fx+"/experiments/delete", obj{"experiment_id": id})
	return id
}

func (f *fixtures) experimentTag(exp string) string {
	key := f.unique("tag")
	f.admin.MustOK(http.MethodPost, fx+"/experiments/set-experiment-tag", obj{"experiment_id": exp, "key": key, "value": "v"})
	return key
}

func (f *fixtures) run(exp string) string {
	b := f.admin.MustOK(http.MethodPost, fx+"/runs/create", obj{"experiment_id": exp})
	return apptest.Get(b, "run", "info", "run_id").(string)
}

func (f *fixtures) deletedRun(exp string) string {
	id := f.run(exp)
	f.admin.MustOK(http.MethodPost, fx+"/runs/delete", obj{"run_id": id})
	return id
}

func (f *fixtures) runTag(run string) string {
	key := f.unique("tag")
	f.admin.MustOK(http.MethodPost, fx+"/runs/set-tag", obj{"run_id": run, "key": key, "value": "v"})
	return key
}

// trace makes a trace whose request preview names its experiment, so a leak is easy to spot.
func (f *fixtures) trace(exp string) string {
	id := f.traceID()
	f.admin.MustOK(http.MethodPost, fx+"/traces", startTrace(id, exp, "preview of a trace of experiment "+exp))
	return id
}

func (f *fixtures) traceTag(trace string) string {
	key := f.unique("tag")
	f.admin.MustOK(http.MethodPatch, fx+"/traces/"+trace+"/tags", obj{"key": key, "value": "v"})
	return key
}

func (f *fixtures) assessment(trace string) string {
	b := f.admin.MustOK(http.MethodPost, fx+"/traces/"+trace+"/assessments", obj{"assessment": feedback()})
	return apptest.Get(b, "assessment", "assessment_id").(string)
}

func (f *fixtures) dataset(exps ...string) string {
	b := f.admin.MustOK(http.MethodPost, fx+"/datasets/create", obj{"name": f.unique("ds"), "experiment_ids": exps})
	return apptest.Get(b, "dataset", "dataset_id").(string)
}

// record adds a record to a dataset and returns its id.
func (f *fixtures) record(dataset string) string {
	marker := f.unique("q")
	f.admin.MustOK(http.MethodPost, fx+"/datasets/"+dataset+"/records", obj{"records": recordsJSON(marker)})
	b := f.admin.MustOK(http.MethodGet, fx+"/datasets/"+dataset+"/records?max_results=1000", nil)
	var recs []struct {
		ID     string            `json:"dataset_record_id"`
		Inputs map[string]string `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(b["records"].(string)), &recs); err != nil {
		f.t.Fatalf("records of %s: %v", dataset, err)
	}
	for _, r := range recs {
		if r.Inputs["q"] == marker {
			return r.ID
		}
	}
	f.t.Fatalf("record %s not found in dataset %s", marker, dataset)
	return ""
}

func (f *fixtures) schema(exp string) named {
	name := f.unique("schema")
	b := f.admin.MustOK(http.MethodPost, fx+"/label-schemas/create", labelSchema(exp, name))
	return named{apptest.Get(b, "label_schema", "schema_id").(string), name}
}

// Labeling fixtures, through the managed-evals API.
const me = "/api/2.0/managed-evals"

// reviewApp gets (or creates) an experiment's review app.
func (f *fixtures) reviewApp(exp string) string {
	return f.admin.MustOK(http.MethodPost, me+"/review-apps", obj{"experiment_id": exp})["review_app_id"].(string)
}

// session makes a labeling session in a review app, asking one schema, with these reviewers.
func (f *fixtures) session(app, schema string, reviewers ...string) string {
	b := f.admin.MustOK(http.MethodPost, me+"/review-apps/"+app+"/labeling-sessions", obj{"name": f.unique("session"),
		"labeling_schemas": []obj{{"name": schema}}, "assigned_users": append([]string{}, reviewers...)})
	return b["labeling_session_id"].(string)
}

// addItem adds a trace of the side's experiment (a new one when trace is "") to a session of the
// side and returns the item's id.
func (f *fixtures) addItem(s *side, session, trace string) string {
	if trace == "" {
		trace = f.trace(s.exp)
	}
	b := f.admin.MustOK(http.MethodPost, me+"/review-apps/"+s.app+"/labeling-sessions/"+session+"/items:batchCreate",
		obj{"items": []obj{{"source": obj{"trace_id": trace}}}})
	return apptest.Get(b, "items", 0, "item_id").(string)
}

// notification makes a notification and returns its id: the caller's own on the own side (the
// local admin's in local mode), the bystander's on the other side (and for the anonymous
// caller). Notifications are sent by assigning someone to a session, so it assigns them to a
// new session of an experiment that serves nothing else.
func (f *fixtures) notification(c cell) int64 {
	who := f.admin
	switch {
	case f.local:
	case c.side.own && c.subject.caller != nil:
		who = f.admin.As(*c.subject.caller)
	default:
		who = f.admin.As(f.bystander)
	}
	email := who.MustOK(http.MethodGet, "/api/assay/v1/me", nil)["user"].(map[string]any)["email"].(string)
	if f.noticeExp == "" {
		f.noticeExp = f.experiment(false).id
	}
	sid := f.session(f.reviewApp(f.noticeExp), "guidelines", email)
	for _, n := range who.MustOK(http.MethodGet, "/api/assay/v1/notifications", nil)["notifications"].([]any) {
		if n := n.(map[string]any); strings.HasSuffix(n["link"].(string), "/review/"+sid) {
			return int64(n["id"].(float64))
		}
	}
	f.t.Fatalf("no notification of %s for session %s", email, sid)
	return 0
}

// grant gives a pending READ grant on exp to a new email and returns the grant's id.
func (f *fixtures) grant(exp string) int64 {
	email := f.unique("pending") + "@example.com"
	ctx := context.Background()
	if err := f.env.DB.GrantPermission(ctx, exp, nil, email, store.PermRead, "grant", "", nil); err != nil {
		f.t.Fatalf("grant on %s: %v", exp, err)
	}
	gs, err := f.env.DB.FindGrants(ctx, exp)
	if err != nil {
		f.t.Fatalf("grants of %s: %v", exp, err)
	}
	for _, g := range gs {
		if g.Email == email {
			return g.GrantID
		}
	}
	f.t.Fatalf("grant for %s not found on %s", email, exp)
	return 0
}

// token makes an API token to revoke: the caller's own on the own side (the local admin's in
// local mode), the bystander's on the other side (and for the anonymous caller, who has none).
func (f *fixtures) token(c cell) string {
	userID := f.bystander.UserID
	switch {
	case f.local:
		userID = int64(f.admin.MustOK(http.MethodGet, "/api/assay/v1/me", nil)["user"].(map[string]any)["id"].(float64))
	case c.side.own && c.subject.caller != nil:
		userID = c.subject.caller.UserID
	}
	_, info, err := f.env.Server.Auth.CreateToken(context.Background(), userID, "to revoke", nil)
	if err != nil {
		f.t.Fatalf("create token: %v", err)
	}
	return info.ID
}

// q is a path with a query.
func q(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return path + "?" + v.Encode()
}

// fillParams puts a placeholder in a route's path parameters.
func fillParams(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || p == "*" {
			parts[i] = "x"
		}
	}
	return strings.Join(parts, "/")
}

// startTrace is a StartTraceV3 body.
func startTrace(id, exp, preview string) obj {
	return obj{"trace": obj{"trace_info": obj{"trace_id": id,
		"trace_location": obj{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": obj{"experiment_id": exp}},
		"request_time":   "2025-01-01T00:00:00Z", "execution_duration": "1s", "state": "OK", "request_preview": preview}}}
}

func feedback() obj {
	return obj{"assessment_name": "quality", "source": obj{"source_type": "HUMAN", "source_id": "matrix"}, "feedback": obj{"value": true}}
}

func recordsJSON(marker string) string { return `[{"inputs": {"q": "` + marker + `"}}]` }

func labelSchema(exp, name string) obj {
	return obj{"experiment_id": exp, "name": name, "type": "FEEDBACK", "input": obj{"pass_fail": obj{"positive_label": "Yes", "negative_label": "No"}}}
}

// otlpJSON is an OTLP/JSON export of one finished root span.
func otlpJSON(traceHex string) string {
	return `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"` + traceHex + `","spanId":"1112131415161718","name":"root",` +
		`"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"}]}]}]}`
}

// importJSONL is a JSON Lines import of one plain record into the target experiment; spelling is
// the last path segment as the client writes it.
func importJSONL(c cell, spelling string) call {
	return call{path: "/api/assay/v1/experiments/" + c.side.exp + "/" + spelling, body: `{"inputs": {"q": "hi"}, "outputs": "yo"}` + "\n",
		header: []string{"Content-Type", "application/x-ndjson"}}
}
