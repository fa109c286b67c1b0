-- Label schemas: the questions reviewers answer. One row per schema (its current version) and
-- every version kept in label_schema_versions, so each answer can name the version it was given
-- under. Deleting a schema only marks it deleted; assessments made with it are untouched.

CREATE TABLE label_schemas (
    schema_id       TEXT    PRIMARY KEY,
    experiment_id   INTEGER NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    type            TEXT    NOT NULL CHECK (type IN ('feedback', 'expectation')),
    title           TEXT    NOT NULL DEFAULT '',
    instruction     TEXT    NOT NULL DEFAULT '',
    enable_comment  INTEGER NOT NULL DEFAULT 0,
    input           TEXT    NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    builtin         INTEGER NOT NULL DEFAULT 0,
    created_by      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    last_updated_at INTEGER NOT NULL,
    deleted_at      INTEGER
);
CREATE UNIQUE INDEX label_schemas_live_name ON label_schemas (experiment_id, name) WHERE deleted_at IS NULL;

CREATE TABLE label_schema_versions (
    schema_id  TEXT    NOT NULL REFERENCES label_schemas (schema_id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    snapshot   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (schema_id, version)
) WITHOUT ROWID;

-- Every schema's first version is recorded as it is inserted; later versions are written by the
-- store when a schema changes.
CREATE TRIGGER label_schemas_first_version AFTER INSERT ON label_schemas
BEGIN
    INSERT INTO label_schema_versions (schema_id, version, snapshot, created_at)
    VALUES (NEW.schema_id, NEW.version, json_object('name', NEW.name, 'type', NEW.type, 'title', NEW.title, 'instruction', NEW.instruction,
            'enable_comment', json(CASE WHEN NEW.enable_comment THEN 'true' ELSE 'false' END), 'input', json(NEW.input)), NEW.created_at);
END;

-- The three built-ins exist in every experiment, present and future.
CREATE TABLE builtin_label_schemas (
    name        TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    instruction TEXT NOT NULL,
    input       TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO builtin_label_schemas VALUES
    ('expected_facts', 'Expected facts', 'List the facts a correct response must contain.', '{"text_list":{"max_length_each":1000}}'),
    ('guidelines', 'Guidelines', 'List the guidelines the response must follow.', '{"text_list":{"max_length_each":500}}'),
    ('expected_response', 'Expected response', 'Write a correct response.', '{"text":{}}');

CREATE TRIGGER experiments_builtin_schemas AFTER INSERT ON experiments
BEGIN
    INSERT INTO label_schemas (schema_id, experiment_id, name, type, title, instruction, input, builtin, created_by, created_at, last_updated_at)
    SELECT 'ls-' || lower(hex(randomblob(16))), NEW.experiment_id, b.name, 'expectation', b.title, b.instruction, b.input, 1, 'assay',
           NEW.creation_time, NEW.creation_time
    FROM builtin_label_schemas b;
END;

INSERT INTO label_schemas (schema_id, experiment_id, name, type, title, instruction, input, builtin, created_by, created_at, last_updated_at)
SELECT 'ls-' || lower(hex(randomblob(16))), e.experiment_id, b.name, 'expectation', b.title, b.instruction, b.input, 1, 'assay',
       e.creation_time, e.creation_time
FROM experiments e CROSS JOIN builtin_label_schemas b;
