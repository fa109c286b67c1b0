package auth

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Errors returned by the Service's methods; the app maps them to its own error codes.
var (
	// ErrNotFound: no such user or token (or not one the caller may see).
	ErrNotFound = errors.New("not found")
	// ErrInvalid: an argument failed validation; the wrapped message says which.
	ErrInvalid = errors.New("invalid argument")
	// ErrDisabled: the user is disabled by an admin and may not sign in or use tokens.
	ErrDisabled = errors.New("user is disabled")
	// ErrUnauthenticated: a credential was presented and is not (or no longer) valid.
	ErrUnauthenticated = errors.New("unauthenticated")
)

// Refusals by credential kind, so the 401 message can say which credential to replace.
var (
	errTokenRefused   = fmt.Errorf("%w: API token", ErrUnauthenticated)
	errSessionRefused = fmt.Errorf("%w: session", ErrUnauthenticated)
)

// Wire error codes, spelled as MLflow's error envelope spells them.
const (
	codeUnauthenticated  = "UNAUTHENTICATED"
	codePermissionDenied = "PERMISSION_DENIED"
	codeInvalid          = "INVALID_PARAMETER_VALUE"
	codeNotFound         = "RESOURCE_DOES_NOT_EXIST"
	codeBadRequest       = "BAD_REQUEST"
	codeTooMany          = "REQUEST_LIMIT_EXCEEDED"
	codeUnavailable      = "TEMPORARILY_UNAVAILABLE"
	codeInternal         = "INTERNAL_ERROR"
)

// errorBody is MLflow's error envelope, which the rest of Assay's API also answers with.
type errorBody struct {
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
}

// jsonError writes the error envelope. The package writes its responses itself rather than
// returning errors, because it cannot import the app's error types (it is a leaf).
func jsonError(c echo.Context, status int, code, msg string) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(status, errorBody{ErrorCode: code, Message: msg})
}

func unauthenticated(c echo.Context, msg string) error {
	return jsonError(c, http.StatusUnauthorized, codeUnauthenticated, msg)
}
