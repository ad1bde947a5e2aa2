//! Staff accounts and their roles and desks.

use chrono::{DateTime, Utc};

use crate::{Result, Store, StoreError, Tx, on_conn, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub lang: String,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub lang: &'a str,
    pub must_change_password: bool,
    pub now: DateTime<Utc>,
}

/// Filters of the user list page.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Part of the user name or display name.
    pub q: Option<String>,
    pub role: Option<String>,
    pub desk_id: Option<i64>,
    pub active: Option<bool>,
    /// Users with `id` greater than this (cursor paging).
    pub after_id: Option<i64>,
    pub limit: i64,
}

const USER_COLS: &str = "id, username, display_name, password_hash, lang, active, \
    must_change_password, created_at, updated_at, version";

pub async fn insert(tx: &mut Tx, u: &NewUser<'_>) -> Result<i64> {
    let id: i64 = on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO user_account (username, display_name, password_hash, lang, active, \
         must_change_password, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, TRUE, $5, $6, $6, 1) RETURNING id")
        .bind(u.username)
        .bind(u.display_name)
        .bind(u.password_hash)
        .bind(u.lang)
        .bind(u.must_change_password)
        .bind(u.now)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn by_username(store: &Store, username: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM user_account WHERE username = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(c).await)?,
    )
}

pub async fn by_id(store: &Store, id: i64) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM user_account WHERE id = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?,
    )
}

pub async fn by_id_tx(tx: &mut Tx, id: i64) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM user_account WHERE id = $1");
    Ok(
        on_conn!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await)?,
    )
}

pub async fn count(store: &Store) -> Result<i64> {
    Ok(
        on_pool!(store, c => sqlx::query_scalar("SELECT COUNT(*) FROM user_account").fetch_one(c).await)?,
    )
}

pub async fn count_tx(tx: &mut Tx) -> Result<i64> {
    Ok(
        on_conn!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM user_account").fetch_one(c).await)?,
    )
}

/// One page of users, by id, filtered. Roles and desks come from [`roles_and_desks_of`] in one
/// more query for the whole page (never one query per row).
pub async fn list(store: &Store, f: &UserFilter) -> Result<Vec<UserRow>> {
    on_pool!(store, c => {
        let mut qb = sqlx::QueryBuilder::new(format!("SELECT {USER_COLS} FROM user_account u WHERE 1=1"));
        if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
            let pat = format!("%{}%", escape_like(&q.to_lowercase()));
            qb.push(" AND (u.username LIKE ").push_bind(pat.clone())
                .push(" ESCAPE '\\' OR lower(u.display_name) LIKE ").push_bind(pat)
                .push(" ESCAPE '\\')");
        }
        if let Some(role) = &f.role {
            qb.push(" AND EXISTS (SELECT 1 FROM user_role ur JOIN role r ON r.id = ur.role_id \
                     WHERE ur.user_id = u.id AND r.code = ").push_bind(role.clone()).push(")");
        }
        if let Some(desk) = f.desk_id {
            qb.push(" AND EXISTS (SELECT 1 FROM user_desk ud WHERE ud.user_id = u.id AND ud.desk_id = ")
                .push_bind(desk).push(")");
        }
        if let Some(active) = f.active {
            qb.push(" AND u.active = ").push_bind(active);
        }
        if let Some(after) = f.after_id {
            qb.push(" AND u.id > ").push_bind(after);
        }
        qb.push(" ORDER BY u.id LIMIT ").push_bind(f.limit.clamp(1, 500));
        Ok(qb.build_query_as::<UserRow>().fetch_all(c).await?)
    })
}

