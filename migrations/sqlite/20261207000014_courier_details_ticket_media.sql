-- What ShaQ says of a package beyond its status (its own tracking link, the delivery window, a
-- new date after a failed attempt, the last change of the amount to collect), and the files put
-- on the customer's ticket (the invoice, the label): typed JSON, read with the order.
ALTER TABLE orders ADD COLUMN courier_details TEXT;
ALTER TABLE orders ADD COLUMN ticket_media TEXT;
