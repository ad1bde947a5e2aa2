//! The audit log (设置 → 审计日志): filter by user, record and time.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{NaiveDate, TimeZone, Utc};
use sanbao_app::admin::audit::AuditItem;
use sanbao_app::admin::audit::AuditQuery;
use sanbao_app::admin::users::{UserQuery, UserView};
use sanbao_domain::UserId;
use sanbao_domain::audit::{action_label, record_type_label};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::layout::{Layout, Section};
use crate::page::render;
use crate::session::{Staff, urlencode};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/settings/audit", get(list))
}

#[derive(Deserialize, Default)]
struct Filter {
    user: Option<String>,
    record_type: Option<String>,
    record_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
}

/// An audit entry as shown: its action, record type and changes in the viewer's language.
struct Entry {
    seq: i64,
    at: chrono::DateTime<Utc>,
    actor_name: String,
    action: String,
    record_type_code: String,
    record_type_label: String,
    record_id: String,
    changes: String,
}

impl Entry {
    fn of(e: AuditItem, tr: crate::i18n::Tr) -> Entry {
        let en = tr.is_en();
        Entry {
            seq: e.seq,
            at: e.at,
            actor_name: e.actor_name,
            action: action_label(&e.action, en),
            record_type_label: record_type_label(&e.record_type, en),
            record_type_code: e.record_type,
            record_id: e.record_id,
            changes: super::audit_changes::readable(&e.changes, tr),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<Entry>,
    users: Vec<UserView>,
    /// Each record type's code and label.
    record_types: Vec<(String, String)>,
    user: Option<UserId>,
    record_type: String,
    record_id: String,
    from: String,
    to: String,
    next_url: Option<String>,
    date_error: bool,
}

impl AuditPage {
    fn is_user(&self, id: &UserId) -> bool {
        self.user == Some(*id)
    }
}

async fn list(State(state): State<AppState>, staff: Staff, Query(f): Query<Filter>) -> Response {
    let tr = staff.tr;
    let tz = state.cfg.timezone;
    // Dates are the company's civil dates: `to` includes the whole day.
    let day_start = |s: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).earliest())
            .map(|t| t.with_timezone(&Utc))
    };
    let from_s = f.from.clone().unwrap_or_default();
    let to_s = f.to.clone().unwrap_or_default();
    let from = (!from_s.is_empty()).then(|| day_start(&from_s));
    let to = (!to_s.is_empty()).then(|| {
        NaiveDate::parse_from_str(to_s.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.succ_opt())
            .and_then(|d| day_start(&d.to_string()))
    });
    let date_error = matches!(from, Some(None)) || matches!(to, Some(None));
    let user: Option<UserId> = f.user.as_deref().and_then(|u| u.parse().ok());
    let q = AuditQuery {
        actor_id: user,
        record_type: f.record_type.clone(),
        record_id: f.record_id.clone().map(|s| s.trim().to_owned()),
        from: from.flatten(),
        to: to.flatten(),
        before_seq: f.before,
    };
    let page = match state.app.audit().list(staff.actor(), q, 100).await {
        Ok(p) => p,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let record_types = state
        .app
        .audit()
        .record_types(staff.actor())
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| {
            let label = record_type_label(&t, tr.is_en());
            (t, label)
        })
        .collect();
    // The user filter lists accounts when the viewer may see them (auditors may not).
    let users = state
        .app
        .users()
        .list(staff.actor(), UserQuery::default(), 500)
        .await
        .map(|p| p.users)
        .unwrap_or_default();
    let record_type = f.record_type.unwrap_or_default();
    let record_id = f.record_id.unwrap_or_default();
    let next_url = page.next_before.map(|b| {
        format!(
            "/settings/audit?user={}&record_type={}&record_id={}&from={}&to={}&before={b}",
            user.map(|u| u.to_string()).unwrap_or_default(),
            urlencode(&record_type),
            urlencode(&record_id),
            urlencode(&from_s),
            urlencode(&to_s),
        )
    });
    let layout = Layout::new(&staff, Section::Settings, tr.t("settings.audit"), tz);
    render(&AuditPage {
        layout,
        entries: page.entries.into_iter().map(|e| Entry::of(e, tr)).collect(),
        users,
        record_types,
        user,
        record_type,
        record_id,
        from: from_s,
        to: to_s,
        next_url,
        date_error,
    })
}
