package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/apptest"
	"github.com/assay-labs/assay/app/store"
	"github.com/assay-labs/assay/auth"
)

// serveLocal starts a real Assay in local mode over the database in dir, as `assay serve
// --data-dir dir` would, and returns its URL.
func serveLocal(t *testing.T, dir string) string {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "assay.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := app.Config{DataDir: dir, Addr: "127.0.0.1:5000", MaxBodyBytes: 1 << 20, ReviewerAccess: "experiment", SessionTTL: time.Hour}
	log := slog.New(slog.DiscardHandler)
	svc, err := auth.New(cfg.AuthConfig(cfg.Addr), db.Writer, db.Reader, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.New(cfg, db, svc, log).Echo)
	t.Cleanup(srv.Close)
	return srv.URL
}

// bearer and basic are the two ways a program sends an API token.
func bearer(secret string) string { return "Bearer " + secret }
func basic(secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("mlflow:"+secret))
}

// whoami calls GET /api/assay/v1/me at base with the Authorization header (client's cookies,
// if any, too) and returns the status, the user's email and how the caller was authenticated.
func whoami(t *testing.T, c *http.Client, base, authorization string) (status int, email, via string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/assay/v1/me", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var me struct {
		User struct {
			Email string `json:"email"`
			Admin bool   `json:"admin"`
		} `json:"user"`
		Via string `json:"via"`
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&me); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, me.User.Email, me.Via
}

// createToken runs `assay token create` and returns the secret, checking that it is all that
// standard output holds.
func createToken(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := run(t, append([]string{"token", "create"}, args...)...)
	if code != ExitOK {
		t.Fatalf("token create %v: exit %d, stderr:\n%s", args, code, errOut)
	}
	secret := strings.TrimSuffix(out, "\n")
	if !strings.HasPrefix(secret, auth.TokenPrefix) || strings.ContainsAny(secret, " \n") {
		t.Fatalf("token create: stdout = %q, want only the secret and a newline", out)
	}
	if !strings.Contains(errOut, "shown only this once") {
		t.Errorf("token create: stderr = %q, want the details there", errOut)
	}
	return secret
}

// tokenID finds the id of the token called name in `assay token list` output.
func tokenID(t *testing.T, name string, args ...string) string {
	t.Helper()
	code, out, errOut := run(t, append([]string{"token", "list"}, args...)...)
	if code != ExitOK {
		t.Fatalf("token list: exit %d, stderr:\n%s", code, errOut)
	}
	for _, line := range strings.Split(out, "\n")[1:] {
		if f := strings.Fields(line); len(f) > 1 && f[1] == name {
			return f[0]
		}
	}
	t.Fatalf("no token %q in the list:\n%s", name, out)
	return ""
}

// TestTokenLocalMode: a token made by the CLI in local mode belongs to the local admin and is
// accepted by a server over the same data directory, as Bearer and as Basic, until revoked by
// the CLI while that server runs.
func TestTokenLocalMode(t *testing.T) {
	dir := t.TempDir()
	secret := createToken(t, "--data-dir", dir, "--name", "ci", "--expires", "720h")
	url := serveLocal(t, dir)

	for _, h := range []string{bearer(secret), basic(secret)} {
		if code, email, via := whoami(t, http.DefaultClient, url, h); code != http.StatusOK || email != auth.LocalEmail || via != auth.ViaToken {
			t.Errorf("%.6s…: /me = %d %q via %q, want 200 %s via token", h, code, email, via, auth.LocalEmail)
		}
	}
	// A real MLflow route with the token.
	req, _ := http.NewRequest(http.MethodPost, url+"/api/2.0/mlflow/experiments/create", strings.NewReader(`{"name":"with-cli-token"}`))
	req.Header.Set("Authorization", bearer(secret))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("create experiment with the token: %v %v", resp.Status, err)
	}

	id := tokenID(t, "ci", "--data-dir", dir) // --email defaults to the local admin
	code, out, errOut := run(t, "token", "list", "--data-dir", dir, "--email", auth.LocalEmail)
	if code != ExitOK || !strings.Contains(out, id) || strings.Contains(out, "never (expired)") || !strings.Contains(out, "EXPIRES") {
		t.Errorf("token list --email: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, "token", "revoke", id, "--data-dir", dir); code != ExitOK || !strings.Contains(out, "revoked token "+id) {
		t.Fatalf("token revoke: exit %d, %q %q", code, out, errOut)
	}
	for _, h := range []string{bearer(secret), basic(secret)} {
		if code, _, _ := whoami(t, http.DefaultClient, url, h); code != http.StatusUnauthorized {
			t.Errorf("%.6s… after revoke: /me = %d, want 401", h, code)
		}
	}
	if code, _, errOut := run(t, "token", "revoke", id, "--data-dir", dir); code != ExitError || !strings.Contains(errOut, "no token "+id) {
		t.Errorf("revoking again: exit %d, stderr %q; want 1 and an explanation", code, errOut)
	}
	if code, out, errOut := run(t, "token", "list", "--data-dir", dir); code != ExitOK || out != "" || !strings.Contains(errOut, "no API tokens") {
		t.Errorf("token list after revoke: exit %d, %q %q", code, out, errOut)
	}
}

