package model

import "encoding/json"

// Item and review states.
const (
	ItemPending    = "PENDING"
	ItemInProgress = "IN_PROGRESS"
	ItemCompleted  = "COMPLETED"
	ItemSkipped    = "SKIPPED"
)

// Run tags that mark a run as a labeling session.
const (
	TagRunType              = "mlflow.runType"
	RunTypeLabeling         = "labeling_session"
	TagLabelingID           = "mlflow.labelingSession.id"
	TagReviewAppID          = "mlflow.labelingSession.reviewAppId"
	MetaSessionID           = "assay.labeling_session_id"
	MetaItemID              = "assay.item_id"
	MetaSchemaID            = "assay.schema_id"
	MetaAnswerSchemaVersion = "assay.schema_version"
)

// ReviewApp is an experiment's (single) review app.
type ReviewApp struct {
	ReviewAppID  string
	ExperimentID string
	Agents       json.RawMessage
}

// LabelingSession is a set of items that assigned reviewers label against some schemas. It is
// an MLflow run too (MLflowRunID).
type LabelingSession struct {
	LabelingSessionID   string
	ReviewAppID         string
	ExperimentID        string
	MLflowRunID         string
	Name                string
	AssignedUsers       []string
	Agent               string
	LabelSchemas        []string
	EnableMultiTurnChat bool
	CustomInputs        json.RawMessage
	ReviewsPerItem      int // 0 = every assigned reviewer
	CreatedBy           string
	CreateTime          int64
	LastUpdatedBy       string
	LastUpdateTime      int64
}

// RequiredReviews is how many distinct reviewers must complete an item of this session.
func (s LabelingSession) RequiredReviews() int {
	if s.ReviewsPerItem == 0 {
		return max(1, len(s.AssignedUsers))
	}
	return s.ReviewsPerItem
}

// ItemReview is one reviewer's work on an item.
type ItemReview struct {
	Reviewer      string `json:"reviewer"`
	State         string `json:"state"`
	StartedTime   int64  `json:"started_time"`
	CompletedTime *int64 `json:"completed_time,omitempty"`
	TimeSpentMs   int64  `json:"time_spent_ms"`
}

// SessionItem is one trace (or dataset record, carried by a trace) to review in a session.
type SessionItem struct {
	ItemID            string
	LabelingSessionID string
	TraceID           string
	DatasetID         string
	DatasetRecordID   string
	Position          int
	State             string
	CompletedReviews  int
	CreatedBy         string
	CreateTime        int64
	LastUpdatedBy     string
	LastUpdateTime    int64
	Reviews           []ItemReview
}

// Answer is a reviewer's answer to one schema.
type Answer struct {
	Value   json.RawMessage `json:"value"`
	Comment string          `json:"comment,omitempty"`
}
