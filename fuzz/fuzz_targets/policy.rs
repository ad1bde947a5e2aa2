//! After-sales policy texts (TOML) as an administrator pastes them: an error naming the line,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = sanbao_domain::policy::Policy::parse(s);
    }
});
