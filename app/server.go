package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/httpapi"
	"github.com/assay-labs/assay/app/labelingapi"
	"github.com/assay-labs/assay/app/mlflowapi"
	"github.com/assay-labs/assay/app/store"
	"github.com/assay-labs/assay/auth"
)

// Server is a configured Assay HTTP server over an open database.
type Server struct {
	Echo *echo.Echo
	DB   *store.DB
	Auth *auth.Service
	cfg  Config
	log  *slog.Logger
}

// New builds the Echo instance with every route. It does not listen.
func New(cfg Config, db *store.DB, authSvc *auth.Service, log *slog.Logger) *Server {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = httpapi.ErrorHandler(log)
	e.IPExtractor = authSvc.IPExtractor()
	authSvc.OnFirstVerifiedEmail = store.BindPendingGrants
	e.Use(middleware.Recover())
	e.Use(auth.SecurityHeaders(authSvc.HSTS()))
	e.Use(middleware.BodyLimit(fmt.Sprint(cfg.MaxBodyBytes) + "B"))
	e.Use(requestLog(log))
	e.Use(authSvc.Authenticate)
	e.Use(authSvc.CSRF(auth.CSRFConfig{TokenOnly: auth.IsOTLPRoute, RawBody: isJSONLUpload}))
	authSvc.Register(e)

	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/health", func(c echo.Context) error { return c.String(http.StatusOK, "OK") })
	// The MLflow client reads /version to pick its features (it sends spans over OTLP only to
	// servers >= 3.4), so it reports the MLflow API level Assay speaks; Assay's own version is
	// at /api/assay/v1/version.
	e.GET("/version", func(c echo.Context) error { return c.String(http.StatusOK, MLflowAPIVersion) })
	checker := &access.Checker{DB: db}
	(&mlflowapi.API{DB: db, Access: checker, Log: log, MaxBodyBytes: cfg.MaxBodyBytes}).Register(e)
	(&labelingapi.API{DB: db, Access: checker, PublicURL: cfg.PublicOrigin(cfg.Addr), ReviewerAccess: cfg.ReviewerAccess}).Register(e)
	registerAssayAPI(e, db, checker, cfg.MaxBodyBytes)
	registerSPA(e)
	return &Server{Echo: e, DB: db, Auth: authSvc, cfg: cfg, log: log}
}

// requestLog logs one line per request at debug level, and 5xx answers at warn.
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			status := c.Response().Status
			level := slog.LevelDebug
			if status >= 500 {
				level = slog.LevelWarn
			}
			log.Log(c.Request().Context(), level, "request", "method", c.Request().Method, "path", c.Request().URL.Path,
				"status", status, "duration_ms", time.Since(start).Milliseconds())
			return nil
		}
	}
}

// Serve accepts connections on ln until ctx is cancelled, then stops taking new ones, lets
// in-flight requests finish (up to the shutdown timeout) and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: waiting for in-flight requests", "timeout", s.cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// MLflowAPIVersion is the MLflow server version whose REST API Assay implements.
const MLflowAPIVersion = "3.18.0"

// Version is the binary's version, set at build time with -ldflags "-X …/app.Version=…".
var Version = "dev"
