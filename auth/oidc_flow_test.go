package auth

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"golang.org/x/oauth2"
)

// The tests in this file run the whole browser flow against a real OpenID Provider in the test
// process: zitadel/oidc v3.52.0's example OP (login form, code flow, PKCE S256, single-use codes,
// RS256 ID tokens; email and email_verified come from its UserInfo endpoint only).

// opUsers is the example OP's user store.
type opUsers map[string]*storage.User

func (u opUsers) GetUserByID(id string) *storage.User { return u[id] }
func (u opUsers) GetUserByUsername(name string) *storage.User {
	for _, user := range u {
		if user.Username == name {
			return user
		}
	}
	return nil
}
func (u opUsers) ExampleClientID() string { return "service" }

func defaultOPUsers() opUsers {
	user := func(id, username, first, last, email string, verified bool) *storage.User {
		return &storage.User{ID: id, Username: username, Password: "verysecure", FirstName: first, LastName: last, Email: email, EmailVerified: verified}
	}
	return opUsers{
		"id-alice": user("id-alice", "alice", "Alice", "Example", "Alice@Corp.test", true),
		"id-eve":   user("id-eve", "eve", "Eve", "Unverified", "eve@corp.test", false),
		"id-dup":   user("id-dup", "dup", "Second", "Account", "alice@corp.test", true),
		"id-dis":   user("id-dis", "dis", "Soon", "Disabled", "dis@corp.test", true),
	}
}

// flowEnv is an OP and an Assay (our routes on a real Echo server) that trust each other.
type flowEnv struct {
	db     testDB
	s      *Service
	clock  *clock
	rpURL  string
	issuer string
	opDown atomic.Bool
	opHits atomic.Int64
	hooked []string
}

func newFlowEnv(t *testing.T, edit func(*Config)) *flowEnv {
	t.Helper()
	env := &flowEnv{db: newTestDB(t), clock: newClock()}
	rpL := listen(t)
	opL := listen(t)
	env.rpURL = "http://" + rpL.Addr().String()
	env.issuer = "http://" + opL.Addr().String() + "/" // the example OP's issuer has a trailing slash

	st := storage.NewStorageWithClients(defaultOPUsers(), map[string]*storage.Client{
		"web": storage.WebClient("web", "secret", env.rpURL+"/auth/callback"),
	})
	opHandler := exampleop.SetupServer(env.issuer, st, nil, false)
	op := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env.opHits.Add(1)
		if env.opDown.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		opHandler.ServeHTTP(w, r)
	}))
	op.Listener.Close()
	op.Listener = opL
	op.Start()
	t.Cleanup(op.Close)

	cfg := oidcConfig(t, env.issuer, env.rpURL)
	cfg.AdminEmails = []string{"alice@corp.test"}
	if edit != nil {
		edit(&cfg)
	}
	env.s = newService(t, env.db, cfg)
	env.s.now = env.clock.Now
	env.s.authLimit = env.s.newAuthRateLimiter(1000, 1000)
	env.s.OnFirstVerifiedEmail = func(ctx context.Context, tx *sql.Tx, userID int64, email string) error {
		env.hooked = append(env.hooked, email)
		return nil
	}
	rp := httptest.NewUnstartedServer(newTestEcho(env.s))
	rp.Listener.Close()
	rp.Listener = rpL
	rp.Start()
	t.Cleanup(rp.Close)
	return env
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// browser is a cookie-jar HTTP client walking the flow as a browser would.
type browser struct {
	t   *testing.T
	env *flowEnv
	jar *cookiejar.Jar
	c   *http.Client
}

func (env *flowEnv) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, env: env, jar: jar}
	b.c = &http.Client{Jar: jar, Timeout: 15 * time.Second}
	return b
}

var loginFormID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// authorize starts a sign-in at Assay, signs in at the OP as username, and stops just before
// the browser would load Assay's callback, returning that URL.
func (b *browser) authorize(returnTo, username string) string {
	b.t.Helper()
	resp := b.get(b.env.rpURL + "/auth/login?returnTo=" + url.QueryEscape(returnTo))
	body := readAll(b.t, resp)
	m := loginFormID.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		b.t.Fatalf("login page: status %d, body %.300s", resp.StatusCode, body)
	}
	var callback string
	b.c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), b.env.rpURL+"/auth/callback") {
			callback = req.URL.String()
			return http.ErrUseLastResponse
		}
		return nil
	}
	defer func() { b.c.CheckRedirect = nil }()
	form := url.Values{"id": {m[1]}, "username": {username}, "password": {"verysecure"}}
	resp, err := b.c.PostForm(strings.TrimSuffix(b.env.issuer, "/")+"/login/username", form)
	if err != nil {
		b.t.Fatal(err)
	}
	readAll(b.t, resp)
	if callback == "" {
		b.t.Fatalf("the OP did not redirect to the callback (status %d)", resp.StatusCode)
	}
	return callback
}

