package auth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestConfigRefused(t *testing.T) {
	base := func(t *testing.T) Config { return oidcConfig(t, "https://idp.example", "https://assay.example") }
	tests := []struct {
		name    string
		edit    func(c *Config)
		wantErr string
	}{
		{"http issuer off loopback", func(c *Config) { c.Issuer = "http://idp.example" }, "https"},
		{"relative issuer", func(c *Config) { c.Issuer = "idp.example" }, "absolute"},
		{"no client id", func(c *Config) { c.ClientID = "" }, "client ID"},
		{"no public URL", func(c *Config) { c.PublicURL = "" }, "public URL"},
		{"public URL with a path", func(c *Config) { c.PublicURL = "https://assay.example/sub" }, "origin only"},
		{"no data dir", func(c *Config) { c.DataDir = "" }, "data directory"},
		{"insecure cookies on a real host", func(c *Config) { c.CookieSecure = false }, "insecure cookies"},
		{"secure cookies on plain http", func(c *Config) { c.CookieSecure = true; c.PublicURL = "http://assay.example" }, "https public URL"},
		{"redirect elsewhere", func(c *Config) { c.RedirectURL = "https://evil.example/auth/callback" }, "redirect URL"},
		{"bad proxy", func(c *Config) { c.TrustedProxies = []string{"10.0.0.0/33"} }, "trusted proxy"},
		{"tiny TTL", func(c *Config) { c.SessionTTL = time.Second }, "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base(t)
			cfg.CookieSecure = true
			tt.edit(&cfg)
			_, err := cfg.normalize()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}

	t.Run("defaults", func(t *testing.T) {
		cfg := base(t)
		cfg.CookieSecure = true
		cfg.PublicURL = "https://Assay.Example/"
		got, err := cfg.normalize()
		if err != nil {
			t.Fatal(err)
		}
		if got.PublicURL != "https://assay.example" || got.RedirectURL != "https://assay.example/auth/callback" ||
			got.SessionTTL != DefaultSessionTTL || strings.Join(got.Scopes, " ") != "openid email profile" || got.HTTPClient.Timeout == 0 {
			t.Errorf("normalized = %+v", got)
		}
		cfg.Scopes = []string{"email"}
		if got, _ := cfg.normalize(); strings.Join(got.Scopes, " ") != "openid email" {
			t.Errorf("scopes = %v, want openid added", got.Scopes)
		}
	})
}

func TestSafeReturnTo(t *testing.T) {
	tests := map[string]string{
		"":                              "/",
		"/":                             "/",
		"/sessions/42":                  "/sessions/42",
		"/sessions/42?tab=items#x":      "/sessions/42?tab=items#x",
		"/%2F%2Fevil.example":           "/%2F%2Fevil.example", // a path on our host, not another host
		"//evil.example":                "/",
		"///evil.example":               "/",
		"/\\evil.example":               "/",
		"/x\\y":                         "/",
		"\\\\evil.example":              "/",
		"https://evil.example":          "/",
		"javascript:alert(1)":           "/",
		"evil.example":                  "/",
		"/\t/evil.example":              "/",
		"/\n/evil.example":              "/",
		"/auth/login":                   "/",
		"/auth/callback?code=x":         "/",
		"/" + strings.Repeat("a", 3000): "/",
	}
	for in, want := range tests {
		if got := SafeReturnTo(in); got != want {
			t.Errorf("SafeReturnTo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckListenAddr(t *testing.T) {
	tests := []struct {
		addr  string
		local bool
		ok    bool
	}{
		{"127.0.0.1:5000", true, true},
		{"localhost:5000", true, true},
		{"[::1]:5000", true, true},
		{"127.0.0.2:5000", true, true},
		{":5000", true, false},
		{"0.0.0.0:5000", true, false},
		{"[::]:5000", true, false},
		{"192.168.1.5:5000", true, false},
		{"assay.example:5000", true, false},
		{":5000", false, true},
		{"0.0.0.0:5000", false, true},
	}
	for _, tt := range tests {
		err := CheckListenAddr(tt.addr, tt.local)
		if (err == nil) != tt.ok {
			t.Errorf("CheckListenAddr(%q, %v) = %v, want ok=%v", tt.addr, tt.local, err, tt.ok)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := map[string]string{
		" Alice@Corp.TEST ":   "alice@corp.test",
		"a.b+tag@corp.test":   "a.b+tag@corp.test",   // no provider-specific rewriting
		"\u212Aate@corp.test": "\u212Aate@corp.test", // Kelvin sign: not folded onto "kate@"
		"ÉLODIE@corp.test":    "Élodie@corp.test",    // only ASCII letters fold
	}
	for in, want := range tests {
		if got := normalizeEmail(in); got != want {
			t.Errorf("normalizeEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClientIPAndRateLimit(t *testing.T) {
	req := func(remote string, xff string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/auth/login", nil)
		r.RemoteAddr = remote
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		return r
	}
	direct, _ := newIPExtractor(nil)
	proxied, _ := newIPExtractor([]string{"192.0.2.10", "2001:db8::/32"})
	tests := []struct {
		name    string
		extract func(*http.Request) string
		r       *http.Request
		want    string
	}{
		{"direct ignores XFF", direct, req("198.51.100.7:1234", "203.0.113.1"), "198.51.100.7"},
		{"direct ignores XFF from a private peer", direct, req("10.0.0.1:1234", "203.0.113.1"), "10.0.0.1"},
		{"trusted proxy", proxied, req("192.0.2.10:1234", "203.0.113.1"), "203.0.113.1"},
		{"trusted proxy, spoofed left entries", proxied, req("192.0.2.10:1234", "6.6.6.6, 203.0.113.1"), "203.0.113.1"},
		{"untrusted peer's XFF ignored", proxied, req("198.51.100.7:1234", "203.0.113.1"), "198.51.100.7"},
		{"private peer is not trusted by default", proxied, req("10.0.0.1:1234", "203.0.113.1"), "10.0.0.1"},
		{"loopback peer is not trusted by default", proxied, req("127.0.0.1:1234", "203.0.113.1"), "127.0.0.1"},
	}
	for _, tt := range tests {
		if got := tt.extract(tt.r); got != tt.want {
			t.Errorf("%s: client IP = %q, want %q", tt.name, got, tt.want)
		}
	}

	db := newTestDB(t)
	s := newService(t, db, Config{})
	s.authLimit = s.newAuthRateLimiter(0.0001, 3)
	e := newTestEcho(s)
	status := func(remote, xff string) int {
		r := req(remote, xff)
		r.Host = "127.0.0.1:5000"
		return do(e, r).Code
	}
	for i := 0; i < 3; i++ {
		if got := status("198.51.100.7:1", ""); got != http.StatusFound {
			t.Fatalf("request %d: status %d, want 302", i, got)
		}
	}
	if got := status("198.51.100.7:1", ""); got != http.StatusTooManyRequests {
		t.Errorf("4th request: status %d, want 429", got)
	}
	if got := status("198.51.100.7:1", "203.0.113."+"9"); got != http.StatusTooManyRequests {
		t.Errorf("spoofed X-Forwarded-For dodged the limit: status %d, want 429", got)
	}
	if got := status("198.51.100.8:1", ""); got != http.StatusFound {
		t.Errorf("another client: status %d, want 302", got)
	}
	r := req("198.51.100.7:1", "")
	r.URL.Path = "/api/assay/v1/auth/config"
	r.Host = "127.0.0.1:5000"
	if got := do(e, r).Code; got != http.StatusOK {
		t.Errorf("non-auth route limited: status %d", got)
	}
}
