//! Importing the catalogue and sold units from a table: each row through the same checks as
//! the form, every bad cell named by its row, and a model or serial given twice refused.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::unit::{NewUnit, UnitForm};
use super::{Product, ProductForm, Tracking};
use crate::customer::CustomerForm;
use crate::import::{Column, RowErrors, Table, normalise_date, yes_no};
use crate::policy::SaleChannel;
use crate::{FieldError, FieldErrors, text};

const fn col(field: &'static str, headers: &'static [&'static str], required: bool) -> Column {
    Column {
        field,
        headers,
        required,
    }
}

/// The catalogue's columns (the first header of each is the template's).
pub const PRODUCT_COLUMNS: &[Column] = &[
    col("model", &["型号", "model"], true),
    col("name", &["产品名称", "名称", "name"], true),
    col("category", &["品类", "类别", "category"], false),
    col("brand", &["品牌", "brand"], false),
    col("manufacturer", &["生产厂家", "厂家", "manufacturer"], false),
    col(
        "specification",
        &["规格", "规格型号", "specification"],
        false,
    ),
    col("price", &["价格（元）", "价格", "单价", "price"], false),
    col(
        "warranty_months",
        &["保修期（月）", "保修月数", "warranty_months"],
        true,
    ),
    col("tracking", &["追溯方式", "tracking"], false),
    col(
        "installation_required",
        &["需要安装", "installation_required"],
        false,
    ),
    col("main_parts", &["主要部件", "main_parts"], false),
    col(
        "main_parts_months",
        &[
            "主要部件保修期（月）",
            "主要部件保修月数",
            "main_parts_months",
        ],
        false,
    ),
    col(
        "supplier_repairs",
        &["供货方维修条款", "supplier_repairs"],
        false,
    ),
];

/// The sold units' columns.
pub const UNIT_COLUMNS: &[Column] = &[
    col("serial", &["序列号", "serial"], false),
    col("batch", &["批号", "批次", "batch"], false),
    col("quantity", &["数量", "quantity"], false),
    col("model", &["型号", "model"], true),
    col(
        "customer.name",
        &["客户", "客户名称", "客户姓名", "customer"],
        true,
    ),
    col(
        "customer.phone",
        &["电话", "客户电话", "联系电话", "phone"],
        true,
    ),
    col("sold_on", &["销售日期", "sold_on"], true),
    col("delivered_on", &["交付日期", "delivered_on"], false),
    col("installed_on", &["安装日期", "installed_on"], false),
    col("invoice_no", &["发票号", "发票号码", "invoice_no"], false),
    col("channel", &["销售渠道", "渠道", "channel"], false),
    col("customer.kind", &["客户类型", "customer_kind"], false),
];

/// A channel cell: the code or the label (门店, 网络, 网购, 电话, 邮购, 直销); empty is in store.
fn channel(cell: &str) -> String {
    let c = cell.trim();
    let found = SaleChannel::ALL.iter().find(|k| {
        c == k.code() || c == k.label_zh() || (!c.is_empty() && k.label_zh().contains(c))
    });
    match (c, found) {
        ("网购" | "线上" | "电商", _) => SaleChannel::Online.code().to_owned(),
        (_, Some(k)) => k.code().to_owned(),
        _ => c.to_owned(),
    }
}

/// A tracking cell: the code or the label, or 序列号 / 批次 alone; empty is by serial.
fn tracking(cell: &str) -> Result<&'static str, FieldError> {
    let c = cell.trim();
    if c.is_empty() {
        return Ok(Tracking::Serial.code());
    }
    Tracking::ALL
        .iter()
        .find(|t| c == t.code() || c == t.label_zh() || t.label_zh().contains(c))
        .map(|t| t.code())
        .ok_or_else(|| FieldError::new("tracking", "unknown", text!("import.tracking_unknown")))
}

/// The rows of a file that passed the checks, with their lines, and the errors of the others
/// (the caller adds what only the database knows before it decides); a file that cannot be
/// read at all is the error.
pub type Checked<T> = Result<(Vec<(usize, T)>, RowErrors), FieldErrors>;

/// Every product of a catalogue file with its line, and the errors of its bad rows.
pub fn products(bytes: &[u8]) -> Checked<Product> {
    let table = read(bytes, PRODUCT_COLUMNS)?;
    let mut errs = RowErrors::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let get = |f| table.get(row, f).to_owned();
        let mut cell_errs = Vec::new();
        // A bad cell is reported here; the form then checks the rest with a valid stand-in.
        let tracking = tracking(&get("tracking")).unwrap_or_else(|e| {
            cell_errs.push(e);
            Tracking::Serial.code()
        });
        let mut flag = |field: &'static str| {
            yes_no(&get(field)).unwrap_or_else(|| {
                cell_errs.push(FieldError::new(field, "invalid", text!("import.yes_no")));
                false
            })
        };
        let installation_required = flag("installation_required");
        let supplier_repairs = flag("supplier_repairs");
        let form = ProductForm {
            model: get("model"),
            name: get("name"),
            category: get("category"),
            brand: get("brand"),
            manufacturer: get("manufacturer"),
            specification: get("specification"),
            price: get("price"),
            warranty_months: get("warranty_months"),
            tracking: tracking.to_owned(),
            installation_required,
            supplier_repairs,
            main_parts: get("main_parts"),
            main_parts_months: get("main_parts_months"),
        };
        match Product::parse(&form) {
            Ok(p) if cell_errs.is_empty() => {
                if let Some(first) = seen.insert(p.model.clone(), row.line) {
                    errs.add(row.line, [duplicate("model", first)]);
                } else {
                    out.push((row.line, p));
                }
            }
            Ok(_) => errs.add(row.line, cell_errs),
            Err(e) => errs.add(row.line, cell_errs.into_iter().chain(e.0)),
        }
    }
    Ok((out, errs))
}

