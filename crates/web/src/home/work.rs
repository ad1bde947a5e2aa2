//! What a role that works on cases sees first on its workbench: the counts that matter to it
//! (each a link to its queue) and its own next cases by due time.

use sanbao_app::case::{CaseQuery, Queue};
use sanbao_domain::case::{Coded, ReportKind};
use sanbao_domain::role::Permission;

use crate::AppState;
use crate::case::{Now, QUEUE_COUNT_CAP, Row};
use crate::layout::Layout;
use crate::session::Staff;

/// How many of one's own cases the workbench lists.
const NEXT: i64 = 8;

/// One count on the workbench.
pub(super) struct Count {
    pub label: &'static str,
    pub href: String,
    pub n: String,
    /// `warn` / `err` when the count asks for attention, else empty.
    pub class: &'static str,
    pub testid: &'static str,
}

/// The case part of a workbench.
pub(super) struct Work {
    pub counts: Vec<Count>,
    pub next: Vec<Row>,
    /// How many of `next` are due today (company time).
    pub due_today: usize,
}

fn capped(n: i64) -> String {
    if n >= QUEUE_COUNT_CAP {
        format!("{}+", QUEUE_COUNT_CAP - 1)
    } else {
        n.to_string()
    }
}

/// The queues each role counts: everyone their own, the due-soon and breached; those who
/// assign the unassigned; supervisors what was escalated.
fn queues_for(staff: &Staff) -> Vec<Queue> {
    let a = staff.actor();
    let mut qs = vec![Queue::Mine, Queue::DueSoon, Queue::Breached];
    if a.can(Permission::CaseAssign) {
        qs.push(Queue::Unassigned);
    }
    if a.can(Permission::CaseSupervise) {
        qs.push(Queue::Escalated);
    }
    qs
}

/// The workbench's case part, or `None` for a role that does not read cases.
pub(super) async fn load(state: &AppState, staff: &Staff, layout: &Layout) -> Option<Work> {
    let actor = staff.actor();
    if !actor.can(Permission::CaseRead) {
        return None;
    }
    let cases = state.app.cases();
    let mine = CaseQuery {
        queue: Some(Queue::Mine),
        ..Default::default()
    };
    let supervises = actor.can(Permission::CaseSupervise);
    let extended = async {
        if supervises {
            cases
                .waiting_count(actor, ReportKind::ExtendedService, QUEUE_COUNT_CAP)
                .await
                .ok()
        } else {
            None
        }
    };
    let (counts, page, now, extended) = tokio::join!(
        cases.queue_counts(actor, QUEUE_COUNT_CAP),
        cases.list(actor, mine, NEXT),
        Now::load(state),
        extended,
    );
    let en = layout.tr.is_en();
    let counts = counts.unwrap_or_default();
    let mut shown: Vec<Count> = queues_for(staff)
        .into_iter()
        .map(|q| {
            let n = counts.iter().find(|c| c.0 == q).map_or(0, |c| c.1);
            let class = match q {
                Queue::Breached | Queue::Escalated if n > 0 => "err",
                Queue::DueSoon | Queue::Unassigned if n > 0 => "warn",
                _ => "",
            };
            Count {
                label: q.label(en),
                href: format!("/cases?queue={}", q.code()),
                n: capped(n),
                class,
                testid: q.code(),
            }
        })
        .collect();
    if let Some(n) = extended {
        shown.push(Count {
            label: layout.tr.t("home.extended_waiting"),
            href: "/#extended".into(),
            n: capped(n),
            class: if n > 0 { "warn" } else { "" },
            testid: "extended",
        });
    }
    let cases = page.map(|p| p.cases).unwrap_or_default();
    let today = now.at.with_timezone(&layout.tz).date_naive();
    // A deadline at 24:00 is stored as the next day's 00:00: a second before is its day.
    let due_today = cases
        .iter()
        .filter(|c| {
            c.next_due_at.is_some_and(|d| {
                (d - chrono::TimeDelta::seconds(1))
                    .with_timezone(&layout.tz)
                    .date_naive()
                    <= today
            })
        })
        .count();
    Some(Work {
        counts: shown,
        next: cases.iter().map(|c| Row::of(layout, c, &now)).collect(),
        due_today,
    })
}
