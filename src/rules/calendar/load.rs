//! Reading the calendar: the built-in `series.toml` and a centre's own laid over it, which may
//! add series and correct dates but not release any result earlier than the built-in calendar.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;

use super::{long_date, Calendar, CalendarError, SeriesDates};

/// The name of a centre's own calendar file.
pub const CENTRE_FILE: &str = "series.toml";

/// The calendar shipped with resultsday.
pub const BUILTIN_SERIES_TOML: &str = include_str!("../../../data/series.toml");

#[derive(Debug, Clone, Deserialize)]
struct Defaults {
    candidate_release_time: String,
    third_party_release_time: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct CalendarFile {
    defaults: Option<Defaults>,
    #[serde(default)]
    pub(super) series: BTreeMap<String, SeriesDates>,
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
            crate::rules::settings_file(dir, CENTRE_FILE).as_deref(),
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
}
