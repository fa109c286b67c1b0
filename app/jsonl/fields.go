package jsonl

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// stringMap reads a JSON object of strings (tags, metadata). Absent or null is an empty map;
// MLflow's list form [{"key": …, "value": …}] is accepted too.
func stringMap(field string, v any) (map[string]string, error) {
	out := map[string]string{}
	switch m := v.(type) {
	case nil:
	case map[string]any:
		for k, val := range m {
			s, ok := val.(string)
			if !ok {
				return nil, fmt.Errorf("%s.%s: want a string, got %s", field, truncate(k, 40), typeName(val))
			}
			out[k] = s
		}
	case []any:
		for i, e := range m {
			kv, _ := e.(map[string]any)
			k, okK := kv["key"].(string)
			val, okV := kv["value"].(string)
			if !okK || !okV {
				return nil, fmt.Errorf("%s[%d]: want {\"key\": string, \"value\": string}", field, i)
			}
			out[k] = val
		}
	default:
		return nil, fmt.Errorf("%s: want an object of strings, got %s", field, typeName(v))
	}
	return out, checkKeys(field, out)
}

// optString reads a string field that may be absent or null.
func optString(field string, v any) (string, error) {
	switch s := v.(type) {
	case nil:
		return "", nil
	case string:
		return s, nil
	}
	return "", fmt.Errorf("%s: want a string, got %s", field, typeName(v))
}

// millis reads a non-negative integer count of milliseconds: a JSON number or a decimal string
// (protobuf's JSON form of int64).
func millis(field string, v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		if x >= 0 {
			return x, nil
		}
	case float64:
		if x >= 0 && x < math.MaxInt64 && x == math.Trunc(x) {
			return int64(x), nil
		}
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%s: want milliseconds (a non-negative integer), got %s", field, typeName(v))
}

// timestampMillis reads TraceInfo v3's request_time: an RFC 3339 timestamp, as protobuf's JSON
// mapping writes it, or milliseconds since the epoch.
func timestampMillis(field string, v any) (int64, error) {
	s, ok := v.(string)
	if !ok {
		return millis(field, v)
	}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return millis(field, s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.UnixMilli() < 0 {
		return 0, fmt.Errorf("%s: want an RFC 3339 timestamp such as 2025-01-31T12:00:00.000Z, got %q", field, truncate(s, 40))
	}
	return t.UnixMilli(), nil
}

// durationMillis reads a protobuf Duration in its JSON form ("1.500s") or milliseconds.
func durationMillis(field string, v any) (int64, error) {
	s, ok := v.(string)
	if !ok || !strings.HasSuffix(s, "s") {
		return millis(field, v)
	}
	secs, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64)
	if err != nil || secs < 0 || math.IsInf(secs, 0) || secs*1000 >= math.MaxInt64 {
		return 0, fmt.Errorf("%s: want a duration such as \"1.500s\", got %q", field, truncate(s, 40))
	}
	return int64(math.Round(secs * 1000)), nil
}

// typeName names a decoded JSON value's type for an error message.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64, float64, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
