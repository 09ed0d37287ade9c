//! The series calendar (`data/series.toml`, replaceable by a centre's own `series.toml`): results
//! days, release times and post-results deadlines, and the embargo decisions made from them.
//!
//! [`Calendar`] is here; reading and merging the files is in `load`, the series' dates and
//! ids in `series`, release times and the refusals of dates that would release early or
//! cannot be right in `embargo`, and London time (now, `--as-of`, dates as read) in `clock`.

mod clock;
mod embargo;
mod load;
mod series;
#[cfg(test)]
mod tests;

pub use clock::{
    add_months, london, long_date, long_time, now, now_from, parse_as_of, parse_date, today,
    NOW_VARIABLE,
};
pub use embargo::{refuse_after_today, refuse_as_of_after_today, refuse_before, results_day_known};
pub use load::{BUILTIN_SERIES_TOML, CENTRE_FILE};
pub use series::{
    first_results_date, june_gce_results, last_results_day, november_results, same_series,
    series_id, series_id_of, unknown_series_warning, warn_unknown_series, SeriesDates,
};

use std::collections::BTreeMap;

use chrono::NaiveTime;

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
    pub fn get(&self, id: &str) -> Option<&SeriesDates> {
        self.series.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.series.keys().map(String::as_str)
    }
}
