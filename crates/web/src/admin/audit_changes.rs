//! An audit entry's changes as people read them: each field by its name, a change as
//! "before → after", coded values (states, kinds, channels …) by their label, yes/no for flags.
//! The entry itself keeps the JSON it was hashed with; only its display is translated.

use sanbao_domain::case::{Channel, Coded, Kind, Priority, ReportKind, State};
use sanbao_domain::customer::CustomerKind;
use sanbao_domain::role::{Permission, Role};
use serde_json::Value;

use crate::i18n::Tr;

/// Field names of the changes the system records, in Chinese and English.
const FIELDS: &[(&str, &str, &str)] = &[
    ("active", "启用", "active"),
    ("address", "地址", "address"),
    ("args", "参数", "arguments"),
    ("assignee_id", "处理人编号", "assignee id"),
    ("attachment_id", "附件编号", "file id"),
    ("case", "服务单", "case"),
    ("cases", "服务单数", "cases"),
    ("channel", "受理渠道", "channel"),
    ("chars", "字数", "characters"),
    ("code", "代码", "code"),
    ("comment", "批示", "comment"),
    ("contact_added", "新增联系电话", "contact added"),
    ("contacts", "联系人", "contacts"),
    ("content_type", "文件类型", "file type"),
    ("credit_code", "统一社会信用代码", "credit code"),
    ("customer_id", "客户编号", "customer id"),
    ("customers", "客户数", "customers"),
    ("date", "日期", "date"),
    ("days", "天数", "days"),
    ("desk_id", "部门编号", "desk id"),
    ("desk_ids", "所属部门", "desks"),
    ("display_name", "姓名", "name"),
    ("event", "事件", "event"),
    ("fields", "字段", "fields"),
    ("from", "原为", "from"),
    ("kind", "类型", "kind"),
    ("lang", "界面语言", "language"),
    ("minutes", "分钟", "minutes"),
    ("must_change_password", "须修改密码", "must change password"),
    ("name", "名称", "name"),
    ("new_customer", "新客户", "new customer"),
    ("note", "说明", "note"),
    ("off", "休息日数", "days off"),
    ("on", "上班日数", "working days"),
    ("permissions", "权限", "permissions"),
    ("phone", "电话", "phone"),
    ("policy", "服务政策", "policy"),
    ("prefix", "编号前缀", "prefix"),
    ("priority", "优先级", "priority"),
    ("query", "查询", "query"),
    ("reason", "原因", "reason"),
    ("report", "上报类型", "report kind"),
    ("reports", "上报项数", "reports"),
    ("roles", "角色", "roles"),
    ("size", "大小", "size"),
    ("source", "来源", "source"),
    ("state", "状态", "state"),
    ("subject", "主题", "subject"),
    ("supervisor_id", "主管编号", "supervisor id"),
    ("tags", "标签", "tags"),
    ("to", "改为", "to"),
    ("user", "用户", "user"),
    ("username", "用户名", "username"),
    ("version", "版本", "version"),
    ("working", "上班", "working"),
];

fn field(key: &str, tr: Tr) -> String {
    FIELDS
        .iter()
        .find(|f| f.0 == key)
        .map_or_else(|| key.to_owned(), |f| tr.pick(f.1, f.2).to_owned())
}

/// A coded value by its label (the first list that knows the code); other text as written.
fn coded(s: &str, tr: Tr) -> String {
    fn label<T: Coded>(s: &str, en: bool) -> Option<&'static str> {
        s.parse::<T>().ok().map(|v| v.label(en))
    }
    let en = tr.is_en();
    label::<State>(s, en)
        .or_else(|| label::<Kind>(s, en))
        .or_else(|| label::<Channel>(s, en))
        .or_else(|| label::<Priority>(s, en))
        .or_else(|| label::<ReportKind>(s, en))
        .or_else(|| label::<CustomerKind>(s, en))
        .or_else(|| {
            s.parse::<Permission>()
                .ok()
                .map(|p| if en { p.label_en() } else { p.label_zh() })
        })
        .or_else(|| {
            s.parse::<Role>()
                .ok()
                .map(|r| if en { r.label_en() } else { r.label_zh() })
        })
        .map_or_else(|| s.to_owned(), str::to_owned)
}

