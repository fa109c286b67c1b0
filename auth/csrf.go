package auth

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// CSRFConfig configures CSRF.
type CSRFConfig struct {
	// TokenOnly reports routes meant for programs, whose mutations carry bodies other than JSON
	// (the OTLP receiver's protobuf, for one). There a cookie-authenticated mutation is refused
	// outright, and the JSON rule is not applied to API-token or local callers. See IsOTLPRoute.
	TokenOnly func(c echo.Context) bool
	// RawBody reports routes that take a non-JSON body (a JSONL upload, say) from browsers
	// too: they keep the same-origin check but are exempt from the JSON-only rule.
	RawBody func(c echo.Context) bool
}

// IsOTLPRoute is a CSRFConfig.TokenOnly for the OTLP trace receiver, POST /v1/traces.
func IsOTLPRoute(c echo.Context) bool {
	return c.Request().URL.Path == "/v1/traces"
}

// CSRF returns the middleware that protects requests carrying ambient authority — the session
// cookie, or anything at all in local mode — from cross-site forgery. It must run after
// Authenticate. For such a request with method POST, PUT, PATCH or DELETE:
//
//   - Sec-Fetch-Site must be same-origin or none; without that header, an Origin header must
//     equal the public URL's or the request's own origin (a request with neither header is not
//     from a browser and passes this step);
//   - the body must be Content-Type: application/json (a DELETE only when it has a body), which
//     no cross-site HTML form can send without a CORS preflight — and Assay answers no CORS;
//   - POST /auth/logout is exempt from the JSON rule, so a plain form can sign out.
//
// Requests authenticated by an API token carry no ambient authority and are exempt (HTTP Basic
// ones still get the origin check, since browsers may cache Basic credentials); anonymous requests pass through (the app refuses what needs a caller). Refusals are
// 403 PERMISSION_DENIED, or 415 for the wrong content type.
func (s *Service) CSRF(cfg CSRFConfig) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if !isMutation(r.Method) {
				return next(c)
			}
			p, ok := PrincipalFrom(r.Context())
			if !ok {
				return next(c)
			}
			if p.Via == ViaToken {
				// Browsers can cache Basic credentials (a user once opened
				// http://user:token@host/) and replay them cross-site, so Basic gets the
				// origin check; a Bearer header can only be set by script, same-origin.
				if isBasic(r.Header.Get(echo.HeaderAuthorization)) && s.checkSameOrigin(r) != nil {
					return jsonError(c, http.StatusForbidden, codePermissionDenied, "cross-site request refused")
				}
				return next(c)
			}
			if err := s.checkSameOrigin(r); err != nil {
				s.log.Warn("cross-site request refused", "method", r.Method, "path", r.URL.Path, "err", err, "ip", s.clientIP(r))
				return jsonError(c, http.StatusForbidden, codePermissionDenied, "cross-site request refused")
			}
			if cfg.TokenOnly != nil && cfg.TokenOnly(c) {
				if p.Via == ViaSession {
					return jsonError(c, http.StatusForbidden, codePermissionDenied, "this endpoint accepts API tokens only")
				}
				return next(c)
			}
			if r.URL.Path == "/auth/logout" || (cfg.RawBody != nil && cfg.RawBody(c)) {
				return next(c)
			}
			if r.Method == http.MethodDelete && r.ContentLength == 0 {
				return next(c)
			}
			if !isJSON(r.Header.Get(echo.HeaderContentType)) {
				return jsonError(c, http.StatusUnsupportedMediaType, codeBadRequest, "request body must be Content-Type: application/json")
			}
			return next(c)
		}
	}
}

// isMutation reports whether a method may change state.
func isMutation(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// isJSON reports whether a Content-Type header is application/json (parameters allowed).
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// checkSameOrigin applies the fetch-metadata / Origin rule described at CSRF.
func (s *Service) checkSameOrigin(r *http.Request) error {
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "same-origin", "none":
		return nil
	case "":
	default:
		return fmt.Errorf("Sec-Fetch-Site is %q", site)
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return fmt.Errorf("Origin %q is not an origin", origin)
	}
	if s.cfg.PublicURL != "" {
		if o, err := parseOrigin(origin); err == nil && o.String() == s.cfg.PublicURL {
			return nil
		}
	}
	if strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	return errors.New("Origin " + origin + " is not this site")
}

// isBasic reports whether an Authorization header uses the Basic scheme.
func isBasic(h string) bool {
	scheme, _, _ := strings.Cut(strings.TrimSpace(h), " ")
	return strings.EqualFold(scheme, "basic")
}
