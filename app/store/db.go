// Package store is Assay's storage: raw SQL over one SQLite file, with one writer connection and a
// pool of readers.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// BusyTimeoutMs is how long a connection waits for a lock before SQLite reports "database is locked".
const BusyTimeoutMs = 10000

// DB is the opened database: Writer has exactly one connection and begins every transaction with
// BEGIN IMMEDIATE, so writers queue instead of failing on a lock upgrade; Reader is a pool of
// read-only connections.
type DB struct {
	Path   string
	Writer *sql.DB
	Reader *sql.DB
}

// dsn builds a mattn/go-sqlite3 DSN. mattn understands only its own underscore keys; a `_pragma=`
// key would be silently ignored, which is why Open checks the effective settings afterwards.
func dsn(path string, extra url.Values) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL") // every acknowledged commit survives an OS crash, not only a process crash
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", fmt.Sprint(BusyTimeoutMs))
	for k, v := range extra {
		q[k] = v
	}
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// Open opens (creating if needed) the SQLite file at path, checks the effective PRAGMAs on both
// pools, and applies pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	writer, err := sql.Open("sqlite3", dsn(path, url.Values{"_txlock": {"immediate"}}))
	if err != nil {
		return nil, fmt.Errorf("open writer: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	db := &DB{Path: path, Writer: writer}
	if err := checkPragmas(ctx, writer); err != nil {
		writer.Close()
		return nil, err
	}
	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, err
	}
	reader, err := sql.Open("sqlite3", dsn(path, url.Values{"_query_only": {"true"}}))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open reader: %w", err)
	}
	reader.SetMaxOpenConns(max(4, runtime.NumCPU()*2))
	reader.SetMaxIdleConns(max(4, runtime.NumCPU()*2))
	db.Reader = reader
	if err := checkPragmas(ctx, reader); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes both pools; the writer last, so SQLite checkpoints the WAL on the final close.
func (db *DB) Close() error {
	var rerr error
	if db.Reader != nil {
		rerr = db.Reader.Close()
	}
	if err := db.Writer.Close(); err != nil {
		return err
	}
	return rerr
}

// checkPragmas refuses to run when the settings Assay's durability depends on did not take.
func checkPragmas(ctx context.Context, db *sql.DB) error {
	var journal string
	var sync, fk, busy int
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect to database: %w", err)
	}
	defer conn.Close()
	for _, p := range []struct {
		name string
		dest any
	}{{"journal_mode", &journal}, {"synchronous", &sync}, {"foreign_keys", &fk}, {"busy_timeout", &busy}} {
		if err := conn.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(p.dest); err != nil {
			return fmt.Errorf("read PRAGMA %s: %w", p.name, err)
		}
	}
	switch {
	case journal != "wal":
		return fmt.Errorf("database settings did not take: journal_mode is %q, want wal (is the file on a local disk?)", journal)
	case sync != 2:
		return fmt.Errorf("database settings did not take: synchronous is %d, want 2 (FULL)", sync)
	case fk != 1:
		return fmt.Errorf("database settings did not take: foreign_keys is off")
	case busy != BusyTimeoutMs:
		return fmt.Errorf("database settings did not take: busy_timeout is %d, want %d", busy, BusyTimeoutMs)
	}
	return nil
}