/// `(user_id, role code)` and `(user_id, desk id, desk name)` for the given users.
pub async fn roles_and_desks_of(
    store: &Store,
    user_ids: &[i64],
) -> Result<(Vec<(i64, String)>, Vec<(i64, i64, String)>)> {
    if user_ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    on_pool!(store, c => {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT ur.user_id, r.code FROM user_role ur JOIN role r ON r.id = ur.role_id WHERE ur.user_id IN (");
        let mut sep = qb.separated(", ");
        for id in user_ids { sep.push_bind(*id); }
        qb.push(") ORDER BY ur.user_id, r.id");
        let roles: Vec<(i64, String)> = qb.build_query_as().fetch_all(c).await?;
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT ud.user_id, d.id, d.name FROM user_desk ud JOIN desk d ON d.id = ud.desk_id WHERE ud.user_id IN (");
        let mut sep = qb.separated(", ");
        for id in user_ids { sep.push_bind(*id); }
        qb.push(") ORDER BY ud.user_id, d.name");
        let desks: Vec<(i64, i64, String)> = qb.build_query_as().fetch_all(c).await?;
        Ok((roles, desks))
    })
}

/// What a user may do and where. Every request needs it, so it comes as three columns of the
/// row that authenticates the request ([`GRANT_COLUMNS`]): one round trip, one row.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    pub permissions: Vec<String>,
    /// Role codes, in role order.
    pub roles: Vec<String>,
    pub desk_ids: Vec<i64>,
}

/// The columns `grant_permissions`, `grant_roles` and `grant_desks` of the user `u`: codes
/// joined by commas (codes hold none), for [`Grants::from_columns`]. `string_agg` with
/// `ORDER BY` is the same on both backends (SQLite ≥ 3.44).
pub const GRANT_COLUMNS: &str = "\
    (SELECT string_agg(rp.permission, ',') FROM user_role ur \
     JOIN role_permission rp ON rp.role_id = ur.role_id WHERE ur.user_id = u.id) AS grant_permissions, \
    (SELECT string_agg(r.code, ',' ORDER BY r.id) FROM user_role ur \
     JOIN role r ON r.id = ur.role_id WHERE ur.user_id = u.id) AS grant_roles, \
    (SELECT string_agg(CAST(ud.desk_id AS TEXT), ',') FROM user_desk ud \
     WHERE ud.user_id = u.id) AS grant_desks";

/// The columns of [`GRANT_COLUMNS`], as read.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct GrantRow {
    grant_permissions: Option<String>,
    grant_roles: Option<String>,
    grant_desks: Option<String>,
}

impl GrantRow {
    pub fn grants(&self) -> Grants {
        Grants::from_columns(
            self.grant_permissions.as_deref(),
            self.grant_roles.as_deref(),
            self.grant_desks.as_deref(),
        )
    }
}

impl Grants {
    /// Read back the columns of [`GRANT_COLUMNS`].
    fn from_columns(permissions: Option<&str>, roles: Option<&str>, desks: Option<&str>) -> Self {
        let split = |s: Option<&str>| -> Vec<String> {
            s.unwrap_or_default()
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let mut permissions = split(permissions);
        permissions.sort();
        permissions.dedup();
        let mut desk_ids: Vec<i64> = split(desks).iter().filter_map(|d| d.parse().ok()).collect();
        desk_ids.sort_unstable();
        Grants {
            permissions,
            roles: split(roles),
            desk_ids,
        }
    }
}

pub async fn grants_of(store: &Store, user_id: i64) -> Result<Grants> {
    let sql = format!("SELECT {GRANT_COLUMNS} FROM user_account u WHERE u.id = $1");
    let (p, r, d): (Option<String>, Option<String>, Option<String>) = on_pool!(store, c =>
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user_id).fetch_optional(c).await)?
    .unwrap_or_default();
    Ok(Grants::from_columns(
        p.as_deref(),
        r.as_deref(),
        d.as_deref(),
    ))
}

/// The role codes a user holds.
pub async fn role_codes_of(store: &Store, user_id: i64) -> Result<Vec<String>> {
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT r.code FROM user_role ur JOIN role r ON r.id = ur.role_id WHERE ur.user_id = $1 ORDER BY r.id")
        .bind(user_id).fetch_all(c).await)?)
}

/// Change name, language and active flag, if `version` is still current.
pub async fn update_profile(
    tx: &mut Tx,
    id: i64,
    version: i64,
    display_name: &str,
    lang: &str,
    active: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let n = on_conn!(tx, c => sqlx::query(
        "UPDATE user_account SET display_name = $1, lang = $2, active = $3, updated_at = $4, \
         version = version + 1 WHERE id = $5 AND version = $6")
        .bind(display_name).bind(lang).bind(active).bind(now).bind(id).bind(version)
        .execute(c).await.map(|r| r.rows_affected()))?;
    stale_unless_one(n)
}

