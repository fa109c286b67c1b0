package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// ErrProviderUnavailable is returned while OIDC discovery has not succeeded yet.
var ErrProviderUnavailable = errors.New("the OpenID Provider is unreachable")

// provider is the discovered OpenID Provider: one per process, reused for every sign-in (go-oidc
// caches the JWKS and re-fetches it once when a token names an unknown key).
type provider struct {
	oidc     *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth2   oauth2.Config
}

// clientContext carries the configured HTTP client (with its timeout) to go-oidc and x/oauth2.
func (s *Service) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, s.cfg.HTTPClient)
}

// provider returns the discovered provider, discovering it now if needed. Discovery is lazy and
// retried: a failure is remembered for discoveryGap, during which callers get the same error
// without another network round trip; afterwards the next caller tries again.
func (s *Service) provider(ctx context.Context) (*provider, error) {
	if s.local {
		return nil, errors.New("no OpenID Provider in local mode")
	}
	s.discMu.Lock()
	defer s.discMu.Unlock()
	if s.disc != nil {
		return s.disc, nil
	}
	if s.discErr != nil && s.now().Sub(s.discTried) < s.discoveryGap {
		return nil, s.discErr
	}
	s.discTried = s.now()
	// Not the request's context: a client giving up must not poison the shared attempt.
	dctx, cancel := context.WithTimeout(s.clientContext(context.WithoutCancel(ctx)), oidcHTTPTimeout)
	defer cancel()
	p, err := oidc.NewProvider(dctx, s.cfg.Issuer)
	if err != nil {
		s.discErr = fmt.Errorf("%w: discovery at %s failed: %v", ErrProviderUnavailable, s.cfg.Issuer, err)
		s.log.Warn("OIDC discovery failed; will retry", "issuer", s.cfg.Issuer, "err", err)
		return nil, s.discErr
	}
	s.disc = &provider{
		oidc:     p,
		verifier: p.Verifier(&oidc.Config{ClientID: s.cfg.ClientID, Now: func() time.Time { return s.now() }}),
		oauth2: oauth2.Config{
			ClientID:     s.cfg.ClientID,
			ClientSecret: s.cfg.ClientSecret,
			Endpoint:     p.Endpoint(),
			RedirectURL:  s.cfg.RedirectURL,
			Scopes:       s.cfg.Scopes,
		},
	}
	s.discErr = nil
	s.log.Info("OIDC provider discovered", "issuer", s.cfg.Issuer)
	return s.disc, nil
}

// Discover runs OIDC discovery now (it otherwise happens at the first sign-in). The app may call
// it in the background at start to log early whether the provider is reachable; an error is not
// fatal, discovery is retried on demand.
func (s *Service) Discover(ctx context.Context) error {
	_, err := s.provider(ctx)
	return err
}

// oidcTimeout bounds one sign-in's calls to the provider (token exchange, UserInfo).
const oidcTimeout = 15 * time.Second
