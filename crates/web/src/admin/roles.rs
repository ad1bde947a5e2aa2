//! Roles and their permissions (设置 → 角色权限).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use sanbao_app::AppError;
use sanbao_app::admin::roles::RoleView;
use sanbao_domain::role::{Permission, Role};
use serde::Deserialize;

use crate::AppState;
use crate::error::{PageError, classify};
use crate::form::FormData;
use crate::layout::{Layout, Section};
use crate::page::{render, render_status};
use crate::session::Staff;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/roles", get(list))
        .route("/settings/roles/{code}", get(edit_form).post(update))
}

struct PermRow {
    label: &'static str,
    /// One cell per role, in `Role::ALL` order.
    cells: Vec<bool>,
}

#[derive(Template)]
#[template(path = "admin/roles.html")]
struct RolesPage {
    layout: Layout,
    roles: Vec<(Role, &'static str, i64)>,
    rows: Vec<PermRow>,
    can_edit: bool,
}

#[derive(Deserialize)]
struct Notice {
    notice: Option<String>,
}

async fn list(State(state): State<AppState>, staff: Staff, Query(n): Query<Notice>) -> Response {
    let tr = staff.tr;
    let views = match state.app.roles().list(staff.actor()).await {
        Ok(v) => v,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let rows = Permission::ALL
        .iter()
        .map(|p| PermRow {
            label: tr.pick(p.label_zh(), p.label_en()),
            cells: views.iter().map(|v| v.permissions.contains(p)).collect(),
        })
        .collect();
    let roles = views
        .iter()
        .map(|v| {
            (
                v.role,
                tr.pick(v.role.label_zh(), v.role.label_en()),
                v.active_members,
            )
        })
        .collect();
    let notice = n.notice.as_deref().map(|_| tr.t("notice.saved"));
    let layout = Layout::new(
        &staff,
        Section::Settings,
        tr.t("settings.roles"),
        state.cfg.timezone,
    )
    .with_notice(notice);
    render(&RolesPage {
        layout,
        roles,
        rows,
        can_edit: staff.actor().can(Permission::RoleManage),
    })
}

struct PermOption {
    code: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "admin/role_form.html")]
struct RoleForm {
    layout: Layout,
    code: &'static str,
    version: i64,
    perms: Vec<PermOption>,
    error: Option<String>,
}

fn role_form(
    state: &AppState,
    staff: &Staff,
    view: &RoleView,
    checked: &[String],
    error: Option<String>,
) -> Response {
    let tr = staff.tr;
    let title = format!(
        "{} · {}",
        tr.t("settings.roles"),
        tr.pick(view.role.label_zh(), view.role.label_en())
    );
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let layout = Layout::new(staff, Section::Settings, &title, state.cfg.timezone);
    render_status(
        status,
        &RoleForm {
            layout,
            code: view.role.code(),
            version: view.version,
            perms: Permission::ALL
                .iter()
                .map(|p| PermOption {
                    code: p.code(),
                    label: tr.pick(p.label_zh(), p.label_en()),
                    checked: checked.iter().any(|c| c == p.code()),
                })
                .collect(),
            error,
        },
    )
}

async fn find(state: &AppState, staff: &Staff, code: &str) -> Result<RoleView, AppError> {
    state
        .app
        .roles()
        .list(staff.actor())
        .await?
        .into_iter()
        .find(|v| v.role.code() == code)
        .ok_or(AppError::NotFound("role"))
}

async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Response {
    if let Err(e) = staff.actor().require(Permission::RoleManage) {
        return PageError::new(e, staff.tr).into_response();
    }
    match find(&state, &staff, &code).await {
        Ok(v) => {
            let checked: Vec<String> = v.permissions.iter().map(|p| p.code().to_owned()).collect();
            role_form(&state, &staff, &v, &checked, None)
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let perms = f.all("permissions");
    match state
        .app
        .roles()
        .set_permissions(staff.actor(), &code, f.version(), &perms)
        .await
    {
        Ok(()) => Redirect::to("/settings/roles?notice=saved").into_response(),
        Err(e @ (AppError::Rule { .. } | AppError::Invalid(_))) => {
            match find(&state, &staff, &code).await {
                Ok(v) => role_form(&state, &staff, &v, &perms, Some(classify(&e, staff.tr).2)),
                Err(e) => PageError::new(e, staff.tr).into_response(),
            }
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
