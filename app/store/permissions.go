package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/assay-labs/assay/app/model"
)

// Permission levels on an experiment, weakest first.
const (
	PermNone   = 0
	PermRead   = 1
	PermEdit   = 2
	PermManage = 3
)

// PermissionNames spell the levels as the API does.
var PermissionNames = map[int]string{PermRead: "READ", PermEdit: "EDIT", PermManage: "MANAGE"}

// ParsePermission reads READ, EDIT or MANAGE.
func ParsePermission(field, s string) (int, error) {
	for lvl, name := range PermissionNames {
		if strings.EqualFold(s, name) {
			return lvl, nil
		}
	}
	return 0, model.Invalid(field, "permission must be READ, EDIT or MANAGE, got %q", s)
}

// ExperimentPermission is a user's strongest grant on an experiment (PermNone when none).
func (db *DB) ExperimentPermission(ctx context.Context, userID int64, experimentID string) (int, error) {
	exp, err := parseExperimentID(experimentID)
	if err != nil {
		return 0, err
	}
	var p sql.NullString
	err = db.Reader.QueryRowContext(ctx, `SELECT permission FROM experiment_permissions WHERE user_id = ? AND experiment_id = ?
		ORDER BY CASE permission WHEN 'MANAGE' THEN 3 WHEN 'EDIT' THEN 2 ELSE 1 END DESC LIMIT 1`, userID, exp).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return PermNone, nil
	}
	if err != nil {
		return 0, err
	}
	lvl, _ := ParsePermission("", p.String)
	return lvl, nil
}

// Grant is one row of experiment_permissions.
type Grant struct {
	GrantID      int64  `json:"grant_id"`
	ExperimentID string `json:"experiment_id"`
	UserID       *int64 `json:"user_id,omitempty"`
	Email        string `json:"email"`
	Permission   string `json:"permission"`
	Reason       string `json:"reason"`
	SessionID    string `json:"session_id,omitempty"`
	CreatedAt    int64  `json:"created_at"`
}

// GrantPermission gives a user (by id) or an email (bound to its user now, or pending until that
// email first signs in verified) a permission on an experiment.
func (db *DB) GrantPermission(ctx context.Context, experimentID string, userID *int64, email string, perm int, reason, sessionID string, grantedBy *int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := grantTx(ctx, tx, experimentID, userID, email, perm, reason, sessionID, grantedBy); err != nil {
			return err
		}
		return auditTx(ctx, tx, actorName(ctx, tx, grantedBy), "permission.grant", "experiment", experimentID, nil,
			map[string]any{"email": strings.ToLower(email), "user_id": userID, "permission": PermissionNames[perm], "reason": reason})
	})
}

// actorName is a user's email for the audit log ("user:<id>" without one, "" for nobody).
func actorName(ctx context.Context, q queryer, userID *int64) string {
	if userID == nil {
		return ""
	}
	var email string
	if err := q.QueryRowContext(ctx, `SELECT email FROM users WHERE user_id = ?`, *userID).Scan(&email); err != nil || email == "" {
		return "user:" + strconv.FormatInt(*userID, 10)
	}
	return email
}

func grantTx(ctx context.Context, tx *sql.Tx, experimentID string, userID *int64, email string, perm int, reason, sessionID string, grantedBy *int64) error {
	exp, err := parseExperimentID(experimentID)
	if err != nil {
		return err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if userID == nil && email != "" {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM users WHERE email = ? AND email_verified = 1`, email).Scan(&id)
		if err == nil {
			userID = &id
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO experiment_permissions (experiment_id, user_id, email, permission, reason, session_id, granted_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (experiment_id, coalesce(user_id, -1), email, reason, session_id) DO UPDATE SET permission = excluded.permission`,
		exp, userID, email, PermissionNames[perm], reason, sessionID, grantedBy, nowMs())
	return err
}

// RevokeGrant deletes one grant of an experiment.
func (db *DB) RevokeGrant(ctx context.Context, experimentID string, grantID int64, by *int64) error {
	exp, err := parseExperimentID(experimentID)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var before Grant
		var uid sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT p.email, p.user_id, p.permission, p.reason FROM experiment_permissions p WHERE p.grant_id = ? AND p.experiment_id = ?`, grantID, exp).
			Scan(&before.Email, &uid, &before.Permission, &before.Reason)
		if errors.Is(err, sql.ErrNoRows) {
			return model.Errorf(model.ResourceDoesNotExist, "grant %d does not exist on experiment %s", grantID, experimentID)
		}
		if err != nil {
			return err
		}
		if uid.Valid {
			before.UserID = &uid.Int64
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM experiment_permissions WHERE grant_id = ?`, grantID); err != nil {
			return err
		}
		return auditTx(ctx, tx, actorName(ctx, tx, by), "permission.revoke", "experiment", experimentID, before, nil)
	})
}

// FindGrants lists an experiment's grants.
func (db *DB) FindGrants(ctx context.Context, experimentID string) ([]Grant, error) {
	exp, err := parseExperimentID(experimentID)
	if err != nil {
		return nil, err
	}
	rows, err := db.Reader.QueryContext(ctx, `SELECT p.grant_id, p.experiment_id, p.user_id, CASE WHEN p.email <> '' THEN p.email ELSE coalesce(u.email, '') END,
		p.permission, p.reason, p.session_id, p.created_at
		FROM experiment_permissions p LEFT JOIN users u ON u.user_id = p.user_id WHERE p.experiment_id = ? ORDER BY p.grant_id`, exp)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Grant{}
	for rows.Next() {
		var g Grant
		var e int64
		var uid sql.NullInt64
		if err := rows.Scan(&g.GrantID, &e, &uid, &g.Email, &g.Permission, &g.Reason, &g.SessionID, &g.CreatedAt); err != nil {
			return nil, err
		}
		g.ExperimentID = strconv.FormatInt(e, 10)
		if uid.Valid {
			g.UserID = &uid.Int64
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// BindPendingGrants gives a user the grants made for their email before they first signed in.
// It runs inside the auth package's transaction that first binds that verified email, so a
// pending grant binds exactly once and never to another account.
func BindPendingGrants(ctx context.Context, tx *sql.Tx, userID int64, email string) error {
	_, err := tx.ExecContext(ctx, `UPDATE experiment_permissions SET user_id = ? WHERE user_id IS NULL AND email = ?`, userID, strings.ToLower(email))
	return err
}

// visibleExperimentsSQL restricts a query on experiment ids to those a user holds a grant on.
const visibleExperimentsSQL = `SELECT experiment_id FROM experiment_permissions WHERE user_id = ?`
