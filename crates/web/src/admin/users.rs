//! User management (设置 → 用户).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use sanbao_app::AppError;
use sanbao_app::admin::desks::Desk;
use sanbao_app::admin::users::{CreateUser, UpdateUser, UserQuery, UserView};
use sanbao_domain::role::Role;
use sanbao_domain::{DeskId, FieldError, UserId};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::form::FormData;
use crate::layout::{Layout, Section};
use crate::page::{render, render_status};
use crate::session::{Staff, urlencode};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/users", get(list).post(create))
        .route("/settings/users/new", get(new_form))
        .route("/settings/users/{id}", get(edit_form).post(update))
        .route("/settings/users/{id}/reset-password", post(reset_password))
}

pub(crate) struct RoleOption {
    pub code: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

pub(crate) struct DeskOption {
    pub id: DeskId,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserView>,
    q: String,
    role: String,
    desk_id: Option<DeskId>,
    status: String,
    roles: Vec<RoleOption>,
    desks: Vec<Desk>,
    next_url: Option<String>,
}

impl UsersPage {
    fn role_labels(&self, u: &UserView) -> String {
        u.roles
            .iter()
            .map(|r| self.layout.tr.pick(r.label_zh(), r.label_en()))
            .collect::<Vec<_>>()
            .join("、")
    }

    fn is_desk(&self, id: &DeskId) -> bool {
        self.desk_id == Some(*id)
    }

