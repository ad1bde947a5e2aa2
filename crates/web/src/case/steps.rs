//! The kind's steps on the case page: the unit card, the forms of the steps the viewer may
//! record next, and the form's post.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use sanbao_app::Actor;
use sanbao_app::case::CaseDetail;
use sanbao_app::product::UnitView;
use sanbao_domain::UserId;
use sanbao_domain::case::{StepFacts, StepForm};
use sanbao_domain::maintenance::MaintenanceFacts;
use sanbao_domain::repair::Remedy;
use sanbao_domain::repair::RepairFacts;
use sanbao_domain::returns::{Decision, Inspection, Outcome, RefundMethod};

use super::detail::after_action;
use super::view::options;
use crate::AppState;
use crate::flash::Flash;
use crate::form::FormData;
use crate::i18n::Tr;
use crate::session::Staff;

/// The unit a case is about, as its card shows it.
pub(crate) struct UnitCard {
    pub serial: String,
    pub product: String,
    pub in_warranty: bool,
    /// "保修至 2027-10-12（剩 310 天）" or "已过保修期（2026-10-12）".
    pub warranty: String,
    /// The main parts' longer warranty in words, or empty.
    pub main_parts: String,
    /// The return windows' last days, or empty.
    pub windows: String,
    /// The faults repaired before, most repaired first: "不制冷 ×2".
    pub faults: Vec<(String, u32)>,
    /// The repeated-failure offer in words, when the policy's rule is met.
    pub repeated: Option<String>,
}

impl UnitCard {
    pub(crate) fn of(u: &UnitView, tr: Tr) -> UnitCard {
        let w = &u.warranty;
        let warranty = if w.in_warranty {
            tr.t("unit.warranty_until")
                .replace("{date}", &w.ends_on.to_string())
                .replace("{days}", &w.days_left.to_string())
        } else {
            tr.t("unit.warranty_over")
                .replace("{date}", &w.ends_on.to_string())
        };
        let windows = u
            .windows
            .iter()
            .map(|win| win.closes_on.to_string())
            .collect::<Vec<_>>()
            .join("、");
        let repeated = u.repeated.as_ref().map(|r| {
            tr.t("unit.repeated")
                .replace("{fault}", &r.fault)
                .replace("{repairs}", &r.repairs.to_string())
                .replace("{limit}", &r.limit.to_string())
        });
        UnitCard {
            main_parts: crate::product::main_parts_words(tr, u.main_parts.as_ref()),
            faults: u.faults.clone(),
            repeated,
            serial: u.unit.serial.clone(),
            product: format!("{} {}", u.unit.model, u.unit.product_name),
            in_warranty: w.in_warranty,
            warranty,
            windows,
        }
    }
}

/// The steps the viewer may record now, with the choices their forms offer.
pub(super) struct Steps {
    pub open: Vec<&'static str>,
    pub decisions: Vec<(&'static str, &'static str)>,
    pub inspections: Vec<(&'static str, &'static str)>,
    pub outcomes: Vec<(&'static str, &'static str)>,
    pub methods: Vec<(&'static str, &'static str)>,
    pub remedies: Vec<(&'static str, &'static str)>,
    /// How a complainant was reached or answered.
    pub vias: Vec<(&'static str, &'static str)>,
    pub technicians: Vec<(UserId, String)>,
    /// The repair report is written (its printable page exists).
    pub reported: bool,
    /// The unit's serial, when the repair found it cannot be repaired: the customer's
    /// replacement or refund continues as a return case.
    pub continue_return: Option<String>,
}

impl Steps {
    pub(super) fn of(
        d: &CaseDetail,
        actor: &Actor,
        technicians: Vec<(UserId, String)>,
        en: bool,
    ) -> Steps {
        let open = d
            .open_steps
            .iter()
            .copied()
            .filter(|s| d.may_record(actor, s))
            .collect();
        let unrepairable = d
            .steps
            .iter()
            .any(|s| matches!(s, StepFacts::Repair(RepairFacts::Unrepairable { .. })));
        Steps {
            continue_return: d
                .unit
                .as_ref()
                .filter(|_| unrepairable && actor.can(sanbao_domain::role::Permission::CaseWrite))
                .map(|u| u.unit.serial.clone()),
            open,
            decisions: options::<Decision>(en),
            inspections: options::<Inspection>(en),
            outcomes: options::<Outcome>(en),
            methods: options::<RefundMethod>(en),
            remedies: options::<Remedy>(en),
            vias: options::<sanbao_domain::complaint::Via>(en),
            technicians,
            reported: d.steps.iter().any(|s| {
                matches!(
                    s,
                    StepFacts::Repair(RepairFacts::RepairCompleted(_))
                        | StepFacts::Maintenance(MaintenanceFacts::MaintenanceDone(_))
                )
            }),
        }
    }

