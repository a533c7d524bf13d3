//! A record with each person's tag beside them (`authors[i].hcs`,
//! `people[i].hcs`): what `indexer export` prints and the service answers
//! for one record.
//!
//! The stored record is flattened in whole, with only its people moved out
//! and put back with their tags, so a field added to the model appears here
//! without being listed twice; its schema is the record's, with the people
//! refined by `allOf`.

use hcs_model::records::{Author, Grant, GrantPerson, Publication, Record};
use hcs_model::tags::{PersonTag, SlotTag};
use serde::Serialize;

/// A record and its tags, in the record's own JSON shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "record_type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TaggedRecord {
    /// A publication whose byline authors carry their tags.
    Publication(TaggedPublication),
    /// A grant whose people carry their tags.
    Grant(TaggedGrant),
}

/// A publication with each byline author's tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaggedPublication {
    /// Every field of the stored publication except `authors` (moved below).
    #[serde(flatten)]
    pub publication: Box<Publication>,
    /// The byline, in order, each author with their tag when tagging gave one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<TaggedAuthor>,
}

/// A grant with each person's tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaggedGrant {
    /// Every field of the stored grant except `people` (moved below).
    #[serde(flatten)]
    pub grant: Box<Grant>,
    /// The people in source order, each with their tag when tagging gave one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<TaggedGrantPerson>,
}

/// A byline author and their tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaggedAuthor {
    /// The author as published.
    #[serde(flatten)]
    pub author: Author,
    /// What tagging says of them; absent when nothing was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hcs: Option<PersonTag>,
}

/// A grant person and their tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaggedGrantPerson {
    /// The person as the funder published them.
    #[serde(flatten)]
    pub person: GrantPerson,
    /// What tagging says of them; absent when nothing was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hcs: Option<PersonTag>,
}

/// The tag of the slot at `position`, if tagging gave one.
fn tag_at(tags: &[SlotTag], position: u32) -> Option<PersonTag> {
    tags.iter()
        .find(|slot| slot.position == position)
        .map(|slot| slot.tag.clone())
}

impl TaggedRecord {
    /// `record` with each tag beside the person in its slot.
    pub fn new(record: Record, tags: &[SlotTag]) -> Self {
        match record {
            Record::Publication(publication) => {
                TaggedRecord::Publication(TaggedPublication::new(publication, tags))
            }
            Record::Grant(grant) => TaggedRecord::Grant(TaggedGrant::new(grant, tags)),
        }
    }
}

impl TaggedPublication {
    /// `publication` with each tag beside the author at its byline position.
    pub fn new(mut publication: Box<Publication>, tags: &[SlotTag]) -> Self {
        let authors = std::mem::take(&mut publication.authors)
            .into_iter()
            .map(|author| TaggedAuthor {
                hcs: tag_at(tags, author.position),
                author,
            })
            .collect();
        TaggedPublication {
            publication,
            authors,
        }
    }
}

impl TaggedGrant {
    /// `grant` with each tag beside the person at its 1-based place in `people`.
    pub fn new(mut grant: Box<Grant>, tags: &[SlotTag]) -> Self {
        let people = std::mem::take(&mut grant.people)
            .into_iter()
            .zip(1u32..)
            .map(|(person, position)| TaggedGrantPerson {
                hcs: tag_at(tags, position),
                person,
            })
            .collect();
        TaggedGrant { grant, people }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcs_model::tags::{Band, BylinePosition, Role, Tier};

    fn tag(score: u8) -> PersonTag {
        PersonTag {
            tier: Tier::Roster,
            person_id: Some("p1".into()),
            discipline: None,
            division: None,
            organisation: None,
            role: Role::Author {
                position: BylinePosition::Last,
                corresponding: false,
            },
            band: Band::Accept,
            score,
            evidence: Vec::new(),
            curated: None,
        }
    }

    #[test]
    fn tags_sit_beside_their_people_and_the_record_keeps_its_shape() {
        let publication = Publication {
            id: "pmid:1".into(),
            title: "T".into(),
            authors: vec![
                Author {
                    position: 1,
                    family: Some("Ames".into()),
                    ..Author::default()
                },
                Author {
                    position: 2,
                    family: Some("Bell".into()),
                    ..Author::default()
                },
            ],
            ..Publication::default()
        };
        let record = Record::Publication(Box::new(publication));
        let plain = serde_json::to_value(&record).unwrap();
        let slot = SlotTag {
            position: 2,
            tag: tag(91),
        };
        let tagged = serde_json::to_value(TaggedRecord::new(record, &[slot])).unwrap();
        assert_eq!(tagged["record_type"], "publication");
        assert_eq!(tagged["authors"][1]["hcs"]["score"], 91);
        assert!(tagged["authors"][0].get("hcs").is_none());
        // Without the tags the JSON is exactly the stored record's.
        let mut untagged = tagged;
        untagged["authors"][1]
            .as_object_mut()
            .unwrap()
            .remove("hcs");
        assert_eq!(untagged, plain);

        let grant = Grant {
            id: "grant:mrc:X".into(),
            people: vec![GrantPerson::default(), GrantPerson::default()],
            ..Grant::default()
        };
        let slot = SlotTag {
            position: 1,
            tag: tag(70),
        };
        let tagged =
            serde_json::to_value(TaggedRecord::new(Record::Grant(Box::new(grant)), &[slot]))
                .unwrap();
        assert_eq!(tagged["record_type"], "grant");
        assert_eq!(tagged["people"][0]["hcs"]["score"], 70);
        assert!(tagged["people"][1].get("hcs").is_none());
    }
}
