//! Products (产品): the catalogue, sold units and the warranty lookup.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use sanbao_domain::role::Permission;

use crate::AppState;
use crate::feature::{Feature, NavEntry};
use crate::layout::Section;

mod api;
mod import;
mod pages;

pub(crate) fn feature() -> Feature {
    Feature::pages(
        Router::<AppState>::new()
            .route("/products", get(pages::catalogue).post(pages::create))
            .route("/products/units", get(pages::units).post(pages::register))
            .route("/products/import", get(import::form).post(import::products))
            .route("/products/units/import", post(import::units))
            .route("/products/units/{serial}/plan", post(pages::set_plan))
            .route("/products/import/template", get(import::product_csv))
            .route("/products/units/import/template", get(import::unit_csv))
            .layer(DefaultBodyLimit::max(crate::files::UPLOAD_BODY_LIMIT)),
    )
    .with_api(api::router())
}

pub(crate) const NAV: NavEntry = NavEntry {
    section: Section::Products,
    href: "/products",
    key: "nav.products",
    any_of: &[
        Permission::CaseRead,
        Permission::ProductManage,
        Permission::QualityManage,
        Permission::SalesWork,
    ],
};
