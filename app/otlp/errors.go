package otlp

import "fmt"

// ErrorKind classifies a DecodeError so the HTTP layer can choose a status in one table.
type ErrorKind string

// Decode error kinds. The suggested HTTP statuses follow MLflow's /v1/traces handler (400 for
// bad input, 422 for a span it cannot convert) except for media types, where the OTLP/HTTP
// spec asks for 415 and MLflow answers 400.
const (
	// KindContentType means the Content-Type is not an OTLP/HTTP media type (suggested 415).
	KindContentType ErrorKind = "unsupported_content_type"
	// KindContentEncoding means the Content-Encoding is not gzip, deflate or identity (suggested 415).
	KindContentEncoding ErrorKind = "unsupported_content_encoding"
	// KindTooLarge means the body, raw or decompressed, is over the size limit (suggested 413).
	KindTooLarge ErrorKind = "too_large"
	// KindCompression means the body could not be decompressed (suggested 400).
	KindCompression ErrorKind = "bad_compression"
	// KindMalformed means the body is not a valid protobuf or OTLP/JSON document (suggested 400).
	KindMalformed ErrorKind = "malformed"
	// KindEmpty means the request holds no resource spans; MLflow answers 400 "no spans found".
	KindEmpty ErrorKind = "empty"
	// KindInvalidSpan means a span breaks an OTLP rule (ids, times); suggested 422 as MLflow.
	KindInvalidSpan ErrorKind = "invalid_span"
)

// DecodeError is the only error type Decode returns. Path, when set, locates the offending
// field in OTLP/JSON naming, e.g. "resourceSpans[0].scopeSpans[1].spans[3].traceId".
type DecodeError struct {
	Kind ErrorKind
	Path string
	Msg  string
	Err  error
}

// Error renders "otlp: <path>: <msg>: <cause>", leaving out the parts that are empty.
func (e *DecodeError) Error() string {
	s := "otlp: "
	if e.Path != "" {
		s += e.Path + ": "
	}
	s += e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause (a gzip, protobuf or JSON error), if any.
func (e *DecodeError) Unwrap() error { return e.Err }

func decodeErr(kind ErrorKind, path, format string, args ...any) *DecodeError {
	return &DecodeError{Kind: kind, Path: path, Msg: fmt.Sprintf(format, args...)}
}
