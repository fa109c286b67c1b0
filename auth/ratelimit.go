package auth

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// The /auth/* limit per client IP: a burst of 20 requests, refilled at one every 3 seconds. A
// sign-in costs two requests (login, callback), so people never notice it; a script hammering
// the callback or filling the login-state table does.
const (
	authRateLimit = rate.Limit(1.0 / 3)
	authRateBurst = 20
)

// newIPExtractor returns the client-IP extractor: the TCP peer when no proxies are trusted, else
// the right-most X-Forwarded-For entry not from a trusted proxy. Echo's defaults (trust every
// private, loopback and link-local address) are switched off: only TrustedProxies count.
func newIPExtractor(proxies []string) (echo.IPExtractor, error) {
	nets, err := parseProxies(proxies)
	if err != nil {
		return nil, err
	}
	if len(nets) == 0 {
		return echo.ExtractIPDirect(), nil
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range nets {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...), nil
}

// IPExtractor is the trusted client-IP extractor; set it as Echo's (e.IPExtractor) so that
// c.RealIP() everywhere cannot be spoofed with X-Forwarded-For. Without it, Echo believes the
// first X-Forwarded-For entry of any request.
func (s *Service) IPExtractor() echo.IPExtractor { return s.ipExtractor }

// clientIP is the caller's IP as the trusted extractor sees it (used whatever Echo is set to).
func (s *Service) clientIP(r *http.Request) string { return s.ipExtractor(r) }

// rateKey is the bucket of a client IP: the address itself for IPv4, its /64 for IPv6 (one
// subscriber usually holds a whole /64, so per-address buckets would be free to multiply).
func rateKey(ip string) string {
	addr := net.ParseIP(ip)
	if addr == nil || addr.To4() != nil {
		return ip
	}
	return addr.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// newAuthRateLimiter builds the per-IP token-bucket limiter for the /auth/* routes.
func (s *Service) newAuthRateLimiter(limit rate.Limit, burst int) echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: limit, Burst: burst, ExpiresIn: 10 * time.Minute,
	})
	retry := strconv.Itoa(int(1/float64(limit)) + 1)
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		IdentifierExtractor: func(c echo.Context) (string, error) {
			return rateKey(s.clientIP(c.Request())), nil
		},
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", retry)
			return jsonError(c, http.StatusTooManyRequests, codeTooMany, "too many sign-in requests; wait a moment")
		},
		ErrorHandler: func(c echo.Context, err error) error {
			return jsonError(c, http.StatusForbidden, codePermissionDenied, "cannot identify the client")
		},
	})
}
