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
    pub fn ids(&self, key: &str) -> Vec<i64> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect()
    }

    /// An optional id from a select ("" = none).
    pub fn opt_id(&self, key: &str) -> Option<i64> {
        self.get(key).trim().parse().ok()
    }

    /// The record version a form was read at (0 when missing, which never matches).
    pub fn version(&self) -> i64 {
        self.get("version").trim().parse().unwrap_or(0)
    }
}
