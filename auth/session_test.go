package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// sessionFixture is an OIDC-mode service with one signed-in user.
type sessionFixture struct {
	db    testDB
	s     *Service
	clock *clock
	user  User
	ck    *http.Cookie
	sid   string
}

func newSessionFixture(t *testing.T) *sessionFixture {
	t.Helper()
	db := newTestDB(t)
	s := newService(t, db, oidcConfig(t, "https://idp.example", "http://127.0.0.1:8080"))
	clk := newClock()
	s.now = clk.Now
	u, ck := signInUser(t, s, "alice", "alice@corp.test")
	_, sid, err := s.parseSessionJWT(ck.Value)
	if err != nil {
		t.Fatal(err)
	}
	return &sessionFixture{db: db, s: s, clock: clk, user: u, ck: ck, sid: sid}
}

// claims returns valid claims for the fixture's session, for tests to spoil.
func (f *sessionFixture) claims() jwt.MapClaims {
	now := f.clock.Now()
	return jwt.MapClaims{
		"iss": "http://127.0.0.1:8080",
		"aud": []string{sessionAudience},
		"sub": strconv.FormatInt(f.user.ID, 10),
		"sid": f.sid,
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
}

func (f *sessionFixture) sign(t *testing.T, method jwt.SigningMethod, claims jwt.MapClaims, kid any, key any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != nil {
		tok.Header["kid"] = kid
	}
	raw, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSessionJWTRejected(t *testing.T) {
	f := newSessionFixture(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherKey := make([]byte, 32)
	rand.Read(otherKey)
	without := func(k string) jwt.MapClaims { c := f.claims(); delete(c, k); return c }
	with := func(k string, v any) jwt.MapClaims { c := f.claims(); c[k] = v; return c }

	valid := f.sign(t, jwt.SigningMethodHS256, f.claims(), f.s.kid, f.s.key)
	parts := strings.Split(valid, ".")
	payload, _ := json.Marshal(with("exp", f.clock.Now().Add(1000*time.Hour).Unix()))
	tamperedPayload := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
	flipped := []byte(parts[2])
	flipped[3] ^= 0x01
	tamperedSig := parts[0] + "." + parts[1] + "." + string(flipped)

	tests := []struct {
		name string
		raw  string
	}{
		{"alg none", f.sign(t, jwt.SigningMethodNone, f.claims(), f.s.kid, jwt.UnsafeAllowNoneSignatureType)},
		{"HS512 with the real key", f.sign(t, jwt.SigningMethodHS512, f.claims(), f.s.kid, f.s.key)},
		{"HS384 with the real key", f.sign(t, jwt.SigningMethodHS384, f.claims(), f.s.kid, f.s.key)},
		{"RS256 with an attacker key (key confusion)", f.sign(t, jwt.SigningMethodRS256, f.claims(), f.s.kid, rsaKey)},
		{"HS256 with another key", f.sign(t, jwt.SigningMethodHS256, f.claims(), f.s.kid, otherKey)},
		{"missing exp", f.sign(t, jwt.SigningMethodHS256, without("exp"), f.s.kid, f.s.key)},
		{"expired beyond leeway", f.sign(t, jwt.SigningMethodHS256, with("exp", f.clock.Now().Add(-time.Minute).Unix()), f.s.kid, f.s.key)},
		{"issued in the future", f.sign(t, jwt.SigningMethodHS256, with("iat", f.clock.Now().Add(time.Hour).Unix()), f.s.kid, f.s.key)},
		{"wrong issuer", f.sign(t, jwt.SigningMethodHS256, with("iss", "https://evil.example"), f.s.kid, f.s.key)},
		{"missing issuer", f.sign(t, jwt.SigningMethodHS256, without("iss"), f.s.kid, f.s.key)},
		{"wrong audience", f.sign(t, jwt.SigningMethodHS256, with("aud", "mlflow"), f.s.kid, f.s.key)},
		{"missing audience", f.sign(t, jwt.SigningMethodHS256, without("aud"), f.s.kid, f.s.key)},
		{"wrong kid", f.sign(t, jwt.SigningMethodHS256, f.claims(), "0123456789ab", f.s.key)},
		{"missing kid", f.sign(t, jwt.SigningMethodHS256, f.claims(), nil, f.s.key)},
		{"numeric kid", f.sign(t, jwt.SigningMethodHS256, f.claims(), 7, f.s.key)},
		{"missing sid", f.sign(t, jwt.SigningMethodHS256, without("sid"), f.s.kid, f.s.key)},
		{"unknown sid", f.sign(t, jwt.SigningMethodHS256, with("sid", "nope"), f.s.kid, f.s.key)},
		{"sid of another user's session", f.sign(t, jwt.SigningMethodHS256, with("sub", strconv.FormatInt(f.user.ID+1, 10)), f.s.kid, f.s.key)},
		{"tampered payload", tamperedPayload},
		{"tampered signature", tamperedSig},
		{"garbage", "not-a-jwt"},
		{"empty segments", ".."},
	}
	e := newTestEcho(f.s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.s.principalFromSession(context.Background(), tt.raw); err == nil {
				t.Fatalf("principalFromSession accepted %s", tt.name)
			}
			r := httptest.NewRequest(http.MethodGet, "/api/assay/v1/me", nil)
			r.AddCookie(&http.Cookie{Name: SessionCookieRelaxed, Value: tt.raw})
			w := do(e, r)
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("GET /me: status %d, want 401; body %s", w.Code, w.Body)
			}
			if got := decodeBody(t, w.Body)["error_code"]; got != "UNAUTHENTICATED" {
				t.Errorf("error_code = %v, want UNAUTHENTICATED", got)
			}
			if sc := w.Header().Get("Set-Cookie"); !strings.Contains(sc, SessionCookieRelaxed+"=;") || !strings.Contains(sc, "Max-Age=0") {
				t.Errorf("Set-Cookie = %q, want the session cookie deleted", sc)
			}
		})
	}

	t.Run("valid token is accepted", func(t *testing.T) {
		p, err := f.s.principalFromSession(context.Background(), valid)
		if err != nil {
			t.Fatal(err)
		}
		if p.UserID != f.user.ID || p.Via != ViaSession || p.Email != "alice@corp.test" {
			t.Errorf("principal = %+v", p)
		}
	})
	t.Run("expired within the 30 s leeway is accepted", func(t *testing.T) {
		raw := f.sign(t, jwt.SigningMethodHS256, with("exp", f.clock.Now().Add(-10*time.Second).Unix()), f.s.kid, f.s.key)
		if _, err := f.s.principalFromSession(context.Background(), raw); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSessionRowCheckedOnEveryRequest(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, f *sessionFixture)
	}{
		{"revoked", func(t *testing.T, f *sessionFixture) {
			if err := f.s.revokeSession(context.Background(), f.sid); err != nil {
				t.Fatal(err)
			}
		}},
		{"row expired", func(t *testing.T, f *sessionFixture) {
			f.db.writer.Exec(`UPDATE auth_sessions SET expires_at = ? WHERE session_id = ?`, ms(f.clock.Now())-1, f.sid)
		}},
		{"session TTL passed", func(t *testing.T, f *sessionFixture) { f.clock.Advance(DefaultSessionTTL + time.Minute) }},
		{"user disabled", func(t *testing.T, f *sessionFixture) {
			if err := f.s.SetDisabled(context.Background(), f.user.ID, true); err != nil {
				t.Fatal(err)
			}
		}},
		{"user disabled behind the service's back", func(t *testing.T, f *sessionFixture) {
			f.db.writer.Exec(`UPDATE users SET disabled = 1 WHERE user_id = ?`, f.user.ID)
		}},
		{"row deleted", func(t *testing.T, f *sessionFixture) {
			f.db.writer.Exec(`DELETE FROM auth_sessions WHERE session_id = ?`, f.sid)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSessionFixture(t)
			e := newTestEcho(f.s)
			get := func() int {
				r := httptest.NewRequest(http.MethodGet, "/api/assay/v1/me", nil)
				r.AddCookie(f.ck)
				return do(e, r).Code
			}
			if got := get(); got != http.StatusOK {
				t.Fatalf("before: status %d, want 200", got)
			}
			tt.spoil(t, f)
			if got := get(); got != http.StatusUnauthorized {
				t.Fatalf("after: status %d, want 401", got)
			}
		})
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	for _, secure := range []bool{false, true} {
		db := newTestDB(t)
		public := "http://127.0.0.1:8080"
		if secure {
			public = "https://assay.example"
		}
		cfg := oidcConfig(t, "https://idp.example", public)
		cfg.CookieSecure = secure
		s := newService(t, db, cfg)
		_, ck := signInUser(t, s, "bob", "")
		c := s.sessionCookie(ck.Value, time.Now().Add(time.Hour))
		wantName := SessionCookieRelaxed
		if secure {
			wantName = SessionCookieSecure
		}
		if c.Name != wantName || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.Domain != "" {
			t.Errorf("secure=%v: cookie = %+v", secure, c)
		}
		if s.HSTS() != secure {
			t.Errorf("secure=%v: HSTS() = %v", secure, s.HSTS())
		}
	}
}
