// Package auth is Assay's identity layer: OIDC sign-in (authorization code + PKCE + state +
// nonce, go-oidc verifying the ID token), the app's own session cookie (an HS256 JWT naming a
// server-side session row that is checked on every request), API tokens for programs (Bearer or
// HTTP Basic, as the MLflow client sends them), the middleware that turns any of these into a
// Principal in the request context, CSRF and security-header middleware, and local mode (no
// issuer configured: one local admin, loopback only).
//
// It is a leaf: it imports nothing of Assay's. The app wires it roughly like this:
//
//	svc, err := auth.New(cfg, writerDB, readerDB, logger)
//	svc.OnFirstVerifiedEmail = bindPendingGrants // optional, before serving
//	e.IPExtractor = svc.IPExtractor()
//	e.Use(auth.SecurityHeaders(svc.HSTS()))
//	e.Use(svc.Authenticate)
//	e.Use(svc.CSRF(auth.CSRFConfig{TokenOnly: auth.IsOTLPRoute}))
//	svc.Register(e)
//
// and then reads the caller with PrincipalFrom(c.Request().Context()).
package auth
