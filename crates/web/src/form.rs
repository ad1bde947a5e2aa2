//! Urlencoded form bodies with repeated keys (checkbox lists).

/// A submitted form as key/value pairs in order.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of `key`, or "".
    pub fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `key`.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A checkbox: present and not "off"/"false".
    pub fn checked(&self, key: &str) -> bool {
        self.0
            .iter()
            .any(|(k, v)| k == key && v != "off" && v != "false")
    }

    /// Every value of `key` that is a whole number (ids from a checkbox list).
    pub fn ids<T: From<i64>>(&self, key: &str) -> Vec<T> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| v.trim().parse::<i64>().ok())
            .map(T::from)
            .collect()
    }

    /// An optional id from a select ("" = none).
    pub fn opt_id<T: From<i64>>(&self, key: &str) -> Option<T> {
        self.get(key).trim().parse::<i64>().ok().map(T::from)
    }

    /// The record version a form was read at (0 when missing, which never matches).
    pub fn version(&self) -> i64 {
        self.get("version").trim().parse().unwrap_or(0)
    }
}

/// A form's field errors as a page shows them: each beside its input, in the reader's language.
#[derive(Default)]
pub(crate) struct Errors {
    tr: crate::i18n::Tr,
    errs: Vec<sanbao_domain::FieldError>,
}

impl Errors {
    pub fn new(tr: crate::i18n::Tr, errs: Vec<sanbao_domain::FieldError>) -> Self {
        Self { tr, errs }
    }

    /// The message of `field`'s error, if it has one.
    pub fn msg(&self, field: &str) -> Option<String> {
        self.errs
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.tr.text(&e.message))
    }

    /// Does `field` have an error (its input is marked `aria-invalid`)?
    pub fn has(&self, field: &str) -> bool {
        self.errs.iter().any(|e| e.field == field)
    }

    pub fn is_empty(&self) -> bool {
        self.errs.is_empty()
    }
}
