package cli

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/apptest"
)

// isAdmin asks /me whether the client's caller is a server admin.
func isAdmin(t *testing.T, c *http.Client, base string) bool {
	t.Helper()
	resp, err := c.Get(base + "/api/assay/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/me: status %d: %s", resp.StatusCode, body)
	}
	return strings.Contains(body, `"admin":true`)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mustRun runs the CLI, fails the test unless it exits 0, and returns standard output.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := run(t, args...)
	if code != ExitOK {
		t.Fatalf("assay %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// TestUserAdmin: an admin grant for an email nobody has signed in with waits and applies at the
// first verified sign-in; grants and revocations for signed-in users act on their next request.
func TestUserAdmin(t *testing.T) {
	dir := t.TempDir()
	sso := apptest.NewSSO(t, dir, nil)
	t.Setenv("ASSAY_DATA_DIR", dir)
	t.Setenv("ASSAY_OIDC_ISSUER", sso.Issuer)

	if out := mustRun(t, "user", "admin", "grant", "cy@example.com"); !strings.Contains(out, "nobody has signed in with cy@example.com yet") {
		t.Errorf("pending grant: stdout %q", out)
	}
	if out := mustRun(t, "user", "list"); strings.Contains(out, "cy@example.com") {
		t.Errorf("a pending grant made a user:\n%s", out)
	}
	// Dan's email is not verified: the grant to it must not reach him.
	if out := mustRun(t, "user", "admin", "grant", "dan@example.com"); !strings.Contains(out, "yet") {
		t.Errorf("pending grant: stdout %q", out)
	}
	dan := sso.SignIn(t, "dan@example.com")
	if isAdmin(t, dan, sso.URL) {
		t.Error("a grant to an email reached a user whose email is not verified")
	}
	cy := sso.SignIn(t, "cy@example.com")
	if !isAdmin(t, cy, sso.URL) {
		t.Error("cy is not admin after signing in with a pending grant")
	}

	ben := sso.SignIn(t, "ben@example.com")
	if isAdmin(t, ben, sso.URL) {
		t.Fatal("ben is admin without a grant")
	}
	if out := mustRun(t, "user", "admin", "grant", "ben@example.com"); out != "ben@example.com is now a server admin\n" {
		t.Errorf("grant: stdout %q", out)
	}
	if !isAdmin(t, ben, sso.URL) {
		t.Error("ben's session is not admin after the grant")
	}
	if out := mustRun(t, "user", "admin", "revoke", "--oidc-issuer", sso.Issuer, "ben@example.com"); out != "ben@example.com is no longer a server admin\n" {
		t.Errorf("revoke: stdout %q", out)
	}
	if isAdmin(t, ben, sso.URL) {
		t.Error("ben's session is still admin after the revocation")
	}

	out := mustRun(t, "user", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("user list: want a header and 3 users:\n%s", out)
	}
	for _, want := range [][]string{{"(none verified)", "Dan Unverified", " user "}, {"cy@example.com", "Cy Reviewer", " admin "}, {"ben@example.com", "Ben Reviewer", " user "}} {
		found := false
		for _, line := range lines {
			found = found || strings.Contains(line, want[0]) && strings.Contains(line, want[1]) && strings.Contains(line, want[2])
		}
		if !found {
			t.Errorf("user list lacks a line with %q:\n%s", want, out)
		}
	}
}

// TestUserDisable: disabling signs the user out at once and refuses their tokens; enabling
// brings the tokens back, not the old session.
func TestUserDisable(t *testing.T) {
	dir := t.TempDir()
	sso := apptest.NewSSO(t, dir, nil)
	t.Setenv("ASSAY_DATA_DIR", dir)
	t.Setenv("ASSAY_OIDC_ISSUER", sso.Issuer)
	ben := sso.SignIn(t, "ben@example.com")
	secret := createToken(t, "--email", "ben@example.com")

	if out := mustRun(t, "user", "disable", "ben@example.com"); !strings.HasPrefix(out, "disabled ben@example.com") {
		t.Errorf("disable: stdout %q", out)
	}
	if code, _, _ := whoami(t, ben, sso.URL, ""); code != http.StatusUnauthorized {
		t.Errorf("disabled user's session: /me = %d, want 401", code)
	}
	if code, _, _ := whoami(t, http.DefaultClient, sso.URL, bearer(secret)); code != http.StatusUnauthorized {
		t.Errorf("disabled user's token: /me = %d, want 401", code)
	}
	if out := mustRun(t, "user", "list"); !strings.Contains(out, "disabled") {
		t.Errorf("user list does not show the disabled user:\n%s", out)
	}
	if out := mustRun(t, "user", "enable", "ben@example.com"); out != "enabled ben@example.com\n" {
		t.Errorf("enable: stdout %q", out)
	}
	if code, _, _ := whoami(t, http.DefaultClient, sso.URL, bearer(secret)); code != http.StatusOK {
		t.Errorf("re-enabled user's token: /me = %d, want 200", code)
	}
	if code, _, _ := whoami(t, ben, sso.URL, ""); code != http.StatusUnauthorized {
		t.Errorf("re-enabled user's old session: /me = %d, want 401", code)
	}
	sso.SignIn(t, "ben@example.com") // and signing in works again
}

func TestUserUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"user"}, ExitUsage, "assay user admin grant|revoke EMAIL"},
		{[]string{"user", "admin"}, ExitUsage, "assay user admin grant EMAIL"},
		{[]string{"user", "admin", "promote", "x@y"}, ExitUsage, `unknown command "promote"`},
		{[]string{"user", "admin", "grant", "--data-dir", dir}, ExitUsage, "EMAIL"},
		{[]string{"user", "admin", "grant", "--data-dir", dir, "a@b", "c@d"}, ExitUsage, "exactly one EMAIL"},
		{[]string{"user", "disable", "--data-dir", dir, "nobody@example.com"}, ExitError, "no user has signed in with the verified email nobody@example.com"},
		{[]string{"user", "admin", "revoke", "--data-dir", dir, "admin@localhost"}, ExitError, "always an admin"},
		{[]string{"user", "list", "--data-dir", dir, "extra"}, ExitUsage, "unexpected argument"},
		{[]string{"user", "--help"}, ExitOK, "assay user disable EMAIL"},
		{[]string{"user", "admin", "grant", "--help"}, ExitOK, "first time someone signs in with EMAIL verified"},
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
