package model

import "encoding/json"

// Trace states.
const (
	TraceOK         = "OK"
	TraceError      = "ERROR"
	TraceInProgress = "IN_PROGRESS"
)

// Well-known trace tag and metadata keys.
const (
	TagTraceName      = "mlflow.traceName"
	MetaSourceRun     = "mlflow.sourceRun"
	TagSpansLocation  = "mlflow.trace.spansLocation"
	SpansInStore      = "TRACKING_STORE"
	MetaSchemaVersion = "mlflow.trace_schema.version"
	PreviewMaxRunes   = 1000
	TraceIDPrefix     = "tr-"
)

// TraceInfo is a trace's metadata (MLflow's TraceInfoV3). Times are milliseconds.
type TraceInfo struct {
	TraceID             string
	ClientRequestID     string
	ExperimentID        string
	RequestTimeMs       int64
	ExecutionDurationMs int64
	State               string
	RequestPreview      string
	ResponsePreview     string
	Metadata            map[string]string
	Tags                map[string]string
	Assessments         []Assessment
}

// Trace is a trace's info together with its spans.
type Trace struct {
	Info  TraceInfo
	Spans []Span
}

// Assessment kinds.
const (
	KindFeedback    = "feedback"
	KindExpectation = "expectation"
)

// Assessment source types.
var SourceTypes = []string{"SOURCE_TYPE_UNSPECIFIED", "HUMAN", "LLM_JUDGE", "CODE"}

// AssessmentError is the error a feedback carries instead of a value.
type AssessmentError struct {
	ErrorCode    string `json:"error_code,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
	StackTrace   string `json:"stack_trace,omitempty"`
}

// Assessment is a feedback or an expectation on a trace (optionally on one span). A correction
// never destroys one: it is overridden (Valid=false) or its previous value goes to its history.
type Assessment struct {
	AssessmentID     string
	TraceID          string
	SpanID           string
	Name             string
	Kind             string
	SourceType       string
	SourceID         string
	Value            json.RawMessage
	Error            *AssessmentError
	Rationale        string
	Metadata         map[string]string
	Overrides        string
	Valid            bool
	CreateTimeMs     int64
	LastUpdateTimeMs int64
}

// Dataset is an evaluation dataset (without its records).
type Dataset struct {
	DatasetID      string
	Name           string
	Digest         string
	ExperimentIDs  []string
	Tags           map[string]string
	Schema         string
	Profile        string
	CreatedTime    int64
	LastUpdateTime int64
	CreatedBy      string
	LastUpdatedBy  string
}

// DatasetRecord is one row of an evaluation dataset; Inputs are its identity.
type DatasetRecord struct {
	DatasetRecordID string
	DatasetID       string
	Inputs          json.RawMessage
	Outputs         json.RawMessage
	Expectations    map[string]json.RawMessage
	Tags            map[string]string
	Source          json.RawMessage
	SourceType      string
	SourceID        string
	CreatedTime     int64
	LastUpdateTime  int64
	CreatedBy       string
	LastUpdatedBy   string
}
