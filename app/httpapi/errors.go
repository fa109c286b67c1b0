// Package httpapi is the HTTP plumbing shared by Assay's route groups: strict JSON binding,
// page tokens, and the one error handler that turns application errors into MLflow's envelope.
package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/model"
)

// statusOf maps application error codes to HTTP statuses, as MLflow does.
var statusOf = map[string]int{
	model.InvalidParameterValue: http.StatusBadRequest,
	model.ResourceAlreadyExists: http.StatusBadRequest,
	model.ResourceDoesNotExist:  http.StatusNotFound,
	model.EndpointNotFound:      http.StatusNotFound,
	model.PermissionDenied:      http.StatusForbidden,
	model.Unauthenticated:       http.StatusUnauthorized,
	model.RequestTooLarge:       http.StatusRequestEntityTooLarge,
	model.UnsupportedMediaType:  http.StatusUnsupportedMediaType,
	model.NotImplemented:        http.StatusNotImplemented,
	model.InternalError:         http.StatusInternalServerError,
}

// errorBody is MLflow's error envelope, plus the JSON path of the offending field when known.
type errorBody struct {
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
}

// ErrorHandler is Echo's HTTP error handler: every error a handler returns ends here. Only 5xx
// errors are logged; their details stay in the log and the caller gets a generic message.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, body := toResponse(err)
		if status >= 500 {
			log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
			body.Message = "internal error; the server log has the details"
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
	}
}

func toResponse(err error) (int, errorBody) {
	var ae *model.Error
	if errors.As(err, &ae) {
		status, ok := statusOf[ae.Code]
		if !ok {
			status = http.StatusBadRequest
		}
		return status, errorBody{ErrorCode: ae.Code, Message: ae.Error(), Field: ae.Field}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg, _ := he.Message.(string)
		if msg == "" {
			msg = http.StatusText(he.Code)
		}
		code := model.InvalidParameterValue
		switch he.Code {
		case http.StatusNotFound:
			code = model.EndpointNotFound
		case http.StatusMethodNotAllowed:
			code = model.EndpointNotFound
		case http.StatusRequestEntityTooLarge:
			code, msg = model.RequestTooLarge, "request body is larger than the configured limit (--max-body-bytes)"
		case http.StatusUnauthorized:
			code = model.Unauthenticated
		case http.StatusForbidden:
			code = model.PermissionDenied
		case http.StatusTooManyRequests:
			code = "RESOURCE_EXHAUSTED"
		case http.StatusUnsupportedMediaType:
			code = model.UnsupportedMediaType
		}
		if he.Code >= 500 {
			code = model.InternalError
		}
		return he.Code, errorBody{ErrorCode: code, Message: msg}
	}
	return http.StatusInternalServerError, errorBody{ErrorCode: model.InternalError, Message: err.Error()}
}
