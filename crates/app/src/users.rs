//! Managing staff accounts.

use std::collections::BTreeMap;

use sanbao_domain::role::{Permission, Role};
use sanbao_domain::user::{DisplayName, Lang, NewPassword, Username};
use sanbao_domain::{FieldError, FieldErrors};
use sanbao_store::users::{self as repo, UserFilter, UserRow};
use sanbao_store::{StoreError, Tx, desks, sessions};
use serde_json::json;

use crate::secret::{hash_password, random_password};
use crate::{Actor, App, AppError, Result, audit};

/// A new account as submitted.
#[derive(Debug, Clone, Default)]
pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    /// Empty: generate one and return it.
    pub password: String,
    pub roles: Vec<String>,
    pub desk_ids: Vec<i64>,
    pub lang: String,
    /// The user must choose a new password at first login (accounts made by an administrator).
    pub must_change_password: bool,
}

/// An edit of an account as submitted.
#[derive(Debug, Clone, Default)]
pub struct UpdateUser {
    pub version: i64,
    pub display_name: String,
    pub lang: String,
    pub active: bool,
    pub roles: Vec<String>,
    pub desk_ids: Vec<i64>,
}

/// An account as the pages show it.
#[derive(Debug, Clone)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub lang: Lang,
    pub active: bool,
    pub must_change_password: bool,
    pub roles: Vec<Role>,
    /// `(desk id, desk name)`.
    pub desks: Vec<(i64, String)>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub version: i64,
}

/// A created account, with the initial password when Sanbao generated it.
pub struct CreatedUser {
    pub user: UserView,
    pub generated_password: Option<String>,
}

impl std::fmt::Debug for CreatedUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedUser")
            .field("user", &self.user)
            .field(
                "generated_password",
                &self.generated_password.as_ref().map(|_| "***"),
            )
            .finish()
    }
}

#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub q: Option<String>,
    pub role: Option<String>,
    pub desk_id: Option<i64>,
    pub active: Option<bool>,
    pub after_id: Option<i64>,
}

pub struct UserPage {
    pub users: Vec<UserView>,
    pub next_after: Option<i64>,
}

fn parse_roles(raw: &[String]) -> Result<Vec<Role>, FieldError> {
    let mut roles: Vec<Role> = raw
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<Role>().map_err(|e| FieldError {
                field: "roles",
                ..e
            })
        })
        .collect::<Result<_, _>>()?;
    roles.sort();
    roles.dedup();
    Ok(roles)
}

async fn check_desks(tx: &mut Tx, ids: &[i64]) -> Result<Vec<i64>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let found = desks::existing_ids_tx(tx, &ids).await?;
    if found.len() != ids.len() {
        return Err(AppError::invalid("desk_ids", "unknown", "所选部门不存在"));
    }
    Ok(ids)
}

/// Creating, editing or resetting an administrator's account, or granting the role, is
/// administrator's work: `user.manage` alone must not lead to full control.
fn guard_admin(actor: &Actor, touches_admin: bool) -> Result<()> {
    if touches_admin {
        actor.require(Permission::RoleManage)?;
    }
    Ok(())
}

