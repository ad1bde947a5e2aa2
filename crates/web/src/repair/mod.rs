//! Repairs in the field (维修): the technician's day on a phone, a job's page with the
//! repair report and the customer's signature, the printable repair report, and the
//! supplier claims' queue.

mod claims;
mod field;
mod report;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::AppState;
use crate::feature::{Feature, NavEntry};
use crate::files::UPLOAD_BODY_LIMIT;
use crate::layout::Section;

pub(crate) fn feature() -> Feature {
    // The report carries the customer's signature.
    let limit = DefaultBodyLimit::max(UPLOAD_BODY_LIMIT);
    let pages: Router<AppState> = Router::new()
        .route("/field", get(field::day))
        .route("/field/{number}", get(field::job))
        .route("/field/{number}/step", post(field::record).layer(limit))
        .route("/cases/{number}/repair-report", get(report::show))
        .route("/claims", get(claims::list))
        .route("/claims/{id}", post(claims::update));
    Feature::pages(pages)
}

pub(crate) const NAV: NavEntry = NavEntry {
    section: Section::Field,
    href: "/field",
    key: "nav.field",
    any_of: &[sanbao_domain::role::Permission::FieldService],
};
