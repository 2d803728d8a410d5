-- Console sign-ins, kept by the server: signing out, a changed password or an operator removed
-- from the settings ends a session at once (a signed cookie alone stayed valid until it
-- expired). The cookie carries the id, signed; `credential` fingerprints what the person signed
-- in with, so a changed password no longer matches.
CREATE TABLE console_sessions (
    id          TEXT   PRIMARY KEY,
    operator    TEXT   NOT NULL,
    credential  TEXT   NOT NULL,
    csrf        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
