//! What an action did, said on the next page ("已分派 3 张服务单"): the action answers a redirect
//! that sets a short-lived cookie naming one of a closed set of messages, and the page that
//! follows shows it once and clears it. A reload shows nothing; a forged cookie can only pick
//! another of these messages (never text of its own).

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sanbao_domain::text::fill;

use crate::i18n::Tr;
use crate::session::{cookie, set_cookie};

pub(crate) const FLASH_COOKIE: &str = "sanbao_flash";

/// A message after an action; `n` is a count where the message has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    Saved,
    /// `n` cases given to someone.
    Assigned(u32),
    /// `n` cases taken by the signed-in user.
    Taken(u32),
    StateChanged,
    NoteAdded,
    MessageSent,
    ExceptionReported,
    ExtendedReported,
    PasswordChanged,
    /// The supervisor acknowledged `n` reports of a case.
    Acknowledged(u32),
    FilterSaved,
    FilterDeleted,
    NotificationsRead,
    JobRetried,
    CustomerCreated,
    /// A customer merged into the one shown, with `n` cases.
    CustomerMerged(u32),
    StepRecorded,
    ClaimUpdated,
}

impl Flash {
    /// Every message without a count, and each with a count (as 1), for the code and the
    /// label tests.
    pub const ALL: &'static [Flash] = &[
        Flash::Saved,
        Flash::Assigned(1),
        Flash::Taken(1),
        Flash::StateChanged,
        Flash::NoteAdded,
        Flash::MessageSent,
        Flash::ExceptionReported,
        Flash::ExtendedReported,
        Flash::PasswordChanged,
        Flash::Acknowledged(1),
        Flash::FilterSaved,
        Flash::FilterDeleted,
        Flash::NotificationsRead,
        Flash::JobRetried,
        Flash::CustomerCreated,
        Flash::CustomerMerged(1),
        Flash::StepRecorded,
        Flash::ClaimUpdated,
    ];

    fn name(self) -> &'static str {
        match self {
            Flash::Saved => "saved",
            Flash::Assigned(_) => "assigned",
            Flash::Taken(_) => "taken",
            Flash::StateChanged => "state_changed",
            Flash::NoteAdded => "note_added",
            Flash::MessageSent => "message_sent",
            Flash::ExceptionReported => "exception_reported",
            Flash::ExtendedReported => "extended_reported",
            Flash::PasswordChanged => "password_changed",
            Flash::Acknowledged(_) => "acknowledged",
            Flash::FilterSaved => "filter_saved",
            Flash::FilterDeleted => "filter_deleted",
            Flash::NotificationsRead => "notifications_read",
            Flash::JobRetried => "job_retried",
            Flash::CustomerCreated => "customer_created",
            Flash::CustomerMerged(_) => "customer_merged",
            Flash::StepRecorded => "step_recorded",
            Flash::ClaimUpdated => "claim_updated",
        }
    }

    fn count(self) -> Option<u32> {
        match self {
            Flash::Assigned(n)
            | Flash::Taken(n)
            | Flash::Acknowledged(n)
            | Flash::CustomerMerged(n) => Some(n),
            _ => None,
        }
    }

    /// The cookie's value: `name` or `name.n`.
    fn code(self) -> String {
        match self.count() {
            Some(n) => format!("{}.{n}", self.name()),
            None => self.name().to_owned(),
        }
    }

    /// Read a cookie's value back; anything else is no message.
    fn parse(s: &str) -> Option<Flash> {
        let (name, n) = match s.split_once('.') {
            Some((name, n)) => (name, Some(n.parse::<u32>().ok()?)),
            None => (s, None),
        };
        let f = Flash::ALL.iter().copied().find(|f| f.name() == name)?;
        Some(match (f, n) {
            (Flash::Assigned(_), Some(n)) => Flash::Assigned(n),
            (Flash::Taken(_), Some(n)) => Flash::Taken(n),
            (Flash::Acknowledged(_), Some(n)) => Flash::Acknowledged(n),
            (Flash::CustomerMerged(_), Some(n)) => Flash::CustomerMerged(n),
            (f, None) if f.count().is_none() => f,
            _ => return None,
        })
    }

    /// The locale key of the message.
    pub fn key(self) -> String {
        format!("flash.{}", self.name())
    }

    /// The message in the reader's language.
    pub fn text(self, tr: Tr) -> String {
        let template = tr.t(&self.key());
        match self.count() {
            Some(n) => fill(template, tr.lang, &[("n", n.into())]),
            None => template.to_owned(),
        }
    }
}

/// Go to `to` and say `flash` there.
pub(crate) fn redirect(to: &str, flash: Flash, secure: bool) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(FLASH_COOKIE, &flash.code(), Some(60), secure),
    );
    res
}

/// Hand a request's message to the page (through the request's extensions), and clear the
/// cookie once a page other than a redirect has answered.
pub(crate) async fn carry(mut req: Request, next: Next) -> Response {
    let flash = cookie(req.headers(), FLASH_COOKIE).map(Flash::parse);
    if let Some(Some(f)) = flash {
        req.extensions_mut().insert(f);
    }
    let mut res = next.run(req).await;
    let sets_one = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(FLASH_COOKIE.as_bytes()));
    if flash.is_some() && !res.status().is_redirection() && !sets_one {
        res.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_static("sanbao_flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use sanbao_domain::user::Lang;

    #[test]
    fn a_message_goes_through_its_cookie_and_back() {
        for f in Flash::ALL {
            assert_eq!(Flash::parse(&f.code()), Some(*f), "{f:?}");
        }
        assert_eq!(Flash::parse("assigned.12"), Some(Flash::Assigned(12)));
    }

    #[test]
    fn a_forged_cookie_is_no_message() {
        for s in [
            "",
            "assigned",
            "saved.3",
            "assigned.-1",
            "assigned.x",
            "<b>",
            "nope",
        ] {
            assert_eq!(Flash::parse(s), None, "{s}");
        }
    }

    #[test]
    fn every_message_reads_in_both_languages_with_its_count() {
        for f in Flash::ALL {
            for lang in [Lang::ZhCn, Lang::En] {
                let t = f.text(Tr::new(lang));
                assert!(
                    !t.contains("[?]") && !t.contains('{'),
                    "{f:?} {lang:?}: {t}"
                );
            }
        }
        assert_eq!(
            Flash::Assigned(3).text(Tr::new(Lang::ZhCn)),
            "已分派 3 张服务单"
        );
    }
}
