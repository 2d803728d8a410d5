-- When the ticket status last changed, by Digishare's clock (its `date_status`), to ignore
-- ticket webhooks delivered out of order.
ALTER TABLE orders ADD COLUMN ticket_status_at BIGINT;
