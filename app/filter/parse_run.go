package filter

import (
	"fmt"
	"strings"
)

// runAttributes maps every accepted spelling of a run attribute to its canonical name.
var runAttributes = map[string]string{
	"run_id":          "run_id",
	"run_name":        "run_name",
	"run name":        "run_name",
	"status":          "status",
	"user_id":         "user_id",
	"artifact_uri":    "artifact_uri",
	"lifecycle_stage": "lifecycle_stage",
	"start_time":      "start_time",
	"created":         "start_time",
	"end_time":        "end_time",
}

// runAttributeSpecs holds what each canonical run attribute accepts. Only run_id takes a list,
// as in MLflow.
var runAttributeSpecs = map[string]spec{
	"run_id":          {ops: stringListOps},
	"run_name":        {ops: stringOps},
	"status":          {ops: stringOps},
	"user_id":         {ops: stringOps},
	"artifact_uri":    {ops: stringOps},
	"lifecycle_stage": {ops: stringOps},
	"start_time":      {ops: numericOps, value: vNumber},
	"end_time":        {ops: numericOps, value: vNumber},
}

// runPrefixes maps the prefixes of the search_runs grammar to field kinds.
var runPrefixes = map[string]Kind{
	"metrics":    KindMetric,
	"metric":     KindMetric,
	"params":     KindParam,
	"param":      KindParam,
	"parameter":  KindParam,
	"parameters": KindParam,
	"tags":       KindTag,
	"tag":        KindTag,
	"attributes": KindAttribute,
	"attribute":  KindAttribute,
	"attr":       KindAttribute,
	"run":        KindAttribute,
	"datasets":   KindDataset,
	"dataset":    KindDataset,
}

// datasetColumns are the dataset fields a run can be searched by.
var datasetColumns = map[string]bool{"name": true, "digest": true, "context": true}

// ParseRunFilter parses a search_runs filter string, such as
// "metrics.rmse < 0.5 AND tags.mlflow.runName LIKE '%labeling%'", into clauses. A name without a
// prefix is an attribute (status = 'FINISHED'). An empty or blank string has no clauses. Errors
// are *Error.
func ParseRunFilter(s string) ([]Clause, error) {
	return parseFilter(s, resolveRun)
}

// resolveRun names the field of a search_runs identifier.
func resolveRun(t token) (Field, spec, string) {
	f, msg := runField(t)
	if msg != "" {
		return Field{}, spec{}, msg
	}
	return f, runSpec(f), ""
}

// runField maps an identifier token to a run field, with aliases made canonical.
func runField(t token) (Field, string) {
	prefix, key := identParts(t)
	kind := KindAttribute
	if prefix != "" {
		k, ok := runPrefixes[strings.ToLower(prefix)]
		if !ok {
			return Field{}, fmt.Sprintf("unknown prefix %q; use metrics., params., tags., attributes. or datasets.", prefix)
		}
		kind = k
	}
	switch kind {
	case KindAttribute:
		name, ok := runAttributes[strings.ToLower(key)]
		if !ok {
			return Field{}, fmt.Sprintf("unknown run attribute %q; use run_id, run_name, status, user_id, artifact_uri, lifecycle_stage, start_time or end_time", key)
		}
		return Field{Kind: KindAttribute, Key: name}, ""
	case KindDataset:
		col := strings.ToLower(key)
		if !datasetColumns[col] {
			return Field{}, fmt.Sprintf("unknown dataset field %q; use datasets.name, datasets.digest or datasets.context", key)
		}
		return Field{Kind: KindDataset, Key: col}, ""
	}
	return Field{Kind: kind, Key: key}, ""
}

// runSpec says what a run field accepts. Fields that runField cannot produce get an empty spec,
// which allows nothing.
func runSpec(f Field) spec {
	switch f.Kind {
	case KindAttribute:
		return runAttributeSpecs[f.Key]
	case KindMetric:
		return spec{ops: numericOps, value: vNumber}
	case KindParam, KindTag:
		return spec{ops: keyValueOps}
	case KindDataset:
		if datasetColumns[f.Key] {
			return spec{ops: stringListOps}
		}
	}
	return spec{}
}
