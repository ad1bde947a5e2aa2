//! Tags on a case: short words a desk uses to group its work (批量故障, 媒体关注, VIP …).

use crate::{FieldError, text};

/// The most tags one case carries.
pub const MAX_PER_CASE: usize = 10;

/// The longest tag, in characters.
pub const MAX_CHARS: usize = 16;

/// Read the tags typed into one box: separated by commas (`,` `，` `、`) or spaces, a leading
/// `#` dropped, ASCII letters folded to lower case so `VIP` and `vip` are one tag, repeats
/// kept once, in the order typed.
pub fn parse_tags(input: &str) -> Result<Vec<String>, FieldError> {
    let mut tags: Vec<String> = Vec::new();
    for raw in
        input.split(|c: char| matches!(c, ',' | '，' | '、' | ';' | '；') || c.is_whitespace())
    {
        let t = raw.trim_start_matches(['#', '＃']);
        if t.is_empty() {
            continue;
        }
        if t.chars().any(char::is_control) {
            return Err(FieldError::new(
                "tags",
                "invalid",
                text!("case.tag_control_chars"),
            ));
        }
        if t.chars().count() > MAX_CHARS {
            return Err(FieldError::new(
                "tags",
                "too_long",
                text!("case.tag_too_long", tag = t, max = MAX_CHARS),
            ));
        }
        let t = t.to_ascii_lowercase();
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    at_most_per_case(tags)
}

/// Tags given as a list (the API): each item one tag by the same rules, repeats kept once.
pub fn parse_tag_list(items: &[String]) -> Result<Vec<String>, FieldError> {
    let mut tags: Vec<String> = Vec::new();
    for item in items {
        let t = parse_tag(item).map_err(|e| e.on("tags"))?;
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    at_most_per_case(tags)
}

fn at_most_per_case(tags: Vec<String>) -> Result<Vec<String>, FieldError> {
    if tags.len() > MAX_PER_CASE {
        return Err(FieldError::new(
            "tags",
            "too_many",
            text!("case.tags_too_many", max = MAX_PER_CASE),
        ));
    }
    Ok(tags)
}

/// One tag as a filter value: the same rules, exactly one tag.
pub fn parse_tag(input: &str) -> Result<String, FieldError> {
    match parse_tags(input)?.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(FieldError::new("tag", "invalid", text!("case.tag_one"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tags_are_split_folded_and_kept_once() {
        assert_eq!(
            parse_tags("批量故障，VIP 、#媒体关注 vip,,").unwrap(),
            ["批量故障", "vip", "媒体关注"]
        );
        assert_eq!(parse_tags("   ").unwrap(), Vec::<String>::new());
        assert_eq!(parse_tags("𠮷野家").unwrap(), ["𠮷野家"]);
    }

    #[test]
    fn bad_tags_are_refused() {
        assert_eq!(
            parse_tags(&"长".repeat(MAX_CHARS + 1)).unwrap_err().code,
            "too_long"
        );
        assert!(parse_tags(&"长".repeat(MAX_CHARS)).is_ok());
        let eleven: Vec<String> = (0..=MAX_PER_CASE).map(|i| format!("t{i}")).collect();
        assert_eq!(parse_tags(&eleven.join(",")).unwrap_err().code, "too_many");
        assert_eq!(parse_tags("a\u{7}b").unwrap_err().code, "invalid");
        assert_eq!(parse_tag("a b").unwrap_err().field, "tag");
        assert_eq!(parse_tag(" #VIP ").unwrap(), "vip");
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_tag_list(&list(&["VIP", "vip", "漏水"])).unwrap(),
            ["vip", "漏水"]
        );
        let e = parse_tag_list(&list(&["a,b"])).unwrap_err();
        assert_eq!((e.field.as_ref(), e.code), ("tags", "invalid"));
        assert_eq!(parse_tag_list(&list(&[""])).unwrap_err().field, "tags");
    }

    proptest! {
        #[test]
        fn parsed_tags_parse_to_themselves(raw in "\\PC{0,80}") {
            if let Ok(tags) = parse_tags(&raw) {
                prop_assert_eq!(parse_tags(&tags.join(",")).unwrap(), tags.clone());
                for t in &tags {
                    prop_assert!(!t.is_empty() && t.chars().count() <= MAX_CHARS);
                }
            }
        }
    }
}
