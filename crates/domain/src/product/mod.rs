//! Products and the units sold of them (DESIGN "Products, sales and devices").
//!
//! A product is a catalogue entry: model, name, how its units are tracked and how long their
//! warranty runs. A [`unit`] is one sold item (or one batch of them) with the dates its
//! windows and warranty run from and the policy version in force at the sale.

pub mod import;
pub mod unit;

use crate::code_enum;
use crate::customer::archive::optional_text;
use crate::user::parse_label;
use crate::{FieldError, FieldErrors, text};

code_enum! {
    /// How the units of a product are told apart.
    Tracking, "tracking", "追溯方式", "tracking" {
        Serial = "serial", "按序列号", "By serial number";
        Batch = "batch", "按批次", "By batch";
    }
}

/// The longest warranty a product may carry, in months (ten years).
pub const MAX_WARRANTY_MONTHS: u32 = 120;

/// A product as typed in (form or API): every field as text.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProductForm {
    pub model: String,
    pub name: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub brand: String,
    #[serde(default)]
    pub manufacturer: String,
    #[serde(default)]
    pub specification: String,
    /// Yuan, `1299.00`; empty when not priced.
    #[serde(default)]
    pub price: String,
    pub warranty_months: String,
    pub tracking: String,
    #[serde(default)]
    pub installation_required: bool,
    #[serde(default)]
    pub supplier_repairs: bool,
    /// The main parts with a warranty of their own (压缩机), and its months.
    #[serde(default)]
    pub main_parts: String,
    #[serde(default)]
    pub main_parts_months: String,
}

/// A checked product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub model: String,
    pub name: String,
    pub category: String,
    pub brand: String,
    pub manufacturer: String,
    pub specification: String,
    pub price_fen: Option<i64>,
    pub warranty_months: u32,
    pub tracking: Tracking,
    pub installation_required: bool,
    /// The supplier's quality agreement covers this product's repairs (seed 二.3: 供货方的维修
    /// 条款): what its repairs cost is claimed back from the supplier, and only then may a
    /// cost be charged to the supplier.
    pub supplier_repairs: bool,
    /// Main parts warranted longer than the whole unit (an air conditioner's compressor):
    /// what they are and their months, counted like the unit's warranty.
    pub main_parts: Option<MainParts>,
}

/// Main parts with a warranty of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MainParts {
    pub parts: String,
    pub months: u32,
}

impl Product {
    /// Check every field of `f`, reporting all that are wrong at once.
    pub fn parse(f: &ProductForm) -> Result<Product, FieldErrors> {
        let mut errs = FieldErrors::default();
        let model = errs.check(parse_model(&f.model));
        let name = errs.check(parse_label(
            &f.name,
            "name",
            text!("label.product_name"),
            80,
        ));
        let category = errs.check(optional(&f.category, "category", "label.category", 40));
        let brand = errs.check(optional(&f.brand, "brand", "label.brand", 40));
        let manufacturer = errs.check(optional(
            &f.manufacturer,
            "manufacturer",
            "label.manufacturer",
            80,
        ));
        let specification = errs.check(optional(
            &f.specification,
            "specification",
            "label.specification",
            120,
        ));
        let price_fen = errs.check(parse_price(&f.price));
        let warranty_months = errs.check(parse_warranty_months(&f.warranty_months));
        let tracking = errs.check(f.tracking.trim().parse::<Tracking>());
        let main_parts = errs.check(parse_main_parts(f, warranty_months)).flatten();
        errs.into_result()?;
        Ok(Product {
            model: model.unwrap_or_default(),
            name: name.unwrap_or_default(),
            category: category.unwrap_or_default(),
            brand: brand.unwrap_or_default(),
            manufacturer: manufacturer.unwrap_or_default(),
            specification: specification.unwrap_or_default(),
            price_fen: price_fen.flatten(),
            warranty_months: warranty_months.unwrap_or_default(),
            tracking: tracking.unwrap_or(Tracking::Serial),
            installation_required: f.installation_required,
            supplier_repairs: f.supplier_repairs,
            main_parts,
        })
    }
}

/// A model number: letters, digits and `-_./` only, at most 64, compared as typed.
pub fn parse_model(raw: &str) -> Result<String, FieldError> {
    let s = parse_label(raw, "model", text!("label.model"), 64)?;
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        return Err(FieldError::new(
            "model",
            "invalid",
            text!("product.model_chars"),
        ));
    }
    Ok(s)
}

fn optional(
    raw: &str,
    field: &'static str,
    what: &'static str,
    max: usize,
) -> Result<String, FieldError> {
    optional_text(raw, field, crate::Text::new(what), max)
}

