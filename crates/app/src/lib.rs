//! Sanbao's use cases: one function per thing a user does. Authorization checks, transactions
//! and audit entries happen here and nowhere else.
#![forbid(unsafe_code)]

mod actor;
mod error;
pub(crate) mod secret;

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod bench_data;
pub mod bootstrap;
pub mod calendar;
pub mod cases;
pub mod desks;
pub mod policies;
pub mod roles;
pub mod saved_filters;
pub mod tokens;
pub mod users;

use std::time::Duration;

pub use actor::Actor;
pub use error::AppError;
pub use sanbao_domain as domain;
pub use sanbao_store::{BackendKind, Store, StoreOptions};

/// Records as the store returns them, for pages that list them as they are.
pub mod rows {
    pub use sanbao_store::attachments::AttachmentRow;
    pub use sanbao_store::audit::AuditRow;
    pub use sanbao_store::desks::DeskRow;
    pub use sanbao_store::saved_filters::SavedFilterRow;
    pub use sanbao_store::tokens::TokenRow;
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// A session not used for this long ends.
    pub session_idle: Duration,
    /// A session ends this long after login, used or not.
    pub session_absolute: Duration,
    /// Failed logins for one account within `login_window` before it is locked for the rest
    /// of the window.
    pub login_max_failures_per_account: i64,
    /// Failed logins from one address within `login_window`.
    pub login_max_failures_per_ip: i64,
    pub login_window: Duration,
    /// The company's time zone: every deadline's days are its days.
    pub timezone: chrono_tz::Tz,
    /// Where attached files are kept (content-addressed), under the data directory.
    pub files_dir: std::path::PathBuf,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(4 * 3600),
            session_absolute: Duration::from_secs(12 * 3600),
            login_max_failures_per_account: 5,
            login_max_failures_per_ip: 30,
            login_window: Duration::from_secs(15 * 60),
            timezone: chrono_tz::Asia::Shanghai,
            files_dir: std::path::PathBuf::from("sanbao-data/files"),
        }
    }
}

/// The application: a store and its settings. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    pub store: Store,
    pub config: AppConfig,
    calendar_cache: std::sync::Arc<calendar::CalendarCache>,
    /// Parsed policy versions by `(name, version)`.
    policy_cache: std::sync::Arc<std::sync::Mutex<PolicyCache>>,
}

type PolicyCache = std::collections::HashMap<(String, i32), domain::policy::Policy>;

impl App {
    pub fn new(store: Store, config: AppConfig) -> Self {
        Self {
            store,
            config,
            calendar_cache: Default::default(),
            policy_cache: Default::default(),
        }
    }
}

pub(crate) fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}
