//! Service cases in the database: the case row described once ([`record`]), reads ([`row`]),
//! how the rows a case owns are written ([`write`], shared by every path), intake, queues, search, changes, deadlines that passed,
//! attachments and saved filters.

pub mod attachments;
#[cfg(feature = "bench-data")]
pub mod bulk;
pub mod costs;
pub mod escalation;
pub mod intake;
pub mod queue;
pub mod record;
pub mod row;
pub mod saved_filters;
pub mod search;
pub mod supervisor;
pub mod update;
pub mod write;

pub use queue::CaseFilter;
pub use record::{CaseRow, NO_DUE, due_key};
pub use row::EventRow;
pub use write::{ContactWrite, CustomerWrite, EventWrite};