/// Every unit of a sales file with its line, and the errors of its bad rows; `today` bounds
/// the dates as on the form.
pub fn units(bytes: &[u8], today: NaiveDate) -> Checked<NewUnit> {
    let table = read(bytes, UNIT_COLUMNS)?;
    let mut errs = RowErrors::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let get = |f| table.get(row, f).to_owned();
        let form = UnitForm {
            serial: get("serial"),
            batch: get("batch"),
            quantity: get("quantity"),
            model: get("model"),
            customer: CustomerForm {
                name: get("customer.name"),
                phone: get("customer.phone"),
                kind: crate::customer::import::kind(&get("customer.kind"), "")
                    .unwrap_or("unknown")
                    .to_owned(),
                ..CustomerForm::default()
            },
            sold_on: normalise_date(&get("sold_on")),
            delivered_on: normalise_date(&get("delivered_on")),
            installed_on: normalise_date(&get("installed_on")),
            invoice_no: get("invoice_no"),
            policy: String::new(),
            channel: channel(&get("channel")),
        };
        match NewUnit::parse(&form, today) {
            Ok(u) => {
                if let Some(first) = seen.insert(u.serial.clone(), row.line) {
                    errs.add(row.line, [duplicate("serial", first)]);
                } else {
                    out.push((row.line, u));
                }
            }
            Err(e) => errs.add(row.line, e.0),
        }
    }
    Ok((out, errs))
}

fn read(bytes: &[u8], columns: &[Column]) -> Result<Table, FieldErrors> {
    Table::from_bytes(bytes, columns).map_err(|e| FieldErrors(vec![e]))
}

fn duplicate(field: &'static str, first: usize) -> FieldError {
    FieldError::new(
        field,
        "duplicate",
        text!("import.duplicate_in_file", line = first),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gb18030_catalogue_reads_as_typed() {
        let csv = "型号,产品名称,品牌,价格（元）,保修期（月）,追溯方式,需要安装\n\
                   KF-35GW,壁挂式空调,格力,2999.50,36,按序列号,是\n\
                   BT-100,血糖试纸,三诺,45,0,批次,否\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(csv);
        let (ps, errs) = products(&gb).unwrap();
        assert!(errs.is_empty());
        assert_eq!(ps.len(), 2);
        assert_eq!(
            (ps[0].1.price_fen, ps[0].1.installation_required),
            (Some(299_950), true)
        );
        assert_eq!((ps[1].0, ps[1].1.tracking), (3, Tracking::Batch));
    }

    #[test]
    fn every_bad_row_is_named_and_nothing_is_returned() {
        let csv = "型号,产品名称,保修期（月）,追溯方式\n\
                   A1,甲,12,按序列号\n\
                   A 2,,x,按箱\n\
                   A1,丙,12,\n";
        let (ok, errs) = products(csv.as_bytes()).unwrap();
        assert_eq!(ok.len(), 1, "the good first row");
        let e = errs.into_result().unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(
            fields,
            [
                "row[3].tracking",
                "row[3].model",
                "row[3].name",
                "row[3].warranty_months",
                "row[4].model"
            ]
        );
        assert!(
            e.0[4].message.to_string().contains("第 2 行"),
            "{}",
            e.0[4].message
        );
    }

    #[test]
    fn units_take_spreadsheet_dates_and_refuse_a_serial_twice() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let csv = "序列号,型号,客户,电话,销售日期,交付日期\n\
                   sn-1,KF-35GW,李娜,13812345678,2026/2/13,2026/2/14\n\
                   SN-1,KF-35GW,王芳,13912345678,2026-03-01,\n";
        let (ok, errs) = units(csv.as_bytes(), today).unwrap();
        assert_eq!(ok[0].1.dates.sold_on.to_string(), "2026-02-13");
        assert_eq!(ok[0].0, 2);
        let e = errs.into_result().unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].field, "row[3].serial");
    }

    #[test]
    fn a_workbook_of_units_reads_with_excel_dates_and_numeric_phones() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        // 46066 and 46067 are 2026-02-13 and 2026-02-14 as Excel stores dates.
        let book = crate::import::sheet::tests::xlsx(&[
            &[
                "序列号",
                "型号",
                "客户",
                "电话",
                "销售日期",
                "交付日期",
                "销售渠道",
            ],
            &[
                "SN-9",
                "KF-35GW",
                "李娜",
                "13812345678",
                "=date:46066",
                "=date:46067",
                "网购",
            ],
            &[
                "SN-10",
                "KF-35GW",
                "王芳",
                "13912345678",
                "2026/13/1",
                "",
                "",
            ],
        ]);
        let (ok, errs) = units(&book, today).unwrap();
        let (line, unit) = &ok[0];
        assert_eq!(*line, 2);
        assert_eq!(unit.dates.sold_on.to_string(), "2026-02-13");
        assert_eq!(
            unit.dates.delivered_on.map(|d| d.to_string()).as_deref(),
            Some("2026-02-14")
        );
        let e = errs.into_result().unwrap_err();
        assert_eq!(e.0[0].field, "row[3].sold_on");
    }
}
