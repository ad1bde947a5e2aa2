//! A customer's archive card as staff create and edit it: who the customer is (a person or
//! an organisation, named once by its 统一社会信用代码) and their contacts — each a person with
//! a phone of their own; the first contact's phone is the customer's main phone.

use std::collections::HashMap;

use super::CustomerKind;
use crate::contact::{CreditCode, Phone};
use crate::text::Text;
use crate::user::parse_label;
use crate::{FieldError, FieldErrors, text};

/// The longest contact name and role kept.
pub const CONTACT_NAME_MAX: usize = 30;
pub const CONTACT_ROLE_MAX: usize = 20;
/// The most contacts one customer keeps (a form row each).
pub const CONTACTS_MAX: usize = 20;
const ADDRESS_MAX: usize = 200;

/// The card as typed.
#[derive(Debug, Clone, Default)]
pub struct ArchiveForm {
    /// `individual` or `organisation`.
    pub kind: String,
    pub name: String,
    pub address: String,
    pub credit_code: String,
    /// The contact rows in the form's order (blank and removed rows included).
    pub contacts: Vec<ContactFields>,
}

/// One contact row of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFields {
    /// The stored contact this row edits (none: a new contact).
    pub id: Option<i64>,
    pub name: String,
    pub role: String,
    pub phone: String,
    /// The row's remove box is ticked.
    pub remove: bool,
}

impl ContactFields {
    /// A new row nothing was typed into (the form's spare row).
    pub fn is_blank(&self) -> bool {
        self.id.is_none()
            && self.name.trim().is_empty()
            && self.role.trim().is_empty()
            && self.phone.trim().is_empty()
    }
}

/// A checked card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    pub kind: CustomerKind,
    pub name: String,
    pub address: String,
    pub credit_code: Option<CreditCode>,
    /// At least one; the first is the main contact.
    pub contacts: Vec<Contact>,
}

/// A checked contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: Option<i64>,
    /// The form row it came from, counted from 1 (an error found later names it).
    pub row: usize,
    pub name: String,
    pub role: String,
    pub phone: Phone,
}

impl Archive {
    /// The main phone: the first contact's.
    pub fn phone(&self) -> &Phone {
        &self.contacts[0].phone
    }

    /// Check every field of the form, naming each bad one; a contact's field is named by its
    /// row as the form shows it, counted from 1 (`contact[2].phone`).
    pub fn parse(f: &ArchiveForm) -> Result<Archive, FieldErrors> {
        let mut errs = FieldErrors::default();
        let kind =
            match f.kind.trim() {
                "" => Some(CustomerKind::Individual),
                k => errs.check(k.parse::<CustomerKind>().map_err(|_| {
                    FieldError::new("kind", "unknown", text!("customer.kind_unknown"))
                })),
            };
        let name = errs.check(parse_label(
            &f.name,
            "name",
            text!("label.customer_name"),
            60,
        ));
        let address = errs.check(optional_text(
            &f.address,
            "address",
            text!("label.address"),
            ADDRESS_MAX,
        ));
        let typed_code = f.credit_code.trim();
        let credit_code = if typed_code.is_empty() {
            if kind == Some(CustomerKind::Organisation) {
                errs.push(FieldError::new(
                    "credit_code",
                    "required",
                    text!("customer.credit_code_required"),
                ));
            }
            None
        } else {
            errs.check(CreditCode::parse(typed_code).map_err(|e| e.on("credit_code")))
        };
        let mut contacts = contacts(&f.contacts, &mut errs);
        // A person's own phone: its contact is the person, unless named otherwise.
        if kind == Some(CustomerKind::Individual)
            && let (Some(name), Some(first)) = (&name, contacts.first_mut())
            && first.name.is_empty()
        {
            first.name.clone_from(name);
        }
        errs.into_result()?;
        match (kind, name, address) {
            (Some(kind), Some(name), Some(address)) => Ok(Archive {
                kind,
                name,
                address,
                credit_code,
                contacts,
            }),
            _ => unreachable!("every missing field pushed an error"),
        }
    }
}

