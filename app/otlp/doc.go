// Package otlp turns OpenTelemetry trace exports into Assay spans and renders spans the way
// MLflow does.
//
// Decode reads an OTLP/HTTP ExportTraceServiceRequest (protobuf or JSON, optionally gzip or
// deflate compressed) and validates every span; Normalize derives MLflow's reserved attributes
// (mlflow.spanType, mlflow.spanInputs, mlflow.spanOutputs) from the OpenInference and
// OpenTelemetry GenAI conventions; Preview computes a trace's request/response preview; and
// ToOTelJSON, ToMLflowDict and FromMLflowDict convert between model.Span and MLflow's wire and
// file formats.
//
// Attribute values in model.Span keep their OTLP type. MLflow's own SDK sends every attribute
// as a JSON-encoded string, and the attributes Normalize writes follow that rule, so
// mlflow.spanType holds `"LLM"` (with the quotes) and mlflow.spanInputs holds a JSON document.
// AttrValue decodes an attribute the way MLflow's Span.get_attribute does.
package otlp
