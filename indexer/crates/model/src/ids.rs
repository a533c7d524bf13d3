//! Normalisation of persistent identifiers, so the same work or person
//! compares equal whichever source and spelling it arrived in.

/// Normalises an ORCID iD given bare (`0000-0002-1825-0097`), without hyphens,
/// or as a URL (`https://orcid.org/…`), returning `None` unless the ISO 7064
/// mod 11-2 check digit is right.
pub fn normalize_orcid(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    // Keep only what follows the last '/', so every URL form reduces to the iD.
    let tail = trimmed.rsplit('/').next().unwrap_or(trimmed);
    let mut digits = [0u8; 16];
    let mut count = 0;
    for c in tail.chars() {
        match c {
            '-' | ' ' => continue,
            '0'..='9' | 'X' | 'x' if count < 16 => {
                digits[count] = c.to_ascii_uppercase() as u8;
                count += 1;
            }
            _ => return None,
        }
    }
    if count != 16 || digits[..15].contains(&b'X') {
        return None;
    }
    if orcid_check_digit(&digits[..15]) != digits[15] {
        return None;
    }
    let text = std::str::from_utf8(&digits).ok()?;
    Some(format!(
        "{}-{}-{}-{}",
        &text[0..4],
        &text[4..8],
        &text[8..12],
        &text[12..16]
    ))
}

/// ISO 7064 mod 11-2 check character over the first 15 digits of an ORCID iD.
fn orcid_check_digit(base_digits: &[u8]) -> u8 {
    let total = base_digits
        .iter()
        .fold(0u32, |acc, &d| (acc + u32::from(d - b'0')) * 2);
    let result = (12 - total % 11) % 11;
    if result == 10 {
        b'X'
    } else {
        b'0' + result as u8
    }
}

/// Normalises a DOI: resolver and `doi:` prefixes stripped, lower-cased
/// (DOIs are case-insensitive in ASCII). Returns `None` unless it starts `10.`.
pub fn normalize_doi(raw: &str) -> Option<String> {
    let mut doi = raw.trim();
    for prefix in [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi.org/",
        "doi:",
        "DOI:",
    ] {
        if let Some(rest) = strip_prefix_ignore_ascii_case(doi, prefix) {
            doi = rest.trim_start();
            break;
        }
    }
    let doi = doi.trim_end_matches(['.', ' ']);
    if !doi.starts_with("10.") || !doi.contains('/') {
        return None;
    }
    Some(doi.to_ascii_lowercase())
}

/// `text` without `prefix` (ASCII, any case), if it starts with it.
///
/// Compared as bytes: slicing `text` at `prefix.len()` first would panic when
/// that falls inside a multi-byte character (found by fuzzing: a DOI field
/// holding a thin space, U+2009, at byte 16).
fn strip_prefix_ignore_ascii_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.as_bytes().get(..prefix.len())?;
    // An ASCII prefix that matches ends on a character boundary.
    head.eq_ignore_ascii_case(prefix.as_bytes())
        .then(|| &text[prefix.len()..])
}

/// Normalises a PubMed Central id to `PMC<digits>`, dropping any `.version` suffix.
pub fn normalize_pmcid(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let digits = strip_prefix_ignore_ascii_case(trimmed, "PMC").unwrap_or(trimmed);
    let digits = digits.split('.').next().unwrap_or(digits).trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("PMC{digits}"))
}

/// Normalises a PubMed id to its digits, rejecting anything else.
pub fn normalize_pmid(raw: &str) -> Option<String> {
    let digits = raw.trim().trim_start_matches('0');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.to_owned())
}

/// A grant reference as indexed: case-folded, spaces removed, so "MR/K01577X/1"
/// in a funder's data and "mr/k01577x/1 " in an acknowledgement meet.
pub fn grant_reference_term(reference: &str) -> String {
    reference
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orcid_forms_normalise_and_checksums_are_enforced() {
        let expected = Some("0000-0002-1825-0097".to_owned());
        assert_eq!(normalize_orcid("0000-0002-1825-0097"), expected);
        assert_eq!(
            normalize_orcid("https://orcid.org/0000-0002-1825-0097"),
            expected
        );
        assert_eq!(
            normalize_orcid("http://orcid.org/0000000218250097"),
            expected
        );
        assert_eq!(
            normalize_orcid("0000-0002-9079-593x"),
            Some("0000-0002-9079-593X".to_owned())
        );
        // One digit changed: the check digit no longer matches.
        assert_eq!(normalize_orcid("0000-0002-1825-0098"), None);
        assert_eq!(normalize_orcid("0000-0002-1825"), None);
        assert_eq!(normalize_orcid("not an orcid"), None);
    }

    #[test]
    fn identifiers_with_multibyte_text_where_a_prefix_would_end_do_not_panic() {
        // Found by the europepmc fuzz target: a thin space across byte 16.
        assert_eq!(normalize_doi("https://doi.or\u{2009}g/10.1/x"), None);
        assert_eq!(normalize_doi("d\u{e9}oi:10.1/x"), None);
        assert_eq!(normalize_doi("DOI:\u{2009}10.1/X"), Some("10.1/x".into()));
        assert_eq!(normalize_pmcid("P\u{e9}C1"), None);
        assert_eq!(normalize_pmcid("\u{e9}"), None);
        assert_eq!(normalize_pmcid("pmc123.4"), Some("PMC123".into()));
    }

    #[test]
    fn dois_lose_prefixes_and_case() {
        assert_eq!(
            normalize_doi("https://doi.org/10.1016/J.CELL.2020.01.001"),
            Some("10.1016/j.cell.2020.01.001".to_owned())
        );
        assert_eq!(normalize_doi("doi: 10.1/ABC."), Some("10.1/abc".to_owned()));
        assert_eq!(normalize_doi("S0140-6736(20)30183-5"), None);
    }

    #[test]
    fn pmcids_and_pmids_are_canonical() {
        assert_eq!(normalize_pmcid("pmc123456.2"), Some("PMC123456".to_owned()));
        assert_eq!(normalize_pmcid("123"), Some("PMC123".to_owned()));
        assert_eq!(normalize_pmcid("PMC"), None);
        assert_eq!(normalize_pmid(" 00123 "), Some("123".to_owned()));
        assert_eq!(normalize_pmid("12a"), None);
    }
}
