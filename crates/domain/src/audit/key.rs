//! The audit key: a secret kept outside the database (a file in the data directory, or the
//! configuration), so that whoever can rewrite the database alone cannot recompute the chain's
//! hashes, the checkpoints or the records' seals.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::hex;

/// 32 secret bytes. Its `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(***)")
    }
}

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("审计密钥必须是64位十六进制数字 / the audit key must be 64 hexadecimal digits")]
pub struct BadKey;

impl AuditKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Read the key as written by [`AuditKey::to_hex`] (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<Self, BadKey> {
        let t = text.trim();
        if t.len() != 64 {
            return Err(BadKey);
        }
        let mut out = [0u8; 32];
        for (i, pair) in t.as_bytes().chunks(2).enumerate() {
            let s = std::str::from_utf8(pair).map_err(|_| BadKey)?;
            out[i] = u8::from_str_radix(s, 16).map_err(|_| BadKey)?;
        }
        Ok(Self(out))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }

    /// HMAC-SHA256 over `parts`, each length-prefixed so that no two different part lists give
    /// the same bytes; 64 hex digits.
    pub fn mac(&self, parts: &[&str]) -> String {
        hex::encode(&self.mac_bytes(parts))
    }

    /// A fresh HMAC-SHA256 keyed with this key.
    pub(crate) fn hmac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes a key of any length")
    }

    pub(crate) fn mac_bytes(&self, parts: &[&str]) -> [u8; 32] {
        let mut m = self.hmac();
        for p in parts {
            m.update(p.len().to_string().as_bytes());
            m.update(b":");
            m.update(p.as_bytes());
            m.update(b"\n");
        }
        m.finalize().into_bytes().into()
    }
}

/// The same bytes as [`AuditKey::mac`] hashes, unkeyed: how entries were hashed before the
/// chain was keyed (they still verify that way).
pub(crate) fn plain_hash(parts: &[&str]) -> String {
    let mut buf = Vec::with_capacity(256);
    for p in parts {
        buf.extend_from_slice(p.len().to_string().as_bytes());
        buf.push(b':');
        buf.extend_from_slice(p.as_bytes());
        buf.push(b'\n');
    }
    hex::sha256(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_from_its_hex() {
        let k = AuditKey::from_bytes([7; 32]);
        assert_eq!(
            AuditKey::from_hex(&format!(" {}\n", k.to_hex())),
            Ok(k.clone())
        );
        assert_eq!(AuditKey::from_hex("abc"), Err(BadKey));
        assert_eq!(AuditKey::from_hex(&"zz".repeat(32)), Err(BadKey));
        assert_eq!(format!("{k:?}"), "AuditKey(***)");
    }

    #[test]
    fn the_mac_depends_on_the_key_and_on_part_boundaries() {
        let a = AuditKey::from_bytes([1; 32]);
        let b = AuditKey::from_bytes([2; 32]);
        assert_ne!(a.mac(&["x", "y"]), b.mac(&["x", "y"]));
        assert_ne!(a.mac(&["ab", "c"]), a.mac(&["a", "bc"]));
        assert_eq!(a.mac(&["x"]).len(), 64);
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231_case_2() {
        // RFC 4231 test case 2 ("Jefe" / "what do ya want for nothing?"), through the raw MAC.
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        m.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(&m.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
