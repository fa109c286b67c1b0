package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/store"
	"github.com/assay-labs/assay/auth"
)

// assayServer is Assay serving HTTP in this process over a real SQLite file, as `assay serve`
// runs it (same app.New, same Serve), on 127.0.0.1 and a free port.
type assayServer struct {
	URL  string
	DB   *store.DB
	Auth *auth.Service
	stop func() error
}

// startAssay opens (creating if needed) dataDir/assay.db and serves it in local mode.
func startAssay(ctx context.Context, dataDir string) (*assayServer, error) {
	return startAssayMode(ctx, dataDir, "")
}

// startAssayMode is startAssay in OIDC mode when issuer is set (as `assay serve
// --oidc-issuer`): callers then need an API token (see Auth.CreateToken). Discovery is lazy, so
// a loopback issuer nobody listens on serves token-authenticated requests, as in apptest.
func startAssayMode(ctx context.Context, dataDir, issuer string) (*assayServer, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	cfg := app.Config{DataDir: dataDir, MaxBodyBytes: 32 << 20, ShutdownTimeout: 10 * time.Second, LogLevel: "warn"}
	db, err := store.Open(ctx, cfg.DBPath())
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// Local mode (no issuer), as `assay serve` without --oidc-issuer: every request to the
	// loopback address acts as the local admin, so the harness needs no token.
	if issuer != "" {
		cfg.Addr, cfg.OIDCIssuer, cfg.OIDCClientID, cfg.ReviewerAccess, cfg.SessionTTL = ln.Addr().String(), issuer, "assay-bench", "experiment", time.Hour
	}
	authSvc, err := auth.New(cfg.AuthConfig(ln.Addr().String()), db.Writer, db.Reader, log)
	if err != nil {
		ln.Close()
		db.Close()
		return nil, err
	}
	srv := app.New(cfg, db, authSvc, log)
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, ln) }()
	return &assayServer{URL: "http://" + ln.Addr().String(), DB: db, Auth: authSvc, stop: func() error {
		cancel()
		err := <-done
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		return err
	}}, nil
}

// Stop shuts the server down and closes the database (checkpointing the WAL).
func (s *assayServer) Stop() error { return s.stop() }

// openStore creates dir if needed and opens dir/assay.db (the file `assay serve --data-dir dir` uses).
func openStore(ctx context.Context, dir string) (*store.DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return store.Open(ctx, filepath.Join(dir, "assay.db"))
}

// newHTTPClient keeps one idle connection per concurrent caller, as a real exporter would.
func newHTTPClient(conns int) *http.Client {
	return &http.Client{Timeout: 10 * time.Minute, Transport: &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute, DisableCompression: true,
	}}
}

// post sends body and returns the response body, failing on any status but 200.
func post(ctx context.Context, c *http.Client, url, contentType string, header http.Header, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("POST %s: %s: %.300s", url, resp.Status, out)
	}
	return out, nil
}

// dirSize is the total size of the files in dir, in bytes.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
