package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/model"
)

// BindJSON decodes the request body into dst. Unknown fields are ignored (MLflow clients send
// fields Assay does not use), but a wrong type, malformed JSON or trailing data is a 400 that
// names the field. An empty body decodes as {}.
func BindJSON(c echo.Context, dst any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		if strings.Contains(err.Error(), "too large") {
			return echo.NewHTTPError(413)
		}
		return model.Invalid("", "could not read the request body: %v", err)
	}
	return DecodeJSON(body, dst)
}

// DecodeJSON is BindJSON's decoder, for bodies already read.
func DecodeJSON(body []byte, dst any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return model.Invalid("", "the request body has data after the JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return model.Invalid(te.Field, "expected %s, got JSON %s", te.Type.String(), te.Value)
	case errors.As(err, &se):
		return model.Invalid("", "malformed JSON at byte %d: %v", se.Offset, se)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return model.Invalid("", "malformed JSON: the body ends too early")
	}
	var ae *model.Error
	if errors.As(err, &ae) {
		return ae
	}
	return model.Invalid("", "malformed JSON: %v", err)
}

// PageToken encodes an offset as an opaque page token.
func PageToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(offset)))
}

// ParsePageToken decodes a token from PageToken; "" is offset 0.
func ParsePageToken(tok string) (int, error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil {
		if s, ok := strings.CutPrefix(string(b), "o:"); ok {
			if n, err := strconv.Atoi(s); err == nil && n >= 0 {
				return n, nil
			}
		}
	}
	return 0, model.Invalid("page_token", "invalid page token")
}

// Limit checks a max_results value against its default and ceiling.
func Limit(field string, n, def, ceiling int) (int, error) {
	switch {
	case n == 0:
		return def, nil
	case n < 0 || n > ceiling:
		return 0, model.Invalid(field, "must be between 1 and %d, got %d", ceiling, n)
	}
	return n, nil
}

// QueryInt reads an optional integer query parameter.
func QueryInt(c echo.Context, name string) (int, error) {
	s := c.QueryParam(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, model.Invalid(name, "must be an integer, got %q", s)
	}
	return n, nil
}

// Page trims rows fetched with limit+1 to one page and returns the next page's token, or ""
// when this page is the last one.
func Page[T any](rows []T, offset, limit int) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	return rows[:limit], PageToken(offset + limit)
}

// SetNext adds next_page_token to a response when there is a next page (MLflow leaves it out
// otherwise).
func SetNext(resp map[string]any, token string) {
	if token != "" {
		resp["next_page_token"] = token
	}
}

// Required reports a missing required string field.
func Required(field, value string) error {
	if strings.TrimSpace(value) == "" {
		return model.Invalid(field, "%s is required", field)
	}
	return nil
}
