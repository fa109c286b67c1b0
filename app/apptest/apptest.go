// Package apptest starts a real Assay (real Echo, real SQLite file in a temp dir) for tests and
// sends it requests. It is imported only by _test.go files.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/store"
	"github.com/assay-labs/assay/auth"
)

// Env is one running Assay over a fresh database.
type Env struct {
	T      testing.TB
	DB     *store.DB
	Server *app.Server
	Config app.Config
	// Token, when set, is sent as "Authorization: Bearer <Token>" by Do.
	Token string
}

// Host is the host name requests are addressed to (local mode answers loopback names only).
const Host = "127.0.0.1:5000"

// Issuer is the OpenID Provider configured by NewOIDC. Nothing listens there: discovery is
// lazy, and these tests authenticate with API tokens.
const Issuer = "http://127.0.0.1:9/"

// New starts Assay in local mode (every request acts as the local admin).
func New(t testing.TB) *Env { return start(t, "", nil) }

// NewOIDC starts Assay in OIDC mode; make callers with User.
func NewOIDC(t testing.TB) *Env { return start(t, Issuer, nil) }

// NewOIDCWith starts Assay in OIDC mode after edit has changed the configuration NewOIDC
// would use (reviewer access, say).
func NewOIDCWith(t testing.TB, edit func(*app.Config)) *Env { return start(t, Issuer, edit) }

func start(t testing.TB, issuer string, edit func(*app.Config)) *Env {
	t.Helper()
	dir := t.TempDir()
	cfg := app.Config{DataDir: dir, Addr: Host, MaxBodyBytes: 8 << 20, LogLevel: "error", LogFormat: "text", ShutdownTimeout: 5 * time.Second,
		OIDCIssuer: issuer, OIDCClientID: "assay-test", ReviewerAccess: "experiment", SessionTTL: time.Hour}
	if edit != nil {
		edit(&cfg)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "assay.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	authSvc, err := auth.New(cfg.AuthConfig(Host), db.Writer, db.Reader, log)
	if err != nil {
		t.Fatalf("auth: %v", err)
	}
	return &Env{T: t, DB: db, Server: app.New(cfg, db, authSvc, log), Config: cfg}
}

// Caller is a user made for a test, with an API token.
type Caller struct {
	UserID int64
	Email  string
	Token  string
}

// User creates a signed-up user with a verified email (as an OIDC sign-in would) and an API
// token for it; admin makes it a server admin.
func (e *Env) User(email string, admin bool) Caller {
	e.T.Helper()
	ctx := context.Background()
	res, err := e.DB.Writer.ExecContext(ctx, `INSERT INTO users (issuer, subject, email, email_verified, display_name, admin, created_at)
		VALUES (?, ?, ?, 1, ?, ?, 0)`, Issuer, "sub-"+email, email, email, admin)
	if err != nil {
		e.T.Fatalf("create user %s: %v", email, err)
	}
	id, _ := res.LastInsertId()
	if _, err := e.DB.Writer.ExecContext(ctx, `UPDATE experiment_permissions SET user_id = ? WHERE user_id IS NULL AND email = ?`, id, email); err != nil {
		e.T.Fatalf("bind pending grants of %s: %v", email, err)
	}
	tok, _, err := e.Server.Auth.CreateToken(ctx, id, "test", nil)
	if err != nil {
		e.T.Fatalf("create token for %s: %v", email, err)
	}
	return Caller{UserID: id, Email: email, Token: tok}
}

// As returns a copy of the environment whose requests carry c's token.
func (e *Env) As(c Caller) *Env {
	cp := *e
	cp.Token = c.Token
	return &cp
}

// Response is a recorded answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map (failing the test when it is not a JSON object).
func (r Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object (status %d): %v\n%s", r.Status, err, r.Body)
	}
	return m
}

// Do sends a request with a JSON (or raw string/[]byte) body and optional header pairs.
func (e *Env) Do(method, path string, body any, headers ...string) Response {
	e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.T.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Host = Host
	if e.Token != "" {
		req.Header.Set("Authorization", "Bearer "+e.Token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.Server.Echo.ServeHTTP(rec, req)
	return Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// Send serves a request the test built itself, as it is: the test sets its Host (see Host),
// credentials and headers. For requests Do cannot make: another client address (the sign-in
// routes are rate-limited per address), another Host, a body whose Content-Type is not JSON.
func (e *Env) Send(req *http.Request) Response {
	e.T.Helper()
	rec := httptest.NewRecorder()
	e.Server.Echo.ServeHTTP(rec, req)
	return Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// MustOK sends a request and fails the test unless it answers 200; it returns the JSON body.
func (e *Env) MustOK(method, path string, body any) map[string]any {
	e.T.Helper()
	r := e.Do(method, path, body)
	if r.Status != http.StatusOK {
		e.T.Fatalf("%s %s: status %d, want 200\n%s", method, path, r.Status, r.Body)
	}
	return r.JSON(e.T)
}

// Get walks a decoded JSON value along keys and list indexes ("runs", 0, "info", "run_id").
func Get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}
