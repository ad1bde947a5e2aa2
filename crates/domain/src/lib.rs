//! Sanbao's domain: pure types and rules. No I/O, no async, no SQL, no HTTP.
//!
//! Everything a user types passes through a `parse` constructor here before the rest of the
//! system sees it, so an unchecked `String` never reaches a repository.
#![forbid(unsafe_code)]

pub mod attachment;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod contact;
pub mod deadline;
pub mod diff;
pub mod error;
pub mod hex;
pub mod hours;
pub mod policy;
pub mod role;
pub mod search;
pub mod tag;
pub mod time;
pub mod user;

pub use error::{FieldError, FieldErrors};