/// The rows kept (neither blank nor removed), checked; at least one must have a phone.
fn contacts(rows: &[ContactFields], errs: &mut FieldErrors) -> Vec<Contact> {
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut ids = std::collections::HashSet::new();
    let mut first_row = None;
    for (i, row) in rows.iter().enumerate() {
        if row.remove || row.is_blank() {
            continue;
        }
        let n = i + 1;
        first_row.get_or_insert(n);
        let field = |f: &str| format!("contact[{n}].{f}");
        // Each stored contact is edited by one row (a form sent twice over is not).
        if let Some(id) = row.id
            && !ids.insert(id)
        {
            errs.push(FieldError::at(
                field("phone"),
                "duplicate",
                text!("customer.contact_row_twice"),
            ));
            continue;
        }
        if out.len() == CONTACTS_MAX {
            errs.push(FieldError::at(
                field("phone"),
                "too_many",
                text!("customer.contacts_too_many", max = CONTACTS_MAX),
            ));
            break;
        }
        let name = optional_text(&row.name, "", text!("label.contact_name"), CONTACT_NAME_MAX)
            .map_err(|e| e.on_row(field("name")));
        let role = optional_text(&row.role, "", text!("label.contact_role"), CONTACT_ROLE_MAX)
            .map_err(|e| e.on_row(field("role")));
        let phone = Phone::parse(&row.phone).map_err(|e| e.on_row(field("phone")));
        let phone = phone.and_then(|p| match seen.get(p.as_str()) {
            Some(&earlier) => Err(FieldError::at(
                field("phone"),
                "duplicate",
                text!("customer.contact_phone_twice", row = earlier),
            )),
            None => {
                seen.insert(p.as_str().to_owned(), n);
                Ok(p)
            }
        });
        if let (Some(name), Some(role), Some(phone)) =
            (errs.check(name), errs.check(role), errs.check(phone))
        {
            out.push(Contact {
                id: row.id,
                row: n,
                name,
                role,
                phone,
            });
        }
    }
    if first_row.is_none() {
        errs.push(FieldError::at(
            "contact[1].phone".to_owned(),
            "required",
            text!("customer.contact_required"),
        ));
    }
    out
}

/// A text that may be empty, trimmed, at most `max` characters and without control characters.
pub fn optional_text(
    raw: &str,
    field: &'static str,
    what: Text,
    max: usize,
) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    parse_label(s, field, what, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, phone: &str) -> ContactFields {
        ContactFields {
            name: name.into(),
            phone: phone.into(),
            ..Default::default()
        }
    }

    fn org(contacts: Vec<ContactFields>) -> ArchiveForm {
        ArchiveForm {
            kind: "organisation".into(),
            name: "福州仁和医院".into(),
            address: "福州市鼓楼区".into(),
            credit_code: "91350100M000100Y43".into(),
            contacts,
        }
    }

    fn fields(e: &FieldErrors) -> Vec<&str> {
        e.0.iter().map(|e| e.field.as_ref()).collect()
    }

    #[test]
    fn an_organisation_keeps_several_contacts_the_first_is_the_main_phone() {
        let mut rows = vec![
            row("设备科 陈工", "0591-87654321"),
            row("采购 林女士", "13905910001"),
        ];
        rows.push(ContactFields::default());
        let a = Archive::parse(&org(rows)).unwrap();
        assert_eq!(a.contacts.len(), 2);
        assert_eq!(a.phone().as_str(), "059187654321");
        assert_eq!(a.credit_code.unwrap().as_str(), "91350100M000100Y43");
    }

    #[test]
    fn each_bad_contact_field_is_named_by_its_row() {
        let rows = vec![
            row("陈工", "13905910001"),
            ContactFields::default(),
            row("林女士", "139 0591 0001"),
            row("", "12"),
        ];
        let e = Archive::parse(&org(rows)).unwrap_err();
        assert_eq!(fields(&e), ["contact[3].phone", "contact[4].phone"]);
        assert_eq!(e.0[0].code, "duplicate");
    }

    #[test]
    fn a_card_needs_a_phone_and_an_organisation_its_credit_code() {
        let mut f = org(vec![ContactFields {
            id: Some(4),
            phone: "13905910001".into(),
            remove: true,
            ..Default::default()
        }]);
        f.credit_code = String::new();
        let e = Archive::parse(&f).unwrap_err();
        assert_eq!(fields(&e), ["credit_code", "contact[1].phone"]);
        f.kind = "individual".into();
        f.contacts[0].remove = false;
        assert!(Archive::parse(&f).is_ok());
    }

    #[test]
    fn an_unknown_kind_and_a_long_role_are_refused() {
        let mut f = org(vec![ContactFields {
            role: "很长".repeat(11),
            phone: "13905910001".into(),
            ..Default::default()
        }]);
        f.kind = "company".into();
        let e = Archive::parse(&f).unwrap_err();
        assert_eq!(fields(&e), ["kind", "contact[1].role"]);
    }
}
