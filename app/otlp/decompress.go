package otlp

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"strings"
)

// DefaultMaxBytes is the body limit Decode applies when given maxBytes <= 0: 32 MiB, raw or
// after decompression.
const DefaultMaxBytes int64 = 32 << 20

// decompress undoes Content-Encoding. The output is capped at max bytes so a small gzip bomb
// cannot expand into gigabytes of memory.
func decompress(body []byte, encoding string, max int64) ([]byte, error) {
	if int64(len(body)) > max {
		return nil, decodeErr(KindTooLarge, "", "request body is %d bytes, over the %d-byte limit", len(body), max)
	}
	switch enc := strings.ToLower(strings.TrimSpace(encoding)); enc {
	case "", "identity":
		return body, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, &DecodeError{Kind: KindCompression, Msg: "invalid gzip body", Err: err}
		}
		return readCapped(zr, "gzip", max)
	case "deflate":
		// RFC 9110 "deflate" is zlib-wrapped, but some clients send a raw DEFLATE stream;
		// MLflow accepts both, so do we.
		if zr, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			out, err := readCapped(zr, "deflate", max)
			var de *DecodeError
			if err == nil || (errors.As(err, &de) && de.Kind == KindTooLarge) {
				return out, err
			}
		}
		return readCapped(flate.NewReader(bytes.NewReader(body)), "deflate", max)
	default:
		return nil, decodeErr(KindContentEncoding, "", "unsupported Content-Encoding %q (want gzip, deflate or identity)", encoding)
	}
}

// readCapped reads r to the end, failing once more than max bytes come out.
func readCapped(r io.ReadCloser, name string, max int64) ([]byte, error) {
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, &DecodeError{Kind: KindCompression, Msg: "invalid " + name + " body", Err: err}
	}
	if int64(len(out)) > max {
		return nil, decodeErr(KindTooLarge, "", "decompressed body is over the %d-byte limit", max)
	}
	return out, nil
}
