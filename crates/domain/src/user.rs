//! Staff accounts: user names, passwords, display names, UI language, desks.

use std::fmt;
use std::str::FromStr;

use crate::text::Text;
use crate::{FieldError, text};

/// A login name: 3–32 characters of lower-case ASCII letters, digits, `.`, `_` or `-`,
/// starting with a letter. Stored lower-case, so `WangLi` and `wangli` are one account.
///
/// ```
/// use sanbao_domain::user::Username;
/// assert_eq!(Username::parse(" WangLi ").unwrap().as_str(), "wangli");
/// assert!(Username::parse("王丽").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim().to_ascii_lowercase();
        let err = |code, msg: Text| Err(FieldError::new("username", code, msg));
        if s.is_empty() {
            return err(
                "required",
                text!("field.required", what = text!("label.username")),
            );
        }
        if s.chars().count() < 3 || s.len() > 32 {
            return err("length", text!("user.username_length"));
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return err("format", text!("user.username_start"));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return err("format", text!("user.username_chars"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password that meets the policy: at least 10 characters, not all one kind
/// (letters only or digits only), and not containing the user name.
///
/// Its `Debug` never prints the secret.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_LEN: usize = 10;

    pub fn parse(raw: &str, username: &Username) -> Result<Self, FieldError> {
        let err = |code, msg: Text| Err(FieldError::new("password", code, msg));
        let n = raw.chars().count();
        if n < Self::MIN_LEN {
            return err(
                "too_short",
                text!("user.password_short", min = Self::MIN_LEN),
            );
        }
        if raw.len() > 256 {
            return err("too_long", text!("user.password_long"));
        }
        if raw.chars().all(|c| c.is_ascii_digit()) || raw.chars().all(|c| c.is_alphabetic()) {
            return err("too_simple", text!("user.password_simple"));
        }
        if raw.to_lowercase().contains(username.as_str()) {
            return err("contains_username", text!("user.password_has_username"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// A person's name as shown in the UI: 1–40 characters, trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        parse_label(raw, "display_name", text!("label.display_name"), 40).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trim and check a short free-text label (a name, a title): required, bounded in characters
/// (not bytes: 𠮷 counts as one), no control characters. `what` names the field in messages
/// (`text!("label.subject")`).
pub fn parse_label(
    raw: &str,
    field: &'static str,
    what: Text,
    max_chars: usize,
) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(
            field,
            "required",
            text!("field.required", what = what),
        ));
    }
    if s.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            "too_long",
            text!("field.too_long", what = what, max = max_chars),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "control_chars",
            text!("field.control_chars", what = what),
        ));
    }
    Ok(s.to_owned())
}

/// The UI language a user chose. Chinese is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }
}

impl FromStr for Lang {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s {
            "zh-CN" | "zh" | "zh-cn" => Ok(Lang::ZhCn),
            "en" | "en-US" | "en-GB" => Ok(Lang::En),
            _ => Err(FieldError::new(
                "lang",
                "unknown",
                text!("user.lang_unknown"),
            )),
        }
    }
}

/// A desk or department code: 2–32 characters, upper-case ASCII letters, digits, `-` or `_`.
///
/// ```
/// use sanbao_domain::user::DeskCode;
/// assert_eq!(DeskCode::parse("cs-east").unwrap().as_str(), "CS-EAST");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeskCode(String);

impl DeskCode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim().to_ascii_uppercase();
        if s.len() < 2 || s.len() > 32 {
            return Err(FieldError::new("code", "length", text!("desk.code_length")));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(FieldError::new("code", "format", text!("desk.code_chars")));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_rules() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("1abc").is_err());
        assert!(Username::parse("wang li").is_err());
        assert_eq!(Username::parse("Li.Na_2").unwrap().as_str(), "li.na_2");
        assert_eq!(Username::parse("").unwrap_err().code, "required");
    }

    #[test]
    fn password_policy() {
        let u = Username::parse("wangli").unwrap();
        assert_eq!(
            NewPassword::parse("short1", &u).unwrap_err().code,
            "too_short"
        );
        assert_eq!(
            NewPassword::parse("1234567890", &u).unwrap_err().code,
            "too_simple"
        );
        assert_eq!(
            NewPassword::parse("abcdefghij", &u).unwrap_err().code,
            "too_simple"
        );
        assert_eq!(
            NewPassword::parse("WangLi-2026!", &u).unwrap_err().code,
            "contains_username"
        );
        assert!(NewPassword::parse("售后服务2026年好", &u).is_ok());
        assert_eq!(
            format!("{:?}", NewPassword::parse("s3cret-pass", &u).unwrap()),
            "NewPassword(***)"
        );
    }

    #[test]
    fn labels_count_characters_not_bytes() {
        let forty = "𠮷".repeat(40);
        assert_eq!(DisplayName::parse(&forty).unwrap().as_str(), forty);
        assert!(DisplayName::parse(&"𠮷".repeat(41)).is_err());
        assert!(DisplayName::parse("  ").is_err());
        assert!(DisplayName::parse("a\u{0}b").is_err());
    }
}
