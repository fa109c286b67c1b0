package mailer_test

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assay-labs/assay/app/apptest"
	"github.com/assay-labs/assay/app/mailer"
)

// assign creates an experiment and a labeling session as a developer, assigning reviewers
// through the API (which writes their in-app notices); it returns the env and the session id.
func assign(t *testing.T, reviewers ...string) (*apptest.Env, *apptest.Env, string) {
	t.Helper()
	env := apptest.NewOIDC(t)
	dev := env.As(env.User("dev@example.com", false))
	exp := dev.MustOK("POST", "/api/2.0/mlflow/experiments/create", map[string]any{"name": "support-bot"})["experiment_id"].(string)
	app := apptest.Get(dev.MustOK("GET", "/api/2.0/managed-evals/review-apps?filter=experiment_id="+exp, nil), "review_apps", 0, "review_app_id").(string)
	sess := dev.MustOK("POST", "/api/2.0/managed-evals/review-apps/"+app+"/labeling-sessions", map[string]any{
		"name": "Support triage", "assigned_users": reviewers, "labeling_schemas": []map[string]string{{"name": "guidelines"}}})
	return env, dev, sess["labeling_session_id"].(string)
}

// run starts the mailer until the test ends.
func run(t *testing.T, env *apptest.Env, cfg mailer.Config) {
	t.Helper()
	m, err := mailer.New(env.DB, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// fast is a configuration that polls and backs off in milliseconds.
func fast(d *smtpd, scheme string) mailer.Config {
	u := url.URL{Scheme: scheme, User: url.UserPassword(d.user, d.pass), Host: d.addr}
	return mailer.Config{URL: u.String(), From: "Assay <assay@example.com>", PollInterval: 20 * time.Millisecond,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, TLSConfig: d.clients}
}

// waitSent waits until every notice is recorded as e-mailed.
func waitSent(t *testing.T, env *apptest.Env) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		left, err := env.DB.FindUnsentEmails(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			return
		}
	}
	t.Fatal("notices still not marked e-mailed after 15s")
}

