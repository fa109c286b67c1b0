package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"
)

// loginError is a failed sign-in: the status and sentence the browser gets, and the detail
// that only goes to the log.
type loginError struct {
	status int
	public string
	err    error
}

func (e *loginError) Error() string { return e.public + ": " + e.err.Error() }
func (e *loginError) Unwrap() error { return e.err }

func failLogin(status int, public string, err error) *loginError {
	return &loginError{status: status, public: public, err: err}
}

// handleCallback finishes a sign-in: GET /auth/callback?code=…&state=…. The state is consumed
// (deleted) before anything else is checked, must equal the browser's login cookie, and must
// be younger than ten minutes. Then the code is exchanged with the PKCE verifier, the ID token
// verified and its nonce compared, the user resolved by (issuer, subject), and a new session
// opened (a fresh id: no fixation).
func (s *Service) handleCallback(c echo.Context) error {
	ctx := c.Request().Context()
	q := c.Request().URL.Query()
	cookieState := ""
	if ck, err := c.Cookie(s.loginCookieName()); err == nil {
		cookieState = ck.Value
	}
	s.clearLoginCookie(c.Response())
	if s.local {
		return c.Redirect(http.StatusFound, "/")
	}

	state := q.Get("state")
	if state == "" {
		return s.loginFailed(c, failLogin(http.StatusBadRequest, "The sign-in response carries no state.", errors.New("missing state")))
	}
	st, err := s.takeLoginState(ctx, state)
	if errors.Is(err, ErrNotFound) {
		return s.loginFailed(c, failLogin(http.StatusBadRequest, "This sign-in is unknown, expired or was already used.", errors.New("unknown state")))
	}
	if err != nil {
		return s.loginFailed(c, failLogin(http.StatusInternalServerError, "Sign-in failed.", err))
	}
	if cookieState == "" || subtle.ConstantTimeCompare([]byte(cookieState), []byte(state)) != 1 {
		return s.loginFailed(c, failLogin(http.StatusBadRequest, "This sign-in was not started in this browser.", errors.New("state does not match the login cookie")))
	}
	if e := q.Get("error"); e != "" {
		return s.loginFailed(c, failLogin(http.StatusBadRequest, "The identity provider did not sign you in.",
			fmt.Errorf("provider error %q: %q", e, q.Get("error_description"))))
	}
	code := q.Get("code")
	if code == "" {
		return s.loginFailed(c, failLogin(http.StatusBadRequest, "The sign-in response carries no code.", errors.New("missing code")))
	}
	p, err := s.provider(ctx)
	if err != nil {
		return s.loginFailed(c, failLogin(http.StatusServiceUnavailable, "The identity provider cannot be reached.", err))
	}
	id, err := s.verifyLogin(ctx, p, code, st)
	if err != nil {
		return s.loginFailed(c, err)
	}
	res, err := s.signIn(ctx, id, c.Request().UserAgent(), s.clientIP(c.Request()))
	if errors.Is(err, ErrDisabled) {
		return s.loginFailed(c, failLogin(http.StatusForbidden, "Your Assay account is disabled. Ask an administrator.", err))
	}
	if err != nil {
		return s.loginFailed(c, failLogin(http.StatusInternalServerError, "Sign-in failed.", err))
	}
	val, err := s.mintSessionJWT(res.User.ID, res.SessionID, res.Expires)
	if err != nil {
		return s.loginFailed(c, failLogin(http.StatusInternalServerError, "Sign-in failed.", err))
	}
	s.log.Info("signed in", "user_id", res.User.ID, "email", res.User.Email, "admin", res.User.Admin, "email_refused", res.EmailRefused)
	http.SetCookie(c.Response(), s.sessionCookie(val, res.Expires))
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.Redirect(http.StatusFound, st.ReturnTo)
}

// idClaims are the ID-token claims Assay reads besides what go-oidc verifies.
type idClaims struct {
	Email             string   `json:"email"`
	EmailVerified     flexBool `json:"email_verified"`
	Name              string   `json:"name"`
	PreferredUsername string   `json:"preferred_username"`
	AuthorizedParty   string   `json:"azp"`
}

