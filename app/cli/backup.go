package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/assay-labs/assay/app"
	"github.com/assay-labs/assay/app/store"
)

func runBackup(ctx context.Context, args []string, out, errOut io.Writer) error {
	var cfg app.Config
	fs := newFlagSet("backup", "Usage: assay backup [flags] FILE\n\nWrites a consistent, compacted copy of the database to FILE (SQLite VACUUM INTO) while Assay keeps running, then checks the copy's integrity.", errOut)
	cfg.BindStorage(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &usageError{"give exactly one destination FILE"}
	}
	dest := fs.Arg(0)
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s already exists; choose a new file name", dest)
	}
	db, err := store.Open(ctx, cfg.DBPath())
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, dest); err != nil {
		return err
	}
	fmt.Fprintf(out, "backup written to %s\n", dest)
	return nil
}
