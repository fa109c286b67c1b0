// Package model holds Assay's domain types and its application errors. It imports nothing of ours,
// so every other package can share it.
package model

import (
	"errors"
	"fmt"
)

// Error codes, spelled as MLflow spells them on the wire.
const (
	InvalidParameterValue = "INVALID_PARAMETER_VALUE"
	ResourceAlreadyExists = "RESOURCE_ALREADY_EXISTS"
	ResourceDoesNotExist  = "RESOURCE_DOES_NOT_EXIST"
	PermissionDenied      = "PERMISSION_DENIED"
	Unauthenticated       = "UNAUTHENTICATED"
	EndpointNotFound      = "ENDPOINT_NOT_FOUND"
	RequestTooLarge       = "REQUEST_LIMIT_EXCEEDED"
	UnsupportedMediaType  = "BAD_REQUEST"
	InternalError         = "INTERNAL_ERROR"
	NotImplemented        = "NOT_IMPLEMENTED"
)

// Error is an application error: a code from the list above, a message meant for the caller, and
// optionally the JSON path of the field that was wrong.
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an INVALID_PARAMETER_VALUE error naming the field (a JSON path such as
// "assessment.feedback.value") that was wrong.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: InvalidParameterValue, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns a RESOURCE_DOES_NOT_EXIST error for the named kind and id.
func NotFound(kind, id string) *Error {
	return &Error{Code: ResourceDoesNotExist, Message: fmt.Sprintf("%s '%s' does not exist", kind, id)}
}

// ErrorCode returns the code of err when it is (or wraps) an *Error, and INTERNAL_ERROR otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return InternalError
}
