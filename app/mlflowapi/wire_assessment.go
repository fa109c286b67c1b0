package mlflowapi

import (
	"encoding/json"

	"github.com/assay-labs/assay/app/model"
)

type sourceWire struct {
	SourceType string `json:"source_type"`
	SourceID   string `json:"source_id"`
}

type feedbackWire struct {
	Value json.RawMessage        `json:"value,omitempty"`
	Error *model.AssessmentError `json:"error,omitempty"`
}

type serializedValue struct {
	SerializationFormat string `json:"serialization_format"`
	Value               string `json:"value"`
}

type expectationWire struct {
	Value           json.RawMessage  `json:"value,omitempty"`
	SerializedValue *serializedValue `json:"serialized_value,omitempty"`
}

// assessmentWire is MLflow's Assessment as JSON.
type assessmentWire struct {
	AssessmentID   string            `json:"assessment_id,omitempty"`
	AssessmentName string            `json:"assessment_name"`
	TraceID        string            `json:"trace_id"`
	SpanID         string            `json:"span_id,omitempty"`
	Source         *sourceWire       `json:"source,omitempty"`
	CreateTime     string            `json:"create_time,omitempty"`
	LastUpdateTime string            `json:"last_update_time,omitempty"`
	Feedback       *feedbackWire     `json:"feedback,omitempty"`
	Expectation    *expectationWire  `json:"expectation,omitempty"`
	Rationale      string            `json:"rationale,omitempty"`
	Metadata       map[string]string `json:"metadata,omitempty"`
	Overrides      string            `json:"overrides,omitempty"`
	Valid          *bool             `json:"valid,omitempty"`
}

// plainExpectation reports whether an expectation value may travel as a plain value: a number,
// bool, string or a list of strings. Anything else goes as serialized_value (MLflow's rule).
func plainExpectation(v json.RawMessage) bool {
	var x any
	if json.Unmarshal(v, &x) != nil {
		return false
	}
	switch t := x.(type) {
	case float64, bool, string:
		return true
	case []any:
		for _, e := range t {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

func assessmentToWire(a model.Assessment) assessmentWire {
	valid := a.Valid
	w := assessmentWire{
		AssessmentID:   a.AssessmentID,
		AssessmentName: a.Name,
		TraceID:        a.TraceID,
		SpanID:         a.SpanID,
		Source:         &sourceWire{SourceType: a.SourceType, SourceID: a.SourceID},
		CreateTime:     protoTime(a.CreateTimeMs),
		LastUpdateTime: protoTime(a.LastUpdateTimeMs),
		Rationale:      a.Rationale,
		Metadata:       a.Metadata,
		Overrides:      a.Overrides,
		Valid:          &valid,
	}
	if a.Kind == model.KindFeedback {
		w.Feedback = &feedbackWire{Value: a.Value, Error: a.Error}
	} else if plainExpectation(a.Value) {
		w.Expectation = &expectationWire{Value: a.Value}
	} else {
		w.Expectation = &expectationWire{SerializedValue: &serializedValue{SerializationFormat: "JSON_FORMAT", Value: string(a.Value)}}
	}
	return w
}

// toModel converts a request's assessment; field paths in errors are relative to "assessment".
func (w assessmentWire) toModel() (model.Assessment, error) {
	a := model.Assessment{
		AssessmentID: w.AssessmentID,
		Name:         w.AssessmentName,
		TraceID:      w.TraceID,
		SpanID:       w.SpanID,
		Rationale:    w.Rationale,
		Metadata:     w.Metadata,
		Overrides:    w.Overrides,
		Valid:        w.Valid == nil || *w.Valid,
	}
	if w.Source != nil {
		a.SourceType, a.SourceID = w.Source.SourceType, w.Source.SourceID
	}
	if w.Feedback != nil && w.Expectation != nil {
		return a, model.Invalid("assessment", "an assessment is either a feedback or an expectation, not both")
	}
	var err error
	if a.CreateTimeMs, err = parseProtoTime("assessment.create_time", w.CreateTime); err != nil {
		return a, err
	}
	switch {
	case w.Feedback != nil:
		a.Kind, a.Value, a.Error = model.KindFeedback, nullToNil(w.Feedback.Value), w.Feedback.Error
	case w.Expectation != nil:
		a.Kind, a.Value = model.KindExpectation, nullToNil(w.Expectation.Value)
		if sv := w.Expectation.SerializedValue; sv != nil {
			if !json.Valid([]byte(sv.Value)) {
				return a, model.Invalid("assessment.expectation.serialized_value.value", "must hold JSON")
			}
			a.Value = json.RawMessage(sv.Value)
		}
	}
	return a, nil
}

func nullToNil(v json.RawMessage) json.RawMessage {
	if string(v) == "null" {
		return nil
	}
	return v
}
