//! The complaint dossier (投诉卷宗) for an authority the customer turned to (seed 四.3): the
//! facts, every clock, what was done, every timeline entry oldest first, and the evidence —
//! one printable page, with the complainant's data masked as for its viewer.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use sanbao_app::case::{Attachment, CaseView};
use sanbao_domain::case::Coded;

use crate::AppState;
use crate::case::{Chip, Now, TimelineItem, chips, policy_words, timeline};
use crate::error::PageError;
use crate::layout::{Layout, Section};
use crate::page::render;
use crate::session::Staff;

#[derive(Template)]
#[template(path = "complaint/dossier.html")]
struct DossierPage {
    layout: Layout,
    v: CaseView,
    kind: &'static str,
    channel: &'static str,
    state: &'static str,
    policy: String,
    chips: Vec<Chip>,
    /// The steps recorded, oldest first: what was done.
    done: Vec<TimelineItem>,
    /// Every entry of the timeline, oldest first.
    entries: Vec<TimelineItem>,
    evidence: Vec<Attachment>,
}

impl DossierPage {
    fn size(&self, bytes: &i64) -> String {
        crate::files::human_size(*bytes)
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
) -> Response {
    let tr = staff.tr;
    let (app, actor) = (&state.app, staff.actor());
    let cases = app.cases();
    let (detail, evidence) =
        tokio::join!(cases.get(actor, &number), cases.attachments(actor, &number));
    let (detail, evidence) = match (detail, evidence) {
        (Ok(d), Ok(e)) => (d, e),
        (Err(e), _) | (_, Err(e)) => return PageError::new(e, tr).into_response(),
    };
    let en = tr.is_en();
    let v = detail.case;
    let title = format!("{} · {}", tr.t("dossier.title"), v.number);
    let layout = Layout::new(&staff, Section::Cases, &title, state.cfg.timezone);
    let mut entries = timeline(&layout, &detail.timeline);
    entries.reverse();
    // What was done: the steps recorded (a clock's own start has no text).
    let done = entries
        .iter()
        .filter(|e| e.kind == "clock" && !e.body.is_empty())
        .cloned()
        .collect();
    render(&DossierPage {
        chips: chips(&layout, &v, &Now::load(&state).await),
        policy: policy_words(app, &v, tr).await,
        kind: v.kind.label(en),
        channel: v.channel.label(en),
        state: v.state.label(en),
        done,
        entries,
        evidence,
        v,
        layout,
    })
}
