package model

// Tag is a key/value pair in MLflow's list form.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Lifecycle stages of experiments and runs.
const (
	StageActive  = "active"
	StageDeleted = "deleted"
)

// Experiment is an MLflow experiment; its JSON is MLflow's wire shape.
type Experiment struct {
	ExperimentID     string `json:"experiment_id"`
	Name             string `json:"name"`
	ArtifactLocation string `json:"artifact_location"`
	LifecycleStage   string `json:"lifecycle_stage"`
	CreationTime     int64  `json:"creation_time"`
	LastUpdateTime   int64  `json:"last_update_time"`
	Tags             []Tag  `json:"tags,omitempty"`
}

// RunInfo is the metadata of a run, in MLflow's wire shape (run_uuid duplicates run_id for old clients).
type RunInfo struct {
	RunID          string `json:"run_id"`
	RunUUID        string `json:"run_uuid"`
	RunName        string `json:"run_name"`
	ExperimentID   string `json:"experiment_id"`
	UserID         string `json:"user_id"`
	Status         string `json:"status"`
	StartTime      int64  `json:"start_time"`
	EndTime        *int64 `json:"end_time,omitempty"`
	ArtifactURI    string `json:"artifact_uri"`
	LifecycleStage string `json:"lifecycle_stage"`
}

// Metric is one logged metric value.
type Metric struct {
	Key       string  `json:"key"`
	Value     float64 `json:"value"`
	Timestamp int64   `json:"timestamp"`
	Step      int64   `json:"step"`
}

// RunData holds a run's latest metrics, params and tags.
type RunData struct {
	Metrics []Metric `json:"metrics"`
	Params  []Tag    `json:"params"`
	Tags    []Tag    `json:"tags"`
}

// Run is an MLflow run. A labeling session is a run too.
type Run struct {
	Info   RunInfo        `json:"info"`
	Data   RunData        `json:"data"`
	Inputs map[string]any `json:"inputs"`
}

// Run statuses.
var RunStatuses = []string{"RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"}

// RunTagName is the tag MLflow keeps the run name in.
const RunTagName = "mlflow.runName"
