package store

import (
	"context"
	"database/sql"

	"github.com/assay-labs/assay/app/model"
)

// Notification is an in-app notice for one user.
type Notification struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	Message   string `json:"message"`
	Link      string `json:"link"`
	CreatedAt int64  `json:"created_at"`
	ReadAt    *int64 `json:"read_at,omitempty"`
}

// FindNotifications returns a user's notices, newest first.
func (db *DB) FindNotifications(ctx context.Context, email string, limit int) ([]Notification, error) {
	rows, err := db.Reader.QueryContext(ctx, `SELECT notification_id, kind, message, link, created_at, read_at FROM notifications
		WHERE email = ? ORDER BY created_at DESC, notification_id DESC LIMIT ?`, email, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var read sql.NullInt64
		if err := rows.Scan(&n.ID, &n.Kind, &n.Message, &n.Link, &n.CreatedAt, &read); err != nil {
			return nil, err
		}
		if read.Valid {
			n.ReadAt = &read.Int64
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkNotificationRead marks one of the user's notices read.
func (db *DB) MarkNotificationRead(ctx context.Context, email string, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = coalesce(read_at, ?) WHERE notification_id = ? AND email = ?`, nowMs(), id, email)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ResourceDoesNotExist, "notification %d does not exist", id)
		}
		return nil
	})
}

// PendingEmail is a notice still to be sent by e-mail.
type PendingEmail struct {
	ID      int64
	Email   string
	Message string
	Link    string
}

// FindUnsentEmails returns notices not yet e-mailed, oldest first.
func (db *DB) FindUnsentEmails(ctx context.Context, limit int) ([]PendingEmail, error) {
	rows, err := db.Reader.QueryContext(ctx, `SELECT notification_id, email, message, link FROM notifications WHERE emailed_at IS NULL ORDER BY notification_id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PendingEmail
	for rows.Next() {
		var p PendingEmail
		if err := rows.Scan(&p.ID, &p.Email, &p.Message, &p.Link); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// MarkEmailed records that a notice was e-mailed.
func (db *DB) MarkEmailed(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET emailed_at = ? WHERE notification_id = ?`, nowMs(), id)
		return err
	})
}
