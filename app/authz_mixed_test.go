package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/apptest"
	"github.com/assay-labs/assay/app/mlflowapi"
	"github.com/assay-labs/assay/app/store"
)

// Mixed ids (reference/security.md §5, item 3): the permission check looks at one id while the
// handler acts on another, so a caller with rights on their own objects reaches someone else's.
// Each probe is made by a user holding MANAGE on an own experiment and nothing on the other one;
// it names own objects where the check looks and the other side's where the handler might act.
// Afterwards the other side must be as it was, and nothing of it may have come back.

// probe is one such request.
type probe struct {
	name    string
	method  string
	req     func(f *fixtures, own, other *side) call // the path is the full path
	refused bool                                     // it must be refused with a 4xx
	// intact says what the request changed or revealed of the other side ("" when nothing).
	intact func(f *fixtures, own, other *side, r apptest.Response) string
}

var probes = []probe{
	// Go's encoding/json matches object keys to struct fields case-insensitively; a check that
	// reads the body as a map sees only the exact spelling.
	{"case-folded twin key/experiments-delete", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/experiments/delete", body: fmt.Sprintf(`{"experiment_id": %q, "EXPERIMENT_ID": %q}`, own.exp, other.exp)}
	}, false, experimentActive},
	{"case-folded twin key/runs-delete", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/runs/delete", body: fmt.Sprintf(`{"run_id": %q, "RUN_ID": %q}`, own.run, other.run)}
	}, false, runActive},
	{"case-folded twin key/traces-search", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/traces/search", body: fmt.Sprintf(`{"experiment_ids": [%q], "EXPERIMENT_IDS": [%q]}`, own.exp, other.exp)}
	}, false, traceNotShown},
	{"case-folded twin key/start-trace", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/traces", body: fmt.Sprintf(`{"trace": %s, "TRACE": %s}`, jsonOf(startTrace(f.traceID(), own.exp, "")["trace"]),
			jsonOf(startTrace(f.traceID(), other.exp, "")["trace"]))}
	}, false, traceCountIs(1)},

	// The check reads the body only when it is labelled JSON; the handler decodes it whatever
	// its Content-Type (API-token callers are exempt from CSRF's JSON-only rule), and where the
	// check then falls back to the query, or to the Default experiment, the two disagree.
	{"body not labelled JSON/traces-search", http.MethodPost, func(f *fixtures, own, other *side) call {
		return textBody(q(fx+"/traces/search", "experiment_ids", own.exp), obj{"experiment_ids": []string{other.exp}})
	}, false, traceNotShown},
	{"body not labelled JSON/label-schemas-update", http.MethodPatch, func(f *fixtures, own, other *side) call {
		return textBody(q(fx+"/label-schemas/update", "schema_id", own.schema), obj{"schema_id": other.schema, "title": "Overwritten"})
	}, false, schemaUntitled},
	{"body not labelled JSON/label-schemas-delete", http.MethodDelete, func(f *fixtures, own, other *side) call {
		return textBody(q(fx+"/label-schemas/delete", "schema_id", own.schema), obj{"schema_id": other.schema})
	}, false, schemaExists},
	{"body not labelled JSON, EDIT on Default/runs-create", http.MethodPost, func(f *fixtures, own, other *side) call {
		return textBody(fx+"/runs/create", obj{"experiment_id": other.exp})
	}, false, runCountIs(2)}, // its run, and its labeling session's
	{"body not labelled JSON, EDIT on Default/start-trace", http.MethodPost, func(f *fixtures, own, other *side) call {
		return textBody(fx+"/traces", startTrace(f.traceID(), other.exp, ""))
	}, false, traceCountIs(1)},
	{"body not labelled JSON, EDIT on Default/datasets-create", http.MethodPost, func(f *fixtures, own, other *side) call {
		return textBody(fx+"/datasets/create", obj{"name": f.unique("ds"), "experiment_ids": []string{other.exp}})
	}, false, datasetCountIs(1)},

	// A trace id is global: writing "a trace of my experiment" under someone else's trace id
	// must not reach their trace (the JSON Lines import refuses exactly this).
	{"other's trace id/start-trace", http.MethodPost, func(f *fixtures, own, other *side) call {
		b := startTrace(other.trace, own.exp, "")
		b["trace"].(obj)["trace_info"].(obj)["tags"] = obj{"planted": "yes"}
		return call{path: fx + "/traces", body: b}
	}, true, func(f *fixtures, own, other *side, r apptest.Response) string {
		if s := traceNotShown(f, own, other, r); s != "" {
			return s
		}
		if tags, _ := apptest.Get(f.admin.MustOK(http.MethodGet, fx+"/traces/"+other.trace+"/info", nil), "trace", "trace_info", "tags").(map[string]any); tags["planted"] != nil {
			return "the other experiment's trace got the caller's tag"
		}
		return ""
	}},
	{"other's trace id/otlp", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/v1/traces", body: otlpJSON(strings.TrimPrefix(other.trace, "tr-")), header: []string{mlflowapi.ExperimentHeader, own.exp}}
	}, true, func(f *fixtures, own, other *side, r apptest.Response) string {
		if spans, err := f.env.DB.FindSpans(context.Background(), other.trace); err != nil || len(spans) > 0 {
			return fmt.Sprintf("the other experiment's trace got %d spans from the caller (err %v)", len(spans), err)
		}
		return ""
	}},
	{"other's trace id/jsonl-import", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/experiments/" + own.exp + "/traces:import", body: otlpJSON(strings.TrimPrefix(other.trace, "tr-")) + "\n",
			header: []string{"Content-Type", "application/x-ndjson"}}
	}, true, nil},

	// A child fetched by its own id must belong to the parent the check looked at.
	{"own trace, other's assessment/get", http.MethodGet, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/traces/" + own.trace + "/assessments/" + other.assessment}
	}, true, nil},
	{"own trace, other's assessment/patch", http.MethodPatch, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/traces/" + own.trace + "/assessments/" + other.assessment, body: obj{"assessment": obj{"rationale": "overwritten"}, "update_mask": "rationale"}}
	}, true, assessmentUnchanged},
	{"own trace, other's assessment/delete", http.MethodDelete, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/traces/" + own.trace + "/assessments/" + other.assessment}
	}, true, assessmentUnchanged},
	{"own trace, assessment body naming other's trace", http.MethodPost, func(f *fixtures, own, other *side) call {
		a := feedback()
		a["trace_id"] = other.trace
		return call{path: fx + "/traces/" + own.trace + "/assessments", body: obj{"assessment": a}}
	}, false, assessmentCountIs(1)},
	{"own dataset, other's record/delete-records", http.MethodDelete, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/datasets/" + own.dataset + "/records", body: obj{"dataset_record_ids": []string{other.record}}}
	}, false, recordExists},
	{"own experiment, other's trace/delete-traces", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/traces/delete-traces", body: obj{"experiment_id": own.exp, "trace_ids": []string{other.trace}}}
	}, false, traceCountIs(1)},
	{"own run, other's trace/link-to-run", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/traces/link-to-run", body: obj{"run_id": own.run, "trace_ids": []string{other.trace}}}
	}, true, nil},

	// Several ids: every one of them is checked.
	{"own and other's trace/batchGetInfos", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/traces/batchGetInfos", body: obj{"trace_ids": []string{own.trace, other.trace}}}
	}, true, traceNotShown},
	{"own and other's experiment/runs-search", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/runs/search", body: obj{"experiment_ids": []string{own.exp, other.exp}}}
	}, true, nil},
	{"own and other's experiment/datasets-create", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/datasets/create", body: obj{"name": f.unique("ds"), "experiment_ids": []string{own.exp, other.exp}}}
	}, true, datasetCountIs(1)},
	{"dataset of own and other's experiment/get", http.MethodGet, func(f *fixtures, own, other *side) call {
		return call{path: fx + "/datasets/" + f.dataset(own.exp, other.exp)}
	}, true, nil},
	{"own experiment, other's dataset/jsonl-export", http.MethodGet, func(f *fixtures, own, other *side) call {
		return call{path: q("/api/assay/v1/datasets/"+other.dataset+"/records.jsonl", "experiment_id", own.exp)}
	}, true, nil},
}

