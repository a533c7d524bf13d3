//! Query-string values as the API and the pages both read them: an empty
//! form box is absent, a year has four digits, a choice names one of its
//! options, and a refusal names the parameter.

use crate::error::ApiError;

/// A form's empty box means "not given", as if the parameter were absent.
pub fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|text| !text.is_empty())
}

/// A four-digit year parameter; an empty value is absent. Search reads its
/// year filters more loosely (see `routes::search`), for compatibility.
pub fn year(parameter: &str, value: Option<&str>) -> Result<Option<u16>, ApiError> {
    given(value)
        .map(|text| {
            text.trim()
                .parse::<u16>()
                .ok()
                .filter(|year| (1000..=9999).contains(year))
                .ok_or_else(|| {
                    ApiError::InvalidParameter(format!("{parameter} must be a four-digit year"))
                })
        })
        .transpose()
}

/// The option named `value` (`default` when absent), or a 400 listing the options.
pub fn choice<T: Copy>(
    parameter: &str,
    value: Option<&str>,
    default: T,
    options: &[(&str, T)],
) -> Result<T, ApiError> {
    let Some(value) = given(value) else {
        return Ok(default);
    };
    options
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, choice)| *choice)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
            ApiError::InvalidParameter(format!("{parameter} must be one of {}", names.join(", ")))
        })
}
