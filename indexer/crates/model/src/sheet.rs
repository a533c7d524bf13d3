//! Spreadsheets saved as CSV — the roster, local grant registers — read the
//! same way: a header row, cells trimmed, every problem located by line and
//! column (never quoting the cell: it may be personal data), a bad row
//! skipped and the rest kept, and a cell that a spreadsheet would run as a
//! formula refused.

use std::collections::HashMap;
use std::fmt;

/// A problem with one cell or row, located for the person fixing the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetIssue {
    /// 1-based line in the file.
    pub line: u64,
    /// 1-based column, when one cell is at fault.
    pub column: Option<usize>,
    /// Column name, when one cell is at fault.
    pub column_name: Option<String>,
    /// What is wrong (never the cell's content: it may be personal data).
    pub message: String,
}

impl fmt::Display for SheetIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.column, &self.column_name) {
            (Some(column), Some(name)) => {
                write!(
                    f,
                    "line {}, column {column} ({name}): {}",
                    self.line, self.message
                )
            }
            _ => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// A CSV file read whole: its header (lower-cased) and rows with their lines.
#[derive(Debug)]
pub struct Sheet {
    /// Column names as in the header, trimmed and lower-cased.
    pub header: Vec<String>,
    columns: HashMap<String, usize>,
    rows: Vec<(u64, csv::ByteRecord)>,
    /// Rows the CSV reader could not read at all.
    pub unreadable: Vec<SheetIssue>,
}

impl Sheet {
    /// Reads `bytes` (a UTF-8 BOM and CRLF endings allowed); a file without a
    /// header, or without one of `required`, is an error (the sentence says which).
    pub fn read(bytes: &[u8], required: &[&str]) -> Result<Self, String> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        // The csv reader counts a CRLF row's line late; LF endings keep line numbers exact.
        let bytes = crlf_to_lf(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(bytes.as_slice());
        let header: Vec<String> = reader
            .byte_headers()
            .map_err(|error| format!("line 1: {error}"))?
            .iter()
            .map(|cell| String::from_utf8_lossy(cell).trim().to_lowercase())
            .collect();
        for column in required {
            if !header.iter().any(|name| name == column) {
                return Err(format!(
                    "line 1: the header has no {column:?} column (need {})",
                    required.join(", ")
                ));
            }
        }
        let columns = header
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), i))
            .collect();
        let mut rows = Vec::new();
        let mut unreadable = Vec::new();
        let mut row = csv::ByteRecord::new();
        loop {
            let line = reader.position().line();
            match reader.read_byte_record(&mut row) {
                Ok(false) => break,
                Ok(true) => {}
                Err(error) => {
                    unreadable.push(SheetIssue {
                        line,
                        column: None,
                        column_name: None,
                        message: format!("unreadable row: {error}"),
                    });
                    continue;
                }
            }
            let line = row.position().map_or(line, |p| p.line());
            if row
                .iter()
                .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            rows.push((line, row.clone()));
        }
        Ok(Sheet {
            header,
            columns,
            rows,
            unreadable,
        })
    }

    /// Header columns not in `known`.
    pub fn unknown_columns(&self, known: &[&str]) -> Vec<String> {
        self.header
            .iter()
            .filter(|name| !known.contains(&name.as_str()))
            .cloned()
            .collect()
    }

    /// The rows, each as cells to read.
    pub fn rows(&self) -> impl Iterator<Item = Cells<'_>> {
        self.rows.iter().map(|(line, row)| Cells {
            row,
            columns: &self.columns,
            line: *line,
        })
    }
}

/// One row's cells, read by column name.
#[derive(Debug, Clone, Copy)]
pub struct Cells<'a> {
    row: &'a csv::ByteRecord,
    columns: &'a HashMap<String, usize>,
    /// The row's 1-based line.
    pub line: u64,
}

impl Cells<'_> {
    /// An issue about `column` of this row.
    pub fn issue(&self, column: &str, message: impl Into<String>) -> SheetIssue {
        SheetIssue {
            line: self.line,
            column: self.columns.get(column).map(|i| i + 1),
            column_name: Some(column.to_owned()),
            message: message.into(),
        }
    }

    /// An issue about the whole row.
    pub fn row_issue(&self, message: impl Into<String>) -> SheetIssue {
        SheetIssue {
            line: self.line,
            column: None,
            column_name: None,
            message: message.into(),
        }
    }

    /// The trimmed cell, `None` when absent or blank; an issue when it is not
    /// UTF-8 or looks like a spreadsheet formula.
    pub fn get(&self, column: &str) -> Result<Option<&str>, SheetIssue> {
        let Some(&index) = self.columns.get(column) else {
            return Ok(None);
        };
        let Some(bytes) = self.row.get(index) else {
            return Ok(None);
        };
        let text = std::str::from_utf8(bytes)
            .map_err(|_| self.issue(column, "not UTF-8 text (save the file as UTF-8)"))?
            .trim();
        if text.is_empty() {
            return Ok(None);
        }
        if looks_like_formula(text) {
            return Err(self.issue(column, "looks like a spreadsheet formula"));
        }
        Ok(Some(text))
    }

    /// The cell's bytes as written (empty when absent), for copying a row unchanged.
    pub fn raw(&self, column: &str) -> &[u8] {
        self.columns
            .get(column)
            .and_then(|&index| self.row.get(index))
            .unwrap_or(b"")
    }

    /// The cell, or an issue when it is empty.
    pub fn required(&self, column: &str) -> Result<&str, SheetIssue> {
        self.get(column)?
            .ok_or_else(|| self.issue(column, "is empty"))
    }
}

/// A cell that a spreadsheet would run when the file is opened (`=`, `+`,
/// `@`, or `-` not starting a number).
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '@'])
        || text
            .strip_prefix('-')
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with(char::is_numeric))
}

fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (index, byte) in bytes.iter().enumerate() {
        if *byte == b'\r' && bytes.get(index + 1) == Some(&b'\n') {
            continue;
        }
        out.push(*byte);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_located_and_formulas_refused() {
        let sheet = Sheet::read(
            b"\xEF\xBB\xBFName,Amount\r\nA,=SUM(1)\r\n,\r\nB,-5\r\nC,-x\r\n",
            &["name"],
        )
        .unwrap();
        let rows: Vec<Cells<'_>> = sheet.rows().collect();
        assert_eq!(rows.len(), 3, "the blank row is skipped");
        let formula = rows[0].get("amount").unwrap_err();
        assert_eq!(
            formula.to_string(),
            "line 2, column 2 (amount): looks like a spreadsheet formula"
        );
        assert_eq!(rows[1].get("amount").unwrap(), Some("-5"));
        assert!(rows[2].get("amount").is_err());
        assert_eq!(rows[1].line, 4);
        assert!(Sheet::read(b"x\n", &["name"])
            .unwrap_err()
            .contains("\"name\""));
    }
}
