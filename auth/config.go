package auth

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Config configures the Service. An empty Issuer selects local mode, where nothing else but
// PublicURL (optional) matters.
type Config struct {
	// Issuer is the OpenID Provider's issuer URL, exactly as its discovery document spells it
	// (go-oidc compares byte for byte, so a trailing slash matters). Empty = local mode.
	Issuer string
	// ClientID and ClientSecret are the client registered at the provider. The secret may be
	// empty for a public client (PKCE is always used).
	ClientID     string
	ClientSecret string
	// RedirectURL is the callback registered at the provider, <PublicURL>/auth/callback; it
	// defaults to that and must have PublicURL's origin (the login cookie must come back to it).
	RedirectURL string
	// PublicURL is the external origin browsers use, e.g. https://assay.example.com. It is the
	// session JWT's issuer and the origin cookie-authenticated mutations must come from. Required
	// with an Issuer; it may not carry a path.
	PublicURL string
	// Scopes requested at sign-in; default openid, email, profile ("openid" is always added).
	Scopes []string
	// AdminEmails become server admins when they sign in with that email verified.
	AdminEmails []string
	// DataDir holds the session signing key (session.key, mode 0600). Required with an Issuer.
	DataDir string
	// CookieSecure marks cookies Secure and names the session cookie __Host-assay_session. It
	// may be false only when PublicURL is plain http on a loopback host (local development).
	CookieSecure bool
	// SessionTTL is how long a browser session lasts; default 24h.
	SessionTTL time.Duration
	// TrustedProxies lists the reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed
	// when finding the client IP. Empty: the TCP peer address is the client.
	TrustedProxies []string
	// HTTPClient talks to the OpenID Provider; default: a client with a 10 s timeout.
	HTTPClient *http.Client
}

// Defaults used when Config leaves a field zero.
const (
	DefaultSessionTTL = 24 * time.Hour
	oidcHTTPTimeout   = 10 * time.Second
)

// defaultScopes are requested when Config.Scopes is empty.
var defaultScopes = []string{"openid", "email", "profile"}

// normalize fills defaults and checks the configuration, returning a copy.
func (cfg Config) normalize() (Config, error) {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.SessionTTL < time.Minute {
		return cfg, fmt.Errorf("auth: session TTL %s is too short", cfg.SessionTTL)
	}
	if _, err := parseProxies(cfg.TrustedProxies); err != nil {
		return cfg, err
	}
	if cfg.PublicURL != "" {
		u, err := parseOrigin(cfg.PublicURL)
		if err != nil {
			return cfg, fmt.Errorf("auth: public URL: %w", err)
		}
		cfg.PublicURL = u.String()
	}
	if cfg.Issuer == "" {
		return cfg, nil // local mode
	}

	iss, err := url.Parse(cfg.Issuer)
	if err != nil || iss.Host == "" || (iss.Scheme != "https" && iss.Scheme != "http") {
		return cfg, fmt.Errorf("auth: issuer %q is not an absolute http(s) URL", cfg.Issuer)
	}
	if iss.Scheme == "http" && !isLoopbackHost(iss.Hostname()) {
		return cfg, fmt.Errorf("auth: issuer %q must use https (plain http is allowed on loopback only)", cfg.Issuer)
	}
	if cfg.ClientID == "" {
		return cfg, errors.New("auth: an OIDC client ID is required with an issuer")
	}
	if cfg.PublicURL == "" {
		return cfg, errors.New("auth: the public URL is required with an issuer")
	}
	if cfg.DataDir == "" {
		return cfg, errors.New("auth: a data directory (for the session key) is required with an issuer")
	}
	pub, _ := url.Parse(cfg.PublicURL)
	if !cfg.CookieSecure && (pub.Scheme != "http" || !isLoopbackHost(pub.Hostname())) {
		return cfg, fmt.Errorf("auth: insecure cookies are allowed only for a plain-http loopback public URL, not %s", cfg.PublicURL)
	}
	if cfg.CookieSecure && pub.Scheme == "http" && !isLoopbackHost(pub.Hostname()) {
		return cfg, fmt.Errorf("auth: secure cookies need an https public URL, not %s", cfg.PublicURL)
	}
	if cfg.RedirectURL == "" {
		cfg.RedirectURL = cfg.PublicURL + "/auth/callback"
	}
	red, err := url.Parse(cfg.RedirectURL)
	if err != nil || !sameOrigin(red, cfg.PublicURL) || red.Path == "" {
		return cfg, fmt.Errorf("auth: redirect URL %q must be on the public URL %s", cfg.RedirectURL, cfg.PublicURL)
	}
	if !slices.Contains(cfg.Scopes, "openid") {
		if len(cfg.Scopes) == 0 {
			cfg.Scopes = defaultScopes
		} else {
			cfg.Scopes = append([]string{"openid"}, cfg.Scopes...)
		}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: oidcHTTPTimeout}
	}
	return cfg, nil
}

// parseOrigin parses an http(s) URL with no path, query or fragment, and returns it without a
// trailing slash.
func parseOrigin(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	if u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("%q must be an origin only (scheme://host[:port]), Assay is served at the root", raw)
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}, nil
}

// isLoopbackHost reports whether a host name (without port) is "localhost" or a loopback IP.
func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseProxies parses TrustedProxies entries, each an IP or a CIDR.
func parseProxies(list []string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			ip := net.ParseIP(s)
			if ip == nil {
				return nil, fmt.Errorf("auth: trusted proxy %q is not an IP or CIDR", s)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			nets = append(nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("auth: trusted proxy %q is not an IP or CIDR", s)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// sameOrigin reports whether u has the given origin (as parseOrigin returns it).
func sameOrigin(u *url.URL, origin string) bool {
	o, err := parseOrigin(u.Scheme + "://" + u.Host)
	return err == nil && o.String() == origin
}
