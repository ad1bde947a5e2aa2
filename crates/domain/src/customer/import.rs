//! Importing customer archives from a table: one row per contact; the rows of an
//! organisation (the same 统一社会信用代码) become one card with several contacts, checked as
//! the card's form checks them, every error named by its row.

use std::collections::HashMap;

use super::archive::{Archive, ArchiveForm, ContactFields};
use crate::import::{Column, RowErrors, Table};
use crate::{FieldError, FieldErrors, text};

const fn col(field: &'static str, headers: &'static [&'static str], required: bool) -> Column {
    Column {
        field,
        headers,
        required,
    }
}

/// The columns of a customer file (the first header of each is the template's).
pub const COLUMNS: &[Column] = &[
    col("kind", &["客户类型", "类型", "kind"], false),
    col("name", &["客户名称", "名称", "姓名", "name"], true),
    col(
        "credit_code",
        &["统一社会信用代码", "信用代码", "credit_code"],
        false,
    ),
    col("contact", &["联系人", "contact"], false),
    col("role", &["职务/部门", "职务", "部门", "role"], false),
    col("phone", &["电话", "联系电话", "手机", "phone"], true),
    col("address", &["地址", "address"], false),
];

/// A card read from a file, with the lines it came from: `lines[k - 1]` is the line of its
/// k-th contact (errors found later, such as a phone already on file, are named by it).
#[derive(Debug, Clone)]
pub struct ImportedCard {
    pub archive: Archive,
    pub lines: Vec<usize>,
}

impl ImportedCard {
    /// The line an error on one of the card's fields belongs to: a contact's row, else the
    /// card's first row.
    pub fn line_of(&self, field: &str) -> usize {
        field
            .strip_prefix("contact[")
            .and_then(|r| r.split_once(']'))
            .and_then(|(k, _)| k.parse::<usize>().ok())
            .and_then(|k| self.lines.get(k.wrapping_sub(1)))
            .copied()
            .unwrap_or(self.lines[0])
    }

    /// `field` as the file names it: a contact's field without its `contact[k].`.
    pub fn column_of(field: &str) -> String {
        let f = field.split_once("].").map_or(field, |(_, f)| f);
        match f {
            "name" if field.starts_with("contact[") => "contact".to_owned(),
            f => f.to_owned(),
        }
    }
}

/// A kind cell: 个人 / 单位 (or the codes); empty is 单位 when a credit code is given.
pub(crate) fn kind(cell: &str, credit_code: &str) -> Result<&'static str, FieldError> {
    match cell.trim() {
        "" if credit_code.trim().is_empty() => Ok("individual"),
        "" | "单位" | "企业" | "机构" | "organisation" => Ok("organisation"),
        "个人" | "individual" => Ok("individual"),
        _ => Err(FieldError::new(
            "kind",
            "unknown",
            text!("import.kind_unknown"),
        )),
    }
}

/// The cards of a customer file and the errors of its bad rows; a file that cannot be read is
/// the error.
pub fn cards(bytes: &[u8]) -> Result<(Vec<ImportedCard>, RowErrors), FieldErrors> {
    let table = Table::from_bytes(bytes, COLUMNS).map_err(|e| FieldErrors(vec![e]))?;
    let mut errs = RowErrors::default();
    let forms = group(&table, &mut errs);
    let mut seen_phones: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(forms.len());
    for (form, lines) in forms {
        match Archive::parse(&form) {
            Ok(archive) => {
                let card = ImportedCard { archive, lines };
                let mut dup = false;
                for (k, c) in card.archive.contacts.iter().enumerate() {
                    let line = card.lines[k];
                    if let Some(first) = seen_phones.insert(c.phone.as_str().to_owned(), line) {
                        dup = true;
                        errs.add(
                            line,
                            [FieldError::new(
                                "phone",
                                "duplicate",
                                text!("import.duplicate_in_file", line = first),
                            )],
                        );
                    }
                }
                if !dup {
                    out.push(card);
                }
            }
            Err(e) => {
                let card = ImportedCard {
                    archive: placeholder(),
                    lines,
                };
                for err in e.0 {
                    let line = card.line_of(&err.field);
                    let column = ImportedCard::column_of(&err.field);
                    errs.add(line, [err.on_row(column)]);
                }
            }
        }
    }
    Ok((out, errs))
}

/// The rows of `table` as card forms in the order their first row comes, with their lines;
/// an organisation's rows (by credit code) join its card. A bad kind is an error of its row.
fn group(table: &Table, errs: &mut RowErrors) -> Vec<(ArchiveForm, Vec<usize>)> {
    // Cards in the order their first row comes; an organisation's rows join its card.
    let mut forms: Vec<(ArchiveForm, Vec<usize>)> = Vec::new();
    let mut by_code: HashMap<String, usize> = HashMap::new();
    for row in &table.rows {
        let get = |f| table.get(row, f).to_owned();
        let code = get("credit_code").to_ascii_uppercase();
        let kind = match kind(&get("kind"), &code) {
            Ok(k) => k,
            Err(e) => {
                errs.add(row.line, [e]);
                continue;
            }
        };
        let contact = ContactFields {
            id: None,
            name: get("contact"),
            role: get("role"),
            phone: get("phone"),
            remove: false,
        };
        if kind == "organisation"
            && !code.is_empty()
            && let Some(&i) = by_code.get(&code)
        {
            forms[i].0.contacts.push(contact);
            forms[i].1.push(row.line);
            continue;
        }
        if kind == "organisation" && !code.is_empty() {
            by_code.insert(code.clone(), forms.len());
        }
        forms.push((
            ArchiveForm {
                kind: kind.to_owned(),
                name: get("name"),
                address: get("address"),
                credit_code: code,
                contacts: vec![contact],
            },
            vec![row.line],
        ));
    }
    forms
}

/// A card that only carries lines (for naming the rows of a card that did not parse).
fn placeholder() -> Archive {
    Archive {
        kind: super::CustomerKind::Individual,
        name: String::new(),
        address: String::new(),
        credit_code: None,
        contacts: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organisations_rows_become_one_card_with_its_contacts() {
        let csv = "客户类型,客户名称,统一社会信用代码,联系人,职务/部门,电话,地址\n\
                   单位,福州仁和医院,91350100M000100Y43,陈工,设备科,0591-87654321,福州市\n\
                   个人,李娜,,,,13812345678,\n\
                   ,福州仁和医院,91350100m000100y43,林女士,采购部,13905910001,\n";
        let (cards, errs) = cards(csv.as_bytes()).unwrap();
        assert!(errs.is_empty());
        assert_eq!(cards.len(), 2);
        assert_eq!(cards[0].archive.contacts.len(), 2);
        assert_eq!(cards[0].lines, [2, 4]);
        assert_eq!(cards[0].line_of("contact[2].phone"), 4);
        assert_eq!(cards[1].archive.contacts[0].name, "李娜");
    }

    #[test]
    fn bad_rows_are_named_by_line_and_column() {
        let csv = "客户名称,统一社会信用代码,电话\n\
                   甲公司,91350100M000100Y44,0591-87654321\n\
                   李娜,,1381234\n\
                   王芳,,13812345678\n\
                   赵磊,,13812345678\n";
        let (cards, errs) = cards(csv.as_bytes()).unwrap();
        assert_eq!(cards.len(), 1, "only 王芳 is right");
        let e = errs.into_result().unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(
            fields,
            ["row[2].credit_code", "row[3].phone", "row[5].phone"]
        );
    }
}
