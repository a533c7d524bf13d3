//! Curators' decisions: an append-only journal that wins over the scorer.
//!
//! Each line of `decisions.jsonl` is one decision — accept or reject a
//! person (or `inferred`, the tier-2 guess) for one author or grant person
//! of one record — with its time and an optional note. The last decision for
//! the same record, position and person wins; nothing is ever rewritten, so
//! the history stays. The journal lives outside the index, keyed by stable
//! record ids, so it survives re-harvest, reparse and rebuild. A line written
//! by the service also says `by` whom (the name of the curator's token).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::names::PersonName;
use super::TaggingError;
use hcs_model::records::Record;

/// The person id that stands for the tier-2 inference in a decision.
pub const INFERRED: &str = "inferred";

/// Accept or reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Verdict {
    /// This person is this author (or, for `inferred`, the author is a healthcare scientist).
    Accept,
    /// This person is not this author (or, for `inferred`, the author is not one).
    Reject,
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    /// When it was made (RFC 3339, UTC).
    pub at: String,
    /// Accept or reject.
    pub decision: Verdict,
    /// Roster person id, or `inferred`.
    pub person_id: String,
    /// Record id (`pmid:…`, `grant:…`).
    pub record_id: String,
    /// Byline position, or 1-based place in a grant's people.
    pub position: u32,
    /// Why, in the curator's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The author as published when the decision was made (family name and
    /// first initial): a re-harvest that moves people in the byline must not
    /// carry the decision to someone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

/// Why a decision cannot be recorded: it would name no one, or no one the
/// Network knows.
#[derive(Debug, thiserror::Error)]
pub enum DecisionRefused {
    /// The record has nobody at that byline position (or grant place).
    #[error("{record_id} has no person at position {position} (positions: {positions:?})")]
    NoSuchPosition {
        /// The record.
        record_id: String,
        /// The position asked for.
        position: u32,
        /// The positions it has.
        positions: Vec<u32>,
    },
    /// The person id is not on the imported roster.
    #[error(
        "{person_id:?} is not on the imported roster (or use '{INFERRED}' for the tier-2 guess)"
    )]
    NotOnRoster {
        /// The person id given.
        person_id: String,
    },
    /// The roster or reference data could not be read.
    #[error(transparent)]
    Tagging(#[from] TaggingError),
}

/// The people of `record` as decisions name them: byline position (or
/// 1-based place among a grant's people) and the author as published
/// (family name and first initial; `None` for grant people).
pub fn people_of(record: &Record) -> Vec<(u32, Option<String>)> {
    match record {
        Record::Publication(publication) => publication
            .authors
            .iter()
            .map(|author| {
                let name = author.family.as_deref().and_then(|family| {
                    PersonName::new(family, author.given.as_deref(), author.initials.as_deref())
                });
                (author.position, name.map(|name| name.coauthor_key()))
            })
            .collect(),
        Record::Grant(grant) => (1..=grant.people.len() as u32).map(|p| (p, None)).collect(),
    }
}

/// The published author at `position` (family name and first initial), or
/// `Some(None)` for a grant person; `None` when there is no one there.
pub fn author_at(record: &Record, position: u32) -> Option<Option<String>> {
    people_of(record)
        .into_iter()
        .find(|(at, _)| *at == position)
        .map(|(_, author)| author)
}

/// A decision on `record`, checked as the CLI and the service both check it:
/// someone is at `position` (whose published name the decision keeps, so a
/// re-harvest that reorders the byline cannot move it), and `person_id` is
/// `inferred` or on the roster imported into `data_dir`.
pub fn checked_decision(
    data_dir: &Path,
    record: &Record,
    decision: Verdict,
    person_id: &str,
    position: u32,
    note: Option<String>,
) -> Result<Decision, DecisionRefused> {
    let people = people_of(record);
    let Some((_, author)) = people.iter().find(|(at, _)| *at == position) else {
        return Err(DecisionRefused::NoSuchPosition {
            record_id: record.id().to_owned(),
            position,
            positions: people.iter().map(|(at, _)| *at).collect(),
        });
    };
    if person_id != INFERRED && !on_roster(data_dir, person_id)? {
        return Err(DecisionRefused::NotOnRoster {
            person_id: person_id.to_owned(),
        });
    }
    Ok(Decision {
        at: hcs_model::clock::now_rfc3339(),
        decision,
        person_id: person_id.to_owned(),
        record_id: record.id().to_owned(),
        position,
        note,
        author: author.clone(),
    })
}

