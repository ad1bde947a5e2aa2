//! Spreadsheets as Excel and WPS save them (.xlsx, .xls; .xlsb and .ods read too): the first
//! sheet becomes the same lines a CSV gives, its cells written the way a person typed them —
//! a date as `2026-02-13`, a whole number without `.0` (a phone kept as a number stays
//! `13800138000`), a yes/no cell as 是/否.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use crate::{FieldError, text};

/// The signatures of a zip container (.xlsx, .xlsb, .ods) and of an OLE compound file (.xls).
const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Whether `bytes` are a spreadsheet file rather than text.
pub(super) fn is_spreadsheet(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP) || bytes.starts_with(OLE)
}

/// The first sheet's non-empty rows, each with its line number in the sheet (1 is the top).
pub(super) fn lines(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, FieldError> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(unreadable)?
        .map_err(|_| unreadable())?;
    let top = range.start().map_or(0, |(row, _)| row as usize);
    Ok(range
        .rows()
        .enumerate()
        .map(|(k, cells)| (top + k + 1, cells.iter().map(cell).collect::<Vec<_>>()))
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .collect())
}

fn unreadable() -> FieldError {
    FieldError::new("file", "unreadable", text!("import.sheet_unreadable"))
}

/// A cell as the text a person would have typed into it.
fn cell(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTime(d) => number(d.as_f64()),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A number as typed: whole numbers (prices, months, phones) without a fraction.
fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;

    /// A minimal .xlsx holding one sheet of `rows`: strings inline, numbers as numbers, and a
    /// cell written `=date:N` as the Excel date serial N in a date format.
    pub(crate) fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
        let mut sheet = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        );
        for (r, row) in rows.iter().enumerate() {
            sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
            for (c, v) in row.iter().enumerate() {
                let at = format!("{}{}", char::from(b'A' + c as u8), r + 1);
                if let Some(serial) = v.strip_prefix("=date:") {
                    sheet.push_str(&format!(r#"<c r="{at}" s="1"><v>{serial}</v></c>"#));
                } else if !v.is_empty() && v.parse::<f64>().is_ok() {
                    sheet.push_str(&format!(r#"<c r="{at}"><v>{v}</v></c>"#));
                } else {
                    sheet.push_str(&format!(
                        r#"<c r="{at}" t="inlineStr"><is><t>{v}</t></is></c>"#
                    ));
                }
            }
            sheet.push_str("</row>");
        }
        sheet.push_str("</sheetData></worksheet>");
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.to_owned(),
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned(),
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="已售产品" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.to_owned(),
            ),
            (
                "xl/styles.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#.to_owned(),
            ),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in parts {
            zip.start_file(name, opts).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_sheet_reads_as_typed_dates_numbers_and_text() {
        // 46066 is 2026-02-13 in Excel's 1900 date system.
        let bytes = xlsx(&[
            &["序列号", "型号", "电话", "销售日期", "价格"],
            &["", "", "", "", ""],
            &["SN-1", "KF-35GW", "13800138000", "=date:46066", "2999.5"],
        ]);
        assert!(is_spreadsheet(&bytes));
        let got = lines(&bytes).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, 1);
        assert_eq!(got[1].0, 3);
        assert_eq!(
            got[1].1,
            ["SN-1", "KF-35GW", "13800138000", "2026-02-13", "2999.5"]
        );
    }

    #[test]
    fn a_broken_spreadsheet_is_refused_on_the_file() {
        let mut bytes = xlsx(&[&["型号"], &["A1"]]);
        bytes.truncate(bytes.len() / 2);
        let e = lines(&bytes).unwrap_err();
        assert_eq!((e.field.as_ref(), e.code), ("file", "unreadable"));
        assert!(!is_spreadsheet(b"model,name\n"));
    }
}
