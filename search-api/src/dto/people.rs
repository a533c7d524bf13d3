//! The JSON of the people routes: a topic's ranked people, a group's
//! counted people, and one person's profile.
//!
//! Fields are in alphabetical order, the order these answers had when they
//! were built as `serde_json::Value` maps.

use hcs_read::people::{CountedPerson, Profile, RankedPerson, SimilarPerson};
use serde::Serialize;
use utoipa::ToSchema;

/// `GET /api/people?q=…`: the people ranked for a topic.
#[derive(Debug, Serialize, ToSchema)]
pub struct TopicPeople {
    /// Ranked by weighted work on the topic: `{person_id, name, discipline, division,
    /// organisation, score, records, coauthors}`.
    pub people: Vec<RankedPerson>,
    /// The topic as asked.
    pub q: String,
}

/// `GET /api/people?organisation=…` (or `division`, `discipline`): the
/// people a participation cell counts; exactly one of the three is present.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct GroupPeople {
    /// The discipline asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    /// The division asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// The organisation asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Every person counted there: `{person_id, name, records}`.
    pub people: Vec<CountedPerson>,
    /// How many.
    pub total: usize,
}

/// `GET /api/people/{person_id}`: the profile and the people whose topics overlap.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonProfile {
    /// Published work, roles, co-authors and topics.
    #[serde(flatten)]
    pub profile: Profile,
    /// People with overlapping topics, most similar first.
    pub similar_people: Vec<SimilarPerson>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_list_names_only_its_group() {
        let body = GroupPeople {
            organisation: Some("Cardiff and Vale UHB".into()),
            ..GroupPeople::default()
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"organisation":"Cardiff and Vale UHB","people":[],"total":0}"#
        );
    }
}
