//! The series calendar (`data/series.toml`, replaceable by a centre's own `series.toml`): results
//! days, release times and post-results deadlines, and the embargo decisions made from them.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Europe::London;
use chrono_tz::Tz;
use serde::Deserialize;

use crate::model::ResultsDay;

/// The calendar shipped with resultsday.
pub const BUILTIN_SERIES_TOML: &str = include_str!("../data/series.toml");

/// One series' dates.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SeriesDates {
    pub name: String,
    pub gce_results: NaiveDate,
    pub gcse_results: NaiveDate,
    pub priority_s2_deadline: Option<NaiveDate>,
    pub ror_deadline: NaiveDate,
    pub ats_deadline: Option<NaiveDate>,
    pub late_award_wales_ni: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize)]
struct Defaults {
    candidate_release_time: String,
    third_party_release_time: String,
}

#[derive(Debug, Deserialize)]
struct CalendarFile {
    defaults: Option<Defaults>,
    #[serde(default)]
    series: BTreeMap<String, SeriesDates>,
}

/// The calendar: every known series by id (`2026-06`).
#[derive(Debug, Clone)]
pub struct Calendar {
    series: BTreeMap<String, SeriesDates>,
    candidate_release: NaiveTime,
    third_party_release: NaiveTime,
}

/// An error in a calendar file.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CalendarError {
    pub file: String,
    pub message: String,
}

impl Calendar {
    /// The built-in calendar.
    pub fn builtin() -> Calendar {
        let mut c = Calendar {
            series: BTreeMap::new(),
            candidate_release: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default(),
            third_party_release: NaiveTime::from_hms_opt(9, 30, 0).unwrap_or_default(),
        };
        // The built-in file is tested; it always parses.
        let _ = c.merge(BUILTIN_SERIES_TOML, "built-in series.toml");
        c
    }

    /// The built-in calendar with a centre's `series.toml` laid over it, if one is given.
    pub fn load(user_file: Option<&Path>) -> Result<Calendar, CalendarError> {
        let mut c = Calendar::builtin();
        if let Some(path) = user_file {
            let text = std::fs::read_to_string(path).map_err(|e| CalendarError {
                file: path.display().to_string(),
                message: crate::inputs::describe_io(&e),
            })?;
            c.merge(&text, &path.display().to_string())?;
        }
        Ok(c)
    }

    fn merge(&mut self, text: &str, file: &str) -> Result<(), CalendarError> {
        let parsed: CalendarFile = toml::from_str(text).map_err(|e| CalendarError {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        if let Some(d) = parsed.defaults {
            let time = |s: &str| {
                NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| CalendarError {
                    file: file.to_string(),
                    message: format!("expected a time HH:MM, found '{s}'"),
                })
            };
            self.candidate_release = time(&d.candidate_release_time)?;
            self.third_party_release = time(&d.third_party_release_time)?;
        }
        self.series.extend(parsed.series);
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&SeriesDates> {
        self.series.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.series.keys().map(String::as_str)
    }

    /// When candidates may see a results day's results (08:00 London).
    pub fn candidate_release(&self, dates: &SeriesDates, day: ResultsDay) -> DateTime<Tz> {
        london(results_date(dates, day), self.candidate_release)
    }

    /// When results may go to third parties (the press, the local authority): 09:30 London on
    /// the results day.
    pub fn third_party_release(&self, dates: &SeriesDates, day: ResultsDay) -> DateTime<Tz> {
        london(results_date(dates, day), self.third_party_release)
    }
}

fn results_date(dates: &SeriesDates, day: ResultsDay) -> NaiveDate {
    match day {
        ResultsDay::Gce => dates.gce_results,
        ResultsDay::Gcse => dates.gcse_results,
    }
}

/// A London wall-clock time as an instant. London results days are in summer and winter alike;
/// an ambiguous or skipped local time (the clock change) takes the earlier reading.
pub fn london(date: NaiveDate, time: NaiveTime) -> DateTime<Tz> {
    let local = NaiveDateTime::new(date, time);
    match London.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t,
        chrono::LocalResult::Ambiguous(a, _) => a,
        chrono::LocalResult::None => London.from_utc_datetime(&local),
    }
}

/// The series id (`2026-06`) for a JCQ series code (`6A26`): month character, series letter,
/// two-digit year. `None` if the code is not of that shape.
pub fn series_id(code: &str) -> Option<String> {
    let b = code.as_bytes();
    if b.len() < 4 || !b[2].is_ascii_digit() || !b[3].is_ascii_digit() {
        return None;
    }
    let month = match b[0].to_ascii_uppercase() {
        c @ b'1'..=b'9' => u32::from(c - b'0'),
        b'A' => 10,
        b'B' => 11,
        b'C' => 12,
        _ => return None,
    };
    let year = 2000 + u32::from(b[2] - b'0') * 10 + u32::from(b[3] - b'0');
    Some(format!("{year}-{month:02}"))
}

/// Whether two series names, each a code (`6A26`) or an id (`2026-06`), are the same series.
pub fn same_series(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a.eq_ignore_ascii_case(b) || series_id_of(a) == series_id_of(b)
}

/// The calendar id of a series named by code (`6A26` → `2026-06`) or already by id.
pub fn series_id_of(series: &str) -> String {
    let b = series.as_bytes();
    let is_id =
        b.len() == 7 && b[4] == b'-' && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit);
    if is_id {
        series.to_string()
    } else {
        series_id(series).unwrap_or_else(|| series.to_string())
    }
}

