//! The certificates log, the `certificates` and `certificate_batches` tables
//! (`store::migrations`): a certificate and how it is read and written, the certificates
//! expected from a board's results, and the log as CSV.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{sql, CertificatesError};
use crate::model::CandidateResult;
use crate::rules::calendar;
use crate::store::unreadable;
use crate::store::{RunSummary, Store};

/// The columns of the CSV export, in order.
pub const EXPORT_COLUMNS: [&str; 12] = [
    "board",
    "series",
    "candidate_number",
    "uci",
    "name",
    "received_on",
    "issued_on",
    "issued_how",
    "destroyed_on",
    "returned_on",
    "keep_record_until",
    "status",
];

/// Reads a date written `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    calendar::parse_date(text)
        .ok_or_else(|| format!("'{text}' is not a date: expected YYYY-MM-DD, e.g. 2026-11-02"))
}

/// A candidate number as the boards write it: four digits. `5` and `0005` are the same
/// candidate.
pub fn candidate_number(text: &str) -> Result<String, String> {
    crate::model::normalise_candidate_number(text).ok_or_else(|| {
        format!("'{text}' is not a candidate number: expected up to four digits, e.g. 0005")
    })
}

/// Whether `asked` (a series code such as `6A26`, or an id such as `2026-06`) names the series
/// whose code is `code`.
pub fn series_matches(code: &str, asked: &str) -> bool {
    calendar::same_series(code, asked)
}

/// `June 2026 (6A26)` when the built-in calendar knows the series, else the code.
pub fn series_label(code: &str) -> String {
    let calendar = calendar::Calendar::builtin();
    match calendar::series_id(code).and_then(|id| calendar.get(&id).map(|d| d.name.clone())) {
        Some(name) => format!("{name} ({code})"),
        None => code.to_string(),
    }
}

/// How a certificate reached its candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum IssuedHow {
    /// Collected at the centre (in person, or by someone the candidate named).
    Collected,
    /// Posted (secure post, with the centre's return address).
    Posted,
}

impl IssuedHow {
    pub fn as_str(self) -> &'static str {
        match self {
            IssuedHow::Collected => "collected",
            IssuedHow::Posted => "posted",
        }
    }

    fn from_text(text: &str) -> Option<IssuedHow> {
        [IssuedHow::Collected, IssuedHow::Posted]
            .into_iter()
            .find(|h| h.as_str() == text)
    }
}

/// One certificate in the log (or, with no `received_on`, one expected and missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub centre: String,
    pub board: String,
    /// The series code, as the run has it (`6A26`).
    pub series: String,
    pub candidate_number: String,
    pub uci: String,
    /// `SURNAME:FORENAMES`.
    pub name: String,
    /// Whether it was on the expected list when it was received (always for a missing one).
    pub expected: bool,
    /// `None`: expected and not received.
    pub received_on: Option<NaiveDate>,
    pub issued_on: Option<NaiveDate>,
    pub issued_how: Option<IssuedHow>,
    /// Who collected it or where it was posted, as the exams officer noted it.
    pub issued_to: Option<String>,
    pub destroyed_on: Option<NaiveDate>,
    pub returned_on: Option<NaiveDate>,
    /// For a destroyed certificate: until when this record is kept.
    pub keep_record_until: Option<NaiveDate>,
    /// Destroyed or returned before its 12 months, with `--force`.
    pub disposed_early: bool,
}

impl Certificate {
    /// `candidate 0005 EVANS:RHYS, board 70, 6A26`: to name it in a message.
    pub fn describe(&self) -> String {
        let name = if self.name.is_empty() {
            String::new()
        } else {
            format!(" {}", self.name)
        };
        format!(
            "candidate {}{name}, board {}, {}",
            self.candidate_number, self.board, self.series
        )
    }
}

/// Whether a result puts the candidate on the board's certificate: an award (not a unit) with a
/// grade, neither `X` (no result) nor `Q` (pending) nor blank.
pub fn is_certificated(result: &CandidateResult) -> bool {
    result.is_award
        && result
            .grade
            .as_ref()
            .is_some_and(|g| !g.code.is_empty() && !g.is_no_result() && !g.is_pending())
}

/// A certificate the board should send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedCertificate {
    pub candidate_number: String,
    pub uci: String,
    pub name: String,
}

/// The certificates expected from `board`: one per candidate with a certificated result from
/// it, in candidate number order. The UCI and name are those of the candidate's first such
/// result.
pub fn expected_certificates(results: &[CandidateResult], board: &str) -> Vec<ExpectedCertificate> {
    let mut expected: BTreeMap<&str, ExpectedCertificate> = BTreeMap::new();
    for r in results
        .iter()
        .filter(|r| r.board == board && is_certificated(r))
    {
        expected
            .entry(r.candidate_number.as_str())
            .or_insert_with(|| ExpectedCertificate {
                candidate_number: r.candidate_number.clone(),
                uci: r.uci.clone(),
                name: r.name.clone(),
            });
    }
    expected.into_values().collect()
}

/// The log as CSV ([`EXPORT_COLUMNS`]), each certificate's status as on `as_of`.
pub fn export_csv(log: &[Certificate], as_of: NaiveDate) -> Vec<u8> {
    // Every column is text: codes, names and dates (none of them a number to sum).
    let mut w = crate::write::csvout::Builder::new(EXPORT_COLUMNS).in_memory();
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for c in log {
        w.put_record([
            c.board.as_str(),
            &c.series,
            &c.candidate_number,
            &c.uci,
            &c.name,
            &date(c.received_on),
            &date(c.issued_on),
            c.issued_how.map_or("", IssuedHow::as_str),
            &date(c.destroyed_on),
            &date(c.returned_on),
            &date(c.keep_record_until),
            c.status(as_of).as_str(),
        ]);
    }
    w.into_bytes()
}

