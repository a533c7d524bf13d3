//! Dates, in one place: a record's date of variable precision as a span of
//! days, partial dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), and the few written
//! forms sources and users give (ISO, `YYYY/MM/DD`, NIHR's `DD/MM/YYYY`).
//! Each entry point keeps the acceptance its caller documents; all of them
//! check the calendar through `time`.

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

/// Parses `YYYY-MM-DD` (surrounding whitespace ignored).
pub fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format).ok()
}

/// Parses exactly ten characters `YYYY-MM-DD`, nothing around them.
pub fn parse_iso_exact(text: &str) -> Option<Date> {
    (text.len() == 10).then(|| parse_date(text)).flatten()
}

/// Parses `Y-M-D` or `Y/M/D` with or without zero padding (dates typed on a
/// command line, or in E-utilities' own `YYYY/MM/DD`).
pub fn parse_date_lenient(text: &str) -> Option<Date> {
    let parts: Vec<&str> = text.trim().split(['-', '/']).collect();
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    calendar_date(year, month, day)
}

/// Parses `YYYY-MM-DD` at the start of a timestamp (`YYYY-MM-DDThh:mm…`) or
/// a British `DD/MM/YYYY`, as NIHR's exports write dates.
pub fn parse_iso_or_dmy(text: &str) -> Option<Date> {
    let text = text.trim();
    if text.get(4..5) == Some("-") && text.get(7..8) == Some("-") {
        return parse_date(text.get(..10)?);
    }
    match text.split('/').collect::<Vec<_>>()[..] {
        [day, month, year] if day.len() == 2 && month.len() == 2 && year.len() == 4 => {
            calendar_date(year, month, day)
        }
        _ => None,
    }
}

/// `date` as `YYYY<separator>MM<separator>DD`.
pub fn format_date(date: Date, separator: char) -> String {
    format!(
        "{:04}{separator}{:02}{separator}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// A checked calendar date from its three written parts.
fn calendar_date(year: &str, month: &str, day: &str) -> Option<Date> {
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !(digits(year) && digits(month) && digits(day)) {
        return None;
    }
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

/// A date written to the precision its source knew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartialDate {
    /// `YYYY`.
    Year(u16),
    /// `YYYY-MM`.
    Month(u16, u8),
    /// `YYYY-MM-DD`.
    Day(Date),
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (four-digit year, two-digit
    /// month and day, a real calendar date).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let number = |part: &str, width: usize| {
            (part.len() == width && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u16>().ok())
                .flatten()
        };
        match text.split('-').collect::<Vec<_>>()[..] {
            [year] => Some(PartialDate::Year(number(year, 4)?)),
            [year, month] => {
                let month = u8::try_from(number(month, 2)?).ok()?;
                (1..=12)
                    .contains(&month)
                    .then(|| number(year, 4).map(|year| PartialDate::Month(year, month)))
                    .flatten()
            }
            [_, month, day] if month.len() == 2 && day.len() == 2 => {
                parse_date(text).map(PartialDate::Day)
            }
            _ => None,
        }
    }

    /// The year written.
    pub fn year(self) -> u16 {
        match self {
            PartialDate::Year(year) | PartialDate::Month(year, _) => year,
            PartialDate::Day(date) => u16::try_from(date.year()).unwrap_or(0),
        }
    }

    /// The days it covers: a year, a month, or the day.
    pub fn span(self) -> DateSpan {
        match self {
            PartialDate::Year(year) => DateSpan::of(year, None),
            PartialDate::Month(year, month) => DateSpan::of(year, Some(month)),
            PartialDate::Day(date) => DateSpan::day(date),
        }
    }
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
    fn each_written_form_has_one_parser_and_checks_the_calendar() {
        let day = parse_date("2024-02-29");
        assert!(day.is_some());
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_iso_exact(" 2024-02-29"), None);
        assert_eq!(parse_iso_exact("2024-02-29"), day);
        assert_eq!(parse_date_lenient("2024/2/29"), day);
        assert_eq!(parse_date_lenient("2024-02-29"), day);
        assert_eq!(parse_date_lenient("2024/02"), None);
        assert_eq!(parse_date_lenient("2024/+2/29"), None);
        assert_eq!(parse_iso_or_dmy("2024-02-29T00:00:00+00:00"), day);
        assert_eq!(parse_iso_or_dmy("29/02/2024"), day);
        assert_eq!(parse_iso_or_dmy("31/02/2024"), None);
        assert_eq!(parse_iso_or_dmy("2/9/2024"), None);
        assert_eq!(format_date(day.unwrap(), '/'), "2024/02/29");
        assert_eq!(PartialDate::parse("2019"), Some(PartialDate::Year(2019)));
        assert_eq!(
            PartialDate::parse("2019-02"),
            Some(PartialDate::Month(2019, 2))
        );
        assert_eq!(PartialDate::parse("2019-02-30"), None);
        assert_eq!(PartialDate::parse("2019-13"), None);
        assert_eq!(PartialDate::parse("2019-2"), None);
        assert_eq!(PartialDate::parse("19"), None);
        assert_eq!(PartialDate::parse("soon"), None);
        assert_eq!(PartialDate::parse("2019-02").unwrap().span().end.day(), 28);
        assert_eq!(PartialDate::parse("2024-02-29").unwrap().year(), 2024);
    }

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
