package model

// Span is one OpenTelemetry span as Assay stores it. IDs are lower-case hex (32 digits for the
// trace, 16 for spans), the form OTLP/JSON uses; renderers convert to base64 where MLflow's wire
// format wants it. Attribute values follow MLflow's convention: what MLflow writes as a
// JSON-encoded string stays that string; values from other conventions keep their OTLP type
// (string, bool, int64, float64, []any).
type Span struct {
	TraceID       string         `json:"trace_id"`
	SpanID        string         `json:"span_id"`
	ParentSpanID  string         `json:"parent_span_id"`
	Name          string         `json:"name"`
	Kind          string         `json:"kind,omitempty"`
	StartTimeNs   int64          `json:"start_time_unix_nano"`
	EndTimeNs     int64          `json:"end_time_unix_nano"`
	StatusCode    string         `json:"status_code"`
	StatusMessage string         `json:"status_message,omitempty"`
	Attributes    map[string]any `json:"attributes"`
	Events        []SpanEvent    `json:"events,omitempty"`
}

// SpanEvent is an OpenTelemetry span event (exceptions arrive as events named "exception").
type SpanEvent struct {
	Name       string         `json:"name"`
	TimeNs     int64          `json:"time_unix_nano"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

// Span status codes, as OTLP names them.
const (
	StatusUnset = "STATUS_CODE_UNSET"
	StatusOK    = "STATUS_CODE_OK"
	StatusError = "STATUS_CODE_ERROR"
)

// MLflow's reserved span attribute keys.
const (
	AttrSpanType   = "mlflow.spanType"
	AttrSpanInputs = "mlflow.spanInputs"
	AttrSpanOutput = "mlflow.spanOutputs"
	AttrTraceID    = "mlflow.traceRequestId"
)

// IsRoot reports whether the span has no parent.
func (s *Span) IsRoot() bool { return s.ParentSpanID == "" }
