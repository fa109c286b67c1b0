package mlflowapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/httpapi"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// datasetWire is MLflow's Dataset message; tags, schema and profile travel as JSON strings.
type datasetWire struct {
	DatasetID      string   `json:"dataset_id"`
	Name           string   `json:"name"`
	Tags           string   `json:"tags"`
	Schema         string   `json:"schema,omitempty"`
	Profile        string   `json:"profile,omitempty"`
	Digest         string   `json:"digest"`
	CreatedTime    int64    `json:"created_time"`
	LastUpdateTime int64    `json:"last_update_time"`
	CreatedBy      string   `json:"created_by,omitempty"`
	LastUpdatedBy  string   `json:"last_updated_by,omitempty"`
	ExperimentIDs  []string `json:"experiment_ids"`
}

func datasetToWire(d model.Dataset) datasetWire {
	tags, _ := json.Marshal(d.Tags)
	return datasetWire{DatasetID: d.DatasetID, Name: d.Name, Tags: string(tags), Schema: d.Schema, Profile: d.Profile, Digest: d.Digest,
		CreatedTime: d.CreatedTime, LastUpdateTime: d.LastUpdateTime, CreatedBy: d.CreatedBy, LastUpdatedBy: d.LastUpdatedBy, ExperimentIDs: d.ExperimentIDs}
}

// RecordJSON is a dataset record as MLflow's DatasetRecord.to_dict writes it; it is also the
// line format of JSONL dataset exports.
type RecordJSON struct {
	DatasetRecordID string                     `json:"dataset_record_id"`
	DatasetID       string                     `json:"dataset_id"`
	Inputs          json.RawMessage            `json:"inputs"`
	Outputs         json.RawMessage            `json:"outputs,omitempty"`
	Expectations    map[string]json.RawMessage `json:"expectations"`
	Tags            map[string]string          `json:"tags"`
	Source          json.RawMessage            `json:"source,omitempty"`
	SourceID        string                     `json:"source_id,omitempty"`
	SourceType      string                     `json:"source_type,omitempty"`
	CreatedTime     int64                      `json:"created_time"`
	LastUpdateTime  int64                      `json:"last_update_time"`
	CreatedBy       string                     `json:"created_by,omitempty"`
	LastUpdatedBy   string                     `json:"last_updated_by,omitempty"`
}

// RecordToJSON converts a stored record to its wire form.
func RecordToJSON(r model.DatasetRecord) RecordJSON {
	return RecordJSON{DatasetRecordID: r.DatasetRecordID, DatasetID: r.DatasetID, Inputs: r.Inputs, Outputs: r.Outputs, Expectations: r.Expectations,
		Tags: r.Tags, Source: r.Source, SourceID: r.SourceID, SourceType: r.SourceType, CreatedTime: r.CreatedTime, LastUpdateTime: r.LastUpdateTime,
		CreatedBy: r.CreatedBy, LastUpdatedBy: r.LastUpdatedBy}
}

// decodeJSONString reads a field that MLflow sends as a JSON document inside a string.
func decodeJSONString(field, s string, dst any) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), dst); err != nil {
		return model.Invalid(field, "must be a string holding JSON: %v", err)
	}
	return nil
}

