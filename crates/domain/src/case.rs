//! Service cases (服务单): kinds, channels, states and their transitions, numbers, and the
//! clocks a case's event log implies (DESIGN "Cases").

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::deadline::{ClockEvent, ClockView, Context, project};
use crate::policy::Policy;

/// A closed list of values with a stable code and a Chinese and an English label (kinds,
/// channels, states …): what a page needs to show one or offer all.
pub trait Coded: Copy + FromStr + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn label(self, english: bool) -> &'static str;
}

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, $what:literal { $($variant:ident = $code:literal, $zh:literal, $en:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)* }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en,)* }
            }
        }

        impl Coded for $name {
            const ALL: &'static [$name] = &[$($name::$variant,)*];

            fn code(self) -> &'static str {
                $name::code(self)
            }

            fn label(self, english: bool) -> &'static str {
                if english { self.label_en() } else { self.label_zh() }
            }
        }

        impl FromStr for $name {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, FieldError> {
                match s {
                    $($code => Ok($name::$variant),)*
                    _ => {
                        let known: Vec<&str> = $name::ALL.iter().map(|v| v.code()).collect();
                        Err(FieldError::new($field, "unknown", format!("未知的{}：{s:?}（可用：{}）", $what, known.join("、"))))
                    }
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_enum! {
    /// What a case is about.
    Kind, "kind", "服务单类型" {
        Return = "return", "退换货", "Return / exchange";
        Repair = "repair", "维修", "Repair";
        Maintenance = "maintenance", "维护保养", "Maintenance";
        Complaint = "complaint", "投诉", "Complaint";
        Inquiry = "inquiry", "咨询", "Inquiry";
    }
}

code_enum! {
    /// How the customer reached us.
    Channel, "channel", "渠道" {
        Phone = "phone", "电话", "Phone";
        Email = "email", "电子邮件", "Email";
        Web = "web", "网站/客户门户", "Web portal";
        Visit = "visit", "到店/客服中心", "Walk-in";
        Letter = "letter", "来函", "Letter";
        Wechat = "wechat", "微信", "WeChat";
        Regulator = "regulator", "监管转办（12315）", "Regulator (12315)";
        Api = "api", "API", "API";
    }
}

code_enum! {
    Priority, "priority", "优先级" {
        Low = "low", "低", "Low";
        Normal = "normal", "普通", "Normal";
        High = "high", "高", "High";
        Urgent = "urgent", "紧急", "Urgent";
    }
}

code_enum! {
    /// The common spine every kind shares.
    State, "state", "状态" {
        New = "new", "新建", "New";
        InProgress = "in_progress", "处理中", "In progress";
        WaitingCustomer = "waiting_customer", "等待客户", "Waiting for customer";
        Resolved = "resolved", "已解决", "Resolved";
        Closed = "closed", "已关闭", "Closed";
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
}

impl Kind {
    /// The number prefix: `CP-2026-000123`.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Return => "RT",
            Kind::Repair => "RP",
            Kind::Maintenance => "MT",
            Kind::Complaint => "CP",
            Kind::Inquiry => "IQ",
        }
    }

    /// The policy event a case of this kind starts with (its clocks run from `received_at`).
    pub fn intake_event(self) -> Option<&'static str> {
        match self {
            Kind::Complaint => Some("complaint_received"),
            Kind::Repair => Some("fault_reported"),
            Kind::Return | Kind::Maintenance | Kind::Inquiry => None,
        }
    }
}

impl State {
    /// Open states count in queues; their clocks run or pause.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::New | State::InProgress | State::WaitingCustomer
        )
    }

    /// Until a case is closed or cancelled, an agent can still report on it to the supervisor
    /// (an exception, extended service hours): a resolved case may yet go wrong.
    pub fn takes_reports(self) -> bool {
        !matches!(self, State::Closed | State::Cancelled)
    }
}

