//! Satisfaction surveys (满意度调查): the invitation a case gets when it closes, the link its
//! staff hand to the customer, and the customer's one answer through that link.

use chrono::{DateTime, Utc};
use sanbao_domain::audit::{Action, RecordType};
use sanbao_domain::survey::{self as dom, Answer, AnswerForm};
use sanbao_domain::text;
use sanbao_store::Tx;
use sanbao_store::survey::{self as repo, SurveyRow};
use serde_json::json;

use crate::{Actor, AppError, Result, audit};

crate::facade!(
    /// Satisfaction surveys.
    Surveys,
    surveys
);

/// A case's invitation as its staff see it.
#[derive(Debug, Clone)]
pub struct Invitation {
    /// The path of the customer's link (`/survey/{number}/{token}`).
    pub path: String,
    pub expires_at: DateTime<Utc>,
    /// The answer, once given.
    pub answer: Option<Answer>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// The survey a link opens, as the customer sees it.
#[derive(Debug, Clone)]
pub struct Opened {
    pub number: String,
    pub subject: String,
    pub answered: bool,
    pub expired: bool,
}

fn answer_of(row: &SurveyRow) -> Option<Answer> {
    Some(Answer {
        csat: u8::try_from(row.csat?).ok()?,
        nps: row.nps.and_then(|n| u8::try_from(n).ok()),
        comment: row.comment.clone(),
    })
}

/// Invite the case closing now (inside the closing's transaction).
pub(crate) async fn invite(tx: &mut Tx, case_id: i64, now: DateTime<Utc>) -> Result<()> {
    repo::invite(tx, case_id, now, dom::expires_at(now)).await?;
    Ok(())
}

impl Surveys<'_> {
    /// The invitation of case `number`, for whoever may see the case.
    pub async fn invitation(&self, actor: &Actor, number: &str) -> Result<Option<Invitation>> {
        let c = self.app.cases().visible(actor, number).await?;
        let Some(row) = repo::of_case(&self.app.store, c.id).await? else {
            return Ok(None);
        };
        let token = dom::token(self.app.store.audit_key(), &c.number, row.invited_at);
        Ok(Some(Invitation {
            path: format!("/survey/{}/{token}", c.number),
            expires_at: row.expires_at,
            answer: answer_of(&row),
            answered_at: row.answered_at,
        }))
    }

    /// The case and its invitation a link names; not found unless the link is the case's own.
    async fn by_link(&self, number: &str, token: &str) -> Result<(i64, String, String, SurveyRow)> {
        let c = sanbao_store::case::row::by_number(&self.app.store, number.trim())
            .await?
            .ok_or(AppError::NotFound("survey"))?;
        let row = repo::of_case(&self.app.store, c.id)
            .await?
            .ok_or(AppError::NotFound("survey"))?;
        if !dom::verify(
            self.app.store.audit_key(),
            &c.number,
            row.invited_at,
            token.trim(),
        ) {
            return Err(AppError::NotFound("survey"));
        }
        Ok((c.id, c.number.clone(), c.record.subject.clone(), row))
    }

    /// The survey a customer's link opens (no login: the link's signature is the key).
    pub async fn open(&self, number: &str, token: &str) -> Result<Opened> {
        let (_, number, subject, row) = self.by_link(number, token).await?;
        Ok(Opened {
            number,
            subject,
            answered: row.answered_at.is_some(),
            expired: row.answered_at.is_none() && row.expires_at <= sanbao_domain::time::now(),
        })
    }

    /// The customer's answer through their link: once, before it expires; audited. The survey
    /// as it now stands (answered).
    #[tracing::instrument(name = "survey.answer", skip_all, fields(number = %number))]
    pub async fn answer(&self, number: &str, token: &str, form: &AnswerForm) -> Result<Opened> {
        let (case_id, number, subject, row) = self.by_link(number, token).await?;
        if row.answered_at.is_some() {
            return Err(AppError::rule("answered", text!("survey.answered")));
        }
        let answer = Answer::parse(form)?;
        let now = sanbao_domain::time::now();
        let mut tx = self.app.store.begin().await?;
        if !repo::answer(&mut tx, case_id, &answer, now).await? {
            let why = if row.expires_at <= now {
                ("expired", text!("survey.expired"))
            } else {
                ("answered", text!("survey.answered"))
            };
            return Err(AppError::rule(why.0, why.1));
        }
        let changes = json!({"csat": answer.csat, "nps": answer.nps, "chars": answer.comment.chars().count()});
        audit::record(
            &mut tx,
            &Actor::system(),
            Action::SurveyAnswer,
            RecordType::Case,
            &number,
            changes,
        )
        .await?;
        tx.commit().await?;
        Ok(Opened {
            number,
            subject,
            answered: true,
            expired: false,
        })
    }
}
