package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"
)

// Login-state cookie names (see SessionCookieSecure for the prefix).
const (
	loginCookieSecure  = "__Host-assay_login"
	loginCookieRelaxed = "assay_login"
)

// loginTTL bounds how long a started sign-in may take to come back.
const loginTTL = 10 * time.Minute

// maxPendingLogins caps the sign-ins in progress, whatever the number of client IPs the
// per-IP rate limit sees, so /auth/login cannot be used to fill the database.
const maxPendingLogins = 10000

var errTooManyLogins = errors.New("too many sign-ins in progress")

// loginState is a sign-in in progress, stored server-side keyed by its state.
type loginState struct {
	State    string
	Nonce    string
	Verifier string
	ReturnTo string
}

func (s *Service) loginCookieName() string {
	if s.cfg.CookieSecure {
		return loginCookieSecure
	}
	return loginCookieRelaxed
}

// handleLogin starts a sign-in: GET /auth/login?returnTo=/path. It stores a fresh state, nonce
// and PKCE verifier (32 random bytes each) server-side for ten minutes, hands the browser the
// state in a SameSite=Lax HttpOnly cookie (Lax, because the provider brings the browser back
// with a cross-site top-level GET), and redirects to the provider. 503 while the provider
// cannot be discovered.
func (s *Service) handleLogin(c echo.Context) error {
	returnTo := SafeReturnTo(c.QueryParam("returnTo"))
	if s.local {
		return c.Redirect(http.StatusFound, returnTo)
	}
	ctx := c.Request().Context()
	p, err := s.provider(ctx)
	if err != nil {
		c.Response().Header().Set("Retry-After", "5")
		return jsonError(c, http.StatusServiceUnavailable, codeUnavailable,
			"Sign-in is unavailable: Assay cannot reach the identity provider at "+s.cfg.Issuer+
				" (or its discovery document is wrong; see Assay's log). Try again in a moment.")
	}
	st := loginState{
		State:    randomString(32),
		Nonce:    randomString(32),
		Verifier: oauth2.GenerateVerifier(),
		ReturnTo: returnTo,
	}
	if err := s.saveLoginState(ctx, st); errors.Is(err, errTooManyLogins) {
		s.log.Warn("sign-in refused: too many sign-ins in progress", "limit", maxPendingLogins)
		c.Response().Header().Set("Retry-After", "60")
		return jsonError(c, http.StatusServiceUnavailable, codeUnavailable, "too many sign-ins in progress; try again in a minute")
	} else if err != nil {
		s.log.Error("save login state", "err", err)
		return jsonError(c, http.StatusInternalServerError, codeInternal, "could not start sign-in")
	}
	http.SetCookie(c.Response(), &http.Cookie{
		Name:     s.loginCookieName(),
		Value:    st.State,
		Path:     "/",
		MaxAge:   int(loginTTL.Seconds()),
		Secure:   s.cfg.CookieSecure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	authURL := p.oauth2.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	return c.Redirect(http.StatusFound, authURL)
}

// saveLoginState stores a login in progress and drops expired ones.
func (s *Service) saveLoginState(ctx context.Context, st loginState) error {
	now := s.now()
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM auth_login_states WHERE expires_at <= ?`, ms(now)); err != nil {
		return fmt.Errorf("purge login states: %w", err)
	}
	var pending int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM auth_login_states`).Scan(&pending); err != nil {
		return fmt.Errorf("count login states: %w", err)
	}
	if pending >= maxPendingLogins {
		return errTooManyLogins
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO auth_login_states (state, nonce, verifier, return_to, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, st.State, st.Nonce, st.Verifier, st.ReturnTo, ms(now), ms(now.Add(loginTTL)))
	if err != nil {
		return fmt.Errorf("insert login state: %w", err)
	}
	return tx.Commit()
}

// takeLoginState deletes and returns the login in progress for state, so that a state can be
// used once. An unknown, used or expired state gives ErrNotFound.
func (s *Service) takeLoginState(ctx context.Context, state string) (loginState, error) {
	st := loginState{State: state}
	var expiresAt int64
	err := s.writer.QueryRowContext(ctx, `
		DELETE FROM auth_login_states WHERE state = ?
		RETURNING nonce, verifier, return_to, expires_at`, state).Scan(&st.Nonce, &st.Verifier, &st.ReturnTo, &expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return loginState{}, ErrNotFound
	}
	if err != nil {
		return loginState{}, fmt.Errorf("take login state: %w", err)
	}
	if ms(s.now()) >= expiresAt {
		return loginState{}, ErrNotFound
	}
	return st, nil
}

// SafeReturnTo returns raw when it is a local path to send the browser to after sign-in, and
// "/" otherwise: it must start with a single "/" (not "//" or "/\", which browsers read as
// another host), contain no backslash or control character (browsers drop tabs and newlines,
// turning "/\t/evil" into "//evil"), parse with no scheme, host or user, and not lead back
// into /auth/.
func SafeReturnTo(raw string) string {
	if raw == "" || len(raw) > 2048 || raw[0] != '/' || strings.HasPrefix(raw, "//") || strings.ContainsRune(raw, '\\') {
		return "/"
	}
	for _, r := range raw {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	if strings.HasPrefix(u.Path, "/auth/") { // no sign-in loops
		return "/"
	}
	return raw
}