code_enum! {
    /// The customer's answer when the case is closed (seed 3.3: 服务完成后应再次确认客户满意度).
    Satisfaction, "satisfaction", "满意度" {
        Satisfied = "satisfied", "满意", "Satisfied";
        Fair = "fair", "基本满意", "Fair";
        Unsatisfied = "unsatisfied", "不满意", "Unsatisfied";
        Unreachable = "unreachable", "联系不上客户", "Customer unreachable";
    }
}

/// What resolving and closing must record: a resolution summary to resolve; to close, the
/// customer's satisfaction as confirmed with them and the precautions they were told.
pub fn check_closing(
    to: State,
    resolution: &str,
    satisfaction: Option<Satisfaction>,
    precautions: &str,
) -> Result<(), crate::FieldError> {
    use crate::FieldError;
    match to {
        State::Resolved if resolution.trim().is_empty() => Err(FieldError::new(
            "resolution",
            "required",
            "请填写处理结果（向客户说明的解决方案）",
        )),
        State::Closed if satisfaction.is_none() => Err(FieldError::new(
            "satisfaction",
            "required",
            "关闭前请再次确认客户满意度",
        )),
        State::Closed
            if precautions.trim().is_empty() && satisfaction != Some(Satisfaction::Unreachable) =>
        {
            Err(FieldError::new(
                "precautions",
                "required",
                "请记录已告知客户的注意事项",
            ))
        }
        _ => Ok(()),
    }
}

/// The date a regulator (12315) accepted a complaint it transfers to us: required for the
/// regulator channel, `YYYY-MM-DD`, and not after the day we received the transfer. Other
/// channels carry none.
pub fn regulator_acceptance(
    channel: Channel,
    text: &str,
    received_day: chrono::NaiveDate,
) -> Result<Option<chrono::NaiveDate>, FieldError> {
    let text = text.trim();
    if channel != Channel::Regulator {
        return Ok(None);
    }
    if text.is_empty() {
        return Err(FieldError::new(
            "regulator_accepted_on",
            "required",
            "监管转办请填写监管部门的受理日期",
        ));
    }
    let d = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            "regulator_accepted_on",
            "invalid",
            "日期格式应为 YYYY-MM-DD",
        )
    })?;
    if d > received_day {
        return Err(FieldError::new(
            "regulator_accepted_on",
            "after_received",
            "监管部门受理日期不能晚于我方收到转办的日期",
        ));
    }
    Ok(Some(d))
}

/// Service given outside the service hours (seed 2.2: in special cases the hours are
/// extended; the staff tell the customer beforehand and report to the supervisor afterwards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedService {
    pub date: chrono::NaiveDate,
    pub start: chrono::NaiveTime,
    pub end: chrono::NaiveTime,
    /// The customer was told beforehand.
    pub customer_informed: bool,
    pub reason: String,
}

impl ExtendedService {
    /// Check a report made on `today` (company time): the service ended, lasted a positive
    /// time within one day, the customer was told beforehand, and there is a reason.
    pub fn check(&self, today: chrono::NaiveDate) -> Result<(), crate::FieldErrors> {
        let mut errs = crate::FieldErrors::default();
        if self.date > today {
            errs.push(FieldError::new(
                "date",
                "future",
                "只能汇报已完成的延长服务",
            ));
        }
        if self.end <= self.start {
            errs.push(FieldError::new(
                "end",
                "before_start",
                "结束时间应晚于开始时间",
            ));
        }
        if !self.customer_informed {
            errs.push(FieldError::new(
                "customer_informed",
                "required",
                "延长服务时间应提前与客户沟通（2.2）",
            ));
        }
        let n = self.reason.trim().chars().count();
        if n == 0 {
            errs.push(FieldError::new(
                "reason",
                "required",
                "请说明延长服务的原因",
            ));
        } else if n > 500 {
            errs.push(FieldError::new("reason", "too_long", "原因不能超过 500 字"));
        }
        errs.into_result()
    }

