package filter

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/assay-labs/assay/migrations"
)

// openDB creates a migrated SQLite file in a temporary directory, fills it with the fixture
// below and returns it.
func openDB(tb testing.TB) *sql.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "assay.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on&_busy_timeout=5000")
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	schema, err := migrations.FS.ReadFile("0001_tracking.sql")
	if err != nil {
		tb.Fatalf("read migration: %v", err)
	}
	// One transaction, so that the file is synced once rather than once per statement.
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := tx.Exec(string(schema)); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	if _, err := tx.Exec(fixture); err != nil {
		tb.Fatalf("load fixture: %v", err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return db
}

// fixture holds four traces and three runs whose values differ in letter case, so that LIKE and
// ILIKE can be told apart, and assessments with numeric, boolean, string, malformed and missing
// values.
const fixture = `
INSERT INTO traces (trace_id, experiment_id, client_request_id, request_time, execution_duration, state) VALUES
    ('tr-1', 0, 'c-1', 1000, 50, 'OK'),
    ('tr-2', 0, NULL, 2000, 500, 'ERROR'),
    ('tr-3', 0, 'C-3', 3000, 5, 'IN_PROGRESS'),
    ('tr-4', 0, NULL, 3000, 0, 'OK');

INSERT INTO trace_tags (trace_id, key, value) VALUES
    ('tr-1', 'mlflow.traceName', 'Chat'),
    ('tr-1', 'test_tag', 'C001'),
    ('tr-1', 'env', 'Prod'),
    ('tr-2', 'mlflow.traceName', 'chat'),
    ('tr-2', 'test_tag', 'C002'),
    ('tr-2', 'env', 'prod'),
    ('tr-3', 'mlflow.traceName', '100%_done'),
    ('tr-3', 'test_tag', 'C001'),
    ('tr-3', 'weird` + "`" + `key', 'x*y?[z]');

INSERT INTO trace_metadata (trace_id, key, value) VALUES
    ('tr-1', 'mlflow.sourceRun', 'run-a'),
    ('tr-1', 'mlflow.user', 'alice'),
    ('tr-2', 'mlflow.user', 'Bob');

INSERT INTO trace_runs (trace_id, run_id) VALUES ('tr-2', 'run-b'), ('tr-3', 'run-a');

INSERT INTO spans (trace_id, span_id, name, type, status, start_time_ns, content) VALUES
    ('tr-1', 's1', 'ChatModel', 'LLM', 'OK', 1, '{}'),
    ('tr-1', 's2', 'format', 'PARSER', 'OK', 2, '{}'),
    ('tr-2', 's3', 'retrieve', 'RETRIEVER', 'ERROR', 3, '{}');

INSERT INTO assessments (assessment_id, trace_id, name, kind, source_type, value, valid, create_time, last_update_time) VALUES
    ('a1', 'tr-1', 'score', 'feedback', 'HUMAN', '5', 1, 1, 1),
    ('a2', 'tr-1', 'correct', 'feedback', 'HUMAN', 'true', 1, 1, 1),
    ('a3', 'tr-1', 'tone', 'feedback', 'LLM_JUDGE', '"Friendly"', 1, 1, 1),
    ('a4', 'tr-1', 'answer', 'expectation', 'HUMAN', '"Paris"', 1, 1, 1),
    ('a5', 'tr-2', 'score', 'feedback', 'HUMAN', '0.5', 1, 1, 1),
    ('a6', 'tr-2', 'tone', 'feedback', 'HUMAN', '"rude"', 1, 1, 1),
    ('a7', 'tr-2', 'score', 'feedback', 'HUMAN', '10', 0, 1, 1),
    ('a8', 'tr-2', 'broken', 'feedback', 'HUMAN', 'not json', 1, 1, 1),
    ('a9', 'tr-3', 'score', 'feedback', 'HUMAN', NULL, 1, 1, 1),
    ('a10', 'tr-3', 'correct', 'feedback', 'HUMAN', 'false', 1, 1, 1),
    ('a11', 'tr-3', 'score_text', 'feedback', 'HUMAN', '"7"', 1, 1, 1),
    ('a12', 'tr-4', 'answer', 'feedback', 'HUMAN', '"Paris"', 1, 1, 1);

INSERT INTO runs (run_id, experiment_id, run_name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage) VALUES
    ('run-a', 0, 'labeling-session-1', 'alice', 'FINISHED', 100, 200, 's3://b/a', 'active'),
    ('run-b', 0, 'Labeling-Session-2', 'bob', 'RUNNING', 300, NULL, 's3://b/b', 'active'),
    ('run-c', 0, 'training', 'Alice', 'FAILED', 200, 250, 's3://b/c', 'deleted');

INSERT INTO run_tags (run_id, key, value) VALUES
    ('run-a', 'mlflow.runName', 'labeling-session-1'),
    ('run-a', 'team', 'ML'),
    ('run-b', 'mlflow.runName', 'Labeling-Session-2'),
    ('run-c', 'mlflow.runName', 'training'),
    ('run-c', 'team', 'ml');

INSERT INTO run_params (run_id, key, value) VALUES
    ('run-a', 'lr', '0.1'),
    ('run-a', 'model', 'GPT-4'),
    ('run-b', 'model', 'gpt-4o'),
    ('run-c', 'lr', '0.01');

INSERT INTO run_latest_metrics (run_id, key, value, timestamp, step) VALUES
    ('run-a', 'rmse', 0.3, 1, 0),
    ('run-a', 'acc', 0.9, 1, 0),
    ('run-b', 'rmse', 0.7, 1, 0),
    ('run-c', 'eval/loss', 2.5, 1, 0);
`

// queryIDs runs SELECT <id> FROM <table> <alias> WHERE where ORDER BY order and returns the ids.
func queryIDs(tb testing.TB, db *sql.DB, query string, args []any) []string {
	tb.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		tb.Fatalf("query %s %v: %v", query, args, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("query %s %v: %v", query, args, err)
	}
	return ids
}
