-- A piece of a customer's name is found through a trigram index (FTS5's trigram tokenizer,
-- which answers LIKE '%…%'), not by reading every order: a million-order history is searched
-- by name in milliseconds. The index follows the orders by triggers; an update that keeps the
-- name leaves it alone.
CREATE VIRTUAL TABLE orders_names USING fts5(
    name_folded,
    content = 'orders',
    content_rowid = 'rowid',
    tokenize = 'trigram'
);
INSERT INTO orders_names (orders_names) VALUES ('rebuild');

CREATE TRIGGER orders_names_insert AFTER INSERT ON orders BEGIN
    INSERT INTO orders_names (rowid, name_folded) VALUES (new.rowid, new.name_folded);
END;

CREATE TRIGGER orders_names_delete AFTER DELETE ON orders BEGIN
    INSERT INTO orders_names (orders_names, rowid, name_folded)
        VALUES ('delete', old.rowid, old.name_folded);
END;

CREATE TRIGGER orders_names_update AFTER UPDATE OF name_folded ON orders
    WHEN old.name_folded IS NOT new.name_folded BEGIN
    INSERT INTO orders_names (orders_names, rowid, name_folded)
        VALUES ('delete', old.rowid, old.name_folded);
    INSERT INTO orders_names (rowid, name_folded) VALUES (new.rowid, new.name_folded);
END;

-- The inbox (and every list of one state), newest first, read straight from an index.
CREATE INDEX orders_state_created ON orders (state, created_at);
