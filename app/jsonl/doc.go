// Package jsonl moves traces into Assay and evaluation datasets out of it as JSON Lines, for
// the `assay import traces` / `assay export dataset` commands and their HTTP twins.
//
// # Import
//
// ImportTraces reads one JSON object per line into one experiment (the caller's, never the
// file's). Each line is recognised on its own:
//
//   - an MLflow trace as written by Trace.to_json(): {"info": {…}, "data": {"spans": […]}}
//     (TraceInfo v3, or v2 with "request_id"). The trace keeps its id, tags and metadata, its
//     request time, duration, state and previews; tags that describe the source server
//     (mlflow.artifactLocation, mlflow.trace.spansLocation) are not copied. Assessments in
//     the info are not imported.
//   - an OTLP/JSON ExportTraceServiceRequest: {"resourceSpans": […]}.
//   - a plain record {"inputs": …, "outputs": …, "tags": {…}, "name": "…",
//     "expectations": {…}}: one root span of type CHAIN named "name" (default "import")
//     with fresh random ids, the inputs and outputs as its mlflow.spanInputs and
//     mlflow.spanOutputs, the tags as trace tags and each expectation as an expectation
//     assessment. Other keys (a dataset export's record ids, source, times) are ignored, so
//     an exported dataset can be imported back as traces.
//
// Every span goes through otlp.Normalize. Blank lines are skipped and CRLF line ends are
// accepted. A line may be as long as the byte limit given (the server's body limit).
//
// The policy on bad lines is all or nothing. Every line is parsed and validated before
// anything is written; a bad line is reported as "line N: what is wrong" (the first
// MaxReportedLines of them, with the total), and when any line is bad nothing is stored.
// When every line is good, the spans are written in one transaction; see save.go for the
// writes that follow it.
//
// # Export
//
// ExportDataset streams a dataset's records, one mlflowapi.RecordJSON per line, without
// holding the dataset in memory; ResolveDataset finds a dataset by id or by name.
package jsonl
