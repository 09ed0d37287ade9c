//! The series: their dates as the calendar holds them ([`SeriesDates`]), their ids (`6A26` is
//! `2026-06`), the dates the rules derive for a series, and what a run says of a series the
//! calendar does not know.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::model::ResultsDay;

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

/// The series' last candidate results day: in June the GCSE day (the GCE day should a series
/// ever put it later).
pub fn last_results_day(dates: &SeriesDates) -> ResultsDay {
    if dates.gce_results > dates.gcse_results {
        ResultsDay::Gce
    } else {
        ResultsDay::Gcse
    }
}

pub(super) fn results_date(dates: &SeriesDates, day: ResultsDay) -> NaiveDate {
    match day {
        ResultsDay::Gce => dates.gce_results,
        ResultsDay::Gcse => dates.gcse_results,
    }
}

/// The series' first candidate results day (in June the GCE day).
pub fn first_results_date(dates: &SeriesDates) -> NaiveDate {
    dates.gce_results.min(dates.gcse_results)
}

/// The GCE results day of a June series by the pattern of 2022 to 2026 [A]: the Thursday from
/// 12 to 18 August (the GCSE day a week later).
pub fn june_gce_results(year: i32) -> Option<NaiveDate> {
    (12..=18)
        .filter_map(|d| NaiveDate::from_ymd_opt(year, 8, d))
        .find(|d| d.weekday() == chrono::Weekday::Thu)
}

/// The results day of a November series by the pattern of 2022 to 2026 [A]: the second
/// Thursday of the January after.
pub fn november_results(year: i32) -> Option<NaiveDate> {
    (8..=14)
        .filter_map(|d| NaiveDate::from_ymd_opt(year + 1, 1, d))
        .find(|d| d.weekday() == chrono::Weekday::Thu)
}

/// Says [`unknown_series_warning`] on the terminal (stderr), once for each series however many
/// centres of a folder have it.
pub fn warn_unknown_series(code: &str) {
    static SAID: std::sync::Mutex<BTreeMap<String, ()>> = std::sync::Mutex::new(BTreeMap::new());
    let first = SAID
        .lock()
        .map(|mut said| said.insert(code.to_string(), ()).is_none())
        .unwrap_or(true);
    if first {
        // The code comes from the files: shown escaped. The example is resultsday's own text,
        // on lines of its own.
        let text = unknown_series_warning(&crate::messages::escape_terminal(code));
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("resultsday: warning: {text}").as_bytes(),
        );
    }
}

/// What a run says of a series the calendar does not know: that it is held under embargo, and
/// how to add it, with an example table (dates derived by the rules of post-results-rules §2.1,
/// to be checked against JCQ's key dates). Several lines.
pub fn unknown_series_warning(code: &str) -> String {
    let id = series_id_of(code);
    let mut text = format!(
        "series {code}{} is not in the series calendar, so it is treated as still under \
         embargo: every statement is marked EMBARGOED and analysis/headline.csv (for the press \
         and the local authority) is held back. If it is a new series, add it to a series.toml \
         in the results folder (or the working folder), then run again; if the code is a typo, \
         correct the file. For example:\n",
        if id == code {
            String::new()
        } else {
            format!(" ({id})")
        }
    );
    let shaped = id.len() == 7 && id.as_bytes()[4] == b'-';
    let year: Option<i32> = id.get(..4).and_then(|y| y.parse().ok()).filter(|_| shaped);
    let month: Option<u32> = id.get(5..).and_then(|m| m.parse().ok()).filter(|_| shaped);
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let example = match (year, month) {
        (Some(y), Some(6)) => june_gce_results(y).map(|gce| {
            let gcse = gce + chrono::Days::new(7);
            format!(
                "\n[series.\"{id}\"]\nname = \"June {y}\"\n\
                 gce_results = \"{}\"           # check against JCQ's key dates\n\
                 gcse_results = \"{}\"\n\
                 priority_s2_deadline = \"{}\"  # GCE results day + 7\n\
                 ror_deadline = \"{}\"          # GCE results day + 42\n\
                 ats_deadline = \"{}\"\n",
                day(gce),
                day(gcse),
                day(gce + chrono::Days::new(7)),
                day(gce + chrono::Days::new(42)),
                day(gce + chrono::Days::new(42)),
            )
        }),
        (Some(y), Some(11)) => november_results(y).map(|on| {
            format!(
                "\n[series.\"{id}\"]\nname = \"November {y}\"\n\
                 gce_results = \"{}\"           # one results day in November; check it\n\
                 gcse_results = \"{}\"\n\
                 ror_deadline = \"{}\"\n",
                day(on),
                day(on),
                day(on + chrono::Days::new(35)),
            )
        }),
        _ => None,
    };
    text.push_str(&example.unwrap_or_else(|| {
        format!(
            "\n[series.\"{id}\"]\nname = \"...\"\n\
             gce_results = \"YYYY-MM-DD\"    # A level and level 3 results day\n\
             gcse_results = \"YYYY-MM-DD\"   # GCSE and level 1/2 results day\n\
             ror_deadline = \"YYYY-MM-DD\"   # reviews of marking\n"
        )
    }));
    text
}
