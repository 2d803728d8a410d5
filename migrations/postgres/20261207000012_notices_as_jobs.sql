-- Notices for people are `notify` jobs in the one queue now (one retry policy, one dead-job
-- list). Each notice becomes the job it would have been, under the same key, so nothing already
-- posted is posted again and nothing still pending is lost: posted ones as done, the others
-- queued.
INSERT INTO jobs (kind, order_key, dedupe_key, payload, state, attempts, run_at, last_error,
                  created_at, updated_at)
SELECT 'notify',
       'notice/' || order_key,
       'notify:notice/' || order_key || ':' || reason,
       json_build_object('order_key', order_key, 'reason', reason, 'text', text)::text,
       CASE WHEN sent_at IS NULL THEN 'queued' ELSE 'done' END,
       0,
       created_at,
       last_error,
       created_at,
       COALESCE(sent_at, created_at)
FROM notices
ON CONFLICT (dedupe_key) DO NOTHING;
DROP TABLE notices;
