//! After-sales policies (设置 → 售后政策): view, edit with validation, history and diff,
//! activate, explain; and the public page `/policy` customers read.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use sanbao_app::AppError;
use sanbao_app::admin::policies::{PolicyInfo, PolicyVersion};
use sanbao_domain::diff::{self, Line};
use sanbao_domain::policy::form::PolicyForm;
use sanbao_domain::policy::{self as dom, Explained, Policy};
use sanbao_domain::role::Permission;
use serde::Deserialize;

use super::policy_form::{self, Editor};
use crate::AppState;
use crate::error::{PageError, classify};
use crate::form::FormData;
use crate::i18n::Tr;
use crate::layout::{Layout, Section};
use crate::page::{lang_from_headers, render, render_status};
use crate::session::Staff;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/policy", get(public))
        .route("/settings/policies", get(list).post(save_new))
        .route("/settings/policies/{name}", get(show).post(save))
        .route("/settings/policies/{name}/form", post(save_form))
        .route("/settings/policies/{name}/activate", post(activate))
        .route("/settings/policies/{name}/in-force", post(in_force))
        .route("/settings/policies/{name}/diff", get(diff_page))
}

#[derive(Template)]
#[template(path = "admin/policies.html")]
struct PoliciesPage {
    layout: Layout,
    policies: Vec<PolicyInfo>,
}

