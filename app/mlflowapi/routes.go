// Package mlflowapi serves the subset of MLflow's REST API that Assay speaks, with MLflow's paths,
// JSON shapes and error envelope, so the stock MLflow client works against Assay.
package mlflowapi

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/store"
)

// API holds what the handlers need.
type API struct {
	DB           *store.DB
	Access       *access.Checker
	Log          *slog.Logger
	MaxBodyBytes int64
}

// Prefixes are the roots MLflow serves its REST API under; every route is served under each one
// (the MLflow client picks 2.0 or 3.0 per RPC, the MLflow UI uses /ajax-api).
var Prefixes = []string{"/api/2.0/mlflow", "/api/3.0/mlflow", "/ajax-api/2.0/mlflow", "/ajax-api/3.0/mlflow"}

type route struct {
	method, path string
	handler      echo.HandlerFunc
	rule         rule
}

// routes is the whole MLflow-compatible surface on one screen, with what each route needs.
func (a *API) routes() []route {
	R, E, M := access.Read, access.Edit, access.Manage
	return []route{
		{http.MethodPost, "/experiments/create", a.createExperiment, signedIn},
		{http.MethodGet, "/experiments/get", a.getExperiment, need(R, expFromQuery)},
		{http.MethodGet, "/experiments/get-by-name", a.getExperimentByName, need(R, expByNameQuery)},
		{http.MethodPost, "/experiments/search", a.searchExperiments, signedIn},
		{http.MethodGet, "/experiments/search", a.searchExperiments, signedIn},
		{http.MethodPost, "/experiments/update", a.updateExperiment, need(E, expFromBody)},
		{http.MethodPost, "/experiments/delete", a.deleteExperiment, need(M, expFromBody)},
		{http.MethodPost, "/experiments/restore", a.restoreExperiment, need(M, expFromBody)},
		{http.MethodPost, "/experiments/set-experiment-tag", a.setExperimentTag, need(E, expFromBody)},
		{http.MethodPost, "/experiments/delete-experiment-tag", a.deleteExperimentTag, need(E, expFromBody)},

		{http.MethodPost, "/runs/create", a.createRun, need(E, expFromBodyOrDefault)},
		{http.MethodGet, "/runs/get", a.getRun, need(R, runFromQuery)},
		{http.MethodPost, "/runs/update", a.updateRun, need(E, runFromBody)},
		{http.MethodPost, "/runs/delete", a.deleteRun, need(E, runFromBody)},
		{http.MethodPost, "/runs/restore", a.restoreRun, need(E, runFromBody)},
		{http.MethodPost, "/runs/search", a.searchRuns, need(R, expsFromBody)},
		{http.MethodPost, "/runs/set-tag", a.setRunTag, need(E, runFromBody)},
		{http.MethodPost, "/runs/delete-tag", a.deleteRunTag, need(E, runFromBody)},
		{http.MethodPost, "/runs/log-batch", a.logBatch, need(E, runFromBody)},
		{http.MethodPost, "/runs/log-metric", a.logMetric, need(E, runFromBody)},
		{http.MethodPost, "/runs/log-parameter", a.logParam, need(E, runFromBody)},

		{http.MethodPost, "/traces", a.startTrace, need(E, expFromStartTrace)},
		{http.MethodPost, "/traces/search", a.searchTraces, need(R, expsFromTraceSearch)},
		{http.MethodGet, "/traces/search", a.searchTraces, need(R, expsFromTraceSearch)},
		{http.MethodGet, "/traces/get", a.getTrace, need(R, traceFromQuery)},
		{http.MethodGet, "/traces/batchGet", a.batchGetTraces, need(R, tracesFromQuery)},
		{http.MethodPost, "/traces/batchGetInfos", a.batchGetTraceInfos, need(R, tracesFromBody)},
		{http.MethodPost, "/traces/delete-traces", a.deleteTraces, need(E, expFromBody)},
		{http.MethodPost, "/traces/link-to-run", a.linkTracesToRun, need(E, linkTargets)},
		{http.MethodGet, "/traces/:trace_id", a.getTraceInfo, need(R, traceFromParam)},
		{http.MethodGet, "/traces/:trace_id/info", a.getTraceInfo, need(R, traceFromParam)},
		{http.MethodPatch, "/traces/:trace_id/tags", a.setTraceTag, need(E, traceFromParam)},
		{http.MethodDelete, "/traces/:trace_id/tags", a.deleteTraceTag, need(E, traceFromParam)},
		{http.MethodPost, "/traces/:trace_id/assessments", a.createAssessment, need(E, traceFromParam)},
		{http.MethodGet, "/traces/:trace_id/assessments/:assessment_id", a.getAssessment, need(R, traceFromParam)},
		{http.MethodPatch, "/traces/:trace_id/assessments/:assessment_id", a.updateAssessment, need(E, traceFromParam)},
		{http.MethodDelete, "/traces/:trace_id/assessments/:assessment_id", a.deleteAssessment, need(E, traceFromParam)},

		{http.MethodPost, "/datasets/create", a.createDataset, need(E, expsFromBodyOrDefault)},
		{http.MethodPost, "/datasets/search", a.searchDatasets, signedIn},
		{http.MethodGet, "/datasets/search", a.searchDatasets, signedIn},
		{http.MethodGet, "/datasets/:dataset_id", a.getDataset, need(R, datasetFromParam)},
		{http.MethodDelete, "/datasets/:dataset_id", a.deleteDataset, need(E, datasetFromParam)},
		{http.MethodPatch, "/datasets/:dataset_id/tags", a.setDatasetTags, need(E, datasetFromParam)},
		{http.MethodDelete, "/datasets/:dataset_id/tags/:key", a.deleteDatasetTag, need(E, datasetFromParam)},
		{http.MethodPost, "/datasets/:dataset_id/records", a.upsertRecords, need(E, datasetFromParam)},
		{http.MethodGet, "/datasets/:dataset_id/records", a.getRecords, need(R, datasetFromParam)},
		{http.MethodDelete, "/datasets/:dataset_id/records", a.deleteRecords, need(E, datasetFromParam)},
		{http.MethodGet, "/datasets/:dataset_id/experiment-ids", a.getDatasetExperimentIDs, need(R, datasetFromParam)},

		{http.MethodPost, "/label-schemas/create", a.createLabelSchema, need(E, expFromBody)},
		{http.MethodPost, "/label-schemas/upsert", a.upsertLabelSchema, need(E, expFromBody)},
		{http.MethodGet, "/label-schemas/get", a.getLabelSchema, need(R, schemaFromQuery)},
		{http.MethodGet, "/label-schemas/get-by-name", a.getLabelSchemaByName, need(R, expFromQuery)},
		{http.MethodGet, "/label-schemas/list", a.listLabelSchemas, need(R, expFromQuery)},
		{http.MethodPatch, "/label-schemas/update", a.updateLabelSchema, need(E, schemaFromBodyOrQuery)},
		{http.MethodDelete, "/label-schemas/delete", a.deleteLabelSchema, need(E, schemaFromBodyOrQuery)},
	}
}

// Register adds every MLflow route under every prefix, plus OTLP intake at /v1/traces.
func (a *API) Register(e *echo.Echo, mw ...echo.MiddlewareFunc) {
	for _, p := range Prefixes {
		g := e.Group(p, mw...)
		for _, r := range a.routes() {
			g.Add(r.method, r.path, a.guard(r.rule, r.handler))
		}
	}
	otlpRule := need(access.Edit, expFromHeader)
	otlpRule.headerOnly = true
	e.POST("/v1/traces", a.guard(otlpRule, a.otlpTraces), mw...)
}
