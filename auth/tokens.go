package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// TokenPrefix starts every API token secret, so secret scanners and people reading logs can
// recognise one.
const TokenPrefix = "assay_"

// lastUsedGranularity: last_used_at is written at most this often per token, so a busy client
// does not cost a database write per request.
const lastUsedGranularity = time.Minute

// TokenInfo describes an API token; the secret itself is never stored and never shown again.
type TokenInfo struct {
	ID         string     `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// hashToken is what api_tokens.token_hash stores: SHA-256, hex. A fast hash is enough for a
// 256-bit random secret.
func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken creates an API token for userID and returns its secret — "assay_" followed by 32
// random bytes in base64url — which is shown once and stored only as a hash. name is 1–100
// characters; expiresAt, when given, must be in the future. A disabled user gets ErrDisabled.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string, expiresAt *time.Time) (string, TokenInfo, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", TokenInfo{}, fmt.Errorf("create token: %w: name must be 1 to 100 characters", ErrInvalid)
	}
	now := s.now()
	var exp sql.NullInt64
	if expiresAt != nil {
		if !expiresAt.After(now) {
			return "", TokenInfo{}, fmt.Errorf("create token: %w: expiry must be in the future", ErrInvalid)
		}
		exp = sql.NullInt64{Int64: ms(*expiresAt), Valid: true}
	}
	u, err := s.FindUserByID(ctx, userID)
	if err != nil {
		return "", TokenInfo{}, fmt.Errorf("create token: %w", err)
	}
	if u.Disabled {
		return "", TokenInfo{}, fmt.Errorf("create token: %w", ErrDisabled)
	}
	secret := TokenPrefix + randomString(32)
	// The id is prefixed so it never starts with "-": people pass it on command lines.
	info := TokenInfo{ID: "tok_" + randomString(12), UserID: userID, Name: name, CreatedAt: fromMS(ms(now)), ExpiresAt: fromNullMS(exp)}
	_, err = s.writer.ExecContext(ctx, `
		INSERT INTO api_tokens (token_id, user_id, name, token_hash, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, info.ID, userID, name, hashToken(secret), ms(now), exp)
	if err != nil {
		return "", TokenInfo{}, fmt.Errorf("create token: %w", err)
	}
	return secret, info, nil
}

// ListTokens returns userID's tokens that are not revoked (expired ones included), newest first.
func (s *Service) ListTokens(ctx context.Context, userID int64) ([]TokenInfo, error) {
	rows, err := s.reader.QueryContext(ctx, `
		SELECT token_id, user_id, name, created_at, expires_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL
		ORDER BY created_at DESC, token_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens of %d: %w", userID, err)
	}
	defer rows.Close()
	tokens := []TokenInfo{}
	for rows.Next() {
		var (
			t                        TokenInfo
			created                  int64
			expires, used, revokedAt sql.NullInt64
		)
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &created, &expires, &used, &revokedAt); err != nil {
			return nil, fmt.Errorf("list tokens of %d: %w", userID, err)
		}
		t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromMS(created), fromNullMS(expires), fromNullMS(used), fromNullMS(revokedAt)
		tokens = append(tokens, t)
	}
	return tokens, rows.Err()
}

// RevokeToken revokes tokenID on behalf of userID: its owner, or any enabled admin. Anyone
// else, an unknown id or an already revoked token gets ErrNotFound (existence is not revealed).
func (s *Service) RevokeToken(ctx context.Context, userID int64, tokenID string) error {
	res, err := s.writer.ExecContext(ctx, `
		UPDATE api_tokens SET revoked_at = ?1
		WHERE token_id = ?2 AND revoked_at IS NULL
		  AND (user_id = ?3 OR EXISTS (SELECT 1 FROM users WHERE user_id = ?3 AND admin = 1 AND disabled = 0))`,
		ms(s.now()), tokenID, userID)
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", tokenID, err)
	}
	return mustAffect(res, "revoke token "+tokenID)
}

// principalFromToken resolves an API token secret: it must exist, be neither revoked nor expired,
// and its owner must be enabled (and not the local-mode user while an issuer is configured).
func (s *Service) principalFromToken(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 200 {
		return Principal{}, fmt.Errorf("%w: not an Assay API token", errTokenRefused)
	}
	var (
		p                   Principal
		issuer              string
		disabled            bool
		expires, used, revd sql.NullInt64
	)
	err := s.reader.QueryRowContext(ctx, `
		SELECT t.token_id, t.user_id, t.expires_at, t.last_used_at, t.revoked_at,
		       u.issuer, u.email, u.display_name, u.admin, u.disabled
		FROM api_tokens t JOIN users u ON u.user_id = t.user_id
		WHERE t.token_hash = ?`, hashToken(secret)).
		Scan(&p.TokenID, &p.UserID, &expires, &used, &revd, &issuer, &p.Email, &p.DisplayName, &p.Admin, &disabled)
	now := s.now()
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Principal{}, fmt.Errorf("%w: unknown API token", errTokenRefused)
	case err != nil:
		return Principal{}, fmt.Errorf("find token: %w", err)
	case revd.Valid:
		return Principal{}, fmt.Errorf("%w: API token was revoked", errTokenRefused)
	case expires.Valid && ms(now) >= expires.Int64:
		return Principal{}, fmt.Errorf("%w: API token expired", errTokenRefused)
	case disabled:
		return Principal{}, fmt.Errorf("%w: %w", errTokenRefused, ErrDisabled)
	case issuer == LocalIssuer && !s.local:
		return Principal{}, fmt.Errorf("%w: local-mode token used with an OIDC issuer configured", errTokenRefused)
	}
	p.Via = ViaToken
	if !used.Valid || now.Sub(fromMS(used.Int64)) >= lastUsedGranularity {
		s.touchToken(ctx, p.TokenID, now)
	}
	return p, nil
}

// touchToken records a use. Failure only loses a timestamp, so it is logged, not returned.
func (s *Service) touchToken(ctx context.Context, tokenID string, now time.Time) {
	_, err := s.writer.ExecContext(ctx, `
		UPDATE api_tokens SET last_used_at = ?
		WHERE token_id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`,
		ms(now), tokenID, ms(now.Add(-lastUsedGranularity)))
	if err != nil {
		s.log.Warn("record API token use", "token_id", tokenID, "err", err)
	}
}
