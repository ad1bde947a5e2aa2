//! Record seals: each sealed row (a case, a customer, an entry of a case's timeline) carries a
//! MAC of its fields made with the [`AuditKey`], recomputed by every write that changes them.
//! Whoever edits the row in the database without the key cannot make a matching seal, and
//! `audit verify` names the row. A short tag per field says which fields were edited.
//!
//! The seal as stored: `1.` + 32 hex digits (the first 16 bytes of an HMAC-SHA256 over the
//! table and every field's name and value) + `.` + 4 hex digits per field (the first 2 bytes
//! of an HMAC over that field alone). The whole-row MAC decides; the field tags only name
//! what changed, so a forged field that happens to keep its 16-bit tag is still caught.

use hmac::Mac;

use super::AuditKey;

/// The most fields a seal covers.
pub const MAX_FIELDS: usize = 32;
const PREFIX: &str = "1.";
const MAC_HEX: usize = 32;
const CAP: usize = PREFIX.len() + MAC_HEX + 1 + 4 * MAX_FIELDS;

/// A seal as text, without allocating (it is made for every row written). `Copy`, so it can
/// travel with the other values of a row.
#[derive(Clone, Copy)]
pub struct Seal {
    len: u8,
    buf: [u8; CAP],
}

impl Seal {
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits and dots are ever written into the buffer.
        std::str::from_utf8(&self.buf[..self.len as usize]).expect("a seal is ASCII")
    }

    fn push(&mut self, bytes: &[u8]) {
        let start = self.len as usize;
        self.buf[start..start + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len() as u8;
    }

    fn push_hex(&mut self, bytes: &[u8]) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for b in bytes {
            self.push(&[DIGITS[(b >> 4) as usize], DIGITS[(b & 0x0f) as usize]]);
        }
    }
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Seal {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

/// One field of a sealed row: its column name and its value in canonical text (`None` for
/// NULL, which seals differently from an empty text).
pub type Field<'a> = (&'a str, Option<&'a str>);

/// Feed one length-prefixed part into the MAC.
fn part(m: &mut hmac::Hmac<sha2::Sha256>, p: &[u8]) {
    m.update(p.len().to_string().as_bytes());
    m.update(b":");
    m.update(p);
}

fn field_part(m: &mut hmac::Hmac<sha2::Sha256>, (name, value): Field<'_>) {
    part(m, name.as_bytes());
    match value {
        None => m.update(b"-"),
        Some(v) => {
            m.update(b"=");
            part(m, v.as_bytes());
        }
    }
}

fn row_mac(key: &AuditKey, table: &str, fields: &[Field<'_>]) -> [u8; 32] {
    let mut m = key.hmac();
    part(&mut m, b"row");
    part(&mut m, table.as_bytes());
    for f in fields {
        field_part(&mut m, *f);
    }
    m.finalize().into_bytes().into()
}

/// The tag of one field, given the MAC keyed and fed with the table already.
fn field_tag(base: &hmac::Hmac<sha2::Sha256>, f: Field<'_>) -> [u8; 2] {
    let mut m = base.clone();
    field_part(&mut m, f);
    let out = m.finalize().into_bytes();
    [out[0], out[1]]
}

fn field_base(key: &AuditKey, table: &str) -> hmac::Hmac<sha2::Sha256> {
    let mut m = key.hmac();
    part(&mut m, b"field");
    part(&mut m, table.as_bytes());
    m
}

/// The seal of a row of `table` with these fields (at most [`MAX_FIELDS`]; the order is the
/// table's own and must be the same whenever the row is sealed or checked).
pub fn seal(key: &AuditKey, table: &str, fields: &[Field<'_>]) -> Seal {
    assert!(
        fields.len() <= MAX_FIELDS,
        "a seal covers at most {MAX_FIELDS} fields"
    );
    let mut s = Seal {
        len: 0,
        buf: [0; CAP],
    };
    s.push(PREFIX.as_bytes());
    s.push_hex(&row_mac(key, table, fields)[..MAC_HEX / 2]);
    s.push(b".");
    let base = field_base(key, table);
    for f in fields {
        s.push_hex(&field_tag(&base, *f));
    }
    s
}

/// What is wrong with a row's seal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealBreak {
    /// The row has no seal though every row is sealed when written.
    #[error("没有封签 / not sealed")]
    Missing,
    /// The seal is not one Sanbao writes.
    #[error("封签格式不对 / the seal is not well-formed")]
    Malformed,
    /// These fields differ from the state that was sealed.
    #[error("字段被改动 / fields edited: {}", .0.join(", "))]
    Edited(Vec<String>),
    /// The row differs from the state that was sealed, but no single field's tag says which
    /// (several tags forged together, or a seal copied from another row).
    #[error("记录与封签不符 / the row does not match its seal")]
    Mismatch,
}

/// Check a row against its stored seal.
pub fn check(
    key: &AuditKey,
    table: &str,
    fields: &[Field<'_>],
    stored: Option<&str>,
) -> Result<(), SealBreak> {
    let stored = stored.ok_or(SealBreak::Missing)?;
    let expected = seal(key, table, fields);
    if stored == expected.as_str() {
        return Ok(());
    }
    let want = expected.as_str();
    if stored.len() != want.len() || !stored.starts_with(PREFIX) {
        return Err(SealBreak::Malformed);
    }
    let tags_at = PREFIX.len() + MAC_HEX + 1;
    let edited: Vec<String> = fields
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let at = tags_at + 4 * i;
            stored.get(at..at + 4) != want.get(at..at + 4)
        })
        .map(|(_, (name, _))| (*name).to_owned())
        .collect();
    Err(if edited.is_empty() {
        SealBreak::Mismatch
    } else {
        SealBreak::Edited(edited)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AuditKey {
        AuditKey::from_bytes([9; 32])
    }

    const ROW: &[Field<'static>] = &[
        ("number", Some("TS2026000001")),
        ("subject", Some("屏幕漏液")),
        ("assignee_id", None),
        ("breached", Some("0")),
    ];

    #[test]
    fn an_untouched_row_checks() {
        let s = seal(&key(), "service_case", ROW);
        assert_eq!(s.as_str().len(), 2 + 32 + 1 + 4 * ROW.len());
        assert_eq!(check(&key(), "service_case", ROW, Some(s.as_str())), Ok(()));
    }

    #[test]
    fn an_edited_field_is_named() {
        let s = seal(&key(), "service_case", ROW);
        let mut edited = ROW.to_vec();
        edited[1].1 = Some("已解决");
        edited[3].1 = Some("1");
        assert_eq!(
            check(&key(), "service_case", &edited, Some(s.as_str())),
            Err(SealBreak::Edited(vec!["subject".into(), "breached".into()]))
        );
    }

    #[test]
    fn null_empty_and_moved_text_seal_differently() {
        let k = key();
        let a = seal(&k, "t", &[("a", None), ("b", Some("x"))]);
        let b = seal(&k, "t", &[("a", Some("")), ("b", Some("x"))]);
        let c = seal(&k, "t", &[("a", Some("x")), ("b", Some(""))]);
        assert_ne!(a, b);
        assert_ne!(b, c);
        assert_ne!(a, c);
    }

    #[test]
    fn a_seal_is_bound_to_its_key_and_table() {
        let s = seal(&key(), "customer", ROW);
        assert!(
            check(
                &AuditKey::from_bytes([1; 32]),
                "customer",
                ROW,
                Some(s.as_str())
            )
            .is_err()
        );
        assert!(check(&key(), "case_event", ROW, Some(s.as_str())).is_err());
    }

    #[test]
    fn a_missing_or_malformed_seal_is_said_so() {
        assert_eq!(check(&key(), "t", ROW, None), Err(SealBreak::Missing));
        assert_eq!(
            check(&key(), "t", ROW, Some("deadbeef")),
            Err(SealBreak::Malformed)
        );
    }

    #[test]
    fn forged_tags_without_the_mac_are_still_a_mismatch() {
        // Someone who edits a field and copies the tags from the old seal cannot fix the MAC.
        let s = seal(&key(), "t", ROW);
        let mut edited = ROW.to_vec();
        edited[0].1 = Some("TS2026000002");
        let fresh = seal(&key(), "t", &edited);
        // The old MAC with the new tags: every tag matches, the MAC does not.
        let forged = format!("{}{}", &s.as_str()[..35], &fresh.as_str()[35..]);
        assert_eq!(
            check(&key(), "t", &edited, Some(&forged)),
            Err(SealBreak::Mismatch)
        );
    }
}
