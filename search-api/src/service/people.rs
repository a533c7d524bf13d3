//! The people a participation cell counts, as the collaborator finder's
//! JSON and its page both list them.

use hcs_read::people::{counted_in, CountedPerson, GroupDimension};
use serde::Deserialize;

use crate::error::ApiError;
use crate::params::{blank_is_absent, Year};
use crate::query::{Filters, RecordKind, SearchParams};
use crate::routes::search::Format;
use crate::state::AppState;

/// `/api/people` parameters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeopleParams {
    /// The topic, in search syntax (or name a group instead).
    pub(crate) q: Option<String>,
    /// People returned (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub(crate) limit: Option<usize>,
    /// json (the default) or csv.
    #[serde(default, deserialize_with = "blank_is_absent")]
    #[param(inline)]
    pub(crate) format: Option<Format>,
    /// Without q: the people counted under this organisation.
    pub(crate) organisation: Option<String>,
    /// Without q: the people counted under this division.
    pub(crate) division: Option<String>,
    /// Without q: the people counted under this discipline.
    pub(crate) discipline: Option<String>,
    /// With a group: the first year of the records counted.
    #[serde(default, deserialize_with = "blank_is_absent")]
    #[param(inline)]
    pub(crate) year_from: Option<Year>,
    /// With a group: the last year of the records counted.
    #[serde(default, deserialize_with = "blank_is_absent")]
    #[param(inline)]
    pub(crate) year_to: Option<Year>,
}

impl PeopleParams {
    /// The group a people list is for, when one is named (and no topic).
    pub(crate) fn group(&self) -> Option<(GroupDimension, &'static str, &str)> {
        fn named(value: &Option<String>) -> Option<&str> {
            value
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
        }
        [
            (
                GroupDimension::Organisation,
                "organisation",
                &self.organisation,
            ),
            (GroupDimension::Division, "division", &self.division),
            (GroupDimension::Discipline, "discipline", &self.discipline),
        ]
        .into_iter()
        .find_map(|(dimension, name, value)| named(value).map(|value| (dimension, name, value)))
    }
}

/// A people list asked for: the group and the period, as search filters.
#[derive(Debug, Clone)]
pub struct GroupList {
    /// Which attribute.
    pub dimension: GroupDimension,
    /// Its parameter name (`organisation`, `division`, `discipline`).
    pub name: &'static str,
    /// The value asked for.
    pub value: String,
    filters: Filters,
}

impl GroupList {
    /// The list `params` asks for, or a 400 when they name no group.
    pub fn from_params(params: &PeopleParams) -> Result<Self, ApiError> {
        let Some((dimension, name, value)) = params.group() else {
            return Err(ApiError::InvalidParameter(
                "q is required: the topic to find people for (or organisation, division or \
                 discipline, for the people counted there)"
                    .into(),
            ));
        };
        let mut filters = Filters {
            hcs: vec!["roster".into()],
            year_from: params.year_from.map(|Year(year)| u64::from(year)),
            year_to: params.year_to.map(|Year(year)| u64::from(year)),
            ..Filters::default()
        };
        let values = vec![value.to_owned()];
        match dimension {
            GroupDimension::Organisation => filters.organisations = values,
            GroupDimension::Division => filters.divisions = values,
            GroupDimension::Discipline => filters.disciplines = values,
        }
        Ok(GroupList {
            dimension,
            name,
            value: value.to_owned(),
            filters,
        })
    }

    /// The people counted in the group (a participation cell's "people
    /// conducting"): every accepted roster person whose tag on a record of
    /// the period puts them there, with how many such records (blocking).
    pub fn people(&self, state: &AppState) -> Result<Vec<CountedPerson>, ApiError> {
        let searcher = state.searcher();
        let mut hits = Vec::new();
        for kind in [RecordKind::Publication, RecordKind::Grant] {
            let params = SearchParams {
                kind,
                filters: self.filters.clone(),
                ..SearchParams::default()
            };
            hits.extend(
                state
                    .engine()
                    .export(&searcher, state.store(), &params)?
                    .hits,
            );
        }
        Ok(counted_in(
            hits.iter().map(|hit| (&hit.record, hit.tags.as_slice())),
            self.dimension,
            &self.value,
        ))
    }
}
