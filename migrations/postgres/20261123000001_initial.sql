-- Inbound events: every webhook the bridge accepted, raw body kept for replay.
CREATE TABLE inbound_events (
    id          BIGSERIAL PRIMARY KEY,
    source      TEXT    NOT NULL,
    dedupe_key  TEXT    NOT NULL,
    order_key   TEXT,
    headers     TEXT    NOT NULL,
    body        BYTEA   NOT NULL,
    received_at BIGINT  NOT NULL,
    outcome     TEXT    NOT NULL DEFAULT 'accepted',
    UNIQUE (source, dedupe_key)
);
CREATE INDEX inbound_events_received_at ON inbound_events (received_at);

-- Jobs: the durable queue of outbound steps.
CREATE TABLE jobs (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT    NOT NULL,
    order_key   TEXT    NOT NULL,
    dedupe_key  TEXT    NOT NULL UNIQUE,
    payload     TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    attempts    BIGINT  NOT NULL DEFAULT 0,
    run_at      BIGINT  NOT NULL,
    lease_until BIGINT,
    lease_id    TEXT,
    last_error  TEXT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX jobs_ready ON jobs (state, run_at);
CREATE INDEX jobs_order ON jobs (order_key, state, id);

-- Orders: one row per (shop, platform order id), the workflow's state.
CREATE TABLE orders (
    order_key         TEXT    PRIMARY KEY,
    shop_id           TEXT    NOT NULL,
    platform_order_id TEXT    NOT NULL,
    order_ref         TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    attention_reason  TEXT,
    order_json        TEXT    NOT NULL,
    order_version     TEXT,
    partner_ref       TEXT    NOT NULL UNIQUE,
    tracking_number   TEXT,
    ticket_id         TEXT,
    courier_status    TEXT,
    courier_status_at BIGINT,
    ticket_status     TEXT,
    amount_to_collect TEXT,
    currency          TEXT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE INDEX orders_ticket_id ON orders (ticket_id);
CREATE INDEX orders_tracking_number ON orders (tracking_number);
CREATE INDEX orders_state ON orders (state, updated_at);

-- Timeline: everything that happened to one order, phones masked.
CREATE TABLE timeline (
    id        BIGSERIAL PRIMARY KEY,
    order_key TEXT    NOT NULL,
    at        BIGINT  NOT NULL,
    kind      TEXT    NOT NULL,
    summary   TEXT    NOT NULL,
    details   TEXT    NOT NULL
);
CREATE INDEX timeline_order ON timeline (order_key, id);