    /// Read a report from form or JSON fields, each bad one named.
    pub fn parse(
        date: &str,
        start: &str,
        end: &str,
        customer_informed: bool,
        reason: &str,
    ) -> Result<Self, crate::FieldErrors> {
        let mut errs = crate::FieldErrors::default();
        let date = errs.check(
            chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
                .map_err(|_| FieldError::new("date", "invalid", "日期格式应为 YYYY-MM-DD")),
        );
        let time = |v: &str, field: &'static str| {
            chrono::NaiveTime::parse_from_str(v.trim(), "%H:%M")
                .map_err(|_| FieldError::new(field, "invalid", "时间格式应为 HH:MM"))
        };
        let start = errs.check(time(start, "start"));
        let end = errs.check(time(end, "end"));
        match (date, start, end) {
            (Some(date), Some(start), Some(end)) => Ok(Self {
                date,
                start,
                end,
                customer_informed,
                reason: reason.to_owned(),
            }),
            _ => Err(errs),
        }
    }

    /// The minutes of service reported.
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

/// A human case number: kind prefix, year, sequence.
pub fn case_number(kind: Kind, year: i32, seq: i64) -> String {
    format!("{}-{year}-{seq:06}", kind.prefix())
}

/// Why a transition is refused (answered 422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refused {
    pub code: &'static str,
    pub message: String,
}

/// Days after resolution or closing in which a customer may reopen (policy default).
pub const REOPEN_DAYS: i64 = 30;

/// Check `from → to` for a case of `kind`. `resolved_at`: when it was last resolved (for the
/// reopen window).
pub fn check_transition(
    kind: Kind,
    from: State,
    to: State,
    resolved_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), Refused> {
    use State::*;
    let refuse = |code, message: String| Err(Refused { code, message });
    if from == to {
        return refuse("same_state", format!("服务单已是“{}”状态", to.label_zh()));
    }
    let allowed = match from {
        New => matches!(to, InProgress | WaitingCustomer | Resolved | Cancelled),
        InProgress => matches!(to, WaitingCustomer | Resolved | Cancelled),
        WaitingCustomer => matches!(to, InProgress | Resolved | Cancelled),
        Resolved => matches!(to, Closed | InProgress),
        Closed => matches!(to, InProgress),
        Cancelled => false,
    };
    if !allowed {
        return refuse(
            "illegal_transition",
            format!(
                "{}服务单不能从“{}”变为“{}”",
                kind.label_zh(),
                from.label_zh(),
                to.label_zh()
            ),
        );
    }
    if matches!(from, Resolved | Closed) && to == InProgress {
        let Some(at) = resolved_at else {
            return refuse("reopen_window", "找不到解决时间，无法重新打开".into());
        };
        let ends = at + chrono::Duration::days(REOPEN_DAYS);
        if now > ends {
            return refuse(
                "reopen_window",
                format!(
                    "已超过重新打开期限：解决后 {REOPEN_DAYS} 日内可重新打开（截至 {}）",
                    ends.format("%Y-%m-%d")
                ),
            );
        }
    }
    Ok(())
}

/// What happened on a case, as far as its clocks are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseFact {
    /// A policy event (`complaint_received`, `fault_reported` …) at a time.
    Event(String, DateTime<Utc>),
    /// The case entered a state.
    State(State, DateTime<Utc>),
}

/// One clock of a case, projected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseClock {
    pub clock: String,
    pub rule: String,
    #[serde(flatten)]
    pub view: ClockView,
}

