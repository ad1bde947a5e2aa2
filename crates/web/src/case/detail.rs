//! The case page: head, clocks, customer, the forms for the next steps, files, timeline.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sanbao_app::AppError;
use sanbao_app::admin::desks::Desk;
use sanbao_app::case::{Attachment, CaseView};
use sanbao_domain::case::{Coded, NextStep, Satisfaction, State as CaseState, Viewer, next_step};
use sanbao_domain::{DeskId, UserId};

use super::steps::{Costs, Steps, UnitCard};
use super::view::{Chip, Now, TimelineItem, chips, options, tag_links, timeline};
use crate::AppState;
use crate::error::{PageError, classify};
use crate::flash::{self, Flash};
use crate::layout::{Layout, Section};
use crate::page::render_status;
use crate::session::Staff;

#[derive(Template)]
#[template(path = "case/detail.html")]
struct CasePage {
    layout: Layout,
    v: CaseView,
    kind: &'static str,
    channel: &'static str,
    state: &'static str,
    chips: Vec<Chip>,
    timeline: Vec<TimelineItem>,
    /// The states the viewer may move the case to: `(code, label)`.
    moves: Vec<(&'static str, &'static str)>,
    satisfactions: Vec<(&'static str, &'static str)>,
    desks: Vec<Desk>,
    assignable: Vec<(UserId, String)>,
    attachments: Vec<Attachment>,
    tags: Vec<(String, String)>,
    tags_text: String,
    can_write: bool,
    /// May the viewer reveal the customer's whole phone and address (audited)?
    may_reveal: bool,
    /// The policy's title and version as people say it ("公司售后服务规定（第2版）").
    policy: String,
    /// The policy links to its editor for those who may open it.
    policy_link: bool,
    /// The one step the case waits for, first on the page.
    next: Option<Next>,
    /// The sold unit the case is about.
    unit: Option<UnitCard>,
    /// The kind's steps the viewer may record now, with their forms' choices.
    steps: Steps,
    /// The cost ledger (returns, repairs and maintenance).
    costs: Option<Costs>,
    /// The satisfaction survey once the case closed: `(link, hint, answer)`.
    survey: Option<(String, String, Option<String>)>,
    error: Option<String>,
}

/// The next step as the page offers it: a line saying why, and one button — a form posted
/// as is, or a link to the form below that needs more (the resolution, the satisfaction).
struct Next {
    hint: &'static str,
    button: &'static str,
    /// The action posted (`transition`, `assign`) with its fields, or none for a link.
    post: Option<(&'static str, Vec<(&'static str, String)>)>,
    /// The form further down the page the button leads to.
    anchor: &'static str,
}

fn next_of(
    v: &CaseView,
    actor: &sanbao_app::Actor,
    steps: &Steps,
    tr: crate::i18n::Tr,
) -> Option<Next> {
    let viewer = Viewer {
        can_write: actor.can(sanbao_domain::role::Permission::CaseWrite),
        assigned: v.assignee.is_some(),
        is_assignee: v.assignee.as_ref().map(|a| a.id) == actor.user_id,
        steps_open: !steps.open.is_empty(),
    };
    let to_work = || Some(("transition", vec![("to", "in_progress".to_owned())]));
    let (key, post, anchor) = match next_step(v.state, &v.allowed_moves, viewer)? {
        NextStep::Take => {
            let desk = v
                .desk
                .as_ref()
                .map(|d| d.id.0.to_string())
                .unwrap_or_default();
            let fields = vec![("take", "1".to_owned()), ("desk_id", desk)];
            ("take", Some(("assign", fields)), "")
        }
        NextStep::Start => ("start", to_work(), ""),
        NextStep::Resume => ("resume", to_work(), ""),
        NextStep::Resolve => ("resolve", None, "transition-form"),
        NextStep::RecordStep => ("record_step", None, "steps"),
        NextStep::Close => ("close", None, "transition-form"),
    };
    Some(Next {
        hint: tr.t(&format!("next.{key}")),
        button: tr.t(&format!("next.{key}_button")),
        post,
        anchor,
    })
}

impl CasePage {
    fn desk_is(&self, id: &DeskId) -> bool {
        self.v.desk.as_ref().is_some_and(|d| d.id == *id)
    }

    fn assignee_is(&self, id: &UserId) -> bool {
        self.v.assignee.as_ref().is_some_and(|a| a.id == *id)
    }

    fn can_move(&self, to: &str) -> bool {
        self.moves.iter().any(|m| m.0 == to)
    }

    fn size(&self, bytes: &i64) -> String {
        crate::files::human_size(*bytes)
    }

    fn max_files(&self) -> usize {
        sanbao_domain::attachment::MAX_PER_CASE
    }
}