/// A date written `YYYY-MM-DD` exactly (not `2026-8-1`, which a spreadsheet may have
/// reformatted from something else).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// `date` plus `months` calendar months; a day the month lacks becomes its last day
/// (2028-02-29 + 12 months = 2029-02-28). Saturates at the last date chrono knows.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(chrono::Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// Parses `--as-of`: an ISO 8601 date-time in Europe/London (`2026-08-20T07:59`), with or
/// without seconds, or with an offset (`2026-08-20T06:59Z`, `2026-08-20T07:59:30+01:00`), which
/// then says which instant it is; or a date alone (midnight).
pub fn parse_as_of(text: &str) -> Result<DateTime<Tz>, String> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&London));
    }
    // RFC 3339 needs seconds; ISO 8601 does not. `Z` is the offset +00:00.
    let offset_text = match text.strip_suffix(['Z', 'z']) {
        Some(rest) => format!("{rest}+00:00"),
        None => text.to_string(),
    };
    for format in [
        "%Y-%m-%dT%H:%M:%S%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(&offset_text, format) {
            return Ok(t.with_timezone(&London));
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(london(local.date(), local.time()));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(london(date, NaiveTime::MIN));
    }
    Err(format!(
        "'{text}' is not a date and time: expected ISO 8601 such as 2026-08-20T07:59 (Europe/London)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_codes_map_to_ids() {
        assert_eq!(series_id("6A26").as_deref(), Some("2026-06"));
        assert_eq!(series_id("BG25").as_deref(), Some("2025-11"));
        assert_eq!(series_id("6a26").as_deref(), Some("2026-06"));
        assert_eq!(series_id("1A26").as_deref(), Some("2026-01"));
        assert_eq!(series_id("ZZ26"), None);
        assert_eq!(series_id("6A"), None);
    }

    #[test]
    fn builtin_calendar_has_three_summers_and_novembers() {
        let c = Calendar::builtin();
        for id in [
            "2024-06", "2024-11", "2025-06", "2025-11", "2026-06", "2026-11",
        ] {
            assert!(c.get(id).is_some(), "{id}");
        }
        let june = c.get("2026-06").unwrap();
        assert_eq!(
            june.gce_results,
            NaiveDate::from_ymd_opt(2026, 8, 13).unwrap()
        );
        assert_eq!(
            june.gcse_results,
            NaiveDate::from_ymd_opt(2026, 8, 20).unwrap()
        );
        assert_eq!(
            june.ror_deadline,
            NaiveDate::from_ymd_opt(2026, 9, 24).unwrap()
        );
    }

    #[test]
    fn release_is_eight_o_clock_london_in_summer() {
        let c = Calendar::builtin();
        let june = c.get("2026-06").unwrap();
        let at = c.candidate_release(june, ResultsDay::Gcse);
        // BST: 08:00 London is 07:00 UTC.
        assert_eq!(at.naive_utc().to_string(), "2026-08-20 07:00:00");
        let nov = c.get("2025-11").unwrap();
        // GMT in January: 08:00 London is 08:00 UTC.
        assert_eq!(
            c.candidate_release(nov, ResultsDay::Gcse)
                .naive_utc()
                .to_string(),
            "2026-01-08 08:00:00"
        );
        assert_eq!(
            c.third_party_release(june, ResultsDay::Gce)
                .naive_utc()
                .to_string(),
            "2026-08-13 08:30:00"
        );
    }

    #[test]
    fn a_centre_file_adds_a_year_and_corrects_a_date() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("series.toml");
        std::fs::write(
            &path,
            "[series.\"2027-06\"]\nname = \"June 2027\"\ngce_results = \"2027-08-12\"\n\
             gcse_results = \"2027-08-19\"\nror_deadline = \"2027-09-23\"\n",
        )
        .unwrap();
        let c = Calendar::load(Some(&path)).unwrap();
        assert_eq!(c.get("2027-06").unwrap().name, "June 2027");
        assert!(c.get("2026-06").is_some());
        std::fs::write(&path, "[series.\"2027-06\"]\nname = 3\n").unwrap();
        let err = Calendar::load(Some(&path)).unwrap_err();
        assert!(err.to_string().contains("series.toml"));
    }

    #[test]
    fn as_of_reads_london_time() {
        let t = parse_as_of("2026-08-20T07:59").unwrap();
        assert_eq!(t.naive_utc().to_string(), "2026-08-20 06:59:00");
        let t = parse_as_of("2026-08-20T07:59:00+01:00").unwrap();
        assert_eq!(t.naive_utc().to_string(), "2026-08-20 06:59:00");
        assert!(parse_as_of("20 August").is_err());
        // An offset, with or without seconds, names the instant: 06:59 UTC is 07:59 BST.
        for text in [
            "2026-08-20T06:59Z",
            "2026-08-20T06:59:00Z",
            "2026-08-20T06:59:00z",
            "2026-08-20T07:59+01:00",
            "2026-08-20 06:59+00:00",
        ] {
            let t = parse_as_of(text).unwrap();
            assert_eq!(t.naive_utc().to_string(), "2026-08-20 06:59:00", "{text}");
            assert_eq!(t.naive_local().to_string(), "2026-08-20 07:59:00", "{text}");
        }
        // In January London is on GMT: 08:00Z is 08:00 London.
        let t = parse_as_of("2026-01-08T08:00Z").unwrap();
        assert_eq!(t.naive_local().to_string(), "2026-01-08 08:00:00");
        assert!(parse_as_of("2026-08-20T06:59+1").is_err());
        assert!(parse_as_of("2026-08-20T25:00Z").is_err());
        assert_eq!(
            parse_as_of("2026-10-25").unwrap().naive_utc().to_string(),
            "2026-10-24 23:00:00"
        );
    }
}
