//! The closed lists of a case: kind, channel, priority, state, the customer's satisfaction.

use crate::code_enum;

code_enum! {
    /// What a case is about.
    Kind, "kind", "服务单类型", "case kind" {
        Return = "return", "退换货", "Return / exchange";
        Repair = "repair", "维修", "Repair";
        Maintenance = "maintenance", "维护保养", "Maintenance";
        Complaint = "complaint", "投诉", "Complaint";
        Inquiry = "inquiry", "咨询", "Inquiry";
    }
}

code_enum! {
    /// How the customer reached us.
    Channel, "channel", "渠道", "channel" {
        Phone = "phone", "电话", "Phone";
        Email = "email", "电子邮件", "Email";
        Web = "web", "网站/客户门户", "Web portal";
        Visit = "visit", "到店/客服中心", "Walk-in";
        Letter = "letter", "来函", "Letter";
        Wechat = "wechat", "微信", "WeChat";
        Regulator = "regulator", "监管转办（12315）", "Regulator (12315)";
        Api = "api", "API", "API";
        /// Put on the queue by a periodic maintenance plan.
        Plan = "plan", "保养计划", "Maintenance plan";
    }
}

code_enum! {
    Priority, "priority", "优先级", "priority" {
        Low = "low", "低", "Low";
        Normal = "normal", "普通", "Normal";
        High = "high", "高", "High";
        Urgent = "urgent", "紧急", "Urgent";
    }
}

code_enum! {
    /// The common spine every kind shares.
    State, "state", "状态", "state" {
        New = "new", "新建", "New";
        InProgress = "in_progress", "处理中", "In progress";
        WaitingCustomer = "waiting_customer", "等待客户", "Waiting for customer";
        Resolved = "resolved", "已解决", "Resolved";
        Closed = "closed", "已关闭", "Closed";
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
}

code_enum! {
    /// The customer's answer when the case is closed (seed 3.3: 服务完成后应再次确认客户满意度).
    Satisfaction, "satisfaction", "满意度", "satisfaction" {
        Satisfied = "satisfied", "满意", "Satisfied";
        Fair = "fair", "基本满意", "Fair";
        Unsatisfied = "unsatisfied", "不满意", "Unsatisfied";
        Unreachable = "unreachable", "联系不上客户", "Customer unreachable";
    }
}

impl Kind {
    /// A return, repair or maintenance visit: the kinds that keep a cost ledger.
    pub fn has_costs(self) -> bool {
        matches!(self, Kind::Return | Kind::Repair | Kind::Maintenance)
    }

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

    /// The kind of desk a case of this kind goes to when intake names none: a complaint goes
    /// to the complaint department (seed 投诉处理机制: 投诉由专门部门受理并跟进).
    pub fn home_desk_kind(self) -> Option<&'static str> {
        match self {
            Kind::Complaint => Some("complaint"),
            Kind::Return | Kind::Repair | Kind::Maintenance | Kind::Inquiry => None,
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

    /// The states that count as open, as stored (queries filter on them).
    pub const OPEN_CODES: [&'static str; 3] = ["new", "in_progress", "waiting_customer"];
}

/// A human case number: kind prefix, year, sequence.
///
/// ```
/// use sanbao_domain::case::{case_number, Kind};
/// assert_eq!(case_number(Kind::Complaint, 2026, 123), "CP-2026-000123");
/// ```
pub fn case_number(kind: Kind, year: i32, seq: i64) -> String {
    format!("{}-{year}-{seq:06}", kind.prefix())
}

/// Does `s` look like a case number (`CP-2026-000123`)? The search box opens such a case.
pub fn looks_like_number(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 7 && b[2] == b'-' && b[..2].iter().all(u8::is_ascii_uppercase)
}

/// The year a case number uses: the company's year of `received_at`.
pub fn number_year(received_at: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> i32 {
    use chrono::Datelike;
    received_at.with_timezone(&tz).year()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(case_number(Kind::Complaint, 2026, 123), "CP-2026-000123");
        assert_eq!(
            case_number(Kind::Return, 2026, 1_234_567),
            "RT-2026-1234567"
        );
        assert!(looks_like_number("CP-2026-000123"));
        assert!(!looks_like_number("漏水"));
        assert!(!looks_like_number("cp-2026"));
    }

    #[test]
    fn codes_parse() {
        assert_eq!("complaint".parse::<Kind>().unwrap(), Kind::Complaint);
        assert_eq!("regulator".parse::<Channel>().unwrap(), Channel::Regulator);
        let e = "fax".parse::<Channel>().unwrap_err();
        assert_eq!(e.field, "channel");
        assert_eq!(Kind::try_from("repair".to_owned()).unwrap(), Kind::Repair);
    }

    #[test]
    fn open_codes_are_the_open_states() {
        let open: Vec<&str> = State::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.code())
            .collect();
        assert_eq!(open, State::OPEN_CODES);
    }
}
