package app

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	webui "github.com/assay-labs/assay/embed"
)

// notBuiltPage is served in place of the SPA when the binary was built without the UI.
const notBuiltPage = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Assay</title>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>Assay is running</h1>
<p>The API is up (try <a href="/healthz">/healthz</a> or <code>/api/2.0/mlflow/experiments/search</code>),
but this binary was built without the web app.</p>
<p>Build it with <code>make run</code> (builds the UI, then starts Assay) or <code>make ui</code> followed by <code>go build</code>.</p>
</body></html>`

// registerSPA serves the embedded web app: files by path, index.html for any other GET that is
// not an API path (deep links), hashed assets cached forever and index.html never cached.
func registerSPA(e *echo.Echo) {
	assets, ok := webui.Assets()
	if !ok {
		e.GET("/*", func(c echo.Context) error {
			c.Response().Header().Set("Cache-Control", "no-store")
			return c.HTML(http.StatusOK, notBuiltPage)
		})
		return
	}
	files := http.FileServer(http.FS(assets))
	e.GET("/*", func(c echo.Context) error {
		p := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
		if p == "" || p == "index.html" {
			return serveIndex(c, assets)
		}
		if _, err := fs.Stat(assets, p); errors.Is(err, fs.ErrNotExist) {
			if strings.HasPrefix(p, "assets/") {
				return echo.NewHTTPError(http.StatusNotFound, "no such asset")
			}
			return serveIndex(c, assets)
		}
		if strings.HasPrefix(p, "assets/") {
			// Vite puts a content hash in every file name under assets/, so they never change.
			c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			c.Response().Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	})
}

func serveIndex(c echo.Context, assets fs.FS) error {
	b, err := fs.ReadFile(assets, "index.html")
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(http.StatusOK, b)
}
