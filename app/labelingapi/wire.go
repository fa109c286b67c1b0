package labelingapi

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/assay-labs/assay/app/model"
)

func rfc3339(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z") }

// sessionWire is a LabelingSession in Databricks' managed-evals shape.
type sessionWire struct {
	LabelingSessionID   string          `json:"labeling_session_id"`
	MLflowRunID         string          `json:"mlflow_run_id"`
	ReviewAppID         string          `json:"review_app_id"`
	ExperimentID        string          `json:"experiment_id"`
	Name                string          `json:"name"`
	AssignedUsers       []string        `json:"assigned_users"`
	Agent               *agentRef       `json:"agent"`
	LabelingSchemas     []schemaRef     `json:"labeling_schemas"`
	EnableMultiTurnChat bool            `json:"enable_multi_turn_chat"`
	CustomInputs        json.RawMessage `json:"custom_inputs"`
	ReviewsPerItem      any             `json:"reviews_per_item"`
	URL                 string          `json:"url"`
	CreateTime          string          `json:"create_time"`
	CreatedBy           string          `json:"created_by"`
	LastUpdateTime      string          `json:"last_update_time"`
	LastUpdatedBy       string          `json:"last_updated_by"`
	Progress            any             `json:"progress,omitempty"`
}

type agentRef struct {
	AgentName string `json:"agent_name"`
}

type schemaRef struct {
	Name string `json:"name"`
}

func (a *API) sessionToWire(s model.LabelingSession) sessionWire {
	w := sessionWire{LabelingSessionID: s.LabelingSessionID, MLflowRunID: s.MLflowRunID, ReviewAppID: s.ReviewAppID, ExperimentID: s.ExperimentID,
		Name: s.Name, AssignedUsers: s.AssignedUsers, EnableMultiTurnChat: s.EnableMultiTurnChat, CustomInputs: s.CustomInputs,
		URL: a.SessionURL(s.LabelingSessionID), CreateTime: rfc3339(s.CreateTime), CreatedBy: s.CreatedBy, LastUpdateTime: rfc3339(s.LastUpdateTime),
		LastUpdatedBy: s.LastUpdatedBy, ReviewsPerItem: s.ReviewsPerItem, LabelingSchemas: make([]schemaRef, 0, len(s.LabelSchemas))}
	if s.ReviewsPerItem == 0 {
		w.ReviewsPerItem = "all"
	}
	if s.Agent != "" {
		w.Agent = &agentRef{AgentName: s.Agent}
	}
	if w.CustomInputs == nil {
		w.CustomInputs = json.RawMessage("null")
	}
	for _, n := range s.LabelSchemas {
		w.LabelingSchemas = append(w.LabelingSchemas, schemaRef{Name: n})
	}
	return w
}

// sessionBody is what create and PATCH accept. label_schemas (names) is accepted as an alias
// of labeling_schemas ([{name}]).
type sessionBody struct {
	Name                string          `json:"name"`
	AssignedUsers       []string        `json:"assigned_users"`
	Agent               json.RawMessage `json:"agent"`
	LabelingSchemas     []schemaRef     `json:"labeling_schemas"`
	LabelSchemas        []string        `json:"label_schemas"`
	EnableMultiTurnChat bool            `json:"enable_multi_turn_chat"`
	CustomInputs        json.RawMessage `json:"custom_inputs"`
	ReviewsPerItem      json.RawMessage `json:"reviews_per_item"`
}

// toCreate validates the body's shapes (the store validates meaning).
func (b sessionBody) toCreate(experimentID string) (createReq, error) {
	c := createReq{ExperimentID: experimentID, Name: b.Name, AssignedUsers: b.AssignedUsers, EnableMultiTurnChat: b.EnableMultiTurnChat, ReviewsPerItem: 1}
	for _, s := range b.LabelingSchemas {
		c.LabelSchemas = append(c.LabelSchemas, s.Name)
	}
	c.LabelSchemas = append(c.LabelSchemas, b.LabelSchemas...)
	switch {
	case len(b.Agent) == 0 || string(b.Agent) == "null":
	case b.Agent[0] == '"':
		_ = json.Unmarshal(b.Agent, &c.Agent)
	default:
		var ref agentRef
		if err := json.Unmarshal(b.Agent, &ref); err != nil {
			return c, model.Invalid("agent", "agent must be {\"agent_name\": …} or a name")
		}
		c.Agent = ref.AgentName
	}
	if len(b.CustomInputs) > 0 && string(b.CustomInputs) != "null" {
		if b.CustomInputs[0] != '{' {
			return c, model.Invalid("custom_inputs", "custom_inputs must be a JSON object")
		}
		c.CustomInputs = b.CustomInputs
	}
	if len(b.ReviewsPerItem) > 0 && string(b.ReviewsPerItem) != "null" {
		n, err := parseReviewsPerItem(b.ReviewsPerItem)
		if err != nil {
			return c, err
		}
		c.ReviewsPerItem = n
	}
	return c, nil
}

// parseReviewsPerItem reads 1, N, "N" or "all" (0 inside Assay).
func parseReviewsPerItem(raw json.RawMessage) (int, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.EqualFold(s, "all") {
			return 0, nil
		}
		raw = json.RawMessage(s)
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil || n < 1 {
		return 0, model.Invalid("reviews_per_item", "must be a positive whole number or \"all\", got %s", raw)
	}
	return n, nil
}

// itemWire is an Item in the managed-evals shape.
type itemWire struct {
	ItemID            string             `json:"item_id"`
	LabelingSessionID string             `json:"labeling_session_id"`
	Source            map[string]string  `json:"source"`
	State             string             `json:"state"`
	Position          int                `json:"position"`
	CreateTime        string             `json:"create_time"`
	CreatedBy         string             `json:"created_by"`
	LastUpdateTime    string             `json:"last_update_time"`
	LastUpdatedBy     string             `json:"last_updated_by"`
	Reviews           []model.ItemReview `json:"reviews"`
}

func itemToWire(it model.SessionItem) itemWire {
	src := map[string]string{"trace_id": it.TraceID}
	if it.DatasetRecordID != "" {
		src["dataset_id"], src["dataset_record_id"] = it.DatasetID, it.DatasetRecordID
	}
	return itemWire{ItemID: it.ItemID, LabelingSessionID: it.LabelingSessionID, Source: src, State: it.State, Position: it.Position,
		CreateTime: rfc3339(it.CreateTime), CreatedBy: it.CreatedBy, LastUpdateTime: rfc3339(it.LastUpdateTime), LastUpdatedBy: it.LastUpdatedBy, Reviews: it.Reviews}
}

// databricksSchema is a label schema in the review-app (Databricks) shape.
type databricksSchema struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	Title         string `json:"title"`
	Instruction   string `json:"instruction,omitempty"`
	EnableComment bool   `json:"enable_comment"`
	model.LabelInput
	SchemaID string `json:"schema_id"`
	Version  int    `json:"version"`
	BuiltIn  bool   `json:"builtin"`
}

func schemaToDatabricks(s model.LabelSchema) databricksSchema {
	title := s.Title
	if title == "" {
		title = s.Name
	}
	return databricksSchema{Name: s.Name, Type: strings.ToUpper(s.Type), Title: title, Instruction: s.Instruction, EnableComment: s.EnableComment,
		LabelInput: s.Input, SchemaID: s.SchemaID, Version: s.Version, BuiltIn: s.BuiltIn}
}
