//! Benchmark data: a year of cases at scale (`sanbao bench-data --cases 1000000`).
//!
//! The rows are the ones the case use cases write — events, clocks projected under the active
//! policy and calendar, search words — loaded many per statement instead of one request at a
//! time. Cases are spread over the last 365 days; older ones are mostly closed, recent ones
//! mostly open, a few old ones still open and breached, as in a real service centre.
use chrono::{DateTime, Duration, Utc};
use sanbao_domain::case::{self as dom, CaseFact, Channel, Kind, State};
use sanbao_domain::role::Permission;
use sanbao_store::bulk::{self, BulkBatch, BulkCase, BulkCustomer};
use sanbao_store::intake::EventDraft;
use serde_json::json;

use crate::bootstrap::{CHANNELS, GIVEN, SUBJECTS, SURNAMES};
use crate::cases::Projector;
use crate::{Actor, App, AppError, Result, audit};

/// Priorities as they occur: mostly normal.
const PRIORITIES: &[&str] = &["normal", "normal", "normal", "high", "urgent", "low"];

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

impl App {
    /// Generate `total` cases (and about one customer per three cases). Needs the demo desks
    /// and staff (`sanbao serve --demo` or `bench-data` on a new data directory); `progress`
    /// is told the running count after each batch.
    pub async fn generate_bench_data(
        &self,
        actor: &Actor,
        total: u64,
        mut progress: impl FnMut(u64),
    ) -> Result<BenchData> {
        actor.require(Permission::SettingsManage)?;
        let mut staff = Vec::new();
        for (username, name) in [
            ("zhangwei", "张伟"),
            ("lina", "李娜"),
            ("wangfang", "王芳"),
            ("liuyang", "刘洋"),
            ("chenjing", "陈静"),
        ] {
            match self.find_user_id(actor, username).await {
                Ok(id) => staff.push((id, name.to_owned())),
                Err(AppError::NotFound(_)) => {
                    return Err(AppError::rule(
                        "bench_data_needs_demo",
                        "基准数据需要演示数据中的部门和人员：请在新的数据目录上运行",
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        let agents = [staff[0].clone(), staff[1].clone()];
        let officer = staff[2].clone();
        let techs = [staff[3].clone(), staff[4].clone()];
        let desks = self.list_desks(actor).await?;
        let desk = |kind: &str| desks.iter().find(|d| d.kind == kind).map(|d| d.id);
        let (policy, version) = self.active_policy().await?;
        let mut projectors = Vec::new();
        for kind in ["service", "complaint", "field"] {
            let d = desk(kind);
            projectors.push((
                d,
                self.projector(Some(policy.clone()), &policy.name, version, d)
                    .await?,
            ));
        }
        let projector_of = |d: Option<i64>| -> &Projector {
            projectors
                .iter()
                .find(|(id, _)| *id == d)
                .map_or(&projectors[0].1, |(_, p)| p)
        };

        let tz = self.config.timezone;
        let now = sanbao_domain::time::now();
        let mut r = Lcg(total ^ 0x5a4e_4241_4f00);
        let mut done = 0u64;
        let mut customers = 0u64;
        let mut tx = self.store.begin().await?;
        let (mut customer_id, mut case_id) = bulk::max_ids(&mut tx).await?;
        drop(tx);
        // Names and phones of the customers made here (returning customers are among them).
        let first_customer = customer_id + 1;
        let mut people: Vec<(String, String)> = Vec::new();
        while done < total {
            let n = BATCH.min(total - done);
            let mut b = BulkBatch::default();
            // Decide every case of the batch first, so numbers can be reserved per kind/year.
            struct Draft {
                kind: Kind,
                received: DateTime<Utc>,
                subject: usize,
            }
            let mut drafts: Vec<Draft> = (0..n)
                .map(|_| {
                    let minutes = r.below(365 * 24 * 60) as i64 + 5;
                    let subject = r.below(SUBJECTS.len() as u64) as usize;
                    Draft {
                        kind: SUBJECTS[subject].0.parse().unwrap_or(Kind::Inquiry),
                        received: now - Duration::minutes(minutes),
                        subject,
                    }
                })
                .collect();
            drafts.sort_by_key(|d| d.received);
            let mut tx = self.store.begin().await?;
            let mut next_seq = std::collections::HashMap::new();
            for d in &drafts {
                *next_seq
                    .entry((d.kind, dom::number_year(d.received, tz)))
                    .or_insert(0i64) += 1;
            }
            for ((kind, year), count) in next_seq.iter_mut() {
                *count = bulk::reserve_numbers(&mut tx, kind.code(), *year, *count).await?;
            }
            for d in drafts {
                let (_, subject, description) = SUBJECTS[d.subject];
                // A returning customer about a third of the time.
                let cust = if !people.is_empty() && r.below(3) == 0 {
                    first_customer + r.below(people.len() as u64) as i64
                } else {
                    customer_id += 1;
                    customers += 1;
                    let name = format!("{}{}", r.pick(SURNAMES), r.pick(GIVEN));
                    let phone = format!("1{}{:09}", r.pick(&[3, 5, 8, 9]), customer_id);
                    people.push((name.clone(), phone.clone()));
                    b.customers.push(BulkCustomer {
                        id: customer_id,
                        kind: "individual",
                        name,
                        phone,
                        created_at: d.received,
                    });
                    customer_id
                };
                let (cust_name, cust_phone) = &people[(cust - first_customer) as usize];
                case_id += 1;
                let year = dom::number_year(d.received, tz);
                let seq = next_seq.get_mut(&(d.kind, year)).map_or(0, |s| {
                    *s += 1;
                    *s - 1
                });
                let number = dom::case_number(d.kind, year, seq);
                let channel = *r.pick(CHANNELS);
                let channel_zh = channel.parse::<Channel>().map_or("", |c| c.label_zh());
                let (desk_id, assignee) = match d.kind {
                    Kind::Complaint => (desk("complaint"), officer.clone()),
                    Kind::Repair | Kind::Maintenance => (desk("field"), r.pick(&techs).clone()),
                    _ => (desk("service"), r.pick(&agents).clone()),
                };
                let age = (now - d.received).num_days();
                let path = path(&mut r, age);
                let assigned = !path.is_empty() || r.below(2) == 0;
                let mut facts = vec![CaseFact::State(State::New, d.received)];
                let event = |at, kind, body: String, data: String| {
                    let actor_name = assignee.1.clone();
                    let actor_id = Some(assignee.0);
                    let e = EventDraft {
                        at,
                        actor_id,
                        actor_name,
                        kind,
                        body,
                        data,
                    };
                    (case_id, e)
                };
                b.events.push(event(
                    d.received,
                    "created",
                    format!("经{channel_zh}受理"),
                    json!({"state": "new", "channel": channel}).to_string(),
                ));
                if let Some(e) = d.kind.intake_event() {
                    facts.push(CaseFact::Event(e.to_owned(), d.received));
                    b.events.push(event(
                        d.received,
                        "policy_event",
                        String::new(),
                        json!({"event": e}).to_string(),
                    ));
                }
                let (mut at, mut from, mut resolved_at) = (d.received, State::New, None);
                for to in path {
                    let step = Duration::minutes(10 + r.below(3 * 24 * 60) as i64);
                    at = (at + step).min(now);
                    if *to == State::Resolved {
                        resolved_at = Some(at);
                    }
                    let mut data = json!({"from": from.code(), "to": to.code()});
                    if *to == State::Resolved {
                        data["resolution"] = json!("已按规定处理并向客户说明结果");
                    }
                    if *to == State::Closed {
                        data["satisfaction"] = json!("satisfied");
                        data["precautions"] = json!("请按说明书使用，如再出现问题请致电客服热线");
                    }
                    facts.push(CaseFact::State(*to, at));
                    b.events
                        .push(event(at, "state", String::new(), data.to_string()));
                    from = *to;
                }
                let p = projector_of(desk_id).project(&facts, tz, now);
                let parts = [number.as_str(), subject, description, cust_name, cust_phone];
                b.search
                    .push((case_id, sanbao_domain::search::index_words(&parts)));
                for c in p.clocks.iter().filter(|c| c.state == "breached") {
                    let at = c.due_at.unwrap_or(now);
                    b.escalations.push((case_id, c.clock.clone(), at));
                }
                b.clocks.extend(p.clocks.into_iter().map(|c| (case_id, c)));
                b.cases.push(BulkCase {
                    id: case_id,
                    number,
                    kind: d.kind.code(),
                    channel,
                    customer_id: cust,
                    subject,
                    description,
                    priority: PRIORITIES[r.below(PRIORITIES.len() as u64) as usize],
                    desk_id,
                    assignee_id: assigned.then_some(assignee.0),
                    state: from.code(),
                    is_open: from.is_open(),
                    policy_name: policy.name.clone(),
                    policy_version: version,
                    received_at: d.received,
                    regulator_ref: None,
                    resolved_at: if from == State::Cancelled {
                        None
                    } else {
                        resolved_at
                    },
                    next_due_at: p.next_due,
                    next_check_at: p.next_check,
                    breached: p.breached,
                    escalated: p.breached,
                    updated_at: at,
                });
            }
            bulk::insert(&mut tx, &b).await?;
            tx.commit().await?;
            done += n;
            progress(done);
        }
        let mut tx = self.store.begin().await?;
        bulk::finish(&mut tx).await?;
        audit::record(
            &mut tx,
            actor,
            "bench.generate",
            "case",
            "*",
            json!({"cases": total, "customers": customers}),
        )
        .await?;
        tx.commit().await?;
        bulk::analyze(&self.store).await?;
        Ok(BenchData {
            cases: total,
            customers,
        })
    }
}
