package auth

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	_ "github.com/mattn/go-sqlite3"

	"github.com/assay-labs/assay/migrations"
)

// testDB is a migrated SQLite file: one writer connection (txlock=immediate) and a read pool,
// as the app opens them.
type testDB struct {
	writer, reader *sql.DB
}

func newTestDB(t *testing.T) testDB {
	t.Helper()
	dsn := "file:" + filepath.Join(t.TempDir(), "t.db") + "?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=5000&_synchronous=FULL"
	w, err := sql.Open("sqlite3", dsn+"&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite3", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })

	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for _, name := range names {
		body, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := w.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(string(body)); err != nil {
			t.Fatalf("apply %s: %v", name, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	var fk int
	if err := r.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, %v; want 1", fk, err)
	}
	return testDB{writer: w, reader: r}
}

// count returns SELECT COUNT(*) FROM <from> [WHERE …].
func (db testDB) count(t *testing.T, from string, args ...any) int {
	t.Helper()
	var n int
	if err := db.reader.QueryRow(`SELECT COUNT(*) FROM `+from, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// testLogger discards logs unless the test runs with -v.
func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(&tWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

type tWriter struct{ t *testing.T }

func (w *tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// clock is a settable time source for Service.now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().Truncate(time.Millisecond)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// oidcConfig is an OIDC-mode configuration for a service at publicURL, whose provider need not
// exist (discovery is lazy).
func oidcConfig(t *testing.T, issuer, publicURL string) Config {
	return Config{
		Issuer:       issuer,
		ClientID:     "web",
		ClientSecret: "secret",
		PublicURL:    publicURL,
		DataDir:      t.TempDir(),
		CookieSecure: false,
	}
}

func newService(t *testing.T, db testDB, cfg Config) *Service {
	t.Helper()
	s, err := New(cfg, db.writer, db.reader, testLogger(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// newTestEcho is the Echo instance the app builds, with the package's middleware and routes and
// a few stand-in app routes that echo the caller.
func newTestEcho(s *Service) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.IPExtractor = s.IPExtractor()
	e.Use(SecurityHeaders(s.HSTS()))
	e.Use(s.Authenticate)
	e.Use(s.CSRF(CSRFConfig{TokenOnly: IsOTLPRoute}))
	s.Register(e)
	whoami := func(c echo.Context) error {
		p, ok := PrincipalFrom(c.Request().Context())
		if !ok {
			return c.JSON(http.StatusOK, map[string]any{"anonymous": true})
		}
		return c.JSON(http.StatusOK, p)
	}
	e.GET("/", func(c echo.Context) error { return c.String(http.StatusOK, "home") })
	e.GET("/app", func(c echo.Context) error { return c.String(http.StatusOK, "app") })
	e.GET("/api/test/whoami", whoami)
	e.POST("/api/test/mutate", whoami)
	e.DELETE("/api/test/mutate", whoami)
	e.POST("/v1/traces", whoami)
	return e
}

// do sends r through e and returns the recorded response.
func do(e *echo.Echo, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w
}

// signInUser creates (or finds) the user for subject with a verified email and returns it with a
// fresh session cookie value — a real session, minted as the callback would.
func signInUser(t *testing.T, s *Service, subject, email string) (User, *http.Cookie) {
	t.Helper()
	res, err := s.signIn(context.Background(), identity{Issuer: "https://idp.example", Subject: subject, Email: email, DisplayName: subject}, "test", "127.0.0.1")
	if err != nil {
		t.Fatalf("signIn %s: %v", subject, err)
	}
	val, err := s.mintSessionJWT(res.User.ID, res.SessionID, res.Expires)
	if err != nil {
		t.Fatal(err)
	}
	return res.User, &http.Cookie{Name: s.SessionCookieName(), Value: val}
}

// decodeBody decodes a JSON response body into a map.
func decodeBody(t *testing.T, body io.Reader) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.NewDecoder(body).Decode(&m); err != nil {
		t.Fatalf("decode body: %v", err)
	}
	return m
}
