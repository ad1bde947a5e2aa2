//! Benchmark data: a year of cases at scale (`sanbao bench-data --cases 1000000`).
//!
//! The rows are the ones the case use cases write — events, clocks projected under the active
//! policy and calendar, search words — loaded many per statement instead of one request at a
//! time. Cases are spread over the last 365 days; older ones are mostly closed, recent ones
//! mostly open, a few old ones still open and breached, as in a real service centre.
use sanbao_domain::audit::{Action, RecordType};
use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sanbao_domain::case::{
    self as dom, CaseFact, CaseRecord, Channel, EventKind, Kind, Priority, State,
};
use sanbao_domain::customer::CustomerKind;
use sanbao_domain::deadline::ClockState;
use sanbao_domain::role::Permission;
use sanbao_domain::{CustomerId, DeskId, UserId, text};
use sanbao_store::case::bulk::{self, BulkBatch, BulkCase, BulkCustomer};
use sanbao_store::case::{CustomerWrite, EventWrite};
use serde_json::json;

use crate::case::Projector;
use crate::setup::demo::{CHANNELS, GIVEN, SUBJECTS, SURNAMES};
use crate::{Actor, App, AppError, Result, audit};

crate::facade!(
    /// Benchmark data (`sanbao bench-data`; feature `bench-data`).
    Bench,
    bench
);

/// Priorities as they occur: mostly normal.
const PRIORITIES: &[Priority] = &[
    Priority::Normal,
    Priority::Normal,
    Priority::Normal,
    Priority::High,
    Priority::Urgent,
    Priority::Low,
];

/// Cases written per transaction.
const BATCH: u64 = 5_000;

/// What was generated.
#[derive(Debug, Clone, Copy, Default)]
pub struct BenchData {
    pub cases: u64,
    pub customers: u64,
}

/// A small deterministic generator: the same data set for the same size.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// The states a case received `age_days` ago has passed through, in order after `new`.
fn path(r: &mut Lcg, age_days: i64) -> &'static [State] {
    use State::*;
    let roll = r.below(100);
    let (p_new, p_prog, p_wait, p_res, p_closed) = match age_days {
        0..=2 => (40, 40, 10, 10, 0),
        3..=30 => (5, 15, 10, 20, 45),
        _ => (0, 1, 0, 2, 92),
    };
    let mut t = p_new;
    if roll < t {
        return &[];
    }
    t += p_prog;
    if roll < t {
        return &[InProgress];
    }
    t += p_wait;
    if roll < t {
        return &[InProgress, WaitingCustomer];
    }
    t += p_res;
    if roll < t {
        return &[InProgress, Resolved];
    }
    t += p_closed;
    if roll < t {
        return &[InProgress, Resolved, Closed];
    }
    &[Cancelled]
}

/// One staff member as the generator uses them: id and name.
type Staff = (i64, String);

/// Everything the generator needs besides its random numbers.
struct Setting {
    agents: [Staff; 2],
    officer: Staff,
    techs: [Staff; 2],
    /// `(desk kind, desk id)`.
    desks: Vec<(String, DeskId)>,
    /// The projector of each desk (service, complaint, field).
    projectors: Vec<(Option<DeskId>, Projector)>,
    policy_name: String,
    policy_version: i32,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
}

