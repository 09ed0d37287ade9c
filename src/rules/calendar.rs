//! The series calendar (`data/series.toml`, replaceable by a centre's own `series.toml`): results
//! days, release times and post-results deadlines, and the embargo decisions made from them.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Europe::London;
use chrono_tz::Tz;
use serde::Deserialize;

use crate::model::{CandidateResult, ResultsDay};

/// The name of a centre's own calendar file.
pub const CENTRE_FILE: &str = "series.toml";

/// The calendar shipped with resultsday.
pub const BUILTIN_SERIES_TOML: &str = include_str!("../../data/series.toml");

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

    /// The built-in calendar with a centre's `series.toml` laid over it, if one is given. The
    /// centre's file may add series and correct dates, but may not release any result earlier
    /// than the built-in calendar does for a series it knows (see [`Calendar::load_with`]).
    pub fn load(user_file: Option<&Path>) -> Result<Calendar, CalendarError> {
        Calendar::load_with(user_file, false)
    }

    /// The built-in calendar with the centre's own `series.toml` over it, if it has one: in
    /// `dir`, else the working folder (with no `dir`, the working folder only).
    /// `accept_earlier` as in [`Calendar::load_with`].
    pub fn centre(dir: Option<&Path>, accept_earlier: bool) -> Result<Calendar, CalendarError> {
        Calendar::load_with(
            super::settings_file(dir, CENTRE_FILE).as_deref(),
            accept_earlier,
        )
    }

    /// [`Calendar::load`], where `force_release` (`--force-release`) lets a centre's file
    /// release results earlier than the built-in calendar: a results day moved earlier, or an
    /// earlier `candidate_release_time` or `third_party_release_time`. Without it such a file is
    /// refused, naming the field, the built-in value and the centre's; with it each is warned of.
    pub fn load_with(
        user_file: Option<&Path>,
        force_release: bool,
    ) -> Result<Calendar, CalendarError> {
        let mut c = Calendar::builtin();
        if let Some(path) = user_file {
            let text = std::fs::read_to_string(path).map_err(|e| CalendarError {
                file: path.display().to_string(),
                message: crate::messages::describe_read(&e),
            })?;
            let file = path.display().to_string();
            let builtin = c.clone();
            c.merge(&text, &file)?;
            let earlier = c.earlier_than(&builtin);
            if !earlier.is_empty() {
                if !force_release {
                    return Err(CalendarError {
                        file,
                        message: format!(
                            "{}. A centre's series.toml may add series and correct dates, but may \
                             not release results earlier than the built-in calendar. Correct the \
                             file. If JCQ really has moved the date, `resultsday run \
                             --accept-earlier-calendar` uses it; other commands refuse the file \
                             until then",
                            earlier.join("; ")
                        ),
                    });
                }
                for e in &earlier {
                    crate::messages::warn(&format!(
                        "{file}: {e}; used because --accept-earlier-calendar was given"
                    ));
                }
            }
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

    /// Where this calendar releases results earlier than `builtin` for a series `builtin`
    /// knows, or at an earlier time of day: one sentence each, naming the field, the built-in
    /// value and this calendar's.
    fn earlier_than(&self, builtin: &Calendar) -> Vec<String> {
        let mut earlier = Vec::new();
        let time = |t: NaiveTime| t.format("%H:%M").to_string();
        for (field, mine, theirs) in [
            (
                "candidate_release_time",
                self.candidate_release,
                builtin.candidate_release,
            ),
            (
                "third_party_release_time",
                self.third_party_release,
                builtin.third_party_release,
            ),
        ] {
            if mine < theirs {
                earlier.push(format!(
                    "{field} is {}, earlier than the built-in calendar's {}",
                    time(mine),
                    time(theirs)
                ));
            }
        }
        for (id, known) in &builtin.series {
            let Some(mine) = self.series.get(id) else {
                continue;
            };
            for (field, mine, theirs) in [
                ("gce_results", mine.gce_results, known.gce_results),
                ("gcse_results", mine.gcse_results, known.gcse_results),
            ] {
                if mine < theirs {
                    earlier.push(format!(
                        "series \"{id}\" ({}): {field} is {mine} ({}), earlier than the built-in \
                         calendar's {theirs} ({})",
                        known.name,
                        long_date(mine),
                        long_date(theirs)
                    ));
                }
            }
        }
        // A series the built-in calendar does not know cannot have its results before its own
        // exam month (a June 2029 series with results in 2026 is a typo that releases early).
        for (id, mine) in self
            .series
            .iter()
            .filter(|(id, _)| !builtin.series.contains_key(*id))
        {
            let Some(month_start) = NaiveDate::parse_from_str(&format!("{id}-01"), "%Y-%m-%d").ok()
            else {
                continue;
            };
            for (field, date) in [
                ("gce_results", mine.gce_results),
                ("gcse_results", mine.gcse_results),
            ] {
                if date < month_start {
                    earlier.push(format!(
                        "series \"{id}\" ({}): {field} is {date} ({}), before the series' own \
                         month even begins",
                        mine.name,
                        long_date(date)
                    ));
                }
            }
        }
        earlier
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

/// The series' last candidate results day: in June the GCSE day (the GCE day should a series
/// ever put it later).
pub fn last_results_day(dates: &SeriesDates) -> ResultsDay {
    if dates.gce_results > dates.gcse_results {
        ResultsDay::Gce
    } else {
        ResultsDay::Gcse
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

/// The environment variable that holds "now" back: a test hook (see [`now`]).
pub const NOW_VARIABLE: &str = "RESULTSDAY_NOW";

/// Now, in London: the real clock, held back by `RESULTSDAY_NOW` if that is set and earlier.
///
/// `RESULTSDAY_NOW` (ISO 8601, Europe/London, as `--as-of` takes it) is a **test hook**: it lets
/// a test fake "now" so that what the real clock still holds can be checked. It can only move
/// the clock BACK, never forward: now = min(real now, `RESULTSDAY_NOW`). A variable that moved
/// "now" forward would itself be a way to release results early (set it, and every embargo
/// lifts), so a later value changes nothing. Holding the clock back can only hold more back,
/// so the hook is read in every build, and said on the terminal whenever it changes the clock.
/// A value that is not a date and time is an error, not silently ignored.
pub fn now() -> Result<DateTime<Tz>, String> {
    let real = chrono::Utc::now().with_timezone(&London);
    let hook = match std::env::var_os(NOW_VARIABLE) {
        None => None,
        Some(v) => Some(v.into_string().map_err(|_| {
            format!("{NOW_VARIABLE} is set, and is not text; unset it (it is a test hook)")
        })?),
    };
    let now = now_from(real, hook.as_deref())?;
    if now < real {
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            crate::messages::warn(&format!(
                "{NOW_VARIABLE} holds the clock back to {} (a test hook; unset it for real use)",
                long_time(now)
            ))
        });
    }
    Ok(now)
}

/// Today in London, as [`now`] has it.
pub fn today() -> Result<NaiveDate, String> {
    now().map(|t| t.date_naive())
}

/// [`now`] from the real clock and the hook's value: the earlier of the two, never later than
/// `real`.
pub fn now_from(real: DateTime<Tz>, hook: Option<&str>) -> Result<DateTime<Tz>, String> {
    match hook.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(real),
        Some(text) => {
            let held = parse_as_of(text).map_err(|_| {
                format!(
                    "{NOW_VARIABLE} is set to '{text}', which is not a date and time (ISO 8601, \
                     e.g. 2026-08-19T06:00); unset it (it is a test hook)"
                )
            })?;
            Ok(held.min(real))
        }
    }
}

/// A date as an exams officer reads it: `Thursday 20 August 2026`.
pub fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

/// A time as an exams officer reads it: `08:00 on Thursday 20 August 2026`.
pub fn long_time(at: DateTime<Tz>) -> String {
    at.format("%H:%M on %A %-d %B %Y").to_string()
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
    fn builtin_calendar_has_every_summer_and_november_from_2022_to_2027() {
        let c = Calendar::builtin();
        for year in 2022..=2027 {
            for month in ["06", "11"] {
                let id = format!("{year}-{month}");
                assert!(c.get(&id).is_some(), "{id}");
            }
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

    /// Every date the built-in file marks [A] is derived by a rule it names; the confirmed ones
    /// fit the same rules, which is why the rules are trusted for the years not yet confirmed.
    #[test]
    fn builtin_dates_follow_the_rules_the_file_names() {
        let c = Calendar::builtin();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        for id in c.ids() {
            let d = c.get(id).unwrap();
            let year: i32 = id[..4].parse().unwrap();
            match &id[5..] {
                "06" => {
                    let gce = june_gce_results(year).unwrap();
                    assert_eq!(d.gce_results, gce, "{id} R0");
                    assert_eq!(d.gcse_results, gce + chrono::Days::new(7), "{id} R0");
                    assert_eq!(d.ror_deadline, gce + chrono::Days::new(42), "{id} R2");
                    assert_eq!(
                        d.priority_s2_deadline,
                        Some(gce + chrono::Days::new(7)),
                        "{id} R1"
                    );
                    assert_eq!(d.name, format!("June {year}"));
                }
                "11" => {
                    let on = november_results(year).unwrap();
                    assert_eq!((d.gce_results, d.gcse_results), (on, on), "{id} R0");
                    assert_eq!(d.ror_deadline, on + chrono::Days::new(35), "{id} R2");
                    assert_eq!(d.name, format!("November {year}"));
                }
                other => panic!("{id}: month {other}"),
            }
        }
        assert_eq!(june_gce_results(2027), Some(day("2027-08-12")));
        assert_eq!(november_results(2027), Some(day("2028-01-13")));
        // Every [A] is followed by the rule it comes from, or says what it equals.
        for line in BUILTIN_SERIES_TOML.lines().filter(|l| l.contains("# [A]")) {
            let note = line.split("# [A]").nth(1).unwrap().trim();
            if line.trim_start().starts_with('#') {
                continue;
            }
            assert!(
                note.starts_with("rule R") || note.starts_with('=') || note.starts_with("20 Sep"),
                "{line}"
            );
        }
    }

    #[test]
    fn the_test_hook_moves_now_back_and_never_forward() {
        let real = parse_as_of("2026-12-06T14:00").unwrap();
        assert_eq!(now_from(real, None).unwrap(), real);
        assert_eq!(now_from(real, Some("  ")).unwrap(), real);
        let back = parse_as_of("2026-08-19T06:00").unwrap();
        assert_eq!(now_from(real, Some("2026-08-19T06:00")).unwrap(), back);
        // Forward: ignored, the real clock stands.
        assert_eq!(now_from(real, Some("2099-01-01T00:00")).unwrap(), real);
        let err = now_from(real, Some("tomorrow")).unwrap_err();
        assert!(
            err.contains("RESULTSDAY_NOW") && err.contains("tomorrow"),
            "{err}"
        );
    }

    #[test]
    fn an_as_of_later_than_now_is_refused_saying_what_it_would_release() {
        let c = Calendar::builtin();
        let now = parse_as_of("2026-08-19T06:00").unwrap();
        assert!(c.refuse_as_of_after_now(now, now, false).is_ok());
        let earlier = parse_as_of("2026-08-13T07:00").unwrap();
        assert!(c.refuse_as_of_after_now(earlier, now, false).is_ok());
        let later = parse_as_of("2026-08-20T10:00").unwrap();
        let err = c.refuse_as_of_after_now(later, now, false).unwrap_err();
        assert!(
            err.contains(
                "GCSE and level 1/2 results of June 2026 to candidates (from 08:00 on Thursday \
                 20 August 2026)"
            ),
            "{err}"
        );
        assert!(
            err.contains("from 09:30 on Thursday 20 August 2026"),
            "{err}"
        );
        assert!(!err.contains("A level"), "already released: {err}");
        assert!(err.contains("--force-release"), "{err}");
        assert!(c.refuse_as_of_after_now(later, now, true).is_ok());
        // A minute later: nothing in the calendar, still refused.
        let err = c
            .refuse_as_of_after_now(now + chrono::Duration::minutes(1), now, false)
            .unwrap_err();
        assert!(err.contains("Nothing in the series calendar"), "{err}");
        // November has one results day for every qualification.
        let nov = c.releases_between(
            parse_as_of("2027-01-01T00:00").unwrap(),
            parse_as_of("2027-01-14T12:00").unwrap(),
        );
        assert_eq!(
            nov,
            [
                "results of November 2026 to candidates (from 08:00 on Thursday 14 January 2027)",
                "the headline figures of November 2026 to the press and the local authority \
                 (analysis/headline.csv, from 09:30 on Thursday 14 January 2027)"
            ]
        );
    }

    #[test]
    fn an_as_of_before_the_files_exist_is_refused() {
        let c = Calendar::builtin();
        let on = |t: &str| c.refuse_as_of_before_files("6A26", parse_as_of(t).unwrap());
        assert!(on("2026-08-12T00:01").is_ok(), "GCE restricted release day");
        let err = on("2026-08-12T00:00").unwrap_err();
        assert!(
            err.contains("from 00:01 on Wednesday 12 August 2026")
                && err.contains("June 2026 (6A26)"),
            "{err}"
        );
        assert!(on("2025-08-20T10:00").is_err(), "a year out");
        assert!(c
            .refuse_as_of_before_files("6A41", parse_as_of("2026-01-01T00:00").unwrap())
            .is_ok());
    }

    #[test]
    fn a_centre_file_may_not_release_earlier_than_the_builtin_calendar() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("series.toml");
        let load = |text: &str, force: bool| {
            std::fs::write(&path, text).unwrap();
            Calendar::load_with(Some(&path), force)
        };
        let june = "[series.\"2026-06\"]\nname = \"June 2026\"\nror_deadline = \"2026-09-24\"\n";
        let err = load(
            &format!("{june}gce_results = \"2026-08-13\"\ngcse_results = \"2026-08-13\"\n"),
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains(
                "series \"2026-06\" (June 2026): gcse_results is 2026-08-13 (Thursday 13 August \
                 2026), earlier than the built-in calendar's 2026-08-20 (Thursday 20 August 2026)"
            ),
            "{err}"
        );
        assert!(err.contains("--accept-earlier-calendar"), "{err}");
        // With --accept-earlier-calendar it is used.
        let c = load(
            &format!("{june}gce_results = \"2026-08-13\"\ngcse_results = \"2026-08-13\"\n"),
            true,
        )
        .unwrap();
        assert_eq!(
            c.get("2026-06").unwrap().gcse_results.to_string(),
            "2026-08-13"
        );
        // Later is a correction, and allowed.
        let c = load(
            &format!("{june}gce_results = \"2026-08-14\"\ngcse_results = \"2026-08-21\"\n"),
            false,
        )
        .unwrap();
        assert_eq!(
            c.get("2026-06").unwrap().gce_results.to_string(),
            "2026-08-14"
        );
        for (field, time, builtin) in [
            ("candidate_release_time", "07:00", "08:00"),
            ("third_party_release_time", "09:00", "09:30"),
        ] {
            let other = if field == "candidate_release_time" {
                "third_party_release_time = \"09:30\""
            } else {
                "candidate_release_time = \"08:00\""
            };
            let err = load(
                &format!("[defaults]\n{field} = \"{time}\"\n{other}\n"),
                false,
            )
            .unwrap_err()
            .to_string();
            assert!(
                err.contains(&format!(
                    "{field} is {time}, earlier than the built-in calendar's {builtin}"
                )),
                "{err}"
            );
        }
        // A series the built-in calendar does not know may have any dates in or after its own
        // month, and none before it.
        assert!(load(
            "[series.\"2031-06\"]\nname = \"June 2031\"\ngce_results = \"2031-08-14\"\n\
             gcse_results = \"2031-08-21\"\nror_deadline = \"2031-09-25\"\n",
            false
        )
        .is_ok());
        let err = load(
            "[series.\"2031-06\"]\nname = \"June 2031\"\ngce_results = \"2026-01-01\"\n\
             gcse_results = \"2026-01-01\"\nror_deadline = \"2026-02-01\"\n",
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("before the series' own month even begins"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_series_is_named_with_an_example_to_add() {
        let w = unknown_series_warning("6A28");
        assert!(
            w.starts_with("series 6A28 (2028-06) is not in the series calendar"),
            "{w}"
        );
        assert!(
            w.contains("[series.\"2028-06\"]\nname = \"June 2028\"\n"),
            "{w}"
        );
        assert!(w.contains("gce_results = \"2028-08-17\""), "{w}");
        assert!(w.contains("gcse_results = \"2028-08-24\""), "{w}");
        let w = unknown_series_warning("BG28");
        assert!(w.contains("gcse_results = \"2029-01-11\""), "{w}");
        // The example is a table a centre can paste.
        let table = w.split_once("For example:\n").unwrap().1;
        let parsed: CalendarFile = toml::from_str(table).unwrap();
        assert!(parsed.series.contains_key("2028-11"));
        let w = unknown_series_warning("ZZ99");
        assert!(w.contains("[series.\"ZZ99\"]"), "{w}");
    }

    #[test]
    fn a_result_whose_own_day_is_unknown_is_released_with_the_series_last() {
        let c = Calendar::builtin();
        let june = c.get("2026-06").unwrap();
        let mut r = crate::model::CandidateResult {
            board: "70".into(),
            centre: "14520".into(),
            candidate_number: "0002".into(),
            uci: String::new(),
            name: "A:B".into(),
            entry_code: "8062".into(),
            syllabus_code: None,
            title: String::new(),
            qualification: String::new(),
            level: None,
            gradeset: None,
            is_award: true,
            grade: None,
            grade2: None,
            mark: None,
            max_mark: None,
            endorsement: None,
            components: vec![],
            results_day: ResultsDay::Gce,
            source: Default::default(),
        };
        assert_eq!(c.release_day(june, &r), ResultsDay::Gcse);
        assert_eq!(
            c.candidate_release_of(june, &r),
            c.candidate_release(june, ResultsDay::Gcse)
        );
        r.level = Some(3);
        assert_eq!(c.release_day(june, &r), ResultsDay::Gce);
        // A GCE day later than the GCSE day: the unknown waits for it.
        let mut late = june.clone();
        late.gce_results = NaiveDate::from_ymd_opt(2026, 8, 27).unwrap();
        r.level = None;
        assert_eq!(c.release_day(&late, &r), ResultsDay::Gce);
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
