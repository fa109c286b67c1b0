package auth

import "github.com/labstack/echo/v4"

// ContentSecurityPolicy is sent with every response. The SPA is built into hashed files under
// /assets, so scripts need no 'unsafe-inline'; trace content (untrusted LLM output) can thus
// never run script, load remote images to leak data, or be framed.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// SecurityHeaders returns the middleware that sets the security headers on every response:
// the CSP above, nosniff, no Referer (URLs may name experiments and traces), no framing, a
// same-origin opener and resource policy, and no powerful browser features. hsts adds
// Strict-Transport-Security; pass Service.HSTS() (true when the public URL is https).
// No CORS header is ever sent: the API serves its own origin only.
func SecurityHeaders(hsts bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", ContentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Cross-Origin-Resource-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			return next(c)
		}
	}
}
