//! Request ids, the request span every log line of a request carries, and Prometheus metrics.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::request_id::{MakeRequestId, RequestId};
use tower_http::trace::{DefaultOnResponse, MakeSpan, TraceLayer};

pub(crate) static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Random 16-hex-digit request ids.
#[derive(Clone, Copy)]
pub struct MakeId;

impl MakeRequestId for MakeId {
    fn make_request_id<B>(&mut self, _req: &axum::http::Request<B>) -> Option<RequestId> {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).ok()?;
        sanbao_domain::hex::encode(&b)
            .parse()
            .ok()
            .map(RequestId::new)
    }
}

/// The request id of a request (set by the outermost layer).
pub(crate) fn request_id<B>(req: &axum::http::Request<B>) -> String {
    req.headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned()
}

#[derive(Clone, Copy)]
pub(crate) struct Span;

impl<B> MakeSpan<B> for Span {
    fn make_span(&mut self, req: &axum::http::Request<B>) -> tracing::Span {
        tracing::info_span!(
            "request",
            request_id = %request_id(req),
            method = %req.method(),
            path = %req.uri().path(),
        )
    }
}

pub(crate) fn trace_layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, Span> {
    TraceLayer::new_for_http()
        .make_span_with(Span)
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
}

/// The process-wide Prometheus recorder (installed on first use).
pub fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ])
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        // Another recorder may already be installed (several apps in one test process); the
        // handle still renders this recorder's own metrics only if it is the global one.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

tokio::task_local! {
    /// The request id of the request this task serves (for the error page).
    static REQUEST_ID: String;
}

/// The request id of the request being served ("-" outside one).
pub(crate) fn current_request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "-".to_owned())
}

/// Count and time every request by method, route template and status; the request id is
/// known to everything that runs for the request.
pub(crate) async fn record(req: Request, next: Next) -> Response {
    metrics_handle();
    let id = request_id(&req);
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let res = REQUEST_ID.scope(id, next.run(req)).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}