/// Whether `person_id` is on the roster imported into `data_dir` (none imported: no one is).
fn on_roster(data_dir: &Path, person_id: &str) -> Result<bool, TaggingError> {
    let path = super::workspace::roster_path(data_dir);
    if !path.exists() {
        return Ok(false);
    }
    let reference = super::ReferenceData::load(None, None)?;
    let roster = super::Roster::load(&path, &reference.taxonomy, &reference.gazetteer)?;
    Ok(roster.person(person_id).is_some())
}

/// A journal line with who made the decision: [`Decision`]'s fields plus `by`.
///
/// `by` is beside [`Decision`] rather than in it so that code building a
/// `Decision` field by field keeps compiling; on disk it is one more key of
/// the same JSON object, absent from older lines and from `indexer curate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedDecision {
    /// The decision itself.
    #[serde(flatten)]
    pub decision: Decision,
    /// The curator who made it (their token's name, never the token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

impl From<Decision> for SignedDecision {
    fn from(decision: Decision) -> Self {
        SignedDecision { decision, by: None }
    }
}

/// A decision in force for one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotDecision {
    /// Roster person id, or `inferred`.
    pub person_id: String,
    /// Accept or reject.
    pub verdict: Verdict,
    /// The author it was made for ([`Decision::author`]).
    pub author: Option<String>,
}

impl SlotDecision {
    /// True when the decision was made for this author (or recorded no author).
    pub fn applies_to(&self, author_key: &str) -> bool {
        self.author
            .as_deref()
            .is_none_or(|author| author == author_key)
    }
}

/// The decisions in force, by record and position.
#[derive(Debug, Default)]
pub struct DecisionLog {
    path: Option<PathBuf>,
    /// Whole lines in force, so that who and when can be shown beside the verdict.
    by_slot: HashMap<(String, u32), Vec<SignedDecision>>,
    /// Lines that could not be read (e.g. one torn by a crash mid-write), by line number.
    pub unreadable: Vec<(usize, String)>,
}

