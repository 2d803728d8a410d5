-- One row the readiness check writes after a failed write, to know when writes work again.
CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY,
    at BIGINT  NOT NULL
);

-- When the customer's personal data (name, phone, email, street) was removed from a finished
-- order under the retention settings.
ALTER TABLE orders ADD COLUMN anonymised_at BIGINT;
CREATE INDEX orders_finished ON orders (state, updated_at);
