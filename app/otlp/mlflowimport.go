package otlp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/assay-labs/assay/app/model"
)

// FromMLflowDict reads one span written by MLflow's Span.to_dict(): schema v3 with base64 ids
// (or, as MLflow 3.5.0 wrote them, "tr-<hex>" / "trace:/<location>/<hex>" trace ids and hex
// span ids), or the older v2 schema with a "context" object. Attribute values stay MLflow's
// JSON-encoded strings, except that encoded numbers, booleans and null become plain values
// (see spanAttributes), so ToMLflowDict gives the same dict back. Decode the document with
// json.Decoder.UseNumber (as ParseTraceJSON does): nanosecond times do not fit a float64.
func FromMLflowDict(d map[string]any) (model.Span, error) {
	if ctx, ok := d["context"].(map[string]any); ok {
		return fromDictV2(d, ctx)
	}
	var s model.Span
	var err error
	traceRaw, _ := d["trace_id"].(string)
	spanRaw, _ := d["span_id"].(string)
	parentRaw, _ := d["parent_span_id"].(string)
	if tb, berr := base64.StdEncoding.DecodeString(traceRaw); berr == nil && len(tb) == 16 {
		if s.TraceID, err = checkHexID(hex.EncodeToString(tb), "trace_id"); err != nil {
			return model.Span{}, err
		}
		if s.SpanID, err = b64ID(spanRaw, 8, "span_id"); err != nil {
			return model.Span{}, err
		}
		if parentRaw != "" {
			if s.ParentSpanID, err = b64ID(parentRaw, 8, "parent_span_id"); err != nil {
				return model.Span{}, err
			}
		}
	} else {
		if i := strings.LastIndex(traceRaw, "/"); strings.HasPrefix(traceRaw, "trace:/") && i >= 0 {
			traceRaw = traceRaw[i+1:]
		}
		if s.TraceID, err = hexID(strings.TrimPrefix(traceRaw, "tr-"), 16, "trace_id"); err != nil {
			return model.Span{}, err
		}
		if s.SpanID, err = hexID(spanRaw, 8, "span_id"); err != nil {
			return model.Span{}, err
		}
		if parentRaw != "" {
			if s.ParentSpanID, err = hexID(parentRaw, 8, "parent_span_id"); err != nil {
				return model.Span{}, err
			}
		}
	}
	s.Name, _ = d["name"].(string)
	if s.Kind, err = kindFromName(d["kind"]); err != nil {
		return model.Span{}, err
	}
	if s.StartTimeNs, err = nanos(d["start_time_unix_nano"], "start_time_unix_nano", true); err != nil {
		return model.Span{}, err
	}
	if s.EndTimeNs, err = nanos(d["end_time_unix_nano"], "end_time_unix_nano", false); err != nil {
		return model.Span{}, err
	}
	st, _ := d["status"].(map[string]any)
	if s.StatusCode, err = statusFromName(st["code"]); err != nil {
		return model.Span{}, err
	}
	s.StatusMessage, _ = st["message"].(string)
	s.Attributes = spanAttributes(d["attributes"])
	for i, e := range list(d["events"]) {
		t, err := nanos(e["time_unix_nano"], fmt.Sprintf("events[%d].time_unix_nano", i), false)
		if err != nil {
			return model.Span{}, err
		}
		name, _ := e["name"].(string)
		s.Events = append(s.Events, model.SpanEvent{Name: name, TimeNs: t, Attributes: plainMap(e["attributes"])})
	}
	return s, nil
}

// fromDictV2 reads MLflow's v2 span dict: {"context": {"trace_id", "span_id"}, "parent_id",
// "start_time", "end_time", "status_code", "status_message", "events": [{"name",
// "timestamp", "attributes"}], "attributes"} with hex ids ("0x…").
func fromDictV2(d, ctx map[string]any) (model.Span, error) {
	var s model.Span
	var err error
	if s.TraceID, err = hexID(str(ctx["trace_id"]), 16, "context.trace_id"); err != nil {
		return model.Span{}, err
	}
	if s.SpanID, err = hexID(str(ctx["span_id"]), 8, "context.span_id"); err != nil {
		return model.Span{}, err
	}
	if p := str(d["parent_id"]); p != "" {
		if s.ParentSpanID, err = hexID(p, 8, "parent_id"); err != nil {
			return model.Span{}, err
		}
	}
	s.Name = str(d["name"])
	s.Kind = "SPAN_KIND_INTERNAL"
	if s.StartTimeNs, err = nanos(d["start_time"], "start_time", true); err != nil {
		return model.Span{}, err
	}
	if s.EndTimeNs, err = nanos(d["end_time"], "end_time", false); err != nil {
		return model.Span{}, err
	}
	if s.StatusCode, err = statusFromName(d["status_code"]); err != nil {
		return model.Span{}, err
	}
	s.StatusMessage = str(d["status_message"])
	s.Attributes = spanAttributes(d["attributes"])
	for i, e := range list(d["events"]) {
		t, err := nanos(e["timestamp"], fmt.Sprintf("events[%d].timestamp", i), false)
		if err != nil {
			return model.Span{}, err
		}
		s.Events = append(s.Events, model.SpanEvent{Name: str(e["name"]), TimeNs: t, Attributes: plainMap(e["attributes"])})
	}
	return s, nil
}