/// Fields whose values are codes (a state, kind, channel, priority, role, language): shown by
/// their labels. Other text (a subject, a name) is shown as typed, even if it looks like a code.
const CODED: &[&str] = &[
    "state",
    "kind",
    "channel",
    "priority",
    "roles",
    "lang",
    "from",
    "to",
    "report",
    "permissions",
];

fn value(v: &Value, tr: Tr, codes: bool) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => tr
            .pick(if *b { "是" } else { "否" }, if *b { "yes" } else { "no" })
            .into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if codes => coded(s, tr),
        Value::String(s) => s.clone(),
        Value::Array(a) => {
            let sep = tr.pick("、", ", ");
            a.iter()
                .map(|x| value(x, tr, codes))
                .collect::<Vec<_>>()
                .join(sep)
        }
        Value::Object(o) => object(o, tr, codes),
    }
}

/// A change (`{"from": …, "to": …}`) as "before → after", other objects field by field.
fn object(o: &serde_json::Map<String, Value>, tr: Tr, codes: bool) -> String {
    if let (Some(a), Some(b), 2) = (o.get("from"), o.get("to"), o.len()) {
        return format!("{} → {}", value(a, tr, codes), value(b, tr, codes));
    }
    let (colon, sep) = (tr.pick("：", ": "), tr.pick("；", "; "));
    o.iter()
        .map(|(k, v)| {
            // A list of field names (what a reveal showed) reads as the fields' names.
            if k == "fields"
                && let Value::Array(names) = v
            {
                let names: Vec<String> = names
                    .iter()
                    .map(|n| n.as_str().map_or_else(|| n.to_string(), |n| field(n, tr)))
                    .collect();
                return format!("{}{colon}{}", field(k, tr), names.join(tr.pick("、", ", ")));
            }
            let codes = CODED.contains(&k.as_str());
            format!("{}{colon}{}", field(k, tr), value(v, tr, codes))
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// An entry's changes as a line of text (fields in the order of their names, as the JSON
/// object keeps them); what does not parse is shown as recorded. A change at the top (a case's
/// state from → to) reads its values as codes.
pub(super) fn readable(changes: &str, tr: Tr) -> String {
    match serde_json::from_str::<Value>(changes) {
        Ok(Value::Object(o)) if o.is_empty() => String::new(),
        Ok(v) => value(&v, tr, true),
        Err(_) => changes.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sanbao_domain::text::Lang;

    #[test]
    fn changes_read_as_fields_labels_and_transitions() {
        let zh = Tr::new(Lang::ZhCn);
        assert_eq!(
            readable(r#"{"from":"new","to":"in_progress"}"#, zh),
            "新建 → 处理中"
        );
        assert_eq!(
            readable(
                r#"{"kind":"complaint","channel":"phone","new_customer":true}"#,
                zh
            ),
            "受理渠道：电话；类型：投诉；新客户：是"
        );
        assert_eq!(
            readable(
                r#"{"desk_id":{"from":1,"to":2},"assignee_id":{"from":null,"to":5}}"#,
                zh
            ),
            "处理人编号：— → 5；部门编号：1 → 2"
        );
        assert_eq!(readable("{}", zh), "");
        assert_eq!(
            readable(r#"{"subject":"new","roles":["agent"]}"#, zh),
            "角色：客服专员；主题：new",
            "typed text is never read as a code"
        );
        assert_eq!(readable("not json", zh), "not json");
        // A customer's card: its kind by label, a reveal's fields by their names.
        assert_eq!(
            readable(
                r#"{"kind":"organisation","credit_code":"91350100M000100Y43","contacts":["陈工 059****4321"]}"#,
                zh
            ),
            "联系人：陈工 059****4321；统一社会信用代码：91350100M000100Y43；类型：单位"
        );
        assert_eq!(
            readable(r#"{"fields":["phone","address","contacts"]}"#, zh),
            "字段：电话、地址、联系人"
        );
    }
}
