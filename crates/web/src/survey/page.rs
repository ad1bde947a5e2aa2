//! The survey page: the case it is about, five faces for satisfaction, 0–10 for the
//! recommendation, a comment; once answered (or expired) it says so and takes nothing more.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sanbao_app::AppError;
use sanbao_app::survey::Opened;
use sanbao_domain::survey::AnswerForm;

use crate::AppState;
use crate::auth::public_csrf;
use crate::error::{PageError, classify};
use crate::form::{Errors, FormData};
use crate::i18n::Tr;
use crate::page::{lang_from_headers, render_status};
use crate::session::{LOGIN_CSRF_COOKIE, cookie, set_cookie};

#[derive(Template)]
#[template(path = "survey/answer.html")]
struct SurveyPage {
    tr: Tr,
    csrf: String,
    number: String,
    subject: String,
    action: String,
    /// Done: thanked, answered before, or expired (no form).
    closed: Option<String>,
    form: AnswerForm,
    errors: Errors,
}

impl SurveyPage {
    /// The page of survey `o` reached by `token`, with what was typed.
    fn of(tr: Tr, o: Opened, token: &str, form: AnswerForm) -> SurveyPage {
        SurveyPage {
            action: format!("/survey/{}/{}", o.number, token.trim()),
            closed: if o.answered {
                Some(tr.t("survey.already").to_owned())
            } else if o.expired {
                Some(tr.t("survey.expired_page").to_owned())
            } else {
                None
            },
            number: o.number,
            subject: o.subject,
            form,
            errors: Errors::new(tr, Vec::new()),
            tr,
            csrf: String::new(),
        }
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((number, token)): Path<(String, String)>,
) -> Response {
    let tr = lang_from_headers(&headers);
    match state.app.surveys().open(&number, &token).await {
        Ok(o) => {
            let page = SurveyPage::of(tr, o, &token, AnswerForm::default());
            with_csrf(&state, &headers, StatusCode::OK, page)
        }
        Err(e) => PageError::new(e, tr).into_response(),
    }
}

pub(super) async fn answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((number, token)): Path<(String, String)>,
    Form(f): Form<FormData>,
) -> Response {
    let tr = lang_from_headers(&headers);
    let form = AnswerForm {
        csat: f.get("csat").to_owned(),
        nps: f.get("nps").to_owned(),
        comment: f.get("comment").to_owned(),
    };
    let surveys = state.app.surveys();
    let refused = match surveys.answer(&number, &token, &form).await {
        Ok(o) => {
            let mut page = SurveyPage::of(tr, o, &token, form);
            page.closed = Some(tr.t("survey.thanks").to_owned());
            return with_csrf(&state, &headers, StatusCode::OK, page);
        }
        Err(e @ (AppError::Invalid(_) | AppError::Rule { .. })) => e,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    // Refused: the page again, with what was typed and why.
    let opened = match surveys.open(&number, &token).await {
        Ok(o) => o,
        Err(e) => return PageError::new(e, tr).into_response(),
    };
    let mut page = SurveyPage::of(tr, opened, &token, form);
    let status = match refused {
        AppError::Invalid(errs) => {
            page.errors = Errors::new(tr, errs.0);
            StatusCode::BAD_REQUEST
        }
        e => {
            let (status, _, msg, _) = classify(&e, tr);
            page.closed = Some(msg);
            status
        }
    };
    with_csrf(&state, &headers, status, page)
}

/// Render with the double-submit token the public form carries.
fn with_csrf(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    mut page: SurveyPage,
) -> Response {
    page.csrf = match public_csrf(cookie(headers, LOGIN_CSRF_COOKIE)) {
        Ok(c) => c,
        Err(e) => return PageError::new(e, page.tr).into_response(),
    };
    let mut res = render_status(status, &page);
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LOGIN_CSRF_COOKIE,
            &page.csrf,
            None,
            state.cfg.secure_cookies,
        ),
    );
    res
}