/// Every clock `policy` sets for a case with these facts, at `now`. A clock starts at its
/// event, pauses while the case is in one of its pausing states, and stops at one of its stop
/// events or when the case is resolved, closed or cancelled (reopening does not restart it).
pub fn case_clocks(
    policy: &Policy,
    facts: &[CaseFact],
    ctx: &Context<'_>,
    now: DateTime<Utc>,
) -> Vec<CaseClock> {
    let mut out = Vec::new();
    for rule in &policy.clocks {
        let Some(start) = facts.iter().find_map(|f| match f {
            CaseFact::Event(e, at) if *e == rule.event => Some(*at),
            _ => None,
        }) else {
            continue;
        };
        let mut events = vec![ClockEvent::Start(start)];
        let mut paused = false;
        for f in facts {
            match f {
                CaseFact::Event(e, at) if rule.stops_on.iter().any(|s| s == e) => {
                    events.push(ClockEvent::Stop((*at).max(start)));
                }
                CaseFact::State(s, at) => {
                    let at = (*at).max(start);
                    if matches!(s, State::Resolved | State::Closed | State::Cancelled) {
                        events.push(ClockEvent::Stop(at));
                    } else if rule.pauses_in.iter().any(|p| p == s.code()) {
                        if !paused {
                            events.push(ClockEvent::Pause(at));
                            paused = true;
                        }
                    } else if paused {
                        events.push(ClockEvent::Resume(at));
                        paused = false;
                    }
                }
                CaseFact::Event(..) => {}
            }
        }
        out.push(CaseClock {
            clock: rule.clock.clone(),
            rule: rule.rule.clone(),
            view: project(ctx, rule.unit, rule.n, &events, now),
        });
    }
    out
}

