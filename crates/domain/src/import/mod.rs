//! Importing a table — an Excel or WPS workbook's first sheet, or CSV decoded from UTF-8
//! (with or without its byte-order mark) or GB18030 as Chinese Windows writes it — its columns
//! found by their Chinese or English headers, and every bad cell reported by its row, so a
//! file is taken whole or not at all.

pub(crate) mod sheet;

use std::collections::HashMap;

use crate::{FieldError, FieldErrors, text};

/// The most rows one file may hold.
pub const MAX_ROWS: usize = 2_000_000;

/// At most this many row errors are reported (the count says how many there were).
pub const MAX_ERRORS: usize = 200;

/// A file's text: UTF-8 (a byte-order mark is dropped), else GB18030. Text that is neither
/// is refused rather than read with replacement characters.
pub fn decode(bytes: &[u8]) -> Result<String, FieldError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(FieldError::new(
            "file",
            "encoding",
            text!("import.encoding"),
        ));
    }
    Ok(text.into_owned())
}

/// A column an import reads: its field name and the headers that name it.
pub struct Column {
    pub field: &'static str,
    pub headers: &'static [&'static str],
    pub required: bool,
}

/// A decoded table: which column holds which field, and its rows with their line numbers
/// (the header is line 1).
#[derive(Debug)]
pub struct Table {
    index: HashMap<&'static str, usize>,
    pub rows: Vec<Row>,
}

/// One row of a table: its line in the file and its cells.
#[derive(Debug)]
pub struct Row {
    pub line: usize,
    cells: Vec<String>,
}

impl Table {
    /// Read a file: a spreadsheet's first sheet, else CSV text ([`decode`]d) whose first line
    /// names the columns.
    pub fn from_bytes(bytes: &[u8], columns: &[Column]) -> Result<Table, FieldError> {
        if sheet::is_spreadsheet(bytes) {
            let mut lines = sheet::lines(bytes)?.into_iter();
            let Some((_, headers)) = lines.next() else {
                return Err(FieldError::new("file", "empty", text!("import.empty")));
            };
            return Table::build(&headers, lines.map(Ok), columns);
        }
        Table::read(&decode(bytes)?, columns)
    }

    /// Read `text` as CSV whose first line names the columns. A missing required column, an
    /// empty file or more than [`MAX_ROWS`] rows is an error on `file`.
    pub fn read(text: &str, columns: &[Column]) -> Result<Table, FieldError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|_| bad_file())?
            .iter()
            .map(str::to_owned)
            .collect();
        let records = reader.into_records().enumerate().map(|(k, record)| {
            let record = record.map_err(|_| bad_file())?;
            Ok((k + 2, record.iter().map(str::to_owned).collect()))
        });
        Table::build(&headers, records, columns)
    }

    /// The table of `headers` and the `lines` under them (each with its line number).
    fn build(
        headers: &[String],
        lines: impl Iterator<Item = Result<(usize, Vec<String>), FieldError>>,
        columns: &[Column],
    ) -> Result<Table, FieldError> {
        let headers: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
        let mut index = HashMap::new();
        for c in columns {
            let at = headers
                .iter()
                .position(|h| c.headers.iter().any(|name| normalise_header(name) == *h));
            match at {
                Some(i) => {
                    index.insert(c.field, i);
                }
                None if c.required => {
                    return Err(FieldError::new(
                        "file",
                        "missing_column",
                        text!("import.missing_column", column = c.headers[0]),
                    ));
                }
                None => {}
            }
        }
        let mut rows = Vec::new();
        for line in lines {
            let (line, cells) = line?;
            if cells.iter().all(String::is_empty) {
                continue;
            }
            if rows.len() == MAX_ROWS {
                return Err(FieldError::new(
                    "file",
                    "too_many_rows",
                    text!("import.too_many_rows", max = MAX_ROWS),
                ));
            }
            rows.push(Row { line, cells });
        }
        if rows.is_empty() {
            return Err(FieldError::new("file", "empty", text!("import.empty")));
        }
        Ok(Table { index, rows })
    }

    /// The cell of `field` in `row` (empty when the column is absent or the row short).
    pub fn get<'a>(&self, row: &'a Row, field: &str) -> &'a str {
        self.index
            .get(field)
            .and_then(|&i| row.cells.get(i))
            .map_or("", String::as_str)
    }
}

fn bad_file() -> FieldError {
    FieldError::new("file", "unreadable", text!("import.unreadable"))
}

