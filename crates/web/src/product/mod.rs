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

/// The main parts' own warranty in words ("压缩机保修至 2031-03-01（剩 1545 天）"), or empty.
pub(crate) fn main_parts_words(
    tr: crate::i18n::Tr,
    main: Option<&(String, sanbao_domain::product::unit::Warranty)>,
) -> String {
    let Some((parts, w)) = main else {
        return String::new();
    };
    let key = if w.in_warranty {
        "unit.main_parts_until"
    } else {
        "unit.main_parts_over"
    };
    tr.t(key)
        .replace("{parts}", parts)
        .replace("{date}", &w.ends_on.to_string())
        .replace("{days}", &w.days_left.to_string())
}
