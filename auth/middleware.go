package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// Authenticate is the middleware that resolves the caller, in this order:
//
//  1. an Authorization header: "Bearer <API token>", or HTTP Basic with the API token as the
//     password and any user name (what the MLflow client sends for MLFLOW_TRACKING_TOKEN and
//     MLFLOW_TRACKING_USERNAME/PASSWORD);
//  2. in local mode, the local admin — but only for requests whose Host is a loopback name (or
//     the public URL's host), so a web page using DNS rebinding cannot borrow it;
//  3. the session cookie, whose JWT and server-side row are checked on every request.
//
// It stores the Principal in the request context (PrincipalFrom). A request with no credential
// passes through anonymous: what needs a caller is the app's decision (RequireUser helps). A
// credential that is bad, expired, revoked, or belongs to a disabled user gets 401 with MLflow's
// error envelope; for a bad session cookie the response also deletes the cookie, so the next
// page load is simply anonymous (and under /auth/ the request goes on anonymous at once, so a
// stale cookie never stands between a user and signing in or out).
func (s *Service) Authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		ctx := r.Context()
		var (
			p   Principal
			err error
		)
		switch {
		case r.Header.Get(echo.HeaderAuthorization) != "":
			secret, ok := tokenFromHeader(r.Header.Get(echo.HeaderAuthorization))
			if !ok {
				return unauthenticated(c, "unsupported Authorization header: send \"Bearer <API token>\" or HTTP Basic with the API token as the password")
			}
			p, err = s.principalFromToken(ctx, secret)
		case s.local:
			if !s.localHostAllowed(r.Host) {
				return jsonError(c, http.StatusForbidden, codePermissionDenied,
					fmt.Sprintf("local mode answers only to loopback host names, not %q", r.Host))
			}
			p, err = s.localPrincipal(ctx)
		default:
			ck, cerr := r.Cookie(s.SessionCookieName())
			if cerr != nil || ck.Value == "" {
				return next(c)
			}
			p, err = s.principalFromSession(ctx, ck.Value)
			if errors.Is(err, ErrUnauthenticated) {
				s.clearSessionCookie(c.Response())
				if strings.HasPrefix(r.URL.Path, "/auth/") {
					return next(c) // a stale cookie must not block signing in or out
				}
			}
		}
		if errors.Is(err, ErrUnauthenticated) {
			return unauthenticated(c, publicAuthMessage(err))
		}
		if err != nil {
			s.log.Error("authenticate", "err", err)
			return jsonError(c, http.StatusInternalServerError, codeInternal, "could not check credentials")
		}
		c.SetRequest(r.WithContext(WithPrincipal(ctx, p)))
		return next(c)
	}
}

// RequireUser answers 401 to requests that Authenticate left anonymous.
func RequireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := PrincipalFrom(c.Request().Context()); !ok {
			return unauthenticated(c, "sign in or send an API token")
		}
		return next(c)
	}
}

// publicAuthMessage is the 401 message for a refused credential: enough for the user to act on,
// nothing about which check failed beyond that.
func publicAuthMessage(err error) string {
	switch {
	case errors.Is(err, ErrDisabled):
		return "this account is disabled"
	case errors.Is(err, errTokenRefused):
		return "invalid, expired or revoked API token"
	default:
		return "your session has expired or was signed out; sign in again"
	}
}

// tokenFromHeader extracts an API token secret from "Bearer <secret>" or from HTTP Basic
// credentials, where the password is the secret and the user name is ignored.
func tokenFromHeader(h string) (string, bool) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "bearer":
		return rest, rest != ""
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return "", false
		}
		_, password, ok := strings.Cut(string(raw), ":")
		return password, ok && password != ""
	}
	return "", false
}

// localPrincipal is local mode's caller: the local admin.
func (s *Service) localPrincipal(ctx context.Context) (Principal, error) {
	u, err := s.FindUserByID(ctx, s.localUserID)
	if err != nil {
		return Principal{}, err
	}
	if u.Disabled {
		return Principal{}, fmt.Errorf("%w: %w", ErrUnauthenticated, ErrDisabled)
	}
	return Principal{UserID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Admin: true, Via: ViaLocal}, nil
}

// localHostAllowed reports whether a Host header names this machine's loopback (or the
// configured public host), the DNS-rebinding guard of local mode.
func (s *Service) localHostAllowed(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	if isLoopbackHost(h) {
		return true
	}
	if s.cfg.PublicURL != "" {
		if u, err := url.Parse(s.cfg.PublicURL); err == nil && strings.EqualFold(u.Hostname(), h) && h != "" {
			return true
		}
	}
	return false
}
