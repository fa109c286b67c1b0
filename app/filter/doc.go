// Package filter parses MLflow's search filter and order_by strings and compiles them to SQLite
// SQL over Assay's schema (migrations/0001_tracking.sql).
//
// Two grammars are supported, as MLflow defines them in mlflow/utils/search_utils.py:
//
//   - search_traces: ParseTraceFilter, ParseTraceOrderBy, TraceWhere, TraceOrderSQL.
//   - search_runs: ParseRunFilter, ParseRunOrderBy, RunWhere, RunOrderSQL.
//
// Both are a list of comparisons joined by AND (there is no OR and no parentheses):
//
//	tags.`mlflow.traceName` = 'chat' AND timestamp_ms > 1700000000000
//	metrics.rmse < 0.5 AND params.model LIKE 'gpt-%' AND attributes.run_id IN ('a', 'b')
//
// Parsing produces Clauses; compiling turns them into a WHERE fragment with ? placeholders and
// its arguments. Every user-supplied string travels as an argument, never as SQL text. Errors
// from either step are *Error values that say where in the input the problem is.
//
// LIKE is case-sensitive and ILIKE case-insensitive, as in MLflow. In both patterns % matches
// any run of characters, _ one character, and a backslash makes the next character literal.
// ILIKE folds ASCII letters only (SQLite's LIKE has no Unicode case folding).
package filter
