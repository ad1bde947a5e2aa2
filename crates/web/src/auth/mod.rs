//! Signing in and out.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use sanbao_app::AppError;
use sanbao_app::auth::LoginFrom;
use serde::Deserialize;

use crate::AppState;
use crate::error::{PageError, classify};
use crate::feature::Feature;
use crate::i18n::Tr;
use crate::page::{lang_from_headers, render_status};
use crate::session::{
    CurrentSession, LOGIN_CSRF_COOKIE, Peer, SESSION_COOKIE, client_ip, cookie, set_cookie,
};

mod api;
mod me;

pub(crate) fn feature() -> Feature {
    let pages = Router::new()
        .route("/login", get(show).post(submit))
        .route("/logout", post(logout))
        .merge(me::router());
    Feature::pages(pages).with_api(api::router())
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    tr: Tr,
    csrf: String,
    username: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    lang: Option<String>,
}

/// Only local paths are followed after login (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    let local = |n: &str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_.~?=&%-".contains(&b))
    };
    match next {
        Some(n) if local(n) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            super::safe_next(Some("/settings/users?q=a")),
            "/settings/users?q=a"
        );
        for evil in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/%0a",
        ] {
            let got = super::safe_next(Some(evil));
            assert!(
                got == "/" || got == evil && !evil.contains(['\t', '\\']),
                "{evil:?} -> {got:?}"
            );
        }
        assert_eq!(super::safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(super::safe_next(None), "/");
    }
}

/// The token a form shown before login carries (double submit with the
/// [`LOGIN_CSRF_COOKIE`] cookie): the cookie's own when it holds one, else a fresh one.
pub(crate) fn public_csrf(existing: Option<&str>) -> Result<String, AppError> {
    match existing {
        Some(c) if c.len() == 32 && c.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(c.to_owned()),
        _ => {
            let mut b = [0u8; 16];
            getrandom::fill(&mut b).map_err(|e| AppError::fault(format!("no randomness: {e}")))?;
            Ok(sanbao_domain::hex::encode(&b))
        }
    }
}

fn login_page(
    state: &AppState,
    tr: Tr,
    status: StatusCode,
    username: String,
    next: String,
    error: Option<String>,
    existing_csrf: Option<&str>,
) -> Response {
    let csrf = match public_csrf(existing_csrf) {
        Ok(c) => c,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let mut res = render_status(
        status,
        &LoginPage {
            tr,
            csrf: csrf.clone(),
            username,
            next,
            error,
        },
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, &csrf, None, state.cfg.secure_cookies),
    );
    res
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Option<axum::Extension<CurrentSession>>,
    Query(q): Query<NextQuery>,
) -> Response {
    if session.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let mut tr = lang_from_headers(&headers);
    if let Some(l) = q.lang.as_deref().and_then(|l| l.parse().ok()) {
        tr = Tr::new(l);
    }
    let mut res = login_page(
        &state,
        tr,
        StatusCode::OK,
        String::new(),
        safe_next(q.next.as_deref()),
        None,
        cookie(&headers, LOGIN_CSRF_COOKIE),
    );
    if q.lang.is_some() {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                "sanbao_lang",
                tr.lang.code(),
                Some(365 * 86400),
                state.cfg.secure_cookies,
            ),
        );
    }
    res
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn submit(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let tr = lang_from_headers(&headers);
    let ip = client_ip(&state, &headers, peer);
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let next = safe_next(Some(&f.next));
    match state
        .app
        .auth()
        .login(
            &f.username,
            &f.password,
            LoginFrom {
                ip: &ip,
                user_agent: ua,
            },
        )
        .await
    {
        Ok(s) => {
            let target = if s.must_change_password {
                "/me/password".to_owned()
            } else {
                next
            };
            let mut res = Redirect::to(&target).into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &s.token, None, state.cfg.secure_cookies),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), state.cfg.secure_cookies),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(
                    "sanbao_lang",
                    s.lang.code(),
                    Some(365 * 86400),
                    state.cfg.secure_cookies,
                ),
            );
            res
        }
        Err(e @ (AppError::BadCredentials | AppError::RateLimited { .. })) => {
            let (status, _, message, _) = classify(&e, tr);
            let message = if matches!(e, AppError::BadCredentials) {
                tr.t("login.bad_credentials").to_owned()
            } else {
                message
            };
            let mut res = login_page(
                &state,
                tr,
                status,
                f.username,
                next,
                Some(message),
                cookie(&headers, LOGIN_CSRF_COOKIE),
            );
            if let AppError::RateLimited { retry_after_secs } = e
                && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
            {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Err(e) => PageError::new(e, tr).into_response(),
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = state.app.auth().logout(token).await
    {
        return PageError::new(e, lang_from_headers(&headers)).into_response();
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), state.cfg.secure_cookies),
    );
    res
}
