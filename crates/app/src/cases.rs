//! Service cases: intake, reading, queues, edits, state changes, notes. Every change appends
//! to the case's event list and recomputes its clocks from that list in the same transaction.

use chrono::{DateTime, Utc};
use sanbao_domain::case::{self as dom, CaseFact, Channel, Kind, Priority, State};
use sanbao_domain::contact::{CreditCode, Phone};
use sanbao_domain::deadline::{ClockState, Context};
use sanbao_domain::hours::ServiceHours;
use sanbao_domain::policy::Policy;
use sanbao_domain::role::Permission;
use sanbao_domain::user::parse_label;
use sanbao_domain::{FieldError, FieldErrors};
use sanbao_store::Tx;
use sanbao_store::cases::{self as repo, CaseFilter, CaseRow, ClockRow, EventRow};
use sanbao_store::intake;
use serde_json::json;

use crate::{Actor, App, AppError, Result, audit};

pub use sanbao_store::cases::{
    CaseRow as CaseRecord, ClockRow as CaseClockRow, EventRow as CaseEvent,
};

/// The customer part of an intake.
#[derive(Debug, Clone, Default)]
pub struct CustomerInput {
    pub name: String,
    pub phone: String,
    /// `individual` (default) or `organisation`.
    pub kind: String,
    pub address: String,
    pub credit_code: String,
}

/// A new case as submitted.
#[derive(Debug, Clone, Default)]
pub struct NewCaseInput {
    pub kind: String,
    pub channel: String,
    pub customer: CustomerInput,
    pub subject: String,
    pub description: String,
    pub priority: String,
    /// When the customer reached us (a letter may be logged later); default now.
    pub received_at: Option<DateTime<Utc>>,
    pub desk_id: Option<i64>,
    pub assignee_id: Option<i64>,
    /// 12315 case number, for regulator transfers.
    pub regulator_ref: String,
    /// The regulator's acceptance date, `YYYY-MM-DD` (regulator transfers).
    pub regulator_accepted_on: String,
}

/// A case as shown: the record, its clocks, the customer's phone as this viewer may see it.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub case: CaseRow,
    pub clocks: Vec<ClockRow>,
    pub phone_shown: String,
}

/// A customer as listed, with the phone as this viewer may see it.
pub struct CustomerItem {
    pub row: repo::CustomerListRow,
    pub phone_shown: String,
}

pub struct CustomerPage {
    pub customers: Vec<CustomerItem>,
    /// The cursor of the next page (newest-first listing only).
    pub next_before: Option<i64>,
    /// Why a search found nothing, when the search itself was not usable.
    pub hint: Option<&'static str>,
}

pub struct CasePage {
    pub cases: Vec<CaseView>,
    pub next_cursor: Option<String>,
}

/// What resolving (`resolution`) or closing (`satisfaction`, `precautions`) records.
#[derive(Debug, Clone, Default)]
pub struct Closing {
    pub resolution: String,
    /// `satisfied`, `fair`, `unsatisfied` or `unreachable`.
    pub satisfaction: String,
    pub precautions: String,
}

/// What an edit changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CaseEdit {
    pub subject: Option<String>,
    pub description: Option<String>,
    pub priority: Option<String>,
    /// `Some(None)` clears the desk.
    pub desk_id: Option<Option<i64>>,
    /// `Some(None)` clears the assignee.
    pub assignee_id: Option<Option<i64>>,
    /// Replaces the case's tags.
    pub tags: Option<Vec<String>>,
}

/// Queue shortcuts of the case list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Mine,
    Desk,
    DueSoon,
    Breached,
    /// Escalated to a supervisor (a breach or an agent's exception report): the supervisor queue.
    Escalated,
    Unassigned,
    All,
}

impl Queue {
    pub const ALL: [Queue; 7] = [
        Queue::Mine,
        Queue::Desk,
        Queue::DueSoon,
        Queue::Breached,
        Queue::Escalated,
        Queue::Unassigned,
        Queue::All,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Queue::Mine => "mine",
            Queue::Desk => "desk",
            Queue::DueSoon => "due_soon",
            Queue::Breached => "breached",
            Queue::Escalated => "escalated",
            Queue::Unassigned => "unassigned",
            Queue::All => "all",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Queue::Mine => "我的服务单",
            Queue::Desk => "本部门",
            Queue::DueSoon => "即将超时",
            Queue::Breached => "已超时",
            Queue::Escalated => "已升级",
            Queue::Unassigned => "未分配",
            Queue::All => "全部",
        }
    }

    pub fn from_code(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.code() == s)
    }
}

/// Filters on top of a queue.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub queue: Option<Queue>,
    pub kind: Option<String>,
    pub state: Option<String>,
    pub channel: Option<String>,
    pub desk_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_to: Option<DateTime<Utc>>,
    pub tag: Option<String>,
    pub cursor: Option<String>,
}

/// "Due soon": a clock ends within this many hours.
pub const DUE_SOON_HOURS: i64 = 4;

fn can_see(actor: &Actor, c: &CaseRow) -> bool {
    c.kind != Kind::Complaint.code()
        || actor.can(Permission::ComplaintHandle)
        || actor.can(Permission::CaseSupervise)
        || (c.assignee_id.is_some() && c.assignee_id == actor.user_id)
}

fn shown_phone(actor: &Actor, phone: &str) -> String {
    if actor.can(Permission::PersonalData) {
        phone.to_owned()
    } else {
        Phone::parse(phone).map_or_else(|_| "****".into(), |p| p.masked())
    }
}

