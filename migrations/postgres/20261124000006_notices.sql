-- Notices posted to `[alerts].notify_url`: one row per order and reason, so a person hears of
-- an order that needs them (or a job that died) once, whatever the restarts and replicas.
CREATE TABLE notices (
    id         BIGSERIAL PRIMARY KEY,
    order_key  TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    claimed_at BIGINT,
    sent_at    BIGINT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (order_key, reason)
);
CREATE INDEX notices_pending ON notices (sent_at, id);
