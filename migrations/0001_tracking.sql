-- Tracking store: experiments, runs, traces, spans, assessments, evaluation datasets.
-- Times are integer milliseconds since the Unix epoch unless the column says _ns.

CREATE TABLE experiments (
    experiment_id     INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL UNIQUE,
    artifact_location TEXT    NOT NULL DEFAULT '',
    lifecycle_stage   TEXT    NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
    creation_time     INTEGER NOT NULL,
    last_update_time  INTEGER NOT NULL
);

CREATE TABLE experiment_tags (
    experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    key           TEXT    NOT NULL,
    value         TEXT    NOT NULL,
    PRIMARY KEY (experiment_id, key)
) WITHOUT ROWID;

-- Experiment 0 "Default" exists from the start, as in MLflow.
INSERT INTO experiments (experiment_id, name, creation_time, last_update_time)
VALUES (0, 'Default', CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));

CREATE TABLE runs (
    run_id          TEXT    PRIMARY KEY,
    experiment_id   INTEGER NOT NULL REFERENCES experiments (experiment_id),
    run_name        TEXT    NOT NULL DEFAULT '',
    user_id         TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL DEFAULT 'RUNNING',
    start_time      INTEGER NOT NULL,
    end_time        INTEGER,
    artifact_uri    TEXT    NOT NULL DEFAULT '',
    lifecycle_stage TEXT    NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted'))
);
CREATE INDEX runs_experiment_start ON runs (experiment_id, start_time DESC);

