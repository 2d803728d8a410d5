-- A piece of a customer's name is found through a trigram index (pg_trgm, which answers
-- LIKE '%…%'), not by reading every order: a million-order history is searched by name in
-- milliseconds. pg_trgm ships with PostgreSQL and is a trusted extension (13 and later): the
-- database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX orders_name_trigrams ON orders USING gin (name_folded gin_trgm_ops);

-- The inbox (and every list of one state), newest first, read straight from an index.
CREATE INDEX orders_state_created ON orders (state, created_at);