/// Warranty months: a whole number from 0 (no warranty) to [`MAX_WARRANTY_MONTHS`].
pub fn parse_warranty_months(raw: &str) -> Result<u32, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(
            "warranty_months",
            "required",
            text!("field.required", what = text!("label.warranty_months")),
        ));
    }
    match s.parse::<u32>() {
        Ok(n) if n <= MAX_WARRANTY_MONTHS => Ok(n),
        _ => Err(FieldError::new(
            "warranty_months",
            "range",
            text!("product.warranty_range", max = MAX_WARRANTY_MONTHS),
        )),
    }
}

/// The main parts' warranty: both the parts and the months, or neither; the months no
/// shorter than the whole unit's (`unit_months`, when it parsed).
fn parse_main_parts(
    f: &ProductForm,
    unit_months: Option<u32>,
) -> Result<Option<MainParts>, FieldError> {
    let parts = optional(&f.main_parts, "main_parts", "label.main_parts", 40)?;
    let raw = f.main_parts_months.trim();
    match (parts.is_empty(), raw.is_empty()) {
        (true, true) => return Ok(None),
        (false, true) => {
            return Err(FieldError::new(
                "main_parts_months",
                "required",
                text!("field.required", what = text!("label.main_parts_months")),
            ));
        }
        (true, false) => {
            return Err(FieldError::new(
                "main_parts",
                "required",
                text!("field.required", what = text!("label.main_parts")),
            ));
        }
        (false, false) => {}
    }
    let months = parse_warranty_months(raw).map_err(|e| e.on("main_parts_months"))?;
    if unit_months.is_some_and(|u| months <= u) {
        return Err(FieldError::new(
            "main_parts_months",
            "not_longer",
            text!("product.main_parts_not_longer"),
        ));
    }
    Ok(Some(MainParts { parts, months }))
}

/// A price in yuan with at most two decimals (`1299`, `1299.5`, `1299.50`) as fen; empty is
/// none. Never a float: `0.1 + 0.2` yuan is 30 fen.
pub fn parse_price(raw: &str) -> Result<Option<i64>, FieldError> {
    let s = raw.trim().trim_start_matches('¥');
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || FieldError::new("price", "invalid", text!("product.price_format"));
    let (yuan, fen) = s.split_once('.').unwrap_or((s, ""));
    if yuan.is_empty()
        || yuan.len() > 10
        || fen.len() > 2
        || !yuan.bytes().all(|b| b.is_ascii_digit())
        || !fen.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let yuan: i64 = yuan.parse().map_err(|_| bad())?;
    let fen: i64 = format!("{fen:0<2}").parse().map_err(|_| bad())?;
    Ok(Some(yuan * 100 + fen))
}

/// Fen as yuan with two decimals: `129950` → `1299.50`.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ProductForm {
        ProductForm {
            model: "KF-35GW".into(),
            name: "壁挂式空调".into(),
            warranty_months: "36".into(),
            tracking: "serial".into(),
            price: "2999.5".into(),
            ..ProductForm::default()
        }
    }

    #[test]
    fn main_parts_take_both_fields_and_a_longer_warranty() {
        let with = |parts: &str, months: &str| ProductForm {
            main_parts: parts.into(),
            main_parts_months: months.into(),
            ..form()
        };
        let p = Product::parse(&with("压缩机", "72")).unwrap();
        assert_eq!(
            p.main_parts,
            Some(MainParts {
                parts: "压缩机".into(),
                months: 72
            })
        );
        assert_eq!(Product::parse(&form()).unwrap().main_parts, None);
        let field = |f: ProductForm| Product::parse(&f).unwrap_err().0[0].field.clone();
        assert_eq!(field(with("压缩机", "")), "main_parts_months");
        assert_eq!(field(with("", "72")), "main_parts");
        // Not longer than the unit's 36 months: nothing of its own.
        assert_eq!(field(with("压缩机", "36")), "main_parts_months");
        assert_eq!(field(with("压缩机", "x")), "main_parts_months");
    }

    #[test]
    fn a_product_is_checked_field_by_field() {
        let p = Product::parse(&form()).unwrap();
        assert_eq!(p.price_fen, Some(299_950));
        assert_eq!(p.warranty_months, 36);
        assert_eq!(p.tracking, Tracking::Serial);
        let bad = ProductForm {
            model: "KF 35".into(),
            name: String::new(),
            warranty_months: "121".into(),
            tracking: "lot".into(),
            price: "1.234".into(),
            ..ProductForm::default()
        };
        let errs = Product::parse(&bad).unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(
            fields,
            ["model", "name", "price", "warranty_months", "tracking"]
        );
    }

    #[test]
    fn prices_are_whole_fen() {
        assert_eq!(parse_price("").unwrap(), None);
        assert_eq!(parse_price("¥12").unwrap(), Some(1200));
        assert_eq!(parse_price("0.05").unwrap(), Some(5));
        assert!(parse_price("-1").is_err());
        assert!(parse_price("1e3").is_err());
        assert_eq!(yuan(129_950), "1299.50");
    }
}