/// Every certificate received, by board, series and candidate number.
pub fn received(store: &mut Store) -> Result<Vec<Certificate>, CertificatesError> {
    let path = store.path().to_path_buf();
    log_of(store.connection(), &path)
}

/// The whole log: every certificate received, and every one expected from a board that has sent
/// a batch and not received, by board, series and candidate number.
pub fn log(store: &mut Store) -> Result<Vec<Certificate>, CertificatesError> {
    let mut all = received(store)?;
    all.extend(all_missing(store)?);
    all.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    Ok(all)
}

/// Certificates expected and not received, for every board and series that has sent a batch;
/// expected from the latest run of the series as it is now.
pub fn all_missing(store: &mut Store) -> Result<Vec<Certificate>, CertificatesError> {
    let path = store.path().to_path_buf();
    let boards: Vec<(String, String, String)> = {
        let conn = store.connection();
        let mut stmt = conn
            .prepare(
                "SELECT DISTINCT centre, board, series FROM certificate_batches
                 ORDER BY board, series, centre",
            )
            .map_err(sql(&path, "read the batches"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(sql(&path, "read the batches"))?;
        rows.collect::<Result<_, _>>()
            .map_err(sql(&path, "read the batches"))?
    };
    let held = received(store)?;
    let runs = store.runs()?;
    let mut missing = Vec::new();
    for (centre, board, series) in boards {
        let Some(run) = runs
            .iter()
            .rev()
            .find(|r| r.centre == centre && r.series == series)
        else {
            continue;
        };
        let expected = expected_certificates(&store.results_of_run(run.id)?, &board);
        missing.extend(missing_from(&held, run, &board, &expected));
    }
    Ok(missing)
}

pub(super) fn missing_from(
    held: &[Certificate],
    run: &RunSummary,
    board: &str,
    expected: &[ExpectedCertificate],
) -> Vec<Certificate> {
    expected
        .iter()
        .filter(|e| {
            !held.iter().any(|c| {
                c.centre == run.centre
                    && c.board == board
                    && c.series == run.series
                    && c.candidate_number == e.candidate_number
            })
        })
        .map(|e| Certificate {
            centre: run.centre.clone(),
            board: board.to_string(),
            series: run.series.clone(),
            candidate_number: e.candidate_number.clone(),
            uci: e.uci.clone(),
            name: e.name.clone(),
            expected: true,
            received_on: None,
            issued_on: None,
            issued_how: None,
            issued_to: None,
            destroyed_on: None,
            returned_on: None,
            keep_record_until: None,
            disposed_early: false,
        })
        .collect()
}

fn sort_key(c: &Certificate) -> (&str, &str, &str, &str) {
    (&c.board, &c.series, &c.candidate_number, &c.centre)
}

pub(super) struct Key<'a> {
    pub(super) centre: &'a str,
    pub(super) board: &'a str,
    pub(super) series: &'a str,
    pub(super) candidate_number: &'a str,
}

const SELECT: &str = "SELECT centre, board, series, candidate_number, uci, name, expected,
        received_on, issued_on, issued_how, issued_to, destroyed_on, returned_on,
        keep_record_until, disposed_early
    FROM certificates";

pub(super) fn find(conn: &Connection, key: &Key) -> rusqlite::Result<Option<Certificate>> {
    conn.query_row(
        &format!(
            "{SELECT} WHERE centre = ?1 AND board = ?2 AND series = ?3 AND candidate_number = ?4"
        ),
        params![key.centre, key.board, key.series, key.candidate_number],
        certificate_from_row,
    )
    .optional()
}

pub(super) fn log_of(
    conn: &Connection,
    path: &Path,
) -> Result<Vec<Certificate>, CertificatesError> {
    let err = sql(path, "read the certificates");
    let mut stmt = conn
        .prepare(&format!(
            "{SELECT} ORDER BY board, series, candidate_number, centre"
        ))
        .map_err(&err)?;
    let rows = stmt.query_map([], certificate_from_row).map_err(&err)?;
    rows.collect::<Result<_, _>>().map_err(&err)
}

fn certificate_from_row(r: &Row) -> rusqlite::Result<Certificate> {
    let date = |column: usize| -> rusqlite::Result<Option<NaiveDate>> {
        match r.get::<_, Option<String>>(column)? {
            None => Ok(None),
            Some(text) => parse_date(&text)
                .map(Some)
                .map_err(|m| unreadable(column, m)),
        }
    };
    let how = match r.get::<_, Option<String>>(9)? {
        None => None,
        Some(text) => Some(
            IssuedHow::from_text(&text)
                .ok_or_else(|| unreadable(9, format!("'{text}' is not how a certificate goes")))?,
        ),
    };
    Ok(Certificate {
        centre: r.get(0)?,
        board: r.get(1)?,
        series: r.get(2)?,
        candidate_number: r.get(3)?,
        uci: r.get(4)?,
        name: r.get(5)?,
        expected: r.get(6)?,
        received_on: date(7)?,
        issued_on: date(8)?,
        issued_how: how,
        issued_to: r.get(10)?,
        destroyed_on: date(11)?,
        returned_on: date(12)?,
        keep_record_until: date(13)?,
        disposed_early: r.get(14)?,
    })
}