/// A queue cursor: the last row's `(due_key, id)`, as `DUEKEY_ID`.
fn parse_cursor(s: &str) -> Result<(i64, i64)> {
    let bad = || AppError::invalid("cursor", "invalid", "cursor 无效");
    let (due, id) = s.split_once('_').ok_or_else(bad)?;
    Ok((
        due.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

fn make_cursor(c: &CaseRow) -> String {
    format!("{}_{}", c.due_key, c.id)
}

impl App {
    /// The policy a case runs under: the version stored on it.
    async fn case_policy(&self, name: &str, version: i32) -> Result<Policy> {
        self.policy_version(name, version)
            .await
            .map_err(|e| AppError::Fault(format!("policy {name} v{version}: {e}")))?
            .ok_or_else(|| AppError::Fault(format!("policy {name} v{version} missing")))
    }

    /// Everything a projection needs besides the event list, read before the write
    /// transaction opens (a transaction waiting for a second pooled connection can starve the
    /// pool; on SQLite the writer is a single connection).
    pub(crate) async fn projector(
        &self,
        policy: Option<Policy>,
        name: &str,
        version: i32,
        desk_id: Option<i64>,
    ) -> Result<Projector> {
        let policy = match policy {
            Some(p) => p,
            None => self.case_policy(name, version).await?,
        };
        let hours = match desk_id {
            Some(d) => self.desk_hours(d).await?.0,
            None => ServiceHours::default(),
        };
        Ok(Projector {
            policy,
            calendar: self.calendar().await?,
            hours,
        })
    }

    /// Recompute a case's clocks from its events and store the projection.
    async fn project(
        &self,
        tx: &mut Tx,
        p: &Projector,
        case_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let events = repo::events_tx(tx, case_id).await?;
        let pr = p.project(&facts(&events), self.config.timezone, now);
        repo::write_projection(
            tx,
            case_id,
            &pr.clocks,
            pr.next_due,
            pr.next_check,
            pr.breached,
        )
        .await?;
        Ok(())
    }

    /// Log a case from any channel.
    pub async fn open_case(
        &self,
        actor: &Actor,
        input: NewCaseInput,
        idempotency_key: Option<&str>,
    ) -> Result<CaseView> {
        actor.require(Permission::CaseWrite)?;
        let now = sanbao_domain::time::now();
        let mut errs = FieldErrors::default();
        let kind = errs.check(input.kind.parse::<Kind>());
        let channel = errs.check(input.channel.parse::<Channel>());
        let priority = if input.priority.is_empty() {
            Some(Priority::Normal)
        } else {
            errs.check(input.priority.parse::<Priority>())
        };
        let name = errs.check(parse_label(
            &input.customer.name,
            "customer.name",
            "客户姓名/名称",
            60,
        ));
        let phone = errs.check(Phone::parse(&input.customer.phone).map_err(|e| FieldError {
            field: "customer.phone",
            ..e
        }));
        let customer_kind = match input.customer.kind.as_str() {
            "" | "individual" => Some("individual"),
            "organisation" => Some("organisation"),
            _ => {
                errs.push(FieldError::new(
                    "customer.kind",
                    "unknown",
                    "客户类型应为个人或单位",
                ));
                None
            }
        };
        let credit_code = if input.customer.credit_code.trim().is_empty() {
            None
        } else {
            errs.check(
                CreditCode::parse(&input.customer.credit_code)
                    .map(|c| c.as_str().to_owned())
                    .map_err(|e| FieldError {
                        field: "customer.credit_code",
                        ..e
                    }),
            )
        };
        if customer_kind == Some("organisation")
            && credit_code.is_none()
            && input.customer.credit_code.trim().is_empty()
        {
            errs.push(FieldError::new(
                "customer.credit_code",
                "required",
                "单位客户请填写统一社会信用代码",
            ));
        }
        let subject = errs.check(parse_label(&input.subject, "subject", "主题", 120));
        let description = input.description.trim().to_owned();
        if description.chars().count() > 10_000 {
            errs.push(FieldError::new(
                "description",
                "too_long",
                "描述不能超过 10000 字",
            ));
        }
        let received_at = input
            .received_at
            .map(sanbao_domain::time::truncate_micros)
            .unwrap_or(now);
        if received_at > now + chrono::Duration::minutes(5) {
            errs.push(FieldError::new(
                "received_at",
                "future",
                "受理时间不能晚于现在",
            ));
        }
        if received_at < now - chrono::Duration::days(366) {
            errs.push(FieldError::new(
                "received_at",
                "too_old",
                "受理时间不能早于一年前",
            ));
        }
        let regulator_ref = input.regulator_ref.trim();
        if channel == Some(Channel::Regulator) && regulator_ref.is_empty() {
            errs.push(FieldError::new(
                "regulator_ref",
                "required",
                "监管转办请填写 12315 案件编号",
            ));
        }
        let received_day = received_at
            .with_timezone(&self.config.timezone)
            .date_naive();
        let regulator_accepted_on = channel.and_then(|ch| {
            errs.check(dom::regulator_acceptance(
                ch,
                &input.regulator_accepted_on,
                received_day,
            ))
            .flatten()
        });
        errs.into_result()?;
        let (
            Some(kind),
            Some(channel),
            Some(priority),
            Some(name),
            Some(phone),
            Some(customer_kind),
            Some(subject),
        ) = (kind, channel, priority, name, phone, customer_kind, subject)
        else {
            return Err(AppError::Fault("a parsed field is missing".into()));
        };
        if kind == Kind::Complaint
            && input.assignee_id.is_some()
            && !actor.can(Permission::CaseAssign)
        {
            actor.require(Permission::CaseAssign)?;
        }
        let (policy, policy_version) = self.active_policy().await?;
        let projector = self
            .projector(
                Some(policy.clone()),
                &policy.name,
                policy_version,
                input.desk_id,
            )
            .await?;
        let idempotency = actor.user_id.zip(idempotency_key);
        if let Some((uid, key)) = idempotency
            && let Some(existing) = repo::idempotent_case(&self.store, uid, key).await?
        {
            return self.idempotent_answer(actor, existing).await;
        }
        // Events and clocks are known before anything is written: the projection is computed
        // here and the case goes to the database in one piece.
        let mut events = vec![intake::EventDraft {
            at: received_at,
            actor_id: actor.user_id,
            actor_name: actor.display_name.clone(),
            kind: "created",
            body: format!("经{}受理", channel.label_zh()),
            data: json!({"state": "new", "channel": channel.code()}).to_string(),
        }];
        if let Some(e) = kind.intake_event() {
            events.push(intake::EventDraft {
                kind: "policy_event",
                body: String::new(),
                data: json!({"event": e}).to_string(),
                ..events[0].clone()
            });
        }
        let rows: Vec<EventRow> = events
            .iter()
            .map(|e| EventRow {
                id: 0,
                at: e.at,
                actor_id: e.actor_id,
                actor_name: e.actor_name.clone(),
                kind: e.kind.to_owned(),
                body: e.body.clone(),
                data: e.data.clone(),
            })
            .collect();
        let projection = projector.project(&facts(&rows), self.config.timezone, now);
        let year = dom::number_year(received_at, self.config.timezone);
        // The words of the text the customer gave are cut before the writer is taken.
        let text_words =
            sanbao_domain::search::index_words(&[&subject, &description, phone.as_str()]);
        let draft = intake::CaseDraft {
            customer: intake::CustomerDraft {
                kind: customer_kind,
                name,
                phone: phone.as_str().to_owned(),
                address: input.customer.address.trim().to_owned(),
                credit_code,
            },
            kind: kind.code(),
            year,
            channel: channel.code(),
            subject,
            description,
            priority: priority.code(),
            desk_id: input.desk_id,
            assignee_id: input.assignee_id,
            state: State::New.code(),
            policy_name: policy.name.clone(),
            policy_version,
            received_at,
            regulator_ref: (!regulator_ref.is_empty()).then(|| regulator_ref.to_owned()),
            regulator_accepted_on,
            created_by: actor.user_id,
            now,
            next_due_at: projection.next_due,
            next_check_at: projection.next_check,
            breached: projection.breached,
            events,
            clocks: projection.clocks.clone(),
            idempotency: idempotency.map(|(u, k)| (u, k.to_owned())),
        };
        // Number, search words and audit entry follow from what intake reserves (customer,
        // sequence, audit head): made inside the write.
        let naming = {
            let actor = actor.clone();
            let policy = format!("{}@{}", policy.name, policy_version);
            move |i: &intake::Intake| {
                let number = dom::case_number(kind, year, i.seq);
                let mut search_words =
                    sanbao_domain::search::index_words(&[&number, &i.customer_name]);
                search_words.push(' ');
                search_words.push_str(&text_words);
                let audit = sanbao_domain::audit::AuditEntry::chain(
                    audit::entry(
                        &actor,
                        "case.create",
                        "case",
                        &number,
                        json!({"kind": kind.code(), "channel": channel.code(), "customer_id": i.customer_id, "new_customer": i.customer_created, "policy": policy}),
                    ),
                    i.audit_head.0,
                    &i.audit_head.1,
                );
                intake::Naming {
                    number,
                    search_words,
                    audit,
                }
            }
        };
        let case = match intake::create(&self.store, draft, naming)
            .await
            .map_err(unknown_reference)?
        {
            intake::Created::New { case, .. } => *case,
            intake::Created::Earlier(id) => return self.idempotent_answer(actor, id).await,
        };
        Ok(CaseView {
            phone_shown: shown_phone(actor, &case.customer_phone),
            case,
            clocks: projection.clocks,
        })
    }

    /// The case an earlier request with the same Idempotency-Key created.
    async fn idempotent_answer(&self, actor: &Actor, id: i64) -> Result<CaseView> {
        let case = self.case_by_id(id).await?;
        if !can_see(actor, &case) {
            return Err(AppError::NotFound("case"));
        }
        self.view(actor, case).await
    }

    async fn case_by_id(&self, id: i64) -> Result<CaseRow> {
        repo::by_id(&self.store, id)
            .await?
            .ok_or(AppError::NotFound("case"))
    }

    async fn view(&self, actor: &Actor, case: CaseRow) -> Result<CaseView> {
        let clocks = repo::clocks(&self.store, case.id).await?;
        Ok(CaseView {
            phone_shown: shown_phone(actor, &case.customer_phone),
            case,
            clocks,
        })
    }

    /// A case the actor may see (others answer 404: a complaint's existence is private too).
    pub(crate) async fn visible(&self, actor: &Actor, number: &str) -> Result<CaseRow> {
        actor.require(Permission::CaseRead)?;
        let c = repo::by_number(&self.store, number.trim())
            .await?
            .ok_or(AppError::NotFound("case"))?;
        if !can_see(actor, &c) {
            return Err(AppError::NotFound("case"));
        }
        Ok(c)
    }

    /// A case with its clocks and timeline.
    pub async fn get_case(&self, actor: &Actor, number: &str) -> Result<(CaseView, Vec<EventRow>)> {
        let c = self.visible(actor, number).await?;
        let events = repo::events(&self.store, c.id).await?;
        Ok((self.view(actor, c).await?, events))
    }

    fn filter_for(&self, actor: &Actor, q: &CaseQuery, limit: i64) -> Result<CaseFilter> {
        let mut f = CaseFilter {
            limit,
            open_only: true,
            ..Default::default()
        };
        if let Some(k) = q.kind.as_deref().filter(|k| !k.is_empty()) {
            f.kinds = vec![k.parse::<Kind>()?.code().to_owned()];
        }
        if let Some(s) = q.state.as_deref().filter(|s| !s.is_empty()) {
            let s = s.parse::<State>()?;
            f.states = vec![s.code().to_owned()];
            f.open_only = s.is_open();
        }
        if let Some(c) = q.channel.as_deref().filter(|c| !c.is_empty()) {
            f.channel = Some(c.parse::<Channel>()?.code().to_owned());
        }
        f.desk_ids = q.desk_id.map(|d| vec![d]);
        f.assignee_id = q.assignee_id;
        f.customer_id = q.customer_id;
        f.received_from = q.received_from;
        f.received_to = q.received_to;
        if let Some(t) = q.tag.as_deref().filter(|t| !t.trim().is_empty()) {
            f.tag = Some(sanbao_domain::tag::parse_tag(t)?);
        }
        let now = sanbao_domain::time::now();
        match q.queue.unwrap_or(Queue::All) {
            Queue::Mine => f.assignee_id = Some(actor.user_id.unwrap_or(0)),
            Queue::Desk => f.desk_ids = Some(actor.desk_ids.clone()),
            Queue::DueSoon => {
                // Not yet breached (a breached case's next due time is past): a range walk.
                f.due_from = Some(now);
                f.due_before = Some(now + chrono::Duration::hours(DUE_SOON_HOURS));
                f.breached = Some(false);
            }
            Queue::Breached => f.breached = Some(true),
            Queue::Escalated => f.escalated = Some(true),
            Queue::Unassigned => f.unassigned = true,
            Queue::All => {}
        }
        if q.customer_id.is_some() && q.state.is_none() {
            f.open_only = false;
        }
        if !(actor.can(Permission::ComplaintHandle) || actor.can(Permission::CaseSupervise)) {
            f.complaints_only_assigned_to = Some(actor.user_id.unwrap_or(0));
        }
        if let Some(c) = q.cursor.as_deref().filter(|c| !c.is_empty()) {
            f.after = Some(parse_cursor(c)?);
        }
        Ok(f)
    }

    /// One page of a queue, sorted by next due time.
    pub async fn list_cases(&self, actor: &Actor, q: CaseQuery, limit: i64) -> Result<CasePage> {
        actor.require(Permission::CaseRead)?;
        let f = self.filter_for(actor, &q, limit + 1)?;
        let mut rows = repo::list(&self.store, &f).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if more {
            rows.last().map(make_cursor)
        } else {
            None
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut clocks = repo::clocks_of(&self.store, &ids).await?;
        let cases = rows
            .into_iter()
            .map(|case| {
                let mine: Vec<ClockRow> = clocks
                    .iter()
                    .filter(|(id, _)| *id == case.id)
                    .map(|(_, c)| c.clone())
                    .collect();
                clocks.retain(|(id, _)| *id != case.id);
                CaseView {
                    phone_shown: shown_phone(actor, &case.customer_phone),
                    case,
                    clocks: mine,
                }
            })
            .collect();
        Ok(CasePage { cases, next_cursor })
    }

    /// Customers whose phone starts with `prefix` (at least 3 digits), for the intake form:
    /// `(name, phone as this viewer may see it, kind)`.
    pub async fn customers_by_phone(
        &self,
        actor: &Actor,
        prefix: &str,
    ) -> Result<Vec<(String, String, String)>> {
        actor.require(Permission::CustomerRead)?;
        let digits: String = prefix.chars().filter(char::is_ascii_digit).collect();
        // A prefix lookup would let a masked role read a number digit by digit: it gets
        // exact matches of a whole number only.
        if !actor.can(Permission::PersonalData) && Phone::parse(&digits).is_err() {
            return Ok(Vec::new());
        }
        if digits.len() < 3 {
            return Ok(Vec::new());
        }
        Ok(repo::customers_by_phone_prefix(&self.store, &digits, 8)
            .await?
            .into_iter()
            .map(|c| (c.name, shown_phone(actor, &c.phone), c.kind))
            .collect())
    }

    /// One search box: a case number opens that case; a phone number (7+ digits) finds its
    /// customer's cases; anything else is searched by words in number, subject, description,
    /// notes, customer name and phone.
    pub async fn search_cases(&self, actor: &Actor, q: &str, limit: i64) -> Result<Vec<CaseView>> {
        actor.require(Permission::CaseRead)?;
        let q = q.trim();
        let mut f = self.filter_for(actor, &CaseQuery::default(), limit)?;
        f.open_only = false;
        let upper = q.to_ascii_uppercase();
        let rows = if upper.len() >= 7
            && upper.as_bytes()[2] == b'-'
            && upper[..2].chars().all(|c| c.is_ascii_uppercase())
        {
            match repo::by_number(&self.store, &upper).await? {
                Some(c) if can_see(actor, &c) => vec![c],
                _ => Vec::new(),
            }
        } else if q.chars().filter(char::is_ascii_digit).count() >= 7
            && q.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c))
        {
            let ids = self.customer_ids_for_phone(actor, q).await?;
            let mut out = Vec::new();
            for id in ids {
                f.customer_id = Some(id);
                out.extend(repo::list(&self.store, &f).await?);
            }
            out.truncate(limit.max(0) as usize);
            out
        } else {
            let words = sanbao_domain::search::query_words(q);
            repo::search(&self.store, &words, &f).await?
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let clocks = repo::clocks_of(&self.store, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|case| CaseView {
                clocks: clocks
                    .iter()
                    .filter(|(id, _)| *id == case.id)
                    .map(|(_, c)| c.clone())
                    .collect(),
                phone_shown: shown_phone(actor, &case.customer_phone),
                case,
            })
            .collect())
    }

    /// A customer's card and their cases (those this viewer may see), newest first.
    /// Customers a typed phone number finds: by its start for roles that see phones, by the
    /// whole number only for roles that see them masked (a prefix would reveal digits).
    async fn customer_ids_for_phone(&self, actor: &Actor, typed: &str) -> Result<Vec<i64>> {
        let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
        let digits = digits
            .strip_prefix("86")
            .filter(|d| d.len() == 11)
            .unwrap_or(&digits);
        if actor.can(Permission::PersonalData) {
            if digits.len() < 3 {
                return Ok(Vec::new());
            }
            return Ok(repo::customer_ids_by_phone(&self.store, digits).await?);
        }
        Ok(match Phone::parse(digits) {
            Ok(p) => repo::customer_id_by_phone(&self.store, p.as_str())
                .await?
                .into_iter()
                .collect(),
            Err(_) => Vec::new(),
        })
    }

    /// One page of the customer list.
    pub async fn list_customers(
        &self,
        actor: &Actor,
        q: &str,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<CustomerPage> {
        actor.require(Permission::CustomerRead)?;
        let q = q.trim();
        let mut f = repo::CustomerFilter {
            before_id,
            limit: limit + 1,
            ..Default::default()
        };
        let phone_like =
            !q.is_empty() && q.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c));
        let mut hint = None;
        if phone_like {
            f.ids = Some(self.customer_ids_for_phone(actor, q).await?);
        } else if !q.is_empty() {
            f.name_prefix = Some(q.to_owned());
        }
        let mut rows = repo::customers_page(&self.store, &f).await?;
        if phone_like && rows.is_empty() && !actor.can(Permission::PersonalData) {
            hint = Some("请输入完整的手机号或电话号码");
        }
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_before = (more && f.name_prefix.is_none())
            .then(|| rows.last().map(|r| r.id))
            .flatten();
        Ok(CustomerPage {
            customers: rows
                .into_iter()
                .map(|r| CustomerItem {
                    phone_shown: shown_phone(actor, &r.phone),
                    row: r,
                })
                .collect(),
            next_before,
            hint,
        })
    }

    pub async fn customer_cases(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(repo::CustomerRow, String, Vec<CaseView>)> {
        actor.require(Permission::CustomerRead)?;
        let c = repo::customer(&self.store, id)
            .await?
            .ok_or(AppError::NotFound("customer"))?;
        let phone = shown_phone(actor, &c.phone);
        let cases = if actor.can(Permission::CaseRead) {
            let mut f = self.filter_for(actor, &CaseQuery::default(), 200)?;
            f.open_only = false;
            f.customer_id = Some(id);
            let rows = repo::list(&self.store, &f).await?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let clocks = repo::clocks_of(&self.store, &ids).await?;
            rows.into_iter()
                .map(|case| CaseView {
                    clocks: clocks
                        .iter()
                        .filter(|(cid, _)| *cid == case.id)
                        .map(|(_, k)| k.clone())
                        .collect(),
                    phone_shown: shown_phone(actor, &case.customer_phone),
                    case,
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok((c, phone, cases))
    }

    /// Staff a case can be assigned to (those who work on cases): `(id, name)`.
    pub async fn assignable_users(&self, actor: &Actor) -> Result<Vec<(i64, String)>> {
        actor.require(Permission::CaseRead)?;
        Ok(sanbao_store::users::with_permission(&self.store, Permission::CaseWrite.code()).await?)
    }

    /// Assign several cases at once (a queue's bulk action); returns `(number, error)` for the
    /// ones refused, the others are assigned.
    pub async fn bulk_assign(
        &self,
        actor: &Actor,
        numbers: &[String],
        assignee: Option<i64>,
    ) -> Result<Vec<(String, AppError)>> {
        let mut refused = Vec::new();
        for n in numbers.iter().take(200) {
            let result = match self.visible(actor, n).await {
                Ok(c) => self
                    .update_case(
                        actor,
                        n,
                        c.version,
                        &CaseEdit {
                            assignee_id: Some(assignee),
                            ..CaseEdit::default()
                        },
                    )
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                refused.push((n.clone(), e));
            }
        }
        Ok(refused)
    }

    /// Case counts per queue, each capped (a badge shows "99+" instead of scanning a million rows).
    pub async fn queue_counts(&self, actor: &Actor, cap: i64) -> Result<Vec<(Queue, i64)>> {
        actor.require(Permission::CaseRead)?;
        let filters = Queue::ALL
            .iter()
            .map(|q| {
                self.filter_for(
                    actor,
                    &CaseQuery {
                        queue: Some(*q),
                        ..Default::default()
                    },
                    cap,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let counts = repo::counts_capped(&self.store, &filters, cap).await?;
        Ok(Queue::ALL.into_iter().zip(counts).collect())
    }

    /// Move a case to another state (the common spine; 422 with the reason when refused).
    pub async fn transition_case(
        &self,
        actor: &Actor,
        number: &str,
        to: &str,
        version: i64,
        note: &str,
    ) -> Result<CaseView> {
        self.transition_case_with(actor, number, to, version, note, &Closing::default())
            .await
    }

    /// Move a case to another state, with what resolving or closing must record.
    pub async fn transition_case_with(
        &self,
        actor: &Actor,
        number: &str,
        to: &str,
        version: i64,
        note: &str,
        closing: &Closing,
    ) -> Result<CaseView> {
        actor.require(Permission::CaseWrite)?;
        let to: State = to.parse()?;
        let satisfaction = match closing.satisfaction.trim() {
            "" => None,
            s => Some(s.parse::<dom::Satisfaction>()?),
        };
        let c = self.visible(actor, number).await?;
        let now = sanbao_domain::time::now();
        if c.version != version {
            return Err(AppError::Stale);
        }
        let from: State = c.state.parse()?;
        dom::check_transition(c.kind.parse()?, from, to, c.resolved_at, now)
            .map_err(|r| AppError::rule(r.code, r.message))?;
        dom::check_closing(to, &closing.resolution, satisfaction, &closing.precautions)?;
        let resolved_at = match to {
            State::Resolved => Some(now),
            State::Closed => c.resolved_at.or(Some(now)),
            State::InProgress if matches!(from, State::Resolved | State::Closed) => None,
            _ => c.resolved_at,
        };
        let projector = self
            .projector(None, &c.policy_name, c.policy_version, c.desk_id)
            .await?;
        let mut tx = self.store.begin().await?;
        repo::set_state(&mut tx, c.id, version, to.code(), resolved_at, now).await?;
        let note = note.trim();
        let mut data = json!({"from": from.code(), "to": to.code()});
        if to == State::Resolved {
            data["resolution"] = json!(closing.resolution.trim());
        }
        if to == State::Closed {
            data["satisfaction"] = json!(satisfaction.map(|s| s.code()));
            data["precautions"] = json!(closing.precautions.trim());
        }
        append(&mut tx, actor, c.id, "state", now, note, data).await?;
        self.project(&mut tx, &projector, c.id, now).await?;
        audit::record(
            &mut tx,
            actor,
            "case.transition",
            "case",
            &c.number,
            json!({"from": from.code(), "to": to.code()}),
        )
        .await?;
        tx.commit().await?;
        let c = self.case_by_id(c.id).await?;
        self.view(actor, c).await
    }

    /// An internal note, or a message to the customer (the first one to a complainant stops
    /// the first-response clock).
    pub async fn add_case_note(
        &self,
        actor: &Actor,
        number: &str,
        body: &str,
        to_customer: bool,
    ) -> Result<()> {
        actor.require(Permission::CaseWrite)?;
        let body = body.trim();
        if body.is_empty() {
            return Err(AppError::invalid("body", "required", "请填写内容"));
        }
        if body.chars().count() > 10_000 {
            return Err(AppError::invalid(
                "body",
                "too_long",
                "内容不能超过 10000 字",
            ));
        }
        let c = self.visible(actor, number).await?;
        let now = sanbao_domain::time::now();
        let projector = self
            .projector(None, &c.policy_name, c.policy_version, c.desk_id)
            .await?;
        let mut tx = self.store.begin().await?;
        let kind = if to_customer { "message" } else { "note" };
        append(&mut tx, actor, c.id, kind, now, body, json!({})).await?;
        if to_customer {
            let events = repo::events_tx(&mut tx, c.id).await?;
            let first = !events
                .iter()
                .any(|e| e.kind == "policy_event" && e.data.contains("first_response_sent"));
            if first {
                append(
                    &mut tx,
                    actor,
                    c.id,
                    "policy_event",
                    now,
                    "",
                    json!({"event": "first_response_sent"}),
                )
                .await?;
            }
        }
        repo::touch(&mut tx, c.id, now).await?;
        self.project(&mut tx, &projector, c.id, now).await?;
        reindex(&mut tx, c.id).await?;
        audit::record(
            &mut tx,
            actor,
            &format!("case.{kind}"),
            "case",
            &c.number,
            json!({"chars": body.chars().count()}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Edit a case's subject, description, priority, desk, assignee and tags (409 when stale).
    pub async fn update_case(
        &self,
        actor: &Actor,
        number: &str,
        version: i64,
        edit: &CaseEdit,
    ) -> Result<CaseView> {
        let CaseEdit {
            subject,
            description,
            priority,
            desk_id,
            assignee_id,
            tags,
        } = edit;
        let (subject, description, priority) = (
            subject.as_deref(),
            description.as_deref(),
            priority.as_deref(),
        );
        let (desk_id, assignee_id) = (*desk_id, *assignee_id);
        actor.require(Permission::CaseWrite)?;
        let c = self.visible(actor, number).await?;
        let moves_desk = desk_id.is_some_and(|d| d != c.desk_id);
        let moves_assignee = assignee_id.is_some_and(|a| a != c.assignee_id);
        // Without case.assign one may only take an unassigned case, on its desk.
        let taking = assignee_id == Some(actor.user_id) && c.assignee_id.is_none() && !moves_desk;
        if (moves_desk || moves_assignee) && !taking {
            actor.require(Permission::CaseAssign)?;
        }
        if description.is_some_and(|d| d.chars().count() > 10_000) {
            return Err(AppError::invalid(
                "description",
                "too_long",
                "描述不能超过 10000 字",
            ));
        }
        let mut errs = FieldErrors::default();
        let subject = match subject {
            Some(s) => errs.check(parse_label(s, "subject", "主题", 120)),
            None => Some(c.subject.clone()),
        };
        let priority = match priority {
            Some(p) => errs
                .check(p.parse::<Priority>())
                .map(|p| p.code().to_owned()),
            None => Some(c.priority.clone()),
        };
        let tags = match tags {
            Some(t) => errs.check(sanbao_domain::tag::parse_tag_list(t)),
            None => None,
        };
        errs.into_result()?;
        let (Some(subject), Some(priority)) = (subject, priority) else {
            return Err(AppError::Fault("a parsed field is missing".into()));
        };
        let old_tags = split_tags(&c.tags);
        let tags = tags.filter(|t| *t != old_tags);
        let description = description.map_or(c.description.clone(), |d| d.trim().to_owned());
        let desk = desk_id.unwrap_or(c.desk_id);
        let assignee = assignee_id.unwrap_or(c.assignee_id);
        let now = sanbao_domain::time::now();
        let projector = self
            .projector(None, &c.policy_name, c.policy_version, desk)
            .await?;
        let mut tx = self.store.begin().await?;
        repo::update_fields(
            &mut tx,
            c.id,
            version,
            &repo::CaseFields {
                subject: &subject,
                description: &description,
                priority: &priority,
                desk_id: desk,
                assignee_id: assignee,
            },
            now,
        )
        .await
        .map_err(unknown_reference)?;
        if desk != c.desk_id || assignee != c.assignee_id {
            append(&mut tx, actor, c.id, "assignment", now, "", json!({"desk_id": {"from": c.desk_id, "to": desk}, "assignee_id": {"from": c.assignee_id, "to": assignee}})).await?;
        }
        if let Some(tags) = &tags {
            repo::set_tags(&mut tx, c.id, tags).await?;
            append(
                &mut tx,
                actor,
                c.id,
                "tags",
                now,
                "",
                json!({"from": old_tags, "to": tags}),
            )
            .await?;
        }
        self.project(&mut tx, &projector, c.id, now).await?;
        reindex(&mut tx, c.id).await?;
        audit::record(&mut tx, actor, "case.update", "case", &c.number, json!({"subject": subject, "priority": priority, "desk_id": desk, "assignee_id": assignee, "tags": tags})).await?;
        tx.commit().await?;
        let c = self.case_by_id(c.id).await?;
        self.view(actor, c).await
    }
}

/// A case's tags from the case row's comma-joined list.
pub fn split_tags(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A desk or assignee that does not exist (the foreign key refused it) is bad input.
/// Closed and cancelled cases take no more reports to the supervisor.
fn takes_reports(c: &CaseRow) -> Result<()> {
    match c.state.parse::<State>() {
        Ok(s) if s.takes_reports() => Ok(()),
        _ => Err(AppError::rule(
            "case_finished",
            "服务单已关闭或已取消，不能再报告异常或延长服务",
        )),
    }
}

fn unknown_reference(e: sanbao_store::StoreError) -> AppError {
    match e {
        sanbao_store::StoreError::Dangling("desk_id") => {
            AppError::invalid("desk_id", "unknown", "所选部门不存在")
        }
        sanbao_store::StoreError::Dangling(_) => {
            AppError::invalid("assignee_id", "unknown", "所选处理人不存在")
        }
        sanbao_store::StoreError::ForeignKey => {
            AppError::invalid("assignee_id", "unknown", "所选部门或处理人不存在")
        }
        other => other.into(),
    }
}

/// Append one event to a case's timeline.
pub(crate) async fn append(
    tx: &mut Tx,
    actor: &Actor,
    case_id: i64,
    kind: &str,
    at: DateTime<Utc>,
    body: &str,
    data: serde_json::Value,
) -> Result<()> {
    repo::insert_event(
        tx,
        &repo::NewEvent {
            case_id,
            at,
            actor_id: actor.user_id,
            actor_name: &actor.display_name,
            kind,
            body,
            data: &data.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// What a projection needs besides the case's events.
pub(crate) struct Projector {
    pub(crate) policy: Policy,
    pub(crate) calendar: std::sync::Arc<sanbao_domain::calendar::Calendar>,
    pub(crate) hours: ServiceHours,
}

/// A case's clocks and queue columns, projected from its facts.
pub(crate) struct Projection {
    pub(crate) clocks: Vec<ClockRow>,
    pub(crate) next_due: Option<DateTime<Utc>>,
    pub(crate) next_check: Option<DateTime<Utc>>,
    pub(crate) breached: bool,
}

impl Projector {
    pub(crate) fn project(
        &self,
        facts: &[CaseFact],
        tz: chrono_tz::Tz,
        now: DateTime<Utc>,
    ) -> Projection {
        let ctx = Context {
            calendar: &self.calendar,
            hours: &self.hours,
            tz,
        };
        let clocks = dom::case_clocks(&self.policy, facts, &ctx, now);
        let rows: Vec<ClockRow> = clocks
            .iter()
            .map(|c| ClockRow {
                clock: c.clock.clone(),
                state: clock_state_code(c.view.state).to_owned(),
                due_at: c.view.due.as_ref().map(|d| d.due),
                due_date: c.view.due.as_ref().and_then(|d| d.due_date),
                rule: c.rule.clone(),
            })
            .collect();
        let next_due = clocks
            .iter()
            .filter(|c| matches!(c.view.state, ClockState::Running | ClockState::Breached))
            .filter_map(|c| c.view.due.as_ref().map(|d| d.due))
            .min();
        let breached = clocks.iter().any(|c| c.view.state == ClockState::Breached);
        let next_check = clocks
            .iter()
            .filter(|c| c.view.state == ClockState::Running)
            .filter_map(|c| c.view.due.as_ref().map(|d| d.due))
            .min();
        Projection {
            clocks: rows,
            next_due,
            next_check,
            breached,
        }
    }
}

/// The clock facts of an event list.
fn facts(events: &[EventRow]) -> Vec<CaseFact> {
    events
        .iter()
        .filter_map(|e| {
            let data: serde_json::Value = serde_json::from_str(&e.data).unwrap_or_default();
            match e.kind.as_str() {
                "policy_event" => data["event"]
                    .as_str()
                    .map(|ev| CaseFact::Event(ev.to_owned(), e.at)),
                "created" => Some(CaseFact::State(State::New, e.at)),
                "state" => data["to"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .map(|s| CaseFact::State(s, e.at)),
                _ => None,
            }
        })
        .collect()
}

pub(crate) fn clock_state_code(s: ClockState) -> &'static str {
    match s {
        ClockState::NotStarted => "not_started",
        ClockState::Running => "running",
        ClockState::Paused => "paused",
        ClockState::Met => "met",
        ClockState::MetLate => "met_late",
        ClockState::Breached => "breached",
    }
}

/// Rebuild a case's search words: number, subject, description, customer name and phone,
/// notes and messages.
async fn reindex(tx: &mut Tx, case_id: i64) -> Result<()> {
    let Some(c) = repo::by_id_tx(tx, case_id).await? else {
        return Ok(());
    };
    let events = repo::events_tx(tx, case_id).await?;
    let mut parts: Vec<&str> = vec![
        &c.number,
        &c.subject,
        &c.description,
        &c.customer_name,
        &c.customer_phone,
        &c.tags,
    ];
    parts.extend(
        events
            .iter()
            .filter(|e| matches!(e.kind.as_str(), "note" | "message"))
            .map(|e| e.body.as_str()),
    );
    repo::put_search_doc(tx, case_id, &sanbao_domain::search::index_words(&parts)).await?;
    Ok(())
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sweep {
    pub recomputed: usize,
    pub escalated: usize,
}

impl App {
    /// Recompute cases a running clock of which passed its deadline since their last write,
    /// then escalate every new breach to the desk's supervisor — exactly once per breached
    /// clock, also with several processes sweeping. One failing case is logged and skipped.
    pub async fn sweep_clocks(&self) -> Result<Sweep> {
        let now = sanbao_domain::time::now();
        let mut out = Sweep::default();
        for id in repo::due_for_check(&self.store, now, 500).await? {
            match self.reproject(id, now).await {
                Ok(()) => out.recomputed += 1,
                Err(e) => tracing::warn!(case_id = id, error = %e, "clock recompute failed"),
            }
        }
        for (id, clock) in repo::unescalated_breaches(&self.store, 500).await? {
            let reason = format!(
                "时限“{}”已超时，已自动上报主管",
                sanbao_domain::policy::clock_label(&clock)
            );
            match self
                .escalate(&Actor::system(), id, &clock, &reason, now)
                .await
            {
                Ok(true) => out.escalated += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(case_id = id, error = %e, "escalation failed"),
            }
        }
        Ok(out)
    }

    /// Recompute the clocks of every open case (after a calendar or service-hours change, so
    /// queues and chips follow the new calendar at once). Returns how many were recomputed.
    pub async fn recompute_open_cases(&self) -> Result<usize> {
        let now = sanbao_domain::time::now();
        let (mut after, mut n) = (0, 0);
        loop {
            let ids = repo::open_ids_after(&self.store, after, 500).await?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            after = last;
            for id in ids {
                match self.reproject(id, now).await {
                    Ok(()) => n += 1,
                    Err(e) => tracing::warn!(case_id = id, error = %e, "clock recompute failed"),
                }
            }
        }
        Ok(n)
    }

    /// Start [`App::recompute_open_cases`] in the background (the change that asks for it has
    /// committed; its answer does not wait for every case).
    pub(crate) fn recompute_open_cases_later(&self) {
        let app = self.clone();
        tokio::spawn(async move {
            match app.recompute_open_cases().await {
                Ok(n) => tracing::info!(cases = n, "open cases recomputed after a calendar change"),
                Err(e) => tracing::warn!(error = %e, "recomputing open cases failed"),
            }
        });
    }

    /// Recompute one case's clocks under a row lock.
    async fn reproject(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        let c = self.case_by_id(id).await?;
        let p = self
            .projector(None, &c.policy_name, c.policy_version, c.desk_id)
            .await?;
        let mut tx = self.store.begin().await?;
        repo::lock_case(&mut tx, id).await?;
        self.project(&mut tx, &p, id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Record service given outside the service hours on the case and tell the desk's
    /// supervisor (seed 2.2). Not an escalation: the case keeps its state and flags.
    pub async fn report_extended_service(
        &self,
        actor: &Actor,
        number: &str,
        report: &dom::ExtendedService,
    ) -> Result<()> {
        actor.require(Permission::CaseWrite)?;
        let now = sanbao_domain::time::now();
        let today = now.with_timezone(&self.config.timezone).date_naive();
        report.check(today)?;
        let c = self.visible(actor, number).await?;
        takes_reports(&c)?;
        let reason = report.reason.trim();
        let text = format!(
            "延长服务 {} {}–{}（{} 分钟），已提前告知客户：{reason}",
            report.date,
            report.start.format("%H:%M"),
            report.end.format("%H:%M"),
            report.minutes()
        );
        let mut tx = self.store.begin().await?;
        append(
            &mut tx,
            actor,
            c.id,
            "extended_service",
            now,
            &text,
            json!({
                "date": report.date,
                "start": report.start.format("%H:%M").to_string(),
                "end": report.end.format("%H:%M").to_string(),
                "minutes": report.minutes(),
                "customer_informed": report.customer_informed,
            }),
        )
        .await?;
        for user in repo::escalation_recipients(&mut tx, c.id).await? {
            repo::notify(
                &mut tx,
                user,
                Some(c.id),
                &format!("{}：{text}", c.number),
                now,
            )
            .await?;
        }
        audit::record(
            &mut tx,
            actor,
            "case.extended_service",
            "case",
            &c.number,
            json!({"date": report.date, "minutes": report.minutes()}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Report a case to its supervisor (seed: 服务过程中出现问题或客户不满意，应立即报告主管).
    pub async fn report_exception(&self, actor: &Actor, number: &str, reason: &str) -> Result<()> {
        actor.require(Permission::CaseWrite)?;
        let reason = parse_label(reason, "reason", "异常说明", 500)?;
        let c = self.visible(actor, number).await?;
        takes_reports(&c)?;
        let now = sanbao_domain::time::now();
        let mut tx = self.store.begin().await?;
        repo::set_escalated(&mut tx, c.id).await?;
        self.notify_escalation(
            &mut tx,
            actor,
            &c.number,
            c.id,
            &format!("服务异常：{reason}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Escalate the breach of `clock` on case `id` unless it was already; `true` when this
    /// call did.
    async fn escalate(
        &self,
        actor: &Actor,
        id: i64,
        clock: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.store.begin().await?;
        if !repo::claim_escalation(&mut tx, id, clock, now).await? {
            return Ok(false);
        }
        let c = repo::by_id_tx(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("case"))?;
        repo::set_escalated(&mut tx, id).await?;
        self.notify_escalation(&mut tx, actor, &c.number, id, reason, now)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn notify_escalation(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        number: &str,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        append(tx, actor, id, "escalation", now, reason, json!({})).await?;
        for user in repo::escalation_recipients(tx, id).await? {
            repo::notify(tx, user, Some(id), &format!("{number}：{reason}"), now).await?;
        }
        audit::record(
            tx,
            actor,
            "case.escalate",
            "case",
            number,
            json!({"reason": reason}),
        )
        .await?;
        Ok(())
    }

    /// The signed-in user's notifications, newest first, and how many are unread (capped at 100).
    pub async fn my_notifications(
        &self,
        actor: &Actor,
    ) -> Result<(Vec<repo::NotificationRow>, i64)> {
        let id = actor.user_id.ok_or(AppError::Unauthenticated)?;
        Ok((
            repo::notifications(&self.store, id, 50).await?,
            repo::unread_count(&self.store, id).await?,
        ))
    }

    pub async fn mark_notifications_read(&self, actor: &Actor) -> Result<()> {
        let id = actor.user_id.ok_or(AppError::Unauthenticated)?;
        let mut tx = self.store.begin().await?;
        repo::mark_read(&mut tx, id, sanbao_domain::time::now()).await?;
        tx.commit().await?;
        Ok(())
    }
}
