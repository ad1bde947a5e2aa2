//! UI text in Chinese (default) and English, from `locales/messages.tsv`
//! (`key<TAB>中文<TAB>English`, one message a line, `#` comments).

use std::collections::HashMap;
use std::sync::LazyLock;

use sanbao_domain::user::Lang;

static MESSAGES: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| {
        include_str!("../locales/messages.tsv")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let mut parts = l.split('\t');
                let key = parts.next()?;
                let zh = parts.next()?;
                let en = parts.next().unwrap_or(zh);
                Some((key, (zh, en)))
            })
            .collect()
    });

/// A translator for one request's language.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The text for `key`; `[?]` when it has none (a test checks every key the templates use).
    pub fn t(&self, key: &str) -> &'static str {
        match MESSAGES.get(key) {
            Some((zh, en)) => match self.lang {
                Lang::ZhCn => zh,
                Lang::En => en,
            },
            None => {
                tracing::warn!(key, "missing UI message");
                "[?]"
            }
        }
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
    fn every_line_has_both_languages() {
        for (i, l) in include_str!("../locales/messages.tsv").lines().enumerate() {
            if l.trim().is_empty() || l.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = l.split('\t').collect();
            assert_eq!(parts.len(), 3, "line {}: {l:?}", i + 1);
            assert!(parts.iter().all(|p| !p.is_empty()), "line {}: {l:?}", i + 1);
        }
    }

    /// Every `.t("…")` in a template or page module names a message.
    #[test]
    fn every_used_key_exists() {
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/pages"),
        ];
        let mut missing = Vec::new();
        for dir in dirs {
            for entry in std::fs::read_dir(dir).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for part in text.split(".t(\"").skip(1) {
                    let key = part.split('"').next().unwrap();
                    if !MESSAGES.contains_key(key) {
                        missing.push(key.to_owned());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing messages: {missing:?}");
    }

    #[test]
    fn chinese_is_the_default() {
        assert_eq!(Tr::default().t("nav.cases"), "服务单");
        assert_eq!(Tr::new(Lang::En).t("nav.cases"), "Cases");
    }
}
