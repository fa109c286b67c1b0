package cli

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/mailer"
	"github.com/assay-labs/assay/app/store"
	"github.com/assay-labs/assay/auth"
)

func runServe(ctx context.Context, args []string, out, errOut io.Writer) error {
	var cfg app.Config
	fs := newFlagSet("serve", "Usage: assay [serve] [flags]\n\nRuns Assay: the web app, the MLflow-compatible API and OTLP intake on one port.", errOut)
	cfg.BindServe(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	log, err := newLogger(cfg, errOut)
	if err != nil {
		return err
	}
	if err := ensureDataDir(cfg.DataDir); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DBPath())
	if err != nil {
		return err
	}
	defer db.Close()
	local := cfg.OIDCIssuer == ""
	if err := auth.CheckListenAddr(cfg.Addr, local); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	authSvc, err := auth.New(cfg.AuthConfig(ln.Addr().String()), db.Writer, db.Reader, log)
	if err != nil {
		return err
	}
	srv := app.New(cfg, db, authSvc, log)
	if cfg.SMTPURL != "" {
		m, err := mailer.New(db, mailer.Config{URL: cfg.SMTPURL, From: cfg.SMTPFrom}, log)
		if err != nil {
			return &usageError{err.Error()}
		}
		mctx, stopMailer := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); m.Run(mctx) }()
		defer func() { stopMailer(); <-done }() // before the database closes
	}
	url := cfg.PublicOrigin(ln.Addr().String())
	log.Info("Assay is running", "url", url, "data_dir", cfg.DataDir, "auth", authSvc.AuthMode(), "version", app.Version)
	fmt.Fprintf(out, "Assay is listening on %s\n", url)
	if local {
		fmt.Fprintln(out, "Local mode: no OpenID Provider configured (--oidc-issuer), so every request from this machine acts as the local admin; Assay listens on loopback only.")
	}
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	log.Info("stopped cleanly")
	return nil
}
