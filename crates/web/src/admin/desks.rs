//! Departments and service desks (设置 → 部门/服务台).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use sanbao_app::AppError;
use sanbao_app::admin::desks::{DESK_KINDS, Desk, DeskInput};
use sanbao_app::admin::users::UserView;
use sanbao_domain::role::Role;
use sanbao_domain::{DeskId, FieldError, UserId};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::form::FormData;
use crate::layout::{Layout, Section};
use crate::page::{render, render_status};
use crate::session::Staff;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/desks", get(list).post(create))
        .route("/settings/desks/new", get(new_form))
        .route("/settings/desks/{id}", get(edit_form).post(update))
}

#[derive(Template)]
#[template(path = "admin/desks.html")]
struct DesksPage {
    layout: Layout,
    desks: Vec<Desk>,
}

impl DesksPage {
    fn kind_label(&self, kind: &str) -> &'static str {
        kind_label(&self.layout, kind)
    }
}

fn kind_label(layout: &Layout, kind: &str) -> &'static str {
    DESK_KINDS
        .iter()
        .find(|k| k.0 == kind)
        .map_or("—", |k| layout.tr.pick(k.1, k.2))
}

#[derive(Deserialize)]
struct Notice {
    notice: Option<String>,
}

async fn list(State(state): State<AppState>, staff: Staff, Query(n): Query<Notice>) -> Response {
    let tr = staff.tr;
    match state.app.desks().list(staff.actor()).await {
        Ok(desks) => {
            let notice = match n.notice.as_deref() {
                Some("created") => Some(tr.t("notice.desk_created")),
                Some(_) => Some(tr.t("notice.saved")),
                None => None,
            };
            let layout = Layout::new(
                &staff,
                Section::Settings,
                tr.t("settings.desks"),
                state.cfg.timezone,
            )
            .with_notice(notice);
            render(&DesksPage { layout, desks })
        }
        Err(e) => PageError::new(e, tr).into_response(),
    }
}

struct KindOption {
    code: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "admin/desk_form.html")]
struct DeskForm {
    layout: Layout,
    id: Option<DeskId>,
    input: DeskInput,
    kinds: Vec<KindOption>,
    supervisors: Vec<UserView>,
    /// `(name, title)` of every policy, for the desk's default.
    policies: Vec<(String, String)>,
    errors: Vec<FieldError>,
}

impl DeskForm {
    fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.layout.tr.text(&e.message))
    }

    fn is_supervisor(&self, id: &UserId) -> bool {
        self.input.supervisor_id == Some(*id)
    }
}

async fn desk_form(
    state: &AppState,
    staff: &Staff,
    id: Option<DeskId>,
    input: DeskInput,
    errors: Vec<FieldError>,
) -> Response {
    let tr = staff.tr;
    let mut supervisors = match state
        .app
        .users()
        .with_role(staff.actor(), Role::ServiceSupervisor)
        .await
    {
        Ok(s) => s,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    if let Ok(admins) = state
        .app
        .users()
        .with_role(staff.actor(), Role::Administrator)
        .await
    {
        supervisors.extend(
            admins
                .into_iter()
                .filter(|a| !a.roles.contains(&Role::ServiceSupervisor)),
        );
    }
    let policies = match state.app.policies().list().await {
        Ok(list) => list.into_iter().map(|p| (p.name, p.title)).collect(),
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let title = if id.is_some() {
        tr.t("desks.edit")
    } else {
        tr.t("desks.new")
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else if errors.iter().any(|e| e.code == "taken") {
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    };
    let layout = Layout::new(staff, Section::Settings, title, state.cfg.timezone);
    render_status(
        status,
        &DeskForm {
            layout,
            id,
            input,
            kinds: DESK_KINDS
                .iter()
                .map(|k| KindOption {
                    code: k.0,
                    label: tr.pick(k.1, k.2),
                })
                .collect(),
            supervisors,
            policies,
            errors,
        },
    )
}

fn input_from(f: &FormData) -> DeskInput {
    DeskInput {
        code: f.get("code").to_owned(),
        name: f.get("name").to_owned(),
        kind: f.get("kind").to_owned(),
        supervisor_id: f.opt_id("supervisor_id"),
        active: f.checked("active"),
        policy: f.get("policy").to_owned(),
        version: f.version(),
    }
}

async fn new_form(State(state): State<AppState>, staff: Staff) -> Response {
    let input = DeskInput {
        kind: "service".into(),
        active: true,
        ..Default::default()
    };
    desk_form(&state, &staff, None, input, Vec::new()).await
}

async fn create(State(state): State<AppState>, staff: Staff, Form(f): Form<FormData>) -> Response {
    let input = input_from(&f);
    match state.app.desks().create(staff.actor(), input.clone()).await {
        Ok(_) => Redirect::to("/settings/desks?notice=created").into_response(),
        Err(AppError::Invalid(errs)) => desk_form(&state, &staff, None, input, errs.0).await,
        Err(AppError::Duplicate(e)) => desk_form(&state, &staff, None, input, vec![e]).await,
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

async fn edit_form(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Response {
    let id = DeskId(id);
    match state.app.desks().get(staff.actor(), id).await {
        Ok(d) => {
            let input = DeskInput {
                code: d.code,
                name: d.name,
                kind: d.kind,
                supervisor_id: d.supervisor.map(|s| s.0),
                active: d.active,
                policy: d.policy.clone().unwrap_or_default(),
                version: d.version,
            };
            desk_form(&state, &staff, Some(id), input, Vec::new()).await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<FormData>,
) -> Response {
    let id = DeskId(id);
    let input = input_from(&f);
    match state
        .app
        .desks()
        .update(staff.actor(), id, input.clone())
        .await
    {
        Ok(()) => Redirect::to("/settings/desks?notice=saved").into_response(),
        Err(AppError::Invalid(errs)) => desk_form(&state, &staff, Some(id), input, errs.0).await,
        Err(AppError::Duplicate(e)) => desk_form(&state, &staff, Some(id), input, vec![e]).await,
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
