//! Wall-clock timestamps for provenance.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The current UTC time as RFC 3339 (e.g. `2026-11-21T10:00:00Z`), whole seconds.
pub fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&Rfc3339)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

/// The current UTC year (for weighting records by age).
pub fn current_year() -> u16 {
    u16::try_from(OffsetDateTime::now_utc().year()).unwrap_or(u16::MAX)
}
