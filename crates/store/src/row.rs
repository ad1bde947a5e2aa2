//! One way to write each row, whichever path writes it.
//!
//! A row that several paths write (case intake on SQLite straight on the connection, intake
//! on PostgreSQL through sqlx, appends in use cases, the bulk loader) is described once: its
//! table, its columns, and the values of one row in that order ([`Insert`] and a `values`
//! function beside it). The statement texts — one row, or many in one statement — are made
//! from that description, and the values are bound the same way on every driver, so a new
//! column is one line here and cannot be forgotten on one path.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// A value bound into a statement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Val<'a> {
    Int(Option<i64>),
    Int32(i32),
    Text(Option<&'a str>),
    /// A list stored as one comma-joined text (a case's tags).
    List(&'a [String]),
    Bool(bool),
    Time(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
    /// A row's seal ([`crate::seal`]), stored as its text.
    Seal(sanbao_domain::audit::Seal),
}

impl From<i64> for Val<'_> {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}

impl From<Option<i64>> for Val<'_> {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}

impl From<i32> for Val<'_> {
    fn from(v: i32) -> Self {
        Val::Int32(v)
    }
}

impl<'a> From<&'a str> for Val<'a> {
    fn from(v: &'a str) -> Self {
        Val::Text(Some(v))
    }
}

impl<'a> From<&'a String> for Val<'a> {
    fn from(v: &'a String) -> Self {
        Val::Text(Some(v))
    }
}

impl<'a> From<Option<&'a str>> for Val<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Val::Text(v)
    }
}

impl<'a> From<&'a [String]> for Val<'a> {
    fn from(v: &'a [String]) -> Self {
        Val::List(v)
    }
}

impl From<bool> for Val<'_> {
    fn from(v: bool) -> Self {
        Val::Bool(v)
    }
}

impl From<DateTime<Utc>> for Val<'_> {
    fn from(v: DateTime<Utc>) -> Self {
        Val::Time(Some(v))
    }
}

impl From<Option<DateTime<Utc>>> for Val<'_> {
    fn from(v: Option<DateTime<Utc>>) -> Self {
        Val::Time(v)
    }
}

impl From<Option<NaiveDate>> for Val<'_> {
    fn from(v: Option<NaiveDate>) -> Self {
        Val::Date(v)
    }
}

/// How rows of one table are inserted: its columns, in the order the row's values come.
pub(crate) struct Insert {
    pub table: &'static str,
    pub columns: &'static [&'static str],
}

impl Insert {
    /// `INSERT INTO table (columns) VALUES ($1, …)` followed by `tail` (a conflict clause, a
    /// `RETURNING`): one text for sqlx on both backends and for rusqlite (SQLite numbers `$n`
    /// parameters by their first appearance, in order).
    pub(crate) fn one(&self, tail: &str) -> String {
        let marks: Vec<String> = (1..=self.columns.len()).map(|i| format!("${i}")).collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({}){}{tail}",
            self.table,
            self.columns.join(", "),
            marks.join(", "),
            if tail.is_empty() { "" } else { " " },
        )
    }

    /// The head of a many-row insert (`INSERT INTO table (columns) `), optionally with the
    /// caller's ids first: PostgreSQL's identity columns take them when told so.
    pub(crate) fn many_head(&self, with_id: Option<crate::BackendKind>) -> String {
        match with_id {
            None => format!("INSERT INTO {} ({}) ", self.table, self.columns.join(", ")),
            Some(kind) => format!(
                "INSERT INTO {} (id, {}){} ",
                self.table,
                self.columns.join(", "),
                match kind {
                    crate::BackendKind::Sqlite => "",
                    crate::BackendKind::Postgres => " OVERRIDING SYSTEM VALUE",
                }
            ),
        }
    }
}

/// An instant as the text sqlx stores in SQLite (RFC 3339, UTC offset `+00:00`, fractional
/// seconds only when there are some): rows written through rusqlite compare and sort with the
/// others.
pub(crate) fn sqlite_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A civil date as the text sqlx stores in SQLite (`YYYY-MM-DD`).
pub(crate) fn sqlite_date(d: NaiveDate) -> String {
    d.format("%F").to_string()
}

impl rusqlite::ToSql for Val<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value};
        Ok(match *self {
            Val::Int(v) => v.map_or(ToSqlOutput::Owned(Value::Null), |v| v.into()),
            Val::Int32(v) => v.into(),
            Val::Text(v) => v.map_or(ToSqlOutput::Owned(Value::Null), |v| v.into()),
            Val::List(v) => ToSqlOutput::Owned(v.join(",").into()),
            Val::Bool(v) => v.into(),
            Val::Time(v) => ToSqlOutput::Owned(v.map_or(Value::Null, |t| sqlite_time(t).into())),
            Val::Date(v) => ToSqlOutput::Owned(v.map_or(Value::Null, |d| sqlite_date(d).into())),
            Val::Seal(v) => ToSqlOutput::Owned(v.as_str().to_owned().into()),
        })
    }
}

/// Bind `v` to a sqlx query on either backend.
macro_rules! bind_val {
    ($q:expr, $v:expr) => {
        match $v {
            $crate::row::Val::Int(x) => $q.bind(x),
            $crate::row::Val::Int32(x) => $q.bind(x),
            $crate::row::Val::Text(x) => $q.bind(x),
            $crate::row::Val::List(x) => $q.bind(x.join(",")),
            $crate::row::Val::Bool(x) => $q.bind(x),
            $crate::row::Val::Time(x) => $q.bind(x),
            $crate::row::Val::Date(x) => $q.bind(x),
            $crate::row::Val::Seal(x) => $q.bind(x.as_str().to_owned()),
        }
    };
}
pub(crate) use bind_val;

