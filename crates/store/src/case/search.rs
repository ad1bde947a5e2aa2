//! Chinese search: the words of each case, and the newest cases that contain every word of
//! a query, within a queue filter's visibility rules.

use super::queue::{CaseFilter, by_ids};
use super::record::CaseRow;
use super::write::{SEARCH_POSTGRES, SEARCH_SQLITE};
use crate::row::{self, Val};
use crate::{BackendKind, Result, Store, Tx};

/// Store the search words of a case (replacing earlier ones).
pub async fn put_search_doc(tx: &mut Tx, case_id: i64, words: &str) -> Result<()> {
    let vals: [Val<'_>; 2] = [case_id.into(), words.into()];
    match tx.kind() {
        BackendKind::Sqlite => {
            row::execute(tx, "DELETE FROM case_search WHERE rowid = $1", &vals[..1]).await?;
            row::execute(tx, SEARCH_SQLITE, &vals).await?;
        }
        BackendKind::Postgres => {
            row::execute(tx, SEARCH_POSTGRES, &vals).await?;
        }
    }
    Ok(())
}

/// How many index matches one search round looks at (newest first) before filtering.
const SEARCH_WINDOW: i64 = 1000;
/// PostgreSQL: how many of the newest indexed cases a search reads in order before asking the
/// word index (see [`search_window`]).
const PG_NEWEST_ROWS: i64 = 5_000;
/// Rounds before a search gives up filling its page (a word in half a million cases, none of
/// them visible to this user, must not walk them all).
const SEARCH_ROUNDS: usize = 8;

/// Cases whose search words contain every one of `words`, newest first, within the filter's
/// visibility rules.
///
/// The index is asked for its newest matches a window at a time (`ORDER BY id DESC LIMIT`
/// inside the index query), then those are filtered: a common word costs one window, not a
/// sort of every case that contains it.
pub async fn search(store: &Store, words: &[String], f: &CaseFilter) -> Result<Vec<CaseRow>> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let limit = f.limit.clamp(1, 500);
    let mut out: Vec<CaseRow> = Vec::new();
    let mut below = i64::MAX;
    for _ in 0..SEARCH_ROUNDS {
        let (rows, window_full, lowest) = search_window(store, words, f, below, limit).await?;
        out.extend(rows);
        if out.len() as i64 >= limit || !window_full {
            break;
        }
        below = lowest;
    }
    out.truncate(limit as usize);
    Ok(out)
}

/// One window: matches with id below `below`; answers the visible rows, whether the window was
/// full (more may follow) and its lowest id.
async fn search_window(
    store: &Store,
    words: &[String],
    f: &CaseFilter,
    below: i64,
    limit: i64,
) -> Result<(Vec<CaseRow>, bool, i64)> {
    // `(ids, more may follow below the lowest)`.
    let (ids, more): (Vec<i64>, bool) = match &store.backend {
        crate::Backend::Sqlite { read, .. } => {
            // Each word a quoted FTS5 string: no operator in user input is ever interpreted.
            let q: Vec<String> = words
                .iter()
                .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
                .collect();
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT rowid FROM case_search WHERE case_search MATCH $1 AND rowid < $2 \
                 ORDER BY rowid DESC LIMIT $3",
            )
            .bind(q.join(" "))
            .bind(below)
            .bind(SEARCH_WINDOW)
            .fetch_all(read)
            .await?;
            let more = ids.len() as i64 == SEARCH_WINDOW;
            (ids, more)
        }
        crate::Backend::Postgres(p) => {
            // PostgreSQL's GIN index answers every match unordered, and its estimate for words
            // that occur together is far too low, so a common pair was sorted from tens of
            // thousands of rows. First look through the newest rows only (the LIMIT inside
            // keeps the planner from pushing the match into a GIN scan); a word that is not
            // common there is rare, and the index answers it quickly.
            let q = words.join(" ");
            let newest: Vec<i64> = sqlx::query_scalar(
                "SELECT case_id FROM (SELECT case_id, doc FROM case_search WHERE case_id < $2 \
                 ORDER BY case_id DESC LIMIT $4) w WHERE w.doc @@ plainto_tsquery('simple', $1) \
                 ORDER BY case_id DESC LIMIT $3",
            )
            .bind(&q)
            .bind(below)
            .bind(SEARCH_WINDOW)
            .bind(PG_NEWEST_ROWS)
            .fetch_all(p)
            .await?;
            if newest.len() as i64 >= limit.min(SEARCH_WINDOW) {
                // Older rows were not read: the next round goes on below these.
                (newest, true)
            } else {
                let ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT case_id FROM case_search WHERE doc @@ plainto_tsquery('simple', $1) \
                     AND case_id < $2 ORDER BY case_id DESC LIMIT $3",
                )
                .bind(&q)
                .bind(below)
                .bind(SEARCH_WINDOW)
                .fetch_all(p)
                .await?;
                let more = ids.len() as i64 == SEARCH_WINDOW;
                (ids, more)
            }
        }
    };
    let (full, lowest) = (more, ids.last().copied().unwrap_or(0));
    if ids.is_empty() {
        return Ok((Vec::new(), false, 0));
    }
    let rows = by_ids(
        store,
        &ids,
        Some(&CaseFilter { limit, ..f.clone() }),
        "s.id DESC",
    )
    .await?;
    Ok((rows, full, lowest))
}
