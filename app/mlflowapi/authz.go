package mlflowapi

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/assay-labs/assay/app/access"
	"github.com/assay-labs/assay/app/model"
)

// rule says what a route needs: a level on the experiments that find returns. A nil find means
// "any signed-in caller" (the handler itself narrows what it returns, e.g. listings).
type rule struct {
	level int
	find  func(a *API, c echo.Context, body map[string]json.RawMessage) ([]string, error)
	// headerOnly rules never look at the body (OTLP's protobuf or OTLP/JSON must reach the
	// decoder untouched).
	headerOnly bool
}

// signedIn is the rule of routes any signed-in caller may use.
var signedIn = rule{}

func need(level int, find func(a *API, c echo.Context, body map[string]json.RawMessage) ([]string, error)) rule {
	return rule{level: level, find: find}
}

// guard wraps a handler with its rule. The JSON body is read once and put back for the handler.
func (a *API) guard(r rule, h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, err := access.Caller(c.Request().Context()); err != nil {
			return err
		}
		if r.find == nil {
			return h(c)
		}
		var body map[string]json.RawMessage
		if !r.headerOnly {
			var err error
			if body, err = peekBody(c); err != nil {
				return err
			}
		}
		exps, err := r.find(a, c, body)
		if err != nil {
			return err
		}
		if err := a.Access.Require(c.Request().Context(), r.level, exps...); err != nil {
			return err
		}
		return h(c)
	}
}

// peekBody reads the request body whatever its Content-Type (the handler will read it too),
// and when it is a JSON object makes its top-level keys canonical: encoding/json matches keys
// case-insensitively, last one winning, so {"experiment_id": A, "EXPERIMENT_ID": B} would let the
// rule see A while the handler acts on B. Keys that differ only in case are refused, and the
// body the handler gets is re-encoded with the canonical keys the rule saw.
func peekBody(c echo.Context) (map[string]json.RawMessage, error) {
	req := c.Request()
	if req.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	var raw map[string]json.RawMessage
	if json.Unmarshal(b, &raw) != nil {
		return nil, nil // not a JSON object: the handler reports what is wrong with it
	}
	body := make(map[string]json.RawMessage, len(raw))
	for k, v := range raw {
		ck := foldKey(k)
		if _, dup := body[ck]; dup {
			return nil, model.Invalid(k, "the body names %q more than once (keys are case-insensitive)", ck)
		}
		body[ck] = v
	}
	canon, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(canon))
	req.ContentLength = int64(len(canon))
	return body, nil
}

// foldKey maps a JSON key to the representative of its case-folding class (the way
// encoding/json compares keys, including K/k/K and S/s/ſ), so that keys encoding/json treats
// as equal map to the same string.
func foldKey(k string) string {
	var b strings.Builder
	for _, r := range k {
		lo := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < lo {
				lo = f
			}
		}
		b.WriteRune(unicode.ToLower(lo))
	}
	return b.String()
}

// str reads a string field of a peeked body.
func str(body map[string]json.RawMessage, key string) string {
	var s string
	_ = json.Unmarshal(body[key], &s)
	return s
}

func strs(body map[string]json.RawMessage, key string) []string {
	var s []string
	_ = json.Unmarshal(body[key], &s)
	return s
}

// firstOf returns the first non-empty value.
func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func required(field, v string) ([]string, error) {
	if v == "" {
		return nil, model.Invalid(field, "%s is required", field)
	}
	return []string{v}, nil
}

// Resolvers: where each route finds the experiment(s) it touches.

func expFromQuery(_ *API, c echo.Context, _ map[string]json.RawMessage) ([]string, error) {
	return required("experiment_id", c.QueryParam("experiment_id"))
}

func expFromBody(_ *API, _ echo.Context, body map[string]json.RawMessage) ([]string, error) {
	return required("experiment_id", str(body, "experiment_id"))
}

func expFromBodyOrDefault(_ *API, _ echo.Context, body map[string]json.RawMessage) ([]string, error) {
	return []string{firstOf(str(body, "experiment_id"), "0")}, nil
}

func expsFromBody(_ *API, _ echo.Context, body map[string]json.RawMessage) ([]string, error) {
	ids := strs(body, "experiment_ids")
	if len(ids) == 0 {
		return nil, model.Invalid("experiment_ids", "at least one experiment id is required")
	}
	return ids, nil
}

func expsFromBodyOrDefault(a *API, c echo.Context, body map[string]json.RawMessage) ([]string, error) {
	if ids := strs(body, "experiment_ids"); len(ids) > 0 {
		return ids, nil
	}
	return []string{"0"}, nil
}

// expsFromTraceSearch reads search_traces' locations (v3) or experiment_ids.
func expsFromTraceSearch(_ *API, c echo.Context, body map[string]json.RawMessage) ([]string, error) {
	ids := strs(body, "experiment_ids")
	ids = append(ids, c.QueryParams()["experiment_ids"]...)
	var locs []traceLocation
	_ = json.Unmarshal(body["locations"], &locs)
	for _, l := range locs {
		if l.MlflowExperiment != nil {
			ids = append(ids, l.MlflowExperiment.ExperimentID)
		}
	}
	if len(ids) == 0 {
		return nil, model.Invalid("locations", "at least one experiment location is required")
	}
	return ids, nil
}

