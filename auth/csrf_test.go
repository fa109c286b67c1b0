package auth

import (
	"context"
	"github.com/labstack/echo/v4"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCSRF(t *testing.T) {
	f := newSessionFixture(t)
	e := newTestEcho(f.s)
	secret, _, err := f.s.CreateToken(context.Background(), f.user.ID, "ci", nil)
	if err != nil {
		t.Fatal(err)
	}
	const (
		cookie = "cookie"
		bearer = "bearer"
		basic  = "basic"
		anon   = "anonymous"
	)
	tests := []struct {
		name    string
		method  string
		path    string
		auth    string
		headers map[string]string // Content-Type defaults to application/json
		body    string
		want    int
	}{
		{"cookie, same-origin fetch", "POST", "/api/test/mutate", cookie, map[string]string{"Sec-Fetch-Site": "same-origin"}, "{}", 200},
		{"cookie, cross-site fetch", "POST", "/api/test/mutate", cookie, map[string]string{"Sec-Fetch-Site": "cross-site"}, "{}", 403},
		{"cookie, same-site sibling", "POST", "/api/test/mutate", cookie, map[string]string{"Sec-Fetch-Site": "same-site"}, "{}", 403},
		{"cookie, cross-site form", "POST", "/api/test/mutate", cookie, map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"}, "a=1", 403},
		{"cookie, no fetch metadata, foreign Origin", "POST", "/api/test/mutate", cookie, map[string]string{"Origin": "https://evil.example"}, "{}", 403},
		{"cookie, no fetch metadata, null Origin", "POST", "/api/test/mutate", cookie, map[string]string{"Origin": "null"}, "{}", 403},
		{"cookie, Origin is the public URL", "POST", "/api/test/mutate", cookie, map[string]string{"Origin": "http://127.0.0.1:8080"}, "{}", 200},
		{"cookie, Origin is the request host", "POST", "/api/test/mutate", cookie, map[string]string{"Origin": "http://example.com"}, "{}", 200},
		{"cookie, Sec-Fetch-Site wins over a matching Origin", "PUT", "/api/test/mutate", cookie, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://127.0.0.1:8080"}, "{}", 403},
		{"cookie, neither header (not a browser)", "POST", "/api/test/mutate", cookie, nil, "{}", 200},
		{"cookie, same-origin but a form body", "POST", "/api/test/mutate", cookie, map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": "application/x-www-form-urlencoded"}, "a=1", 415},
		{"cookie, same-origin but text/plain", "POST", "/api/test/mutate", cookie, map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": "text/plain"}, "{}", 415},
		{"cookie, JSON with charset", "POST", "/api/test/mutate", cookie, map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": "application/json; charset=utf-8"}, "{}", 200},
		{"cookie, bodiless DELETE", "DELETE", "/api/test/mutate", cookie, map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": ""}, "", 200},
		{"cookie, cross-site DELETE", "DELETE", "/api/test/mutate", cookie, map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": ""}, "", 403},
		{"cookie, cross-site GET is not checked", "GET", "/api/test/whoami", cookie, map[string]string{"Sec-Fetch-Site": "cross-site"}, "", 200},
		{"cookie on the OTLP route", "POST", "/v1/traces", cookie, map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": "application/x-protobuf"}, "x", 403},
		{"bearer, cross-site and text/plain: exempt", "POST", "/api/test/mutate", bearer, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example", "Content-Type": "text/plain"}, "{}", 200},
		{"bearer on the OTLP route", "POST", "/v1/traces", bearer, map[string]string{"Content-Type": "application/x-protobuf"}, "x", 200},
		{"basic from the MLflow client", "POST", "/api/test/mutate", basic, nil, "{}", 200},
		{"basic replayed cross-site by a browser", "POST", "/api/test/mutate", basic, map[string]string{"Sec-Fetch-Site": "cross-site"}, "{}", 403},
		{"anonymous passes to the app", "POST", "/api/test/mutate", anon, map[string]string{"Sec-Fetch-Site": "cross-site"}, "{}", 200},
		{"logout, cross-site", "POST", "/auth/logout", cookie, map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"}, "", 403},
		{"logout form, same-origin (last: it signs out)", "POST", "/auth/logout", cookie, map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": "application/x-www-form-urlencoded"}, "", 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/json")
			for k, v := range tt.headers {
				if v == "" {
					r.Header.Del(k)
				} else {
					r.Header.Set(k, v)
				}
			}
			switch tt.auth {
			case cookie:
				r.AddCookie(f.ck)
			case bearer:
				r.Header.Set("Authorization", "Bearer "+secret)
			case basic:
				r.SetBasicAuth("alice", secret)
			}
			w := do(e, r)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.want, w.Body)
			}
			if w.Code == 403 && !strings.Contains(w.Body.String(), "PERMISSION_DENIED") {
				t.Errorf("body %s, want PERMISSION_DENIED", w.Body)
			}
		})
	}
}

func TestLocalModeCSRFAndRebinding(t *testing.T) {
	db := newTestDB(t)
	s := newService(t, db, Config{})
	e := newTestEcho(s)
	tests := []struct {
		name    string
		host    string
		method  string
		path    string
		headers map[string]string
		want    int
	}{
		{"loopback GET", "127.0.0.1:5000", "GET", "/api/test/whoami", nil, 200},
		{"localhost GET", "localhost:5000", "GET", "/api/test/whoami", nil, 200},
		{"IPv6 loopback", "[::1]:5000", "GET", "/api/test/whoami", nil, 200},
		{"DNS rebinding host", "evil.example:5000", "GET", "/api/test/whoami", nil, 403},
		{"MLflow client POST", "127.0.0.1:5000", "POST", "/api/test/mutate", map[string]string{"Content-Type": "application/json"}, 200},
		{"cross-site page POSTs to localhost", "127.0.0.1:5000", "POST", "/api/test/mutate", map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, 403},
		{"cross-site form without fetch metadata", "127.0.0.1:5000", "POST", "/api/test/mutate", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"}, 403},
		{"OTLP exporter", "127.0.0.1:4318", "POST", "/v1/traces", map[string]string{"Content-Type": "application/x-protobuf"}, 200},
		{"OTLP from a cross-site page", "127.0.0.1:4318", "POST", "/v1/traces", map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example"}, 403},
		{"same-origin SPA, not JSON", "127.0.0.1:5000", "POST", "/api/test/mutate", map[string]string{"Content-Type": "text/plain", "Sec-Fetch-Site": "same-origin"}, 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader("{}"))
			r.Host = tt.host
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if w := do(e, r); w.Code != tt.want {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.want, w.Body)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newSessionFixture(t)
	e := newTestEcho(f.s)
	want := map[string]string{
		"Content-Security-Policy": ContentSecurityPolicy,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	}
	for _, path := range []string{"/app", "/api/assay/v1/me", "/api/assay/v1/auth/config", "/no/such/route"} {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		w := do(e, r)
		for k, v := range want {
			if got := w.Header().Get(k); got != v {
				t.Errorf("GET %s: %s = %q, want %q", path, k, got, v)
			}
		}
		if w.Header().Get("Strict-Transport-Security") != "" {
			t.Errorf("GET %s: HSTS on a plain-http deployment", path)
		}
	}
	for _, d := range []string{"script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "connect-src 'self'", "img-src 'self' data: blob:"} {
		if !strings.Contains(ContentSecurityPolicy, d+";") && !strings.HasSuffix(ContentSecurityPolicy, d) {
			t.Errorf("CSP lacks %q", d)
		}
	}
	if strings.Contains(ContentSecurityPolicy, "script-src 'self' 'unsafe") {
		t.Error("CSP allows inline script")
	}

	// A CORS preflight from another origin gets no Access-Control-* header.
	r := httptest.NewRequest(http.MethodOptions, "/api/test/mutate", nil)
	r.Header.Set("Origin", "https://evil.example")
	r.Header.Set("Access-Control-Request-Method", "POST")
	w := do(e, r)
	for k := range w.Header() {
		if strings.HasPrefix(k, "Access-Control-") {
			t.Errorf("preflight answered with %s: %s", k, w.Header().Get(k))
		}
	}

	hsts := httptest.NewRecorder()
	SecurityHeaders(true)(func(c echo.Context) error { return nil })(e.NewContext(httptest.NewRequest("GET", "/", nil), hsts))
	if hsts.Header().Get("Strict-Transport-Security") == "" {
		t.Error("SecurityHeaders(true) sent no HSTS")
	}
}
