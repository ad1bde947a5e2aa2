//! Our own CSS and JavaScript, compiled into the binary: no page loads anything from elsewhere.
//! Each is served under a name with its content's digest (`/static/app.3f2a….css`) and cached
//! for a year: a new release has new names, so no browser keeps an old file.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// One embedded asset and its content-hashed path.
struct Asset {
    path: String,
    content_type: &'static str,
    body: &'static str,
}

impl Asset {
    fn new(stem: &str, ext: &str, content_type: &'static str, body: &'static str) -> Self {
        let digest = sanbao_domain::hex::sha256(body.as_bytes());
        Asset {
            path: format!("/static/{stem}.{}.{ext}", &digest[..12]),
            content_type,
            body,
        }
    }
}

static CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "app",
        "css",
        "text/css; charset=utf-8",
        include_str!("../assets/app.css"),
    )
});
static JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "app",
        "js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/app.js"),
    )
});
static ICON: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "icon",
        "svg",
        "image/svg+xml",
        include_str!("../assets/favicon.svg"),
    )
});

/// The stylesheet's path, for templates.
pub fn css_href() -> &'static str {
    &CSS.path
}

/// The script's path, for templates.
pub fn js_href() -> &'static str {
    &JS.path
}

/// The icon's path, for templates.
pub fn icon_href() -> &'static str {
    &ICON.path
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{name}", get(asset))
        // Browsers ask for this one by name.
        .route(
            "/favicon.ico",
            get(|| async { serve(&ICON, "public, max-age=86400") }),
        )
}

async fn asset(Path(name): Path<String>) -> Response {
    let wanted = format!("/static/{name}");
    [&*CSS, &*JS, &*ICON]
        .into_iter()
        .find(|a| a.path == wanted)
        .map_or_else(
            || StatusCode::NOT_FOUND.into_response(),
            |a| serve(a, IMMUTABLE),
        )
}

fn serve(a: &Asset, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, a.content_type),
            (header::CACHE_CONTROL, cache),
        ],
        a.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_content_digest() {
        assert!(css_href().starts_with("/static/app.") && css_href().ends_with(".css"));
        assert_ne!(css_href(), "/static/app.css");
        assert!(js_href().ends_with(".js"));
    }
}
