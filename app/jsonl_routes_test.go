package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/assay-labs/assay/app/apptest"
	"github.com/assay-labs/assay/app/jsonl"
	"github.com/assay-labs/assay/app/store"
)

const (
	ndjson        = "application/x-ndjson"
	importPath    = "/api/assay/v1/experiments/0/traces:import"
	jsonlOTLPLine = `{"resourceSpans":[{"scopeSpans":[{"spans":[` +
		`{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718","name":"root","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"},` +
		`{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"2122232425262728","parentSpanId":"1112131415161718","name":"child","startTimeUnixNano":"1700000000100000000","endTimeUnixNano":"1700000000200000000"}]}]}]}`
	jsonlRecordLine = `{"inputs": {"q": "hi"}, "outputs": "yo", "tags": {"team": "search"}}`
)

func traceCount(t *testing.T, env *apptest.Env, exp string) int {
	t.Helper()
	ids, err := env.DB.SearchTraceIDs(context.Background(), store.TraceSearch{ExperimentIDs: []string{exp}, MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(ids)
}

func TestImportTracesRoute(t *testing.T) {
	env := apptest.New(t)
	body := jsonlOTLPLine + "\n\n" + jsonlRecordLine + "\r\n"
	for _, tc := range []struct {
		name, path, contentType, body string
		wantStatus                    int
		wantCode, wantMessage         string
		wantStored                    int // traces in experiment 0 afterwards
	}{
		{"wrong content type", importPath, "application/json", body, http.StatusUnsupportedMediaType, "BAD_REQUEST", "not JSON Lines", 0},
		{"unknown experiment", "/api/assay/v1/experiments/77/traces:import", ndjson, body, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", "77", 0},
		{"bad line stores nothing", importPath, ndjson, jsonlRecordLine + "\n" + `{"inputs": 1, "tags": "x"}` + "\n" + jsonlOTLPLine, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "line 2: tags", 0},
		{"two bad lines", importPath, ndjson, "{\n" + jsonlRecordLine + "\n[]", http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "line 1: malformed JSON at byte 1: unexpected end of JSON input; line 3: want a JSON object", 0},
		{"ndjson", importPath, ndjson, body, http.StatusOK, "", "", 2},
		{"jsonl with charset", importPath, "application/jsonl; charset=utf-8", jsonlRecordLine, http.StatusOK, "", "", 3},
		{"percent-encoded colon", "/api/assay/v1/experiments/0/traces%3Aimport", ndjson, jsonlRecordLine, http.StatusOK, "", "", 4},
		{"over the body limit", importPath, ndjson, strings.Repeat(jsonlRecordLine+"\n", int(env.Config.MaxBodyBytes)/len(jsonlRecordLine)+1), http.StatusRequestEntityTooLarge, "REQUEST_LIMIT_EXCEEDED", "", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := env.Do(http.MethodPost, tc.path, tc.body, "Content-Type", tc.contentType)
			if r.Status != tc.wantStatus {
				t.Fatalf("status = %d, want %d\n%s", r.Status, tc.wantStatus, r.Body)
			}
			got := r.JSON(t)
			if tc.wantCode != "" {
				if got["error_code"] != tc.wantCode || !strings.Contains(got["message"].(string), tc.wantMessage) {
					t.Errorf("body = %s, want error_code %s and a message with %q", r.Body, tc.wantCode, tc.wantMessage)
				}
			}
			if n := traceCount(t, env, "0"); n != tc.wantStored {
				t.Errorf("experiment 0 holds %d traces, want %d", n, tc.wantStored)
			}
		})
	}

	r := env.Do(http.MethodPost, importPath, body, "Content-Type", ndjson)
	var got map[string]int
	if err := json.Unmarshal(r.Body, &got); err != nil || r.Status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.Status, r.Body)
	}
	if got["traces"] != 2 || got["spans"] != 3 || got["lines"] != 2 {
		t.Errorf("body = %v, want 2 traces, 3 spans, 2 lines", got)
	}
	// The imported trace is served by the MLflow-compatible API like any other.
	tr := env.MustOK(http.MethodGet, "/api/3.0/mlflow/traces/tr-0102030405060708090a0b0c0d0e0f10", nil)
	if id := apptest.Get(tr, "trace", "trace_info", "trace_id"); id != "tr-0102030405060708090a0b0c0d0e0f10" {
		t.Errorf("GET trace = %v", tr)
	}
}

