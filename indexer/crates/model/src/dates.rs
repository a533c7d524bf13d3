//! Dates as tagging compares them: a record's date of variable precision
//! as a span of days, and the `YYYY-MM-DD` dates of the data files.

use time::{Date, Duration, Month};

/// A record's date as a span of days: a year-only date covers the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
}

impl DateSpan {
    /// The span of a year, or of a month of it.
    pub fn of(year: u16, month: Option<u8>) -> Self {
        let year = i32::from(year);
        let month = month.and_then(|m| Month::try_from(m).ok());
        let first = |m: Month| Date::from_calendar_date(year, m, 1).unwrap_or(Date::MIN);
        match month {
            Some(month) => {
                let start = first(month);
                let end =
                    Date::from_calendar_date(year, month, month.length(year)).unwrap_or(start);
                DateSpan { start, end }
            }
            None => DateSpan {
                start: first(Month::January),
                end: Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MAX),
            },
        }
    }

    /// A single day.
    pub fn day(date: Date) -> Self {
        DateSpan {
            start: date,
            end: date,
        }
    }

    /// True when the span shares a day with `[from, until]` (open ends unbounded).
    pub fn overlaps(&self, from: Option<Date>, until: Option<Date>) -> bool {
        from.is_none_or(|from| self.end >= from) && until.is_none_or(|until| self.start <= until)
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format).ok()
}

/// Years after a change (a post left, a name retired) during which papers
/// still carry the old affiliation: the time from work to print.
pub const PUBLICATION_LAG_YEARS: i64 = 2;

/// `date` plus a lag of whole years (as days, so 29 February has no trouble).
pub fn after_years(date: Date, years: i64) -> Date {
    date.checked_add(Duration::days(365 * years + years / 4))
        .unwrap_or(Date::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_only_dates_overlap_periods_that_touch_the_year() {
        let year = DateSpan::of(2019, None);
        let until_march = parse_date("2019-03-31");
        let from_april = parse_date("2019-04-01");
        assert!(year.overlaps(None, until_march));
        assert!(year.overlaps(from_april, None));
        let june = DateSpan::of(2019, Some(6));
        assert!(!june.overlaps(None, until_march));
        assert_eq!(june.end, parse_date("2019-06-30").unwrap());
        assert_eq!(DateSpan::of(2020, Some(2)).end.day(), 29);
    }
}
