//! Query-string values as the API and the pages both read them: an empty
//! form box is absent, a year has four digits, a choice is one of its enum's
//! names, and a refusal names the parameter (see [`crate::extract`]).

use serde::de::value::StrDeserializer;
use serde::de::{Error as _, Unexpected};
use serde::{Deserialize, Deserializer};

/// A form's empty box means "not given", as if the parameter were absent.
pub fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|text| !text.is_empty())
}

/// A four-digit year, as a query parameter gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Year(pub u16);

impl utoipa::PartialSchema for Year {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .minimum(Some(1000))
            .maximum(Some(9999))
            .into()
    }
}

impl utoipa::ToSchema for Year {}

impl<'de> Deserialize<'de> for Year {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.trim()
            .parse::<u16>()
            .ok()
            .filter(|year| (1000..=9999).contains(year))
            .map(Year)
            .ok_or_else(|| D::Error::invalid_value(Unexpected::Str(&text), &"a four-digit year"))
    }
}

/// `deserialize_with` for a value typed by its name (a choice, a year): an
/// empty form box is absent, as [`given`] reads it; anything else must be a
/// `T`, and serde's refusal names the parameter and what it takes.
pub fn blank_is_absent<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let text = Option::<String>::deserialize(deserializer)?;
    given(text.as_deref())
        .map(|text| T::deserialize(StrDeserializer::<D::Error>::new(text)))
        .transpose()
}
