//! London time: an instant from a London wall-clock time, now (and the test hook that holds it
//! back), `--as-of` and dates given by hand as read, and dates and times as an exams officer
//! reads them.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Europe::London;
use chrono_tz::Tz;

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
