//! PubMed's date elements: `Year`/`Month`/`Day`, `Season`, and the free-text
//! `MedlineDate` ("1998 Dec-1999 Jan", "2000 Spring-Summer").

use hcs_model::records::PublicationDate;

/// The parts of one date element as read, before interpretation.
#[derive(Debug, Default, Clone)]
pub(super) struct DateParts {
    pub year: Option<String>,
    pub month: Option<String>,
    pub day: Option<String>,
    pub season: Option<String>,
    pub medline_date: Option<String>,
}

impl DateParts {
    /// Interprets the parts, or `None` when no year can be found.
    pub fn to_publication_date(&self) -> Option<PublicationDate> {
        if let Some(year) = self.year.as_deref().and_then(parse_year) {
            let month = self.month.as_deref().and_then(parse_month);
            let day = month
                .and(self.day.as_deref())
                .and_then(|d| d.trim().parse::<u8>().ok())
                .filter(|d| (1..=31).contains(d));
            return Some(PublicationDate {
                year,
                month,
                day,
                season: self.season.clone(),
                raw: None,
            });
        }
        let raw = self.medline_date.as_deref()?;
        let (year, month) = parse_medline_date(raw)?;
        Some(PublicationDate {
            year,
            month,
            day: None,
            season: None,
            raw: Some(raw.to_owned()),
        })
    }
}

fn parse_year(text: &str) -> Option<u16> {
    let text = text.trim();
    (text.len() == 4)
        .then(|| text.parse::<u16>().ok())
        .flatten()
        .filter(|y| (1000..=2999).contains(y))
}

/// Parses "Jan", "January", "01" or "1" into 1–12.
pub(super) fn parse_month(text: &str) -> Option<u8> {
    let text = text.trim();
    if let Ok(number) = text.parse::<u8>() {
        return (1..=12).contains(&number).then_some(number);
    }
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let prefix = text.get(..3)?.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == prefix)
        .map(|index| index as u8 + 1)
}

/// Takes the first four-digit year, and the month right after it if there is one.
fn parse_medline_date(raw: &str) -> Option<(u16, Option<u8>)> {
    let bytes = raw.as_bytes();
    let year_start = (0..bytes.len().saturating_sub(3)).find(|&i| {
        bytes[i..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit())
    })?;
    let year = parse_year(&raw[year_start..year_start + 4])?;
    let month = raw[year_start + 4..]
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .find(|token| !token.is_empty())
        .and_then(|token| token.get(..3))
        .and_then(|token| token.parse::<u8>().is_err().then(|| parse_month(token)))
        .flatten();
    Some((year, month))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn medline(raw: &str) -> Option<PublicationDate> {
        DateParts {
            medline_date: Some(raw.to_owned()),
            ..DateParts::default()
        }
        .to_publication_date()
    }

    #[test]
    fn medline_dates_yield_year_and_month() {
        let date = medline("1998 Dec-1999 Jan").expect("year");
        assert_eq!((date.year, date.month), (1998, Some(12)));
        assert_eq!(date.raw.as_deref(), Some("1998 Dec-1999 Jan"));
        let date = medline("2000 Spring-Summer").expect("year");
        assert_eq!((date.year, date.month), (2000, None));
        let date = medline("1975-1976").expect("year");
        assert_eq!((date.year, date.month), (1975, None));
        assert!(medline("Spring").is_none());
    }

    #[test]
    fn structured_dates_accept_names_and_numbers() {
        let date = DateParts {
            year: Some("2019".into()),
            month: Some("Apr".into()),
            day: Some("09".into()),
            ..DateParts::default()
        }
        .to_publication_date()
        .expect("year");
        assert_eq!((date.year, date.month, date.day), (2019, Some(4), Some(9)));
        assert_eq!(parse_month("11"), Some(11));
        assert_eq!(parse_month("September"), Some(9));
        assert_eq!(parse_month("13"), None);
        let seasonal = DateParts {
            year: Some("2007".into()),
            season: Some("Spring".into()),
            ..DateParts::default()
        }
        .to_publication_date()
        .expect("year");
        assert_eq!(seasonal.season.as_deref(), Some("Spring"));
    }
}
