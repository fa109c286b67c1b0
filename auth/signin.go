package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// identity is what a verified sign-in proved about the caller.
type identity struct {
	Issuer      string
	Subject     string
	Email       string // verified and normalized, or "" when the provider vouched for none
	DisplayName string
}

// signInResult is what signIn produced.
type signInResult struct {
	User         User
	SessionID    string
	Expires      time.Time
	EmailRefused bool // the verified email was already bound to another user
}

// signIn finds or creates the user for (issuer, subject), binds the verified email when no other
// user holds it, applies admin grants for that email, and opens a session — all in one
// transaction, together with the app's OnFirstVerifiedEmail hook.
//
// The email rules (SPEC §6, security.md §1.3): the user is found by (issuer, subject) only; an
// email is bound only when verified; an email already bound to another user is never moved:
// the caller signs in without it (EmailRefused) and keeps whatever email it had. A disabled
// user gets ErrDisabled and nothing changes.
func (s *Service) signIn(ctx context.Context, id identity, userAgent, ip string) (signInResult, error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return signInResult{}, fmt.Errorf("sign in: %w", err)
	}
	defer tx.Rollback()

	now := ms(s.now())
	var res signInResult
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE issuer = ? AND subject = ?`, id.Issuer, id.Subject))
	if errors.Is(err, sql.ErrNoRows) {
		u, err = scanUser(tx.QueryRowContext(ctx, `
			INSERT INTO users (issuer, subject, display_name, created_at) VALUES (?, ?, ?, ?)
			RETURNING `+userColumns, id.Issuer, id.Subject, id.DisplayName, now))
	}
	if err != nil {
		return signInResult{}, fmt.Errorf("sign in: find user: %w", err)
	}
	if u.Disabled {
		return signInResult{}, fmt.Errorf("sign in user %d: %w", u.ID, ErrDisabled)
	}

	if id.Email != "" && id.Email != u.Email {
		var holder int64
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM users WHERE email = ?`, id.Email).Scan(&holder)
		switch {
		case err == nil:
			res.EmailRefused = true
			s.log.Warn("verified email already belongs to another user; signing in without it",
				"user_id", u.ID, "holder_user_id", holder, "email", id.Email)
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `UPDATE users SET email = ?, email_verified = 1 WHERE user_id = ?`, id.Email, u.ID); err != nil {
				return signInResult{}, fmt.Errorf("sign in: bind email: %w", err)
			}
			u.Email, u.EmailVerified = id.Email, true
			if err := s.applyPendingAdmin(ctx, tx, &u); err != nil {
				return signInResult{}, err
			}
			if s.OnFirstVerifiedEmail != nil {
				if err := s.OnFirstVerifiedEmail(ctx, tx, u.ID, u.Email); err != nil {
					return signInResult{}, fmt.Errorf("sign in: bind email %s: %w", u.Email, err)
				}
			}
		default:
			return signInResult{}, fmt.Errorf("sign in: check email: %w", err)
		}
	}
	if u.Email != "" && s.adminEmails[u.Email] {
		u.Admin = true
	}
	if id.DisplayName != "" {
		u.DisplayName = id.DisplayName
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET admin = ?, display_name = ?, last_login_at = ? WHERE user_id = ?`,
		u.Admin, u.DisplayName, now, u.ID)
	if err != nil {
		return signInResult{}, fmt.Errorf("sign in: update user: %w", err)
	}
	t := fromMS(now)
	u.LastLoginAt = &t

	res.SessionID, res.Expires, err = s.createSession(ctx, tx, u.ID, userAgent, ip)
	if err != nil {
		return signInResult{}, err
	}
	if err := tx.Commit(); err != nil {
		return signInResult{}, fmt.Errorf("sign in: %w", err)
	}
	res.User = u
	return res, nil
}

// applyPendingAdmin turns a recorded GrantAdmin for u's newly bound email into admin.
func (s *Service) applyPendingAdmin(ctx context.Context, tx *sql.Tx, u *User) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM pending_admins WHERE email = ?`, u.Email)
	if err != nil {
		return fmt.Errorf("sign in: pending admin: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		u.Admin = true
	}
	return nil
}
