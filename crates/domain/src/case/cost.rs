//! A case's cost ledger (费用台账): freight, handling, repair and parts of a return or a
//! repair, in fen, with who pays. The policy names the costs the company bears (the seed's 费用
//! clause: 退换货的运费和手续费、维修的运输费用和维修费用由商家承担): those are never charged to the
//! customer.

use serde::Serialize;

use crate::policy::Policy;
use crate::product::parse_price;
use crate::{FieldError, FieldErrors, code_enum, text};

code_enum! {
    /// What a cost is for.
    CostKind, "cost_kind", "费用类别", "cost type" {
        Freight = "freight", "运费", "Freight";
        Handling = "handling", "手续费", "Handling";
        Repair = "repair", "维修费", "Repair";
        Parts = "parts", "配件费", "Parts";
    }
}

code_enum! {
    /// Who bears a cost.
    Payer, "payer", "承担方", "paid by" {
        Company = "company", "本公司", "The company";
        Customer = "customer", "客户", "The customer";
        Supplier = "supplier", "供货方（索赔）", "The supplier (claimed)";
    }
}

/// A cost as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CostForm {
    pub kind: String,
    /// Yuan, as people write it.
    pub amount: String,
    pub payer: String,
    pub note: String,
}

/// What a case knows that decides who may bear a cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct CostTerms {
    /// The customer accepted a quote for a repair outside the warranty, whose repair and
    /// parts they then pay whatever the policy says of warranty repairs.
    pub quote_accepted: bool,
    /// The case's product is covered by its supplier's repair terms
    /// ([`crate::product::Product::supplier_repairs`]).
    pub supplier_repairs: bool,
}

/// A checked cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCost {
    pub kind: CostKind,
    pub amount_fen: i64,
    pub payer: Payer,
    pub note: String,
}

impl NewCost {
    /// Check a cost under `policy`: a known kind and payer, more than 0 yuan, not charged to
    /// the customer when the policy says the company bears it, and charged to the supplier
    /// only when its agreement covers the product.
    pub fn parse(f: &CostForm, policy: &Policy, terms: CostTerms) -> Result<NewCost, FieldErrors> {
        let mut errs = FieldErrors::default();
        let kind = errs.check(crate::case::required::<CostKind>(
            &f.kind,
            "kind",
            "cost.kind",
        ));
        let payer = errs.check(crate::case::required::<Payer>(
            &f.payer,
            "payer",
            "cost.payer",
        ));
        let amount = errs.check(
            parse_price(&f.amount)
                .map_err(|e| e.on("amount"))
                .and_then(|a| {
                    a.filter(|fen| *fen > 0)
                        .ok_or_else(|| FieldError::new("amount", "required", text!("cost.amount")))
                }),
        );
        let note = errs.check(crate::case::parse_text(&f.note, "note"));
        if let (Some(k), Some(Payer::Customer)) = (kind, payer)
            && policy.merchant_pays.iter().any(|c| c == k.code())
            && !(terms.quote_accepted && matches!(k, CostKind::Repair | CostKind::Parts))
        {
            errs.push(FieldError::new(
                "payer",
                "company_pays",
                text!(
                    "cost.company_pays",
                    kind = k.arg(),
                    policy = policy.title.clone()
                ),
            ));
        }
        if payer == Some(Payer::Supplier) && !terms.supplier_repairs {
            errs.push(FieldError::new(
                "payer",
                "no_supplier_terms",
                text!("cost.no_supplier_terms"),
            ));
        }
        errs.into_result()?;
        match (kind, amount, payer, note) {
            (Some(kind), Some(amount_fen), Some(payer), Some(note)) => Ok(NewCost {
                kind,
                amount_fen,
                payer,
                note,
            }),
            _ => Err(FieldErrors::default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: &str, amount: &str, payer: &str) -> CostForm {
        CostForm {
            kind: kind.into(),
            amount: amount.into(),
            payer: payer.into(),
            note: String::new(),
        }
    }

    const NONE: CostTerms = CostTerms {
        quote_accepted: false,
        supplier_repairs: false,
    };
    const QUOTED: CostTerms = CostTerms {
        quote_accepted: true,
        supplier_repairs: false,
    };

    #[test]
    fn the_supplier_bears_a_cost_only_under_its_repair_terms() {
        let seed = Policy::preset("seed").unwrap();
        let e = NewCost::parse(&form("parts", "120", "supplier"), &seed, NONE).unwrap_err();
        assert_eq!(
            (e.0[0].field.as_ref(), e.0[0].code),
            ("payer", "no_supplier_terms")
        );
        let covered = CostTerms {
            supplier_repairs: true,
            ..NONE
        };
        let ok = NewCost::parse(&form("parts", "120", "supplier"), &seed, covered).unwrap();
        assert_eq!((ok.payer, ok.amount_fen), (Payer::Supplier, 12_000));
    }

    #[test]
    fn under_the_seed_the_company_pays_freight_handling_and_repair() {
        let seed = Policy::preset("seed").unwrap();
        let e = NewCost::parse(&form("freight", "25", "customer"), &seed, NONE).unwrap_err();
        assert_eq!(e.0[0].field, "payer");
        assert_eq!(
            e.0[0].message.to_string(),
            "按“公司售后服务规定”，运费由本公司承担，不能向客户收取"
        );
        let ok = NewCost::parse(&form("freight", "25", "company"), &seed, NONE).unwrap();
        assert_eq!(ok.amount_fen, 2500);
        // Parts are not in the clause: a customer may pay for them.
        assert!(NewCost::parse(&form("parts", "80.5", "customer"), &seed, NONE).is_ok());
        // Out of warranty, with the customer's accepted quote, the repair is theirs.
        assert!(NewCost::parse(&form("repair", "350", "customer"), &seed, NONE).is_err());
        assert!(NewCost::parse(&form("repair", "350", "customer"), &seed, QUOTED).is_ok());
        assert!(NewCost::parse(&form("freight", "25", "customer"), &seed, QUOTED).is_err());
        let bad = NewCost::parse(&form("", "0", "nobody"), &seed, NONE).unwrap_err();
        let fields: Vec<&str> = bad.0.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["kind", "payer", "amount"]);
    }
}
