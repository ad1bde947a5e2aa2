//! Managing staff accounts.

use sanbao_domain::audit::{Action, RecordType};
use std::collections::BTreeMap;

use sanbao_domain::role::{Permission, Role};
use sanbao_domain::user::{DisplayName, Lang, NewPassword, Username};
use sanbao_domain::{DeskId, FieldError, FieldErrors, UserId, text};
use sanbao_store::admin::desks;
use sanbao_store::admin::users::{self as repo, UserFilter, UserRow};
use sanbao_store::auth::sessions;
use sanbao_store::{StoreError, Tx};
use serde_json::json;

use crate::secret::{hash_password, random_password};
use crate::{Actor, AppError, Result, audit};

crate::facade!(
    /// Staff accounts.
    Users,
    users
);

/// A new account as submitted.
#[derive(Debug, Clone, Default)]
pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    /// Empty: generate one and return it.
    pub password: String,
    pub roles: Vec<String>,
    pub desk_ids: Vec<DeskId>,
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
    pub desk_ids: Vec<DeskId>,
}

/// An account as the pages show it.
#[derive(Debug, Clone)]
pub struct UserView {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub lang: Lang,
    pub active: bool,
    pub must_change_password: bool,
    pub roles: Vec<Role>,
    /// `(desk id, desk name)`.
    pub desks: Vec<(DeskId, String)>,
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
    pub desk_id: Option<DeskId>,
    pub active: Option<bool>,
    pub after_id: Option<UserId>,
}

pub struct UserPage {
    pub users: Vec<UserView>,
    pub next_after: Option<UserId>,
}

fn parse_roles(raw: &[String]) -> Result<Vec<Role>, FieldError> {
    let mut roles: Vec<Role> = raw
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<Role>().map_err(|e: FieldError| e.on("roles")))
        .collect::<Result<_, _>>()?;
    roles.sort();
    roles.dedup();
    Ok(roles)
}

