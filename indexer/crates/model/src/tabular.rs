//! CSV for people who open it in a spreadsheet: one writer for every
//! download, with text that a spreadsheet would run as a formula defused.

use std::borrow::Cow;

/// Text made safe to open in a spreadsheet: a cell beginning with `=`, `+`,
/// `-`, `@`, tab or carriage return gets a leading `'` (OWASP's advice for CSV
/// injection), because titles and names come from the public and a funder's
/// or journal's text is not ours to trust.
pub fn spreadsheet_safe(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A CSV table: `header`, then `rows`; text cells defused with [`spreadsheet_safe`].
pub fn write_csv<R, C>(header: &[&str], rows: R) -> Result<String, csv::Error>
where
    R: IntoIterator<Item = Vec<C>>,
    C: AsRef<str>,
{
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(
            row.iter()
                .map(|cell| spreadsheet_safe(cell.as_ref()).into_owned()),
        )?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    // The csv writer only writes the UTF-8 it was given.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        let table = write_csv(
            &["a", "b"],
            [
                vec!["=HYPERLINK(\"x\")", "12"],
                vec!["+1", "plain, with comma"],
                vec!["@SUM(A1)", ""],
            ],
        )
        .unwrap();
        assert_eq!(
            table,
            "a,b\n\"'=HYPERLINK(\"\"x\"\")\",12\n'+1,\"plain, with comma\"\n'@SUM(A1),\n"
        );
    }
}