impl App {
    pub async fn create_user(&self, actor: &Actor, input: CreateUser) -> Result<CreatedUser> {
        actor.require(Permission::UserManage)?;
        let mut errs = FieldErrors::default();
        let username = errs.check(Username::parse(&input.username));
        let display_name = errs.check(DisplayName::parse(&input.display_name));
        let roles = errs.check(parse_roles(&input.roles));
        let lang = if input.lang.is_empty() {
            Some(Lang::ZhCn)
        } else {
            errs.check(input.lang.parse::<Lang>())
        };
        let password = match (&username, input.password.is_empty()) {
            (Some(u), false) => errs
                .check(NewPassword::parse(&input.password, u))
                .map(|p| (p.expose().to_owned(), false)),
            (Some(_), true) => Some((random_password()?, true)),
            (None, _) => None,
        };
        errs.into_result()?;
        let (
            Some(username),
            Some(display_name),
            Some(roles),
            Some(lang),
            Some((password, generated)),
        ) = (username, display_name, roles, lang, password)
        else {
            return Err(AppError::Fault("a parsed field is missing".into()));
        };
        guard_admin(actor, roles.contains(&Role::Administrator))?;
        let hash = hash_password(password.clone()).await?;
        let now = sanbao_domain::time::now();
        let mut tx = self.store.begin().await?;
        let desk_ids = check_desks(&mut tx, &input.desk_ids).await?;
        let id = match repo::insert(
            &mut tx,
            &repo::NewUser {
                username: username.as_str(),
                display_name: display_name.as_str(),
                password_hash: &hash,
                lang: lang.code(),
                must_change_password: input.must_change_password || generated,
                now,
            },
        )
        .await
        {
            Err(StoreError::Unique) => {
                return Err(AppError::Duplicate(FieldError::new(
                    "username",
                    "taken",
                    format!("用户名 {username} 已被使用"),
                )));
            }
            other => other?,
        };
        let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
        repo::set_roles(&mut tx, id, &codes).await?;
        repo::set_desks(&mut tx, id, &desk_ids).await?;
        audit::record(
            &mut tx,
            actor,
            "user.create",
            "user",
            id,
            json!({
                "username": username.as_str(),
                "display_name": display_name.as_str(),
                "roles": codes,
                "desk_ids": desk_ids,
                "lang": lang.code(),
            }),
        )
        .await?;
        tx.commit().await?;
        let user = self.user_view(id).await?;
        Ok(CreatedUser {
            user,
            generated_password: generated.then_some(password),
        })
    }

    pub async fn update_user(&self, actor: &Actor, id: i64, input: UpdateUser) -> Result<UserView> {
        actor.require(Permission::UserManage)?;
        let mut errs = FieldErrors::default();
        let display_name = errs.check(DisplayName::parse(&input.display_name));
        let roles = errs.check(parse_roles(&input.roles));
        let lang = errs.check(input.lang.parse::<Lang>());
        errs.into_result()?;
        let (Some(display_name), Some(roles), Some(lang)) = (display_name, roles, lang) else {
            return Err(AppError::Fault("a parsed field is missing".into()));
        };
        if actor.user_id == Some(id) && !input.active {
            return Err(AppError::rule("self_disable", "不能停用自己的账号"));
        }
        if actor.user_id == Some(id) && !roles.contains(&Role::Administrator) {
            return Err(AppError::rule(
                "self_demote",
                "不能取消自己的系统管理员角色（请由另一位管理员操作）",
            ));
        }
        let now = sanbao_domain::time::now();
        let mut tx = self.store.begin().await?;
        let before = repo::by_id_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        let desk_ids = check_desks(&mut tx, &input.desk_ids).await?;
        let roles_before = repo::role_codes_tx(&mut tx, id).await?;
        guard_admin(
            actor,
            roles.contains(&Role::Administrator)
                || roles_before.iter().any(|r| r == Role::Administrator.code()),
        )?;
        let desks_before = repo::desk_ids_tx(&mut tx, id).await?;
        repo::update_profile(
            &mut tx,
            id,
            input.version,
            display_name.as_str(),
            lang.code(),
            input.active,
            now,
        )
        .await?;
        let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
        repo::set_roles(&mut tx, id, &codes).await?;
        repo::set_desks(&mut tx, id, &desk_ids).await?;
        if !input.active {
            sessions::delete_for_user(&mut tx, id, None).await?;
        }
        let mut changes = BTreeMap::new();
        diff(
            &mut changes,
            "display_name",
            json!(before.display_name),
            json!(display_name.as_str()),
        );
        diff(&mut changes, "lang", json!(before.lang), json!(lang.code()));
        diff(
            &mut changes,
            "active",
            json!(before.active),
            json!(input.active),
        );
        diff(&mut changes, "roles", json!(roles_before), json!(codes));
        diff(
            &mut changes,
            "desk_ids",
            json!(desks_before),
            json!(desk_ids),
        );
        let action = match (before.active, input.active) {
            (true, false) => "user.disable",
            (false, true) => "user.enable",
            _ => "user.update",
        };
        audit::record(&mut tx, actor, action, "user", id, json!(changes)).await?;
        tx.commit().await?;
        self.user_view(id).await
    }

    /// Give a user a new random password, to be changed at next login; ends their sessions.
    pub async fn reset_password(&self, actor: &Actor, id: i64) -> Result<String> {
        actor.require(Permission::UserManage)?;
        let password = random_password()?;
        self.set_password_as_admin(actor, id, &password, true)
            .await?;
        Ok(password)
    }

