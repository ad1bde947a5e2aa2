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

/// The SHA-256 of `data` as 64 lower-case hex digits.
pub fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    encode(&sha2::Sha256::digest(data))
}
