//! Phone numbers, 统一社会信用代码, user names, tags and service hours as people type them:
//! never a panic, and what a parser accepts it accepts again in its own canonical form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanbao_domain::contact::{CreditCode, Phone};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(p) = Phone::parse(s) {
        assert_eq!(Phone::parse(p.as_str()).as_ref(), Ok(&p));
        let _ = p.masked();
    }
    if let Ok(c) = CreditCode::parse(s) {
        assert_eq!(CreditCode::parse(c.as_str()).as_ref(), Ok(&c));
    }
    let _ = sanbao_domain::user::Username::parse(s);
    if let Ok(tags) = sanbao_domain::tag::parse_tags(s) {
        assert_eq!(sanbao_domain::tag::parse_tag_list(&tags).as_ref(), Ok(&tags));
    }
    let _ = sanbao_domain::hours::parse_intervals(s);
    let _ = sanbao_domain::search::query_words(s);
});