// login walks the whole flow and returns the final response (after Assay's redirect).
func (b *browser) login(returnTo, username string) *http.Response {
	b.t.Helper()
	return b.get(b.authorize(returnTo, username))
}

func (b *browser) get(u string) *http.Response {
	b.t.Helper()
	resp, err := b.c.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp
}

// me calls /api/assay/v1/me with the jar's cookies.
func (b *browser) me() (int, map[string]any) {
	b.t.Helper()
	resp := b.get(b.env.rpURL + "/api/assay/v1/me")
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, decodeBody(b.t, resp.Body)
}

// cookie returns the jar's cookie of that name for Assay, or nil.
func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.env.rpURL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// expectRefused checks a callback response is a failure page and no session was set.
func (b *browser) expectRefused(resp *http.Response, status int, sessionsBefore int) {
	b.t.Helper()
	body := readAll(b.t, resp)
	if resp.StatusCode != status || !strings.Contains(body, "Sign-in failed") {
		b.t.Errorf("callback: status %d, want %d; body %.200s", resp.StatusCode, status, body)
	}
	if c := b.cookie(SessionCookieRelaxed); c != nil {
		b.t.Errorf("a refused sign-in set a session cookie")
	}
	if n := b.env.db.count(b.t, "auth_sessions"); n != sessionsBefore {
		b.t.Errorf("sessions: %d, want %d", n, sessionsBefore)
	}
}

func TestOIDCLoginFlow(t *testing.T) {
	env := newFlowEnv(t, nil)
	b := env.browser(t)
	resp := b.login("/app?tab=items", "alice")
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || body != "app" || resp.Request.URL.RequestURI() != "/app?tab=items" {
		t.Fatalf("after sign-in: status %d at %s, body %q", resp.StatusCode, resp.Request.URL, body)
	}
	ck := b.cookie(SessionCookieRelaxed)
	if ck == nil {
		t.Fatal("no session cookie")
	}
	if b.cookie(loginCookieRelaxed) != nil {
		t.Error("login-state cookie left behind")
	}
	code, me := b.me()
	if code != http.StatusOK {
		t.Fatalf("/me: %d", code)
	}
	user := me["user"].(map[string]any)
	if user["email"] != "alice@corp.test" || user["display_name"] != "Alice Example" || user["admin"] != true || me["via"] != "session" || me["auth_mode"] != "oidc" {
		t.Errorf("/me = %v", me)
	}
	u, err := env.s.FindUserByEmail(context.Background(), "alice@corp.test")
	if err != nil || u.Issuer != env.issuer || u.Subject != "id-alice" || !u.EmailVerified || u.LastLoginAt == nil {
		t.Errorf("user row = %+v, %v", u, err)
	}
	if n := env.db.count(t, "auth_login_states"); n != 0 {
		t.Errorf("%d login states left after the callback", n)
	}
	if len(env.hooked) != 1 || env.hooked[0] != "alice@corp.test" {
		t.Errorf("OnFirstVerifiedEmail calls = %v", env.hooked)
	}

	// Signing in again: the same user, a new session id (no fixation), no second hook call.
	b.login("/app", "alice")
	ck2 := b.cookie(SessionCookieRelaxed)
	if ck2 == nil || ck2.Value == ck.Value {
		t.Error("second sign-in kept the session cookie")
	}
	if n := env.db.count(t, "users WHERE issuer = ?", env.issuer); n != 1 {
		t.Errorf("%d users after two sign-ins, want 1", n)
	}
	if len(env.hooked) != 1 {
		t.Errorf("hook called again: %v", env.hooked)
	}

	// An open-redirect attempt lands on "/".
	resp = env.browser(t).login("//evil.example/x", "alice")
	if readAll(t, resp); resp.Request.URL.String() != env.rpURL+"/" {
		t.Errorf("returnTo=//evil.example ended at %s", resp.Request.URL)
	}
}

