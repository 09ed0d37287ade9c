//! Release times and the embargo decisions made from them: when a result may reach candidates
//! and third parties, what an `--as-of` would release, and the refusals of an `--as-of` or a
//! date given by hand that would release early or cannot be right.

use chrono::{DateTime, NaiveDate, NaiveTime};
use chrono_tz::Tz;

use super::series::results_date;
use super::{last_results_day, london, long_date, long_time, series_id_of, Calendar, SeriesDates};
use crate::model::{CandidateResult, ResultsDay};

impl Calendar {
    /// When candidates may see a results day's results (08:00 London).
    pub fn candidate_release(&self, dates: &SeriesDates, day: ResultsDay) -> DateTime<Tz> {
        london(results_date(dates, day), self.candidate_release)
    }

    /// When results may go to third parties (the press, the local authority): 09:30 London on
    /// the results day.
    pub fn third_party_release(&self, dates: &SeriesDates, day: ResultsDay) -> DateTime<Tz> {
        london(results_date(dates, day), self.third_party_release)
    }

    /// The results day on which `result` is released. Its own (A level and level 3 on the GCE
    /// day, GCSE and level 1/2 on the GCSE day) where that is known; where it is not (an option
    /// not in the basedata, a qualification not in the qualifications table) the series' last
    /// candidate release, so that it is never released before every other result of the series
    /// (in June, the GCSE day).
    pub fn release_day(&self, dates: &SeriesDates, result: &CandidateResult) -> ResultsDay {
        if results_day_known(result) {
            result.results_day
        } else {
            last_results_day(dates)
        }
    }

    /// When `result` may reach candidates: 08:00 London on its [`Calendar::release_day`].
    pub fn candidate_release_of(
        &self,
        dates: &SeriesDates,
        result: &CandidateResult,
    ) -> DateTime<Tz> {
        self.candidate_release(dates, self.release_day(dates, result))
    }

    /// What the calendar releases after `from` and by `to` (to candidates, and to third
    /// parties), one phrase each, in time order: what an `--as-of` of `to` would release that
    /// the real clock, at `from`, still holds.
    pub fn releases_between(&self, from: DateTime<Tz>, to: DateTime<Tz>) -> Vec<String> {
        let mut found: Vec<(DateTime<Tz>, String)> = Vec::new();
        for dates in self.series.values() {
            let days: &[(ResultsDay, &str)] = if dates.gce_results == dates.gcse_results {
                &[(ResultsDay::Gcse, "")]
            } else {
                &[
                    (ResultsDay::Gce, "A level and level 3 "),
                    (ResultsDay::Gcse, "GCSE and level 1/2 "),
                ]
            };
            for (day, which) in days {
                let at = self.candidate_release(dates, *day);
                if from < at && at <= to {
                    found.push((
                        at,
                        format!(
                            "{which}results of {} to candidates (from {})",
                            dates.name,
                            long_time(at)
                        ),
                    ));
                }
            }
            let at = self.third_party_release(dates, last_results_day(dates));
            if from < at && at <= to {
                found.push((
                    at,
                    format!(
                        "the headline figures of {} to the press and the local authority \
                         (analysis/headline.csv, from {})",
                        dates.name,
                        long_time(at)
                    ),
                ));
            }
        }
        found.sort();
        found.into_iter().map(|(_, what)| what).collect()
    }

    /// Refuses an `--as-of` later than `now` unless `force_release`: `--as-of` may move the
    /// clock back, to repeat a run, but never forward, where it would release what the real
    /// clock still holds. The message says what it would release.
    pub fn refuse_as_of_after_now(
        &self,
        as_of: DateTime<Tz>,
        now: DateTime<Tz>,
        force_release: bool,
    ) -> Result<(), String> {
        if as_of <= now || force_release {
            return Ok(());
        }
        let released = self.releases_between(now, as_of);
        let what = if released.is_empty() {
            "Nothing in the series calendar is released between now and then, but every embargo \
             and deadline would be decided as at a time that has not come"
                .to_string()
        } else {
            format!(
                "It would release what the real clock still holds: {}",
                released.join("; ")
            )
        };
        Err(format!(
            "--as-of {} is later than now ({}). {what}. --as-of may move the clock back, to \
             repeat a run, but not forward. Leave --as-of out to run as of now; to go ahead \
             anyway, add --force-release",
            long_time(as_of),
            long_time(now)
        ))
    }

    /// Refuses an `--as-of` before results could exist for the series `code` (00:01 on the day
    /// before its first results day, when the boards release the files to centres): a date given
    /// by hand that cannot be right, a year out or a typo. A series not in the calendar is not
    /// checked.
    pub fn refuse_as_of_before_files(&self, code: &str, as_of: DateTime<Tz>) -> Result<(), String> {
        let Some(dates) = self.get(&series_id_of(code)) else {
            return Ok(());
        };
        let first = dates.gce_results.min(dates.gcse_results);
        let files = london(
            first.pred_opt().unwrap_or(first),
            NaiveTime::from_hms_opt(0, 1, 0).unwrap_or_default(),
        );
        if as_of >= files {
            return Ok(());
        }
        Err(format!(
            "--as-of {} is before any result of {} ({code}) could have reached the centre: the \
             boards release its results files from {}, and candidates get them from {}. Check \
             the date (the year?)",
            long_time(as_of),
            dates.name,
            long_time(files),
            long_time(london(first, self.candidate_release))
        ))
    }
}

/// Whether `result`'s own results day is known: its option is in the basedata and its
/// qualification in the qualifications table (which gives every qualification it knows a level).
pub fn results_day_known(result: &CandidateResult) -> bool {
    result.level.is_some()
}

/// Refuses a date given by hand (`--on`, `--requested-on`, ...) that is after `today`: what has
/// not happened yet cannot be recorded, and a date a year out is most often a typo.
pub fn refuse_after_today(what: &str, on: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if on <= today {
        return Ok(());
    }
    Err(format!(
        "{what} {on} ({}) is after today ({}): a day that has not come cannot be recorded. \
         Check the date (the year?)",
        long_date(on),
        long_date(today)
    ))
}

/// Refuses a date given by hand that is before `limit`, which is `because` (`the results day of
/// June 2026`).
pub fn refuse_before(
    what: &str,
    on: NaiveDate,
    limit: NaiveDate,
    because: &str,
) -> Result<(), String> {
    if on >= limit {
        return Ok(());
    }
    Err(format!(
        "{what} {on} ({}) is before {because}, {}. Check the date (the year?)",
        long_date(on),
        long_date(limit)
    ))
}

/// Refuses an `--as-of` day after `today` for a command that decides by day (`prs due`, `certs
/// unclaimed`, `certs list`, `certs export`) unless `force_release`: `would` says what it would
/// show before its time.
pub fn refuse_as_of_after_today(
    as_of: NaiveDate,
    today: NaiveDate,
    force_release: bool,
    would: &str,
) -> Result<(), String> {
    if as_of <= today || force_release {
        return Ok(());
    }
    Err(format!(
        "--as-of {} is after today ({}): {would}. --as-of may move the clock back, not forward. \
         Leave --as-of out to use today; to look ahead anyway, add --force-release",
        long_date(as_of),
        long_date(today)
    ))
}
