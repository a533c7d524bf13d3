//! What tagging says about one person on one record: the serde model that
//! `indexer export` prints beside each author and grant person.

use serde::{Deserialize, Serialize};

/// Which tier made the tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Tier {
    /// Tier 1: matched to a person on the Network's roster.
    Roster,
    /// Tier 2: not on the roster; a possible healthcare scientist from the affiliation alone.
    Inferred,
}

/// How sure the tag is, in ReCiter's three bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Band {
    /// Counted: the score reached the accept threshold, or a curator accepted it.
    Accept,
    /// Shown for a curator to decide; not counted as fact.
    Review,
    /// Too weak to show; exported never, returned only to evaluation sweeps.
    Reject,
}

/// Where an author stands in the byline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BylinePosition {
    /// The only author.
    Sole,
    /// First of several.
    First,
    /// Last of several.
    Last,
    /// Any other place.
    Middle,
}

/// What a grant role amounts to for the Network's measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GrantRoleCategory {
    /// PI, chief investigator, lead or joint lead applicant, fellow, award holder.
    Leadership,
    /// Co-investigator, co-applicant.
    CoApplicant,
    /// Any other published role (project manager, team member, supervisor…): conducting research.
    Other,
}

/// The person's role on the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// An author of a publication.
    Author {
        /// Place in the byline.
        position: BylinePosition,
        /// The author published an e-mail address: the corresponding author.
        corresponding: bool,
    },
    /// A person on a grant.
    Grant {
        /// Leadership, co-applicant or other.
        category: GrantRoleCategory,
        /// The role exactly as the funder published it.
        published: String,
    },
}

impl Role {
    /// First, last (a sole author is both) or corresponding author: measure (c)'s key authorship.
    pub fn is_key_author(&self) -> bool {
        matches!(
            self,
            Role::Author {
                position: BylinePosition::First | BylinePosition::Last | BylinePosition::Sole,
                ..
            } | Role::Author {
                corresponding: true,
                ..
            }
        )
    }

    /// The values search filters on for this role (the index's `hcs_role` terms).
    pub fn filter_terms(&self) -> Vec<&'static str> {
        match self {
            Role::Grant { category, .. } => vec![match category {
                GrantRoleCategory::Leadership => "leadership",
                GrantRoleCategory::CoApplicant => "co_applicant",
                GrantRoleCategory::Other => "other",
            }],
            Role::Author {
                position,
                corresponding,
            } => {
                let mut terms = vec!["author"];
                if matches!(position, BylinePosition::First | BylinePosition::Sole) {
                    terms.push("first");
                }
                if matches!(position, BylinePosition::Last | BylinePosition::Sole) {
                    terms.push("last");
                }
                if *corresponding {
                    terms.push("corresponding");
                }
                if self.is_key_author() {
                    terms.push("key_author");
                }
                terms
            }
        }
    }
}

/// Every value [`Role::filter_terms`] can give, grant roles first.
pub const ROLE_FILTER_TERMS: [&str; 8] = [
    "leadership",
    "co_applicant",
    "other",
    "author",
    "first",
    "last",
    "corresponding",
    "key_author",
];

/// The organisation a tag counts under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaggedOrganisation {
    /// Gazetteer key (ODS code or slug); absent for employers outside the gazetteer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Current name, used when counting.
    pub name: String,
    /// The name as published on the record (the phrase that matched), when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

/// One piece of evidence: a feature that fired, what it saw, and its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evidence {
    /// Feature name (e.g. `orcid`, `given_name`, `organisation`, `department`, `medical_title`).
    pub feature: String,
    /// What was compared, in public terms (never a roster e-mail or registration number).
    pub value: String,
    /// Contribution to the log-odds score (positive for, negative against).
    pub points: f64,
}

/// The tag on one author or grant person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonTag {
    /// Roster match or inference.
    pub tier: Tier,
    /// The roster person (tier 1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// Discipline from the taxonomy, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    /// Division from the taxonomy, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// Organisation counted under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<TaggedOrganisation>,
    /// Role on the record.
    pub role: Role,
    /// Accept, review or reject.
    pub band: Band,
    /// 0–100: 100 × the logistic of the summed evidence points.
    pub score: u8,
    /// Every feature that fired.
    pub evidence: Vec<Evidence>,
    /// A curator's decision, when one overrides the scorer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curated: Option<String>,
}

impl PersonTag {
    /// How the tag counts in the figures: `roster` for an accepted roster
    /// match, `inferred` for a possible healthcare scientist not rejected;
    /// `None` for a roster match under review or any rejected tag.
    pub fn counted_as(&self) -> Option<&'static str> {
        match (self.tier, self.band) {
            (Tier::Roster, Band::Accept) => Some("roster"),
            (Tier::Inferred, Band::Accept | Band::Review) => Some("inferred"),
            _ => None,
        }
    }
}

/// A tag with the place it belongs: the author's byline position, or the
/// grant person's 1-based place in the grant's people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotTag {
    /// 1-based position (byline position for authors; index in `people` for grants).
    pub position: u32,
    /// The tag.
    pub tag: PersonTag,
}

/// 0–100 from summed log-odds points.
pub fn score_of(points: f64) -> u8 {
    let probability = 1.0 / (1.0 + (-points).exp());
    (probability * 100.0).round().clamp(0.0, 100.0) as u8
}
