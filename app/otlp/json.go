package otlp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	coltrace "go.opentelemetry.io/proto/slim/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// unmarshalJSON decodes an OTLP/JSON request. OTLP/JSON writes trace and span ids as hex, but
// the protobuf JSON mapping (protojson) reads bytes fields as base64, so the ids are rewritten
// to base64 first; everything else (lowerCamelCase or snake_case names, enums as names or
// numbers, 64-bit integers as strings or numbers) is left to protojson. Unknown fields are
// ignored, as the OTLP spec requires of receivers.
func unmarshalJSON(raw []byte, req *coltrace.ExportTraceServiceRequest) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return &DecodeError{Kind: KindMalformed, Msg: "invalid JSON body", Err: err}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return decodeErr(KindMalformed, "", "invalid JSON body: data after the top-level value")
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return decodeErr(KindMalformed, "", "invalid JSON body: want an object")
	}
	if err := rewriteIDs(root); err != nil {
		return err
	}
	b, err := json.Marshal(root)
	if err != nil {
		return &DecodeError{Kind: KindMalformed, Msg: "invalid JSON body", Err: err}
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, req); err != nil {
		return &DecodeError{Kind: KindMalformed, Msg: "invalid OTLP/JSON ExportTraceServiceRequest", Err: err}
	}
	return nil
}

// rewriteIDs converts the hex ids of every span and span link under root to base64, in place.
func rewriteIDs(root map[string]any) error {
	for i, rs := range objects(root, "resourceSpans", "resource_spans") {
		for j, ss := range objects(rs, "scopeSpans", "scope_spans") {
			for k, span := range objects(ss, "spans") {
				path := fmt.Sprintf("resourceSpans[%d].scopeSpans[%d].spans[%d]", i, j, k)
				if err := rewriteSpanIDs(span, path, true); err != nil {
					return err
				}
				for l, link := range objects(span, "links") {
					if err := rewriteSpanIDs(link, fmt.Sprintf("%s.links[%d]", path, l), false); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// rewriteSpanIDs rewrites traceId, spanId and (for spans) parentSpanId under either spelling.
func rewriteSpanIDs(obj map[string]any, path string, withParent bool) error {
	fields := [][2]string{{"traceId", "trace_id"}, {"spanId", "span_id"}}
	if withParent {
		fields = append(fields, [2]string{"parentSpanId", "parent_span_id"})
	}
	for _, names := range fields {
		for _, name := range names {
			s, ok := obj[name].(string)
			if !ok || s == "" {
				continue
			}
			b, err := hex.DecodeString(s)
			if err != nil {
				return decodeErr(KindInvalidSpan, path+"."+names[0], "id %q is not hex", truncate(s, 64))
			}
			obj[name] = base64.StdEncoding.EncodeToString(b)
		}
	}
	return nil
}

// objects returns the JSON objects in the array found under the first present key. Elements
// of another type are returned as nil maps so indexes stay aligned; protojson reports them.
func objects(obj map[string]any, keys ...string) []map[string]any {
	for _, k := range keys {
		arr, ok := obj[k].([]any)
		if !ok {
			continue
		}
		out := make([]map[string]any, len(arr))
		for i, v := range arr {
			out[i], _ = v.(map[string]any)
		}
		return out
	}
	return nil
}

// truncate shortens s to at most n bytes for error messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