// verifyLogin exchanges the code (with the PKCE verifier), verifies the ID token (signature,
// issuer, audience, expiry: go-oidc), compares the nonce, and collects a verified email — from
// the ID token, or else from UserInfo, whose sub must then equal the ID token's.
func (s *Service) verifyLogin(ctx context.Context, p *provider, code string, st loginState) (identity, error) {
	ctx, cancel := context.WithTimeout(s.clientContext(ctx), oidcTimeout)
	defer cancel()
	tok, err := p.oauth2.Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return identity{}, failLogin(http.StatusBadRequest, "The identity provider refused the sign-in code.", fmt.Errorf("exchange code: %w", err))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return identity{}, failLogin(http.StatusBadGateway, "The identity provider sent no ID token.", errors.New("no id_token in token response"))
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return identity{}, failLogin(http.StatusBadRequest, "The identity provider's ID token is not valid.", fmt.Errorf("verify id token: %w", err))
	}
	// go-oidc leaves the nonce to us; it binds the ID token to this browser's sign-in.
	if idt.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return identity{}, failLogin(http.StatusBadRequest, "The identity provider's ID token is not valid.", errors.New("id token nonce mismatch"))
	}
	var cl idClaims
	if err := idt.Claims(&cl); err != nil {
		return identity{}, failLogin(http.StatusBadRequest, "The identity provider's ID token is not valid.", fmt.Errorf("id token claims: %w", err))
	}
	// go-oidc accepts any aud list containing our client id; with several audiences the token
	// must also have been issued to us (OIDC Core 3.1.3.7).
	if len(idt.Audience) > 1 && cl.AuthorizedParty != s.cfg.ClientID {
		return identity{}, failLogin(http.StatusBadRequest, "The identity provider's ID token is not valid.",
			fmt.Errorf("id token has several audiences and azp %q", cl.AuthorizedParty))
	}

	id := identity{Issuer: idt.Issuer, Subject: idt.Subject, DisplayName: firstNonEmpty(cl.Name, cl.PreferredUsername)}
	if bool(cl.EmailVerified) && cl.Email != "" {
		id.Email = normalizeEmail(cl.Email)
	} else if p.oidc.UserInfoEndpoint() != "" {
		ui, err := p.oidc.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return identity{}, failLogin(http.StatusBadGateway, "The identity provider's user info could not be read.", fmt.Errorf("userinfo: %w", err))
		}
		// OIDC Core 5.3.2: UserInfo about another subject must not be used (token substitution).
		if ui.Subject != idt.Subject {
			return identity{}, failLogin(http.StatusBadRequest, "The identity provider's user info is about someone else.",
				fmt.Errorf("userinfo sub %q differs from id token sub %q", ui.Subject, idt.Subject))
		}
		if ui.EmailVerified && ui.Email != "" {
			id.Email = normalizeEmail(ui.Email)
		}
		if id.DisplayName == "" {
			var extra struct {
				Name              string `json:"name"`
				PreferredUsername string `json:"preferred_username"`
			}
			if ui.Claims(&extra) == nil {
				id.DisplayName = firstNonEmpty(extra.Name, extra.PreferredUsername)
			}
		}
	}
	if id.DisplayName == "" {
		id.DisplayName = id.Email
	}
	id.DisplayName = truncate(strings.TrimSpace(id.DisplayName), 200)
	return id, nil
}

// flexBool decodes email_verified sent as a boolean or as the string "true" (AWS Cognito does
// the latter). Anything else, including a missing claim, is false: unverified.
type flexBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true", `"true"`:
		*b = true
	default:
		*b = false
	}
	return nil
}

// clearLoginCookie deletes the login-state cookie.
func (s *Service) clearLoginCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.loginCookieName(), Value: "", Path: "/", MaxAge: -1,
		Secure: s.cfg.CookieSecure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

var loginFailedPage = template.Must(template.New("failed").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in failed · Assay</title></head>
<body style="font-family: sans-serif; max-width: 36rem; margin: 4rem auto">
<h1>Sign-in failed</h1>
<p>{{.}}</p>
<p><a href="/auth/login">Try again</a> · <a href="/">Home</a></p>
</body></html>
`))

// loginFailed logs a failed sign-in and answers with a small page that names the reason in one
// sentence (never the provider's own words, which could be attacker-chosen).
func (s *Service) loginFailed(c echo.Context, err error) error {
	var le *loginError
	if !errors.As(err, &le) {
		le = failLogin(http.StatusInternalServerError, "Sign-in failed.", err)
	}
	if le.status >= 500 {
		s.log.Error("sign-in failed", "status", le.status, "err", le.err)
	} else {
		s.log.Warn("sign-in refused", "status", le.status, "err", le.err, "ip", s.clientIP(c.Request()))
	}
	var b strings.Builder
	if err := loginFailedPage.Execute(&b, le.public); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.HTML(le.status, b.String())
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
