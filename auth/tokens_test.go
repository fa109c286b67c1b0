package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTokenLifecycle(t *testing.T) {
	f := newSessionFixture(t)
	ctx := context.Background()
	e := newTestEcho(f.s)

	secret, info, err := f.s.CreateToken(ctx, f.user.ID, "  ci  ", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "assay_") || len(secret) != len("assay_")+43 {
		t.Errorf("secret = %q, want assay_ + 43 base64url characters", secret)
	}
	if info.Name != "ci" || info.UserID != f.user.ID || info.ExpiresAt != nil {
		t.Errorf("info = %+v", info)
	}
	var stored string
	f.db.reader.QueryRow(`SELECT token_hash FROM api_tokens WHERE token_id = ?`, info.ID).Scan(&stored)
	if stored != hashToken(secret) || strings.Contains(stored, secret) {
		t.Errorf("stored hash = %q, want only the SHA-256 of the secret", stored)
	}

	list, err := f.s.ListTokens(ctx, f.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]TokenInfo{info}, list); diff != "" {
		t.Errorf("ListTokens (-want +got):\n%s", diff)
	}

	whoami := func(authz string) (int, map[string]any) {
		r := httptest.NewRequest(http.MethodGet, "/api/test/whoami", nil)
		r.Header.Set("Authorization", authz)
		w := do(e, r)
		return w.Code, decodeBody(t, w.Body)
	}
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	for _, authz := range []string{
		"Bearer " + secret,
		"bearer " + secret,
		basic("anything", secret),
		basic("", secret),
		basic("alice@corp.test", secret),
	} {
		code, body := whoami(authz)
		if code != http.StatusOK || body["via"] != "token" || body["id"] != float64(f.user.ID) {
			t.Errorf("%.20s…: status %d, body %v; want 200 via token as user %d", authz, code, body, f.user.ID)
		}
	}
	for _, authz := range []string{
		"Bearer assay_wrong",
		"Bearer " + secret + "x",
		"Bearer " + f.ck.Value, // a session JWT is not an API token
		basic(secret, "x"),     // the secret must be the password
		"Basic !!!",
		"Token " + secret,
		"Bearer",
	} {
		if code, body := whoami(authz); code != http.StatusUnauthorized || body["error_code"] != "UNAUTHENTICATED" {
			t.Errorf("%.30s…: status %d, body %v; want 401 UNAUTHENTICATED", authz, code, body)
		}
	}

	// last_used_at: set on first use, then written at most once a minute.
	lastUsed := func() int64 {
		var v int64
		f.db.reader.QueryRow(`SELECT COALESCE(last_used_at, 0) FROM api_tokens WHERE token_id = ?`, info.ID).Scan(&v)
		return v
	}
	first := lastUsed()
	if first != ms(f.clock.Now()) {
		t.Errorf("last_used_at = %d, want %d", first, ms(f.clock.Now()))
	}
	f.clock.Advance(30 * time.Second)
	whoami("Bearer " + secret)
	if got := lastUsed(); got != first {
		t.Errorf("last_used_at moved after 30 s: %d, want %d", got, first)
	}
	f.clock.Advance(31 * time.Second)
	whoami("Bearer " + secret)
	if got := lastUsed(); got != ms(f.clock.Now()) {
		t.Errorf("last_used_at = %d after a minute, want %d", got, ms(f.clock.Now()))
	}

	// Revoked: 401 at once, and gone from the list.
	if err := f.s.RevokeToken(ctx, f.user.ID, info.ID); err != nil {
		t.Fatal(err)
	}
	if code, _ := whoami("Bearer " + secret); code != http.StatusUnauthorized {
		t.Errorf("revoked token: status %d, want 401", code)
	}
	if list, _ := f.s.ListTokens(ctx, f.user.ID); len(list) != 0 {
		t.Errorf("ListTokens after revoke = %v, want none", list)
	}
	if err := f.s.RevokeToken(ctx, f.user.ID, info.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second revoke: err = %v, want ErrNotFound", err)
	}
}

