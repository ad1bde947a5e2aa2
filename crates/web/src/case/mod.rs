//! Service cases (服务单): the queues, intake, the case page and its actions, files, saved
//! filters, and the case API.

mod actions;
mod api;
mod attachments;
mod detail;
mod intake;
mod list;
mod receipt;
mod saved_filters;
mod steps;
mod view;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::feature::{Feature, NavEntry};
use crate::layout::Section;

pub(crate) use api::{CaseCustomer, NewCustomer};
pub(crate) use detail::policy_words;
pub(crate) use list::{QUEUE_COUNT_CAP, filter_id};
pub(crate) use steps::{UnitCard, step_form};
pub(crate) use view::{Chip, Now, Row, TimelineItem, chips, options, timeline};

pub(crate) fn feature() -> Feature {
    let pages: Router<AppState> = Router::new()
        .route("/cases", get(list::list).post(intake::create))
        .route("/cases/new", get(intake::new_form))
        .route("/cases/customers", get(intake::customer_lookup))
        .route("/cases/customers/open", get(intake::open_cases))
        .route("/cases/{number}", get(detail::show))
        .route("/cases/{number}/receipt", get(receipt::show))
        .route("/cases/{number}/transition", post(actions::transition))
        .route("/cases/{number}/note", post(actions::note))
        .route("/cases/{number}/step", post(steps::record))
        .route("/cases/{number}/costs", post(steps::add_cost))
        .route("/cases/{number}/exception", post(actions::exception))
        .route(
            "/cases/{number}/extended-service",
            post(actions::extended_service),
        )
        .route("/cases/{number}/assign", post(actions::assign))
        .route("/cases/{number}/tags", post(actions::tags))
        .route("/cases/bulk-assign", post(actions::bulk_assign))
        .merge(attachments::router())
        .merge(saved_filters::router());
    Feature::pages(pages).with_api(api::router())
}

pub(crate) const NAV: NavEntry = NavEntry {
    section: Section::Cases,
    href: "/cases",
    key: "nav.cases",
    any_of: &[sanbao_domain::role::Permission::CaseRead],
};