func TestExportDatasetRoute(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	d, err := env.DB.CreateDataset(ctx, store.DatasetCreate{Name: "golden set/v1", ExperimentIDs: []string{"0"}})
	if err != nil {
		t.Fatal(err)
	}
	recs := []store.RecordInput{{Inputs: json.RawMessage(`{"q": "one"}`)}, {Inputs: json.RawMessage(`{"q": "two"}`), Outputs: json.RawMessage(`"2"`), HasOutputs: true}}
	if _, _, err := env.DB.MergeRecords(ctx, d.DatasetID, recs, "me"); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if _, err := jsonl.ExportDataset(ctx, env.DB, d.DatasetID, &want, nil); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{
		"/api/assay/v1/datasets/" + d.DatasetID + "/records.jsonl",
		"/api/assay/v1/datasets/golden%20set%2Fv1/records.jsonl?experiment_id=0",
	} {
		r := env.Do(http.MethodGet, path, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: status %d\n%s", path, r.Status, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-ndjson" {
			t.Errorf("Content-Type = %q", ct)
		}
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename=golden_set_v1.jsonl` {
			t.Errorf("Content-Disposition = %q", cd)
		}
		if !bytes.Equal(r.Body, want.Bytes()) || bytes.Count(r.Body, []byte("\n")) != 2 {
			t.Errorf("body =\n%s\nwant\n%s", r.Body, want.Bytes())
		}
	}

	// A name with "%" in it arrives decoded when nothing else in the path needed escaping.
	pct, err := env.DB.CreateDataset(ctx, store.DatasetCreate{Name: "100%", ExperimentIDs: []string{"0"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := env.Do(http.MethodGet, "/api/assay/v1/datasets/100%25/records.jsonl?experiment_id=0", nil); r.Status != http.StatusOK ||
		r.Header.Get("Content-Disposition") != "attachment; filename=100_.jsonl" {
		t.Errorf("GET dataset %s by name 100%%: status %d, headers %v\n%s", pct.DatasetID, r.Status, r.Header, r.Body)
	}

	for _, path := range []string{
		"/api/assay/v1/datasets/d-0123/records.jsonl",
		"/api/assay/v1/datasets/golden%20set%2Fv1/records.jsonl", // names only within an experiment
	} {
		r := env.Do(http.MethodGet, path, nil)
		if r.Status != http.StatusNotFound || r.JSON(t)["error_code"] != "RESOURCE_DOES_NOT_EXIST" {
			t.Errorf("GET %s: status %d, body %s; want 404", path, r.Status, r.Body)
		}
	}
}

// TestJSONLRoutesAccess: importing needs EDIT on the experiment, exporting READ on the
// dataset's experiments; callers without them are refused before anything is read or stored.
func TestJSONLRoutesAccess(t *testing.T) {
	env := apptest.NewOIDC(t)
	ctx := context.Background()
	d, err := env.DB.CreateDataset(ctx, store.DatasetCreate{Name: "ds", ExperimentIDs: []string{"0"}})
	if err != nil {
		t.Fatal(err)
	}
	grant := func(email string, level int) apptest.Caller {
		c := env.User(email, false)
		if level > 0 {
			if err := env.DB.GrantPermission(ctx, "0", &c.UserID, email, level, "grant", "", nil); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	reader, editor, stranger := grant("reader@example.com", store.PermRead), grant("editor@example.com", store.PermEdit), grant("stranger@example.com", 0)
	exportPath := "/api/assay/v1/datasets/" + d.DatasetID + "/records.jsonl"
	for _, tc := range []struct {
		name                   string
		as                     *apptest.Env
		wantImport, wantExport int
	}{
		{"anonymous", env, http.StatusUnauthorized, http.StatusUnauthorized},
		{"no permission", env.As(stranger), http.StatusForbidden, http.StatusForbidden},
		{"reader", env.As(reader), http.StatusForbidden, http.StatusOK},
		{"editor", env.As(editor), http.StatusOK, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := tc.as.Do(http.MethodPost, importPath, jsonlRecordLine, "Content-Type", ndjson); r.Status != tc.wantImport {
				t.Errorf("import: status %d, want %d\n%s", r.Status, tc.wantImport, r.Body)
			}
			if r := tc.as.Do(http.MethodGet, exportPath, nil); r.Status != tc.wantExport {
				t.Errorf("export: status %d, want %d\n%s", r.Status, tc.wantExport, r.Body)
			}
			if r := tc.as.Do(http.MethodGet, "/api/assay/v1/datasets/ds/records.jsonl?experiment_id=0", nil); r.Status != tc.wantExport {
				t.Errorf("export by name: status %d, want %d\n%s", r.Status, tc.wantExport, r.Body)
			}
		})
	}
	if n := traceCount(t, env, "0"); n != 1 {
		t.Errorf("experiment 0 holds %d traces, want the editor's 1", n)
	}
}
