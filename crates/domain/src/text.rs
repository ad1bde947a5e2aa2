//! Messages for people, by key: a rule says *which* message and with what values; the message
//! table (`locales/*.tsv`, one file per feature: `key<TAB>中文<TAB>English`) says it in each
//! language. Chinese is the default: `Display` renders Chinese, so logs, the command line and
//! stored records read as before, and a page renders the reader's language.
//!
//! ```
//! use sanbao_domain::text;
//! use sanbao_domain::user::Lang;
//! let t = text!("field.too_long", what = text!("label.subject"), max = 120);
//! assert_eq!(t.to_string(), "主题不能超过 120 个字");
//! assert_eq!(t.render(Lang::En), "Subject may not exceed 120 characters");
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

pub use crate::user::Lang;

/// The rule-side message files (validation and refusal messages), one per feature.
const FILES: &[&str] = &[
    include_str!("../locales/common.tsv"),
    include_str!("../locales/case.tsv"),
    include_str!("../locales/customer.tsv"),
    include_str!("../locales/admin.tsv"),
    include_str!("../locales/calendar.tsv"),
    include_str!("../locales/policy.tsv"),
    include_str!("../locales/product.tsv"),
    include_str!("../locales/complaint.tsv"),
    include_str!("../locales/survey.tsv"),
];

static TABLE: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| parse_table(FILES));

/// Read message files (`key<TAB>中文<TAB>English`, blank lines and `#` comments skipped) into
/// one table; a later file's key wins. The web layer reads its own files the same way.
pub fn parse_table(files: &[&'static str]) -> HashMap<&'static str, (&'static str, &'static str)> {
    files
        .iter()
        .flat_map(|f| f.lines())
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split('\t');
            let key = parts.next()?;
            let zh = parts.next()?;
            let en = parts.next().unwrap_or(zh);
            Some((key, (zh, en)))
        })
        .collect()
}

/// The rule-side text of `key` in `lang`, if the table has it.
pub fn lookup(key: &str, lang: Lang) -> Option<&'static str> {
    TABLE.get(key).map(|(zh, en)| match lang {
        Lang::ZhCn => *zh,
        Lang::En => *en,
    })
}

/// Every key of the rule-side table (for the test that every used key exists).
pub fn keys() -> impl Iterator<Item = &'static str> {
    TABLE.keys().copied()
}

/// The raw files, for tests that check every line has both languages.
pub fn files() -> &'static [&'static str] {
    FILES
}

/// What is wrong with message files: a line without exactly a key, a Chinese and an English
/// text; a key twice; placeholders that differ between the two languages.
pub fn table_problems(files: &[&str]) -> Vec<String> {
    let names = |s: &str| {
        let mut v: Vec<String> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned()))
            .collect();
        v.sort();
        v
    };
    let mut seen = std::collections::HashSet::new();
    let mut problems = Vec::new();
    for l in files.iter().flat_map(|f| f.lines()) {
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = l.split('\t').collect();
        if parts.len() != 3 || parts.iter().any(|p| p.trim().is_empty()) {
            problems.push(format!("not key, 中文, English: {l:?}"));
            continue;
        }
        if !seen.insert(parts[0]) {
            problems.push(format!("key {} twice", parts[0]));
        }
        if names(parts[1]) != names(parts[2]) {
            problems.push(format!("placeholders differ: {l:?}"));
        }
    }
    problems
}

/// A value inside a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// The same in every language (a number, a date, what the user typed).
    Plain(String),
    /// A word that has its own Chinese and English (a state's label …).
    Label(&'static str, &'static str),
    /// Another message (a field's name inside "please fill in …").
    Text(Box<Text>),
}

impl Arg {
    fn render(&self, lang: Lang) -> String {
        match self {
            Arg::Plain(s) => s.clone(),
            Arg::Label(zh, en) => match lang {
                Lang::ZhCn => (*zh).to_owned(),
                Lang::En => (*en).to_owned(),
            },
            Arg::Text(t) => t.render(lang),
        }
    }
}

impl From<Text> for Arg {
    fn from(t: Text) -> Self {
        Arg::Text(Box::new(t))
    }
}

macro_rules! plain_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(v: $t) -> Self {
                Arg::Plain(v.to_string())
            }
        }
    )*};
}
plain_args!(
    String,
    &str,
    &String,
    i32,
    i64,
    u32,
    u64,
    usize,
    char,
    chrono::NaiveDate
);

/// A message by key with named values: `{name}` in the table's text is replaced by the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    key: &'static str,
    args: Vec<(&'static str, Arg)>,
}

impl Text {
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    /// Add the value of `{name}`.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// Add a value that reads differently in each language.
    #[must_use]
    pub fn with_label(mut self, name: &'static str, zh: &'static str, en: &'static str) -> Self {
        self.args.push((name, Arg::Label(zh, en)));
        self
    }

    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The message in `lang`; a key missing from the table shows as `[key]` (a test checks
    /// that every key the code uses is there).
    pub fn render(&self, lang: Lang) -> String {
        let Some(template) = lookup(self.key, lang) else {
            return format!("[{}]", self.key);
        };
        fill(template, lang, &self.args)
    }
}

/// Replace each `{name}` in `template` with its value.
pub fn fill(template: &str, lang: Lang, args: &[(&'static str, Arg)]) -> String {
    if args.is_empty() {
        return template.to_owned();
    }
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(&v.render(lang)),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

impl fmt::Display for Text {
    /// In Chinese, the default language.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::ZhCn))
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// A [`Text`]: `text!("key")`, or with values `text!("key", name = value, …)`.
#[macro_export]
macro_rules! text {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::text::Text::new($key)$(.with(stringify!($name), $value))*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_has_both_languages_and_keys_are_unique() {
        assert_eq!(table_problems(FILES), Vec::<String>::new());
        assert_eq!(table_problems(&["a.b\t甲\t"]).len(), 1);
        assert_eq!(table_problems(&["a.b\t{x}甲\tA {y}"]).len(), 1);
    }

    #[test]
    fn values_fill_their_places_in_either_language() {
        let t = text!("field.required", what = text!("label.subject"));
        assert_eq!(t.render(Lang::ZhCn), "请填写主题");
        assert_eq!(t.render(Lang::En), "Subject is required");
        assert_eq!(Text::new("no.such.key").render(Lang::En), "[no.such.key]");
        assert_eq!(
            fill("a {x} b {y}", Lang::En, &[("x", "1".into())]),
            "a 1 b {y}"
        );
    }
}