pub async fn set_lang(tx: &mut Tx, id: i64, lang: &str, now: DateTime<Utc>) -> Result<()> {
    let n = on_conn!(tx, c => sqlx::query(
        "UPDATE user_account SET lang = $1, updated_at = $2, version = version + 1 WHERE id = $3")
        .bind(lang).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    found_unless_zero(n)
}

pub async fn set_password(
    tx: &mut Tx,
    id: i64,
    password_hash: &str,
    must_change: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let n = on_conn!(tx, c => sqlx::query(
        "UPDATE user_account SET password_hash = $1, must_change_password = $2, updated_at = $3, \
         version = version + 1 WHERE id = $4")
        .bind(password_hash).bind(must_change).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    found_unless_zero(n)
}

/// Replace a user's roles with `role_codes` (codes that name no role are ignored by the join;
/// the app validates them first).
pub async fn set_roles(tx: &mut Tx, user_id: i64, role_codes: &[&str]) -> Result<()> {
    on_conn!(tx, c => {
        sqlx::query("DELETE FROM user_role WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
        for code in role_codes {
            sqlx::query("INSERT INTO user_role (user_id, role_id) SELECT $1, id FROM role WHERE code = $2")
                .bind(user_id).bind(*code).execute(&mut *c).await?;
        }
    });
    Ok(())
}

pub async fn set_desks(tx: &mut Tx, user_id: i64, desk_ids: &[i64]) -> Result<()> {
    on_conn!(tx, c => {
        sqlx::query("DELETE FROM user_desk WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
        for d in desk_ids {
            sqlx::query("INSERT INTO user_desk (user_id, desk_id) VALUES ($1, $2)")
                .bind(user_id).bind(*d).execute(&mut *c).await?;
        }
    });
    Ok(())
}

/// Role codes of one user, inside a transaction (for audit "before" values).
pub async fn role_codes_tx(tx: &mut Tx, user_id: i64) -> Result<Vec<String>> {
    Ok(on_conn!(tx, c => sqlx::query_scalar(
        "SELECT r.code FROM user_role ur JOIN role r ON r.id = ur.role_id WHERE ur.user_id = $1 ORDER BY r.id")
        .bind(user_id).fetch_all(c).await)?)
}

pub async fn desk_ids_tx(tx: &mut Tx, user_id: i64) -> Result<Vec<i64>> {
    Ok(on_conn!(tx, c => sqlx::query_scalar(
        "SELECT desk_id FROM user_desk WHERE user_id = $1 ORDER BY desk_id")
        .bind(user_id).fetch_all(c).await)?)
}

pub(crate) fn stale_unless_one(n: u64) -> Result<()> {
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

pub(crate) fn found_unless_zero(n: u64) -> Result<()> {
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Escape `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Active users holding any of `permissions` through a role: `(id, display name)`, by name.
pub async fn with_any_permission(
    store: &Store,
    permissions: &[&str],
) -> Result<Vec<(i64, String)>> {
    Ok(on_pool!(store, c => {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT DISTINCT u.id, u.display_name FROM user_account u \
             JOIN user_role ur ON ur.user_id = u.id JOIN role_permission rp ON rp.role_id = ur.role_id \
             WHERE u.active = TRUE AND rp.permission IN (",
        );
        let mut sep = qb.separated(", ");
        for p in permissions {
            sep.push_bind(*p);
        }
        qb.push(") ORDER BY u.display_name, u.id");
        qb.build_query_as().fetch_all(c).await
    })?)
}

/// Whether active user `id` holds any of `permissions` through a role.
pub async fn has_any_permission(store: &Store, id: i64, permissions: &[&str]) -> Result<bool> {
    Ok(on_pool!(store, c => {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT COUNT(*) FROM user_account u JOIN user_role ur ON ur.user_id = u.id \
             JOIN role_permission rp ON rp.role_id = ur.role_id WHERE u.active = TRUE AND u.id = ",
        );
        qb.push_bind(id).push(" AND rp.permission IN (");
        let mut sep = qb.separated(", ");
        for p in permissions {
            sep.push_bind(*p);
        }
        qb.push(")");
        qb.build_query_scalar::<i64>().fetch_one(c).await
    })? > 0)
}
