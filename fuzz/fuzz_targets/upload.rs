//! Uploaded files: the first byte splits the input into a file name and the file's bytes;
//! the type is sniffed, the name cleaned. A clean name never holds a path, a control or a
//! bidirectional character.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else { return };
    let (name, bytes) = rest.split_at((n as usize).min(rest.len()));
    let name = String::from_utf8_lossy(name);
    if let Ok(u) = sanbao_domain::attachment::check_upload(&name, bytes) {
        assert!(!u.name.is_empty());
        assert!(!u.name.contains(['/', '\\']), "{:?}", u.name);
        assert!(!u.name.chars().any(char::is_control), "{:?}", u.name);
        assert!(
            !u.name.chars().any(|c| matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')),
            "{:?}",
            u.name
        );
    }
});
