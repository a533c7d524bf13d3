//! What a person writes about: the subject words of record titles, and the
//! ones that recur across a person's records.
//!
//! Author-disambiguation systems (PubMed's own, Author-ity, ReCiter) all
//! read the title beside the co-authors: two namesakes seldom share a
//! subject, and a person's subjects recur ("Cryptosporidium" on a
//! reference-unit scientist's papers for twenty years). A word only counts
//! as a person's subject when it is in the titles of two or more of their
//! other records, so one shared word by chance says nothing.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use super::recurring::RecordCounts;
use super::text::fold_words;

/// Letters a subject word is cut to, so a word's forms compare equal
/// ("cryptosporidiosis", "Cryptosporidium" → "cryptosp"; "influenza").
const STEM_LETTERS: usize = 8;

/// The fewest letters a subject word has: shorter words are function
/// words, units or acronyms too ambiguous to be a subject.
const MIN_LETTERS: usize = 4;

/// The fewest other records of a person whose titles must carry a word for
/// it to be one of their subjects.
pub const RECURRING: usize = 2;

/// Title words that say how a study was done, where (the countries that
/// publish most) or on whom, not what it is about: every field's titles use them.
const GENERIC: [&str; 155] = [
    "about",
    "across",
    "adult",
    "adults",
    "africa",
    "african",
    "after",
    "against",
    "america",
    "american",
    "among",
    "analyses",
    "analysis",
    "approach",
    "asia",
    "asian",
    "assessing",
    "assessment",
    "associated",
    "association",
    "australia",
    "based",
    "before",
    "between",
    "brazil",
    "britain",
    "canada",
    "care",
    "case",
    "cases",
    "change",
    "changes",
    "changing",
    "child",
    "children",
    "china",
    "chinese",
    "clinical",
    "cohort",
    "community",
    "comparing",
    "comparison",
    "control",
    "controlled",
    "data",
    "denmark",
    "detection",
    "development",
    "diagnosis",
    "disease",
    "does",
    "during",
    "early",
    "effect",
    "effectiveness",
    "effects",
    "england",
    "english",
    "europe",
    "european",
    "evaluating",
    "evaluation",
    "evidence",
    "experience",
    "factors",
    "findings",
    "first",
    "france",
    "french",
    "from",
    "further",
    "german",
    "germany",
    "global",
    "great",
    "health",
    "high",
    "hospital",
    "hospitals",
    "impact",
    "improving",
    "including",
    "india",
    "indian",
    "infection",
    "infections",
    "international",
    "into",
    "ireland",
    "italy",
    "japan",
    "japanese",
    "kingdom",
    "korea",
    "korean",
    "late",
    "level",
    "levels",
    "management",
    "method",
    "methods",
    "model",
    "national",
    "netherlands",
    "norway",
    "novel",
    "outcome",
    "outcomes",
    "over",
    "patient",
    "patients",
    "people",
    "population",
    "practice",
    "primary",
    "prospective",
    "public",
    "randomised",
    "randomized",
    "report",
    "results",
    "retrospective",
    "review",
    "risk",
    "role",
    "scotland",
    "season",
    "secondary",
    "service",
    "services",
    "spain",
    "study",
    "survey",
    "sweden",
    "switzerland",
    "systematic",
    "taiwan",
    "than",
    "that",
    "their",
    "these",
    "this",
    "treatment",
    "trial",
    "under",
    "united",
    "using",
    "versus",
    "wales",
    "welsh",
    "what",
    "when",
    "with",
    "within",
    "world",
];

/// The subject words of a title, cut to their stems, each once, in order.
pub fn title_stems(title: &str) -> BTreeSet<String> {
    fold_words(title)
        .into_iter()
        .filter(|word| {
            word.len() >= MIN_LETTERS
                && word.chars().all(|c| c.is_ascii_alphabetic())
                && GENERIC.binary_search(&word.as_str()).is_err()
        })
        .map(|mut word| {
            word.truncate(STEM_LETTERS);
            word
        })
        .collect()
}