// labelingProbes are the mixed ids of labeling: the check loads a session (through a review app)
// or an experiment's dataset, the handler acts on an item, a trace or a dataset it is given.
var labelingProbes = []probe{
	// A session is addressed through its own review app only: through another one it does not
	// exist (404), whichever of the two the caller holds rights on.
	{"own review app, other's session/get", http.MethodGet, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + other.session}
	}, true, all(statusIn(404), otherSessionIntact)},
	{"own review app, other's session/patch", http.MethodPatch, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + other.session + "?update_mask=name", body: obj{"name": "Overwritten"}}
	}, true, all(statusIn(404), otherSessionIntact)},
	{"own review app, other's session/delete", http.MethodDelete, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + other.session}
	}, true, all(statusIn(404), otherSessionIntact)},
	{"own review app, other's session/list-items", http.MethodGet, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + other.session + "/items"}
	}, true, all(statusIn(404), traceNotShown)},
	{"own review app, other's session/get-item", http.MethodGet, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + other.session + "/items/" + other.item}
	}, true, all(statusIn(404), traceNotShown)},
	{"own review app, other's session/patch-item", http.MethodPatch, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + other.session + "/items/" + other.item + "?update_mask=state", body: obj{"state": "COMPLETED"}}
	}, true, all(statusIn(404), otherItemsIntact)},
	{"own review app, other's session/delete-item", http.MethodDelete, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + other.session + "/items/" + other.item}
	}, true, all(statusIn(404), otherItemsIntact)},
	{"own review app, other's session/batchCreate", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + other.session + "/items:batchCreate", body: obj{"items": []obj{{"source": obj{"trace_id": f.trace(other.exp)}}}}}
	}, true, all(statusIn(404), otherItemsIntact)},
	{"other's review app, own session/get", http.MethodGet, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(other) + "/" + own.session}
	}, true, statusIn(404)},
	{"other's review app, own session/patch", http.MethodPatch, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(other) + "/" + own.session + "?update_mask=name", body: obj{"name": "Overwritten"}}
	}, true, statusIn(404)},
	{"other's review app, own session/list-items", http.MethodGet, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(other) + "/" + own.session + "/items"}
	}, true, statusIn(404)},

	// An item is fetched by its id within the session the check looked at.
	{"own session, other's item/get", http.MethodGet, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + own.session + "/items/" + other.item}
	}, true, all(statusIn(404), traceNotShown)},
	{"own session, other's item/patch", http.MethodPatch, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + own.session + "/items/" + other.item + "?update_mask=state,labels",
			body: obj{"state": "COMPLETED", "labels": obj{own.schemaName: obj{"value": true}}}}
	}, true, all(statusIn(404), otherItemsIntact, assessmentCountIs(1))},
	{"own session, other's item/delete", http.MethodDelete, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + own.session + "/items/" + other.item}
	}, true, all(statusIn(404), otherItemsIntact)},
	{"own session, other's item/review", http.MethodGet, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/review/sessions/" + own.session + "/items/" + other.item}
	}, true, all(statusIn(404), traceNotShown)},
	{"own session, other's item/submit", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/review/sessions/" + own.session + "/items/" + other.item + "/submit", body: obj{"answers": obj{own.schemaName: obj{"value": true}}}}
	}, true, all(statusIn(404), otherItemsIntact, assessmentCountIs(1))},
	{"own session, other's item/skip", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/review/sessions/" + own.session + "/items/" + other.item + "/skip", body: obj{}}
	}, true, all(statusIn(404), otherItemsIntact)},

	// A session holds traces of its own experiment only: another experiment's is a 400, and
	// nothing of the request is kept.
	{"own session, other's trace/add-traces", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/sessions/" + own.session + "/traces", body: obj{"trace_ids": []string{other.trace}}}
	}, true, all(statusIn(400), ownSessionLacksOthers)},
	{"own session, own and other's trace/add-traces", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/sessions/" + own.session + "/traces", body: obj{"trace_ids": []string{f.trace(own.exp), other.trace}}}
	}, true, all(statusIn(400), ownSessionLacksOthers, ownSessionHolds(1))},
	{"own session, other's trace/batchCreate", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + own.session + "/items:batchCreate", body: obj{"items": []obj{{"source": obj{"trace_id": other.trace}}}}}
	}, true, all(statusIn(400), ownSessionLacksOthers)},
	{"own session, other's trace/batchCreate-escaped", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own) + "/" + own.session + "/items%3AbatchCreate", body: obj{"items": []obj{{"source": obj{"trace_id": other.trace}}}}}
	}, true, all(statusIn(400), ownSessionLacksOthers)},
	{"own session, other's trace id/add-traces-as-json", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/sessions/" + own.session + "/traces", body: obj{"traces": []json.RawMessage{json.RawMessage(otlpJSON(strings.TrimPrefix(other.trace, "tr-")))}}}
	}, true, all(statusIn(400), ownSessionLacksOthers, func(f *fixtures, own, other *side, r apptest.Response) string {
		if spans, err := f.env.DB.FindSpans(context.Background(), other.trace); err != nil || len(spans) > 0 {
			return fmt.Sprintf("the other experiment's trace got %d spans from the caller (err %v)", len(spans), err)
		}
		return ""
	})},
	{"own session, filter matching other's trace/add-traces", http.MethodPost, func(f *fixtures, own, other *side) call {
		marker := f.unique("marker")
		f.admin.MustOK(http.MethodPatch, fx+"/traces/"+other.trace+"/tags", obj{"key": "probe", "value": marker})
		return call{path: "/api/assay/v1/sessions/" + own.session + "/traces", body: obj{"filter": "tags.probe = '" + marker + "'"}}
	}, false, all(ownSessionLacksOthers, ownSessionHolds(1))},

	// Records come from a dataset the caller may read (403 otherwise, 404 if there is none);
	// a sync writes into a dataset of the session's own experiment, whatever it is called.
	{"own session, other's dataset/records", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/sessions/" + own.session + "/records", body: obj{"dataset_id": other.dataset}}
	}, true, all(statusIn(403, 404), ownSessionLacksOthers, ownSessionHolds(1))},
	{"own session, other's dataset and record/records", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/sessions/" + own.session + "/records", body: obj{"dataset_id": other.dataset, "record_ids": []string{other.record}}}
	}, true, all(statusIn(403, 404), ownSessionLacksOthers, ownSessionHolds(1))},
	{"own session, other's dataset id as name/records", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/sessions/" + own.session + "/records", body: obj{"dataset_name": other.dataset}}
	}, true, all(statusIn(403, 404), ownSessionLacksOthers, ownSessionHolds(1))},
	// By name, a dataset is looked for in the session's experiment only: another experiment's
	// name is not found there, which the route answers as an invalid dataset_name.
	{"own session, other's dataset name/records", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/sessions/" + own.session + "/records", body: obj{"dataset_name": datasetName(f, other.dataset)}}
	}, true, all(statusIn(400, 403, 404), ownSessionLacksOthers, ownSessionHolds(1))},
	{"own session, dataset of own and other's experiment/records", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/sessions/" + own.session + "/records", body: obj{"dataset_id": f.dataset(own.exp, other.exp)}}
	}, true, all(statusIn(403, 404), ownSessionHolds(1))},
	{"own session, own dataset, other's record/records", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: "/api/assay/v1/sessions/" + own.session + "/records", body: obj{"dataset_id": own.dataset, "record_ids": []string{other.record}}}
	}, true, all(ownSessionLacksOthers, ownSessionHolds(1))},
	{"own session, other's dataset name/sync", http.MethodPost, func(f *fixtures, own, other *side) call {
		expectation(f, own.trace)
		return call{path: "/api/assay/v1/sessions/" + own.session + "/sync", body: obj{"dataset_name": datasetName(f, other.dataset)}}
	}, false, syncedIntoOwn},
	{"own session, other's dataset id as name/sync", http.MethodPost, func(f *fixtures, own, other *side) call {
		expectation(f, own.trace)
		return call{path: "/api/assay/v1/sessions/" + own.session + "/sync", body: obj{"dataset_name": other.dataset}}
	}, false, syncedIntoOwn},
	{"own session, other's dataset id/sync", http.MethodPost, func(f *fixtures, own, other *side) call {
		expectation(f, own.trace)
		return call{path: "/api/assay/v1/sessions/" + own.session + "/sync", body: obj{"dataset_id": other.dataset}}
	}, true, syncedIntoOwn},

	// A session asks questions of its own experiment only.
	{"own review app, other's schema/create-session", http.MethodPost, func(f *fixtures, own, other *side) call {
		return call{path: sessionsOf(own), body: obj{"name": f.unique("session"), "labeling_schemas": []obj{{"name": other.schemaName}}}}
	}, true, statusIn(400)},
}

