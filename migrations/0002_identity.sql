-- Identity: users who sign in through OIDC (or the one local admin), their app sessions, their API
-- tokens, and the short-lived state of logins in progress. Owned by package auth.
-- Times are integer milliseconds since the Unix epoch, as in 0001.

-- A user is keyed by the OpenID Provider's (issuer, subject) pair and nothing else: the email is
-- only ever set from a claim the provider marked verified, stored ASCII-lower-cased, and unique
-- among users, so a second account presenting an email that is already bound never gets it.
CREATE TABLE users (
    user_id        INTEGER PRIMARY KEY,
    issuer         TEXT    NOT NULL,
    subject        TEXT    NOT NULL,
    email          TEXT    NOT NULL DEFAULT '',
    email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    display_name   TEXT    NOT NULL DEFAULT '',
    admin          INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at     INTEGER NOT NULL,
    last_login_at  INTEGER,
    UNIQUE (issuer, subject),
    CHECK (issuer <> '' AND subject <> '')
);
CREATE UNIQUE INDEX users_email ON users (email) WHERE email <> '';

-- Admin grants made (by the CLI) for an email nobody has signed in with yet; applied and deleted
-- the first time that email arrives verified.
CREATE TABLE pending_admins (
    email      TEXT    PRIMARY KEY,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per browser sign-in. The session cookie (a JWT) names its row in the sid claim and the
-- row is checked on every request, so logout and disabling a user take effect at once.
CREATE TABLE auth_sessions (
    session_id TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    user_agent TEXT    NOT NULL DEFAULT '',
    ip         TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

-- API tokens for programs (the MLflow client). Only the SHA-256 of the secret is stored.
CREATE TABLE api_tokens (
    token_id     TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
) WITHOUT ROWID;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Logins in progress: the OIDC state (also held by the browser in a cookie), nonce and PKCE
-- verifier, for at most ten minutes. A row is deleted when its callback arrives, so a state can
-- be used once.
CREATE TABLE auth_login_states (
    state      TEXT    PRIMARY KEY,
    nonce      TEXT    NOT NULL,
    verifier   TEXT    NOT NULL,
    return_to  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX auth_login_states_expires ON auth_login_states (expires_at);
