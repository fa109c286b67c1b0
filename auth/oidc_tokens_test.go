package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// The tests in this file use an OpenID Provider whose token contents each case controls, so
// that go-oidc verifies REAL signed ID tokens that are wrong in one way each (audience, expiry,
// nonce, issuer, signature, UserInfo subject). Keys (ES256) and signing come from go-oidc's oidctest;
// the authorize/token/userinfo endpoints are a few lines here (authorize answers at once,
// token checks the client, the single-use code and PKCE S256 as a real OP does).

// fakeOP is a minimal OpenID Provider with programmable tokens.
type fakeOP struct {
	srv  *httptest.Server
	key  *ecdsa.PrivateKey
	keys *oidctest.Server

	mu       sync.Mutex
	codes    map[string]fakeAuth
	access   map[string]string // access token → subject
	subject  string
	claims   func(c map[string]any)          // edits the ID token's claims
	sign     func(claims []byte) string      // replaces the normal RS256 signing
	userinfo func(sub string) map[string]any // nil: the endpoint answers 404
	noIDTok  bool
	uiCalls  atomic.Int64
}

type fakeAuth struct{ sub, nonce, challenge string }

func newFakeOP(t *testing.T, key *ecdsa.PrivateKey) *fakeOP {
	t.Helper()
	op := &fakeOP{
		key:   key,
		keys:  &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: oidc.ES256}}},
		codes: map[string]fakeAuth{}, access: map[string]string{}, subject: "user-1",
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", op.discovery)
	mux.Handle("GET /keys", op.keys)
	mux.HandleFunc("GET /authorize", op.authorize)
	mux.HandleFunc("POST /token", op.token)
	mux.HandleFunc("GET /userinfo", op.userinfoHandler)
	op.srv = httptest.NewServer(mux)
	op.keys.SetIssuer(op.srv.URL)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *fakeOP) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{
		"issuer":                                op.srv.URL,
		"authorization_endpoint":                op.srv.URL + "/authorize",
		"token_endpoint":                        op.srv.URL + "/token",
		"userinfo_endpoint":                     op.srv.URL + "/userinfo",
		"jwks_uri":                              op.srv.URL + "/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (op *fakeOP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != "web" || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "bad authorization request", 400)
		return
	}
	code := randomString(16)
	op.mu.Lock()
	op.codes[code] = fakeAuth{sub: op.subject, nonce: q.Get("nonce"), challenge: q.Get("code_challenge")}
	op.mu.Unlock()
	http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
}

func (op *fakeOP) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != "web" || secret != "secret" {
		writeJSON(w, 401, map[string]string{"error": "invalid_client"})
		return
	}
	op.mu.Lock()
	a, found := op.codes[r.PostForm.Get("code")]
	delete(op.codes, r.PostForm.Get("code")) // single use
	op.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if !found || base64.RawURLEncoding.EncodeToString(sum[:]) != a.challenge {
		writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
		return
	}
	now := time.Now()
	claims := map[string]any{
		"iss": op.srv.URL, "aud": "web", "sub": a.sub, "nonce": a.nonce,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	if op.claims != nil {
		op.claims(claims)
	}
	raw, _ := json.Marshal(claims)
	idToken := oidctest.SignIDToken(op.key, "k1", oidc.ES256, string(raw))
	if op.sign != nil {
		idToken = op.sign(raw)
	}
	at := randomString(16)
	op.mu.Lock()
	op.access[at] = a.sub
	op.mu.Unlock()
	resp := map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": 3600}
	if !op.noIDTok {
		resp["id_token"] = idToken
	}
	writeJSON(w, 200, resp)
}

