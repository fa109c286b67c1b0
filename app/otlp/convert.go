package otlp

import (
	"encoding/hex"
	"fmt"
	"math"

	"github.com/assay-labs/assay/app/model"
	coltrace "go.opentelemetry.io/proto/slim/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/slim/otlp/trace/v1"
)

// convertRequest converts and validates every span of req; the first invalid one fails all.
func convertRequest(req *coltrace.ExportTraceServiceRequest) ([]model.Span, error) {
	var spans []model.Span
	for i, rs := range req.GetResourceSpans() {
		for j, ss := range rs.GetScopeSpans() {
			for k, ps := range ss.GetSpans() {
				path := fmt.Sprintf("resourceSpans[%d].scopeSpans[%d].spans[%d]", i, j, k)
				s, err := convertSpan(ps, path)
				if err != nil {
					return nil, err
				}
				spans = append(spans, s)
			}
		}
	}
	if spans == nil {
		spans = []model.Span{}
	}
	return spans, nil
}

// convertSpan checks the OTLP rules for one span and converts it.
func convertSpan(ps *tracepb.Span, path string) (model.Span, error) {
	if err := checkID(ps.GetTraceId(), 16, path+".traceId", "trace id"); err != nil {
		return model.Span{}, err
	}
	if err := checkID(ps.GetSpanId(), 8, path+".spanId", "span id"); err != nil {
		return model.Span{}, err
	}
	if p := ps.GetParentSpanId(); len(p) != 0 {
		if err := checkID(p, 8, path+".parentSpanId", "parent span id"); err != nil {
			return model.Span{}, err
		}
	}
	start, end := ps.GetStartTimeUnixNano(), ps.GetEndTimeUnixNano()
	if start > math.MaxInt64 {
		return model.Span{}, decodeErr(KindInvalidSpan, path+".startTimeUnixNano", "time %d is out of range", start)
	}
	if end > math.MaxInt64 {
		return model.Span{}, decodeErr(KindInvalidSpan, path+".endTimeUnixNano", "time %d is out of range", end)
	}
	if end != 0 && end < start {
		return model.Span{}, decodeErr(KindInvalidSpan, path+".endTimeUnixNano", "end time %d is before start time %d", end, start)
	}
	s := model.Span{
		TraceID:       hex.EncodeToString(ps.GetTraceId()),
		SpanID:        hex.EncodeToString(ps.GetSpanId()),
		ParentSpanID:  hex.EncodeToString(ps.GetParentSpanId()),
		Name:          ps.GetName(),
		Kind:          kindName(ps.GetKind()),
		StartTimeNs:   int64(start),
		EndTimeNs:     int64(end),
		StatusCode:    statusName(ps.GetStatus().GetCode()),
		StatusMessage: ps.GetStatus().GetMessage(),
		Attributes:    attributes(ps.GetAttributes()),
	}
	for l, ev := range ps.GetEvents() {
		if ev.GetTimeUnixNano() > math.MaxInt64 {
			return model.Span{}, decodeErr(KindInvalidSpan, fmt.Sprintf("%s.events[%d].timeUnixNano", path, l), "time %d is out of range", ev.GetTimeUnixNano())
		}
		s.Events = append(s.Events, model.SpanEvent{
			Name:       ev.GetName(),
			TimeNs:     int64(ev.GetTimeUnixNano()),
			Attributes: attributes(ev.GetAttributes()),
		})
	}
	return s, nil
}

// checkID enforces OTLP's id rules: exactly size bytes, not all zero.
func checkID(id []byte, size int, path, what string) error {
	if len(id) != size {
		return decodeErr(KindInvalidSpan, path, "invalid %s length %d (want %d bytes)", what, len(id), size)
	}
	for _, b := range id {
		if b != 0 {
			return nil
		}
	}
	return decodeErr(KindInvalidSpan, path, "%s is all zeros", what)
}

// kindName names an OTLP span kind. Unspecified and unknown kinds become SPAN_KIND_INTERNAL,
// the SDK default, as in MLflow's Span.from_otel_proto.
func kindName(k tracepb.Span_SpanKind) string {
	switch k {
	case tracepb.Span_SPAN_KIND_SERVER, tracepb.Span_SPAN_KIND_CLIENT,
		tracepb.Span_SPAN_KIND_PRODUCER, tracepb.Span_SPAN_KIND_CONSUMER:
		return k.String()
	}
	return tracepb.Span_SPAN_KIND_INTERNAL.String()
}

// statusName maps an OTLP status code to model's names; unknown codes count as unset.
func statusName(c tracepb.Status_StatusCode) string {
	switch c {
	case tracepb.Status_STATUS_CODE_OK:
		return model.StatusOK
	case tracepb.Status_STATUS_CODE_ERROR:
		return model.StatusError
	}
	return model.StatusUnset
}