// ParseTraceJSON reads a document written by MLflow's Trace.to_json(), {"info": {…},
// "data": {"spans": […]}}, returning the info object (numbers as int64/float64) and the spans.
func ParseTraceJSON(b []byte) (info map[string]any, spans []model.Span, err error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("parse trace json: %w", err)
	}
	info, okInfo := doc["info"].(map[string]any)
	data, okData := doc["data"].(map[string]any)
	if !okInfo || !okData {
		return nil, nil, fmt.Errorf("parse trace json: want objects \"info\" and \"data\"")
	}
	raw, _ := data["spans"].([]any)
	spans = make([]model.Span, 0, len(raw))
	for i, e := range raw {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("parse trace json: data.spans[%d] is not an object", i)
		}
		s, err := FromMLflowDict(m)
		if err != nil {
			return nil, nil, fmt.Errorf("parse trace json: data.spans[%d]: %w", i, err)
		}
		spans = append(spans, s)
	}
	return plainNumbers(info).(map[string]any), spans, nil
}

// b64ID decodes a base64 id of exactly size bytes to hex.
func b64ID(s string, size int, field string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != size {
		return "", fmt.Errorf("span dict: %s %q is not a base64 %d-byte id", field, truncate(s, 64), size)
	}
	return checkHexID(hex.EncodeToString(b), field)
}

// hexID reads a hex id (optionally "0x"-prefixed, possibly without leading zeros, as
// MLflow parses them with int(x, 16)) and returns it as 2*size lower-case hex digits.
func hexID(s string, size int, field string) (string, error) {
	h := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"))
	if h == "" || len(h) > 2*size {
		return "", fmt.Errorf("span dict: %s %q is not a %d-byte hex id", field, truncate(s, 64), size)
	}
	h = strings.Repeat("0", 2*size-len(h)) + h
	if _, err := hex.DecodeString(h); err != nil {
		return "", fmt.Errorf("span dict: %s %q is not a %d-byte hex id", field, truncate(s, 64), size)
	}
	return checkHexID(h, field)
}

func checkHexID(h, field string) (string, error) {
	if strings.Trim(h, "0") == "" {
		return "", fmt.Errorf("span dict: %s is all zeros", field)
	}
	return h, nil
}

// nanos reads a nanosecond time: a JSON number (json.Number, float64 or integer) or a
// decimal string. A missing value is 0, or an error when required.
func nanos(v any, field string, required bool) (int64, error) {
	switch x := v.(type) {
	case nil:
		if required {
			return 0, fmt.Errorf("span dict: %s is missing", field)
		}
		return 0, nil
	case json.Number:
		if n, err := strconv.ParseInt(x.String(), 10, 64); err == nil && n >= 0 {
			return n, nil
		}
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil && n >= 0 {
			return n, nil
		}
	case int64:
		if x >= 0 {
			return x, nil
		}
	case int:
		if x >= 0 {
			return int64(x), nil
		}
	case float64:
		if x >= 0 && x < math.MaxInt64 && x == math.Trunc(x) {
			return int64(x), nil
		}
	}
	return 0, fmt.Errorf("span dict: %s %v is not a time in nanoseconds", field, v)
}

// kindFromName accepts SPAN_KIND_* names; a missing kind is SPAN_KIND_INTERNAL as in MLflow.
func kindFromName(v any) (string, error) {
	switch k, _ := v.(string); k {
	case "", "SPAN_KIND_UNSPECIFIED":
		return "SPAN_KIND_INTERNAL", nil
	case "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER":
		return k, nil
	}
	return "", fmt.Errorf("span dict: unknown kind %v", v)
}

// statusFromName accepts proto names (STATUS_CODE_OK) and MLflow's short ones (OK), as
// MLflow's from_dict does; a missing code is unset.
func statusFromName(v any) (string, error) {
	switch c, _ := v.(string); c {
	case "", "UNSET", model.StatusUnset:
		return model.StatusUnset, nil
	case "OK", model.StatusOK:
		return model.StatusOK, nil
	case "ERROR", model.StatusError:
		return model.StatusError, nil
	}
	return "", fmt.Errorf("span dict: unknown status code %v", v)
}

// spanAttributes reads MLflow's JSON-encoded span attributes into model form. A string
// holding a JSON string, object or array stays as it is (model keeps MLflow's encoding), as
// does every string under an "mlflow." key; one holding a number, boolean or null becomes
// that value, because model keeps a plain string such as "42" as text (see encodedAttr) and
// the number would otherwise turn into a string on the next ToMLflowDict.
func spanAttributes(v any) map[string]any {
	m := plainMap(v)
	for k, val := range m {
		s, ok := val.(string)
		if !ok || strings.HasPrefix(k, "mlflow.") {
			continue
		}
		if dec, isJSON := loadJSON(s); isJSON {
			switch dec.(type) {
			case string, map[string]any, []any:
			default:
				m[k] = plainNumbers(dec)
			}
		}
	}
	return m
}

// plainMap returns v as a map with plain numbers, or nil when it is not a non-empty object.
func plainMap(v any) map[string]any {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil
	}
	return plainNumbers(m).(map[string]any)
}
