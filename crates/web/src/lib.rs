//! Sanbao's web layer: staff pages (server-rendered, Chinese first), the JSON API under
//! `/api/v1` with its OpenAPI document, and the operational endpoints. Thin: parse the
//! request, call the app layer, render.
#![forbid(unsafe_code)]

// What every feature shares.
mod api;
mod api_docs;
mod assets;
mod csrf;
mod edge;
mod error;
mod feature;
mod files;
mod flash;
mod form;
mod headers;
mod i18n;
mod import;
mod layout;
mod ops;
mod page;
mod session;
mod telemetry;

// The features, each a folder with its pages, API routes, templates (`templates/<feature>/`)
// and messages (`locales/<feature>.tsv`).
mod admin;
mod auth;
mod case;
mod complaint;
mod customer;
mod home;
mod product;
mod repair;
mod survey;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use sanbao_app::App;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

use feature::{Feature, NavEntry};

pub use error::{ApiError, PageError};
pub use i18n::Tr;
pub use telemetry::metrics_handle;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Company time zone: every instant on a page is shown in it.
    pub timezone: chrono_tz::Tz,
    /// Mark cookies `Secure` (set when Sanbao is served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` for the client address (behind a load balancer).
    pub trust_forwarded_for: bool,
    /// Longest a request may take before it is answered 408/503.
    pub request_timeout: Duration,
    /// The bearer token `/metrics` asks for; `None` leaves `/metrics` off (404), so what the
    /// metrics tell (routes, load) is never open to anyone who can reach the port.
    pub metrics_token: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            timezone: chrono_tz::Asia::Shanghai,
            secure_cookies: false,
            trust_forwarded_for: false,
            request_timeout: Duration::from_secs(30),
            metrics_token: None,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub cfg: Arc<WebConfig>,
}

/// Every feature's routes.
fn features() -> [Feature; 9] {
    [
        home::feature(),
        auth::feature(),
        case::feature(),
        customer::feature(),
        product::feature(),
        repair::feature(),
        complaint::feature(),
        survey::feature(),
        admin::feature(),
    ]
}

/// The main navigation, in order.
pub(crate) const NAV: &[NavEntry] = &[
    home::NAV,
    case::NAV,
    customer::NAV,
    product::NAV,
    repair::NAV,
    home::SALES,
    home::REPORTS,
    admin::NAV,
];

/// The whole HTTP surface.
pub fn router(app: App, cfg: WebConfig) -> Router {
    let state = AppState {
        app,
        cfg: Arc::new(cfg.clone()),
    };
    let mut pages = Router::new();
    let mut api = api::root();
    for f in features() {
        pages = pages.merge(f.pages);
        api = api.merge(f.api);
    }
    let (api, openapi) = api.split_for_parts();
    let openapi = Arc::new(openapi);
    let api = api.layer(middleware::from_fn_with_state(
        state.clone(),
        api::auth_layer,
    ));
    let pages = pages
        .layer(middleware::from_fn(page::friendly_rejections))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::check))
        .layer(middleware::from_fn_with_state(state.clone(), session::load))
        .layer(middleware::from_fn(flash::carry));

    Router::new()
        .merge(pages)
        .merge(api)
        .merge(ops::router(openapi))
        .merge(assets::router())
        .fallback(page::not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(edge::BODY_LIMIT))
        .layer(middleware::from_fn(edge::check_input))
        .layer(middleware::from_fn(headers::security))
        .layer(middleware::from_fn(telemetry::record))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            cfg.request_timeout,
        ))
        .layer(middleware::from_fn(edge::api_errors_as_json))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(telemetry::trace_layer())
        .layer(SetRequestIdLayer::x_request_id(telemetry::MakeId))
}

/// Serve `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Answers go out as soon as they are written: with Nagle's algorithm a response written
    // in two parts waits for the client's delayed ACK (up to 40 ms on Linux).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