impl DecisionLog {
    /// The journal at `path`; an absent file is an empty journal.
    pub fn open(path: &Path) -> Result<Self, TaggingError> {
        let mut log = DecisionLog {
            path: Some(path.to_owned()),
            ..DecisionLog::default()
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(log),
            Err(source) => {
                return Err(TaggingError::Io {
                    path: path.to_owned(),
                    source,
                })
            }
        };
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<SignedDecision>(line) {
                Ok(decision) => log.apply(decision),
                Err(error) => log.unreadable.push((number + 1, error.to_string())),
            }
        }
        Ok(log)
    }

    fn apply(&mut self, signed: SignedDecision) {
        let decision = &signed.decision;
        let slot = self
            .by_slot
            .entry((decision.record_id.clone(), decision.position))
            .or_default();
        slot.retain(|earlier| earlier.decision.person_id != decision.person_id);
        // One author is one person: a new accept withdraws earlier accepts of others.
        if decision.decision == Verdict::Accept {
            slot.retain(|earlier| earlier.decision.decision != Verdict::Accept);
        }
        slot.push(signed);
    }

    /// Appends a decision durably (written and synced before this returns) and applies it.
    pub fn record(&mut self, decision: Decision) -> Result<(), TaggingError> {
        self.record_signed(decision.into())
    }

    /// Appends a decision with who made it, durably, and applies it.
    pub fn record_signed(&mut self, decision: SignedDecision) -> Result<(), TaggingError> {
        let path = self
            .path
            .clone()
            .ok_or_else(|| TaggingError::data("decisions", "this journal has no file"))?;
        let io = |source| TaggingError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut line =
            serde_json::to_string(&decision).map_err(|e| TaggingError::data("decisions", e))?;
        line.push('\n');
        let mut file = open_append(&path).map_err(io)?;
        // A journal whose last line was torn by a crash gets a fresh line first.
        if ends_without_newline(&path) {
            file.write_all(b"\n").map_err(io)?;
        }
        file.write_all(line.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        self.apply(decision);
        Ok(())
    }

    /// Every decision in force for one slot made for this author (family
    /// name and first initial, [`crate::names::PersonName::coauthor_key`]).
    pub fn for_slot(&self, record_id: &str, position: u32, author_key: &str) -> Vec<SlotDecision> {
        self.signed_for_slot(record_id, position, author_key)
            .into_iter()
            .map(|signed| SlotDecision {
                person_id: signed.decision.person_id.clone(),
                verdict: signed.decision.decision,
                author: signed.decision.author.clone(),
            })
            .collect()
    }

    /// The whole journal lines behind [`DecisionLog::for_slot`]: with when,
    /// by whom and the note, oldest first.
    pub fn signed_for_slot(
        &self,
        record_id: &str,
        position: u32,
        author_key: &str,
    ) -> Vec<&SignedDecision> {
        self.by_slot
            .get(&(record_id.to_owned(), position))
            .map(|decisions| {
                decisions
                    .iter()
                    .filter(|signed| {
                        signed
                            .decision
                            .author
                            .as_deref()
                            .is_none_or(|author| author == author_key)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The curator's word on the tier-2 guess for a slot, if any.
    pub fn on_inferred(&self, record_id: &str, position: u32, author_key: &str) -> Option<Verdict> {
        self.for_slot(record_id, position, author_key)
            .into_iter()
            .find(|decision| decision.person_id == INFERRED)
            .map(|decision| decision.verdict)
    }

    /// Every person any decision names.
    pub fn people(&self) -> impl Iterator<Item = &str> {
        let mut people: Vec<&str> = self
            .by_slot
            .values()
            .flatten()
            .map(|signed| signed.decision.person_id.as_str())
            .collect();
        people.sort_unstable();
        people.dedup();
        people.into_iter()
    }

    /// True when no decision is in force.
    pub fn is_empty(&self) -> bool {
        self.by_slot.is_empty()
    }
}

fn open_append(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Decisions name staff: readable by the service account only.
        options.mode(0o600);
    }
    options.open(path)
}

fn ends_without_newline(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = File::open(path) else {
        return false;
    };
    if file.seek(SeekFrom::End(-1)).is_err() {
        return false;
    }
    let mut last = [0u8; 1];
    file.read_exact(&mut last).is_ok() && last[0] != b'\n'
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcs_model::records::{Author, Publication};

    #[test]
    fn a_decision_keeps_the_published_name_and_refuses_nobody_or_strangers() {
        let data = tempfile::tempdir().unwrap();
        let record = Record::Publication(Box::new(Publication {
            id: "pmid:1".into(),
            authors: vec![Author {
                position: 1,
                family: Some("Evans".into()),
                given: Some("Sian".into()),
                ..Author::default()
            }],
            ..Publication::default()
        }));
        let made =
            checked_decision(data.path(), &record, Verdict::Accept, INFERRED, 1, None).unwrap();
        assert_eq!(made.author.as_deref(), Some("evans s"));
        assert_eq!((made.record_id.as_str(), made.position), ("pmid:1", 1));
        let nobody = checked_decision(data.path(), &record, Verdict::Accept, INFERRED, 3, None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            nobody,
            "pmid:1 has no person at position 3 (positions: [1])"
        );
        // No roster imported: no roster person can be named.
        let stranger =
            checked_decision(data.path(), &record, Verdict::Reject, "p-17", 1, None).unwrap_err();
        assert!(
            matches!(stranger, DecisionRefused::NotOnRoster { .. }),
            "{stranger}"
        );
    }

    fn decision(verdict: Verdict, person: &str) -> Decision {
        Decision {
            at: "2026-11-30T12:00:00Z".into(),
            decision: verdict,
            person_id: person.into(),
            record_id: "pmid:1".into(),
            position: 2,
            note: None,
            author: Some("evans s".into()),
        }
    }

    #[test]
    fn the_last_decision_wins_and_survives_reopening_and_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tagging/decisions.jsonl");
        let mut log = DecisionLog::open(&path).unwrap();
        log.record(decision(Verdict::Accept, "p1")).unwrap();
        log.record(decision(Verdict::Reject, "p1")).unwrap();
        log.record(decision(Verdict::Reject, INFERRED)).unwrap();
        // A crash mid-append leaves half a line.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"at\":\"2026").unwrap();
        let mut log = DecisionLog::open(&path).unwrap();
        assert_eq!(log.unreadable.len(), 1);
        let verdicts = |log: &DecisionLog| -> Vec<(String, Verdict)> {
            log.for_slot("pmid:1", 2, "evans s")
                .into_iter()
                .map(|d| (d.person_id, d.verdict))
                .collect()
        };
        assert_eq!(
            verdicts(&log),
            vec![
                ("p1".to_owned(), Verdict::Reject),
                (INFERRED.to_owned(), Verdict::Reject)
            ]
        );
        assert_eq!(
            log.on_inferred("pmid:1", 2, "evans s"),
            Some(Verdict::Reject)
        );
        assert!(
            log.for_slot("pmid:1", 2, "jones a").is_empty(),
            "made for another author"
        );
        log.record(decision(Verdict::Accept, "p1")).unwrap();
        log.record(decision(Verdict::Accept, "p2")).unwrap();
        let log = DecisionLog::open(&path).unwrap();
        assert_eq!(
            log.unreadable.len(),
            1,
            "the torn line stays torn; the new ones read"
        );
        assert_eq!(
            verdicts(&log),
            vec![
                (INFERRED.to_owned(), Verdict::Reject),
                ("p2".to_owned(), Verdict::Accept)
            ],
            "the later accept withdraws the earlier one"
        );
        assert_eq!(log.people().collect::<Vec<_>>(), ["inferred", "p2"]);
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert_eq!(lines, 6, "append-only: every decision is kept");
    }

    #[test]
    fn who_decided_is_one_more_key_and_old_lines_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("decisions.jsonl");
        // A line from before `by` existed, as `indexer curate` still writes them.
        let old = r#"{"at":"2026-01-02T03:04:05Z","decision":"reject","person_id":"p1","record_id":"pmid:1","position":2,"author":"evans s"}"#;
        std::fs::write(&path, format!("{old}\n")).unwrap();
        let mut log = DecisionLog::open(&path).unwrap();
        assert!(log.unreadable.is_empty(), "{:?}", log.unreadable);
        let read = log.signed_for_slot("pmid:1", 2, "evans s");
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].by, None);
        assert_eq!(read[0].decision.at, "2026-01-02T03:04:05Z");
        log.record_signed(SignedDecision {
            decision: decision(Verdict::Accept, "p2"),
            by: Some("alice".into()),
        })
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], old, "earlier lines are never rewritten");
        let written: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(written["by"], "alice");
        assert_eq!(written["person_id"], "p2");
        assert!(written.get("note").is_none(), "absent values stay absent");
        // The same line read back as a plain decision: `by` is just ignored.
        let plain: Decision = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(plain, decision(Verdict::Accept, "p2"));
        let log = DecisionLog::open(&path).unwrap();
        let in_force = log.signed_for_slot("pmid:1", 2, "evans s");
        assert_eq!(
            in_force
                .iter()
                .map(|s| (s.decision.person_id.as_str(), s.by.as_deref()))
                .collect::<Vec<_>>(),
            [("p1", None), ("p2", Some("alice"))]
        );
        assert_eq!(log.for_slot("pmid:1", 2, "evans s").len(), 2);
    }
}