// TestTokenOIDCMode: with the issuer the server runs with, the CLI makes tokens for people who
// signed in; a local-mode token from before the switch to SSO is refused.
func TestTokenOIDCMode(t *testing.T) {
	dir := t.TempDir()
	localSecret := createToken(t, "--data-dir", dir)
	sso := apptest.NewSSO(t, dir, nil)
	t.Setenv("ASSAY_DATA_DIR", dir)
	t.Setenv("ASSAY_OIDC_ISSUER", sso.Issuer)

	if code, _, _ := whoami(t, http.DefaultClient, sso.URL, bearer(localSecret)); code != http.StatusUnauthorized {
		t.Errorf("local-mode token with an issuer: /me = %d, want 401", code)
	}
	code, out, errOut := run(t, "token", "create", "--email", "ben@example.com")
	if code != ExitError || out != "" || !strings.Contains(errOut, "no user has signed in with the verified email ben@example.com") {
		t.Errorf("token for someone who never signed in: exit %d, %q %q", code, out, errOut)
	}

	ben := sso.SignIn(t, "ben@example.com")
	secret := createToken(t, "--email", "Ben@Example.com", "--name", "laptop")
	for _, h := range []string{bearer(secret), basic(secret)} {
		if code, email, via := whoami(t, http.DefaultClient, sso.URL, h); code != http.StatusOK || email != "ben@example.com" || via != auth.ViaToken {
			t.Errorf("%.6s…: /me = %d %q via %q, want ben via token", h, code, email, via)
		}
	}
	if code, _, errOut := run(t, "token", "revoke", "--email", "ana@example.com", "x"); code != ExitError {
		t.Errorf("revoke for a stranger: exit %d %q, want 1", code, errOut)
	}
	if code, _, errOut := run(t, "token", "revoke", tokenID(t, "laptop", "--email", "ben@example.com")); code != ExitUsage || !strings.Contains(errOut, "--email") {
		t.Errorf("revoke without --email in OIDC mode: exit %d %q, want 2", code, errOut)
	}
	if code, _, errOut := run(t, "token", "revoke", "--email", "ben@example.com", tokenID(t, "laptop", "--email", "ben@example.com")); code != ExitOK {
		t.Fatalf("revoke: exit %d %q", code, errOut)
	}
	if code, _, _ := whoami(t, http.DefaultClient, sso.URL, bearer(secret)); code != http.StatusUnauthorized {
		t.Errorf("revoked token: /me = %d, want 401", code)
	}
	if code, email, via := whoami(t, ben, sso.URL, ""); code != http.StatusOK || email != "ben@example.com" || via != auth.ViaSession {
		t.Errorf("ben's browser session: /me = %d %q via %q", code, email, via)
	}
}

func TestTokenUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"token"}, ExitUsage, "assay token create"},
		{[]string{"token", "mint"}, ExitUsage, `unknown command "mint"`},
		{[]string{"token", "create", "--data-dir", dir, "--email", "ana@example.com"}, ExitUsage, "local mode: API tokens belong to the local admin"},
		{[]string{"token", "create", "--data-dir", dir, "--oidc-issuer", "http://127.0.0.1:9/"}, ExitUsage, "--email"},
		{[]string{"token", "create", "--data-dir", dir, "--oidc-issuer", "http://127.0.0.1:9/", "--email", auth.LocalEmail}, ExitUsage, "local mode's user"},
		{[]string{"token", "create", "--data-dir", dir, "--expires", "-1h"}, ExitUsage, "negative"},
		{[]string{"token", "create", "--data-dir", dir, "--name", ""}, ExitError, "name must be 1 to 100 characters"},
		{[]string{"token", "create", "--data-dir", dir, "extra"}, ExitUsage, "unexpected argument"},
		{[]string{"token", "revoke", "--data-dir", dir}, ExitUsage, "TOKEN_ID"},
		{[]string{"token", "create", "--help"}, ExitOK, "refused once Assay runs with an OIDC issuer"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			if code != tt.wantCode || out != "" || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, empty stdout, stderr with %q", code, out, errOut, tt.wantCode, tt.wantErr)
			}
		})
	}
}