// TestAuthzMatrixMixedIDs runs the probes.
func TestAuthzMatrixMixedIDs(t *testing.T) {
	env := apptest.NewOIDC(t)
	w := newWorld(t, env)
	var caller *subject
	for _, s := range w.subjects {
		if s.name == "MANAGE-token" {
			caller = s
		}
	}
	// Some probes need a caller who may write to the Default experiment, as a deployment that
	// lets everyone log there would have it.
	if err := env.DB.GrantPermission(context.Background(), "0", &caller.caller.UserID, "", store.PermEdit, "grant", "", nil); err != nil {
		t.Fatal(err)
	}
	for _, p := range slices.Concat(probes, labelingProbes) {
		t.Run(p.name, func(t *testing.T) {
			f := w.fixtures(t)
			own, other := f.side(true), f.side(false)
			cl := p.req(f, own, other)
			r := env.Send(w.request(p.method, cl.path, cl.body, caller, cl.header...))
			if p.refused && (r.Status < 400 || r.Status > 499) {
				t.Errorf("%s %s: got %d, want it refused (4xx)\n%s", p.method, cl.path, r.Status, r.Body)
			}
			if p.intact != nil {
				if what := p.intact(f, own, other, r); what != "" {
					t.Errorf("%s %s: %s (status %d)\n%s", p.method, cl.path, what, r.Status, r.Body)
				}
			}
		})
	}
}

