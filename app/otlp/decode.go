package otlp

import (
	"math"
	"mime"
	"strings"

	"github.com/assay-labs/assay/app/model"
	coltrace "go.opentelemetry.io/proto/slim/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Media types of the two OTLP/HTTP encodings.
const (
	ContentTypeProtobuf = "application/x-protobuf"
	ContentTypeJSON     = "application/json"
)

// Decode reads the body of an OTLP/HTTP POST /v1/traces: an ExportTraceServiceRequest in
// protobuf (application/x-protobuf or application/protobuf) or OTLP/JSON (application/json,
// ids in hex as the OTLP spec says), compressed with gzip or deflate or not at all.
// maxBytes caps both the raw and the decompressed body; <= 0 means DefaultMaxBytes.
//
// The request is all or nothing: one invalid span rejects it, so the caller stores nothing.
// Every error is a *DecodeError. The spans come back in request order, not yet normalized.
func Decode(body []byte, contentType, contentEncoding string, maxBytes int64) ([]model.Span, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	maxBytes = min(maxBytes, math.MaxInt64-1)
	isJSON, err := mediaType(contentType)
	if err != nil {
		return nil, err
	}
	raw, err := decompress(body, contentEncoding, maxBytes)
	if err != nil {
		return nil, err
	}
	req := &coltrace.ExportTraceServiceRequest{}
	if isJSON {
		err = unmarshalJSON(raw, req)
	} else if perr := proto.Unmarshal(raw, req); perr != nil {
		err = &DecodeError{Kind: KindMalformed, Msg: "invalid protobuf ExportTraceServiceRequest", Err: perr}
	}
	if err != nil {
		return nil, err
	}
	if len(req.GetResourceSpans()) == 0 {
		return nil, decodeErr(KindEmpty, "", "no spans found in request")
	}
	return convertRequest(req)
}

// mediaType reports whether contentType names OTLP/JSON (true) or protobuf (false). Parameters
// such as "; charset=utf-8" are ignored.
func mediaType(contentType string) (isJSON bool, err error) {
	mt, _, perr := mime.ParseMediaType(contentType)
	if perr != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	switch mt {
	case ContentTypeProtobuf, "application/protobuf":
		return false, nil
	case ContentTypeJSON:
		return true, nil
	}
	return false, decodeErr(KindContentType, "", "unsupported Content-Type %q (want %s or %s)", contentType, ContentTypeProtobuf, ContentTypeJSON)
}