CREATE TABLE run_tags (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE run_params (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

-- Full metric history; run_latest_metrics keeps the value search_runs filters on.
CREATE TABLE run_metrics (
    run_id    TEXT    NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    key       TEXT    NOT NULL,
    value     REAL    NOT NULL,
    timestamp INTEGER NOT NULL,
    step      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX run_metrics_run_key ON run_metrics (run_id, key);

CREATE TABLE run_latest_metrics (
    run_id    TEXT    NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    key       TEXT    NOT NULL,
    value     REAL    NOT NULL,
    timestamp INTEGER NOT NULL,
    step      INTEGER NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE traces (
    trace_id           TEXT    PRIMARY KEY,
    experiment_id      INTEGER NOT NULL REFERENCES experiments (experiment_id),
    client_request_id  TEXT,
    request_time       INTEGER NOT NULL,
    execution_duration INTEGER NOT NULL DEFAULT 0,
    state              TEXT    NOT NULL DEFAULT 'OK' CHECK (state IN ('STATE_UNSPECIFIED', 'OK', 'ERROR', 'IN_PROGRESS')),
    request_preview    TEXT    NOT NULL DEFAULT '',
    response_preview   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX traces_experiment_time ON traces (experiment_id, request_time DESC);

CREATE TABLE trace_tags (
    trace_id TEXT NOT NULL REFERENCES traces (trace_id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (trace_id, key)
) WITHOUT ROWID;
CREATE INDEX trace_tags_key_value ON trace_tags (key, value);

-- trace_metadata is immutable once written (MLflow semantics); only inserts happen.
CREATE TABLE trace_metadata (
    trace_id TEXT NOT NULL REFERENCES traces (trace_id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (trace_id, key)
) WITHOUT ROWID;
CREATE INDEX trace_metadata_key_value ON trace_metadata (key, value);

CREATE TABLE trace_runs (
    trace_id TEXT NOT NULL REFERENCES traces (trace_id) ON DELETE CASCADE,
    run_id   TEXT NOT NULL,
    PRIMARY KEY (trace_id, run_id)
) WITHOUT ROWID;
CREATE INDEX trace_runs_run ON trace_runs (run_id);

-- content is the span as MLflow JSON (Span.to_dict shape); the other columns are indexed copies.
CREATE TABLE spans (
    trace_id       TEXT    NOT NULL REFERENCES traces (trace_id) ON DELETE CASCADE,
    span_id        TEXT    NOT NULL,
    parent_span_id TEXT    NOT NULL DEFAULT '',
    name           TEXT    NOT NULL DEFAULT '',
    type           TEXT    NOT NULL DEFAULT '',
    status         TEXT    NOT NULL DEFAULT '',
    start_time_ns  INTEGER NOT NULL,
    end_time_ns    INTEGER,
    content        TEXT    NOT NULL,
    PRIMARY KEY (trace_id, span_id)
) WITHOUT ROWID;

-- An assessment is never destroyed by an update: the previous value moves to assessment_history,
-- and an assessment that overrides another marks that one valid = 0.
CREATE TABLE assessments (
    assessment_id    TEXT    PRIMARY KEY,
    trace_id         TEXT    NOT NULL REFERENCES traces (trace_id) ON DELETE CASCADE,
    span_id          TEXT    NOT NULL DEFAULT '',
    name             TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('feedback', 'expectation')),
    source_type      TEXT    NOT NULL,
    source_id        TEXT    NOT NULL DEFAULT '',
    value            TEXT,
    error            TEXT,
    rationale        TEXT    NOT NULL DEFAULT '',
    metadata         TEXT    NOT NULL DEFAULT '{}',
    overrides        TEXT    NOT NULL DEFAULT '',
    valid            INTEGER NOT NULL DEFAULT 1,
    create_time      INTEGER NOT NULL,
    last_update_time INTEGER NOT NULL
);
CREATE INDEX assessments_trace ON assessments (trace_id, create_time);
CREATE INDEX assessments_name ON assessments (name, kind);

CREATE TABLE assessment_history (
    history_id       INTEGER PRIMARY KEY,
    assessment_id    TEXT    NOT NULL REFERENCES assessments (assessment_id) ON DELETE CASCADE,
    snapshot         TEXT    NOT NULL,
    replaced_time    INTEGER NOT NULL
);
CREATE INDEX assessment_history_assessment ON assessment_history (assessment_id);

CREATE TABLE datasets (
    dataset_id       TEXT    PRIMARY KEY,
    name             TEXT    NOT NULL,
    digest           TEXT    NOT NULL DEFAULT '',
    schema           TEXT    NOT NULL DEFAULT '',
    profile          TEXT    NOT NULL DEFAULT '',
    tags             TEXT    NOT NULL DEFAULT '{}',
    created_time     INTEGER NOT NULL,
    last_update_time INTEGER NOT NULL,
    created_by       TEXT    NOT NULL DEFAULT '',
    last_updated_by  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX datasets_name ON datasets (name);

CREATE TABLE dataset_experiments (
    dataset_id    TEXT    NOT NULL REFERENCES datasets (dataset_id) ON DELETE CASCADE,
    experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
    PRIMARY KEY (dataset_id, experiment_id)
) WITHOUT ROWID;
CREATE INDEX dataset_experiments_experiment ON dataset_experiments (experiment_id);

-- input_hash = SHA-256 of the inputs serialised as canonical (sorted-key) JSON: the record's identity.
CREATE TABLE dataset_records (
    dataset_record_id TEXT    PRIMARY KEY,
    dataset_id        TEXT    NOT NULL REFERENCES datasets (dataset_id) ON DELETE CASCADE,
    input_hash        TEXT    NOT NULL,
    inputs            TEXT    NOT NULL,
    outputs           TEXT,
    expectations      TEXT    NOT NULL DEFAULT '{}',
    tags              TEXT    NOT NULL DEFAULT '{}',
    source_type       TEXT    NOT NULL DEFAULT '',
    source_id         TEXT    NOT NULL DEFAULT '',
    source            TEXT,
    created_time      INTEGER NOT NULL,
    last_update_time  INTEGER NOT NULL,
    created_by        TEXT    NOT NULL DEFAULT '',
    last_updated_by   TEXT    NOT NULL DEFAULT '',
    UNIQUE (dataset_id, input_hash)
);
