-- Reports: when each order first reached the steps the reports count (milliseconds since the
-- epoch, NULL until it does), the ShaQ region as plain text to group by, and the amount to
-- collect in thousandths of the currency unit so sums in SQL stay exact.
ALTER TABLE orders ADD COLUMN asked_at BIGINT;
ALTER TABLE orders ADD COLUMN confirmed_at BIGINT;
ALTER TABLE orders ADD COLUMN declined_at BIGINT;
ALTER TABLE orders ADD COLUMN expired_at BIGINT;
ALTER TABLE orders ADD COLUMN shipped_at BIGINT;
ALTER TABLE orders ADD COLUMN delivered_at BIGINT;
ALTER TABLE orders ADD COLUMN returned_at BIGINT;
ALTER TABLE orders ADD COLUMN cancelled_at BIGINT;
ALTER TABLE orders ADD COLUMN region_name TEXT;
ALTER TABLE orders ADD COLUMN collect_milli BIGINT;

-- Orders stored before this version: the steps are read back from their timelines (the state
-- lines the workflow wrote, and the package's creation), the region and amount from their row.
UPDATE orders SET
    region_name = json_extract(region, '$.region'),
    collect_milli = CAST(ROUND(CAST(amount_to_collect AS REAL) * 1000) AS INTEGER),
    asked_at = (SELECT MIN(t.at) FROM timeline t WHERE t.order_key = orders.order_key
                AND t.kind = 'state' AND t.summary LIKE '% → awaiting_confirmation'),
    confirmed_at = (SELECT MIN(t.at) FROM timeline t WHERE t.order_key = orders.order_key
                AND t.kind = 'state' AND t.summary = 'awaiting_confirmation → shipping'),
    declined_at = (SELECT MIN(t.at) FROM timeline t WHERE t.order_key = orders.order_key
                AND t.kind = 'state' AND t.summary = 'awaiting_confirmation → cancelled'
                AND NOT EXISTS (SELECT 1 FROM timeline n WHERE n.order_key = orders.order_key
                    AND n.kind = 'state' AND n.summary LIKE 'no answer from the customer in time%')),
    expired_at = (SELECT MIN(t.at) FROM timeline t WHERE t.order_key = orders.order_key
                AND ((t.kind = 'state' AND t.summary LIKE 'no answer from the customer in time%')
                  OR (t.kind = 'attention'
                      AND t.summary = 'needs attention: the customer did not confirm in time'))),
    shipped_at = (SELECT MIN(t.at) FROM timeline t WHERE t.order_key = orders.order_key
                AND t.kind = 'call' AND t.summary LIKE 'ShaQ package % (collect %'),
    delivered_at = (SELECT MIN(t.at) FROM timeline t WHERE t.order_key = orders.order_key
                AND t.kind = 'state' AND t.summary LIKE '% → delivered'),
    returned_at = (SELECT MIN(t.at) FROM timeline t WHERE t.order_key = orders.order_key
                AND t.kind = 'state' AND t.summary LIKE '% → returned'),
    cancelled_at = CASE WHEN state = 'cancelled' THEN updated_at END;

-- A report reads one shop's orders received in a period, and only these columns: all of them
-- in the index, so the report never reads the rows themselves (an order's row carries its whole
-- JSON, a hundred times the size of what the report needs).
CREATE INDEX orders_report ON orders (shop_id, created_at, region_name, currency, collect_milli,
    asked_at, confirmed_at, declined_at, expired_at, shipped_at, delivered_at, returned_at,
    cancelled_at);
