-- `orders_finished` (state, updated_at) repeated `orders_state` column for column: the same
-- queries use `orders_state`, and every order written updated both.
DROP INDEX orders_finished;