async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    match state.app.policies().list().await {
        Ok(policies) => {
            let layout = Layout::new(
                &staff,
                Section::Settings,
                staff.tr.t("settings.policies"),
                state.cfg.timezone,
            );
            render(&PoliciesPage { layout, policies })
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

struct ClockLine {
    clock: String,
    event: String,
    length: String,
    rule: String,
}

struct ExplainLine {
    clock: String,
    length: String,
    due: String,
    rule: String,
    flagged: bool,
}

#[derive(Template)]
#[template(path = "admin/policy.html")]
struct PolicyPage {
    layout: Layout,
    info: PolicyInfo,
    clocks: Vec<ClockLine>,
    history: Vec<PolicyVersion>,
    body: String,
    version: i32,
    /// The form view; the TOML view opens instead when its text was the one refused.
    editor: Editor,
    toml_open: bool,
    error: Option<String>,
    can_edit: bool,
    events: Vec<(&'static str, &'static str)>,
    event: String,
    at: String,
    explained: Option<Vec<ExplainLine>>,
}

#[derive(Deserialize, Default)]
struct ExplainQuery {
    event: Option<String>,
    at: Option<String>,
    notice: Option<String>,
}

fn clock_lines(p: &Policy) -> Vec<ClockLine> {
    p.clocks
        .iter()
        .map(|c| ClockLine {
            clock: dom::clock_label(&c.clock).to_owned(),
            event: dom::event_label(&c.event).to_owned(),
            length: c.unit.describe_zh(c.n),
            rule: c.rule.clone(),
        })
        .collect()
}

/// `2026-09-30T18:00` (a datetime-local field) or RFC 3339, in the company's zone.
fn parse_at(s: &str, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn explain_lines(state: &AppState, e: &[Explained]) -> Vec<ExplainLine> {
    let tz = state.cfg.timezone;
    e.iter()
        .map(|x| ExplainLine {
            clock: dom::clock_label(&x.clock).to_owned(),
            length: x.unit.describe_zh(x.n),
            due: match x.due.due_date {
                Some(d) => format!("{d} 24:00"),
                None => x
                    .due
                    .due
                    .with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
            },
            rule: x.rule.clone(),
            flagged: !x.due.provisional_years.is_empty(),
        })
        .collect()
}

/// A form field at fault and why, in the reader's language.
type FieldFault = Option<(String, String)>;

/// What was typed into the editor and refused, shown back as typed.
#[derive(Default)]
struct Draft {
    /// The TOML view's text and the version it was read at.
    toml: Option<(String, i32)>,
    /// The form view's fields, the version, and the field at fault with why.
    form: Option<(PolicyForm, i32, FieldFault)>,
}

async fn policy_page(
    state: &AppState,
    staff: &Staff,
    name: &str,
    status: StatusCode,
    draft: Draft,
    error: Option<String>,
    q: ExplainQuery,
) -> Response {
    let tr = staff.tr;
    let info = match state.app.policies().info(name).await {
        Ok(i) => i,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let history = match state.app.policies().history(name).await {
        Ok(h) => h,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let parsed = Policy::parse(&info.body).ok();
    let event = q
        .event
        .clone()
        .unwrap_or_else(|| "complaint_received".into());
    let at = q.at.clone().unwrap_or_default();
    let explained = match (
        &parsed,
        q.at.as_deref()
            .and_then(|a| parse_at(a, state.cfg.timezone)),
    ) {
        (Some(p), Some(t)) => match state.app.policies().explain(p, &event, t, None).await {
            Ok(e) => Some(explain_lines(state, &e)),
            Err(e) => return PageError::new(e, tr).into_response(),
        },
        _ => None,
    };
    let error = error.or_else(|| {
        (q.at.as_deref().is_some_and(|a| !a.is_empty()) && explained.is_none())
            .then(|| tr.t("policy.bad_time").to_owned())
    });
    let toml_open = draft.toml.is_some();
    let (body, mut version) = draft
        .toml
        .unwrap_or_else(|| (info.body.clone(), info.version));
    let editor = match draft.form {
        Some((form, v, field_error)) => {
            version = v;
            Editor::new(tr, form, field_error)
        }
        None => Editor::new(
            tr,
            parsed.as_ref().map(PolicyForm::of).unwrap_or_default(),
            None,
        ),
    };
    let notice = q.notice.as_deref().map(|n| match n {
        "activated" => tr.t("policy.activated"),
        "in_force" => tr.t("policy.in_force_saved"),
        _ => tr.t("notice.saved"),
    });
    let title = format!("{} · {}", tr.t("settings.policies"), info.title);
    let layout =
        Layout::new(staff, Section::Settings, &title, state.cfg.timezone).with_notice(notice);
    render_status(
        status,
        &PolicyPage {
            layout,
            clocks: parsed.as_ref().map(clock_lines).unwrap_or_default(),
            info,
            history,
            body,
            version,
            editor,
            toml_open,
            error,
            can_edit: staff.actor().can(Permission::SettingsManage),
            events: dom::EVENTS
                .iter()
                .map(|e| (e.0, if staff.tr.is_en() { e.2 } else { e.1 }))
                .collect(),
            event,
            at,
            explained,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    Query(q): Query<ExplainQuery>,
) -> Response {
    policy_page(
        &state,
        &staff,
        &name,
        StatusCode::OK,
        Draft::default(),
        None,
        q,
    )
    .await
}

async fn save_inner(state: &AppState, staff: &Staff, page_name: &str, f: &FormData) -> Response {
    let body = f.get("body").replace("\r\n", "\n");
    let version: i32 = f.get("version").trim().parse().unwrap_or(0);
    let draft = Draft {
        toml: Some((body.clone(), version)),
        form: None,
    };
    save_text(state, staff, page_name, body, version, f.get("note"), draft).await
}

/// Save `body` as the next version; when refused, show the page again with `draft`.
async fn save_text(
    state: &AppState,
    staff: &Staff,
    page_name: &str,
    body: String,
    version: i32,
    note: &str,
    draft: Draft,
) -> Response {
    match state
        .app
        .policies()
        .save(staff.actor(), &body, version, note)
        .await
    {
        Ok(_) => {
            let name = Policy::parse(&body)
                .map(|p| p.name)
                .unwrap_or_else(|_| page_name.to_owned());
            Redirect::to(&format!("/settings/policies/{name}?notice=saved")).into_response()
        }
        Err(e @ (AppError::Invalid(_) | AppError::Stale)) => {
            let status = classify(&e, staff.tr).0;
            let msg = classify(&e, staff.tr).2;
            policy_page(
                state,
                staff,
                page_name,
                status,
                draft,
                Some(msg),
                ExplainQuery::default(),
            )
            .await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    save_inner(&state, &staff, &name, &f).await
}

/// The form view saved: its fields become the policy text, checked field by field.
async fn save_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    if !staff.actor().can(Permission::SettingsManage) {
        return PageError::new(AppError::Forbidden(Permission::SettingsManage), staff.tr)
            .into_response();
    }
    let form = policy_form::read(&f, &name);
    let version: i32 = f.get("version").trim().parse().unwrap_or(0);
    match form.to_text() {
        Ok(body) => {
            let draft = Draft {
                toml: None,
                form: Some((form, version, None)),
            };
            save_text(&state, &staff, &name, body, version, f.get("note"), draft).await
        }
        Err(e) => {
            let msg = staff.tr.text(&e.message);
            let top = staff.tr.t("policy.form_refused").to_owned();
            let draft = Draft {
                toml: None,
                form: Some((form, version, Some((e.field, msg)))),
            };
            let q = ExplainQuery::default();
            policy_page(
                &state,
                &staff,
                &name,
                StatusCode::BAD_REQUEST,
                draft,
                Some(top),
                q,
            )
            .await
        }
    }
}

async fn save_new(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<FormData>,
) -> Response {
    save_inner(&state, &staff, "seed", &f).await
}

async fn activate(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
) -> Response {
    match state.app.policies().activate(staff.actor(), &name).await {
        Ok(()) => {
            Redirect::to(&format!("/settings/policies/{name}?notice=activated")).into_response()
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

async fn in_force(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let on = f.get("on") == "1";
    match state
        .app
        .policies()
        .set_in_force(staff.actor(), &name, on)
        .await
    {
        Ok(()) => {
            Redirect::to(&format!("/settings/policies/{name}?notice=in_force")).into_response()
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}

#[derive(Deserialize)]
struct DiffQuery {
    from: Option<i32>,
    to: Option<i32>,
}

struct DiffLine {
    class: &'static str,
    mark: &'static str,
    text: String,
}

#[derive(Template)]
#[template(path = "admin/policy_diff.html")]
struct DiffPage {
    layout: Layout,
    name: String,
    lines: Vec<DiffLine>,
}

async fn diff_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    Query(q): Query<DiffQuery>,
) -> Response {
    let tr = staff.tr;
    let history = match state.app.policies().history(&name).await {
        Ok(h) => h,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let preset = dom::PRESETS.iter().find(|p| p.0 == name).map(|p| p.1);
    let text_of = |v: i32| -> Option<String> {
        if v == 0 {
            preset.map(str::to_owned)
        } else {
            history
                .iter()
                .find(|h| h.version == v)
                .map(|h| h.body.clone())
        }
    };
    let latest = history.first().map_or(0, |h| h.version);
    let to = q.to.unwrap_or(latest);
    let from = q.from.unwrap_or(to.saturating_sub(1).max(0));
    let (Some(old), Some(new)) = (text_of(from), text_of(to)) else {
        return PageError::new(AppError::NotFound("policy"), tr).into_response();
    };
    let lines = diff::lines(&old, &new)
        .into_iter()
        .map(|l| match l {
            Line::Same(t) => DiffLine {
                class: "same",
                mark: " ",
                text: t.to_owned(),
            },
            Line::Removed(t) => DiffLine {
                class: "del",
                mark: "−",
                text: t.to_owned(),
            },
            Line::Added(t) => DiffLine {
                class: "add",
                mark: "+",
                text: t.to_owned(),
            },
        })
        .collect();
    let title = format!("{} · {name} v{from} → v{to}", tr.t("policy.diff"));
    let layout = Layout::new(&staff, Section::Settings, &title, state.cfg.timezone);
    render(&DiffPage {
        layout,
        name,
        lines,
    })
}

#[derive(Template)]
#[template(path = "admin/public_policy.html")]
struct PublicPage {
    tr: Tr,
    /// The policies in force, those that cover some sales first and the default last.
    policies: Vec<PublicSection>,
    /// The company's name, once it was set.
    company: Option<String>,
}

struct PublicSection {
    policy: Policy,
    /// What it covers in plain words (empty: the default, for the rest).
    covers: String,
}

/// Every policy in force in plain Chinese, for customers (seed: 商家应在明显位置显示售后服务
/// 规定), each with what it covers.
async fn public(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let tr = lang_from_headers(&headers);
    let company = state.app.setup().company_name().await.ok().flatten();
    match state.app.policies().in_force().await {
        Ok(all) => {
            let mut policies: Vec<PublicSection> = all
                .covering
                .into_iter()
                .map(|v| PublicSection {
                    covers: v.policy.applies.describe_in(tr.is_en()),
                    policy: v.policy,
                })
                .collect();
            policies.push(PublicSection {
                policy: all.default.policy,
                covers: String::new(),
            });
            render(&PublicPage {
                tr,
                policies,
                company,
            })
        }
        Err(e) => PageError::new(e, tr).into_response(),
    }
}