impl Setting {
    async fn load(app: &App, actor: &Actor) -> Result<Setting> {
        let mut staff = Vec::new();
        for (username, name) in [
            ("zhangwei", "张伟"),
            ("lina", "李娜"),
            ("wangfang", "王芳"),
            ("liuyang", "刘洋"),
            ("chenjing", "陈静"),
        ] {
            match app.users().find_id(actor, username).await {
                Ok(id) => staff.push((id.0, name.to_owned())),
                Err(AppError::NotFound(_)) => {
                    return Err(AppError::rule(
                        "bench_data_needs_demo",
                        text!("bench.needs_demo"),
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        let desks: Vec<(String, DeskId)> = app
            .desks()
            .list(actor)
            .await?
            .into_iter()
            .map(|d| (d.kind, d.id))
            .collect();
        let (policy, version) = app.policies().active().await?;
        let mut projectors = Vec::new();
        for kind in ["service", "complaint", "field"] {
            let d = desks.iter().find(|(k, _)| k == kind).map(|(_, id)| *id);
            let p = Projector::load(app, Some(policy.clone()), "", version, d).await?;
            projectors.push((d, p));
        }
        Ok(Setting {
            agents: [staff[0].clone(), staff[1].clone()],
            officer: staff[2].clone(),
            techs: [staff[3].clone(), staff[4].clone()],
            desks,
            projectors,
            policy_name: policy.name,
            policy_version: version,
            tz: app.config.timezone,
            now: sanbao_domain::time::now(),
        })
    }

    fn desk(&self, kind: &str) -> Option<DeskId> {
        self.desks
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, id)| *id)
    }

    fn projector(&self, desk: Option<DeskId>) -> &Projector {
        self.projectors
            .iter()
            .find(|(id, _)| *id == desk)
            .map_or(&self.projectors[0].1, |(_, p)| p)
    }
}

/// A case decided before its number is known.
struct Draft {
    kind: Kind,
    received: DateTime<Utc>,
    subject: usize,
}

/// The generator: its random numbers, the setting, the ids it has handed out.
struct Generator {
    r: Lcg,
    s: Setting,
    customer_id: i64,
    case_id: i64,
    first_customer: i64,
    /// Names and phones of the customers made here (returning customers are among them).
    people: Vec<(String, String)>,
    customers: u64,
}

impl Generator {
    /// `n` cases received over the last year, oldest first.
    fn drafts(&mut self, n: u64) -> Vec<Draft> {
        let mut drafts: Vec<Draft> = (0..n)
            .map(|_| {
                let minutes = self.r.below(365 * 24 * 60) as i64 + 5;
                let subject = self.r.below(SUBJECTS.len() as u64) as usize;
                Draft {
                    kind: SUBJECTS[subject].0.parse().unwrap_or(Kind::Inquiry),
                    received: self.s.now - Duration::minutes(minutes),
                    subject,
                }
            })
            .collect();
        drafts.sort_by_key(|d| d.received);
        drafts
    }

    /// The customer of the next case: a returning one about a third of the time.
    fn customer(&mut self, b: &mut BulkBatch, received: DateTime<Utc>) -> i64 {
        if !self.people.is_empty() && self.r.below(3) == 0 {
            return self.first_customer + self.r.below(self.people.len() as u64) as i64;
        }
        self.customer_id += 1;
        self.customers += 1;
        let name = format!("{}{}", self.r.pick(SURNAMES), self.r.pick(GIVEN));
        let phone = format!("1{}{:09}", self.r.pick(&[3, 5, 8, 9]), self.customer_id);
        self.people.push((name.clone(), phone.clone()));
        b.customers.push(BulkCustomer {
            id: self.customer_id,
            row: CustomerWrite {
                kind: CustomerKind::Individual,
                contact_name: name.clone(),
                name,
                phone,
                address: String::new(),
                credit_code: None,
                created_at: received,
            },
        });
        self.customer_id
    }

    /// The case's timeline: intake, then each state of its path; the clock facts, the time and
    /// state it ended at, and when it was resolved.
    fn timeline(
        &mut self,
        b: &mut BulkBatch,
        id: i64,
        d: &Draft,
        channel: Channel,
        assignee: &Staff,
        path: &[State],
    ) -> (Vec<CaseFact>, DateTime<Utc>, State, Option<DateTime<Utc>>) {
        let event = |at, kind, body: String, data: serde_json::Value| {
            let e = EventWrite {
                at,
                actor_id: Some(assignee.0),
                actor_name: assignee.1.clone(),
                kind,
                body,
                data: data.to_string(),
            };
            (id, e)
        };
        let created = text!("case.created_via", channel = channel.arg()).to_string();
        let mut facts = vec![CaseFact::State(State::New, d.received)];
        let data = json!({"state": "new", "channel": channel.code()});
        b.events
            .push(event(d.received, EventKind::Created, created, data));
        if let Some(e) = d.kind.intake_event() {
            facts.push(CaseFact::Event(e.to_owned(), d.received));
            let data = json!({"event": e});
            b.events.push(event(
                d.received,
                EventKind::PolicyEvent,
                String::new(),
                data,
            ));
        }
        let (mut at, mut from, mut resolved_at) = (d.received, State::New, None);
        for to in path {
            at = (at + Duration::minutes(10 + self.r.below(3 * 24 * 60) as i64)).min(self.s.now);
            let mut data = json!({"from": from.code(), "to": to.code()});
            if *to == State::Resolved {
                resolved_at = Some(at);
                data["resolution"] = json!("已按规定处理并向客户说明结果");
            }
            if *to == State::Closed {
                data["satisfaction"] = json!("satisfied");
                data["precautions"] = json!("请按说明书使用，如再出现问题请致电客服热线");
            }
            facts.push(CaseFact::State(*to, at));
            b.events
                .push(event(at, EventKind::State, String::new(), data));
            from = *to;
        }
        (facts, at, from, resolved_at)
    }

    /// One case with its events, clocks, escalations and search words.
    fn case(&mut self, b: &mut BulkBatch, d: &Draft, number: String) {
        let (_, subject, description) = SUBJECTS[d.subject];
        let customer = self.customer(b, d.received);
        self.case_id += 1;
        let id = self.case_id;
        let channel: Channel = self.r.pick(CHANNELS).parse().unwrap_or(Channel::Phone);
        let (desk_id, assignee) = match d.kind {
            Kind::Complaint => (self.s.desk("complaint"), self.s.officer.clone()),
            Kind::Repair | Kind::Maintenance => {
                (self.s.desk("field"), self.r.pick(&self.s.techs).clone())
            }
            _ => (self.s.desk("service"), self.r.pick(&self.s.agents).clone()),
        };
        let path = path(&mut self.r, (self.s.now - d.received).num_days());
        let assigned = !path.is_empty() || self.r.below(2) == 0;
        let (facts, at, from, resolved_at) = self.timeline(b, id, d, channel, &assignee, path);
        let p = self.s.projector(desk_id).project(&facts, self.s.now);
        let (cust_name, cust_phone) = &self.people[(customer - self.first_customer) as usize];
        let parts = [number.as_str(), subject, description, cust_name, cust_phone];
        b.search
            .push((id, sanbao_domain::search::index_words(&parts)));
        for c in p.clocks.iter().filter(|c| c.state == ClockState::Breached) {
            b.escalations
                .push((id, c.clock.clone(), c.due_at.unwrap_or(self.s.now)));
        }
        b.clocks.extend(p.clocks.into_iter().map(|c| (id, c)));
        let policy = (self.s.policy_name.as_str(), self.s.policy_version);
        let row = CaseRecord {
            number,
            customer_id: CustomerId(customer),
            description: description.to_owned(),
            priority: *self.r.pick(PRIORITIES),
            desk_id,
            assignee_id: assigned.then_some(UserId(assignee.0)),
            state: from,
            resolved_at: resolved_at.filter(|_| from != State::Cancelled),
            next_due_at: p.next_due,
            next_check_at: p.next_check,
            next_soon_at: p.next_soon,
            breached: p.breached,
            escalated: p.breached,
            updated_at: at,
            ..CaseRecord::new(
                d.kind,
                channel,
                subject.to_owned(),
                policy,
                d.received,
                d.received,
            )
        };
        b.cases.push(BulkCase { id, row });
    }
}

impl Generator {
    /// `n` cases with their numbers, reserved per kind and year inside `tx`.
    async fn batch(&mut self, tx: &mut sanbao_store::Tx, n: u64) -> Result<BulkBatch> {
        let drafts = self.drafts(n);
        let tz = self.s.tz;
        let mut next_seq: HashMap<(Kind, i32), i64> = HashMap::new();
        for d in &drafts {
            *next_seq
                .entry((d.kind, dom::number_year(d.received, tz)))
                .or_insert(0) += 1;
        }
        for ((kind, year), count) in next_seq.iter_mut() {
            *count = bulk::reserve_numbers(tx, kind.code(), *year, *count).await?;
        }
        let mut b = BulkBatch::default();
        for d in &drafts {
            let year = dom::number_year(d.received, tz);
            let seq = next_seq.get_mut(&(d.kind, year)).map_or(0, |s| {
                *s += 1;
                *s - 1
            });
            self.case(&mut b, d, dom::case_number(d.kind, year, seq));
        }
        Ok(b)
    }
}

impl Bench<'_> {
    /// Generate `total` cases (and about one customer per three cases). Needs the demo desks
    /// and staff (`sanbao serve --demo` or `bench-data` on a new data directory); `progress`
    /// is told the running count after each batch.
    pub async fn generate(
        &self,
        actor: &Actor,
        total: u64,
        mut progress: impl FnMut(u64),
    ) -> Result<BenchData> {
        actor.require(Permission::SettingsManage)?;
        let store = &self.app.store;
        let mut tx = store.begin().await?;
        let (customer_id, case_id) = bulk::max_ids(&mut tx).await?;
        drop(tx);
        let mut g = Generator {
            r: Lcg(total ^ 0x5a4e_4241_4f00),
            s: Setting::load(self.app, actor).await?,
            customer_id,
            case_id,
            first_customer: customer_id + 1,
            people: Vec::new(),
            customers: 0,
        };
        let mut done = 0u64;
        while done < total {
            let n = BATCH.min(total - done);
            let mut tx = store.begin().await?;
            let b = g.batch(&mut tx, n).await?;
            bulk::insert(&mut tx, &b).await?;
            tx.commit().await?;
            done += n;
            progress(done);
        }
        let mut tx = store.begin().await?;
        bulk::finish(&mut tx).await?;
        let changes = json!({"cases": total, "customers": g.customers});
        audit::record(
            &mut tx,
            actor,
            Action::BenchGenerate,
            RecordType::Case,
            "*",
            changes,
        )
        .await?;
        tx.commit().await?;
        bulk::analyze(store).await?;
        Ok(BenchData {
            cases: total,
            customers: g.customers,
        })
    }
}
