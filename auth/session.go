package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Session cookie names. The __Host- prefix makes the browser insist on Secure, Path=/ and no
// Domain; the plain name is used only for plain-http loopback development.
const (
	SessionCookieSecure  = "__Host-assay_session"
	SessionCookieRelaxed = "assay_session"
)

// sessionAudience is the aud of session JWTs: they are meant for this web app and nothing else.
const sessionAudience = "assay-web"

// sessionClaims are the session JWT's claims. sub is the local user id (never the email) and sid
// names the auth_sessions row. Authorization data is deliberately absent: it is read from the
// database on every request. With that lookup the JWT is in effect a signed session id.
type sessionClaims struct {
	jwt.RegisteredClaims
	SID string `json:"sid"`
}

// sessionIssuer is the iss of session JWTs: the public URL.
func (s *Service) sessionIssuer() string { return s.cfg.PublicURL }

// SessionCookieName is the name of the session cookie under the current configuration.
func (s *Service) SessionCookieName() string {
	if s.cfg.CookieSecure {
		return SessionCookieSecure
	}
	return SessionCookieRelaxed
}

// createSession inserts a session row for userID inside tx and returns its id and expiry.
func (s *Service) createSession(ctx context.Context, tx *sql.Tx, userID int64, userAgent, ip string) (string, time.Time, error) {
	sid := randomString(32)
	now := s.now()
	exp := now.Add(s.cfg.SessionTTL)
	if len(userAgent) > 512 {
		userAgent = userAgent[:512]
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO auth_sessions (session_id, user_id, created_at, expires_at, user_agent, ip)
		VALUES (?, ?, ?, ?, ?, ?)`, sid, userID, ms(now), ms(exp), userAgent, ip)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("create session: %w", err)
	}
	return sid, exp, nil
}

// mintSessionJWT signs the cookie value naming session sid of userID.
func (s *Service) mintSessionJWT(userID int64, sid string, exp time.Time) (string, error) {
	now := s.now()
	claims := sessionClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.sessionIssuer(),
			Subject:   strconv.FormatInt(userID, 10),
			Audience:  jwt.ClaimStrings{sessionAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		SID: sid,
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = s.kid
	return tok.SignedString(s.key)
}

// parseSessionJWT verifies a cookie value: HS256 only, our kid, issuer, audience, exp required,
// iat not in the future, 30 s leeway. It returns the user id and session id it names.
func (s *Service) parseSessionJWT(raw string) (userID int64, sid string, err error) {
	var claims sessionClaims
	_, err = s.parser.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		// Never take a key from the token; the kid only has to name ours.
		if kid, _ := t.Header["kid"].(string); kid != s.kid {
			return nil, errors.New("unknown key id")
		}
		return s.key, nil
	})
	if err != nil {
		return 0, "", err
	}
	userID, err = strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || userID <= 0 || claims.SID == "" {
		return 0, "", errors.New("malformed session claims")
	}
	return userID, claims.SID, nil
}

// principalFromSession checks a session cookie value against its row: it must exist, be neither
// revoked nor expired, belong to the JWT's subject, and the user must not be disabled (nor be
// the local-mode user while an issuer is configured).
func (s *Service) principalFromSession(ctx context.Context, raw string) (Principal, error) {
	userID, sid, err := s.parseSessionJWT(raw)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", errSessionRefused, err)
	}
	var (
		rowUser   int64
		expiresAt int64
		revokedAt sql.NullInt64
		u         User
	)
	err = s.reader.QueryRowContext(ctx, `
		SELECT s.user_id, s.expires_at, s.revoked_at, u.issuer, u.email, u.display_name, u.admin, u.disabled
		FROM auth_sessions s JOIN users u ON u.user_id = s.user_id
		WHERE s.session_id = ?`, sid).
		Scan(&rowUser, &expiresAt, &revokedAt, &u.Issuer, &u.Email, &u.DisplayName, &u.Admin, &u.Disabled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Principal{}, fmt.Errorf("%w: session not found", errSessionRefused)
	case err != nil:
		return Principal{}, fmt.Errorf("find session: %w", err)
	case rowUser != userID:
		return Principal{}, fmt.Errorf("%w: session belongs to another user", errSessionRefused)
	case revokedAt.Valid:
		return Principal{}, fmt.Errorf("%w: session was signed out", errSessionRefused)
	case ms(s.now()) >= expiresAt:
		return Principal{}, fmt.Errorf("%w: session expired", errSessionRefused)
	case u.Disabled:
		return Principal{}, fmt.Errorf("%w: %w", errSessionRefused, ErrDisabled)
	case u.Issuer == LocalIssuer:
		return Principal{}, fmt.Errorf("%w: local-mode session", errSessionRefused)
	}
	return Principal{UserID: userID, Email: u.Email, DisplayName: u.DisplayName, Admin: u.Admin, Via: ViaSession, SessionID: sid}, nil
}

// revokeSession marks a session signed out.
func (s *Service) revokeSession(ctx context.Context, sid string) error {
	_, err := s.writer.ExecContext(ctx, `UPDATE auth_sessions SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL`, ms(s.now()), sid)
	if err != nil {
		return fmt.Errorf("revoke session %s: %w", sid, err)
	}
	return nil
}

// sessionCookie is the cookie carrying a session JWT until exp.
func (s *Service) sessionCookie(value string, exp time.Time) *http.Cookie {
	return &http.Cookie{
		Name:     s.SessionCookieName(),
		Value:    value,
		Path:     "/",
		Expires:  exp,
		MaxAge:   int(exp.Sub(s.now()).Seconds()),
		Secure:   s.cfg.CookieSecure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// clearSessionCookie deletes the session cookie (same name, path and attributes, Max-Age=0).
func (s *Service) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name:     s.SessionCookieName(),
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		Secure:   s.cfg.CookieSecure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}
