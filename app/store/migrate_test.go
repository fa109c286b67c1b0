package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn(path, nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func schemaOf(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query(`SELECT coalesce(sql, '') FROM sqlite_schema ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var s string
		rows.Scan(&s)
		b.WriteString(s)
	}
	return b.String()
}

func TestOpenMigratesAndChecksPragmas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "assay.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := Migrations()
	var version, applied int
	db.Reader.QueryRow(`PRAGMA user_version`).Scan(&version)
	db.Reader.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&applied)
	if version != len(ms) || applied != len(ms) {
		t.Errorf("user_version = %d, recorded = %d, want %d", version, applied, len(ms))
	}
	var name string
	if err := db.Reader.QueryRow(`SELECT name FROM experiments WHERE experiment_id = 0`).Scan(&name); err != nil || name != "Default" {
		t.Errorf("experiment 0 = %q, %v; want Default", name, err)
	}
	if _, err := db.Reader.Exec(`INSERT INTO experiments (name, creation_time, last_update_time) VALUES ('x', 0, 0)`); err == nil {
		t.Error("the reader pool accepted a write; it must be query-only")
	}
	db.Close()
	// Reopening applies nothing and keeps the data.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	db.Close()
}

func TestNewerDatabaseIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "assay.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Writer.Exec(`PRAGMA user_version = 999`)
	db.Close()
	_, err = Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "newer Assay") {
		t.Fatalf("err = %v, want a refusal naming a newer Assay", err)
	}
}

func TestForeignDatabaseIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	raw := openRaw(t, path)
	raw.Exec(`PRAGMA application_id = 1234`)
	raw.Close()
	if _, err := Open(context.Background(), path); err == nil || !strings.Contains(err.Error(), "not an Assay database") {
		t.Fatalf("err = %v, want a refusal", err)
	}
}

func TestFailingMigrationLeavesPreviousVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "assay.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	before := schemaOf(t, db.Writer)
	ms, _ := Migrations()
	broken := append(ms, Migration{Version: len(ms) + 1, Name: "9999_broken.sql",
		SQL: "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);"})
	err = applyMigrations(ctx, db.Writer, broken)
	if err == nil || !strings.Contains(err.Error(), "9999_broken.sql") {
		t.Fatalf("err = %v, want the broken migration named", err)
	}
	var version int
	db.Writer.QueryRow(`PRAGMA user_version`).Scan(&version)
	if version != len(ms) {
		t.Errorf("user_version = %d, want %d", version, len(ms))
	}
	if after := schemaOf(t, db.Writer); after != before {
		t.Error("the failed migration changed the schema")
	}
	db.Close()
}

func TestPragmaCheckRejectsWrongSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=DELETE&_synchronous=FULL&_foreign_keys=on&_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := checkPragmas(context.Background(), db); err == nil || !strings.Contains(err.Error(), "journal_mode") {
		t.Fatalf("err = %v, want journal_mode named", err)
	}
}

func TestBackupIsConsistentCopy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, filepath.Join(dir, "assay.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateExperiment(ctx, "kept", "", nil, nil); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	copyDB, err := Open(ctx, dest)
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer copyDB.Close()
	if _, err := copyDB.FindExperimentByName(ctx, "kept"); err != nil {
		t.Errorf("backup lacks the experiment: %v", err)
	}
}