func (op *fakeOP) userinfoHandler(w http.ResponseWriter, r *http.Request) {
	op.uiCalls.Add(1)
	op.mu.Lock()
	sub, ok := op.access[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	op.mu.Unlock()
	if !ok || op.userinfo == nil {
		http.Error(w, "no", 404)
		return
	}
	writeJSON(w, 200, op.userinfo(sub))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func TestOIDCTokenChecks(t *testing.T) {
	opKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pubDER, _ := x509.MarshalPKIXPublicKey(otherKey.Public())
	set := func(kv ...any) func(map[string]any) {
		return func(c map[string]any) {
			for i := 0; i < len(kv); i += 2 {
				if kv[i+1] == nil {
					delete(c, kv[i].(string))
				} else {
					c[kv[i].(string)] = kv[i+1]
				}
			}
		}
	}
	verifiedUI := func(sub string) map[string]any {
		return map[string]any{"sub": sub, "email": "Frank@Corp.test", "email_verified": true, "name": "Frank"}
	}
	tests := []struct {
		name      string
		claims    func(map[string]any)
		sign      func(op *fakeOP, claims []byte) string
		userinfo  func(sub string) map[string]any
		noIDToken bool
		wantCode  int
		wantEmail string // when the sign-in succeeds
		wantUI    int64  // UserInfo calls
	}{
		{name: "verified email in the ID token", claims: set("email", "Frank@Corp.test", "email_verified", true, "name", "Frank F."),
			wantCode: 200, wantEmail: "frank@corp.test", wantUI: 0},
		{name: "email_verified as the string \"true\"", claims: set("email", "frank@corp.test", "email_verified", "true"),
			wantCode: 200, wantEmail: "frank@corp.test"},
		{name: "email only in UserInfo, same sub", userinfo: verifiedUI, wantCode: 200, wantEmail: "frank@corp.test", wantUI: 1},
		{name: "unverified in the ID token, verified in UserInfo", claims: set("email", "frank@corp.test", "email_verified", false),
			userinfo: verifiedUI, wantCode: 200, wantEmail: "frank@corp.test", wantUI: 1},
		{name: "email_verified missing everywhere", claims: set("email", "frank@corp.test"),
			userinfo: func(sub string) map[string]any { return map[string]any{"sub": sub, "email": "frank@corp.test"} },
			wantCode: 200, wantEmail: "", wantUI: 1},
		{name: "email_verified \"false\"", claims: set("email", "frank@corp.test", "email_verified", "false"),
			userinfo: func(sub string) map[string]any { return map[string]any{"sub": sub} }, wantCode: 200, wantEmail: "", wantUI: 1},
		{name: "UserInfo about another subject", userinfo: func(string) map[string]any {
			return map[string]any{"sub": "someone-else", "email": "ceo@corp.test", "email_verified": true}
		}, wantCode: 400, wantUI: 1},
		{name: "UserInfo unavailable", wantCode: 502, wantUI: 1},
		{name: "wrong audience", claims: set("aud", "another-client", "email", "f@corp.test", "email_verified", true), wantCode: 400},
		{name: "several audiences, azp another client", claims: set("aud", []string{"web", "other"}, "azp", "other", "email", "f@corp.test", "email_verified", true), wantCode: 400},
		{name: "several audiences, azp us", claims: set("aud", []string{"web", "other"}, "azp", "web", "email", "f@corp.test", "email_verified", true), wantCode: 200, wantEmail: "f@corp.test"},
		{name: "expired", claims: set("exp", time.Now().Add(-time.Minute).Unix(), "email", "f@corp.test", "email_verified", true), wantCode: 400},
		{name: "no expiry", claims: set("exp", nil, "email", "f@corp.test", "email_verified", true), wantCode: 400},
		{name: "wrong issuer", claims: set("iss", "https://evil.example", "email", "f@corp.test", "email_verified", true), wantCode: 400},
		{name: "wrong nonce", claims: set("nonce", "n0nce", "email", "f@corp.test", "email_verified", true), wantCode: 400},
		{name: "missing nonce", claims: set("nonce", nil, "email", "f@corp.test", "email_verified", true), wantCode: 400},
		{name: "signed by an unknown key", claims: set("email", "f@corp.test", "email_verified", true),
			sign: func(op *fakeOP, c []byte) string { return oidctest.SignIDToken(otherKey, "k1", oidc.ES256, string(c)) }, wantCode: 400},
		{name: "HS256 keyed with a public key (key confusion)", claims: set("email", "f@corp.test", "email_verified", true),
			sign: func(op *fakeOP, c []byte) string {
				pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
				return oidctest.SignIDToken(pemKey, "k1", "HS256", string(c))
			}, wantCode: 400},
		{name: "alg none", claims: set("email", "f@corp.test", "email_verified", true),
			sign: func(op *fakeOP, c []byte) string {
				enc := base64.RawURLEncoding.EncodeToString
				return enc([]byte(`{"alg":"none","kid":"k1"}`)) + "." + enc(c) + "."
			}, wantCode: 400},
		{name: "no ID token", noIDToken: true, wantCode: 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := newFakeOP(t, opKey)
			op.claims, op.userinfo, op.noIDTok = tt.claims, tt.userinfo, tt.noIDToken
			if tt.sign != nil {
				op.sign = func(c []byte) string { return tt.sign(op, c) }
			}
			db := newTestDB(t)
			rp := httptest.NewUnstartedServer(nil)
			rpURL := "http://" + rp.Listener.Addr().String()
			s := newService(t, db, oidcConfig(t, op.srv.URL, rpURL))
			rp.Config.Handler = newTestEcho(s)
			rp.Start()
			defer rp.Close()

			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
			resp, err := c.Get(rpURL + "/auth/login?returnTo=/app")
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			if resp.StatusCode != tt.wantCode {
				t.Fatalf("status %d, want %d; body %.300s", resp.StatusCode, tt.wantCode, body)
			}
			if got := op.uiCalls.Load(); got != tt.wantUI {
				t.Errorf("UserInfo calls = %d, want %d", got, tt.wantUI)
			}
			if tt.wantCode != 200 {
				if n := db.count(t, "users WHERE issuer <> 'local'"); n != 0 {
					t.Errorf("a refused sign-in created %d users", n)
				}
				if n := db.count(t, "auth_sessions"); n != 0 {
					t.Errorf("a refused sign-in created %d sessions", n)
				}
				return
			}
			if body != "app" {
				t.Fatalf("ended at %s with %q", resp.Request.URL, body)
			}
			req, _ := http.NewRequest(http.MethodGet, rpURL+"/api/assay/v1/me", nil)
			resp, err = c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			me := decodeBody(t, resp.Body)
			resp.Body.Close()
			if got := me["user"].(map[string]any)["email"]; got != tt.wantEmail {
				t.Errorf("email = %q, want %q", got, tt.wantEmail)
			}
			u, err := s.FindUserByID(t.Context(), int64(me["user"].(map[string]any)["id"].(float64)))
			if err != nil || u.Issuer != op.srv.URL || u.Subject != "user-1" {
				t.Errorf("user = %+v, %v; want keyed by (issuer, subject)", u, err)
			}
		})
	}
}

func TestLoginEdges(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	op := newFakeOP(t, key)
	op.claims = func(c map[string]any) { c["email"], c["email_verified"] = "gina@corp.test", true }
	db := newTestDB(t)
	s := newService(t, db, oidcConfig(t, op.srv.URL, "http://127.0.0.1:8080"))
	e := newTestEcho(s)
	login := func(cookie *http.Cookie) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/auth/login?returnTo=/app", nil)
		if cookie != nil {
			r.AddCookie(cookie)
		}
		return do(e, r)
	}

	w := login(nil)
	if w.Code != http.StatusFound {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	loc, _ := url.Parse(w.Header().Get("Location"))
	q := loc.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || len(q.Get("state")) < 43 || len(q.Get("nonce")) < 43 ||
		q.Get("scope") != "openid email profile" || q.Get("redirect_uri") != "http://127.0.0.1:8080/auth/callback" {
		t.Errorf("authorization request = %v", q)
	}
	var stored string
	db.reader.QueryRow(`SELECT verifier FROM auth_login_states WHERE state = ?`, q.Get("state")).Scan(&stored)
	if stored == "" || strings.Contains(loc.String(), stored) {
		t.Error("the PKCE verifier must stay server-side")
	}
	var lc *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == loginCookieRelaxed {
			lc = c
		}
	}
	if lc == nil || lc.Value != q.Get("state") || !lc.HttpOnly || lc.SameSite != http.SameSiteLaxMode || lc.MaxAge != 600 {
		t.Errorf("login cookie = %+v", lc)
	}

	// A stale session cookie does not stand in the way of signing in.
	if w := login(&http.Cookie{Name: SessionCookieRelaxed, Value: "stale"}); w.Code != http.StatusFound {
		t.Errorf("login with a stale cookie: %d, want 302", w.Code)
	}

	// Sign-ins in progress are capped, whatever the number of client IPs.
	db.writer.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO auth_login_states SELECT 'filler' || i, 'n', 'v', '/', 0, ? FROM n`, maxPendingLogins, ms(time.Now().Add(time.Hour)))
	if w := login(nil); w.Code != http.StatusServiceUnavailable {
		t.Errorf("login over the cap: %d, want 503", w.Code)
	}

	for ip, want := range map[string]string{
		"198.51.100.7":         "198.51.100.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"::ffff:198.51.100.7":  "::ffff:198.51.100.7",
		"":                     "",
	} {
		if got := rateKey(ip); got != want {
			t.Errorf("rateKey(%q) = %q, want %q", ip, got, want)
		}
	}
}