/// The year a case number uses: the company's year of `received_at`.
pub fn number_year(received_at: DateTime<Utc>, tz: chrono_tz::Tz) -> i32 {
    received_at.with_timezone(&tz).year()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::deadline::ClockState;
    use crate::hours::ServiceHours;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn regulator_acceptance_is_required_dated_and_not_after_receipt() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 10, 9).unwrap();
        assert_eq!(
            regulator_acceptance(Channel::Phone, "2026-10-08", day),
            Ok(None)
        );
        assert_eq!(
            regulator_acceptance(Channel::Regulator, " 2026-10-08 ", day),
            Ok(chrono::NaiveDate::from_ymd_opt(2026, 10, 8))
        );
        let code = |t: &str| {
            regulator_acceptance(Channel::Regulator, t, day)
                .unwrap_err()
                .code
        };
        assert_eq!(code(""), "required");
        assert_eq!(code("2026/10/08"), "invalid");
        assert_eq!(code("2026-10-10"), "after_received");
    }

    #[test]
    fn extended_service_needs_the_customer_told_and_a_reason() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let h = |s: &str| chrono::NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        let ok = ExtendedService {
            date: d("2026-11-26"),
            start: h("17:30"),
            end: h("19:15"),
            customer_informed: true,
            reason: "更换压缩机，客户要求当天修好".into(),
        };
        assert_eq!(ok.check(d("2026-11-27")), Ok(()));
        assert_eq!(ok.minutes(), 105);
        let bad = ExtendedService {
            date: d("2026-11-28"),
            start: h("19:00"),
            end: h("18:00"),
            customer_informed: false,
            reason: " ".into(),
        };
        let fields: Vec<&str> = bad
            .check(d("2026-11-27"))
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["date", "end", "customer_informed", "reason"]);
    }

    #[test]
    fn numbers() {
        assert_eq!(case_number(Kind::Complaint, 2026, 123), "CP-2026-000123");
        assert_eq!(
            case_number(Kind::Return, 2026, 1_234_567),
            "RT-2026-1234567"
        );
    }

    #[test]
    fn legal_and_illegal_transitions_for_every_kind() {
        use State::*;
        let now = t("2026-10-01T10:00:00Z");
        for kind in Kind::ALL {
            for (from, to) in [
                (New, InProgress),
                (InProgress, WaitingCustomer),
                (WaitingCustomer, InProgress),
                (InProgress, Resolved),
                (Resolved, Closed),
                (New, Cancelled),
            ] {
                assert!(
                    check_transition(*kind, from, to, Some(now), now).is_ok(),
                    "{kind} {from}→{to}"
                );
            }
            for (from, to) in [
                (Cancelled, InProgress),
                (Closed, Resolved),
                (New, Closed),
                (WaitingCustomer, Closed),
                (Resolved, Cancelled),
            ] {
                let e = check_transition(*kind, from, to, Some(now), now).unwrap_err();
                assert_eq!(e.code, "illegal_transition", "{kind} {from}→{to}");
            }
        }
    }

    #[test]
    fn reopening_only_within_the_window() {
        let resolved = t("2026-09-01T10:00:00Z");
        assert!(
            check_transition(
                Kind::Repair,
                State::Closed,
                State::InProgress,
                Some(resolved),
                t("2026-09-20T10:00:00Z")
            )
            .is_ok()
        );
        let e = check_transition(
            Kind::Repair,
            State::Closed,
            State::InProgress,
            Some(resolved),
            t("2026-10-02T10:00:00Z"),
        )
        .unwrap_err();
        assert_eq!(e.code, "reopen_window");
    }

    #[test]
    fn a_complaint_gets_three_clocks_that_pause_and_stop() {
        let cal = Calendar::cn_statutory();
        let hours = ServiceHours::default();
        let ctx = Context {
            calendar: &cal,
            hours: &hours,
            tz: chrono_tz::Asia::Shanghai,
        };
        let seed = Policy::preset("seed").unwrap();
        let received = t("2026-09-30T18:00:00+08:00");
        let mut facts = vec![
            CaseFact::Event("complaint_received".into(), received),
            CaseFact::State(State::New, received),
        ];
        let clocks = case_clocks(&seed, &facts, &ctx, t("2026-09-30T19:00:00+08:00"));
        assert_eq!(
            clocks.iter().map(|c| c.clock.as_str()).collect::<Vec<_>>(),
            ["first_response", "verification", "reply"]
        );
        assert!(clocks.iter().all(|c| c.view.state == ClockState::Running));
        facts.push(CaseFact::State(
            State::WaitingCustomer,
            t("2026-10-08T10:00:00+08:00"),
        ));
        let clocks = case_clocks(&seed, &facts, &ctx, t("2026-10-09T10:00:00+08:00"));
        assert_eq!(
            clocks[1].view.state,
            ClockState::Paused,
            "verification pauses while waiting"
        );
        assert_eq!(
            clocks[0].view.state,
            ClockState::Breached,
            "first response does not pause"
        );
        facts.push(CaseFact::State(
            State::InProgress,
            t("2026-10-09T10:00:00+08:00"),
        ));
        facts.push(CaseFact::State(
            State::Resolved,
            t("2026-10-09T11:00:00+08:00"),
        ));
        let clocks = case_clocks(&seed, &facts, &ctx, t("2026-10-30T10:00:00+08:00"));
        assert_eq!(clocks[1].view.state, ClockState::Met);
        assert_eq!(clocks[2].view.state, ClockState::Met);
    }

    #[test]
    fn resolving_and_closing_record_what_the_regulations_ask() {
        assert!(check_closing(State::Resolved, "", None, "").is_err());
        assert!(check_closing(State::Resolved, "已更换主板", None, "").is_ok());
        assert_eq!(
            check_closing(State::Closed, "", None, "")
                .unwrap_err()
                .field,
            "satisfaction"
        );
        assert_eq!(
            check_closing(State::Closed, "", Some(Satisfaction::Satisfied), "")
                .unwrap_err()
                .field,
            "precautions"
        );
        assert!(
            check_closing(
                State::Closed,
                "",
                Some(Satisfaction::Satisfied),
                "勿用湿手触摸"
            )
            .is_ok()
        );
        assert!(check_closing(State::Closed, "", Some(Satisfaction::Unreachable), "").is_ok());
        assert!(check_closing(State::InProgress, "", None, "").is_ok());
    }

    #[test]
    fn codes_parse() {
        assert_eq!("complaint".parse::<Kind>().unwrap(), Kind::Complaint);
        assert_eq!("regulator".parse::<Channel>().unwrap(), Channel::Regulator);
        let e = "fax".parse::<Channel>().unwrap_err();
        assert_eq!(e.field, "channel");
    }
}
