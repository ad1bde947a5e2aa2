//! What every staff page shares: the signed-in user, the navigation, the CSRF token, a notice.

use chrono::{DateTime, Utc};
use sanbao_domain::role::Permission;

use crate::i18n::Tr;
use crate::session::Staff;

/// The navigation sections of the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Cases,
    Customers,
    Products,
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
    pub can_settings: bool,
}

impl Layout {
    pub fn new(staff: &Staff, section: Section, title: &str, tz: chrono_tz::Tz) -> Self {
        let a = staff.actor();
        let can_settings = [
            Permission::UserManage,
            Permission::RoleManage,
            Permission::DeskManage,
            Permission::TokenManage,
            Permission::AuditRead,
            Permission::SettingsManage,
        ]
        .into_iter()
        .any(|p| a.can(p));
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
            notice: None,
            tz,
            can_settings,
        }
    }

    pub fn with_notice(mut self, notice: Option<&str>) -> Self {
        self.notice = notice.map(str::to_owned);
        self
    }

    pub fn nav(&self) -> Vec<NavItem> {
        let items: [(&str, &str, Section); 7] = [
            ("/", "nav.home", Section::Home),
            ("/cases", "nav.cases", Section::Cases),
            ("/customers", "nav.customers", Section::Customers),
            ("/products", "nav.products", Section::Products),
            ("/sales", "nav.sales", Section::Sales),
            ("/reports", "nav.reports", Section::Reports),
            ("/settings", "nav.settings", Section::Settings),
        ];
        items
            .into_iter()
            .filter(|(_, _, s)| *s != Section::Settings || self.can_settings)
            .map(|(href, key, s)| NavItem {
                href,
                label: self.tr.t(key),
                key,
                active: s == self.section,
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
