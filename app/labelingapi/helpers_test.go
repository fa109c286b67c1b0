package labelingapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/assay-labs/assay/app/apptest"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// team is an OIDC-mode Assay with a developer and two reviewers, and one experiment of the developer's.
type team struct {
	env      *apptest.Env
	dev      *apptest.Env
	ana, ben *apptest.Env
	exp      string
	app      string
}

func newTeam(t *testing.T) *team {
	t.Helper()
	env := apptest.NewOIDC(t)
	tm := &team{env: env, dev: env.As(env.User("dev@example.com", false)), ana: env.As(env.User("ana@example.com", false)), ben: env.As(env.User("ben@example.com", false))}
	tm.exp = tm.dev.MustOK("POST", "/api/2.0/mlflow/experiments/create", map[string]any{"name": "support-bot"})["experiment_id"].(string)
	apps := tm.dev.MustOK("GET", "/api/2.0/managed-evals/review-apps?filter=experiment_id="+tm.exp, nil)
	tm.app = apptest.Get(apps, "review_apps", 0, "review_app_id").(string)
	return tm
}

// trace stores a one-span trace with the given inputs and outputs (and tags) and returns its id.
func (tm *team) trace(t *testing.T, inputs, outputs any, tags map[string]string) string {
	t.Helper()
	ctx := context.Background()
	span := model.Span{TraceID: store.NewHexID(16), SpanID: store.NewHexID(8), Name: "support_app", StartTimeNs: 1_700_000_000_000_000_000,
		EndTimeNs: 1_700_000_001_000_000_000, StatusCode: model.StatusOK, Attributes: map[string]any{
			model.AttrSpanType: "CHAIN", model.AttrSpanInputs: inputs, model.AttrSpanOutput: outputs}}
	ids, err := tm.env.DB.LogSpans(ctx, tm.exp, []model.Span{span})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range tags {
		if err := tm.env.DB.SetTraceTag(ctx, ids[0], k, v); err != nil {
			t.Fatal(err)
		}
	}
	return ids[0]
}

func (tm *team) sessionsPath() string {
	return "/api/2.0/managed-evals/review-apps/" + tm.app + "/labeling-sessions"
}

// mustStatus fails unless the response has the status; it returns the JSON body.
func mustStatus(t *testing.T, r apptest.Response, want int) map[string]any {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	return r.JSON(t)
}

func want(t *testing.T, what string, got, wantV any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(wantV)
	if string(g) != string(w) {
		t.Errorf("%s = %s, want %s", what, g, w)
	}
}

var _ = fmt.Sprint
var _ = http.StatusOK
