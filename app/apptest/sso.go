package apptest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/store"
	"github.com/assay-labs/assay/auth"
	"github.com/assay-labs/assay/internal/devidp"
)

// SSO is Assay in OIDC mode trusting the development OpenID Provider (internal/devidp), both
// served on loopback ports by the test process, so tests can sign people in through the whole
// browser flow (SignIn) and talk to Assay over real HTTP.
type SSO struct {
	// URL is Assay's origin (its public URL), e.g. http://127.0.0.1:43121.
	URL string
	// Issuer is the dev provider's issuer URL.
	Issuer string
	Server *app.Server
	DB     *store.DB
	Config app.Config
}

// NewSSO starts the dev provider and an Assay that trusts it, over the database in dataDir (a
// fresh temporary directory when dataDir is ""). edit, when not nil, adjusts Assay's
// configuration first, e.g. to set AdminEmails or ReviewerAccess. Both stop when the test ends.
func NewSSO(t testing.TB, dataDir string, edit func(*app.Config)) *SSO {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	assayLn, idpLn := listenLoopback(t), listenLoopback(t)
	s := &SSO{URL: "http://" + assayLn.Addr().String(), Issuer: devidp.Issuer(idpLn.Addr().String())}
	serveOn(t, idpLn, devidp.New(s.Issuer, s.URL+"/auth/callback"))

	s.Config = app.Config{DataDir: dataDir, Addr: assayLn.Addr().String(), MaxBodyBytes: 8 << 20, LogLevel: "error", LogFormat: "text",
		ShutdownTimeout: 5 * time.Second, OIDCIssuer: s.Issuer, OIDCClientID: devidp.ClientID, OIDCClientSecret: devidp.ClientSecret,
		OIDCScopes: "openid,email,profile", ReviewerAccess: "experiment", SessionTTL: time.Hour}
	if edit != nil {
		edit(&s.Config)
	}
	db, err := store.Open(context.Background(), filepath.Join(dataDir, "assay.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	authSvc, err := auth.New(s.Config.AuthConfig(s.Config.Addr), db.Writer, db.Reader, log)
	if err != nil {
		t.Fatalf("auth: %v", err)
	}
	s.DB = db
	s.Server = app.New(s.Config, db, authSvc, log)
	serveOn(t, assayLn, s.Server.Echo) // registered after db.Close, so it stops first
	return s
}

// SignIn returns an HTTP client signed in to this Assay as the dev provider's user with that
// email (see devidp.Users), holding its session cookie in a cookie jar.
func (s *SSO) SignIn(t testing.TB, email string) *http.Client {
	t.Helper()
	return SignIn(t, s.URL, email, devidp.Password)
}

// loginFormID finds the example provider's hidden auth-request id in its login form.
var loginFormID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// SignIn walks the browser sign-in against the Assay at assayURL, whose OpenID Provider shows
// the login form of zitadel/oidc's example provider (the dev provider, cmd/dev-idp, does):
// GET /auth/login, the provider's form filled with username and password, and Assay's
// callback. It returns a cookie-jar client carrying the new session, after checking that
// /api/assay/v1/me answers 200 with it; the test fails when any step does.
func SignIn(t testing.TB, assayURL, username, password string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	assayURL = strings.TrimRight(assayURL, "/")
	var callback *url.URL
	c := &http.Client{Jar: jar, Timeout: 15 * time.Second}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if prev := via[len(via)-1]; strings.HasPrefix(prev.URL.String(), assayURL+"/auth/callback") {
			callback = prev.URL
			return http.ErrUseLastResponse // Assay's redirect after sign-in: signed in, stop here
		}
		return nil
	}

	resp, err := c.Get(assayURL + "/auth/login?returnTo=/")
	if err != nil {
		t.Fatalf("sign in %s: %v", username, err)
	}
	page := readBody(t, resp)
	m := loginFormID.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("sign in %s: no login form at %s (status %d): %.300s", username, resp.Request.URL, resp.StatusCode, page)
	}
	form := url.Values{"id": {m[1]}, "username": {username}, "password": {password}}
	action := resp.Request.URL.ResolveReference(&url.URL{Path: "/login/username"})
	resp, err = c.PostForm(action.String(), form)
	if err != nil {
		t.Fatalf("sign in %s: post login form: %v", username, err)
	}
	body := readBody(t, resp)
	if callback == nil || resp.StatusCode >= 400 {
		t.Fatalf("sign in %s: did not come back signed in (status %d at %s): %.300s", username, resp.StatusCode, resp.Request.URL, body)
	}
	c.CheckRedirect = nil

	me, err := c.Get(assayURL + "/api/assay/v1/me")
	if err != nil {
		t.Fatalf("sign in %s: /me: %v", username, err)
	}
	if body := readBody(t, me); me.StatusCode != http.StatusOK {
		t.Fatalf("sign in %s: /me after sign-in: status %d: %s", username, me.StatusCode, body)
	}
	return c
}

// readBody reads and closes a response body.
func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", resp.Request.URL, err)
	}
	return string(b)
}

// listenLoopback opens a listener on a free loopback port.
func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// serveOn serves h on ln until the test ends.
func serveOn(t testing.TB, ln net.Listener, h http.Handler) {
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
}
