package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// User is a row of the users table.
type User struct {
	ID            int64      `json:"id"`
	Issuer        string     `json:"issuer"`
	Subject       string     `json:"subject"`
	Email         string     `json:"email"` // verified and lower-cased, or ""
	EmailVerified bool       `json:"email_verified"`
	DisplayName   string     `json:"display_name"`
	Admin         bool       `json:"admin"`
	Disabled      bool       `json:"disabled"`
	CreatedAt     time.Time  `json:"created_at"`
	LastLoginAt   *time.Time `json:"last_login_at,omitempty"`
}

const userColumns = `user_id, issuer, subject, email, email_verified, display_name, admin, disabled, created_at, last_login_at`

// scanUser reads one row selected with userColumns.
func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var (
		u         User
		createdAt int64
		lastLogin sql.NullInt64
	)
	err := row.Scan(&u.ID, &u.Issuer, &u.Subject, &u.Email, &u.EmailVerified, &u.DisplayName, &u.Admin, &u.Disabled, &createdAt, &lastLogin)
	if err != nil {
		return User{}, err
	}
	u.CreatedAt = fromMS(createdAt)
	u.LastLoginAt = fromNullMS(lastLogin)
	return u, nil
}

// FindUserByID returns the user with that id, or ErrNotFound.
func (s *Service) FindUserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.reader.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE user_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("find user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("find user %d: %w", id, err)
	}
	return u, nil
}

// FindUserByEmail returns the user whose verified email this is (compared ASCII
// case-insensitively), or ErrNotFound.
func (s *Service) FindUserByEmail(ctx context.Context, email string) (User, error) {
	email = normalizeEmail(email)
	if email == "" {
		return User{}, fmt.Errorf("find user by email: %w: empty email", ErrInvalid)
	}
	u, err := scanUser(s.reader.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("find user %s: %w", email, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("find user %s: %w", email, err)
	}
	return u, nil
}

// FindUsers returns every user, oldest first (for `assay user list`).
func (s *Service) FindUsers(ctx context.Context) ([]User, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY user_id`)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	var users []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("find users: %w", err)
		}
		users = append(users, u)
	}
	return users, rows.Err()
}

// GrantAdmin makes the user with this verified email a server admin and returns its id. When
// nobody has signed in with the email yet, the grant is recorded and applied the first time the
// email arrives verified; the returned id is then 0.
func (s *Service) GrantAdmin(ctx context.Context, email string) (int64, error) {
	email = normalizeEmail(email)
	if email == "" {
		return 0, fmt.Errorf("grant admin: %w: empty email", ErrInvalid)
	}
	var id int64
	err := s.writer.QueryRowContext(ctx, `UPDATE users SET admin = 1 WHERE email = ? RETURNING user_id`, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = s.writer.ExecContext(ctx, `INSERT INTO pending_admins (email, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING`, email, ms(s.now()))
		if err != nil {
			return 0, fmt.Errorf("grant admin %s: %w", email, err)
		}
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("grant admin %s: %w", email, err)
	}
	return id, nil
}

// SetAdmin grants or withdraws server admin. A user listed in --admin-emails gets it back at
// the next sign-in.
func (s *Service) SetAdmin(ctx context.Context, userID int64, admin bool) error {
	res, err := s.writer.ExecContext(ctx, `UPDATE users SET admin = ? WHERE user_id = ?`, admin, userID)
	if err != nil {
		return fmt.Errorf("set admin %d: %w", userID, err)
	}
	return mustAffect(res, fmt.Sprintf("set admin %d", userID))
}

// SetDisabled disables or re-enables a user. A disabled user is refused everywhere: its session
// cookies and API tokens answer 401 and sign-in is refused. Disabling also signs out all of its
// sessions, so re-enabling does not revive them; its API tokens work again once re-enabled.
func (s *Service) SetDisabled(ctx context.Context, userID int64, disabled bool) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set disabled %d: %w", userID, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ? WHERE user_id = ?`, disabled, userID)
	if err != nil {
		return fmt.Errorf("set disabled %d: %w", userID, err)
	}
	if err := mustAffect(res, fmt.Sprintf("set disabled %d", userID)); err != nil {
		return err
	}
	if disabled {
		_, err = tx.ExecContext(ctx, `UPDATE auth_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, ms(s.now()), userID)
		if err != nil {
			return fmt.Errorf("revoke sessions of %d: %w", userID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set disabled %d: %w", userID, err)
	}
	return nil
}

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}
