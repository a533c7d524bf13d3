//! The ORCID employments harvested so far, saved in the data directory where
//! tagging reads them. The harvester writes this file from its raw-response
//! archive (after an ORCID harvest or a reparse), so tagging — in the CLI and
//! in the service's re-tag — never needs the sources' parsers or the archive.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::records::Employment;

/// The file's place inside the data directory (beside the imported roster).
pub const EMPLOYMENTS_FILE: &str = "tagging/orcid-employments.json";

/// What the file holds: each ORCID iD's employments, and the archived
/// responses that could not be read (for the tagger's warnings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedEmployments {
    /// Employments by ORCID iD, in iD order so the file's bytes (part of the
    /// tags' input digest) depend only on its content.
    pub employments: BTreeMap<String, Vec<Employment>>,
    /// Archived responses that could not be read, described.
    pub problems: Vec<String>,
}

/// The file's path in `data_dir`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(EMPLOYMENTS_FILE)
}

/// Writes `saved` atomically: a reader sees the old file or the new one, never a part.
pub fn save(data_dir: &Path, saved: &SavedEmployments) -> io::Result<()> {
    let target = path(data_dir);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut bytes = serde_json::to_vec_pretty(saved).map_err(io::Error::other)?;
    bytes.push(b'\n');
    let staging = target.with_extension("json.tmp");
    std::fs::write(&staging, &bytes)?;
    std::fs::rename(&staging, &target)
}

/// Removes the file (when the archive holds no ORCID responses any more).
pub fn remove(data_dir: &Path) -> io::Result<()> {
    match std::fs::remove_file(path(data_dir)) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Reads the file; `None` when there is none (nothing harvested from ORCID).
/// A file that does not parse is an `InvalidData` error naming it.
pub fn load(data_dir: &Path) -> io::Result<Option<SavedEmployments>> {
    let file = path(data_dir);
    let bytes = match std::fs::read(&file) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|error| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {error}", file.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_employments_round_trip_and_a_damaged_file_is_named() {
        let dir = std::env::temp_dir().join(format!("hcs-employments-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(load(&dir).unwrap(), None);
        let mut saved = SavedEmployments::default();
        saved.employments.insert(
            "0000-0002-1825-0097".to_owned(),
            vec![Employment {
                organisation: "Public Health Wales".to_owned(),
                start: Some("2012-04".to_owned()),
                ..Employment::default()
            }],
        );
        saved
            .problems
            .push("raw/orcid/x.jsonl: torn line".to_owned());
        save(&dir, &saved).unwrap();
        assert_eq!(load(&dir).unwrap(), Some(saved));
        std::fs::write(path(&dir), b"{\"employments\": [").unwrap();
        let error = load(&dir).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(
            error.to_string().contains("orcid-employments.json"),
            "{error}"
        );
        remove(&dir).unwrap();
        remove(&dir).unwrap();
        assert_eq!(load(&dir).unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
