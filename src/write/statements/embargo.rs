//! When candidates may see each result (its release, by the series calendar) and how a page
//! says it is held back until then ([`Held`], the embargo mark).

use chrono::DateTime;
use chrono_tz::Tz;
use serde::Serialize;

use crate::model::{CandidateResult, ResultsDay};
use crate::rules::calendar::{Calendar, SeriesDates};

/// When candidates may see `result`: 08:00 London on its qualification's results day (A level and
/// level 3 on the GCE day, GCSE and level 1/2 on the GCSE day); a result whose own results day
/// is not known (an option not in the basedata) on the series' last (in June, the GCSE day).
/// `None` when the series is not in the calendar: the calendar cannot say, and the caller must
/// hold the result back, as [`Releases`] does.
pub fn release_of(
    result: &CandidateResult,
    calendar: &Calendar,
    dates: Option<&SeriesDates>,
) -> Option<DateTime<Tz>> {
    dates.map(|d| calendar.candidate_release_of(d, result))
}

/// The release of every result of a series that is not in the calendar: never, until the series
/// is added. A page held until then says so in words ([`Held`]), not with this date.
pub fn not_in_calendar() -> DateTime<Tz> {
    use chrono::TimeZone;
    chrono_tz::Europe::London
        .with_ymd_and_hms(9999, 12, 31, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<chrono::Utc>::MAX_UTC.with_timezone(&chrono_tz::Europe::London))
}

/// When candidates may see each result of a series, worked out once for each results day: a
/// run asks it for every result on every page. The embargo fails closed: a series not in the
/// calendar holds every result back ([`not_in_calendar`]), and a result whose own results day
/// is unknown waits for the series' last release.
pub struct Releases {
    gce: DateTime<Tz>,
    gcse: DateTime<Tz>,
    last: DateTime<Tz>,
}

impl Releases {
    pub fn new(calendar: &Calendar, dates: Option<&SeriesDates>) -> Releases {
        let Some(d) = dates else {
            let never = not_in_calendar();
            return Releases {
                gce: never,
                gcse: never,
                last: never,
            };
        };
        let gce = calendar.candidate_release(d, ResultsDay::Gce);
        let gcse = calendar.candidate_release(d, ResultsDay::Gcse);
        Releases {
            gce,
            gcse,
            last: gce.max(gcse),
        }
    }

    /// When candidates may see `result`: as [`release_of`] says for a series in the calendar,
    /// and [`not_in_calendar`] for one that is not. Always a time: nothing is released without one.
    pub fn of(&self, result: &CandidateResult) -> Option<DateTime<Tz>> {
        if !crate::rules::calendar::results_day_known(result) {
            return Some(self.last);
        }
        Some(match result.results_day {
            ResultsDay::Gce => self.gce,
            ResultsDay::Gcse => self.gcse,
        })
    }
}

/// Until when a page (or a result) is held back.
#[derive(Serialize)]
pub struct Held {
    /// `08:00 on Thursday 20 August 2026`.
    pub until: String,
    /// `2026-08-20T08:00:00+01:00`; blank when the series is not in the calendar.
    pub until_iso: String,
}

impl Held {
    pub(super) fn at(at: DateTime<Tz>) -> Held {
        if at == not_in_calendar() {
            // "EMBARGOED — not to be released to the candidate before its results day, ..."
            return Held {
                until: "its results day, which is not in the series calendar".to_string(),
                until_iso: String::new(),
            };
        }
        Held {
            until: at.format("%H:%M on %A %-d %B %Y").to_string(),
            until_iso: at.to_rfc3339(),
        }
    }
}
