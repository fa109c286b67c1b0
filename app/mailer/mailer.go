// Package mailer e-mails the in-app notices (a reviewer assigned to a labeling session, …) when
// an SMTP server is configured. The notice itself always exists in the database; the mailer
// only sends each one once and records it (notifications.emailed_at).
//
// It uses github.com/wneessen/go-mail: actively maintained, built on a fork of the standard
// library's net/smtp (frozen upstream) with STARTTLS policies, implicit TLS, SMTP AUTH
// auto-discovery that never sends a password in clear text, context-aware dialing and
// RFC 5322 message building — the parts that are easy to get subtly wrong by hand.
package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	netmail "net/mail"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/assay-labs/assay/app/store"
)

// Config is what the mailer needs besides the database.
type Config struct {
	// URL is the SMTP server (see ParseURL); From the sender, "Assay <assay@example.com>".
	URL  string
	From string
	// PollInterval is how often new notices are looked for (default 5s).
	PollInterval time.Duration
	// MinBackoff and MaxBackoff bound the wait after a failure, which doubles with each
	// consecutive failure (defaults 5s and 10m).
	MinBackoff, MaxBackoff time.Duration
	// TLSConfig, when set, is used for TLS (tests trust their own CA with it); nil means the
	// system's roots with the server's host name.
	TLSConfig *tls.Config
}

// batchSize is how many pending notices one pass reads.
const batchSize = 200

// Mailer sends pending notices. Run it in one goroutine.
type Mailer struct {
	db     *store.DB
	log    *slog.Logger
	cfg    Config
	server Server
	from   string
	// retry holds the notices that failed: when each may be tried again.
	retry map[int64]attempt
}

type attempt struct {
	failures int
	next     time.Time
}

// New checks the configuration; nothing is sent until Run.
func New(db *store.DB, cfg Config, log *slog.Logger) (*Mailer, error) {
	srv, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	from := cfg.From
	if from == "" {
		if _, err := netmail.ParseAddress(srv.Username); err != nil {
			return nil, fmt.Errorf("set --smtp-from: the sender address (the SMTP user name %q is not one)", srv.Username)
		}
		from = srv.Username
	}
	if _, err := netmail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("invalid --smtp-from %q: %v", from, err)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 5 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 5 * time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(cfg.MinBackoff, 10*time.Minute)
	}
	return &Mailer{db: db, log: log, cfg: cfg, server: srv, from: from, retry: map[int64]attempt{}}, nil
}

// Run sends notices until ctx is cancelled. A server that cannot be reached is retried after a
// growing pause; a notice the server refuses is retried on its own schedule while the others go
// out.
func (m *Mailer) Run(ctx context.Context) {
	m.log.Info("e-mail notifications on", "smtp", m.server.String(), "from", m.from)
	failures := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		wait := m.cfg.PollInterval
		if err := m.pass(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			wait = m.backoff(failures)
			m.log.Warn("sending e-mail failed; will retry", "err", err, "retry_in", wait.Round(time.Millisecond))
		} else {
			failures = 0
		}
		timer.Reset(wait)
	}
}

// pass sends every notice that is due over one connection. It returns an error when the
// server could not be used at all (so Run backs off); refusals of single notices are handled
// here.
func (m *Mailer) pass(ctx context.Context) error {
	pending, err := m.db.FindUnsentEmails(ctx, batchSize)
	if err != nil {
		return fmt.Errorf("find unsent notices: %w", err)
	}
	now := time.Now()
	var due []store.PendingEmail
	for _, p := range pending {
		if a, ok := m.retry[p.ID]; !ok || !now.Before(a.next) {
			due = append(due, p)
		}
	}
	if len(due) == 0 {
		return nil
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	if err := c.DialWithContext(ctx); err != nil {
		return fmt.Errorf("connect to %s: %w", m.server, err)
	}
	defer c.Close()
	for _, p := range due {
		msg, err := m.message(p)
		if err == nil {
			err = c.Send(msg)
		}
		if err != nil {
			a := m.retry[p.ID]
			a.failures++
			a.next = time.Now().Add(m.backoff(a.failures))
			m.retry[p.ID] = a
			if connectionLost(err) {
				return fmt.Errorf("send notice %d to %s: %w", p.ID, p.Email, err)
			}
			m.log.Warn("e-mail refused; will retry", "notification", p.ID, "to", p.Email, "err", err, "retry_at", a.next.Format(time.RFC3339))
			continue
		}
		delete(m.retry, p.ID)
		if err := m.db.MarkEmailed(ctx, p.ID); err != nil {
			return fmt.Errorf("record notice %d as e-mailed: %w", p.ID, err)
		}
		m.log.Debug("e-mail sent", "notification", p.ID, "to", p.Email)
	}
	return nil
}

// connectionLost reports a send error that leaves the connection unusable, as opposed to the
// server refusing one message or recipient.
func connectionLost(err error) bool {
	var se *mail.SendError
	if !errors.As(err, &se) {
		return true
	}
	switch se.Reason {
	case mail.ErrConnCheck, mail.ErrSMTPReset, mail.ErrAmbiguous:
		return true
	}
	return false
}

// client builds a go-mail client for the configured server.
func (m *Mailer) client() (*mail.Client, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if m.cfg.TLSConfig != nil {
		tc = m.cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = m.server.Host
	}
	opts := []mail.Option{mail.WithPort(m.server.Port), mail.WithTLSConfig(tc), mail.WithTimeout(30 * time.Second)}
	switch m.server.TLS {
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSOpportunistic:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if m.server.Username != "" {
		// Auto-discovery picks the strongest mechanism the server offers and never PLAIN or
		// LOGIN on a connection that is not encrypted.
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(m.server.Username), mail.WithPassword(m.server.Password))
	}
	c, err := mail.NewClient(m.server.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	return c, nil
}

// backoff is the pause after the n-th consecutive failure: MinBackoff doubling up to
// MaxBackoff, with ±20% jitter so many notices do not retry in lockstep.
func (m *Mailer) backoff(n int) time.Duration {
	d := m.cfg.MinBackoff
	for i := 1; i < n && d < m.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, m.cfg.MaxBackoff)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
