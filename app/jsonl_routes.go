package app

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/jsonl"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// jsonlMediaTypes are the Content-Types a JSON Lines import may be sent with.
var jsonlMediaTypes = []string{"application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json-lines"}

// importSuffix ends the path of the JSON Lines import route.
const importSuffix = "/traces:import"

// registerJSONLRoutes adds the JSON Lines import and export routes to the /api/assay/v1 group:
// importing needs EDIT on the experiment, exporting READ on the dataset's experiments. The ':'
// of "traces:import" is escaped for Echo, which would otherwise read ":import" as a path
// parameter; "traces%3Aimport", as a client that percent-encodes the colon sends it, reaches
// the same handler. The import's body is not JSON, so the CSRF middleware must be told
// (auth.CSRFConfig.RawBody: isJSONLUpload).
func registerJSONLRoutes(g *echo.Group, db *store.DB, checker *access.Checker, maxBody int64) {
	importTraces := func(c echo.Context) error { return importTracesJSONL(c, db, checker, maxBody) }
	g.POST(`/experiments/:experiment_id/traces\:import`, importTraces)
	g.POST(`/experiments/:experiment_id/traces%3Aimport`, importTraces)
	g.POST(`/experiments/:experiment_id/traces%3aimport`, importTraces)
	g.GET("/datasets/:dataset_id/records.jsonl", func(c echo.Context) error { return exportDatasetJSONL(c, db, checker) })
}

// isJSONLUpload reports a request to the JSON Lines import route, for auth.CSRFConfig.RawBody:
// it keeps the same-origin check but may carry a JSON Lines body instead of JSON.
func isJSONLUpload(c echo.Context) bool {
	p := c.Request().URL.Path // decoded: "%3A" arrives as ":"
	return c.Request().Method == http.MethodPost && strings.HasPrefix(p, "/api/assay/v1/experiments/") && strings.HasSuffix(p, importSuffix)
}

// importTracesJSONL is POST /experiments/{experiment_id}/traces:import: the body is a JSON
// Lines file as `assay import traces` reads it, stored all or nothing. A bad line is a 400
// whose message lists the bad lines ("line 3: …").
func importTracesJSONL(c echo.Context, db *store.DB, checker *access.Checker, maxBody int64) error {
	if err := checker.Require(c.Request().Context(), access.Edit, c.Param("experiment_id")); err != nil {
		return err
	}
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, err := mime.ParseMediaType(ct); err != nil || !slices.Contains(jsonlMediaTypes, mt) {
		return &model.Error{Code: model.UnsupportedMediaType, Message: fmt.Sprintf("Content-Type %q is not JSON Lines: send %s", ct, strings.Join(jsonlMediaTypes[:2], " or "))}
	}
	res, err := jsonl.ImportTracesLimit(c.Request().Context(), db, c.Request().Body, c.Param("experiment_id"), maxBody, nil)
	var bad *jsonl.ImportError
	var tooLarge *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &bad):
		return model.Errorf(model.InvalidParameterValue, "%s", bad.Error())
	case errors.As(err, &he):
		return he // the body limit (413) or another HTTP error raised while reading the body
	case errors.As(err, &tooLarge):
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"traces": res.Traces, "spans": res.Spans, "lines": res.Lines})
}

// exportDatasetJSONL is GET /datasets/{dataset_id}/records.jsonl: the dataset's records as a
// JSON Lines download, streamed. With ?experiment_id=… the id may also be the dataset's name in
// that experiment; names are not looked up across experiments, where they could reveal
// datasets the caller may not read.
func exportDatasetJSONL(c echo.Context, db *store.DB, checker *access.Checker) (err error) {
	ctx := c.Request().Context()
	if _, err := access.Caller(ctx); err != nil {
		return err
	}
	nameOrID := c.Param("dataset_id")
	if c.Request().URL.RawPath != "" { // Echo routes on the raw path then, leaving %-escapes in params
		if nameOrID, err = url.PathUnescape(nameOrID); err != nil {
			return model.Invalid("dataset_id", "malformed path segment: %v", err)
		}
	}
	var d model.Dataset
	if exp := c.QueryParam("experiment_id"); exp != "" {
		if err := checker.Require(ctx, access.Read, exp); err != nil {
			return err
		}
		d, err = jsonl.ResolveDataset(ctx, db, nameOrID, exp)
	} else {
		d, err = db.FindDatasetByID(ctx, nameOrID)
	}
	if err != nil {
		return err
	}
	if err := checker.Require(ctx, access.Read, d.ExperimentIDs...); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, jsonl.ContentType)
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(d) + ".jsonl"}))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	// Once the first record is sent the status cannot change: an error after that ends the
	// body early, and the error handler only logs it.
	_, err = jsonl.ExportDataset(ctx, db, d.DatasetID, c.Response(), nil)
	return err
}

// downloadName is a file name for the dataset: its name with anything outside [A-Za-z0-9._-]
// replaced, or its id when nothing is left.
func downloadName(d model.Dataset) string {
	name := strings.Map(func(r rune) rune {
		if r < 128 && (r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, d.Name)
	if strings.Trim(name, "._") == "" {
		return d.DatasetID
	}
	return name
}
