//! The JSON of a grant as `GET /api/grants/{id}` answers it.

use hcs_model::records::{Identifiers, LinkMethod};
use hcs_tagging::tagged::TaggedGrant;
use serde::Serialize;
use utoipa::ToSchema;

/// A grant with its tagged people and the outputs linked to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantRecord {
    /// The stored grant with `people[i].hcs` (a grant's people carry no contact data).
    #[serde(flatten)]
    pub grant: TaggedGrant,
    /// Every output linked to the grant, with how the link was made.
    pub linked_outputs: Vec<LinkedOutput>,
}

/// One output of a grant.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedOutput {
    /// The output's identifiers as the link gave them.
    pub identifiers: Identifiers,
    /// How the link was made.
    pub method: LinkMethod,
    /// The indexed publication it points at (`null` when not in the index).
    pub record_id: Option<String>,
    /// The title as the link gave it.
    pub title: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcs_model::records::Grant;

    #[test]
    fn a_grant_keeps_its_fields_beside_its_outputs() {
        let grant = Grant {
            id: "grant:mrc:X".into(),
            title: "T".into(),
            ..Grant::default()
        };
        let body = GrantRecord {
            grant: TaggedGrant::new(Box::new(grant), &[]),
            linked_outputs: vec![LinkedOutput {
                identifiers: Identifiers::default(),
                method: LinkMethod::default(),
                record_id: None,
                title: None,
            }],
        };
        let value = serde_json::to_value(&body).unwrap();
        assert_eq!(value["id"], "grant:mrc:X");
        let output = &value["linked_outputs"][0];
        // Absent values are written as null, as they always were.
        assert!(output["record_id"].is_null() && output.get("title").is_some());
        assert!(output["method"].is_string());
    }
}
