-- A claim reads the oldest due jobs in (run_at, id) order: with id in the index the database
-- walks it and stops after the window, instead of reading every queued job and sorting them.
DROP INDEX jobs_ready;
CREATE INDEX jobs_ready ON jobs (state, run_at, id);
