package mlflowapi

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/assay-labs/assay/app/model"
)

// protoTime formats milliseconds as a protobuf JSON Timestamp (RFC 3339, UTC, millisecond precision).
func protoTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

// protoDuration formats milliseconds as a protobuf JSON Duration ("1.840s").
func protoDuration(ms int64) string {
	return fmt.Sprintf("%d.%03ds", ms/1000, ms%1000)
}

// parseProtoTime reads a protobuf JSON Timestamp; it also accepts epoch milliseconds as a number
// or string, which some clients send.
func parseProtoTime(field, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, model.Invalid(field, "must be an RFC 3339 timestamp, got %q", s)
	}
	return t.UnixMilli(), nil
}

// parseProtoDuration reads a protobuf JSON Duration ("1.5s") into milliseconds.
func parseProtoDuration(field, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || !strings.HasSuffix(s, "s") {
		return 0, model.Invalid(field, "must be a duration such as \"1.5s\", got %q", s)
	}
	return d.Milliseconds(), nil
}

// traceLocation is MLflow's TraceLocation for an experiment.
type traceLocation struct {
	Type             string `json:"type"`
	MlflowExperiment *struct {
		ExperimentID string `json:"experiment_id"`
	} `json:"mlflow_experiment,omitempty"`
}

// traceInfoWire is TraceInfoV3 as JSON.
type traceInfoWire struct {
	TraceID           string            `json:"trace_id"`
	ClientRequestID   string            `json:"client_request_id,omitempty"`
	TraceLocation     traceLocation     `json:"trace_location"`
	RequestPreview    string            `json:"request_preview"`
	ResponsePreview   string            `json:"response_preview"`
	RequestTime       string            `json:"request_time"`
	ExecutionDuration string            `json:"execution_duration"`
	State             string            `json:"state"`
	TraceMetadata     map[string]string `json:"trace_metadata"`
	Tags              map[string]string `json:"tags"`
	Assessments       []assessmentWire  `json:"assessments"`
}

func traceInfoToWire(ti model.TraceInfo) traceInfoWire {
	w := traceInfoWire{
		TraceID:           ti.TraceID,
		ClientRequestID:   ti.ClientRequestID,
		RequestPreview:    ti.RequestPreview,
		ResponsePreview:   ti.ResponsePreview,
		RequestTime:       protoTime(ti.RequestTimeMs),
		ExecutionDuration: protoDuration(ti.ExecutionDurationMs),
		State:             ti.State,
		TraceMetadata:     ti.Metadata,
		Tags:              ti.Tags,
		Assessments:       make([]assessmentWire, 0, len(ti.Assessments)),
	}
	if w.Tags == nil {
		w.Tags = map[string]string{}
	}
	// Spans always live in Assay's store; the MLflow client reads this tag to fetch them from
	// here instead of looking for an artifact upload.
	w.Tags[model.TagSpansLocation] = model.SpansInStore
	w.TraceLocation.Type = "MLFLOW_EXPERIMENT"
	w.TraceLocation.MlflowExperiment = &struct {
		ExperimentID string `json:"experiment_id"`
	}{ti.ExperimentID}
	for _, a := range ti.Assessments {
		w.Assessments = append(w.Assessments, assessmentToWire(a))
	}
	return w
}

func tracesToWire(infos []model.TraceInfo) []traceInfoWire {
	out := make([]traceInfoWire, 0, len(infos))
	for _, ti := range infos {
		out = append(out, traceInfoToWire(ti))
	}
	return out
}

func (w traceInfoWire) toModel() (model.TraceInfo, error) {
	ti := model.TraceInfo{
		TraceID:         w.TraceID,
		ClientRequestID: w.ClientRequestID,
		RequestPreview:  w.RequestPreview,
		ResponsePreview: w.ResponsePreview,
		State:           w.State,
		Metadata:        w.TraceMetadata,
		Tags:            w.Tags,
	}
	for i, aw := range w.Assessments {
		a, err := aw.toModel()
		if err != nil {
			return ti, model.Invalid(fmt.Sprintf("trace.trace_info.assessments[%d]", i), "%s", err.Error())
		}
		ti.Assessments = append(ti.Assessments, a)
	}
	if w.TraceLocation.MlflowExperiment != nil {
		ti.ExperimentID = w.TraceLocation.MlflowExperiment.ExperimentID
	}
	if ti.ExperimentID == "" {
		ti.ExperimentID = "0"
	}
	switch ti.State {
	case "", "STATE_UNSPECIFIED":
		ti.State = model.TraceOK
	case model.TraceOK, model.TraceError, model.TraceInProgress:
	default:
		return ti, model.Invalid("trace.trace_info.state", "state must be OK, ERROR or IN_PROGRESS, got %q", w.State)
	}
	var err error
	if ti.RequestTimeMs, err = parseProtoTime("trace.trace_info.request_time", w.RequestTime); err != nil {
		return ti, err
	}
	if ti.ExecutionDurationMs, err = parseProtoDuration("trace.trace_info.execution_duration", w.ExecutionDuration); err != nil {
		return ti, err
	}
	return ti, nil
}
