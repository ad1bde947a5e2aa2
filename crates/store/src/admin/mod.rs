//! What administrators keep: staff accounts, roles, desks, API tokens, the working-day
//! calendar with desks' service hours, and policy versions.

pub mod calendar;
pub mod desks;
pub mod policies;
pub mod roles;
pub mod tokens;
pub mod users;
