-- What the console and `GET /api/orders?q=` search on: the customer's phone in E.164 and their
-- name folded to lowercase ASCII (`Kwame Mensah-Bonsu` → `kwame mensah-bonsu`). Both are copies
-- of what `order_json` holds, written with every save; the retention job blanks them with it.
ALTER TABLE orders ADD COLUMN phone TEXT;
ALTER TABLE orders ADD COLUMN name_folded TEXT;
-- A person's corrections (console, API or CLI) as JSON of the workflow's `Correction`: laid over
-- every later version the shop sends, so a fix made in the bridge is not undone by the shop.
ALTER TABLE orders ADD COLUMN corrections TEXT;

-- Orders stored before: their phone and name from the stored order (names folded by SQLite's
-- lower(), ASCII only; the next save folds them fully).
UPDATE orders SET
    phone = json_extract(order_json, '$.recipient.phone'),
    name_folded = lower(json_extract(order_json, '$.recipient.name'));

CREATE INDEX orders_phone ON orders (phone);
CREATE INDEX orders_order_ref ON orders (order_ref);
CREATE INDEX orders_platform_order_id ON orders (platform_order_id);
CREATE INDEX orders_created_at ON orders (created_at);
CREATE INDEX inbound_events_order ON inbound_events (order_key, id);
