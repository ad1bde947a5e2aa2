//! The API reference at `/api/docs`: the OpenAPI document rendered on the server as one page
//! (operations grouped by tag, their parameters, bodies and answers, then the data shapes),
//! with no script of anyone else's.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use crate::i18n::Tr;
use crate::page::{lang_from_headers, render};

/// Text with `code` spans (the document's descriptions use backticks): (is code, text).
type Rich = Vec<(bool, String)>;

fn rich(s: &str) -> Rich {
    s.split('`')
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(i, t)| (i % 2 == 1, t.to_owned()))
        .collect()
}

struct Param {
    name: String,
    location: String,
    required: bool,
    kind: String,
    description: Rich,
}

struct Answer {
    status: String,
    description: String,
    /// The data shape answered, if any.
    kind: String,
}

struct Operation {
    anchor: String,
    method: String,
    path: String,
    summary: Rich,
    description: Rich,
    params: Vec<Param>,
    body: Option<String>,
    answers: Vec<Answer>,
}

struct Group {
    name: String,
    description: String,
    operations: Vec<Operation>,
}

struct Field {
    name: String,
    kind: String,
    required: bool,
    description: Rich,
}

struct Shape {
    name: String,
    description: Rich,
    fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "shell/api_docs.html")]
struct DocsPage {
    tr: Tr,
    title: String,
    version: String,
    description: Rich,
    groups: Vec<Group>,
    shapes: Vec<Shape>,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_owned()
}

/// A schema in a few words: a shape's name, `string (date-time)`, `Case[]`, `string | null`.
fn kind_of(s: &Value) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = s.get(key).and_then(Value::as_array) {
            let kinds: Vec<String> = parts.iter().map(kind_of).collect();
            return kinds.join(" | ");
        }
    }
    let types: Vec<String> = match s.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = types
        .iter()
        .map(|t| match t.as_str() {
            "array" => format!("{}[]", s.get("items").map_or(String::new(), kind_of)),
            other => match s.get("format").and_then(Value::as_str) {
                Some(f) if other != "null" => format!("{other} ({f})"),
                _ => other.to_owned(),
            },
        })
        .collect();
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        out.push(format!("{{{}}}", values.join(", ")));
    }
    if out.is_empty() {
        "any".to_owned()
    } else {
        out.join(" | ")
    }
}

/// The shape a body or answer carries (its JSON schema, or the first content type's).
fn content_kind(v: &Value) -> String {
    v.get("content")
        .and_then(Value::as_object)
        .and_then(|c| {
            c.iter().next().map(|(mime, m)| match m.get("schema") {
                Some(s) if mime == "application/json" => kind_of(s),
                _ => mime.clone(),
            })
        })
        .unwrap_or_default()
}

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

fn operation(path: &str, method: &str, op: &Value) -> Operation {
    let params = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|p| Param {
                    name: text(p, "name"),
                    location: text(p, "in"),
                    required: p.get("required").and_then(Value::as_bool) == Some(true),
                    kind: p.get("schema").map_or(String::new(), kind_of),
                    description: rich(&text(p, "description")),
                })
                .collect()
        })
        .unwrap_or_default();
    let answers = op
        .get("responses")
        .and_then(Value::as_object)
        .map(|rs| {
            rs.iter()
                .map(|(status, r)| Answer {
                    status: status.clone(),
                    description: text(r, "description"),
                    kind: content_kind(r),
                })
                .collect()
        })
        .unwrap_or_default();
    let id = text(op, "operationId");
    Operation {
        anchor: if id.is_empty() {
            format!("{method}-{path}")
        } else {
            id
        },
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary: rich(&text(op, "summary")),
        description: rich(&text(op, "description")),
        params,
        body: op.get("requestBody").map(content_kind),
        answers,
    }
}

/// The operations grouped by their first tag, in the document's tag order (untagged last).
fn groups(doc: &Value) -> Vec<Group> {
    let mut groups: Vec<Group> = doc
        .get("tags")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .map(|t| Group {
                    name: text(t, "name"),
                    description: text(t, "description"),
                    operations: Vec::new(),
                })
                .collect()
        })
        .unwrap_or_default();
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let tag = op
                .get("tags")
                .and_then(|t| t.get(0))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let i = match groups.iter().position(|g| g.name == tag) {
                Some(i) => i,
                None => {
                    groups.push(Group {
                        name: tag,
                        description: String::new(),
                        operations: Vec::new(),
                    });
                    groups.len() - 1
                }
            };
            groups[i].operations.push(operation(path, method, op));
        }
    }
    groups.retain(|g| !g.operations.is_empty());
    groups
}

fn shapes(doc: &Value) -> Vec<Shape> {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    schemas
        .into_iter()
        .flatten()
        .map(|(name, s)| {
            let required: Vec<&str> = s
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let fields = s
                .get("properties")
                .and_then(Value::as_object)
                .map(|props| {
                    props
                        .iter()
                        .map(|(f, p)| Field {
                            name: f.clone(),
                            kind: kind_of(p),
                            required: required.contains(&f.as_str()),
                            description: rich(&text(p, "description")),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Shape {
                name: name.clone(),
                description: rich(&text(s, "description")),
                fields,
            }
        })
        .collect()
}

/// `GET /api/docs`.
pub(crate) async fn page(
    Extension(doc): Extension<Arc<utoipa::openapi::OpenApi>>,
    headers: HeaderMap,
) -> Response {
    let tr = lang_from_headers(&headers);
    let doc = serde_json::to_value(doc.as_ref()).unwrap_or(Value::Null);
    render(&DocsPage {
        tr,
        title: doc
            .pointer("/info/title")
            .and_then(Value::as_str)
            .unwrap_or("API")
            .to_owned(),
        version: doc
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        description: rich(
            doc.pointer("/info/description")
                .and_then(Value::as_str)
                .unwrap_or(""),
        ),
        groups: groups(&doc),
        shapes: shapes(&doc),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_schema_reads_in_a_few_words() {
        assert_eq!(
            kind_of(&json!({"$ref": "#/components/schemas/Case"})),
            "Case"
        );
        assert_eq!(
            kind_of(&json!({"type": "array", "items": {"$ref": "#/components/schemas/Case"}})),
            "Case[]"
        );
        assert_eq!(
            kind_of(&json!({"type": ["string", "null"], "format": "date-time"})),
            "string (date-time) | null"
        );
        assert_eq!(
            kind_of(&json!({"oneOf": [{"type": "null"}, {"$ref": "#/c/Desk"}]})),
            "null | Desk"
        );
        assert_eq!(
            rich("`mine` or `all`"),
            vec![
                (true, "mine".into()),
                (false, " or ".into()),
                (true, "all".into())
            ]
        );
    }
}
