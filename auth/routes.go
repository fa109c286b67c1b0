package auth

import "github.com/labstack/echo/v4"

// Routes is what Register adds routes to: an *echo.Echo, or an *echo.Group with an empty prefix.
type Routes interface {
	GET(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	POST(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	DELETE(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// Register adds the identity routes. They expect Authenticate (and CSRF) to run before them
// as global middleware. The /auth/* routes are rate-limited per client IP.
//
//	GET    /auth/login?returnTo=/path   start an OIDC sign-in (503 while the provider is unreachable)
//	GET    /auth/callback               finish it
//	GET    /auth/logout                 a page with a sign-out button
//	POST   /auth/logout                 sign out
//	GET    /api/assay/v1/me             the caller (401 when anonymous)
//	GET    /api/assay/v1/auth/config    auth mode and URLs for the SPA (public)
//	GET    /api/assay/v1/tokens         the caller's API tokens
//	POST   /api/assay/v1/tokens         create one (signed-in or local callers only)
//	DELETE /api/assay/v1/tokens/:id     revoke one (owner or admin)
func (s *Service) Register(r Routes) {
	limit := s.authLimit
	r.GET("/auth/login", s.handleLogin, limit)
	r.GET("/auth/callback", s.handleCallback, limit)
	r.GET("/auth/logout", s.handleLogoutPage, limit)
	r.POST("/auth/logout", s.handleLogout, limit)

	r.GET("/api/assay/v1/me", s.handleMe)
	r.GET("/api/assay/v1/auth/config", s.handleAuthConfig)
	r.GET("/api/assay/v1/tokens", s.handleListTokens, RequireUser)
	r.POST("/api/assay/v1/tokens", s.handleCreateToken, RequireUser)
	r.DELETE("/api/assay/v1/tokens/:id", s.handleRevokeToken, RequireUser)
}