    /// Set a user's password to a chosen value (CLI). Ends their sessions.
    pub async fn set_password_as_admin(
        &self,
        actor: &Actor,
        id: i64,
        password: &str,
        must_change: bool,
    ) -> Result<()> {
        actor.require(Permission::UserManage)?;
        let user = repo::by_id(&self.store, id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        let roles = repo::role_codes_of(&self.store, id).await?;
        guard_admin(actor, roles.iter().any(|r| r == Role::Administrator.code()))?;
        let username = Username::parse(&user.username)?;
        let checked = if must_change {
            // A generated one-time password; the policy applies to the one the user picks.
            password.to_owned()
        } else {
            NewPassword::parse(password, &username)?.expose().to_owned()
        };
        let hash = hash_password(checked).await?;
        let mut tx = self.store.begin().await?;
        repo::set_password(&mut tx, id, &hash, must_change, sanbao_domain::time::now()).await?;
        sessions::delete_for_user(&mut tx, id, None).await?;
        audit::record(
            &mut tx,
            actor,
            "user.reset_password",
            "user",
            id,
            json!({"must_change_password": must_change}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn get_user(&self, actor: &Actor, id: i64) -> Result<UserView> {
        actor.require(Permission::UserManage)?;
        self.user_view(id).await
    }

    pub async fn find_user_id(&self, actor: &Actor, username: &str) -> Result<i64> {
        actor.require(Permission::UserManage)?;
        let u = Username::parse(username)?;
        repo::by_username(&self.store, u.as_str())
            .await?
            .map(|u| u.id)
            .ok_or(AppError::NotFound("user"))
    }

    pub async fn list_users(&self, actor: &Actor, q: UserQuery, limit: i64) -> Result<UserPage> {
        actor.require(Permission::UserManage)?;
        let mut rows = repo::list(
            &self.store,
            &UserFilter {
                q: q.q,
                role: q.role.filter(|r| !r.is_empty()),
                desk_id: q.desk_id,
                active: q.active,
                after_id: q.after_id,
                limit: limit + 1,
            },
        )
        .await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let users = self.views(rows).await?;
        let next_after = if more {
            users.last().map(|u| u.id)
        } else {
            None
        };
        Ok(UserPage { users, next_after })
    }

    /// Active users holding `role` (for pickers such as a desk's supervisor).
    pub async fn users_with_role(&self, actor: &Actor, role: Role) -> Result<Vec<UserView>> {
        if !actor.can(Permission::DeskManage) && !actor.can(Permission::UserManage) {
            return Err(AppError::Forbidden(Permission::DeskManage));
        }
        let rows = repo::list(
            &self.store,
            &UserFilter {
                role: Some(role.code().to_owned()),
                active: Some(true),
                limit: 500,
                ..Default::default()
            },
        )
        .await?;
        self.views(rows).await
    }

    async fn user_view(&self, id: i64) -> Result<UserView> {
        let row = repo::by_id(&self.store, id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        Ok(self.views(vec![row]).await?.remove(0))
    }

    /// Rows to views with two queries for the whole list (roles, desks).
    async fn views(&self, rows: Vec<UserRow>) -> Result<Vec<UserView>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let (roles, desks) = repo::roles_and_desks_of(&self.store, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| UserView {
                id: r.id,
                roles: roles
                    .iter()
                    .filter(|(u, _)| *u == r.id)
                    .filter_map(|(_, c)| c.parse().ok())
                    .collect(),
                desks: desks
                    .iter()
                    .filter(|(u, _, _)| *u == r.id)
                    .map(|(_, d, n)| (*d, n.clone()))
                    .collect(),
                username: r.username,
                display_name: r.display_name,
                lang: r.lang.parse().unwrap_or_default(),
                active: r.active,
                must_change_password: r.must_change_password,
                created_at: r.created_at,
                version: r.version,
            })
            .collect())
    }
}

/// Record `field: {from, to}` when the value changed.
pub(crate) fn diff(
    out: &mut BTreeMap<&'static str, serde_json::Value>,
    field: &'static str,
    before: serde_json::Value,
    after: serde_json::Value,
) {
    if before != after {
        out.insert(field, json!({"from": before, "to": after}));
    }
}
