package auth

import "context"

// How a request was authenticated; the Via field of Principal.
const (
	ViaSession = "session" // the browser session cookie
	ViaToken   = "token"   // an API token, as Bearer or as the HTTP Basic password
	ViaLocal   = "local"   // local mode: every request is the local admin
)

// Principal is the authenticated caller of a request. Authorization decisions are the app's; it
// reads Admin and UserID here and its own permission tables.
type Principal struct {
	UserID      int64  `json:"id"`
	Email       string `json:"email"` // verified and lower-cased, or "" when none is bound
	DisplayName string `json:"display_name"`
	Admin       bool   `json:"admin"`
	Via         string `json:"via"`
	// SessionID is the auth_sessions row when Via is ViaSession.
	SessionID string `json:"-"`
	// TokenID is the api_tokens row when Via is ViaToken.
	TokenID string `json:"-"`
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx carrying p. Authenticate calls it; tests and the CLI may too.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller stored by WithPrincipal, and false for an anonymous request.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
