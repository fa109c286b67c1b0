// Package app wires Assay together: configuration, the HTTP server and its route groups.
package app

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/assay-labs/assay/auth"
)

// Config is everything `assay serve` can be told, by flag or by ASSAY_* environment variable.
type Config struct {
	DataDir         string
	Addr            string
	PublicURL       string
	MaxBodyBytes    int64
	LogLevel        string
	LogFormat       string
	ShutdownTimeout time.Duration

	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCScopes       string
	AdminEmails      string
	TrustedProxies   string
	SessionTTL       time.Duration
	ReviewerAccess   string

	// SMTPURL turns on e-mail notifications (smtp://user:pass@host:587, smtps://…); SMTPFrom
	// is their sender.
	SMTPURL  string
	SMTPFrom string
}

// DBPath is the SQLite file inside the data directory.
func (c Config) DBPath() string { return c.DataDir + "/assay.db" }

// BindStorage registers the flags every sub-command that opens the database shares.
func (c *Config) BindStorage(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", "./assay-data", "directory holding the SQLite database and the secret key file")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
}

// BindServe registers the flags of `assay serve`.
func (c *Config) BindServe(fs *flag.FlagSet) {
	c.BindStorage(fs)
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:5000", "address to listen on (host:port)")
	fs.StringVar(&c.PublicURL, "public-url", "", "URL users reach Assay at, for links in e-mails and session URLs (default http://<addr>)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", 32<<20, "largest request body accepted, in bytes (also caps decompressed OTLP bodies)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long in-flight requests may take to finish on SIGINT/SIGTERM")
	fs.StringVar(&c.OIDCIssuer, "oidc-issuer", "", "OpenID Provider issuer URL; empty runs Assay in local mode (one local admin, loopback only)")
	fs.StringVar(&c.OIDCClientID, "oidc-client-id", "", "client id registered at the OpenID Provider")
	fs.StringVar(&c.OIDCClientSecret, "oidc-client-secret", "", "client secret (prefer the environment variable)")
	fs.StringVar(&c.OIDCScopes, "oidc-scopes", "openid,email,profile", "comma-separated scopes to request")
	fs.StringVar(&c.AdminEmails, "admin-emails", "", "comma-separated verified emails that become server admins when they sign in")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", "", "comma-separated proxy IPs/CIDRs whose X-Forwarded-For is trusted (default: none)")
	fs.DurationVar(&c.SessionTTL, "session-ttl", 24*time.Hour, "how long a browser sign-in lasts")
	fs.StringVar(&c.ReviewerAccess, "reviewer-access", "experiment", "what assigned reviewers may see: experiment (EDIT on the session's experiment, as Databricks) or session (only their sessions' items)")
	fs.StringVar(&c.SMTPURL, "smtp-url", "", "SMTP server for e-mail notifications: smtp://user:pass@host:587 (STARTTLS; ?tls=opportunistic|none), smtps://user:pass@host:465; empty: in-app notices only (prefer the environment variable)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", "", "sender of notification e-mails, e.g. 'Assay <assay@example.com>' (default: the SMTP user name when it is an address)")
}

// PublicOrigin is the URL users reach Assay at: --public-url, or http://<listen address>.
func (c Config) PublicOrigin(listenAddr string) string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	return "http://" + listenAddr
}

// AuthConfig turns the flags into the auth package's configuration.
func (c Config) AuthConfig(listenAddr string) auth.Config {
	public := c.PublicOrigin(listenAddr)
	return auth.Config{
		Issuer:         c.OIDCIssuer,
		ClientID:       c.OIDCClientID,
		ClientSecret:   c.OIDCClientSecret,
		PublicURL:      public,
		Scopes:         splitList(c.OIDCScopes),
		AdminEmails:    splitList(c.AdminEmails),
		DataDir:        c.DataDir,
		CookieSecure:   !strings.HasPrefix(public, "http://"),
		SessionTTL:     c.SessionTTL,
		TrustedProxies: splitList(c.TrustedProxies),
	}
}

// splitList splits a comma-separated flag value, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// EnvName is the environment variable that sets a flag: ASSAY_ and the flag name in upper
// snake case (--data-dir → ASSAY_DATA_DIR).
func EnvName(flagName string) string {
	return "ASSAY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// ParseFlags parses args into fs after applying ASSAY_* environment variables, so a flag on the
// command line wins over the environment, which wins over the default.
func ParseFlags(fs *flag.FlagSet, args []string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := os.LookupEnv(EnvName(f.Name)); ok && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("invalid value %q for %s: %v", v, EnvName(f.Name), err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	return fs.Parse(args)
}

// Usage returns a flag.FlagSet usage function that documents each flag with its environment
// variable and default.
func Usage(fs *flag.FlagSet, w io.Writer, synopsis string) func() {
	return func() {
		fmt.Fprintf(w, "%s\n\nFlags (each can also be set with the environment variable shown):\n", synopsis)
		fs.VisitAll(func(f *flag.Flag) {
			def := ""
			if f.DefValue != "" {
				def = fmt.Sprintf(" (default %s)", f.DefValue)
			}
			fmt.Fprintf(w, "  --%s\t%s\n      %s%s\n", f.Name, EnvName(f.Name), f.Usage, def)
		})
	}
}