pub(super) async fn case_page(
    state: &AppState,
    staff: &Staff,
    number: &str,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let tr = staff.tr;
    let (app, actor) = (&state.app, staff.actor());
    // Independent queries side by side (the case's own visibility is checked by each).
    let (cases, desks) = (app.cases(), app.desks());
    let surveys = app.surveys();
    let (case, desks, assignable, attachments, technicians, ledger, survey) = tokio::join!(
        cases.get(actor, number),
        desks.all(),
        cases.assignees(actor),
        cases.attachments(actor, number),
        cases.technicians(actor),
        cases.ledger(actor, number),
        surveys.invitation(actor, number),
    );
    let (detail, attachments) = match (case, attachments) {
        (Ok(c), Ok(a)) => (c, a),
        (Err(e), _) | (_, Err(e)) => return PageError::new(e, tr).into_response(),
    };
    let en = tr.is_en();
    let steps = Steps::of(&detail, actor, technicians.unwrap_or_default(), en);
    let mut unit = detail.unit.as_ref().map(|u| UnitCard::of(u, tr));
    // The repeated-failure offer belongs to the repair that found the fault again.
    if detail.case.kind != sanbao_domain::case::Kind::Repair
        && let Some(u) = unit.as_mut()
    {
        u.repeated = None;
    }
    // The supplier is offered as a payer only where its repair terms cover the product.
    let supplier = detail
        .unit
        .as_ref()
        .is_some_and(|u| u.unit.supplier_repairs == Some(true));
    let costs = ledger
        .ok()
        .filter(|_| detail.case.kind.has_costs())
        .map(|l| Costs::of(l, supplier, en));
    let v = detail.case;
    let policy = policy_words(app, &v, tr).await;
    let title = format!("{} · {}", v.number, v.subject);
    let layout = Layout::new(staff, Section::Cases, &title, state.cfg.timezone);
    let next = next_of(&v, actor, &steps, tr);
    let page = CasePage {
        survey: survey.ok().flatten().map(|s| survey_line(&layout, s)),
        next,
        unit,
        steps,
        costs,
        chips: chips(&layout, &v, &Now::load(state).await),
        timeline: timeline(&layout, &detail.timeline),
        kind: v.kind.label(en),
        channel: v.channel.label(en),
        state: v.state.label(en),
        moves: v
            .allowed_moves
            .iter()
            .map(|s: &CaseState| (s.code(), s.label(en)))
            .collect(),
        desks: desks
            .unwrap_or_default()
            .into_iter()
            .filter(|d| d.active)
            .collect(),
        assignable: assignable.unwrap_or_default(),
        attachments,
        policy,
        policy_link: actor.can(sanbao_domain::role::Permission::SettingsManage),
        tags: tag_links(&v.tags),
        tags_text: v.tags.join("，"),
        satisfactions: options::<Satisfaction>(en),
        can_write: actor.can(sanbao_domain::role::Permission::CaseWrite),
        may_reveal: actor.can(sanbao_domain::role::Permission::PersonalData),
        error,
        v,
        layout,
    };
    render_status(status, &page)
}

/// The survey invitation as the case page shows it: the link, its validity, the answer.
fn survey_line(
    layout: &Layout,
    s: sanbao_app::survey::Invitation,
) -> (String, String, Option<String>) {
    let tr = layout.tr;
    let hint = tr
        .t("survey.invite_hint")
        .replace("{date}", &layout.time(&s.expires_at));
    let answer = s.answer.map(|a| {
        let nps = a.nps.map_or_else(String::new, |n| {
            tr.t("survey.nps_part").replace("{nps}", &n.to_string())
        });
        tr.t("survey.answered_line")
            .replace("{csat}", &a.csat.to_string())
            .replace("{nps}", &nps)
            .replace("{comment}", &a.comment)
    });
    (s.path, hint, answer)
}

/// The policy a case runs under as people say it: "公司售后服务规定（第2版）".
pub(crate) async fn policy_words(
    app: &sanbao_app::App,
    v: &CaseView,
    tr: crate::i18n::Tr,
) -> String {
    let title = app
        .policies()
        .version(&v.policy_name, v.policy_version)
        .await
        .map_or_else(|_| v.policy_name.clone(), |p| p.title);
    match (v.policy_version, tr.is_en()) {
        (0, false) => format!("{title}（初始版本）"),
        (0, true) => format!("{title} (as shipped)"),
        (n, false) => format!("{title}（第{n}版）"),
        (n, true) => format!("{title} (version {n})"),
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
) -> Response {
    case_page(&state, &staff, &number, StatusCode::OK, None).await
}

/// After an action on a case: back to the case page; a refusal the user can act on (bad input,
/// a rule, a stale form, a missing permission) is shown on the case page with its reason.
pub(crate) async fn after_action(
    state: &AppState,
    staff: &Staff,
    number: &str,
    result: Result<(), AppError>,
    done: Flash,
) -> Response {
    match result {
        Ok(()) => flash::redirect(&format!("/cases/{number}"), done, state.cfg.secure_cookies),
        Err(
            e @ (AppError::Rule { .. }
            | AppError::Stale
            | AppError::Invalid(_)
            | AppError::Forbidden(_)),
        ) => {
            let (status, _, msg, _) = classify(&e, staff.tr);
            case_page(state, staff, number, status, Some(msg)).await
        }
        Err(e) => PageError::new(e, staff.tr).into_response(),
    }
}
