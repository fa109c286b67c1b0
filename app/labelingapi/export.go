package labelingapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// JSONLContentType is the media type of the session export.
const JSONLContentType = "application/x-ndjson"

// exportSession is GET /api/assay/v1/sessions/:sid/export.jsonl (READ on the session's
// experiment): the session as a JSON Lines download, one item per line, streamed.
func (a *API) exportSession(c echo.Context) error {
	s, err := a.session(c, access.Read)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, JSONLContentType)
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": SessionFileName(s) + ".jsonl"}))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	// Once the first line is sent the status cannot change: an error after that ends the body
	// early, and the error handler only logs it.
	_, err = WriteSessionJSONL(c.Request().Context(), a.DB, s.LabelingSessionID, c.Response(), nil)
	return err
}

// WriteSessionJSONL writes a session's export to w, one store.ExportItem per line in session
// order, streaming from the database. progress, when not nil, is called after every line with
// the items and bytes written so far. It returns how many items were written.
func WriteSessionJSONL(ctx context.Context, db *store.DB, sessionID string, w io.Writer, progress func(items int, bytes int64)) (int, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	cw := &countingWriter{w: bw}
	enc := json.NewEncoder(cw)
	enc.SetEscapeHTML(false) // keep "<" and "&" of traces readable, as Python's json.dumps writes them
	n := 0
	err := db.EachExportItem(ctx, sessionID, func(it store.ExportItem) error {
		if err := enc.Encode(it); err != nil {
			return fmt.Errorf("write item %s: %w", it.ItemID, err)
		}
		n++
		if progress != nil {
			progress(n, cw.n)
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("write items: %w", err)
	}
	return n, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
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
