package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestLocalMode(t *testing.T) {
	db := newTestDB(t)
	s := newService(t, db, Config{})
	if !s.LocalMode() || s.AuthMode() != "local" {
		t.Fatalf("LocalMode() = %v, AuthMode() = %q", s.LocalMode(), s.AuthMode())
	}
	e := newTestEcho(s)
	get := func(path string, cookie *http.Cookie) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Host = "127.0.0.1:5000"
		if cookie != nil {
			r.AddCookie(cookie)
		}
		return do(e, r)
	}

	w := get("/api/assay/v1/me", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("/me: %d %s", w.Code, w.Body)
	}
	me := decodeBody(t, w.Body)
	user := me["user"].(map[string]any)
	if me["auth_mode"] != "local" || me["via"] != "local" || user["admin"] != true || user["email"] != LocalEmail || me["notice"] != LocalModeNotice {
		t.Errorf("/me = %v", me)
	}

	cfg := decodeBody(t, get("/api/assay/v1/auth/config", nil).Body)
	if cfg["auth_mode"] != "local" || cfg["local_mode_notice"] != LocalModeNotice || cfg["login_url"] != "/auth/login" {
		t.Errorf("/auth/config = %v", cfg)
	}

	// A cookie, even a garbage one, does not matter: there are no sessions in local mode.
	if got := get("/api/assay/v1/me", &http.Cookie{Name: SessionCookieRelaxed, Value: "junk"}).Code; got != http.StatusOK {
		t.Errorf("/me with a junk cookie: %d, want 200", got)
	}
	// Login just goes where it was asked to (safely).
	if w := get("/auth/login?returnTo=//evil.example", nil); w.Code != http.StatusFound || w.Header().Get("Location") != "/" {
		t.Errorf("/auth/login: %d to %q, want 302 to /", w.Code, w.Header().Get("Location"))
	}

	// The local user exists once, is admin, and restarting keeps it.
	s2 := newService(t, db, Config{})
	if s2.localUserID != s.localUserID {
		t.Errorf("restart made a second local user: %d vs %d", s2.localUserID, s.localUserID)
	}
	u, err := s.FindUserByID(context.Background(), s.localUserID)
	if err != nil || u.Issuer != LocalIssuer || u.Subject != LocalSubject || !u.Admin {
		t.Errorf("local user = %+v, %v", u, err)
	}
	// No key file is written in local mode (there are no sessions to sign).
	if s.key != nil {
		t.Error("local mode loaded a session key")
	}
}

func TestOIDCModeAnonymous(t *testing.T) {
	db := newTestDB(t)
	s := newService(t, db, oidcConfig(t, "https://idp.example", "http://127.0.0.1:8080"))
	e := newTestEcho(s)
	r := httptest.NewRequest(http.MethodGet, "/api/assay/v1/me", nil)
	if w := do(e, r); w.Code != http.StatusUnauthorized {
		t.Errorf("anonymous /me: %d, want 401", w.Code)
	}
	r = httptest.NewRequest(http.MethodGet, "/api/test/whoami", nil)
	if body := decodeBody(t, do(e, r).Body); body["anonymous"] != true {
		t.Errorf("anonymous request got a principal: %v", body)
	}
	r = httptest.NewRequest(http.MethodGet, "/api/assay/v1/auth/config", nil)
	if cfg := decodeBody(t, do(e, r).Body); cfg["auth_mode"] != "oidc" || cfg["local_mode_notice"] != nil {
		t.Errorf("/auth/config = %v", cfg)
	}
}
