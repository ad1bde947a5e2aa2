//! Sanbao's use cases: one function per thing a user does. Authorization checks, transactions
//! and audit entries happen here and nowhere else.
//!
//! Each feature is a folder (`case/`, `customer/`, `admin/` …) with one file per concern, and a
//! facade on [`App`]: `app.cases().open(..)`, `app.users().create(..)`. What a use case
//! returns is a view model of this crate (never a store row), with ids as the domain's
//! newtypes and codes as the domain's enums.
#![forbid(unsafe_code)]

mod actor;
mod error;
pub(crate) mod secret;

pub mod admin;
pub mod audit;
pub mod auth;
#[cfg(feature = "bench-data")]
pub mod bench_data;
pub mod case;
pub mod customer;
pub mod job;
pub mod notify;
pub mod product;
pub mod repair;
pub mod setup;
pub mod survey;

use std::time::Duration;

pub use actor::Actor;
pub use error::{AppError, OrFault};
pub use sanbao_domain as domain;
pub use sanbao_store::{BackendKind, Store, StoreOptions};

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
    /// How long a process holds a background job it claimed before another process may take
    /// it over (the job is then run again: every job's effect can be repeated).
    pub job_lease: Duration,
    /// The append-only file of signed audit checkpoints, outside the database.
    pub checkpoint_file: std::path::PathBuf,
    /// A shell command each new checkpoint line is given to on its standard input.
    pub checkpoint_command: Option<String>,
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
            job_lease: Duration::from_secs(60),
            checkpoint_file: std::path::PathBuf::from("sanbao-data/audit-checkpoints.log"),
            checkpoint_command: None,
        }
    }
}

/// The application: a store, its settings and this process's caches. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    pub store: Store,
    pub config: AppConfig,
    calendar_cache: std::sync::Arc<admin::calendar::CalendarCache>,
    policy_cache: std::sync::Arc<admin::policies::PolicyCache>,
    /// Wakes this process's job runner when a job is enqueued here.
    jobs_wake: std::sync::Arc<tokio::sync::Notify>,
    /// This process's name on the jobs it claims.
    worker: std::sync::Arc<str>,
}

impl App {
    pub fn new(store: Store, config: AppConfig) -> Self {
        Self {
            store,
            config,
            calendar_cache: Default::default(),
            policy_cache: Default::default(),
            jobs_wake: Default::default(),
            worker: format!(
                "{}-{}",
                std::process::id(),
                secret::random_hex(4).unwrap_or_default()
            )
            .into(),
        }
    }
}

/// A feature's facade: `app.$method()` borrows the app for that feature's use cases.
macro_rules! facade {
    ($(#[$m:meta])* $name:ident, $method:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy)]
        pub struct $name<'a> {
            pub(crate) app: &'a $crate::App,
        }

        impl $crate::App {
            $(#[$m])*
            pub fn $method(&self) -> $name<'_> {
                $name { app: self }
            }
        }
    };
}
pub(crate) use facade;

pub(crate) fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}
