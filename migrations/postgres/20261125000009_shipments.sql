-- Handover shipments: a batch of a shop's packages handed to ShaQ's rider together, with the
-- reference ShaQ gives it and the printable manifest and labels.
CREATE TABLE shipments (
    id          BIGSERIAL PRIMARY KEY,
    shop_id     TEXT    NOT NULL,
    reference   TEXT,
    state       TEXT    NOT NULL,
    packages    INTEGER NOT NULL,
    requested_by TEXT   NOT NULL,
    pdf         BYTEA,
    last_error  TEXT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX shipments_shop ON shipments (shop_id, id);

-- The batch an order's package was handed over in: set once, in the transaction that gathers
-- the batch, so a package is in one shipment at most whatever the retries and replicas.
ALTER TABLE orders ADD COLUMN shipment_id BIGINT;
CREATE INDEX orders_shipment ON orders (shipment_id);

-- The scheduled handovers that ran: one per shop and day (the shop's date), whatever the
-- replicas and restarts.
CREATE TABLE handover_days (
    shop_id TEXT NOT NULL,
    day     TEXT NOT NULL,
    PRIMARY KEY (shop_id, day)
);