    pub(super) fn offers(&self, step: &str) -> bool {
        self.open.contains(&step)
    }
}

/// A step's form as the use case reads it.
pub(crate) fn step_form(f: &FormData) -> StepForm {
    let g = |k: &str| f.get(k).to_owned();
    StepForm {
        step: g("step"),
        note: g("note"),
        decision: g("decision"),
        packaging_intact: g("packaging_intact"),
        inspection: g("inspection"),
        outcome: g("outcome"),
        refund: g("refund"),
        method: g("method"),
        new_serial: g("new_serial"),
        technician_id: g("technician_id"),
        appointment_on: g("appointment_on"),
        slot: g("slot"),
        address: g("address"),
        fault: g("fault"),
        cause: g("cause"),
        process: g("process"),
        result: g("result"),
        parts: g("parts"),
        labour_minutes: g("labour_minutes"),
        choice: g("choice"),
        quote: g("quote"),
        accepted: g("accepted"),
        work: g("work"),
        next_due_on: g("next_due_on"),
        questions: g("questions"),
        via: g("via"),
        response: g("response"),
        substantiated: g("substantiated"),
        findings: g("findings"),
        promised_on: g("promised_on"),
        plan: g("plan"),
        reply: g("reply"),
    }
}

pub(super) async fn record(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let result = state
        .app
        .cases()
        .step(staff.actor(), &number, &step_form(&f), None)
        .await;
    after_action(
        &state,
        &staff,
        &number,
        result.map(|_| ()),
        Flash::StepRecorded,
    )
    .await
}

/// A case's cost ledger as its card shows it.
pub(super) struct Costs {
    /// `(kind, yuan, payer, note, by)`.
    pub rows: Vec<(&'static str, String, &'static str, String, String)>,
    /// `(payer, yuan)`.
    pub totals: Vec<(&'static str, String)>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub payers: Vec<(&'static str, &'static str)>,
}

impl Costs {
    /// `supplier`: the case's product is under its supplier's repair terms.
    pub(super) fn of(l: sanbao_app::case::Ledger, supplier: bool, en: bool) -> Costs {
        use sanbao_domain::case::Coded;
        let yuan = sanbao_domain::product::yuan;
        Costs {
            rows: l
                .costs
                .into_iter()
                .map(|c| {
                    let by = c.created_by_name;
                    // A supplier's cost shows where its claim stands.
                    let claim = c
                        .claim_state
                        .as_deref()
                        .and_then(|s| s.parse::<sanbao_domain::repair::ClaimState>().ok())
                        .map(|s| s.label(en));
                    let note = match claim {
                        Some(state) if c.note.is_empty() => state.to_owned(),
                        Some(state) => format!("{}（{state}）", c.note),
                        None => c.note,
                    };
                    (
                        c.kind.label(en),
                        yuan(c.amount_fen),
                        c.payer.label(en),
                        note,
                        by,
                    )
                })
                .collect(),
            totals: l
                .totals
                .into_iter()
                .map(|(p, f)| (p.label(en), yuan(f)))
                .collect(),
            kinds: options::<sanbao_domain::case::CostKind>(en),
            payers: options::<sanbao_domain::case::Payer>(en)
                .into_iter()
                .filter(|(code, _)| {
                    supplier || *code != sanbao_domain::case::Payer::Supplier.code()
                })
                .collect(),
        }
    }
}

pub(super) async fn add_cost(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
    Form(f): Form<FormData>,
) -> Response {
    let form = sanbao_domain::case::CostForm {
        kind: f.get("kind").to_owned(),
        amount: f.get("amount").to_owned(),
        payer: f.get("payer").to_owned(),
        note: f.get("note").to_owned(),
    };
    let result = state
        .app
        .cases()
        .add_cost(staff.actor(), &number, &form)
        .await;
    after_action(&state, &staff, &number, result.map(|_| ()), Flash::Saved).await
}
