//! What every staff page shares: the signed-in user, the navigation, the CSRF token, a notice.

use crate::feature::NavEntry;
use crate::i18n::Tr;
use crate::session::Staff;
use chrono::{DateTime, Utc};

/// The navigation sections of the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Cases,
    Customers,
    Products,
    Field,
    Sales,
    Reports,
    Settings,
    Me,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub key: &'static str,
    pub active: bool,
}

/// The shell around a page.
pub struct Layout {
    pub tr: Tr,
    pub title: String,
    pub display_name: String,
    pub username: String,
    pub roles: String,
    pub csrf: String,
    pub section: Section,
    pub notice: Option<String>,
    pub tz: chrono_tz::Tz,
    /// The navigation entries this person may see.
    nav: Vec<&'static NavEntry>,
}

impl Layout {
    pub fn new(staff: &Staff, section: Section, title: &str, tz: chrono_tz::Tz) -> Self {
        let a = staff.actor();
        let nav = crate::NAV
            .iter()
            .filter(|e| e.any_of.is_empty() || e.any_of.iter().any(|p| a.can(*p)))
            .collect();
        Layout {
            tr: staff.tr,
            title: title.to_owned(),
            display_name: a.display_name.clone(),
            username: a.username.clone(),
            roles: a
                .roles
                .iter()
                .map(|r| staff.tr.pick(r.label_zh(), r.label_en()))
                .collect::<Vec<_>>()
                .join("、"),
            csrf: staff.session.csrf_token.clone(),
            section,
            notice: staff.flash.map(|f| f.text(staff.tr)),
            tz,
            nav,
        }
    }

    /// Say `notice` on the page (instead of the action's flash message) when there is one.
    pub fn with_notice(mut self, notice: Option<&str>) -> Self {
        if let Some(n) = notice {
            self.notice = Some(n.to_owned());
        }
        self
    }

    pub fn nav(&self) -> Vec<NavItem> {
        self.nav
            .iter()
            .map(|e| NavItem {
                href: e.href,
                label: self.tr.t(e.key),
                key: e.key,
                active: e.section == self.section,
            })
            .collect()
    }

    /// An instant in the company's time zone, to the minute.
    pub fn time(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// An instant to the second (audit log).
    pub fn time_s(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    pub fn opt_time(&self, t: &Option<DateTime<Utc>>) -> String {
        t.as_ref().map_or_else(|| "—".to_owned(), |t| self.time(t))
    }
}