    fn desk_labels(&self, u: &UserView) -> String {
        u.desks
            .iter()
            .map(|d| d.1.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    role: Option<String>,
    desk: Option<String>,
    status: Option<String>,
    after: Option<i64>,
    notice: Option<String>,
}

fn role_options(tr: crate::Tr, checked: &[Role]) -> Vec<RoleOption> {
    Role::ALL
        .into_iter()
        .map(|r| RoleOption {
            code: r.code(),
            label: tr.pick(r.label_zh(), r.label_en()),
            checked: checked.contains(&r),
        })
        .collect()
}

async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> Response {
    let tr = staff.tr;
    let desk_id: Option<DeskId> = q.desk.as_deref().and_then(|d| d.parse().ok());
    let status = q.status.clone().unwrap_or_else(|| "active".into());
    let active = match status.as_str() {
        "active" => Some(true),
        "disabled" => Some(false),
        _ => None,
    };
    let page = match state
        .app
        .users()
        .list(
            staff.actor(),
            UserQuery {
                q: q.q.clone().filter(|s| !s.trim().is_empty()),
                role: q.role.clone(),
                desk_id,
                active,
                after_id: q.after.map(UserId),
            },
            50,
        )
        .await
    {
        Ok(p) => p,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let desks = match state.app.desks().list(staff.actor()).await {
        Ok(d) => d,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let q_str = q.q.clone().unwrap_or_default();
    let role = q.role.clone().unwrap_or_default();
    let next_url = page.next_after.map(|after| {
        format!(
            "/settings/users?q={}&role={}&desk={}&status={}&after={after}",
            urlencode(&q_str),
            urlencode(&role),
            desk_id.map(|d| d.to_string()).unwrap_or_default(),
            urlencode(&status),
        )
    });
    let notice = match q.notice.as_deref() {
        Some("created") => Some(tr.t("notice.user_created")),
        Some("saved") => Some(tr.t("notice.saved")),
        _ => None,
    };
    let layout = Layout::new(
        &staff,
        Section::Settings,
        tr.t("settings.users"),
        state.cfg.timezone,
    )
    .with_notice(notice);
    render(&UsersPage {
        roles: role_options(tr, &[]),
        layout,
        users: page.users,
        q: q_str,
        role,
        desk_id,
        status,
        desks,
        next_url,
    })
}

#[derive(Template)]
#[template(path = "admin/user_form.html")]
struct UserForm {
    layout: Layout,
    /// `None` when creating.
    user: Option<UserView>,
    username: String,
    display_name: String,
    lang: String,
    active: bool,
    version: i64,
    roles: Vec<RoleOption>,
    desks: Vec<DeskOption>,
    errors: Vec<FieldError>,
    generated_password: Option<String>,
}

impl UserForm {
    fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.layout.tr.text(&e.message))
    }

    fn other_errors(&self) -> Vec<String> {
        const SHOWN: [&str; 5] = ["username", "display_name", "password", "roles", "desk_ids"];
        self.errors
            .iter()
            .filter(|e| !SHOWN.contains(&e.field.as_ref()))
            .map(|e| self.layout.tr.text(&e.message))
            .collect()
    }
}

async fn desk_options(
    state: &AppState,
    staff: &Staff,
    checked: &[DeskId],
) -> Result<Vec<DeskOption>, AppError> {
    Ok(state
        .app
        .desks()
        .list(staff.actor())
        .await?
        .into_iter()
        .filter(|d| d.active || checked.contains(&d.id))
        .map(|d| DeskOption {
            checked: checked.contains(&d.id),
            label: format!("{}（{}）", d.name, d.code),
            id: d.id,
        })
        .collect())
}

async fn new_form(State(state): State<AppState>, staff: Staff) -> Response {
    let tr = staff.tr;
    let desks = match desk_options(&state, &staff, &[]).await {
        Ok(d) => d,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let layout = Layout::new(
        &staff,
        Section::Settings,
        tr.t("users.new"),
        state.cfg.timezone,
    );
    render(&UserForm {
        layout,
        user: None,
        username: String::new(),
        display_name: String::new(),
        lang: "zh-CN".into(),
        active: true,
        version: 0,
        roles: role_options(tr, &[]),
        desks,
        errors: Vec::new(),
        generated_password: None,
    })
}

async fn create(State(state): State<AppState>, staff: Staff, Form(f): Form<FormData>) -> Response {
    let tr = staff.tr;
    let input = CreateUser {
        username: f.get("username").to_owned(),
        display_name: f.get("display_name").to_owned(),
        password: f.get("password").to_owned(),
        roles: f.all("roles"),
        desk_ids: f.ids("desk_ids"),
        lang: f.get("lang").to_owned(),
        must_change_password: f.checked("must_change_password"),
    };
    match state.app.users().create(staff.actor(), input.clone()).await {
        Ok(created) => match created.generated_password {
            // The generated password is shown once, on this page.
            Some(pw) => {
                user_form(
                    &state,
                    &staff,
                    Some(created.user),
                    Vec::new(),
                    None,
                    Some(pw),
                )
                .await
            }
            None => Redirect::to("/settings/users?notice=created").into_response(),
        },
        Err(AppError::Invalid(errs)) => {
            user_form(
                &state,
                &staff,
                None,
                errs.0,
                Some(Shown::from(&input)),
                None,
            )
            .await
        }
        Err(AppError::Duplicate(e)) => {
            user_form(
                &state,
                &staff,
                None,
                vec![e],
                Some(Shown::from(&input)),
                None,
            )
            .await
        }
        Err(e) => PageError::new(e, tr).into_response(),
    }
}

/// The values a user form shows: what was submitted (after a refusal) or what is stored.
#[derive(Default)]
struct Shown {
    username: String,
    display_name: String,
    lang: String,
    active: bool,
    version: i64,
    roles: Vec<Role>,
    desk_ids: Vec<DeskId>,
}

fn parse_roles(codes: &[String]) -> Vec<Role> {
    codes.iter().filter_map(|r| r.parse().ok()).collect()
}

impl From<&CreateUser> for Shown {
    fn from(s: &CreateUser) -> Self {
        Shown {
            username: s.username.clone(),
            display_name: s.display_name.clone(),
            lang: s.lang.clone(),
            active: true,
            version: 0,
            roles: parse_roles(&s.roles),
            desk_ids: s.desk_ids.clone(),
        }
    }
}

impl From<&UserView> for Shown {
    fn from(u: &UserView) -> Self {
        Shown {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            lang: u.lang.code().to_owned(),
            active: u.active,
            version: u.version,
            roles: u.roles.clone(),
            desk_ids: u.desks.iter().map(|d| d.0).collect(),
        }
    }
}

/// The form again: after a refused submit (with the submitted values and errors), or for an
/// existing user.
async fn user_form(
    state: &AppState,
    staff: &Staff,
    user: Option<UserView>,
    errors: Vec<FieldError>,
    submitted: Option<Shown>,
    generated_password: Option<String>,
) -> Response {
    let tr = staff.tr;
    let Shown {
        username,
        display_name,
        lang,
        active,
        version,
        roles,
        desk_ids,
    } = submitted.unwrap_or_else(|| user.as_ref().map(Shown::from).unwrap_or_default());
    let desks = match desk_options(state, staff, &desk_ids).await {
        Ok(d) => d,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let title = match &user {
        Some(u) => format!("{} · {}", tr.t("users.edit"), u.display_name),
        None => tr.t("users.new").to_owned(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else if errors.iter().any(|e| e.code == "taken") {
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    };
    let notice = generated_password
        .as_ref()
        .map(|_| tr.t("notice.user_created"));
    let layout =
        Layout::new(staff, Section::Settings, &title, state.cfg.timezone).with_notice(notice);
    render_status(
        status,
        &UserForm {
            layout,
            user,
            username,
            display_name,
            lang,
            active,
            version,
            roles: role_options(tr, &roles),
            desks,
            errors,
            generated_password,
        },
    )
}

async fn edit_form(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Response {
    let id = UserId(id);
    match state.app.users().get(staff.actor(), id).await {
        Ok(u) => user_form(&state, &staff, Some(u), Vec::new(), None, None).await,
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<FormData>,
) -> Response {
    let tr = staff.tr;
    let id = UserId(id);
    let input = UpdateUser {
        version: f.version(),
        display_name: f.get("display_name").to_owned(),
        lang: f.get("lang").to_owned(),
        active: f.checked("active"),
        roles: f.all("roles"),
        desk_ids: f.ids("desk_ids"),
    };
    match state
        .app
        .users()
        .update(staff.actor(), id, input.clone())
        .await
    {
        Ok(_) => Redirect::to("/settings/users?notice=saved").into_response(),
        Err(AppError::Invalid(errs)) => {
            let user = match state.app.users().get(staff.actor(), id).await {
                Ok(u) => u,
                Err(e) => return PageError::new(e, tr).into_response(),
            };
            // Show what was submitted, at the version it was read (a stale form stays stale).
            let submitted = Shown {
                username: user.username.clone(),
                display_name: input.display_name,
                lang: input.lang,
                active: input.active,
                version: input.version,
                roles: parse_roles(&input.roles),
                desk_ids: input.desk_ids,
            };
            user_form(&state, &staff, Some(user), errs.0, Some(submitted), None).await
        }
        Err(e) => PageError::new(e, tr).into_response(),
    }
}

async fn reset_password(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    let id = UserId(id);
    match state.app.users().reset_password(staff.actor(), id).await {
        Ok(pw) => match state.app.users().get(staff.actor(), id).await {
            Ok(u) => user_form(&state, &staff, Some(u), Vec::new(), None, Some(pw)).await,
            Err(e) => PageError::new(e, staff.tr).into_response(),
        },
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
