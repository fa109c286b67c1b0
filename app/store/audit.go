package store

import (
	"context"
	"database/sql"
	"encoding/json"
)

// AuditEvent is one append-only audit record.
type AuditEvent struct {
	EventID    int64           `json:"id"`
	At         int64           `json:"at"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
}

// auditTx records an event inside the transaction that made the change, so the log and the
// change commit or roll back together.
func auditTx(ctx context.Context, tx *sql.Tx, actor, action, objectType, objectID string, before, after any) error {
	enc := func(v any) any {
		if v == nil {
			return nil
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (at, actor, action, object_type, object_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		nowMs(), actor, action, objectType, objectID, enc(before), enc(after))
	return err
}

// FindAuditEvents returns events newest first, before the given id (0 = from the newest).
func (db *DB) FindAuditEvents(ctx context.Context, beforeID int64, limit int) ([]AuditEvent, error) {
	if beforeID <= 0 {
		beforeID = 1 << 62
	}
	rows, err := db.Reader.QueryContext(ctx, `SELECT event_id, at, actor, action, object_type, object_id, coalesce(before, ''), coalesce(after, '')
		FROM audit_events WHERE event_id < ? ORDER BY event_id DESC LIMIT ?`, beforeID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AuditEvent{}
	for rows.Next() {
		var e AuditEvent
		var before, after string
		if err := rows.Scan(&e.EventID, &e.At, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &before, &after); err != nil {
			return nil, err
		}
		if before != "" {
			e.Before = json.RawMessage(before)
		}
		if after != "" {
			e.After = json.RawMessage(after)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// notifyTx leaves an in-app notice for a user (by email); the mailer sends it by e-mail too
// when SMTP is configured.
func notifyTx(ctx context.Context, tx *sql.Tx, email, kind, message, link string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notifications (email, kind, message, link, created_at) VALUES (?, ?, ?, ?, ?)`, email, kind, message, link, nowMs())
	return err
}
