//! What administrators keep: staff accounts, roles, desks and their service hours, API
//! tokens, the audit log, the working-day calendar, and policies.

pub mod audit;
pub mod calendar;
pub mod desks;
pub mod policies;
pub mod roles;
pub mod tokens;
pub mod users;
