//! Queues: which cases a queue shows, a page of them in due order, and capped counts.

use chrono::{DateTime, Utc};
use sanbao_domain::case::{Channel, Kind, State};

use super::record::{CASE_SELECT, CaseRow, Read};
use crate::{Result, Store, on_pool};

/// Which cases a queue shows.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only open cases (new, in progress, waiting).
    pub open_only: bool,
    pub kinds: Vec<Kind>,
    pub states: Vec<State>,
    pub channel: Option<Channel>,
    pub desk_ids: Option<Vec<i64>>,
    pub assignee_id: Option<i64>,
    pub unassigned: bool,
    pub customer_id: Option<i64>,
    pub breached: Option<bool>,
    pub escalated: Option<bool>,
    /// Next due time from `due_from` on (due soon: not yet past).
    pub due_from: Option<DateTime<Utc>>,
    /// A running clock's due-soon window has begun by then (the 即将超时 queue).
    pub soon_by: Option<DateTime<Utc>>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_to: Option<DateTime<Utc>>,
    /// Only cases carrying this tag.
    pub tag: Option<String>,
    /// Complaints are visible only to these conditions: `None` = all visible; `Some(me)` =
    /// complaints only where assigned to `me`.
    pub complaints_only_assigned_to: Option<i64>,
    /// Keyset cursor: rows after `(due_key, id)`.
    pub after: Option<(i64, i64)>,
    pub limit: i64,
}

/// The filter's conditions, once for both dialects (the builder numbers the placeholders).
fn push_filters<DB: sqlx::Database>(qb: &mut sqlx::QueryBuilder<DB>, f: &CaseFilter)
where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> &'t str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> bool: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> DateTime<Utc>: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    // Literal TRUE/FALSE (not bound) where a partial index's condition must be recognised.
    if f.open_only {
        qb.push(" AND s.is_open = TRUE");
    }
    if !f.kinds.is_empty() {
        qb.push(" AND s.kind IN (");
        let mut sep = qb.separated(", ");
        for k in &f.kinds {
            sep.push_bind(k.code());
        }
        qb.push(")");
    }
    if !f.states.is_empty() {
        qb.push(" AND s.state IN (");
        let mut sep = qb.separated(", ");
        for k in &f.states {
            sep.push_bind(k.code());
        }
        qb.push(")");
    }
    if let Some(ch) = &f.channel {
        qb.push(" AND s.channel = ").push_bind(ch.code());
    }
    if let Some(desks) = &f.desk_ids {
        if desks.is_empty() {
            qb.push(" AND 1 = 0");
        } else {
            qb.push(" AND s.desk_id IN (");
            let mut sep = qb.separated(", ");
            for d in desks {
                sep.push_bind(*d);
            }
            qb.push(")");
        }
    }
    if let Some(a) = f.assignee_id {
        qb.push(" AND s.assignee_id = ").push_bind(a);
    }
    if f.unassigned {
        qb.push(" AND s.assignee_id IS NULL");
    }
    if let Some(c) = f.customer_id {
        qb.push(" AND s.customer_id = ").push_bind(c);
    }
    match f.breached {
        Some(true) => qb.push(" AND s.breached = TRUE"),
        Some(false) => qb.push(" AND s.breached = FALSE"),
        None => qb,
    };
    match f.escalated {
        Some(true) => qb.push(" AND s.escalated = TRUE"),
        Some(false) => qb.push(" AND s.escalated = FALSE"),
        None => qb,
    };
    if let Some(t) = f.due_from {
        qb.push(" AND s.due_key >= ").push_bind(t.timestamp());
    }
    if let Some(t) = f.soon_by {
        qb.push(" AND s.soon_key <= ").push_bind(t.timestamp());
    }
    if let Some(t) = f.received_from {
        qb.push(" AND s.received_at >= ").push_bind(t);
    }
    if let Some(t) = f.received_to {
        qb.push(" AND s.received_at < ").push_bind(t);
    }
    if let Some(t) = &f.tag {
        qb.push(" AND EXISTS (SELECT 1 FROM case_tag ct WHERE ct.case_id = s.id AND ct.tag = ")
            .push_bind(t.clone())
            .push(")");
    }
    if let Some(me) = f.complaints_only_assigned_to {
        qb.push(" AND (s.kind <> 'complaint' OR s.assignee_id = ")
            .push_bind(me)
            .push(")");
    }
}

