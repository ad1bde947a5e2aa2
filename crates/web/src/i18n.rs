//! UI text in Chinese (default) and English: one message file per feature under `locales/`
//! (`key<TAB>中文<TAB>English`), and the rules' messages the domain keeps (errors, refusals),
//! which a page renders in the reader's language too.

use std::collections::HashMap;
use std::sync::LazyLock;

use sanbao_domain::text::{Text, lookup, parse_table};
use sanbao_domain::user::Lang;

/// The pages' message files, one per feature.
const FILES: &[&str] = &[
    include_str!("../locales/shell.tsv"),
    include_str!("../locales/home.tsv"),
    include_str!("../locales/auth.tsv"),
    include_str!("../locales/case.tsv"),
    include_str!("../locales/customer.tsv"),
    include_str!("../locales/admin.tsv"),
    include_str!("../locales/product.tsv"),
    include_str!("../locales/repair.tsv"),
    include_str!("../locales/complaint.tsv"),
    include_str!("../locales/survey.tsv"),
];

static MESSAGES: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| parse_table(FILES));

/// A translator for one request's language.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The text for `key` (a page's, else a rule's); `[?]` when there is none (a test checks
    /// every key the code uses).
    pub fn t(&self, key: &str) -> &'static str {
        if let Some((zh, en)) = MESSAGES.get(key) {
            return match self.lang {
                Lang::ZhCn => zh,
                Lang::En => en,
            };
        }
        lookup(key, self.lang).unwrap_or_else(|| {
            tracing::warn!(key, "missing UI message");
            "[?]"
        })
    }

    /// A rule's message in this language.
    pub fn text(&self, t: &Text) -> String {
        t.render(self.lang)
    }

    /// Pick between a Chinese and an English text carried by domain data (role names …).
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::ZhCn => zh,
            Lang::En => en,
        }
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    pub fn html_lang(&self) -> &'static str {
        self.lang.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_has_both_languages_and_no_key_twice() {
        assert_eq!(
            sanbao_domain::text::table_problems(FILES),
            Vec::<String>::new()
        );
        // A page's key is never also a rule's: one key, one text.
        for key in MESSAGES.keys() {
            assert!(
                lookup(key, Lang::ZhCn).is_none(),
                "key {key} is also a rule's message"
            );
        }
    }

    /// Every source and template file under `dir`, however deep.
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else if path
                .extension()
                .is_some_and(|e| e == "rs" || e == "html" || e == "js")
            {
                out.push(path);
            }
        }
    }

    /// Every key the code uses — `.t("…")` on pages and in templates, `text!("…")` in the
    /// rules, the use cases and the API — names a message, in every crate.
    #[test]
    fn every_used_key_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut all = Vec::new();
        for dir in [
            "web/src",
            "web/templates",
            "app/src",
            "domain/src",
            "cli/src",
        ] {
            files(&root.join(dir), &mut all);
        }
        let tr = Tr::default();
        let mut missing = Vec::new();
        for path in all {
            let text = std::fs::read_to_string(&path).unwrap();
            for marker in [".t(\"", "text!(\"", "Text::new(\""] {
                for part in text.split(marker).skip(1) {
                    let key = part.split('"').next().unwrap();
                    let is_key = key.contains('.')
                        && key.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c)
                        });
                    // `no.such.key` is the domain's own test of a missing key.
                    if !is_key || key == "no.such.key" {
                        continue;
                    }
                    if tr.t(key) == "[?]" {
                        missing.push(format!("{key} ({})", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing messages: {missing:#?}");
    }

    #[test]
    fn chinese_is_the_default() {
        assert_eq!(Tr::default().t("nav.cases"), "服务单");
        assert_eq!(Tr::new(Lang::En).t("nav.cases"), "Cases");
        assert!(!Tr::new(Lang::En).t("case.same_state").is_empty());
    }
}
