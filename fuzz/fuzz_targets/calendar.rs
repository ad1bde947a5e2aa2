//! Calendar files (CSV, JSON) and the State Council's holiday notice as pasted: an error
//! naming what is wrong, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanbao_domain::calendar;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = calendar::parse_import(s, Some(2027));
    let _ = calendar::parse_csv(2027, s);
    let _ = calendar::parse_json(s);
    let _ = calendar::parse_notice(s, None);
});
