//! Chinese full-text search terms (jieba): the words a case is indexed by, and the words a
//! query asks for. Both databases index the same space-separated words (SQLite FTS5,
//! PostgreSQL tsvector 'simple'), so search answers the same on both; segmenting into words
//! finds 2-character words such as 退货, 漏水, 噪音, which character trigrams miss.

use std::sync::LazyLock;

use jieba_rs::Jieba;

/// Words of this trade jieba's general dictionary does not know as whole words.
const DOMAIN_WORDS: &[&str] = &[
    "退货单",
    "换货",
    "退换货",
    "序列号",
    "批次号",
    "批号",
    "灭菌批号",
    "有效期",
    "保修期",
    "三包",
    "漏液",
    "漏水",
    "异响",
    "不制冷",
    "不加热",
    "花屏",
    "黑屏",
    "死机",
    "上门",
    "维修单",
    "服务单",
    "投诉单",
    "滤芯",
    "滤网",
    "制氧机",
    "血压计",
    "血糖仪",
    "雾化器",
    "助听器",
];

static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut j = Jieba::new();
    for w in DOMAIN_WORDS {
        j.add_word(w, Some(2000), None);
    }
    j
});

/// Load the word dictionary now (about a tenth of a second of CPU) instead of in the first
/// request that needs it.
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

/// A token's alphanumeric pieces (`abc-123` → `abc`, `123`), lower-case: both databases'
/// tokenizers would split there too, so index and query agree.
fn pieces(word: &str) -> impl Iterator<Item = String> + '_ {
    word.split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(str::to_lowercase)
}

/// The index words of a text: every word and its shorter sub-words (`cut_for_search`),
/// lower-case, space-separated.
pub fn index_words(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        for t in JIEBA.cut_for_search(part, true) {
            for p in pieces(t.word) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&p);
            }
        }
    }
    out
}

/// The words a query asks for (all must match), lower-case, without duplicates.
pub fn query_words(q: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in JIEBA.cut(q, true) {
        for w in pieces(t.word) {
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out.truncate(16);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(doc: &str, word: &str) -> bool {
        doc.split(' ').any(|w| w == word)
    }

    #[test]
    fn two_character_words_are_found() {
        let doc = index_words(&["我要退货，屏幕漏液"]);
        for w in ["退货", "屏幕", "漏液"] {
            assert!(has(&doc, w), "{w} in {doc}");
        }
        assert!(has(&index_words(&["洗衣机漏水"]), "漏水"));
        assert!(has(&index_words(&["冰箱噪音大"]), "噪音"));
    }

    #[test]
    fn queries_are_words_not_punctuation() {
        assert_eq!(query_words("退货"), ["退货"]);
        assert_eq!(query_words(" 屏幕，漏液！"), ["屏幕", "漏液"]);
        assert_eq!(query_words("ABC-123"), ["abc", "123"]);
        assert!(query_words("，。！").is_empty());
    }
}