/// A header as compared: without spaces, full-width brackets as ASCII, lower-case.
fn normalise_header(h: &str) -> String {
    h.chars()
        .filter(|c| !c.is_whitespace() && *c != '*')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// A date as spreadsheets write it (`2026/2/13`, `2026.2.13`, `2026-02-13`) in the form the
/// parsers read (`2026-02-13`); anything else is passed on to be refused there.
pub fn normalise_date(cell: &str) -> String {
    let parts: Vec<&str> = cell.split(['/', '.', '-']).collect();
    match parts.as_slice() {
        [y, m, d]
            if y.len() == 4
                && [y, m, d]
                    .iter()
                    .all(|p| p.bytes().all(|b| b.is_ascii_digit())) =>
        {
            format!("{y}-{m:0>2}-{d:0>2}")
        }
        _ => cell.to_owned(),
    }
}

/// A yes/no cell: 是/否, yes/no, y/n, 1/0, true/false; empty is no.
pub fn yes_no(cell: &str) -> Option<bool> {
    match cell.trim().to_ascii_lowercase().as_str() {
        "" | "否" | "no" | "n" | "0" | "false" | "不需要" => Some(false),
        "是" | "yes" | "y" | "1" | "true" | "需要" => Some(true),
        _ => None,
    }
}

/// Gathers the errors of an import's rows, each on `row[line].field`, up to [`MAX_ERRORS`];
/// they are listed by line, whichever check found them.
#[derive(Debug, Default)]
pub struct RowErrors {
    errs: Vec<(usize, FieldError)>,
    total: usize,
}

impl RowErrors {
    /// Record `errors` of the row at `line`.
    pub fn add(&mut self, line: usize, errors: impl IntoIterator<Item = FieldError>) {
        for e in errors {
            self.total += 1;
            if self.errs.len() < MAX_ERRORS {
                let field = format!("row[{line}].{}", e.field);
                self.errs.push((line, e.on_row(field)));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The errors by line, with one more naming how many were not listed when there were
    /// too many.
    pub fn into_result(mut self) -> Result<(), FieldErrors> {
        self.errs.sort_by_key(|(line, _)| *line);
        let listed = self.errs.len();
        let mut out = FieldErrors(self.errs.into_iter().map(|(_, e)| e).collect());
        if self.total > listed {
            out.push(FieldError::new(
                "file",
                "more_errors",
                text!("import.more_errors", n = self.total - listed),
            ));
        }
        out.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column {
            field: "model",
            headers: &["型号", "model"],
            required: true,
        },
        Column {
            field: "name",
            headers: &["产品名称", "name"],
            required: false,
        },
    ];

    #[test]
    fn gb18030_and_utf8_files_read_the_same() {
        let text = "型号,产品名称\nKF-35GW,壁挂式空调\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        assert_ne!(&gb[..], text.as_bytes());
        assert_eq!(decode(&gb).unwrap(), text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom).unwrap(), text);
        assert_eq!(decode(b"\x81\x20\xff").unwrap_err().code, "encoding");
    }

    #[test]
    fn columns_are_found_by_either_header_and_rows_keep_their_line() {
        let t = Table::read(" Model ,产品名称\nA1,甲\n,\nB2\n", COLUMNS).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!((t.rows[1].line, t.get(&t.rows[1], "model")), (4, "B2"));
        assert_eq!(t.get(&t.rows[1], "name"), "");
        let missing = Table::read("产品名称\n甲\n", COLUMNS).unwrap_err();
        assert_eq!(missing.code, "missing_column");
        assert!(missing.message.to_string().contains("型号"));
        assert_eq!(Table::read("型号\n", COLUMNS).unwrap_err().code, "empty");
    }

    #[test]
    fn a_workbook_reads_like_its_csv_with_the_sheet_lines() {
        let book = sheet::tests::xlsx(&[&["型号", "产品名称"], &["A1", "甲"], &[], &["B2"]]);
        let t = Table::from_bytes(&book, COLUMNS).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!((t.rows[1].line, t.get(&t.rows[1], "model")), (4, "B2"));
        let csv = Table::from_bytes("型号,产品名称\nA1,甲\n".as_bytes(), COLUMNS).unwrap();
        assert_eq!(csv.get(&csv.rows[0], "name"), "甲");
        let headless = sheet::tests::xlsx(&[&["产品名称"], &["甲"]]);
        let e = Table::from_bytes(&headless, COLUMNS).unwrap_err();
        assert_eq!(e.code, "missing_column");
    }

    #[test]
    fn spreadsheet_dates_and_yes_no() {
        assert_eq!(normalise_date("2026/2/13"), "2026-02-13");
        assert_eq!(normalise_date("2026-02-13"), "2026-02-13");
        assert_eq!(normalise_date("13/2/2026"), "13/2/2026");
        assert_eq!(yes_no("是"), Some(true));
        assert_eq!(yes_no(""), Some(false));
        assert_eq!(yes_no("也许"), None);
    }

    #[test]
    fn row_errors_name_the_line_and_stop_listing_at_the_cap() {
        let mut errs = RowErrors::default();
        for line in 2..(MAX_ERRORS + 12) {
            errs.add(
                line,
                [FieldError::new("model", "required", text!("import.empty"))],
            );
        }
        let e = errs.into_result().unwrap_err();
        assert_eq!(e.0[0].field, "row[2].model");
        assert_eq!(e.0.len(), MAX_ERRORS + 1);
        assert_eq!(e.0[MAX_ERRORS].code, "more_errors");
    }
}
