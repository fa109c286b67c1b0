package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/openapi"
	"github.com/assay-labs/assay/app/store"
)

// registerAssayAPI adds Assay's own routes under /api/assay/v1 and makes every other /api/...
// path a JSON 404 (never the SPA page).
func registerAssayAPI(e *echo.Echo, db *store.DB, checker *access.Checker, maxBody int64) {
	g := e.Group("/api/assay/v1")
	registerJSONLRoutes(g, db, checker, maxBody)
	g.GET("/openapi.json", func(c echo.Context) error { return c.JSONBlob(http.StatusOK, openapi.Document) })
	g.GET("/version", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"version": Version, "mlflow_api_version": MLflowAPIVersion})
	})
	notFound := func(c echo.Context) error {
		return model.Errorf(model.EndpointNotFound, "no API endpoint %s %s", c.Request().Method, c.Request().URL.Path)
	}
	for _, p := range []string{"/api/*", "/ajax-api/*"} {
		e.Any(p, notFound)
	}
}
