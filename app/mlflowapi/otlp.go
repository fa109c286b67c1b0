package mlflowapi

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	coltrace "go.opentelemetry.io/proto/slim/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/otlp"
)

// ExperimentHeader names the experiment OTLP spans go to, as in MLflow.
const ExperimentHeader = "x-mlflow-experiment-id"

// otlpTraces is OTLP/HTTP intake: protobuf or JSON, gzip or not. The whole request is stored in
// one transaction or not at all.
func (a *API) otlpTraces(c echo.Context) error {
	req := c.Request()
	body, err := io.ReadAll(req.Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return model.Invalid("", "could not read the request body: %v", err)
	}
	spans, err := otlp.Decode(body, req.Header.Get("Content-Type"), req.Header.Get("Content-Encoding"), a.MaxBodyBytes)
	if err != nil {
		return decodeError(err)
	}
	for i := range spans {
		otlp.Normalize(&spans[i])
	}
	exp := strings.TrimSpace(req.Header.Get(ExperimentHeader))
	if exp == "" {
		exp = "0"
	}
	if _, err := a.DB.LogSpans(req.Context(), exp, spans); err != nil {
		return err
	}
	if strings.Contains(req.Header.Get("Content-Type"), "json") {
		return c.JSON(http.StatusOK, map[string]any{})
	}
	out, err := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, otlp.ContentTypeProtobuf, out)
}

// decodeError maps the decoder's error kinds to statuses in one table.
func decodeError(err error) error {
	var de *otlp.DecodeError
	if !errors.As(err, &de) {
		return err
	}
	switch de.Kind {
	case otlp.KindContentType, otlp.KindContentEncoding:
		return &model.Error{Code: model.UnsupportedMediaType, Message: err.Error()}
	case otlp.KindTooLarge:
		return &model.Error{Code: model.RequestTooLarge, Message: err.Error()}
	}
	return &model.Error{Code: model.InvalidParameterValue, Message: err.Error(), Field: de.Path}
}