func TestTokenExpiryAndOwner(t *testing.T) {
	f := newSessionFixture(t)
	ctx := context.Background()
	e := newTestEcho(f.s)
	status := func(secret string) int {
		r := httptest.NewRequest(http.MethodGet, "/api/test/whoami", nil)
		r.Header.Set("Authorization", "Bearer "+secret)
		return do(e, r).Code
	}

	exp := f.clock.Now().Add(time.Hour)
	secret, info, err := f.s.CreateToken(ctx, f.user.ID, "short", &exp)
	if err != nil {
		t.Fatal(err)
	}
	if info.ExpiresAt == nil || !info.ExpiresAt.Equal(exp) {
		t.Errorf("ExpiresAt = %v, want %v", info.ExpiresAt, exp)
	}
	if got := status(secret); got != http.StatusOK {
		t.Fatalf("fresh token: %d", got)
	}
	f.clock.Advance(time.Hour)
	if got := status(secret); got != http.StatusUnauthorized {
		t.Errorf("expired token: status %d, want 401", got)
	}

	past := f.clock.Now().Add(-time.Second)
	for name, tc := range map[string]struct {
		name string
		exp  *time.Time
	}{
		"empty name":    {"  ", nil},
		"long name":     {strings.Repeat("x", 101), nil},
		"expiry past":   {"x", &past},
		"disabled user": {"x", nil},
	} {
		uid := f.user.ID
		want := ErrInvalid
		if name == "disabled user" {
			bob, _ := signInUser(t, f.s, "bob-"+name, "")
			f.s.SetDisabled(ctx, bob.ID, true)
			uid, want = bob.ID, ErrDisabled
		}
		if _, _, err := f.s.CreateToken(ctx, uid, tc.name, tc.exp); !errors.Is(err, want) {
			t.Errorf("%s: err = %v, want %v", name, err, want)
		}
	}

	// Only the owner or an admin revokes; others learn nothing (not found).
	secret, info, _ = f.s.CreateToken(ctx, f.user.ID, "ci", nil)
	mallory, _ := signInUser(t, f.s, "mallory", "mallory@corp.test")
	if err := f.s.RevokeToken(ctx, mallory.ID, info.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke by another user: err = %v, want ErrNotFound", err)
	}
	if got := status(secret); got != http.StatusOK {
		t.Errorf("token after a refused revoke: status %d, want 200", got)
	}
	admin, _ := signInUser(t, f.s, "root", "root@corp.test")
	f.s.SetAdmin(ctx, admin.ID, true)
	if err := f.s.RevokeToken(ctx, admin.ID, info.ID); err != nil {
		t.Errorf("revoke by admin: %v", err)
	}
	if got := status(secret); got != http.StatusUnauthorized {
		t.Errorf("token revoked by admin: status %d, want 401", got)
	}

	// A disabled owner's tokens are refused, and work again once re-enabled.
	secret, _, _ = f.s.CreateToken(ctx, f.user.ID, "ci2", nil)
	f.s.SetDisabled(ctx, f.user.ID, true)
	if got := status(secret); got != http.StatusUnauthorized {
		t.Errorf("disabled owner's token: status %d, want 401", got)
	}
	f.s.SetDisabled(ctx, f.user.ID, false)
	if got := status(secret); got != http.StatusOK {
		t.Errorf("re-enabled owner's token: status %d, want 200", got)
	}
}

func TestTokenRoutes(t *testing.T) {
	f := newSessionFixture(t)
	e := newTestEcho(f.s)
	req := func(method, path, body string, auth func(*http.Request)) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		if auth != nil {
			auth(r)
		}
		return do(e, r)
	}
	withCookie := func(r *http.Request) { r.AddCookie(f.ck) }

	w := req(http.MethodPost, "/api/assay/v1/tokens", `{"name":"laptop","expires_at":"2999-01-01T00:00:00Z"}`, withCookie)
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("create: Cache-Control = %q, want no-store (the secret is in the body)", cc)
	}
	created := decodeBody(t, w.Body)
	secret := created["token"].(string)
	id := created["token_info"].(map[string]any)["id"].(string)
	withToken := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) }

	tests := []struct {
		name   string
		method string
		path   string
		body   string
		auth   func(*http.Request)
		want   int
	}{
		{"list anonymous", http.MethodGet, "/api/assay/v1/tokens", "", nil, http.StatusUnauthorized},
		{"create anonymous", http.MethodPost, "/api/assay/v1/tokens", `{"name":"x"}`, nil, http.StatusUnauthorized},
		{"list with cookie", http.MethodGet, "/api/assay/v1/tokens", "", withCookie, http.StatusOK},
		{"list with token", http.MethodGet, "/api/assay/v1/tokens", "", withToken, http.StatusOK},
		{"a token cannot mint tokens", http.MethodPost, "/api/assay/v1/tokens", `{"name":"x"}`, withToken, http.StatusForbidden},
		{"unknown field", http.MethodPost, "/api/assay/v1/tokens", `{"name":"x","user_id":1}`, withCookie, http.StatusBadRequest},
		{"trailing data", http.MethodPost, "/api/assay/v1/tokens", `{"name":"x"} {}`, withCookie, http.StatusBadRequest},
		{"empty name", http.MethodPost, "/api/assay/v1/tokens", `{"name":""}`, withCookie, http.StatusBadRequest},
		{"revoke unknown", http.MethodDelete, "/api/assay/v1/tokens/nope", "", withCookie, http.StatusNotFound},
		{"revoke", http.MethodDelete, "/api/assay/v1/tokens/" + id, "", withCookie, http.StatusNoContent},
		{"revoked token", http.MethodGet, "/api/assay/v1/tokens", "", withToken, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if w := req(tt.method, tt.path, tt.body, tt.auth); w.Code != tt.want {
				t.Errorf("%s %s: status %d, want %d; body %s", tt.method, tt.path, w.Code, tt.want, w.Body)
			}
		})
	}
}

func TestLocalTokenRefusedInOIDCMode(t *testing.T) {
	db := newTestDB(t)
	local := newService(t, db, Config{})
	secret, _, err := local.CreateToken(context.Background(), local.localUserID, "laptop", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := local.principalFromToken(context.Background(), secret); err != nil {
		t.Fatalf("local mode refuses its own token: %v", err)
	}
	oidcSvc := newService(t, db, oidcConfig(t, "https://idp.example", "http://127.0.0.1:8080"))
	if _, err := oidcSvc.principalFromToken(context.Background(), secret); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("OIDC mode accepted a local-mode admin token: err = %v", err)
	}
}
