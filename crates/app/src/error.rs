use sanbao_domain::role::Permission;
use sanbao_domain::text::Text;
use sanbao_domain::{FieldError, FieldErrors};
use sanbao_store::StoreError;

/// Everything a use case can refuse or fail with. The web layer maps each variant to a status
/// with an exhaustive `match`, so a new variant does not compile until it has one. Messages
/// for people are [`Text`]s, rendered in the reader's language.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input: which fields and why (400).
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// No valid credentials (401).
    #[error("not signed in")]
    Unauthenticated,
    /// User name or password wrong, or the account disabled: one answer for all three (401).
    #[error("wrong user name or password")]
    BadCredentials,
    /// Too many failed logins (429).
    #[error("too many failed logins; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Signed in, but the role lacks the permission (403).
    #[error("permission {0} required")]
    Forbidden(Permission),
    /// No such record, or not visible to this user (404).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The record changed since it was read (409).
    #[error("the record was changed by someone else")]
    Stale,
    /// A value that must be unique is taken (409).
    #[error("{} already exists", .0.field)]
    Duplicate(FieldError),
    /// A business rule refuses the action (422), with the reason.
    #[error("refused: {message}")]
    Rule { code: &'static str, message: Text },
    /// A fault of the store: logged with its cause, shown to users only as an opaque error
    /// (500) with the request id.
    #[error("store: {0}")]
    Internal(#[source] StoreError),
    /// Any other fault: what was being done, and the error that stopped it.
    #[error("{context}")]
    Fault {
        context: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl AppError {
    pub fn invalid(field: &'static str, code: &'static str, message: Text) -> Self {
        AppError::Invalid(FieldError::new(field, code, message).into())
    }

    pub fn rule(code: &'static str, message: Text) -> Self {
        AppError::Rule { code, message }
    }

    /// A fault with no underlying error (something that cannot happen did).
    pub fn fault(context: impl Into<String>) -> Self {
        AppError::Fault {
            context: context.into(),
            source: None,
        }
    }
}

/// Turn any error into a [`AppError::Fault`] that says what was being done and keeps the
/// error as its source: `serde_json::from_str(&row).or_fault("stored hours")?`.
pub trait OrFault<T> {
    fn or_fault(self, context: impl Into<String>) -> Result<T, AppError>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> OrFault<T> for Result<T, E> {
    fn or_fault(self, context: impl Into<String>) -> Result<T, AppError> {
        self.map_err(|e| AppError::Fault {
            context: context.into(),
            source: Some(Box::new(e)),
        })
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(e.into())
    }
}

impl From<sanbao_domain::case::Refused> for AppError {
    fn from(r: sanbao_domain::case::Refused) -> Self {
        AppError::Rule {
            code: r.code,
            message: r.message,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Stale => AppError::Stale,
            other => AppError::Internal(other),
        }
    }
}
