//! Service cases in the database: rows and reads ([`row`]), how each row is written
//! ([`write`], shared by every path), intake, queues, search, changes, deadlines that passed,
//! attachments and saved filters.

pub mod attachments;
#[cfg(feature = "bench-data")]
pub mod bulk;
pub mod escalation;
pub mod intake;
pub mod queue;
pub mod row;
pub mod saved_filters;
pub mod search;
pub mod update;
pub mod write;

pub use queue::CaseFilter;
pub use row::{CaseRow, EventRow, NO_DUE, due_key};
pub use write::{CaseWrite, CustomerWrite, EventWrite};
