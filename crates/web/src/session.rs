//! Sessions on staff pages: the cookie, the middleware that loads the signed-in user, and the
//! `Staff` extractor handlers use.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sanbao_app::auth::SessionInfo;

use crate::AppState;
use crate::error::PageError;
use crate::i18n::Tr;

pub(crate) const SESSION_COOKIE: &str = "sanbao_session";
pub(crate) const LOGIN_CSRF_COOKIE: &str = "sanbao_login_csrf";

/// The value of cookie `name`, if the request carries it.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, `Secure` when configured.
pub(crate) fn set_cookie(
    name: &str,
    value: &str,
    max_age: Option<i64>,
    secure: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// The client's address: the socket peer, or — behind a trusted load balancer — the last
/// `X-Forwarded-For` hop (the one the balancer appended; earlier hops are the client's word).
pub(crate) fn client_ip(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if state.cfg.trust_forwarded_for
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
    {
        return ip.to_owned();
    }
    peer.map_or_else(|| "unknown".to_owned(), |p| p.ip().to_string())
}

/// The signed-in session of this request, set by [`load`].
#[derive(Clone)]
pub(crate) struct CurrentSession(pub SessionInfo, pub String);

/// Paths a user who must change their password may still open.
fn allowed_before_password_change(path: &str) -> bool {
    path == "/me/password" || path == "/logout" || path.starts_with("/static/")
}

/// Load the session named by the cookie into the request's extensions.
pub(crate) async fn load(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let token = cookie(req.headers(), SESSION_COOKIE).map(str::to_owned);
    if let Some(token) = token {
        match state.app.auth().session(&token).await {
            Ok(Some(s)) => {
                if s.must_change_password && !allowed_before_password_change(req.uri().path()) {
                    return Redirect::to("/me/password").into_response();
                }
                req.extensions_mut().insert(CurrentSession(s, token));
            }
            Ok(None) => {}
            Err(e) => return PageError::new(e, Tr::default()).into_response(),
        }
    }
    next.run(req).await
}

/// A signed-in staff member. Handlers that take it answer a redirect to the login page when
/// nobody is signed in.
pub struct Staff {
    pub session: SessionInfo,
    /// The session cookie's value (to keep this session when the password changes).
    pub token: String,
    pub tr: Tr,
    /// What the action before this page did, to say on it.
    pub flash: Option<crate::flash::Flash>,
}

impl Staff {
    pub fn actor(&self) -> &sanbao_app::Actor {
        &self.session.actor
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Response> {
        match parts.extensions.get::<CurrentSession>() {
            Some(CurrentSession(s, token)) => Ok(Staff {
                tr: Tr::new(s.actor.lang),
                session: s.clone(),
                token: token.clone(),
                flash: parts.extensions.get::<crate::flash::Flash>().copied(),
            }),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .filter(|p| *p != "/")
                    .map(|p| format!("/login?next={}", urlencode(p)))
                    .unwrap_or_else(|| "/login".to_owned());
                Err(Redirect::to(&next).into_response())
            }
        }
    }
}

/// The peer address, when the server was started with connect info (tests may not be).
pub(crate) struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// Percent-encode a string for a query value.
pub(crate) fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