/// One page of a queue, by next due time (cases without a clock last), then id: a walk along
/// one of the `(…, due_key, id)` indexes, never a sort of the whole queue.
///
/// The page's ids are found first, from the case table alone, then its rows with their
/// customer, desk and assignee. Asked in one query with the joins, PostgreSQL walked the
/// all-open-cases index filtering by assignee (7.5 ms for 我的服务单 at a million cases)
/// instead of the assignee's own index (0.2 ms, index-only).
pub async fn list(store: &Store, f: &CaseFilter) -> Result<Vec<CaseRow>> {
    let ids: Vec<i64> = on_pool!(store, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT s.id FROM service_case s WHERE 1=1");
        push_filters(&mut qb, f);
        if let Some((due, id)) = f.after {
            qb.push(" AND (s.due_key, s.id) > (").push_bind(due).push(", ").push_bind(id).push(")");
        }
        // The due-soon queue is the few cases whose window has begun: found on their own
        // partial index and sorted. Ordered on the bare column, SQLite walked every open case
        // due from now on instead, to skip the sort (2.8 ms against 0.02 ms at 200,000 cases).
        let order = if f.soon_by.is_some() { "s.due_key + 0, s.id" } else { "s.due_key, s.id" };
        qb.push(format!(" ORDER BY {order} LIMIT "))
            .push_bind(f.limit.clamp(1, 500));
        qb.build_query_scalar::<i64>().fetch_all(c).await
    })?;
    // The filter again: a case changed between the two reads is not shown where it no longer
    // belongs.
    by_ids(store, &ids, Some(f), "s.due_key, s.id").await
}

/// The cases with these ids (and passing `f`, if given), in `order`, at most `f.limit`.
pub(crate) async fn by_ids(
    store: &Store,
    ids: &[i64],
    f: Option<&CaseFilter>,
    order: &str,
) -> Result<Vec<CaseRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let limit = f.map_or(ids.len() as i64, |f| f.limit);
    let rows: Vec<Read> = match &store.backend {
        crate::Backend::Sqlite { read, .. } => {
            let mut qb = sqlx::QueryBuilder::new(format!("{CASE_SELECT} WHERE s.id IN "));
            push_id_list(&mut qb, ids);
            if let Some(f) = f {
                push_filters(&mut qb, f);
            }
            qb.push(format!(" ORDER BY {order} LIMIT "))
                .push_bind(limit);
            qb.build_query_as::<Read>().fetch_all(read).await?
        }
        // A thousand literal ids took PostgreSQL ~4 ms to plan; one array parameter does not,
        // and it is one prepared statement whatever the count.
        crate::Backend::Postgres(p) => {
            let mut qb = sqlx::QueryBuilder::new(format!("{CASE_SELECT} WHERE s.id = ANY("));
            qb.push_bind(ids.to_vec()).push(")");
            if let Some(f) = f {
                push_filters(&mut qb, f);
            }
            qb.push(format!(" ORDER BY {order} LIMIT "))
                .push_bind(limit);
            qb.build_query_as::<Read>().fetch_all(p).await?
        }
    };
    Ok(rows.into_iter().map(CaseRow::from).collect())
}

/// How many cases match each filter, counting at most `cap` each (so a queue badge never
/// scans a million rows), in one round trip.
pub async fn counts_capped(store: &Store, filters: &[CaseFilter], cap: i64) -> Result<Vec<i64>> {
    if filters.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, i64)> = on_pool!(store, c => {
        let mut qb = sqlx::QueryBuilder::new("");
        for (i, f) in filters.iter().enumerate() {
            if i > 0 {
                qb.push(" UNION ALL ");
            }
            qb.push(format!("SELECT CAST({i} AS BIGINT) AS q, COUNT(*) AS n FROM (SELECT 1 FROM service_case s WHERE 1=1"));
            push_filters(&mut qb, f);
            qb.push(" LIMIT ").push_bind(cap).push(format!(") capped{i}"));
        }
        qb.build_query_as::<(i64, i64)>().fetch_all(c).await
    })?;
    let mut out = vec![0; filters.len()];
    for (i, n) in rows {
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
            *slot = n;
        }
    }
    Ok(out)
}

/// `(id, id, …)` as bound parameters, for SQLite (PostgreSQL takes one array parameter).
pub(crate) fn push_id_list(qb: &mut sqlx::QueryBuilder<sqlx::Sqlite>, ids: &[i64]) {
    qb.push("(");
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")");
}
