package cli

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/store"
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
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := app.New(cfg, db, log)
	url := "http://" + ln.Addr().String()
	log.Info("Assay is running", "url", url, "data_dir", cfg.DataDir, "version", app.Version)
	fmt.Fprintf(out, "Assay is listening on %s\n", url)
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	log.Info("stopped cleanly")
	return nil
}
