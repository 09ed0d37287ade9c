//! How the store keeps in its columns what is not plain text or a number (times, component
//! marks, results days, severities and kinds of finding), written and read back.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use rusqlite::Row;
use serde::{Deserialize, Serialize};

use super::unreadable;
use crate::model::{ComponentMark, FindingKind, ResultsDay, Severity};

/// A time as the store writes it: RFC 3339, UTC.
pub(super) fn utc_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The date and time in column `column`, as written by [`utc_text`] or with an offset.
pub(super) fn time_at(row: &Row, column: usize) -> rusqlite::Result<DateTime<FixedOffset>> {
    let text: String = row.get(column)?;
    DateTime::parse_from_rfc3339(&text)
        .map_err(|_| unreadable(column, format!("'{text}' is not a date and time")))
}

/// A component mark as the store keeps it in `components_json`; its own type so that the
/// stored form does not move with the model's serialisation. Written with borrowed text
/// (`StoredComponent<&str>`), read back as `StoredComponent<String>`.
#[derive(Serialize, Deserialize)]
struct StoredComponent<S> {
    code: S,
    title: S,
    mark: Option<u16>,
    max_mark: Option<u16>,
}

/// The component marks as `components_json` keeps them, written into `buf`; `None` when
/// there are none.
pub(super) fn components_json_into<'b>(
    components: &[ComponentMark],
    buf: &'b mut Vec<u8>,
) -> Option<&'b [u8]> {
    struct Stored<'a>(&'a [ComponentMark]);
    impl Serialize for Stored<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(|c| StoredComponent {
                code: c.code.as_str(),
                title: c.title.as_str(),
                mark: c.mark,
                max_mark: c.max_mark,
            }))
        }
    }
    if components.is_empty() {
        return None;
    }
    buf.clear();
    // A list of plain structs always serialises.
    serde_json::to_writer(&mut *buf, &Stored(components)).ok()?;
    Some(buf)
}

pub(super) fn components_from_json(r: &Row, column: usize) -> rusqlite::Result<Vec<ComponentMark>> {
    let Some(text) = r.get::<_, Option<String>>(column)? else {
        return Ok(Vec::new());
    };
    let stored: Vec<StoredComponent<String>> = serde_json::from_str(&text)
        .map_err(|e| unreadable(column, format!("component marks are not readable: {e}")))?;
    Ok(stored
        .into_iter()
        .map(|c| ComponentMark {
            code: c.code,
            title: c.title,
            mark: c.mark,
            max_mark: c.max_mark,
        })
        .collect())
}

pub(super) fn results_day_text(day: ResultsDay) -> &'static str {
    match day {
        ResultsDay::Gce => "gce",
        ResultsDay::Gcse => "gcse",
    }
}

pub(super) fn results_day_from_text(text: &str) -> Option<ResultsDay> {
    [ResultsDay::Gce, ResultsDay::Gcse]
        .into_iter()
        .find(|d| results_day_text(*d) == text)
}

pub(super) fn severity_from_text(text: &str) -> Option<Severity> {
    [Severity::Error, Severity::Warning]
        .into_iter()
        .find(|s| s.as_str() == text)
}

pub(super) fn kind_from_text(text: &str) -> Option<FindingKind> {
    FindingKind::from_name(text)
}