func TestOIDCCallbackRefused(t *testing.T) {
	env := newFlowEnv(t, nil)
	setQuery := func(raw, key, val string) string {
		u, _ := url.Parse(raw)
		q := u.Query()
		if val == "" {
			q.Del(key)
		} else {
			q.Set(key, val)
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	sessions := func() int { return env.db.count(t, "auth_sessions") }

	t.Run("missing state", func(t *testing.T) {
		b := env.browser(t)
		before := sessions()
		b.expectRefused(b.get(setQuery(b.authorize("/app", "alice"), "state", "")), 400, before)
	})
	t.Run("wrong state", func(t *testing.T) {
		b := env.browser(t)
		before := sessions()
		b.expectRefused(b.get(setQuery(b.authorize("/app", "alice"), "state", randomString(32))), 400, before)
	})
	t.Run("state started in another browser (login CSRF)", func(t *testing.T) {
		attacker, victim := env.browser(t), env.browser(t)
		cb := attacker.authorize("/app", "alice")
		before := sessions()
		victim.expectRefused(victim.get(cb), 400, before)
		// and the state is spent: the attacker's own browser cannot use it either
		attacker.expectRefused(attacker.get(cb), 400, before)
	})
	t.Run("replayed callback", func(t *testing.T) {
		b := env.browser(t)
		cb := b.authorize("/app", "alice")
		loginCookie := b.cookie(loginCookieRelaxed)
		if resp := b.get(cb); readAll(t, resp) != "app" {
			t.Fatalf("first use: status %d", resp.StatusCode)
		}
		replay := env.browser(t)
		before := sessions()
		replay.expectRefused(replay.get(cb), 400, before)
		// Even with the login cookie captured and replayed, the state was consumed server-side.
		u, _ := url.Parse(env.rpURL)
		replay.jar.SetCookies(u, []*http.Cookie{{Name: loginCookieRelaxed, Value: loginCookie.Value, Path: "/"}})
		replay.expectRefused(replay.get(cb), 400, before)
	})
	t.Run("expired state", func(t *testing.T) {
		b := env.browser(t)
		cb := b.authorize("/app", "alice")
		env.clock.Advance(loginTTL + time.Second)
		defer env.clock.Advance(-(loginTTL + time.Second))
		b.expectRefused(b.get(cb), 400, sessions())
	})
	t.Run("wrong nonce", func(t *testing.T) {
		b := env.browser(t)
		cb := b.authorize("/app", "alice")
		env.db.writer.Exec(`UPDATE auth_login_states SET nonce = ?`, randomString(32))
		b.expectRefused(b.get(cb), 400, sessions())
	})
	t.Run("PKCE verifier mismatch", func(t *testing.T) {
		b := env.browser(t)
		cb := b.authorize("/app", "alice")
		env.db.writer.Exec(`UPDATE auth_login_states SET verifier = ?`, oauth2.GenerateVerifier())
		b.expectRefused(b.get(cb), 400, sessions())
	})
	t.Run("reused code", func(t *testing.T) {
		b := env.browser(t)
		cb1 := b.authorize("/app", "alice")
		if resp := b.get(cb1); readAll(t, resp) != "app" {
			t.Fatal("first sign-in failed")
		}
		code1, _ := url.Parse(cb1)
		// A new, valid state in this browser, paired with the already-redeemed code.
		b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp := b.get(env.rpURL + "/auth/login")
		b.c.CheckRedirect = nil
		readAll(t, resp)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		state2 := loc.Query().Get("state")
		if state2 == "" {
			t.Fatalf("no state in %s", loc)
		}
		cb2 := setQuery(setQuery(cb1, "state", state2), "code", code1.Query().Get("code"))
		before := sessions()
		resp = b.get(cb2)
		if body := readAll(t, resp); resp.StatusCode != 400 || !strings.Contains(body, "refused the sign-in code") {
			t.Errorf("reused code: status %d, body %.200s", resp.StatusCode, body)
		}
		if sessions() != before {
			t.Error("reused code opened a session")
		}
	})
	t.Run("provider error", func(t *testing.T) {
		b := env.browser(t)
		cb := b.authorize("/app", "alice")
		u, _ := url.Parse(cb)
		errURL := env.rpURL + "/auth/callback?error=access_denied&error_description=%3Cscript%3E&state=" + u.Query().Get("state")
		resp := b.get(errURL)
		body := readAll(t, resp)
		if resp.StatusCode != 400 || strings.Contains(body, "<script>") {
			t.Errorf("provider error: status %d, body %.300s", resp.StatusCode, body)
		}
		// the state was spent on the error
		b.expectRefused(b.get(cb), 400, sessions())
	})
}

func TestOIDCAccounts(t *testing.T) {
	env := newFlowEnv(t, nil)

	t.Run("unverified email is not bound", func(t *testing.T) {
		b := env.browser(t)
		readAll(t, b.login("/app", "eve"))
		code, me := b.me()
		if code != 200 {
			t.Fatalf("/me: %d", code)
		}
		if user := me["user"].(map[string]any); user["email"] != "" || user["display_name"] != "Eve Unverified" {
			t.Errorf("/me = %v, want no email", me)
		}
		for _, e := range env.hooked {
			if e == "eve@corp.test" {
				t.Error("hook called for an unverified email")
			}
		}
	})

	t.Run("second account claiming a bound email", func(t *testing.T) {
		alice := env.browser(t)
		readAll(t, alice.login("/app", "alice"))
		dup := env.browser(t)
		readAll(t, dup.login("/app", "dup"))
		code, me := dup.me()
		if code != 200 {
			t.Fatalf("/me: %d", code)
		}
		if user := me["user"].(map[string]any); user["email"] != "" || user["admin"] != false {
			t.Errorf("second account /me = %v, want no email and no admin", me)
		}
		if _, me := alice.me(); me["user"].(map[string]any)["email"] != "alice@corp.test" {
			t.Errorf("the first account lost its email: %v", me)
		}
		if u, _ := env.s.FindUserByEmail(context.Background(), "alice@corp.test"); u.Subject != "id-alice" {
			t.Errorf("alice@corp.test belongs to %q", u.Subject)
		}
	})

	t.Run("disabled user", func(t *testing.T) {
		b := env.browser(t)
		readAll(t, b.login("/app", "dis"))
		if code, _ := b.me(); code != 200 {
			t.Fatalf("/me before disabling: %d", code)
		}
		u, err := env.s.FindUserByEmail(context.Background(), "dis@corp.test")
		if err != nil {
			t.Fatal(err)
		}
		if err := env.s.SetDisabled(context.Background(), u.ID, true); err != nil {
			t.Fatal(err)
		}
		if code, _ := b.me(); code != 401 {
			t.Errorf("/me after disabling: %d, want 401", code)
		}
		b2 := env.browser(t)
		before := env.db.count(t, "auth_sessions")
		b2.expectRefused(b2.login("/app", "dis"), 403, before)
		if u, _ := env.s.FindUserByID(context.Background(), u.ID); !u.Disabled {
			t.Error("signing in re-enabled the user")
		}
	})

	t.Run("logout, then the old cookie", func(t *testing.T) {
		b := env.browser(t)
		readAll(t, b.login("/app", "alice"))
		old := b.cookie(SessionCookieRelaxed)
		req, _ := http.NewRequest(http.MethodPost, env.rpURL+"/auth/logout", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", env.rpURL)
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if readAll(t, resp); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		if b.cookie(SessionCookieRelaxed) != nil {
			t.Error("logout left the cookie in the browser")
		}
		if code, _ := b.me(); code != 401 {
			t.Errorf("/me after logout: %d, want 401", code)
		}
		req, _ = http.NewRequest(http.MethodGet, env.rpURL+"/api/assay/v1/me", nil)
		req.AddCookie(&http.Cookie{Name: old.Name, Value: old.Value})
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if readAll(t, resp); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("old cookie after logout: %d, want 401", resp.StatusCode)
		}
	})
}

func TestOIDCDiscoveryIsLazyAndRetried(t *testing.T) {
	env := newFlowEnv(t, nil)
	env.opDown.Store(true)
	env.opHits.Store(0)
	b := env.browser(t)

	for i := 0; i < 3; i++ {
		resp := b.get(env.rpURL + "/auth/login")
		body := readAll(t, resp)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "cannot reach the identity provider") || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("login while the OP is down: %d %s", resp.StatusCode, body)
		}
	}
	if hits := env.opHits.Load(); hits != 1 {
		t.Errorf("OP hit %d times in the retry gap, want 1", hits)
	}
	// The rest of Assay works meanwhile.
	if resp := b.get(env.rpURL + "/api/assay/v1/auth/config"); readAll(t, resp) == "" || resp.StatusCode != 200 {
		t.Errorf("/auth/config while the OP is down: %d", resp.StatusCode)
	}

	env.opDown.Store(false)
	env.clock.Advance(6 * time.Second)
	if resp := b.login("/app", "alice"); readAll(t, resp) != "app" {
		t.Fatalf("sign-in after the OP came back: %d", resp.StatusCode)
	}
}