// textBody is a JSON body sent as text/plain, with a query for the check to find.
func textBody(path string, body obj) call {
	return call{path: path, body: jsonOf(body), header: []string{"Content-Type", "text/plain"}}
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// What must hold of the other side afterwards.

func experimentActive(f *fixtures, own, other *side, r apptest.Response) string {
	b := f.admin.MustOK(http.MethodGet, q(fx+"/experiments/get", "experiment_id", other.exp), nil)
	if st := apptest.Get(b, "experiment", "lifecycle_stage"); st != "active" {
		return fmt.Sprintf("the other experiment is now %v", st)
	}
	return ""
}

func runActive(f *fixtures, own, other *side, r apptest.Response) string {
	b := f.admin.MustOK(http.MethodGet, q(fx+"/runs/get", "run_id", other.run), nil)
	if st := apptest.Get(b, "run", "info", "lifecycle_stage"); st != "active" {
		return fmt.Sprintf("the other experiment's run is now %v", st)
	}
	return ""
}

func traceNotShown(f *fixtures, own, other *side, r apptest.Response) string {
	if r.Status < 300 && (strings.Contains(string(r.Body), other.trace) || strings.Contains(string(r.Body), "trace of experiment "+other.exp)) {
		return "the answer shows the other experiment's trace"
	}
	return ""
}

func traceCountIs(n int) func(f *fixtures, own, other *side, r apptest.Response) string {
	return func(f *fixtures, own, other *side, r apptest.Response) string {
		b := f.admin.MustOK(http.MethodPost, fx+"/traces/search", obj{"experiment_ids": []string{other.exp}, "max_results": 500})
		if got := len(apptest.Get(b, "traces").([]any)); got != n {
			return fmt.Sprintf("the other experiment holds %d traces, want %d", got, n)
		}
		return ""
	}
}

func runCountIs(n int) func(f *fixtures, own, other *side, r apptest.Response) string {
	return func(f *fixtures, own, other *side, r apptest.Response) string {
		b := f.admin.MustOK(http.MethodPost, fx+"/runs/search", obj{"experiment_ids": []string{other.exp}})
		if got := len(apptest.Get(b, "runs").([]any)); got != n {
			return fmt.Sprintf("the other experiment holds %d runs, want %d", got, n)
		}
		return ""
	}
}

func datasetCountIs(n int) func(f *fixtures, own, other *side, r apptest.Response) string {
	return func(f *fixtures, own, other *side, r apptest.Response) string {
		b := f.admin.MustOK(http.MethodPost, fx+"/datasets/search", obj{"experiment_ids": []string{other.exp}})
		if got := len(apptest.Get(b, "datasets").([]any)); got != n {
			return fmt.Sprintf("the other experiment holds %d datasets, want %d", got, n)
		}
		return ""
	}
}

func assessmentCountIs(n int) func(f *fixtures, own, other *side, r apptest.Response) string {
	return func(f *fixtures, own, other *side, r apptest.Response) string {
		b := f.admin.MustOK(http.MethodGet, fx+"/traces/"+other.trace+"/info", nil)
		if got := len(apptest.Get(b, "trace", "trace_info", "assessments").([]any)); got != n {
			return fmt.Sprintf("the other experiment's trace holds %d assessments, want %d", got, n)
		}
		return ""
	}
}

func assessmentUnchanged(f *fixtures, own, other *side, r apptest.Response) string {
	got := f.admin.Do(http.MethodGet, fx+"/traces/"+other.trace+"/assessments/"+other.assessment, nil)
	if got.Status != http.StatusOK {
		return fmt.Sprintf("the other experiment's assessment is gone (%d)", got.Status)
	}
	if rat := apptest.Get(got.JSON(f.t), "assessment", "rationale"); rat != nil && rat != "" {
		return fmt.Sprintf("the other experiment's assessment now has rationale %v", rat)
	}
	return ""
}

func recordExists(f *fixtures, own, other *side, r apptest.Response) string {
	b := f.admin.MustOK(http.MethodGet, fx+"/datasets/"+other.dataset+"/records", nil)
	if !strings.Contains(fmt.Sprint(b["records"]), other.record) {
		return "the other experiment's dataset record is gone"
	}
	return ""
}

func schemaExists(f *fixtures, own, other *side, r apptest.Response) string {
	if got := f.admin.Do(http.MethodGet, q(fx+"/label-schemas/get", "schema_id", other.schema), nil); got.Status != http.StatusOK {
		return fmt.Sprintf("the other experiment's label schema is gone (%d)", got.Status)
	}
	return ""
}

func schemaUntitled(f *fixtures, own, other *side, r apptest.Response) string {
	b := f.admin.MustOK(http.MethodGet, q(fx+"/label-schemas/get", "schema_id", other.schema), nil)
	if title := apptest.Get(b, "label_schema", "title"); title == "Overwritten" {
		return "the other experiment's label schema was retitled"
	}
	return ""
}

// verdict says what is wrong with the answer or the state after a probe ("" when nothing).
type verdict = func(f *fixtures, own, other *side, r apptest.Response) string

// all applies every verdict, reporting the first complaint.
func all(vs ...verdict) verdict {
	return func(f *fixtures, own, other *side, r apptest.Response) string {
		for _, v := range vs {
			if s := v(f, own, other, r); s != "" {
				return s
			}
		}
		return ""
	}
}

func statusIn(codes ...int) verdict {
	return func(f *fixtures, own, other *side, r apptest.Response) string {
		if !slices.Contains(codes, r.Status) {
			return fmt.Sprintf("got status %d, want %v", r.Status, codes)
		}
		return ""
	}
}

func otherSessionIntact(f *fixtures, own, other *side, r apptest.Response) string {
	got := f.admin.Do(http.MethodGet, sessionsOf(other)+"/"+other.session, nil)
	if got.Status != http.StatusOK {
		return fmt.Sprintf("the other experiment's session is gone (%d)", got.Status)
	}
	if name := got.JSON(f.t)["name"]; name == "Overwritten" {
		return "the other experiment's session was renamed"
	}
	return ""
}

// otherItemsIntact: the other session still holds exactly its one item, pending and unreviewed.
func otherItemsIntact(f *fixtures, own, other *side, r apptest.Response) string {
	b := f.admin.MustOK(http.MethodGet, sessionsOf(other)+"/"+other.session+"/items", nil)
	items, _ := b["items"].([]any)
	if len(items) != 1 || apptest.Get(items, 0, "item_id") != other.item {
		return fmt.Sprintf("the other experiment's session now holds %s", jsonOf(items))
	}
	if st, revs := apptest.Get(items, 0, "state"), apptest.Get(items, 0, "reviews").([]any); st != "PENDING" || len(revs) != 0 {
		return fmt.Sprintf("the other experiment's item is now %v with reviews %s", st, jsonOf(revs))
	}
	return ""
}

// ownItems are the own session's items.
func ownItems(f *fixtures, own *side) []any {
	b := f.admin.MustOK(http.MethodGet, sessionsOf(own)+"/"+own.session+"/items", nil)
	items, _ := b["items"].([]any)
	return items
}

// ownSessionLacksOthers: no item of the own session is the other side's trace, or a record of its dataset.
func ownSessionLacksOthers(f *fixtures, own, other *side, r apptest.Response) string {
	for _, it := range ownItems(f, own) {
		if apptest.Get(it, "source", "trace_id") == other.trace || apptest.Get(it, "source", "dataset_id") == other.dataset {
			return fmt.Sprintf("the caller's session took in the other experiment's %s", jsonOf(apptest.Get(it, "source")))
		}
	}
	return traceNotShown(f, own, other, r)
}

func ownSessionHolds(n int) verdict {
	return func(f *fixtures, own, other *side, r apptest.Response) string {
		if items := ownItems(f, own); len(items) != n {
			return fmt.Sprintf("the caller's session holds %d items, want %d", len(items), n)
		}
		return ""
	}
}

// syncedIntoOwn: a sync, refused or not, left the other dataset as it was, and wrote (if at
// all) into a dataset of the caller's experiment only.
func syncedIntoOwn(f *fixtures, own, other *side, r apptest.Response) string {
	b := f.admin.MustOK(http.MethodGet, fx+"/datasets/"+other.dataset+"/records", nil)
	var recs []any
	if err := json.Unmarshal([]byte(b["records"].(string)), &recs); err != nil || len(recs) != 1 {
		return fmt.Sprintf("the other experiment's dataset now holds %d records (err %v)", len(recs), err)
	}
	if r.Status >= 300 {
		return ""
	}
	id, _ := r.JSON(f.t)["dataset_id"].(string)
	if id == other.dataset {
		return "the sync wrote into the other experiment's dataset"
	}
	exps := f.admin.MustOK(http.MethodGet, fx+"/datasets/"+id+"/experiment-ids", nil)["experiment_ids"]
	if jsonOf(exps) != jsonOf([]string{own.exp}) {
		return fmt.Sprintf("the sync wrote into dataset %s of experiments %s", id, jsonOf(exps))
	}
	return ""
}

// datasetName is a dataset's name.
func datasetName(f *fixtures, id string) string {
	return apptest.Get(f.admin.MustOK(http.MethodGet, fx+"/datasets/"+id, nil), "dataset", "name").(string)
}

// expectation logs an expectation on a trace, so that a sync of its session has a record to write.
func expectation(f *fixtures, trace string) {
	f.admin.MustOK(http.MethodPost, fx+"/traces/"+trace+"/assessments", obj{"assessment": obj{"assessment_name": "expected_facts",
		"source": obj{"source_type": "HUMAN", "source_id": "probe"}, "expectation": obj{"value": []string{"a fact"}}}})
}