async fn check_desks(tx: &mut Tx, ids: &[DeskId]) -> Result<Vec<i64>> {
    let mut ids: Vec<i64> = ids.iter().map(|d| d.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let found = desks::existing_ids_tx(tx, &ids).await?;
    if found.len() != ids.len() {
        return Err(AppError::invalid(
            "desk_ids",
            "unknown",
            text!("case.desk_unknown"),
        ));
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

/// A new account, checked.
struct NewAccount {
    username: Username,
    display_name: DisplayName,
    roles: Vec<Role>,
    lang: Lang,
    password: String,
    /// Sanbao made the password up (it is shown once and must be changed).
    generated: bool,
}

impl NewAccount {
    fn parse(input: &CreateUser) -> Result<NewAccount> {
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
        match (username, display_name, roles, lang, password) {
            (
                Some(username),
                Some(display_name),
                Some(roles),
                Some(lang),
                Some((password, generated)),
            ) => Ok(NewAccount {
                username,
                display_name,
                roles,
                lang,
                password,
                generated,
            }),
            _ => Err(AppError::fault("a parsed field is missing")),
        }
    }
}

impl Users<'_> {
    #[tracing::instrument(name = "user.create", skip_all)]
    pub async fn create(&self, actor: &Actor, input: CreateUser) -> Result<CreatedUser> {
        actor.require(Permission::UserManage)?;
        let NewAccount {
            username,
            display_name,
            roles,
            lang,
            password,
            generated,
        } = NewAccount::parse(&input)?;
        guard_admin(actor, roles.contains(&Role::Administrator))?;
        let hash = hash_password(password.clone()).await?;
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
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
                    text!("user.username_taken", username = username.as_str()),
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
            Action::UserCreate,
            RecordType::User,
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
        let user = self.view(UserId(id)).await?;
        Ok(CreatedUser {
            user,
            generated_password: generated.then_some(password),
        })
    }

    #[tracing::instrument(name = "user.update", skip_all, fields(user = %id))]
    pub async fn update(&self, actor: &Actor, id: UserId, input: UpdateUser) -> Result<UserView> {
        actor.require(Permission::UserManage)?;
        let mut errs = FieldErrors::default();
        let display_name = errs.check(DisplayName::parse(&input.display_name));
        let roles = errs.check(parse_roles(&input.roles));
        let lang = errs.check(input.lang.parse::<Lang>());
        errs.into_result()?;
        let (Some(display_name), Some(roles), Some(lang)) = (display_name, roles, lang) else {
            return Err(AppError::fault("a parsed field is missing"));
        };
        if actor.user_id == Some(id) && !input.active {
            return Err(AppError::rule("self_disable", text!("user.self_disable")));
        }
        if actor.user_id == Some(id) && !roles.contains(&Role::Administrator) {
            return Err(AppError::rule("self_demote", text!("user.self_demote")));
        }
        let id = id.0;
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
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
            (true, false) => Action::UserDisable,
            (false, true) => Action::UserEnable,
            _ => Action::UserUpdate,
        };
        audit::record(&mut tx, actor, action, RecordType::User, id, json!(changes)).await?;
        tx.commit().await?;
        self.view(UserId(id)).await
    }

    /// Give a user a new random password, to be changed at next login; ends their sessions.
    pub async fn reset_password(&self, actor: &Actor, id: UserId) -> Result<String> {
        actor.require(Permission::UserManage)?;
        let password = random_password()?;
        self.set_password(actor, id, &password, true).await?;
        Ok(password)
    }

    /// Set a user's password to a chosen value (CLI). Ends their sessions.
    pub async fn set_password(
        &self,
        actor: &Actor,
        id: UserId,
        password: &str,
        must_change: bool,
    ) -> Result<()> {
        actor.require(Permission::UserManage)?;
        let id = id.0;
        let user = repo::by_id(&self.app.store, id)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        let roles = repo::role_codes_of(&self.app.store, id).await?;
        guard_admin(actor, roles.iter().any(|r| r == Role::Administrator.code()))?;
        let username = Username::parse(&user.username)?;
        let checked = if must_change {
            // A generated one-time password; the policy applies to the one the user picks.
            password.to_owned()
        } else {
            NewPassword::parse(password, &username)?.expose().to_owned()
        };
        let hash = hash_password(checked).await?;
        let mut tx = self.app.store.begin().await?;
        repo::set_password(&mut tx, id, &hash, must_change, sanbao_domain::time::now()).await?;
        sessions::delete_for_user(&mut tx, id, None).await?;
        audit::record(
            &mut tx,
            actor,
            Action::UserResetPassword,
            RecordType::User,
            id,
            json!({"must_change_password": must_change}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn get(&self, actor: &Actor, id: UserId) -> Result<UserView> {
        actor.require(Permission::UserManage)?;
        self.view(id).await
    }

    pub async fn find_id(&self, actor: &Actor, username: &str) -> Result<UserId> {
        actor.require(Permission::UserManage)?;
        let u = Username::parse(username)?;
        repo::by_username(&self.app.store, u.as_str())
            .await?
            .map(|u| UserId(u.id))
            .ok_or(AppError::NotFound("user"))
    }

    pub async fn list(&self, actor: &Actor, q: UserQuery, limit: i64) -> Result<UserPage> {
        actor.require(Permission::UserManage)?;
        let mut rows = repo::list(
            &self.app.store,
            &UserFilter {
                q: q.q,
                role: q.role.filter(|r| !r.is_empty()),
                desk_id: q.desk_id.map(|d| d.0),
                active: q.active,
                after_id: q.after_id.map(|u| u.0),
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
    pub async fn with_role(&self, actor: &Actor, role: Role) -> Result<Vec<UserView>> {
        if !actor.can(Permission::DeskManage) && !actor.can(Permission::UserManage) {
            return Err(AppError::Forbidden(Permission::DeskManage));
        }
        let rows = repo::list(
            &self.app.store,
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

    async fn view(&self, id: UserId) -> Result<UserView> {
        let row = repo::by_id(&self.app.store, id.0)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        Ok(self.views(vec![row]).await?.remove(0))
    }

    /// Rows to views with two queries for the whole list (roles, desks).
    async fn views(&self, rows: Vec<UserRow>) -> Result<Vec<UserView>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let (roles, desks) = repo::roles_and_desks_of(&self.app.store, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| UserView {
                id: UserId(r.id),
                roles: roles
                    .iter()
                    .filter(|(u, _)| *u == r.id)
                    .filter_map(|(_, c)| c.parse().ok())
                    .collect(),
                desks: desks
                    .iter()
                    .filter(|(u, _, _)| *u == r.id)
                    .map(|(_, d, n)| (DeskId(*d), n.clone()))
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
