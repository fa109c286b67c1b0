package labelingapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/apptest"
)

// call sends a same-origin JSON request with a signed-in browser client.
func call(t *testing.T, c *http.Client, origin, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, origin+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", origin)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestReviewerAssignedBeforeFirstSignIn: assigning an email nobody has signed in with yet leaves a
// pending grant that binds, through the real sign-in, to the user whose verified email it is —
// and to nobody else (dan's email is unverified).
func TestReviewerAssignedBeforeFirstSignIn(t *testing.T) {
	sso := apptest.NewSSO(t, "", func(c *app.Config) { c.AdminEmails = "ana@example.com" })
	ana := sso.SignIn(t, "ana@example.com")
	_, exp := call(t, ana, sso.URL, "POST", "/api/2.0/mlflow/experiments/create", map[string]any{"name": "e"})
	expID := exp["experiment_id"].(string)
	_, apps := call(t, ana, sso.URL, "GET", "/api/2.0/managed-evals/review-apps?filter=experiment_id="+expID, nil)
	appID := apptest.Get(apps, "review_apps", 0, "review_app_id").(string)
	status, sess := call(t, ana, sso.URL, "POST", "/api/2.0/managed-evals/review-apps/"+appID+"/labeling-sessions", map[string]any{
		"name": "s", "assigned_users": []string{"cy@example.com", "dan@example.com"}, "labeling_schemas": []map[string]string{{"name": "guidelines"}}})
	if status != 200 {
		t.Fatalf("create session: %d %v", status, sess)
	}
	sid := sess["labeling_session_id"].(string)

	cy := sso.SignIn(t, "cy@example.com")
	if status, _ := call(t, cy, sso.URL, "GET", "/api/2.0/mlflow/experiments/get?experiment_id="+expID, nil); status != 200 {
		t.Errorf("cy, assigned before first sign-in: experiment status %d, want 200", status)
	}
	_, mine := call(t, cy, sso.URL, "GET", "/api/assay/v1/review/sessions", nil)
	want(t, "cy's sessions", apptest.Get(mine, "sessions", 0, "labeling_session_id"), sid)

	dan := sso.SignIn(t, "dan@example.com") // email not verified: it must not claim the grant
	if status, _ := call(t, dan, sso.URL, "GET", "/api/2.0/mlflow/experiments/get?experiment_id="+expID, nil); status != 403 {
		t.Errorf("dan (unverified email): experiment status %d, want 403", status)
	}
}
