-- Per-experiment permissions. A grant names a user, or (while nobody has signed in with it yet)
-- only a verified-email-to-be: such a pending grant binds to the first user whose verified email
-- it is, once, and never moves to another account afterwards.
-- reason: 'grant' (given by someone with MANAGE or an admin), 'creator' (made the experiment),
-- 'reviewer' (assigned to a labeling session; session_id says which).

CREATE TABLE experiment_permissions (
    grant_id      INTEGER PRIMARY KEY,
    experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    user_id       INTEGER REFERENCES users (user_id) ON DELETE CASCADE,
    email         TEXT    NOT NULL DEFAULT '',
    permission    TEXT    NOT NULL CHECK (permission IN ('READ', 'EDIT', 'MANAGE')),
    reason        TEXT    NOT NULL DEFAULT 'grant' CHECK (reason IN ('grant', 'creator', 'reviewer')),
    session_id    TEXT    NOT NULL DEFAULT '',
    granted_by    INTEGER,
    created_at    INTEGER NOT NULL,
    CHECK (user_id IS NOT NULL OR email <> '')
);
CREATE INDEX experiment_permissions_user ON experiment_permissions (user_id, experiment_id);
CREATE INDEX experiment_permissions_email ON experiment_permissions (email) WHERE user_id IS NULL;
CREATE UNIQUE INDEX experiment_permissions_one ON experiment_permissions (experiment_id, coalesce(user_id, -1), email, reason, session_id);
