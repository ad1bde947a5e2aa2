//! Seals of the rows that make up the record (see [`sanbao_domain::audit::seal`]): which
//! columns of which table are sealed, how a row's values become the canonical text the seal
//! covers — the same whether the row is being written (its [`Val`]s) or read back by either
//! driver — resealing after a change, checking every row, and sealing the rows written before
//! seals existed, once.

use chrono::{DateTime, NaiveDate, Utc};
use sanbao_domain::audit::seal::{self, Field};
use sanbao_domain::audit::{AuditKey, AuditRecord, Seal, SealBreak};
use sqlx::Row;

use crate::row::{Insert, Val};
use crate::{Result, Store, Tx, on_conn, on_pool};

/// How a sealed column is read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Int,
    Int32,
    Text,
    Bool,
    Time,
    Date,
}

/// A sealed table: its sealed columns in seal order, and the column that names a row in
/// `audit verify`'s report.
pub struct Sealed {
    pub table: &'static str,
    pub(crate) label: &'static str,
    pub(crate) fields: &'static [(&'static str, Ty)],
    /// Columns added after rows of the table were sealed: a NULL there is left out of the
    /// seal, so the rows sealed before the column existed still check, while a value written
    /// into one of them later, or removed from a newer row, breaks its seal.
    pub(crate) late: &'static [&'static str],
}

/// What a case is: everything but the queue's projections of its clocks (`next_due_at`,
/// `due_key`, `next_check_at`, `is_open`, `calendar_rev`, recomputed from the clocks and the
/// state) and the bookkeeping of edits (`updated_at`, `version`).
pub const CASE: Sealed = Sealed {
    table: "service_case",
    late: &[],
    label: "number",
    fields: &[
        ("number", Ty::Text),
        ("kind", Ty::Text),
        ("channel", Ty::Text),
        ("customer_id", Ty::Int),
        ("subject", Ty::Text),
        ("description", Ty::Text),
        ("priority", Ty::Text),
        ("desk_id", Ty::Int),
        ("assignee_id", Ty::Int),
        ("state", Ty::Text),
        ("policy_name", Ty::Text),
        ("policy_version", Ty::Int32),
        ("received_at", Ty::Time),
        ("regulator_ref", Ty::Text),
        ("regulator_accepted_on", Ty::Date),
        ("resolved_at", Ty::Time),
        ("breached", Ty::Bool),
        ("escalated", Ty::Bool),
        ("tags", Ty::Text),
        ("created_by", Ty::Int),
        ("created_at", Ty::Time),
    ],
};

pub const CUSTOMER: Sealed = Sealed {
    table: "customer",
    late: &[],
    label: "id",
    fields: &[
        ("kind", Ty::Text),
        ("name", Ty::Text),
        ("phone", Ty::Text),
        ("address", Ty::Text),
        ("credit_code", Ty::Text),
        ("created_at", Ty::Time),
    ],
};

/// A customer's contact person: who they are to the customer and the phone that finds them.
pub const CONTACT: Sealed = Sealed {
    table: "customer_contact",
    late: &[],
    label: "id",
    fields: &[
        ("customer_id", Ty::Int),
        ("name", Ty::Text),
        ("role", Ty::Text),
        ("phone", Ty::Text),
        ("created_at", Ty::Time),
    ],
};

pub const EVENT: Sealed = Sealed {
    table: "case_event",
    late: &[],
    label: "id",
    fields: &[
        ("case_id", Ty::Int),
        ("at", Ty::Time),
        ("actor_id", Ty::Int),
        ("actor_name", Ty::Text),
        ("kind", Ty::Text),
        ("body", Ty::Text),
        ("data", Ty::Text),
    ],
};

/// A catalogue entry: what its units' warranty and tracking come from.
pub const PRODUCT: Sealed = Sealed {
    table: "product",
    late: &["supplier_repairs", "main_parts", "main_parts_months"],
    label: "model",
    fields: &[
        ("model", Ty::Text),
        ("name", Ty::Text),
        ("category", Ty::Text),
        ("brand", Ty::Text),
        ("manufacturer", Ty::Text),
        ("specification", Ty::Text),
        ("price_fen", Ty::Int),
        ("warranty_months", Ty::Int32),
        ("tracking", Ty::Text),
        ("installation_required", Ty::Bool),
        ("created_at", Ty::Time),
        ("supplier_repairs", Ty::Bool),
        ("main_parts", Ty::Text),
        ("main_parts_months", Ty::Int),
    ],
};

