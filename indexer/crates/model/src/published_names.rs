//! Names as funders and curators publish them ("Professor Jane Smith CBE",
//! "Smith, Dr Jane"): split into given and family parts for every source
//! and for the roster alike.

/// Words before a name that are titles, not given names.
const TITLES: [&str; 16] = [
    "professor",
    "prof",
    "dr",
    "doctor",
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "sir",
    "dame",
    "lord",
    "lady",
    "rev",
    "reverend",
    "baroness",
];

/// Words after a name that are honours or degrees, not family names.
const POST_NOMINALS: [&str; 20] = [
    "cbe", "obe", "mbe", "kbe", "dbe", "frs", "freng", "fmedsci", "frcp", "frcs", "frcpsych",
    "phd", "md", "dphil", "dsc", "msc", "jr", "sr", "ii", "iii",
];

/// Splits a published name into (given, family): titles such as "Professor"
/// and "Dr" and post-nominals such as "CBE" dropped; "Family, Given" honoured.
pub fn split_name(name: &str) -> (Option<String>, Option<String>) {
    let is_title = |word: &str| {
        let bare = word.trim_end_matches('.').to_ascii_lowercase();
        TITLES.contains(&bare.as_str())
    };
    let is_post_nominal = |word: &str| {
        let bare = word
            .trim_matches(|c| c == '.' || c == ',')
            .to_ascii_lowercase();
        POST_NOMINALS.contains(&bare.as_str())
    };
    let mut words: Vec<&str> = name.split_whitespace().collect();
    while words.first().is_some_and(|word| is_title(word)) {
        words.remove(0);
    }
    while words.last().is_some_and(|word| is_post_nominal(word)) {
        words.pop();
    }
    let joined = words.join(" ");
    let joined = joined.trim_end_matches(',').trim();
    if let Some((family, given)) = joined.split_once(',') {
        let family = family.trim();
        let given: Vec<&str> = given
            .split_whitespace()
            .filter(|word| !is_title(word) && !is_post_nominal(word))
            .collect();
        let given = given.join(" ");
        return (
            (!given.is_empty()).then_some(given),
            (!family.is_empty()).then(|| family.to_owned()),
        );
    }
    let mut words: Vec<&str> = joined.split_whitespace().collect();
    let family = words.pop().map(str::to_owned);
    let given = words.join(" ");
    ((!given.is_empty()).then_some(given), family)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_honours_are_not_names() {
        let split = |name: &str| split_name(name);
        assert_eq!(
            split("Professor Jane Smith"),
            (Some("Jane".into()), Some("Smith".into()))
        );
        assert_eq!(
            split("Dr. Mary-Ann  O'Neil CBE"),
            (Some("Mary-Ann".into()), Some("O'Neil".into()))
        );
        assert_eq!(
            split("Prof Sir John Arthur Bell"),
            (Some("John Arthur".into()), Some("Bell".into()))
        );
        assert_eq!(
            split("Smith, Dr Jane"),
            (Some("Jane".into()), Some("Smith".into()))
        );
        assert_eq!(split("Madonna"), (None, Some("Madonna".into())));
        assert_eq!(split("Professor"), (None, None));
    }
}
