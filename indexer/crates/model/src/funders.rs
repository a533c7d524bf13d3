//! Funders under their many names: "MRC", "Medical Research Council",
//! "MRC_" are one funder; "NIHR" and "Medical Research Council" are two.
//!
//! A publication acknowledging award `X/1` acknowledges the grant `X/1` of
//! the funder it names, not every funder's `X/1`: grant references are only
//! unique within a funder, so links compare funders too ([`same_funder`]).

/// Known funders: a stable key and the names sources print for it (lower case,
/// letters and digits only, words separated by one space).
const FUNDERS: &[(&str, &[&str])] = &[
    ("mrc", &["mrc", "medical research council"]),
    (
        "nihr",
        &[
            "nihr",
            "nihr oda",
            "national institute for health research",
            "national institute for health and care research",
            // PubMed's GrantList long named NIHR programme awards so.
            "department of health",
            "department of health and social care",
        ],
    ),
    (
        "hcrw",
        &[
            "hcrw",
            "health and care research wales",
            "nisch",
            "wales office of research and development",
        ],
    ),
    (
        "wellcome",
        &["wellcome", "wellcome trust", "the wellcome trust"],
    ),
    (
        "epsrc",
        &[
            "epsrc",
            "engineering and physical sciences research council",
        ],
    ),
    (
        "bbsrc",
        &[
            "bbsrc",
            "biotechnology and biological sciences research council",
        ],
    ),
    ("esrc", &["esrc", "economic and social research council"]),
    ("ahrc", &["ahrc", "arts and humanities research council"]),
    ("nerc", &["nerc", "natural environment research council"]),
    (
        "stfc",
        &["stfc", "science and technology facilities council"],
    ),
    ("innovate-uk", &["innovate uk", "technology strategy board"]),
    ("ukri", &["ukri", "uk research and innovation"]),
    ("cruk", &["cruk", "cancer research uk"]),
    ("bhf", &["bhf", "british heart foundation"]),
];

/// The stable key of the funder `name` denotes, when it is a known one.
pub fn funder_key(name: &str) -> Option<&'static str> {
    let folded = fold(name);
    FUNDERS
        .iter()
        .find(|(_, names)| names.contains(&folded.as_str()))
        .map(|(key, _)| *key)
}

/// False only when both names denote known funders and they differ: an
/// unknown or absent agency gives the reference the benefit of the doubt.
pub fn same_funder(a: &str, b: Option<&str>) -> bool {
    match (funder_key(a), b.and_then(funder_key)) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// Lower case, a parenthesised aside dropped ("NIHR (ODA)" keeps "oda" as a
/// word), punctuation to spaces, single spaces.
fn fold(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_funder_many_names() {
        assert_eq!(funder_key("Medical Research Council"), Some("mrc"));
        assert_eq!(funder_key("MRC_"), Some("mrc"));
        assert_eq!(funder_key("NIHR (ODA)"), Some("nihr"));
        assert_eq!(funder_key("Department of Health"), Some("nihr"));
        assert_eq!(funder_key("Health and Care Research Wales"), Some("hcrw"));
        assert_eq!(funder_key("Some Charity"), None);
        // The reported fault: an NIHR grant collected MRC-acknowledged papers.
        assert!(!same_funder("NIHR", Some("Medical Research Council")));
        assert!(same_funder("MRC", Some("Medical Research Council")));
        assert!(same_funder("NIHR", None));
        assert!(same_funder("NIHR", Some("Some Charity")));
    }
}