/// A record's title with its subject stems, folded on first use: a record
/// is compared with many candidates' profiles, most records with none.
#[derive(Debug)]
pub struct Subjects<'a> {
    title: &'a str,
    stems: OnceCell<BTreeSet<String>>,
}

impl<'a> Subjects<'a> {
    /// The subjects of `title`, not yet folded.
    pub fn of(title: &'a str) -> Self {
        Subjects {
            title,
            stems: OnceCell::new(),
        }
    }

    /// The title's subject stems.
    pub fn stems(&self) -> &BTreeSet<String> {
        self.stems.get_or_init(|| title_stems(self.title))
    }
}

/// How many of one person's (or one name's at one place) records carry
/// each subject stem in their titles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicProfile {
    counts: RecordCounts,
}

impl TopicProfile {
    /// Adds the subjects of record `record_id`'s title (once per record).
    pub fn add(&mut self, record_id: &str, subjects: &Subjects<'_>) {
        self.counts.add(record_id, subjects.stems().iter().cloned());
    }

    /// The stems of a title that are subjects of this profile on records
    /// other than `record_id` (a record is no evidence for itself), each
    /// with how many other records carry it.
    pub fn recurring_in(&self, subjects: &Subjects<'_>, record_id: &str) -> Vec<(String, usize)> {
        if self.counts.is_empty() {
            return Vec::new();
        }
        subjects
            .stems()
            .iter()
            .filter_map(|stem| {
                let others = self.counts.others(stem, record_id);
                (others >= RECURRING).then(|| (stem.clone(), others))
            })
            .collect()
    }
}

/// Says which subjects a title shares with a profile, for evidence:
/// `"cryptosp" (4 records), "parvum" (2 records)`.
pub fn describe(shared: &[(String, usize)]) -> String {
    shared
        .iter()
        .map(|(stem, records)| format!("\"{stem}\" ({records} records)"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_words_are_sorted_for_binary_search() {
        assert!(
            GENERIC.windows(2).all(|w| w[0] < w[1]),
            "GENERIC must stay sorted"
        );
    }

    #[test]
    fn forms_of_one_subject_share_a_stem_and_study_words_say_nothing() {
        // Real titles (PMIDs 15324544 and 30867023).
        let a = title_stems("Sporadic cryptosporidiosis case-control study with genotyping.");
        let b = title_stems(
            "Analysis of the Cryptosporidium spp. and gp60 subtypes linked to human outbreaks \
             of cryptosporidiosis in England and Wales, 2009 to 2017.",
        );
        assert!(a.contains("cryptosp") && b.contains("cryptosp"));
        assert!(!a.contains("study") && !b.contains("england") && !b.contains("2009"));
        assert!(
            !b.contains("gp60"),
            "tokens with digits are codes, not subjects"
        );
    }

    #[test]
    fn a_subject_recurs_only_on_two_other_records() {
        let mut profile = TopicProfile::default();
        profile.add(
            "r0",
            &Subjects::of("Real-time NASBA assay for rapid detection of influenza A"),
        );
        profile.add(
            "r1",
            &Subjects::of("End-of-season influenza vaccine effectiveness, 2016/17"),
        );
        profile.add(
            "r2",
            &Subjects::of("Oseltamivir-resistant pandemic influenza in a haematology unit"),
        );
        let title = Subjects::of("Interim influenza vaccine effectiveness in primary care");
        assert_eq!(
            profile.recurring_in(&title, "r9"),
            vec![("influenz".to_owned(), 3)]
        );
        // Record r1 is not evidence for itself: "vaccine" is on no other record twice.
        assert_eq!(
            profile.recurring_in(&title, "r1"),
            vec![("influenz".to_owned(), 2)]
        );
        assert!(profile
            .recurring_in(&Subjects::of("Hearing aid uptake"), "r9")
            .is_empty());
    }
}
