//! Validation errors that name the field and say why, in words a user can act on.

use std::borrow::Cow;
use std::fmt;

use crate::text::Text;

/// One rejected input: which field, a stable machine code, and a message for people (a
/// [`Text`]: rendered in the reader's language, Chinese by default).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The form or JSON field the error belongs to, e.g. `username`, or a row's field as the
    /// form names it (`contact[2].phone`).
    pub field: Cow<'static, str>,
    /// A stable code for programs, e.g. `too_short`.
    pub code: &'static str,
    /// What is wrong, for people.
    pub message: Text,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str, message: Text) -> Self {
        Self {
            field: Cow::Borrowed(field),
            code,
            message,
        }
    }

    /// An error on a field of a form's row (`contact[2].phone`).
    pub fn at(field: String, code: &'static str, message: Text) -> Self {
        Self {
            field: Cow::Owned(field),
            code,
            message,
        }
    }

    /// The same error on another field (a phone checked for `customer.phone`).
    #[must_use]
    pub fn on(self, field: &'static str) -> Self {
        Self {
            field: Cow::Borrowed(field),
            ..self
        }
    }

    /// The same error on a field of a form's row (`contact[2].phone`).
    #[must_use]
    pub fn on_row(self, field: String) -> Self {
        Self {
            field: Cow::Owned(field),
            ..self
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// Several field errors from one form; never empty when returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    /// Record the error of a parse and keep going, so one submit reports every bad field.
    pub fn check<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    pub fn first(&self) -> Option<&FieldError> {
        self.0.first()
    }

    /// The error of `field`, if there is one (a form shows it beside its input).
    pub fn of(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }
}

impl From<FieldError> for FieldErrors {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for e in &self.0 {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}
