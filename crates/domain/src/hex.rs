//! Lower-case hexadecimal, for digests and tokens.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Encode bytes as lower-case hex.
///
/// ```
/// assert_eq!(sanbao_domain::hex::encode(&[0x00, 0xab, 0x10]), "00ab10");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    s
}

/// Whether two tokens are equal, compared in time that does not depend on where they differ
/// (CSRF tokens, signed links, the metrics token).
///
/// ```
/// use sanbao_domain::hex::constant_time_eq;
/// assert!(constant_time_eq("abc", "abc"));
/// assert!(!constant_time_eq("abc", "abd") && !constant_time_eq("abc", "ab"));
/// ```
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The SHA-256 of `data` as 64 lower-case hex digits.
pub fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    encode(&sha2::Sha256::digest(data))
}
