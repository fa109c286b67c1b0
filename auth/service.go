package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
)

// Local mode's one user. Its issuer can never be an OIDC issuer (those are URLs), and a token or
// session belonging to it is refused when Assay runs with an issuer.
const (
	LocalIssuer      = "local"
	LocalSubject     = "local-admin"
	LocalEmail       = "admin@localhost"
	localDisplayName = "Local admin"
)

// LocalModeNotice is what Assay says at start, in /api/assay/v1/me and in /auth/config when it
// runs without an OpenID Provider.
const LocalModeNotice = "Local mode: no OIDC issuer is configured, so every request acts as the local admin. " +
	"Assay listens on loopback only; configure an OIDC issuer to share it with others."

// Service holds the identity state: configuration, the two database handles, the session
// signing key and the lazily discovered OpenID Provider.
type Service struct {
	// OnFirstVerifiedEmail, when set, is called inside the transaction that binds a verified
	// email to a user (the first sign-in with it, or a later sign-in after the email changed at
	// the provider), so the app can turn pending grants for that email into grants for userID
	// in the same commit. An error aborts the sign-in. Set it before serving requests.
	OnFirstVerifiedEmail func(ctx context.Context, tx *sql.Tx, userID int64, email string) error

	cfg         Config
	writer      *sql.DB
	reader      *sql.DB
	log         *slog.Logger
	local       bool
	localUserID int64
	adminEmails map[string]bool

	key    []byte
	kid    string
	parser *jwt.Parser

	ipExtractor echo.IPExtractor
	authLimit   echo.MiddlewareFunc

	discMu       sync.Mutex
	disc         *provider
	discErr      error
	discTried    time.Time
	discoveryGap time.Duration // minimum time between two failed discovery attempts

	now func() time.Time
}

// New checks cfg, loads (or creates) the session signing key and, in local mode, makes sure the
// local admin user exists. writer must be the single-connection writer pool (txlock=immediate);
// reader the read pool. Both must already carry migration 0002. OIDC discovery is not done
// here: it happens at the first sign-in and is retried, so Assay starts while the provider is
// down.
func New(cfg Config, writer, reader *sql.DB, logger *slog.Logger) (*Service, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	if writer == nil || reader == nil {
		return nil, errors.New("auth: writer and reader databases are required")
	}
	if logger == nil {
		logger = slog.Default()
	}
	s := &Service{
		cfg:          cfg,
		writer:       writer,
		reader:       reader,
		log:          logger.With("component", "auth"),
		local:        cfg.Issuer == "",
		adminEmails:  map[string]bool{},
		discoveryGap: 5 * time.Second,
		now:          time.Now,
	}
	for _, e := range cfg.AdminEmails {
		if e = normalizeEmail(e); e != "" {
			s.adminEmails[e] = true
		}
	}
	if s.ipExtractor, err = newIPExtractor(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	s.authLimit = s.newAuthRateLimiter(authRateLimit, authRateBurst)

	if s.local {
		id, err := s.ensureLocalUser(context.Background())
		if err != nil {
			return nil, err
		}
		s.localUserID = id
		return s, nil
	}
	if s.key, s.kid, err = loadOrCreateKey(cfg.DataDir); err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	s.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), // pinned: no none, HS512, RS*
		jwt.WithIssuer(s.sessionIssuer()),
		jwt.WithAudience(sessionAudience),
		jwt.WithExpirationRequired(), // exp is optional by default in v5
		jwt.WithIssuedAt(),
		jwt.WithLeeway(30*time.Second),
		jwt.WithStrictDecoding(),
		jwt.WithTimeFunc(func() time.Time { return s.now() }),
	)
	return s, nil
}

// LocalMode reports whether the service runs without an OpenID Provider (every request is the
// local admin). The app must then listen on loopback only (CheckListenAddr) and say so at start.
func (s *Service) LocalMode() bool { return s.local }

// AuthMode is "local" or "oidc", as /api/assay/v1/me and /auth/config report it.
func (s *Service) AuthMode() string {
	if s.local {
		return "local"
	}
	return "oidc"
}

// HSTS reports whether responses should carry Strict-Transport-Security: when the public URL is
// https.
func (s *Service) HSTS() bool {
	u, err := url.Parse(s.cfg.PublicURL)
	return err == nil && u.Scheme == "https"
}

// ensureLocalUser creates (or re-asserts as admin) the local-mode user and returns its id.
func (s *Service) ensureLocalUser(ctx context.Context) (int64, error) {
	now := ms(s.now())
	var id int64
	err := s.writer.QueryRowContext(ctx, `
		INSERT INTO users (issuer, subject, email, email_verified, display_name, admin, created_at)
		VALUES (?, ?, ?, 0, ?, 1, ?)
		ON CONFLICT (issuer, subject) DO UPDATE SET admin = 1
		RETURNING user_id`,
		LocalIssuer, LocalSubject, LocalEmail, localDisplayName, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("auth: create local user: %w", err)
	}
	return id, nil
}

// ms converts a time to the integer milliseconds the tables store.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS converts stored milliseconds back to a UTC time.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// fromNullMS converts a nullable stored time.
func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}
