//! Customer identifiers: phone numbers and the unified social credit code.

use std::fmt;

use crate::text::Text;
use crate::{FieldError, text};

/// A Chinese phone number, normalised to its digits: a mobile number (`1[3-9]` + 9 digits), a
/// fixed line with its area code (`0` + 9–11 digits), or a 400/800 service number.
///
/// ```
/// use sanbao_domain::contact::Phone;
/// let p = Phone::parse("+86 138-0013-8000").unwrap();
/// assert_eq!(p.as_str(), "13800138000");
/// assert_eq!(p.masked(), "138****8000");
/// assert_eq!(Phone::parse("(021) 6234 5678").unwrap().as_str(), "02162345678");
/// assert!(Phone::parse("12345").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let err = |msg: Text| Err(FieldError::new("phone", "invalid", msg));
        let mut digits: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '（' | '）' | '\u{3000}'))
            .collect();
        if let Some(rest) = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
        {
            digits = rest.to_owned();
        }
        if digits.is_empty() {
            return err(text!("customer.phone_required"));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return err(text!("customer.phone_digits"));
        }
        let b = digits.as_bytes();
        let ok = match b[0] {
            b'1' => b.len() == 11 && (b'3'..=b'9').contains(&b[1]),
            b'0' => (10..=12).contains(&b.len()) && b[1] != b'0',
            b'4' | b'8' => b.len() == 10 && b[1..3] == *b"00",
            _ => false,
        };
        if !ok {
            return err(text!("customer.phone_format"));
        }
        Ok(Phone(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****8000` for roles without the personal-data permission.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        if n <= 7 {
            return "*".repeat(n);
        }
        format!("{}****{}", &self.0[..3], &self.0[n - 4..])
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from
/// `0-9A-Z` without I, O, Z, S, V; the last is a check character (weights 3^i mod 31).
///
/// ```
/// use sanbao_domain::contact::CreditCode;
/// assert!(CreditCode::parse("91350100M000100Y43").is_ok());
/// assert_eq!(CreditCode::parse("91350100M000100Y44").unwrap_err().code, "check_char");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

impl CreditCode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s: String = raw
            .trim()
            .to_ascii_uppercase()
            .chars()
            .filter(|c| *c != ' ')
            .collect();
        let err = |code, msg: Text| Err(FieldError::new("credit_code", code, msg));
        if s.chars().count() != 18 {
            return err("length", text!("customer.credit_code_length"));
        }
        let mut values = Vec::with_capacity(18);
        for (i, c) in s.bytes().enumerate() {
            match USCC_CHARS.iter().position(|x| *x == c) {
                Some(v) => values.push(v as u32),
                None => {
                    return err(
                        "char",
                        text!("customer.credit_code_char", pos = i + 1, char = c as char),
                    );
                }
            }
        }
        let sum: u32 = values[..17]
            .iter()
            .zip(USCC_WEIGHTS)
            .map(|(v, w)| v * w)
            .sum();
        let check = (31 - sum % 31) % 31;
        if values[17] != check {
            return err(
                "check_char",
                text!(
                    "customer.credit_code_check",
                    check = USCC_CHARS[check as usize] as char
                ),
            );
        }
        Ok(CreditCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code made of these 17 characters and their check character, if they are all
    /// allowed (demo and test data).
    pub fn completed(first17: &str) -> Option<CreditCode> {
        if first17.len() != 17 {
            return None;
        }
        let mut sum = 0;
        for (c, w) in first17.bytes().zip(USCC_WEIGHTS) {
            sum += USCC_CHARS.iter().position(|x| *x == c)? as u32 * w;
        }
        let check = USCC_CHARS[((31 - sum % 31) % 31) as usize] as char;
        Some(CreditCode(format!("{first17}{check}")))
    }
}

/// How many leading characters of an address a masked view keeps: about the province and city
/// (`上海市浦东新`), never the street and number.
const ADDRESS_KEPT: usize = 6;

/// An address for roles without the personal-data permission: its first few characters and
/// `****` (`上海市浦东新区张江路88号` → `上海市浦东新****`); a short one is all stars.
pub fn masked_address(address: &str) -> String {
    let address = address.trim();
    if address.is_empty() {
        return String::new();
    }
    if address.chars().count() <= ADDRESS_KEPT {
        return "****".into();
    }
    let kept: String = address.chars().take(ADDRESS_KEPT).collect();
    format!("{kept}****")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        for ok in [
            "13800138000",
            "+8613800138000",
            "0086 138 0013 8000",
            "010-12345678",
            "0755-1234567",
            "400-810-8888",
            "19912345678",
        ] {
            assert!(Phone::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1380013800",
            "12800138000",
            "abc",
            "00012345678",
            "138001380001",
            "5001234567",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Phone::parse("400-810-8888").unwrap().masked(),
            "400****8888"
        );
    }

    #[test]
    fn credit_codes() {
        assert!(CreditCode::parse("91110000802100433B").is_ok());
        let made = CreditCode::completed("91350100M000100Y4").unwrap();
        assert_eq!(made.as_str(), "91350100M000100Y43");
        assert!(CreditCode::completed("91350100M000100I4").is_none());
        assert!(CreditCode::parse(" 91350100m000100y43 ").is_ok());
        assert_eq!(CreditCode::parse("9135010").unwrap_err().code, "length");
        assert_eq!(
            CreditCode::parse("91350100I000100Y43").unwrap_err().code,
            "char"
        );
    }

    #[test]
    fn addresses_are_masked_past_the_city() {
        assert_eq!(
            masked_address("上海市浦东新区张江路88号"),
            "上海市浦东新****"
        );
        assert_eq!(masked_address("北京市海淀区"), "****");
        assert_eq!(masked_address("  "), "");
    }

    proptest::proptest! {
        #[test]
        fn a_masked_address_keeps_only_its_start(a in "\\PC{0,60}") {
            let m = masked_address(&a);
            let kept: String = a.trim().chars().take(ADDRESS_KEPT).collect();
            if a.trim().chars().count() > ADDRESS_KEPT {
                proptest::prop_assert_eq!(m, format!("{kept}****"));
            } else if !a.trim().is_empty() {
                proptest::prop_assert_eq!(m, "****");
            }
        }
    }
}
