package labelingapi

import (
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/jsonl"
	"github.com/assay-labs/assay/app/model"
)

// exportSession is GET /api/assay/v1/sessions/:sid/export.jsonl (READ on the session's
// experiment): the session as a JSON Lines download, one item per line, streamed.
func (a *API) exportSession(c echo.Context) error {
	s, err := a.session(c, access.Read)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, jsonl.ContentType)
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": SessionFileName(s) + ".jsonl"}))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	// Once the first line is sent the status cannot change: an error after that ends the body
	// early, and the error handler only logs it.
	_, err = jsonl.ExportSession(c.Request().Context(), a.DB, s.LabelingSessionID, c.Response(), nil)
	return err
}

// SessionFileName is a download name for a session: "session-" and its name with anything
// outside [A-Za-z0-9._-] replaced, or its id when nothing readable is left.
func SessionFileName(s model.LabelingSession) string {
	name := strings.Map(func(r rune) rune {
		if r < 128 && (r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, s.Name)
	if strings.Trim(name, "._") == "" {
		return "session-" + s.LabelingSessionID
	}
	return "session-" + name
}