/// Push `v` as the next bound value of a many-row insert (sqlx's `Separated`).
macro_rules! push_val {
    ($sep:expr, $v:expr) => {
        match $v {
            $crate::row::Val::Int(x) => $sep.push_bind(x),
            $crate::row::Val::Int32(x) => $sep.push_bind(x),
            $crate::row::Val::Text(x) => $sep.push_bind(x.map(str::to_owned)),
            $crate::row::Val::List(x) => $sep.push_bind(x.join(",")),
            $crate::row::Val::Bool(x) => $sep.push_bind(x),
            $crate::row::Val::Time(x) => $sep.push_bind(x),
            $crate::row::Val::Date(x) => $sep.push_bind(x),
            $crate::row::Val::Seal(x) => $sep.push_bind(x.as_str().to_owned()),
        }
    };
}
pub(crate) use push_val;

/// Run `sql` with `values` on an open transaction, on either backend; the rows affected.
pub(crate) async fn execute(
    tx: &mut crate::Tx,
    sql: &str,
    values: &[Val<'_>],
) -> crate::Result<u64> {
    Ok(crate::on_conn!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in values {
            q = bind_val!(q, *v);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?)
}

/// Run `sql` with `values` and read one `i64` back (`RETURNING id`).
pub(crate) async fn fetch_i64(
    tx: &mut crate::Tx,
    sql: &str,
    values: &[Val<'_>],
) -> crate::Result<Option<i64>> {
    Ok(crate::on_conn!(tx, c => {
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
        for v in values {
            q = bind_val!(q, *v);
        }
        q.fetch_optional(c).await
    })?)
}

/// Rows per many-row INSERT statement (well under both backends' bound-parameter limits).
pub(crate) const ROWS: usize = 400;

/// Insert rows of `spec` (values of each row, the caller's id first when `with_id`) in
/// statements of [`ROWS`] rows.
pub(crate) async fn insert_rows(
    tx: &mut crate::Tx,
    spec: &Insert,
    with_id: bool,
    rows: Vec<Vec<Val<'_>>>,
) -> crate::Result<()> {
    let head = spec.many_head(with_id.then(|| tx.kind()));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Val<'_>>> = rows.by_ref().take(ROWS).collect();
        crate::on_conn!(tx, c => {
            let mut qb = sqlx::QueryBuilder::new(head.as_str());
            qb.push_values(chunk, |mut sep, row| {
                for v in row {
                    push_val!(sep, v);
                }
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// `id` followed by the row's values.
pub(crate) fn with_id(id: i64, mut values: Vec<Val<'_>>) -> Vec<Val<'_>> {
    values.insert(0, id.into());
    values
}

/// `n` new ids of `table`, in order, for rows the caller writes with [`with_id`] in the
/// same transaction: from its identity sequence on PostgreSQL (safe beside concurrent
/// writers), above the highest id on SQLite (whose single writer runs one transaction).
pub(crate) async fn reserve_ids(
    tx: &mut crate::Tx,
    table: &str,
    n: usize,
) -> crate::Result<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let count = i64::try_from(n).unwrap_or(i64::MAX);
    Ok(match &mut tx.conn {
        crate::TxConn::Sqlite(t) => {
            let max: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COALESCE(MAX(id), 0) FROM {table}"
            )))
            .fetch_one(&mut **t)
            .await?;
            (max + 1..=max + count).collect()
        }
        crate::TxConn::Postgres(t) => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
        )))
        .bind(count)
        .fetch_all(&mut **t)
        .await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use sqlx::Connection;

    #[test]
    fn statements_come_from_the_columns() {
        let i = Insert {
            table: "t",
            columns: &["a", "b"],
        };
        assert_eq!(i.one(""), "INSERT INTO t (a, b) VALUES ($1, $2)");
        assert_eq!(
            i.one("RETURNING a"),
            "INSERT INTO t (a, b) VALUES ($1, $2) RETURNING a"
        );
        assert_eq!(
            i.many_head(Some(crate::BackendKind::Postgres)),
            "INSERT INTO t (id, a, b) OVERRIDING SYSTEM VALUE "
        );
    }

    /// The text rusqlite is given is the text sqlx writes for the same value.
    #[tokio::test]
    async fn times_and_dates_are_stored_as_sqlx_stores_them() {
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        let instants = [
            Utc.with_ymd_and_hms(2026, 9, 30, 10, 0, 0).unwrap(),
            Utc.timestamp_opt(1_790_000_000, 123_456_000).unwrap(),
            Utc.timestamp_opt(1_790_000_000, 5_000).unwrap(),
        ];
        for t in instants {
            let by_sqlx: String = sqlx::query_scalar("SELECT CAST($1 AS TEXT)")
                .bind(t)
                .fetch_one(&mut c)
                .await
                .unwrap();
            assert_eq!(sqlite_time(t), by_sqlx);
        }
        let day = NaiveDate::from_ymd_opt(2026, 10, 9).unwrap();
        let by_sqlx: String = sqlx::query_scalar("SELECT CAST($1 AS TEXT)")
            .bind(day)
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(sqlite_date(day), by_sqlx);
    }
}
