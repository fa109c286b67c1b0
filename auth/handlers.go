package auth

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// meResponse is GET /api/assay/v1/me.
type meResponse struct {
	User     meUser `json:"user"`
	AuthMode string `json:"auth_mode"`
	Via      string `json:"via"`
	Notice   string `json:"notice,omitempty"`
}

type meUser struct {
	ID          int64  `json:"id"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Admin       bool   `json:"admin"`
}

// handleMe answers who the caller is: GET /api/assay/v1/me. 401 when anonymous.
func (s *Service) handleMe(c echo.Context) error {
	p, ok := PrincipalFrom(c.Request().Context())
	if !ok {
		return unauthenticated(c, "not signed in")
	}
	resp := meResponse{
		User:     meUser{ID: p.UserID, Email: p.Email, DisplayName: p.DisplayName, Admin: p.Admin},
		AuthMode: s.AuthMode(),
		Via:      p.Via,
	}
	if s.local {
		resp.Notice = LocalModeNotice
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, resp)
}

// authConfigResponse is GET /api/assay/v1/auth/config.
type authConfigResponse struct {
	AuthMode        string `json:"auth_mode"`
	LoginURL        string `json:"login_url"`
	LogoutURL       string `json:"logout_url"`
	LocalModeNotice string `json:"local_mode_notice,omitempty"`
}

// handleAuthConfig tells the SPA how sign-in works (public): GET /api/assay/v1/auth/config.
func (s *Service) handleAuthConfig(c echo.Context) error {
	resp := authConfigResponse{AuthMode: s.AuthMode(), LoginURL: "/auth/login", LogoutURL: "/auth/logout"}
	if s.local {
		resp.LocalModeNotice = LocalModeNotice
	}
	return c.JSON(http.StatusOK, resp)
}

// handleLogout signs out: POST /auth/logout revokes the session row and deletes the cookie,
// then answers 204 to a JSON request or redirects a form post to "/". The same-origin rule of
// CSRF is applied here as well, so logout stays protected even where that middleware is not.
func (s *Service) handleLogout(c echo.Context) error {
	r := c.Request()
	if err := s.checkSameOrigin(r); err != nil {
		return jsonError(c, http.StatusForbidden, codePermissionDenied, "cross-site request refused")
	}
	sid := ""
	if p, ok := PrincipalFrom(r.Context()); ok && p.Via == ViaSession {
		sid = p.SessionID
	} else if ck, err := r.Cookie(s.SessionCookieName()); err == nil && !s.local {
		if _, id, err := s.parseSessionJWT(ck.Value); err == nil {
			sid = id
		}
	}
	if sid != "" {
		if err := s.revokeSession(r.Context(), sid); err != nil {
			s.log.Error("sign out", "err", err)
			return jsonError(c, http.StatusInternalServerError, codeInternal, "could not sign out")
		}
	}
	s.clearSessionCookie(c.Response())
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if isJSON(r.Header.Get(echo.HeaderContentType)) {
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

// handleLogoutPage is GET /auth/logout: a page with a sign-out button, never a sign-out itself
// (a GET must not change state; an <img src=/auth/logout> elsewhere must not sign anyone out).
func (s *Service) handleLogoutPage(c echo.Context) error {
	return c.HTML(http.StatusOK, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign out · Assay</title></head>
<body style="font-family: sans-serif; max-width: 36rem; margin: 4rem auto">
<form method="post" action="/auth/logout"><button type="submit">Sign out of Assay</button></form>
<p><a href="/">Back</a></p>
</body></html>
`)
}

// createTokenRequest is the body of POST /api/assay/v1/tokens.
type createTokenRequest struct {
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// createTokenResponse carries the secret, shown this once.
type createTokenResponse struct {
	Token     string    `json:"token"`
	TokenInfo TokenInfo `json:"token_info"`
}

// handleListTokens is GET /api/assay/v1/tokens: the caller's own tokens.
func (s *Service) handleListTokens(c echo.Context) error {
	p, _ := PrincipalFrom(c.Request().Context())
	tokens, err := s.ListTokens(c.Request().Context(), p.UserID)
	if err != nil {
		return s.internal(c, err)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, map[string][]TokenInfo{"tokens": tokens})
}

// handleCreateToken is POST /api/assay/v1/tokens {"name": …, "expires_at": RFC 3339 or absent}.
// Only a signed-in person (or local mode) may create one: a token cannot mint more tokens, so
// a leaked token cannot make itself permanent.
func (s *Service) handleCreateToken(c echo.Context) error {
	p, _ := PrincipalFrom(c.Request().Context())
	if p.Via == ViaToken {
		return jsonError(c, http.StatusForbidden, codePermissionDenied, "API tokens cannot create API tokens; sign in to create one")
	}
	var req createTokenRequest
	if err := decodeStrict(c.Request().Body, &req); err != nil {
		return jsonError(c, http.StatusBadRequest, codeInvalid, "invalid JSON body: "+err.Error())
	}
	secret, info, err := s.CreateToken(c.Request().Context(), p.UserID, req.Name, req.ExpiresAt)
	if errors.Is(err, ErrInvalid) {
		return jsonError(c, http.StatusBadRequest, codeInvalid, err.Error())
	}
	if err != nil {
		return s.internal(c, err)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusCreated, createTokenResponse{Token: secret, TokenInfo: info})
}

// handleRevokeToken is DELETE /api/assay/v1/tokens/:id; the owner or an admin may revoke.
func (s *Service) handleRevokeToken(c echo.Context) error {
	p, _ := PrincipalFrom(c.Request().Context())
	err := s.RevokeToken(c.Request().Context(), p.UserID, c.Param("id"))
	if errors.Is(err, ErrNotFound) {
		return jsonError(c, http.StatusNotFound, codeNotFound, "no such token")
	}
	if err != nil {
		return s.internal(c, err)
	}
	return c.NoContent(http.StatusNoContent)
}

// internal logs err and answers 500.
func (s *Service) internal(c echo.Context, err error) error {
	s.log.Error("request failed", "path", c.Path(), "err", err)
	return jsonError(c, http.StatusInternalServerError, codeInternal, "internal error")
}

// decodeStrict decodes one JSON value of at most 64 KiB, refusing unknown fields and trailing
// data (security.md §7.2).
func decodeStrict(body io.Reader, v any) error {
	dec := json.NewDecoder(io.LimitReader(body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New("malformed or unexpected fields")
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
