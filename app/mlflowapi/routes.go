// Package mlflowapi serves the subset of MLflow's REST API that Assay speaks, with MLflow's paths,
// JSON shapes and error envelope, so the stock MLflow client works against Assay.
package mlflowapi

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/store"
)

// API holds what the handlers need.
type API struct {
	DB           *store.DB
	Log          *slog.Logger
	MaxBodyBytes int64
}

// Prefixes are the roots MLflow serves its REST API under; every route is served under each one
// (the MLflow client picks 2.0 or 3.0 per RPC, the MLflow UI uses /ajax-api).
var Prefixes = []string{"/api/2.0/mlflow", "/api/3.0/mlflow", "/ajax-api/2.0/mlflow", "/ajax-api/3.0/mlflow"}

type route struct {
	method, path string
	handler      echo.HandlerFunc
}

// routes is the whole MLflow-compatible surface on one screen.
func (a *API) routes() []route {
	return []route{
		{http.MethodPost, "/experiments/create", a.createExperiment},
		{http.MethodGet, "/experiments/get", a.getExperiment},
		{http.MethodGet, "/experiments/get-by-name", a.getExperimentByName},
		{http.MethodPost, "/experiments/search", a.searchExperiments},
		{http.MethodGet, "/experiments/search", a.searchExperiments},
		{http.MethodPost, "/experiments/update", a.updateExperiment},
		{http.MethodPost, "/experiments/delete", a.deleteExperiment},
		{http.MethodPost, "/experiments/restore", a.restoreExperiment},
		{http.MethodPost, "/experiments/set-experiment-tag", a.setExperimentTag},
		{http.MethodPost, "/experiments/delete-experiment-tag", a.deleteExperimentTag},

		{http.MethodPost, "/runs/create", a.createRun},
		{http.MethodGet, "/runs/get", a.getRun},
		{http.MethodPost, "/runs/update", a.updateRun},
		{http.MethodPost, "/runs/delete", a.deleteRun},
		{http.MethodPost, "/runs/restore", a.restoreRun},
		{http.MethodPost, "/runs/search", a.searchRuns},
		{http.MethodPost, "/runs/set-tag", a.setRunTag},
		{http.MethodPost, "/runs/delete-tag", a.deleteRunTag},
		{http.MethodPost, "/runs/log-batch", a.logBatch},
		{http.MethodPost, "/runs/log-metric", a.logMetric},
		{http.MethodPost, "/runs/log-parameter", a.logParam},

		{http.MethodPost, "/traces", a.startTrace},
		{http.MethodPost, "/traces/search", a.searchTraces},
		{http.MethodGet, "/traces/search", a.searchTraces},
		{http.MethodGet, "/traces/get", a.getTrace},
		{http.MethodGet, "/traces/batchGet", a.batchGetTraces},
		{http.MethodPost, "/traces/batchGetInfos", a.batchGetTraceInfos},
		{http.MethodPost, "/traces/delete-traces", a.deleteTraces},
		{http.MethodPost, "/traces/link-to-run", a.linkTracesToRun},
		{http.MethodGet, "/traces/:trace_id", a.getTraceInfo},
		{http.MethodGet, "/traces/:trace_id/info", a.getTraceInfo},
		{http.MethodPatch, "/traces/:trace_id/tags", a.setTraceTag},
		{http.MethodDelete, "/traces/:trace_id/tags", a.deleteTraceTag},
		{http.MethodPost, "/traces/:trace_id/assessments", a.createAssessment},
		{http.MethodGet, "/traces/:trace_id/assessments/:assessment_id", a.getAssessment},
		{http.MethodPatch, "/traces/:trace_id/assessments/:assessment_id", a.updateAssessment},
		{http.MethodDelete, "/traces/:trace_id/assessments/:assessment_id", a.deleteAssessment},

		{http.MethodPost, "/datasets/create", a.createDataset},
		{http.MethodPost, "/datasets/search", a.searchDatasets},
		{http.MethodGet, "/datasets/search", a.searchDatasets},
		{http.MethodGet, "/datasets/:dataset_id", a.getDataset},
		{http.MethodDelete, "/datasets/:dataset_id", a.deleteDataset},
		{http.MethodPatch, "/datasets/:dataset_id/tags", a.setDatasetTags},
		{http.MethodDelete, "/datasets/:dataset_id/tags/:key", a.deleteDatasetTag},
		{http.MethodPost, "/datasets/:dataset_id/records", a.upsertRecords},
		{http.MethodGet, "/datasets/:dataset_id/records", a.getRecords},
		{http.MethodDelete, "/datasets/:dataset_id/records", a.deleteRecords},
		{http.MethodGet, "/datasets/:dataset_id/experiment-ids", a.getDatasetExperimentIDs},

		{http.MethodPost, "/label-schemas/create", a.createLabelSchema},
		{http.MethodPost, "/label-schemas/upsert", a.upsertLabelSchema},
		{http.MethodGet, "/label-schemas/get", a.getLabelSchema},
		{http.MethodGet, "/label-schemas/get-by-name", a.getLabelSchemaByName},
		{http.MethodGet, "/label-schemas/list", a.listLabelSchemas},
		{http.MethodPatch, "/label-schemas/update", a.updateLabelSchema},
		{http.MethodDelete, "/label-schemas/delete", a.deleteLabelSchema},
	}
}

// Register adds every MLflow route under every prefix, plus OTLP intake at /v1/traces.
func (a *API) Register(e *echo.Echo, mw ...echo.MiddlewareFunc) {
	for _, p := range Prefixes {
		g := e.Group(p, mw...)
		for _, r := range a.routes() {
			g.Add(r.method, r.path, r.handler)
		}
	}
	e.POST("/v1/traces", a.otlpTraces, mw...)
}