// checkMessage checks one received e-mail against the notice it must carry.
func checkMessage(t *testing.T, got received, to, sid string) {
	t.Helper()
	if len(got.To) != 1 || got.To[0] != to {
		t.Errorf("RCPT TO = %v, want [%s]", got.To, to)
	}
	if got.From != "assay@example.com" {
		t.Errorf("MAIL FROM = %q, want assay@example.com", got.From)
	}
	h := got.Msg.Header
	if addrs, err := h.AddressList("To"); err != nil || len(addrs) != 1 || addrs[0].Address != to {
		t.Errorf("To header = %q (%v), want %s", h.Get("To"), err, to)
	}
	if from, err := mail.ParseAddress(h.Get("From")); err != nil || from.Address != "assay@example.com" || from.Name != "Assay" {
		t.Errorf("From header = %q, want Assay <assay@example.com>", h.Get("From"))
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if want := `[Assay] dev@example.com asked you to review "Support triage"`; err != nil || subject != want {
		t.Errorf("Subject = %q (%v), want %q", subject, err, want)
	}
	if h.Get("Auto-Submitted") != "auto-generated" || h.Get("Message-Id") == "" || h.Get("Date") == "" {
		t.Errorf("headers lack Auto-Submitted, Message-ID or Date: %v", h)
	}
	body := got.Body
	if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "quoted-printable") {
		b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	if link := "http://127.0.0.1:5000/review/" + sid; !strings.Contains(body, link+"\n") && !strings.Contains(body, link+"\r\n") {
		t.Errorf("body lacks the session link %s on its own line:\n%s", link, body)
	}
}

// TestMailerSendsAssignmentNotices assigns reviewers through the API and checks what a real
// SMTP server (STARTTLS, AUTH PLAIN) receives: one e-mail per newly assigned reviewer, each
// once, and the in-app notice beside it.
func TestMailerSendsAssignmentNotices(t *testing.T) {
	env, dev, sid := assign(t, "ana@example.com")
	d := startSMTP(t, false, 0)
	run(t, env, fast(d, "smtp"))

	got := d.wait(t, 1)
	checkMessage(t, got, "ana@example.com", sid)
	if !got.TLS {
		t.Error("message was sent without TLS; smtp:// must require STARTTLS")
	}
	waitSent(t, env)

	// Adding ben mails ben only; ana's notice is not sent again.
	dev.MustOK("PUT", "/api/assay/v1/sessions/"+sid+"/assigned-users", map[string]any{"assigned_users": []string{"ana@example.com", "ben@example.com"}})
	checkMessage(t, d.wait(t, 2), "ben@example.com", sid)
	waitSent(t, env)
	time.Sleep(100 * time.Millisecond) // several more polls
	if n := d.count(); n != 2 {
		t.Errorf("server received %d messages, want 2 (one per assignment)", n)
	}

	// The in-app notice exists as well.
	ana := env.As(env.User("ana@example.com", false))
	notes := ana.MustOK("GET", "/api/assay/v1/notifications", nil)
	if link := apptest.Get(notes, "notifications", 0, "link"); link != "http://127.0.0.1:5000/review/"+sid {
		t.Errorf("in-app notice link = %v", link)
	}
}

// TestMailerRetries checks backoff and retry: the server is down for two connection attempts,
// then refuses the message once with a temporary error; the notice still arrives, exactly once.
func TestMailerRetries(t *testing.T) {
	env, _, sid := assign(t, "ana@example.com")
	d := startSMTP(t, false, 2)
	d.rejectData.Store(1)
	run(t, env, fast(d, "smtp"))

	checkMessage(t, d.wait(t, 1), "ana@example.com", sid)
	waitSent(t, env)
	time.Sleep(150 * time.Millisecond)
	if n := d.count(); n != 1 {
		t.Errorf("server received %d messages, want exactly 1", n)
	}
	if n := d.rejectData.Load(); n >= 0 {
		t.Errorf("the temporary refusal was never hit (counter %d)", n)
	}
	if n := atomic.LoadInt32(&d.listener.drop); n >= 0 {
		t.Errorf("the dropped connections were never attempted (counter %d)", n)
	}
}

// TestMailerImplicitTLS sends over smtps://.
func TestMailerImplicitTLS(t *testing.T) {
	env, _, sid := assign(t, "ana@example.com")
	d := startSMTP(t, true, 0)
	run(t, env, fast(d, "smtps"))
	got := d.wait(t, 1)
	checkMessage(t, got, "ana@example.com", sid)
	waitSent(t, env)
}

// TestMailerStopsOnCancel: Run returns promptly when its context ends, even while backing off
// from a server that cannot be reached.
func TestMailerStopsOnCancel(t *testing.T) {
	env, _, _ := assign(t, "ana@example.com")
	m, err := mailer.New(env.DB, mailer.Config{URL: "smtp://127.0.0.1:1?tls=none", From: "assay@example.com", MinBackoff: time.Hour},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.Run(ctx) }()
	time.Sleep(100 * time.Millisecond) // the first attempt fails; Run now waits an hour
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if left, _ := env.DB.FindUnsentEmails(context.Background(), 10); len(left) != 1 {
		t.Errorf("unsent notices = %d, want 1 (nothing was delivered)", len(left))
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw     string
		want    mailer.Server
		wantErr string
	}{
		{"smtp://me:pw@mail.example.com", mailer.Server{Host: "mail.example.com", Port: 587, Username: "me", Password: "pw", TLS: mailer.TLSStartTLS}, ""},
		{"smtp://me%40example.com:p%3Aw@mail.example.com:2525", mailer.Server{Host: "mail.example.com", Port: 2525, Username: "me@example.com", Password: "p:w", TLS: mailer.TLSStartTLS}, ""},
		{"smtps://me:pw@mail.example.com", mailer.Server{Host: "mail.example.com", Port: 465, Username: "me", Password: "pw", TLS: mailer.TLSImplicit}, ""},
		{"smtp://localhost:25?tls=none", mailer.Server{Host: "localhost", Port: 25, TLS: mailer.TLSNone}, ""},
		{"smtp://[::1]:25?tls=opportunistic", mailer.Server{Host: "::1", Port: 25, TLS: mailer.TLSOpportunistic}, ""},
		{"http://mail.example.com", mailer.Server{}, "scheme must be smtp or smtps"},
		{"smtp://", mailer.Server{}, "no host"},
		{"smtp://mail.example.com:99999", mailer.Server{}, "port"},
		{"smtp://mail.example.com?tls=maybe", mailer.Server{}, "tls must be"},
		{"smtps://mail.example.com?tls=none", mailer.Server{}, "always TLS"},
		{"smtp://mail.example.com?from=x", mailer.Server{}, "unknown parameter"},
		{"smtp://mail.example.com/inbox", mailer.Server{}, "unexpected path"},
		{"smtp://me:pa ss@host:bad", mailer.Server{}, "invalid SMTP URL"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := mailer.ParseURL(tt.raw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "pa ss") {
					t.Errorf("error reveals the password: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseURL = %+v, %v; want %+v", got, err, tt.want)
			}
			if s := got.String(); tt.want.Password != "" && strings.Contains(s, tt.want.Password) {
				t.Errorf("String() = %q reveals the password", s)
			}
		})
	}
}

func TestNewSender(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tt := range []struct {
		url, from, wantErr string
	}{
		{"smtp://assay%40example.com:pw@mail.example.com", "", ""}, // the login is an address
		{"smtp://mail.example.com", "Assay <assay@example.com>", ""},
		{"smtp://mail.example.com", "", "set --smtp-from"},
		{"smtp://mail.example.com", "not an address", "invalid --smtp-from"},
		{"ftp://mail.example.com", "a@example.com", "scheme"},
	} {
		_, err := mailer.New(nil, mailer.Config{URL: tt.url, From: tt.from}, log)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("New(%q, from %q) = %v, want error containing %q", tt.url, tt.from, err, tt.wantErr)
		}
	}
}
