//! Separating e-mail addresses from affiliation strings.
//!
//! Publishers put the corresponding author's address inside the affiliation,
//! either labelled ("… Electronic address: a@b.org.") or bare at the end
//! ("… Cardiff, UK. a@b.org"). Addresses are personal data and no part of an
//! organisation's name, so they are removed from the text and kept apart.

/// An affiliation with any e-mail address taken out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitAffiliation {
    /// The affiliation text without the address or its label.
    pub text: String,
    /// The first address found, lower-cased domain kept as written.
    pub email: Option<String>,
}

/// Labels that introduce an address, longest first so the longest match wins.
const EMAIL_LABELS: [&str; 6] = [
    "electronic address:",
    "e-mail address:",
    "email address:",
    "e-mail:",
    "email:",
    "mail:",
];

/// Splits e-mail addresses out of an affiliation string.
pub fn split_email(affiliation: &str) -> SplitAffiliation {
    let mut text = affiliation.to_owned();
    let mut email = None;
    // Every address is removed, but only the first is kept: a second one in
    // the same affiliation belongs to nobody we can tell apart.
    while let Some((start, end)) = find_email(&text) {
        let address = text[start..end].to_owned();
        let label_start = label_before(&text, start);
        let removal_start = label_start.unwrap_or(start);
        text.replace_range(removal_start..end, " ");
        if email.is_none() {
            email = Some(address);
        }
    }
    if email.is_none() {
        return SplitAffiliation {
            text: affiliation.trim().to_owned(),
            email: None,
        };
    }
    SplitAffiliation {
        text: tidy_after_removal(&text),
        email,
    }
}

/// Finds the byte range of the first e-mail address in `text`.
fn find_email(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    for (at, _) in text.match_indices('@') {
        let is_local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-'".contains(&b);
        let is_domain = |b: u8| b.is_ascii_alphanumeric() || b".-".contains(&b);
        let mut start = at;
        while start > 0 && is_local(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = at + 1;
        while end < bytes.len() && is_domain(bytes[end]) {
            end += 1;
        }
        // A sentence-ending full stop belongs to the text, not the domain.
        while end > at + 1 && bytes[end - 1] == b'.' {
            end -= 1;
        }
        while start < at && bytes[start] == b'.' {
            start += 1;
        }
        let domain = &text[at + 1..end];
        let domain_ok = domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && domain
                .rsplit('.')
                .next()
                .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
        if start < at && domain_ok {
            return Some((start, end));
        }
    }
    None
}

/// If an e-mail label ends just before `address_start`, returns where it begins.
fn label_before(text: &str, address_start: usize) -> Option<usize> {
    let before = text[..address_start].trim_end();
    let lower = before.to_ascii_lowercase();
    EMAIL_LABELS
        .iter()
        .find(|label| lower.ends_with(*label))
        .map(|label| before.len() - label.len())
}

/// Collapses the whitespace and stray separators left where an address was.
fn tidy_after_removal(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut tidy = collapsed
        .replace(" .", ".")
        .replace(" ,", ",")
        .replace(" ;", ";")
        .replace(",;", ";")
        .replace(";;", ";")
        .replace(",.", ".")
        .replace("..", ".");
    // Trailing separators left by the removal ("Cardiff, UK;", "Wales, ("),
    // but a final full stop stays as the publisher wrote it.
    while let Some(last) = tidy.chars().last() {
        if matches!(last, ',' | ';' | ':' | '(' | '[' | '-') || last.is_whitespace() {
            tidy.pop();
        } else {
            break;
        }
    }
    for empty in ["()", "[]"] {
        tidy = tidy.replace(empty, "");
    }
    let tidy = tidy.trim();
    if tidy == "." {
        String::new()
    } else {
        tidy.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> (String, Option<String>) {
        let result = split_email(text);
        (result.text, result.email)
    }

    #[test]
    fn labelled_address_is_removed() {
        assert_eq!(
            split("Stanford University. Electronic address: kccrump@stanford.edu."),
            (
                "Stanford University.".to_owned(),
                Some("kccrump@stanford.edu".to_owned())
            )
        );
    }

    #[test]
    fn bare_trailing_address_is_removed() {
        assert_eq!(
            split("Oslo University Hospital, Oslo, Norway. jramm@ous-hf.no."),
            (
                "Oslo University Hospital, Oslo, Norway.".to_owned(),
                Some("jramm@ous-hf.no".to_owned())
            )
        );
        assert_eq!(
            split("Dept of Medical Physics, Velindre, Cardiff, UK; a.b@wales.nhs.uk"),
            (
                "Dept of Medical Physics, Velindre, Cardiff, UK".to_owned(),
                Some("a.b@wales.nhs.uk".to_owned())
            )
        );
    }

    #[test]
    fn affiliation_that_is_only_an_address_becomes_empty() {
        assert_eq!(
            split("Electronic address: x@y.org."),
            (String::new(), Some("x@y.org".to_owned()))
        );
    }

    #[test]
    fn text_without_address_is_untouched() {
        assert_eq!(
            split("Cardiff University, Cardiff @ Wales"),
            ("Cardiff University, Cardiff @ Wales".to_owned(), None)
        );
    }

    #[test]
    fn every_address_is_removed_and_first_kept() {
        let (text, email) = split("Univ A, a@x.org; Univ B, b@y.org");
        assert_eq!(text, "Univ A; Univ B");
        assert_eq!(email.as_deref(), Some("a@x.org"));
    }
}