/// A sold unit: its dates and the policy snapshot its windows and warranty run under.
pub const UNIT: Sealed = Sealed {
    table: "unit",
    late: &["channel"],
    label: "serial",
    fields: &[
        ("serial", Ty::Text),
        ("quantity", Ty::Int32),
        ("product_id", Ty::Int),
        ("customer_id", Ty::Int),
        ("sold_on", Ty::Date),
        ("delivered_on", Ty::Date),
        ("installed_on", Ty::Date),
        ("invoice_no", Ty::Text),
        ("policy_name", Ty::Text),
        ("policy_version", Ty::Int32),
        ("replaces_id", Ty::Int),
        ("created_at", Ty::Time),
        ("channel", Ty::Text),
    ],
};

/// Every sealed table, in the order `audit verify` checks them.
pub const TABLES: [&Sealed; 6] = [&CUSTOMER, &CONTACT, &CASE, &EVENT, &PRODUCT, &UNIT];

/// A value as the seal covers it. Instants are taken to the microsecond: PostgreSQL keeps no
/// more, so a seal made before the write checks against the row read back.
fn canon(v: Val<'_>) -> Option<String> {
    match v {
        Val::Int(x) => x.map(|n| n.to_string()),
        Val::Int32(x) => Some(x.to_string()),
        Val::Text(x) => x.map(str::to_owned),
        Val::List(x) => Some(x.join(",")),
        Val::Bool(x) => Some(if x { "1" } else { "0" }.to_owned()),
        Val::Time(x) => x.map(|t| t.timestamp_micros().to_string()),
        Val::Date(x) => x.map(|d| d.format("%F").to_string()),
        Val::Seal(_) => None,
    }
}

/// The fields a row's seal covers: every sealed column, but a late one only when it holds a
/// value.
fn fields_of<'a>(s: &Sealed, values: &'a [Option<String>]) -> Vec<Field<'a>> {
    s.fields
        .iter()
        .zip(values)
        .filter(|((name, _), v)| v.is_some() || !s.late.contains(name))
        .map(|((name, _), v)| (*name, v.as_deref()))
        .collect()
}

fn seal_of(key: &AuditKey, s: &Sealed, values: &[Option<String>]) -> Seal {
    seal::seal(key, s.table, &fields_of(s, values))
}

impl Sealed {
    /// The values of a row about to be written through `ins` (in its column order, `seal`
    /// last and not yet given), with its seal added at the end.
    pub(crate) fn append<'a>(
        &self,
        key: &AuditKey,
        ins: &Insert,
        mut values: Vec<Val<'a>>,
    ) -> Vec<Val<'a>> {
        debug_assert_eq!(ins.columns.last(), Some(&"seal"));
        let canon: Vec<Option<String>> = self
            .fields
            .iter()
            .map(|(name, _)| {
                let i = ins
                    .columns
                    .iter()
                    .position(|c| c == name)
                    .expect("every sealed column is written");
                canon(values[i])
            })
            .collect();
        values.push(Val::Seal(seal_of(key, self, &canon)));
        values
    }

    fn select(&self) -> String {
        let cols: Vec<&str> = self.fields.iter().map(|(n, _)| *n).collect();
        format!("SELECT id, seal, {}, {}", self.label, cols.join(", "))
    }
}

/// The canonical values of one row read back: `(id, seal, label, fields)`.
type ReadRow = (i64, Option<String>, String, Vec<Option<String>>);

macro_rules! read_row {
    ($r:expr, $s:expr) => {{
        let r = $r;
        let mut vals = Vec::with_capacity($s.fields.len());
        for (i, (_, ty)) in $s.fields.iter().enumerate() {
            let at = i + 3;
            vals.push(match ty {
                Ty::Int => r.try_get::<Option<i64>, _>(at)?.map(|n| n.to_string()),
                Ty::Int32 => r.try_get::<Option<i32>, _>(at)?.map(|n| n.to_string()),
                Ty::Text => r.try_get::<Option<String>, _>(at)?,
                Ty::Bool => r
                    .try_get::<Option<bool>, _>(at)?
                    .map(|b| if b { "1" } else { "0" }.to_owned()),
                Ty::Time => r
                    .try_get::<Option<DateTime<Utc>>, _>(at)?
                    .map(|t| t.timestamp_micros().to_string()),
                Ty::Date => r
                    .try_get::<Option<NaiveDate>, _>(at)?
                    .map(|d| d.format("%F").to_string()),
            });
        }
        let label: String = match $s.label {
            "id" => r.try_get::<i64, _>(0)?.to_string(),
            _ => r.try_get::<String, _>(2)?,
        };
        (
            r.try_get::<i64, _>(0)?,
            r.try_get::<Option<String>, _>(1)?,
            label,
            vals,
        )
    }};
}

