package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Backup writes a consistent snapshot of the database to dest with VACUUM INTO (a read
// transaction: writers carry on), then opens the copy and runs PRAGMA integrity_check on it.
func (db *DB) Backup(ctx context.Context, dest string) error {
	// VACUUM INTO is refused on the query-only reader pool and would hold up writers on the
	// writer connection, so it gets a connection of its own; it reads in one snapshot.
	src, err := sql.Open("sqlite3", dsn(db.Path, nil))
	if err != nil {
		return err
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	check, err := sql.Open("sqlite3", "file:"+dest+"?mode=ro")
	if err != nil {
		return err
	}
	defer check.Close()
	var result string
	if err := check.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result); err != nil {
		return fmt.Errorf("check backup %s: %w", dest, err)
	}
	if result != "ok" {
		return fmt.Errorf("backup %s failed its integrity check: %s", dest, result)
	}
	return nil
}
