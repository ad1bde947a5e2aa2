//! Sanbao's domain: pure types and rules. No I/O, no async, no SQL, no HTTP.
//!
//! Everything a user types passes through a `parse` constructor here before the rest of the
//! system sees it, so an unchecked `String` never reaches a repository. Features have folders
//! (`case/`, `customer/`); the rules they share (calendar, deadlines, policies, contact
//! details, roles) are modules of their own. Messages for people are [`text::Text`]s: keys
//! into the message table (`locales/*.tsv`), rendered in the reader's language.
#![forbid(unsafe_code)]

pub mod code;
pub mod text;

pub mod attachment;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod complaint;
pub mod contact;
pub mod customer;
pub mod deadline;
pub mod diff;
pub mod error;
pub mod hex;
pub mod hours;
pub mod ids;
pub mod import;
pub mod maintenance;
pub mod policy;
pub mod product;
pub mod repair;
pub mod returns;
pub mod role;
pub mod search;
pub mod survey;
pub mod tag;
pub mod time;
pub mod user;

pub use error::{FieldError, FieldErrors};
pub use ids::{CaseId, CustomerId, DeskId, UserId};
pub use text::Text;