/// Seal again the row `id` of `s` as it now is, inside the transaction that changed it.
pub(crate) async fn reseal(tx: &mut Tx, s: &Sealed, id: i64) -> Result<()> {
    let sql = format!("{} FROM {} WHERE id = $1", s.select(), s.table);
    let row: Option<ReadRow> = on_conn!(tx, c => {
        match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *c).await? {
            Some(r) => Some(read_row!(r, s)),
            None => None,
        }
    });
    let Some((_, _, _, vals)) = row else {
        return Ok(());
    };
    let seal = seal_of(&tx.audit_key, s, &vals);
    crate::row::execute(
        tx,
        &format!("UPDATE {} SET seal = $1 WHERE id = $2", s.table),
        &[Val::Seal(seal), id.into()],
    )
    .await?;
    Ok(())
}

/// A row whose seal does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub table: &'static str,
    /// The row's case number, or its id.
    pub label: String,
    pub why: SealBreak,
}

/// One batch of [`check_batch`].
pub struct Checked {
    /// The last id read (`None`: no row after the one asked for).
    pub last: Option<i64>,
    pub read: usize,
    pub broken: Vec<Broken>,
}

/// Up to `limit` rows of `s` after `after` (by id), checked against their seals.
pub async fn check_batch(
    store: &Store,
    s: &'static Sealed,
    after: i64,
    limit: i64,
) -> Result<Checked> {
    let sql = format!(
        "{} FROM {} WHERE id > $1 ORDER BY id LIMIT $2",
        s.select(),
        s.table
    );
    let rows: Vec<ReadRow> = on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after).bind(limit).fetch_all(c).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(read_row!(r, s));
        }
        out
    });
    let key = store.audit_key();
    let last = rows.last().map(|r| r.0);
    let read = rows.len();
    let broken = rows
        .into_iter()
        .filter_map(|(_, stored, label, vals)| {
            seal::check(key, s.table, &fields_of(s, &vals), stored.as_deref())
                .err()
                .map(|why| Broken {
                    table: s.table,
                    label,
                    why,
                })
        })
        .collect();
    Ok(Checked { last, read, broken })
}

/// The migration that added the seal columns.
pub(crate) const MIGRATION: i64 = 11;

/// The migration that gave every customer their first contact and folded organisations
/// entered once per phone into one: the rows it wrote or moved are sealed after it.
pub(crate) const CONTACTS_MIGRATION: i64 = 14;

/// The audit action of sealing the rows written before seals existed.
pub const SEALED_EXISTING: &str = "records.seal_existing";

/// Seal the rows written before seals existed, with an audit entry that says how many: run
/// when the migration adding seals, or the one adding customer contacts, has just been
/// applied (a database upgraded from before; on a new one there is nothing to seal and
/// nothing is written), or by an operator's `sanbao audit seal-existing` after an upgrade
/// that was interrupted between the two. At no other time is an unsealed row sealed:
/// `audit verify` names it.
pub async fn seal_existing(store: &Store) -> Result<u64> {
    let mut counts = serde_json::Map::new();
    let mut total = 0u64;
    let mut tx = store.begin().await?;
    for s in TABLES {
        let mut n = 0u64;
        loop {
            let sql = format!(
                "{} FROM {} WHERE seal IS NULL ORDER BY id LIMIT 1000",
                s.select(),
                s.table
            );
            let rows: Vec<ReadRow> = on_conn!(tx, c => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *c).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in &rows {
                    out.push(read_row!(r, s));
                }
                out
            });
            if rows.is_empty() {
                break;
            }
            let update = format!("UPDATE {} SET seal = $1 WHERE id = $2", s.table);
            for (id, _, _, vals) in &rows {
                let seal = seal_of(&tx.audit_key, s, vals);
                crate::row::execute(&mut tx, &update, &[Val::Seal(seal), (*id).into()]).await?;
            }
            n += rows.len() as u64;
        }
        counts.insert(s.table.to_owned(), n.into());
        total += n;
    }
    if total == 0 {
        return Ok(0);
    }
    crate::audit::append(
        &mut tx,
        AuditRecord {
            at: sanbao_domain::time::now(),
            actor_id: None,
            actor_name: "system".to_owned(),
            action: SEALED_EXISTING.to_owned(),
            record_type: "database".to_owned(),
            record_id: String::new(),
            changes: serde_json::Value::Object(counts).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(total)
}
