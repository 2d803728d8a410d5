//! The queue's statements: what they touch, checked with the databases' plans.

use super::claim::{
    CLAIM_POSTGRES, CLAIM_SQLITE, CLAIM_WINDOW, HOLD_SQLITE, POSTGRES_CLAIM_PLANNER,
};
use super::complete::{apply_together, finish_done_sql};
use crate::testing::{TestBackend, TestDatabase};

/// A batch with no completions (webhooks alone) writes nothing for them and fails nothing:
/// an empty `IN ()` is an error on PostgreSQL, which made every intake-only batch roll
/// back and start again.
async fn an_empty_batch_finishes_nothing(backend: TestBackend) {
    let store = TestDatabase::new(backend).await.store;
    let mut tx = store.begin_write().await.unwrap();
    let results = apply_together(&mut tx, &[], chrono::Utc::now()).await;
    assert!(matches!(&results, Ok(r) if r.is_empty()), "{results:?}");
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn an_empty_batch_finishes_nothing_on_sqlite() {
    an_empty_batch_finishes_nothing(TestBackend::Sqlite).await;
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL suite not run: set BRIDGE_TEST_POSTGRES_URL"
)]
async fn an_empty_batch_finishes_nothing_on_postgres() {
    an_empty_batch_finishes_nothing(TestBackend::Postgres).await;
}

/// A `LIMIT` bound to a bare parameter makes SQLite prepare the statement again on every
/// run (see `sqlite_limit!`): the claim runs with every batch the writer commits.
#[test]
fn sqlite_claims_never_limit_by_a_bare_parameter() {
    for sql in [CLAIM_SQLITE, HOLD_SQLITE] {
        assert!(sql.contains("LIMIT CAST($"), "{sql}");
        assert!(!sql.contains("LIMIT $"), "{sql}");
    }
}

/// The plan PostgreSQL runs `sql` with (`EXPLAIN ANALYZE`, so the loops are counted), in
/// a transaction rolled back after.
async fn plan_of(
    store: &crate::store::Store,
    sql: &str,
    bind: impl FnOnce(
        sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
) -> String {
    let mut tx = store.begin_write().await.unwrap();
    sqlx::raw_sql(POSTGRES_CLAIM_PLANNER)
        .execute(&mut *tx)
        .await
        .unwrap();
    let explain = format!("EXPLAIN (ANALYZE, COSTS OFF) {sql}");
    let rows: Vec<(String,)> = {
        let query = bind(sqlx::query(sqlx::AssertSqlSafe(explain)));
        let rows = query.fetch_all(&mut *tx).await.unwrap();
        rows.iter()
            .map(|row| (sqlx::Row::get::<String, _>(row, 0),))
            .collect()
    };
    tx.rollback().await.unwrap();
    rows.into_iter()
        .map(|(line,)| line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rows an `EXPLAIN ANALYZE`d update changed, from its top line.
fn updated_rows(plan: &str) -> Option<u32> {
    let top = plan.lines().next()?;
    let rows = top.strip_prefix("Update on jobs")?.split("rows=").nth(1)?;
    rows.split(' ').next()?.parse().ok()
}

/// A queue PostgreSQL's statistics know nothing of (analysed when every job was done, as a
/// table is between two autovacuum runs during a flash sale): a claim and a batch of completions must still
/// read each job by its id and each order's own jobs, never walk every queued or running
/// job in the `(state, run_at, id)` index once per job (which made both cost O(queue)).
#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL suite not run: set BRIDGE_TEST_POSTGRES_URL"
)]
async fn postgres_plans_claims_and_completions_by_id_whatever_it_believes() {
    let store = TestDatabase::new(TestBackend::Postgres).await.store;
    sqlx::raw_sql(
        "ALTER TABLE jobs SET (autovacuum_enabled = false); \
         INSERT INTO jobs (kind, order_key, dedupe_key, payload, state, run_at, created_at, \
         updated_at) SELECT 'create_package', 'old-' || i, 'old-' || i, '{}', 'done', i, \
         i, i FROM generate_series(1, 300) i; \
         ANALYZE jobs; \
         INSERT INTO jobs (kind, order_key, dedupe_key, payload, state, run_at, created_at, \
         updated_at) SELECT 'create_package', 'done-' || i, 'done-' || i, '{}', 'done', i, \
         i, i FROM generate_series(1, 15000) i; \
         INSERT INTO jobs (kind, order_key, dedupe_key, payload, state, attempts, run_at, \
         lease_until, lease_id, created_at, updated_at) \
         SELECT 'create_package', 'order-' || (i % 2500), 'job-' || i, '{}', \
         CASE WHEN i <= 200 THEN 'running' ELSE 'queued' END, \
         CASE WHEN i <= 200 THEN 1 ELSE 0 END, i, \
         CASE WHEN i <= 200 THEN 9000000000000 END, \
         CASE WHEN i <= 200 THEN 'lease-' || i END, i, i \
         FROM generate_series(1, 5000) i",
    )
    .execute(&store.pool)
    .await
    .unwrap();

    let claim = plan_of(&store, CLAIM_POSTGRES, |query| {
        query
            .bind(9_000_000_000_000_i64)
            .bind("lease-new")
            .bind(10_000_i64)
            .bind(100_i64)
            .bind(CLAIM_WINDOW)
    })
    .await;
    assert!(updated_rows(&claim) == Some(100), "it claims: {claim}");
    for line in claim.lines().filter(|line| line.contains("jobs_ready")) {
        assert!(
            line.contains("loops=1)"),
            "the queue is walked once: {claim}"
        );
    }
    assert!(!claim.contains("Rows Removed by Join Filter"), "{claim}");

    let running: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, lease_id, order_key FROM jobs WHERE state = 'running' ORDER BY id LIMIT 100",
    )
    .fetch_all(&store.pool)
    .await
    .unwrap();
    assert_eq!(running.len(), 100);
    let finish = plan_of(&store, &finish_done_sql(100), |mut query| {
        query = query.bind(10_000_i64);
        for (id, lease, _) in &running {
            query = query.bind(*id).bind(lease.clone());
        }
        for (_, _, order) in &running {
            query = query.bind(order.clone());
        }
        query
    })
    .await;
    assert!(
        updated_rows(&finish) == Some(100),
        "it finishes every job: {finish}"
    );
    assert!(
        finish.contains("jobs_pkey"),
        "jobs are read by id: {finish}"
    );
    assert!(
        !finish.contains("Index Cond: ((state = 'running'"),
        "running jobs are not walked: {finish}"
    );
}