func expFromHeader(_ *API, c echo.Context, _ map[string]json.RawMessage) ([]string, error) {
	return []string{firstOf(strings.TrimSpace(c.Request().Header.Get(ExperimentHeader)), "0")}, nil
}

func expFromStartTrace(_ *API, _ echo.Context, body map[string]json.RawMessage) ([]string, error) {
	var t struct {
		TraceInfo traceInfoWire `json:"trace_info"`
	}
	_ = json.Unmarshal(body["trace"], &t)
	if l := t.TraceInfo.TraceLocation.MlflowExperiment; l != nil && l.ExperimentID != "" {
		return []string{l.ExperimentID}, nil
	}
	return []string{"0"}, nil
}

func runExperiment(a *API, c echo.Context, runID string) ([]string, error) {
	if runID == "" {
		return nil, model.Invalid("run_id", "run_id is required")
	}
	run, err := a.DB.FindRunByID(c.Request().Context(), runID)
	if err != nil {
		return nil, err
	}
	return []string{run.Info.ExperimentID}, nil
}

func runFromQuery(a *API, c echo.Context, _ map[string]json.RawMessage) ([]string, error) {
	return runExperiment(a, c, firstOf(c.QueryParam("run_id"), c.QueryParam("run_uuid")))
}

func runFromBody(a *API, c echo.Context, body map[string]json.RawMessage) ([]string, error) {
	return runExperiment(a, c, firstOf(str(body, "run_id"), str(body, "run_uuid")))
}

func tracesExperiments(a *API, c echo.Context, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, model.Invalid("trace_id", "trace_id is required")
	}
	infos, err := a.DB.FindTraceInfos(c.Request().Context(), ids)
	if err != nil {
		return nil, err
	}
	if len(infos) == 0 {
		return nil, model.Errorf(model.ResourceDoesNotExist, "Trace with ID %s is not found.", ids[0])
	}
	exps := make([]string, 0, len(infos))
	for _, ti := range infos {
		exps = append(exps, ti.ExperimentID)
	}
	return exps, nil
}

func traceFromParam(a *API, c echo.Context, _ map[string]json.RawMessage) ([]string, error) {
	return tracesExperiments(a, c, []string{c.Param("trace_id")})
}

func traceFromQuery(a *API, c echo.Context, _ map[string]json.RawMessage) ([]string, error) {
	return tracesExperiments(a, c, []string{c.QueryParam("trace_id")})
}

func tracesFromQuery(a *API, c echo.Context, _ map[string]json.RawMessage) ([]string, error) {
	return tracesExperiments(a, c, traceIDsParam(c))
}

func tracesFromBody(a *API, c echo.Context, body map[string]json.RawMessage) ([]string, error) {
	return tracesExperiments(a, c, strs(body, "trace_ids"))
}

// linkTargets needs EDIT on the run's experiment and on every trace's.
func linkTargets(a *API, c echo.Context, body map[string]json.RawMessage) ([]string, error) {
	exps, err := runFromBody(a, c, body)
	if err != nil {
		return nil, err
	}
	more, err := tracesFromBody(a, c, body)
	return append(exps, more...), err
}

func datasetFromParam(a *API, c echo.Context, _ map[string]json.RawMessage) ([]string, error) {
	d, err := a.DB.FindDatasetByID(c.Request().Context(), c.Param("dataset_id"))
	if err != nil {
		return nil, err
	}
	return d.ExperimentIDs, nil
}

func schemaExperiment(a *API, c echo.Context, id string) ([]string, error) {
	if id == "" {
		return nil, model.Invalid("schema_id", "schema_id is required")
	}
	s, err := a.DB.FindLabelSchemaByID(c.Request().Context(), id)
	if model.ErrorCode(err) == model.ResourceDoesNotExist && c.Request().Method == "DELETE" {
		return nil, nil // deleting a missing schema is a no-op, as in MLflow
	}
	if err != nil {
		return nil, err
	}
	return []string{s.ExperimentID}, nil
}

func schemaFromQuery(a *API, c echo.Context, _ map[string]json.RawMessage) ([]string, error) {
	return schemaExperiment(a, c, c.QueryParam("schema_id"))
}

func schemaFromBodyOrQuery(a *API, c echo.Context, body map[string]json.RawMessage) ([]string, error) {
	return schemaExperiment(a, c, firstOf(str(body, "schema_id"), c.QueryParam("schema_id")))
}

func expByNameQuery(a *API, c echo.Context, _ map[string]json.RawMessage) ([]string, error) {
	name := c.QueryParam("experiment_name")
	if name == "" {
		return nil, model.Invalid("experiment_name", "experiment_name is required")
	}
	e, err := a.DB.FindExperimentByName(c.Request().Context(), name)
	if err != nil {
		return nil, err
	}
	return []string{e.ExperimentID}, nil
}
