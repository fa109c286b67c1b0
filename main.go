// Command assay runs Assay: labeling sessions for GenAI traces behind an MLflow-compatible API,
// in one binary over one SQLite file.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/assay-labs/assay/app/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
