//! Our own CSS and JavaScript, compiled into the binary: no page loads anything from elsewhere.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

const CACHE: &str = "public, max-age=3600";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/app.css",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, CACHE),
                    ],
                    include_str!("../assets/app.css"),
                )
            }),
        )
        .route(
            "/static/app.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, CACHE),
                    ],
                    include_str!("../assets/app.js"),
                )
            }),
        )
        .route("/favicon.ico", get(favicon))
}

async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, CACHE),
        ],
        include_str!("../assets/favicon.svg"),
    )
}
