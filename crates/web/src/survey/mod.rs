//! The satisfaction survey a customer answers from their link (public, phone-first).

use axum::Router;
use axum::routing::get;

use crate::AppState;
use crate::feature::Feature;

mod page;

use page::{answer, show};

pub(crate) fn feature() -> Feature {
    let pages = Router::<AppState>::new();
    Feature::pages(pages.route("/survey/{number}/{token}", get(show).post(answer)))
}