func (a *API) createDataset(c echo.Context) error {
	var req struct {
		Name          string   `json:"name"`
		ExperimentIDs []string `json:"experiment_ids"`
		Tags          string   `json:"tags"`
		CreatedBy     string   `json:"created_by"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if err := httpapi.Required("name", req.Name); err != nil {
		return err
	}
	var tags map[string]string
	if err := decodeJSONString("tags", req.Tags, &tags); err != nil {
		return err
	}
	if len(req.ExperimentIDs) == 0 {
		req.ExperimentIDs = []string{"0"}
	}
	d, err := a.DB.CreateDataset(c.Request().Context(), store.DatasetCreate{Name: req.Name, ExperimentIDs: req.ExperimentIDs, Tags: tags, CreatedBy: author(c, req.CreatedBy)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"dataset": datasetToWire(d)})
}

func (a *API) getDataset(c echo.Context) error {
	d, err := a.DB.FindDatasetByID(c.Request().Context(), c.Param("dataset_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"dataset": datasetToWire(d)})
}

func (a *API) getDatasetExperimentIDs(c echo.Context) error {
	d, err := a.DB.FindDatasetByID(c.Request().Context(), c.Param("dataset_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"experiment_ids": d.ExperimentIDs})
}

func (a *API) deleteDataset(c echo.Context) error {
	if _, err := a.DB.FindDatasetByID(c.Request().Context(), c.Param("dataset_id")); err != nil {
		return err
	}
	if err := a.DB.DeleteDataset(c.Request().Context(), c.Param("dataset_id")); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}

func (a *API) searchDatasets(c echo.Context) error {
	var req struct {
		ExperimentIDs []string `json:"experiment_ids"`
		FilterString  string   `json:"filter_string"`
		OrderBy       []string `json:"order_by"`
		MaxResults    int      `json:"max_results"`
		PageToken     string   `json:"page_token"`
	}
	if c.Request().Method == http.MethodGet {
		n, err := httpapi.QueryInt(c, "max_results")
		if err != nil {
			return err
		}
		q := c.QueryParams()
		req.ExperimentIDs, req.FilterString, req.MaxResults, req.PageToken, req.OrderBy = q["experiment_ids"], q.Get("filter_string"), n, q.Get("page_token"), q["order_by"]
	} else if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	limit, err := httpapi.Limit("max_results", req.MaxResults, 1000, 50000)
	if err != nil {
		return err
	}
	offset, err := httpapi.ParsePageToken(req.PageToken)
	if err != nil {
		return err
	}
	visible, err := access.VisibleTo(c.Request().Context())
	if err != nil {
		return err
	}
	ds, err := a.DB.FindDatasets(c.Request().Context(), store.DatasetSearch{ExperimentIDs: req.ExperimentIDs, Filter: req.FilterString, OrderBy: req.OrderBy, VisibleTo: visible, MaxResults: limit + 1, Offset: offset})
	if err != nil {
		return err
	}
	ds, next := httpapi.Page(ds, offset, limit)
	resp := map[string]any{}
	httpapi.SetNext(resp, next)
	wire := make([]datasetWire, 0, len(ds))
	for _, d := range ds {
		wire = append(wire, datasetToWire(d))
	}
	resp["datasets"] = wire
	return c.JSON(http.StatusOK, resp)
}

func (a *API) setDatasetTags(c echo.Context) error {
	var req struct {
		Tags string `json:"tags"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	var tags map[string]*string
	if err := decodeJSONString("tags", req.Tags, &tags); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := a.DB.UpdateDatasetTags(ctx, c.Param("dataset_id"), tags); err != nil {
		return err
	}
	d, err := a.DB.FindDatasetByID(ctx, c.Param("dataset_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"dataset": datasetToWire(d)})
}

func (a *API) deleteDatasetTag(c echo.Context) error {
	if err := a.DB.UpdateDatasetTags(c.Request().Context(), c.Param("dataset_id"), map[string]*string{c.Param("key"): nil}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{})
}

// ParseRecordInputs reads merge_records input: a JSON list of {inputs, outputs?, expectations?,
// tags?, source?}. Field paths in errors are "records[i].…".
func ParseRecordInputs(raw []byte) ([]store.RecordInput, error) {
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, model.Invalid("records", "must be a JSON list of records: %v", err)
	}
	out := make([]store.RecordInput, 0, len(items))
	for i, it := range items {
		var r store.RecordInput
		r.Inputs = it["inputs"]
		r.Outputs, r.HasOutputs = it["outputs"]
		if e, ok := it["expectations"]; ok && string(e) != "null" {
			if err := json.Unmarshal(e, &r.Expectations); err != nil {
				return nil, model.Invalid(recordField(i, "expectations"), "must be an object of name → value")
			}
		}
		if t, ok := it["tags"]; ok && string(t) != "null" {
			if err := json.Unmarshal(t, &r.Tags); err != nil {
				return nil, model.Invalid(recordField(i, "tags"), "must be an object of string → string")
			}
		}
		r.Source = it["source"]
		out = append(out, r)
	}
	return out, nil
}

func recordField(i int, f string) string {
	return fmt.Sprintf("records[%d].%s", i, f)
}

func (a *API) upsertRecords(c echo.Context) error {
	var req struct {
		Records   string `json:"records"`
		UpdatedBy string `json:"updated_by"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	recs, err := ParseRecordInputs([]byte(req.Records))
	if err != nil {
		return err
	}
	ins, upd, err := a.DB.MergeRecords(c.Request().Context(), c.Param("dataset_id"), recs, author(c, req.UpdatedBy))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"inserted_count": ins, "updated_count": upd})
}

func (a *API) getRecords(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := a.DB.FindDatasetByID(ctx, c.Param("dataset_id")); err != nil {
		return err
	}
	n, err := httpapi.QueryInt(c, "max_results")
	if err != nil {
		return err
	}
	limit, err := httpapi.Limit("max_results", n, 1000, 50000)
	if err != nil {
		return err
	}
	offset, err := httpapi.ParsePageToken(c.QueryParam("page_token"))
	if err != nil {
		return err
	}
	recs, err := a.DB.FindRecords(ctx, c.Param("dataset_id"), limit+1, offset)
	if err != nil {
		return err
	}
	recs, next := httpapi.Page(recs, offset, limit)
	resp := map[string]any{}
	httpapi.SetNext(resp, next)
	wire := make([]RecordJSON, 0, len(recs))
	for _, r := range recs {
		wire = append(wire, RecordToJSON(r))
	}
	b, _ := json.Marshal(wire)
	resp["records"] = string(b)
	return c.JSON(http.StatusOK, resp)
}

func (a *API) deleteRecords(c echo.Context) error {
	var req struct {
		DatasetRecordIDs []string `json:"dataset_record_ids"`
	}
	if err := httpapi.BindJSON(c, &req); err != nil {
		return err
	}
	if len(req.DatasetRecordIDs) == 0 {
		return model.Invalid("dataset_record_ids", "give at least one record id")
	}
	n, err := a.DB.DeleteRecords(c.Request().Context(), c.Param("dataset_id"), req.DatasetRecordIDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"deleted_count": n})
}
