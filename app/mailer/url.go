package mailer

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// TLS modes of an SMTP connection.
const (
	// TLSImplicit is TLS from the first byte (smtps://, usually port 465).
	TLSImplicit = "implicit"
	// TLSStartTLS upgrades a plain connection with STARTTLS and refuses a server that does not
	// offer it: the default for smtp://, since the URL may carry a password.
	TLSStartTLS = "starttls"
	// TLSOpportunistic uses STARTTLS when the server offers it and plain text otherwise.
	TLSOpportunistic = "opportunistic"
	// TLSNone never encrypts (a relay on localhost). Passwords are then refused by the mail
	// library, which only sends PLAIN/LOGIN credentials over TLS.
	TLSNone = "none"
)

// Server is where and how to send mail, parsed from --smtp-url.
type Server struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // one of the TLS… modes
}

// ParseURL reads an SMTP server URL:
//
//	smtp://user:pass@host:587             STARTTLS required (default port 587)
//	smtp://host:25?tls=opportunistic      STARTTLS when offered
//	smtp://localhost:25?tls=none          no TLS (a local relay; no password then)
//	smtps://user:pass@host:465            implicit TLS (default port 465)
//
// User name and password are percent-decoded ("me%40example.com" for an e-mail login).
func ParseURL(raw string) (Server, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Server{}, fmt.Errorf("invalid SMTP URL: %v", redactErr(err, raw))
	}
	var s Server
	switch u.Scheme {
	case "smtp":
		s.TLS, s.Port = TLSStartTLS, 587
	case "smtps":
		s.TLS, s.Port = TLSImplicit, 465
	default:
		return Server{}, fmt.Errorf("invalid SMTP URL: scheme must be smtp or smtps, got %q", u.Scheme)
	}
	if s.Host = u.Hostname(); s.Host == "" {
		return Server{}, fmt.Errorf("invalid SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Server{}, fmt.Errorf("invalid SMTP URL: port %q", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if u.Path != "" && u.Path != "/" {
		return Server{}, fmt.Errorf("invalid SMTP URL: unexpected path %q", u.Path)
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return Server{}, fmt.Errorf("invalid SMTP URL: unknown parameter %q (only tls=starttls|opportunistic|none)", k)
		}
	}
	if mode := q.Get("tls"); mode != "" {
		if u.Scheme == "smtps" {
			return Server{}, fmt.Errorf("invalid SMTP URL: smtps:// is always TLS; tls=%s applies to smtp:// only", mode)
		}
		switch mode {
		case TLSStartTLS, TLSOpportunistic, TLSNone:
			s.TLS = mode
		default:
			return Server{}, fmt.Errorf("invalid SMTP URL: tls must be starttls, opportunistic or none, got %q", mode)
		}
	}
	return s, nil
}

// String is the server as a URL without its password, for logs.
func (s Server) String() string {
	scheme := "smtp"
	if s.TLS == TLSImplicit {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: s.Host + ":" + strconv.Itoa(s.Port)}
	if s.Username != "" {
		u.User = url.User(s.Username)
	}
	if s.TLS != TLSImplicit && s.TLS != TLSStartTLS {
		u.RawQuery = "tls=" + s.TLS
	}
	return u.String()
}

// redactErr keeps a URL parse error from echoing the password it failed on.
func redactErr(err error, raw string) string {
	msg := err.Error()
	if u, perr := url.Parse(raw); perr == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
	}
	if i := strings.Index(raw, "@"); i > 0 {
		msg = strings.ReplaceAll(msg, raw[:i], "…")
	}
	return msg
}
