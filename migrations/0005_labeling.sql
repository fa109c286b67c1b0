-- Labeling: one review app per experiment, labeling sessions (each is an MLflow run), their
-- items and each reviewer's review of an item. Answers themselves are assessments on traces;
-- item_reviews only records who did what and when. Plus in-app notifications and the audit log.

CREATE TABLE review_apps (
    review_app_id TEXT    PRIMARY KEY,
    experiment_id INTEGER NOT NULL UNIQUE REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    agents        TEXT    NOT NULL DEFAULT '[]',
    created_at    INTEGER NOT NULL
);

CREATE TABLE labeling_sessions (
    labeling_session_id    TEXT    PRIMARY KEY,
    review_app_id          TEXT    NOT NULL REFERENCES review_apps (review_app_id),
    experiment_id          INTEGER NOT NULL REFERENCES experiments (experiment_id),
    mlflow_run_id          TEXT    NOT NULL UNIQUE REFERENCES runs (run_id),
    name                   TEXT    NOT NULL,
    agent                  TEXT    NOT NULL DEFAULT '',
    enable_multi_turn_chat INTEGER NOT NULL DEFAULT 0,
    custom_inputs          TEXT,
    reviews_per_item       INTEGER NOT NULL DEFAULT 1, -- 0 means every assigned reviewer
    created_by             TEXT    NOT NULL DEFAULT '',
    create_time            INTEGER NOT NULL,
    last_updated_by        TEXT    NOT NULL DEFAULT '',
    last_update_time       INTEGER NOT NULL,
    deleted_at             INTEGER
);
CREATE INDEX labeling_sessions_app ON labeling_sessions (review_app_id, create_time);

CREATE TABLE session_schemas (
    labeling_session_id TEXT    NOT NULL REFERENCES labeling_sessions (labeling_session_id) ON DELETE CASCADE,
    schema_name         TEXT    NOT NULL,
    position            INTEGER NOT NULL,
    PRIMARY KEY (labeling_session_id, schema_name)
) WITHOUT ROWID;

CREATE TABLE session_reviewers (
    labeling_session_id TEXT    NOT NULL REFERENCES labeling_sessions (labeling_session_id) ON DELETE CASCADE,
    email               TEXT    NOT NULL,
    added_at            INTEGER NOT NULL,
    PRIMARY KEY (labeling_session_id, email)
) WITHOUT ROWID;
CREATE INDEX session_reviewers_email ON session_reviewers (email);

CREATE TABLE session_items (
    item_id             TEXT    PRIMARY KEY,
    labeling_session_id TEXT    NOT NULL REFERENCES labeling_sessions (labeling_session_id) ON DELETE CASCADE,
    trace_id            TEXT    NOT NULL REFERENCES traces (trace_id),
    dataset_id          TEXT,
    dataset_record_id   TEXT,
    position            INTEGER NOT NULL,
    state               TEXT    NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'IN_PROGRESS', 'COMPLETED', 'SKIPPED')),
    completed_reviews   INTEGER NOT NULL DEFAULT 0,
    created_by          TEXT    NOT NULL DEFAULT '',
    create_time         INTEGER NOT NULL,
    last_updated_by     TEXT    NOT NULL DEFAULT '',
    last_update_time    INTEGER NOT NULL,
    UNIQUE (labeling_session_id, trace_id)
);
CREATE INDEX session_items_position ON session_items (labeling_session_id, position);
CREATE INDEX session_items_state ON session_items (labeling_session_id, state, position);

-- One row per (item, reviewer): IN_PROGRESS while reserved or started, then COMPLETED or SKIPPED.
-- reserved_until holds the item for that reviewer for a short while, so two reviewers do not
-- both take the last open slot.
CREATE TABLE item_reviews (
    item_id        TEXT    NOT NULL REFERENCES session_items (item_id) ON DELETE CASCADE,
    reviewer       TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('IN_PROGRESS', 'COMPLETED', 'SKIPPED')),
    reserved_until INTEGER NOT NULL DEFAULT 0,
    started_time   INTEGER NOT NULL,
    completed_time INTEGER,
    time_spent_ms  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (item_id, reviewer)
) WITHOUT ROWID;
CREATE INDEX item_reviews_reviewer ON item_reviews (reviewer, item_id);

CREATE TABLE notifications (
    notification_id INTEGER PRIMARY KEY,
    email           TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    link            TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    read_at         INTEGER,
    emailed_at      INTEGER
);
CREATE INDEX notifications_email ON notifications (email, created_at DESC);

-- Append-only: triggers refuse updates and deletes.
CREATE TABLE audit_events (
    event_id    INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
