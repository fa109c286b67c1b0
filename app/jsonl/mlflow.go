package jsonl

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/otlp"
)

// sourceServerTags describe where the exporting server kept the trace, which is not true here:
// Assay keeps every span in its own store.
var sourceServerTags = []string{"mlflow.artifactLocation", model.TagSpansLocation}

// parseMLflowTrace reads a line written by MLflow's Trace.to_json(). All spans are moved to the
// info's trace id, which is what MLflow files them under (in v2 files the spans carry their own
// OpenTelemetry trace id, different from the request id).
func parseMLflowTrace(line []byte, top map[string]json.RawMessage) (lineResult, error) {
	var data map[string]json.RawMessage
	if err := json.Unmarshal(top["data"], &data); err != nil || data == nil {
		return lineResult{}, errors.New("data: want an object {\"spans\": […]}")
	}
	if raw, ok := data["spans"]; ok && string(raw) != "null" && !strings.HasPrefix(string(raw), "[") {
		return lineResult{}, errors.New("data.spans: want a list of spans")
	}
	infoMap, spans, err := otlp.ParseTraceJSON(line)
	if err != nil {
		return lineResult{}, errors.New(strings.TrimPrefix(err.Error(), "parse trace json: "))
	}
	info, err := readTraceInfo(infoMap)
	if err != nil {
		return lineResult{}, err
	}
	if info.TraceID == "" {
		if len(spans) == 0 {
			return lineResult{}, errors.New("info.trace_id is missing and data.spans is empty")
		}
		for _, s := range spans[1:] {
			if s.TraceID != spans[0].TraceID {
				return lineResult{}, errors.New("info.trace_id is missing and the spans belong to different traces")
			}
		}
		info.TraceID = model.TraceIDPrefix + spans[0].TraceID
	}
	if !info.hasTime && len(spans) == 0 {
		return lineResult{}, errors.New("info.request_time is missing and data.spans is empty")
	}
	hexID := strings.TrimPrefix(info.TraceID, model.TraceIDPrefix)
	for i := range spans {
		spans[i].TraceID = hexID
	}
	return lineResult{spans: spans, info: &info}, nil
}

// readTraceInfo reads TraceInfo v3 (MLflow 3) or v2 (MLflow 2, recognised by "request_id").
func readTraceInfo(m map[string]any) (traceInfo, error) {
	v2 := m["request_id"] != nil
	key := func(v3Key, v2Key string) string {
		if v2 {
			return v2Key
		}
		return v3Key
	}
	ti := traceInfo{fromTrace: true}
	idKey := key("trace_id", "request_id")
	id, err := optString("info."+idKey, m[idKey])
	if err != nil {
		return ti, err
	}
	if id != "" {
		if ti.TraceID, err = mlflowTraceID("info."+idKey, id); err != nil {
			return ti, err
		}
	}
	timeKey := key("request_time", "timestamp_ms")
	if v := m[timeKey]; v != nil {
		if ti.RequestTimeMs, err = timestampMillis("info."+timeKey, v); err != nil {
			return ti, err
		}
		ti.hasTime = true
	}
	for _, k := range []string{key("execution_duration_ms", "execution_time_ms"), "execution_duration"} {
		if v := m[k]; v != nil && !ti.hasDuration {
			if ti.ExecutionDurationMs, err = durationMillis("info."+k, v); err != nil {
				return ti, err
			}
			ti.hasDuration = true
		}
	}
	stateKey := key("state", "status")
	if ti.State, err = traceState("info."+stateKey, m[stateKey]); err != nil {
		return ti, err
	}
	if ti.ClientRequestID, err = optString("info.client_request_id", m["client_request_id"]); err != nil {
		return ti, err
	}
	if ti.RequestPreview, err = optString("info.request_preview", m["request_preview"]); err != nil {
		return ti, err
	}
	if ti.ResponsePreview, err = optString("info.response_preview", m["response_preview"]); err != nil {
		return ti, err
	}
	metaKey := key("trace_metadata", "request_metadata")
	if ti.Metadata, err = stringMap("info."+metaKey, m[metaKey]); err != nil {
		return ti, err
	}
	if ti.Tags, err = stringMap("info.tags", m["tags"]); err != nil {
		return ti, err
	}
	for _, k := range sourceServerTags {
		delete(ti.Tags, k)
	}
	return ti, nil
}

// mlflowTraceID accepts the trace id forms MLflow writes: "tr-<32 hex>" (v3), a bare 32-hex
// request id (v2) and "trace:/<location>/<32 hex>" (v4), and returns "tr-<32 lower-case hex>".
func mlflowTraceID(field, id string) (string, error) {
	h := id
	if rest, ok := strings.CutPrefix(h, "trace:/"); ok {
		h = rest[strings.LastIndex(rest, "/")+1:]
	}
	h = strings.ToLower(strings.TrimPrefix(h, model.TraceIDPrefix))
	if b, err := hex.DecodeString(h); err != nil || len(b) != 16 || strings.Trim(h, "0") == "" {
		return "", fmt.Errorf("%s: want \"tr-\" and 32 hex digits, got %q", field, truncate(id, 80))
	}
	return model.TraceIDPrefix + h, nil
}

// traceState maps TraceInfo v3 states and v2 statuses to Assay's; "" means "derive it from
// the spans", which is also what an unspecified state gets.
func traceState(field string, v any) (string, error) {
	s, err := optString(field, v)
	if err != nil {
		return "", err
	}
	switch strings.ToUpper(s) {
	case "", "STATE_UNSPECIFIED", "TRACE_STATUS_UNSPECIFIED":
		return "", nil
	case model.TraceOK, model.TraceError, model.TraceInProgress:
		return strings.ToUpper(s), nil
	}
	return "", fmt.Errorf("%s: want OK, ERROR or IN_PROGRESS, got %q", field, truncate(s, 40))
}
