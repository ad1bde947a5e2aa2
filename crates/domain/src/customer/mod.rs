//! Customers (客户): people and organisations, found by phone or by credit code.

use crate::contact::{CreditCode, Phone};
use crate::user::parse_label;
use crate::{FieldError, FieldErrors, code_enum, text};

pub mod archive;
pub mod import;

code_enum! {
    /// Whether a customer is a person or an organisation.
    CustomerKind, "customer.kind", "客户类型", "customer type" {
        Individual = "individual", "个人", "Individual";
        Organisation = "organisation", "单位", "Organisation";
    }
}

/// A customer as typed on an intake form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct CustomerForm {
    pub name: String,
    pub phone: String,
    /// `individual` (default) or `organisation`.
    pub kind: String,
    pub address: String,
    pub credit_code: String,
    /// For an organisation: the person on the phone (optional).
    pub contact: String,
}

/// A checked customer: whom a new case is for (found by phone, or created so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomer {
    pub kind: CustomerKind,
    pub name: String,
    pub phone: Phone,
    pub address: String,
    pub credit_code: Option<CreditCode>,
    /// The person on the phone, for an organisation (an individual is their own contact).
    pub contact: String,
}

impl NewCustomer {
    /// The name of the person the phone reaches.
    pub fn contact_name(&self) -> &str {
        match self.kind {
            CustomerKind::Individual => &self.name,
            CustomerKind::Organisation => &self.contact,
        }
    }

    /// Check every field, naming each bad one (`customer.name` …) into `errs`.
    pub fn parse(f: &CustomerForm, errs: &mut FieldErrors) -> Option<NewCustomer> {
        let name = errs.check(parse_label(
            &f.name,
            "customer.name",
            text!("label.customer_name"),
            60,
        ));
        let phone = errs.check(Phone::parse(&f.phone).map_err(|e| e.on("customer.phone")));
        let kind = match f.kind.as_str() {
            "" => Some(CustomerKind::Individual),
            k => errs.check(k.parse::<CustomerKind>().map_err(|_| {
                FieldError::new("customer.kind", "unknown", text!("customer.kind_unknown"))
            })),
        };
        let typed_code = f.credit_code.trim();
        let credit_code = if typed_code.is_empty() {
            None
        } else {
            errs.check(CreditCode::parse(typed_code).map_err(|e| e.on("customer.credit_code")))
        };
        if kind == Some(CustomerKind::Organisation) && typed_code.is_empty() {
            errs.push(FieldError::new(
                "customer.credit_code",
                "required",
                text!("customer.credit_code_required"),
            ));
        }
        let address = f.address.trim();
        let contact = errs.check(archive::optional_text(
            &f.contact,
            "customer.contact",
            text!("label.contact_name"),
            archive::CONTACT_NAME_MAX,
        ));
        Some(NewCustomer {
            contact: contact?,
            kind: kind?,
            name: name?,
            phone: phone?,
            address: address.to_owned(),
            credit_code,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: &str, code: &str) -> CustomerForm {
        CustomerForm {
            name: "百盛商贸有限公司".into(),
            phone: "021-62345678".into(),
            kind: kind.into(),
            address: String::new(),
            credit_code: code.into(),
            contact: "采购部 王经理".into(),
        }
    }

    #[test]
    fn an_organisation_needs_a_valid_credit_code() {
        let mut errs = FieldErrors::default();
        assert!(NewCustomer::parse(&form("organisation", ""), &mut errs).is_some());
        assert_eq!(errs.0[0].field, "customer.credit_code");
        let mut errs = FieldErrors::default();
        let c = NewCustomer::parse(&form("organisation", "91350100M000100Y43"), &mut errs);
        assert!(errs.is_empty());
        assert_eq!(c.unwrap().kind, CustomerKind::Organisation);
        let mut errs = FieldErrors::default();
        assert!(NewCustomer::parse(&form("company", ""), &mut errs).is_none());
        assert_eq!(errs.0[0].field, "customer.kind");
    }
}
