//! Receiving a board's batch of certificates: against the latest run of the series, what came,
//! what was received before, what was not expected, and what is still missing.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use rusqlite::{params, TransactionBehavior};

use super::log::{
    candidate_number, expected_certificates, find, log_of, missing_from, series_matches,
    Certificate, Key,
};
use super::{sql, CertificatesError};
use crate::rules::calendar;
use crate::store::{RunSummary, Store};

/// The latest run in the store, of the series `asked` if given (a code such as `6A26` or an id
/// such as `2026-06`).
pub fn latest_run(store: &Store, asked: Option<&str>) -> Result<RunSummary, CertificatesError> {
    let runs = store.runs()?;
    let found = runs
        .iter()
        .rev()
        .find(|r| asked.is_none_or(|a| series_matches(&r.series, a)));
    match found {
        Some(r) => Ok(r.clone()),
        None => {
            let series = asked.map(|a| {
                let have: BTreeSet<&str> = runs.iter().map(|r| r.series.as_str()).collect();
                if have.is_empty() {
                    a.to_string()
                } else {
                    format!(
                        "{a} (it has {})",
                        have.into_iter().collect::<Vec<_>>().join(", ")
                    )
                }
            });
            Err(CertificatesError::NoRun {
                path: store.path().to_path_buf(),
                series,
            })
        }
    }
}

/// Which candidates a board's batch holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchContents {
    /// These candidate numbers (normalised with [`candidate_number`]).
    Candidates(Vec<String>),
    /// Every certificate expected.
    AllExpected,
}

/// A batch of certificates as it arrives from a board.
#[derive(Debug, Clone)]
pub struct Batch<'a> {
    pub board: &'a str,
    /// The series asked for; `None` for the latest run's.
    pub series: Option<&'a str>,
    /// Not after `today`, nor before the series' first results day.
    pub received_on: NaiveDate,
    pub contents: BatchContents,
    /// Today ([`calendar::today`]): a date given by hand may not be later.
    pub today: NaiveDate,
    /// For the series' results day, which a date given by hand may not be before.
    pub calendar: &'a calendar::Calendar,
}

/// What recording a batch found.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// `None` when every certificate in it had been received before, so nothing was recorded.
    pub batch_id: Option<i64>,
    pub run_id: i64,
    pub centre: String,
    pub series: String,
    pub board: String,
    pub received_on: NaiveDate,
    /// How many certificates the run says the board should send.
    pub expected: usize,
    /// Recorded now, expected or not.
    pub recorded: Vec<Certificate>,
    /// Received in an earlier batch; left as they were.
    pub already: Vec<Certificate>,
    /// Recorded now but not on the expected list (no certificated result from this board).
    pub unexpected: Vec<Certificate>,
    /// Expected and still not received, after this batch: to chase with the board.
    pub missing: Vec<Certificate>,
}

/// Records a board's batch as received, in one transaction, and says what is still missing and
/// what came that was not expected.
pub fn receive(store: &mut Store, batch: &Batch) -> Result<Receipt, CertificatesError> {
    let run = latest_run(store, batch.series)?;
    possible_day(
        "the day received",
        batch.received_on,
        batch.today,
        batch.calendar,
        &run.series,
    )
    .map_err(|why| CertificatesError::Refused(format!("not recorded: {why}")))?;
    let results = store.results_of_run(run.id)?;
    if !results.iter().any(|r| r.board == batch.board) {
        let boards: BTreeSet<&str> = results.iter().map(|r| r.board.as_str()).collect();
        return Err(CertificatesError::UnknownBoard {
            board: batch.board.to_string(),
            run: run.id,
            series: run.series.clone(),
            boards: boards.into_iter().collect::<Vec<_>>().join(", "),
        });
    }
    let expected = expected_certificates(&results, batch.board);
    let numbers: Vec<String> = match &batch.contents {
        BatchContents::AllExpected => expected
            .iter()
            .map(|e| e.candidate_number.clone())
            .collect(),
        BatchContents::Candidates(list) => {
            let mut seen = BTreeSet::new();
            list.iter()
                .filter(|c| seen.insert(c.as_str()))
                .cloned()
                .collect()
        }
    };
    let known_elsewhere = |number: &str| {
        results
            .iter()
            .find(|r| r.candidate_number == number && r.board == batch.board)
            .or_else(|| results.iter().find(|r| r.candidate_number == number))
    };

    let path = store.path().to_path_buf();
    let conn = store.connection();
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql(&path, "start recording the batch"))?;
    tx.execute(
        "INSERT INTO certificate_batches
             (centre, board, series, received_on, run_id, expected, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            run.centre,
            batch.board,
            run.series,
            batch.received_on.to_string(),
            run.id,
            expected.len() as i64,
            Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ],
    )
    .map_err(sql(&path, "record the batch"))?;
    let batch_id = tx.last_insert_rowid();

    let mut receipt = Receipt {
        batch_id: None,
        run_id: run.id,
        centre: run.centre.clone(),
        series: run.series.clone(),
        board: batch.board.to_string(),
        received_on: batch.received_on,
        expected: expected.len(),
        recorded: Vec::new(),
        already: Vec::new(),
        unexpected: Vec::new(),
        missing: Vec::new(),
    };
    for number in &numbers {
        let key = Key {
            centre: &run.centre,
            board: batch.board,
            series: &run.series,
            candidate_number: number,
        };
        if let Some(earlier) = find(&tx, &key).map_err(sql(&path, "read the certificates"))? {
            receipt.already.push(earlier);
            continue;
        }
        let on_list = expected.iter().find(|e| &e.candidate_number == number);
        let (uci, name) = match (on_list, known_elsewhere(number)) {
            (Some(e), _) => (e.uci.clone(), e.name.clone()),
            (None, Some(r)) => (r.uci.clone(), r.name.clone()),
            (None, None) => (String::new(), String::new()),
        };
        let certificate = Certificate {
            centre: run.centre.clone(),
            board: batch.board.to_string(),
            series: run.series.clone(),
            candidate_number: number.clone(),
            uci,
            name,
            expected: on_list.is_some(),
            received_on: Some(batch.received_on),
            issued_on: None,
            issued_how: None,
            issued_to: None,
            destroyed_on: None,
            returned_on: None,
            keep_record_until: None,
            disposed_early: false,
        };
        tx.execute(
            "INSERT INTO certificates (batch_id, centre, board, series, candidate_number, uci,
                                       name, expected, received_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                batch_id,
                certificate.centre,
                certificate.board,
                certificate.series,
                certificate.candidate_number,
                certificate.uci,
                certificate.name,
                certificate.expected,
                batch.received_on.to_string(),
            ],
        )
        .map_err(sql(&path, "record a certificate"))?;
        if !certificate.expected {
            receipt.unexpected.push(certificate.clone());
        }
        receipt.recorded.push(certificate);
    }
    let held = log_of(&tx, &path)?;
    receipt.missing = missing_from(&held, &run, batch.board, &expected);
    if receipt.recorded.is_empty() {
        // Nothing new: leave no empty batch behind.
        tx.rollback()
            .map_err(sql(&path, "finish recording the batch"))?;
    } else {
        tx.commit().map_err(sql(&path, "save the batch"))?;
        receipt.batch_id = Some(batch_id);
    }
    Ok(receipt)
}

/// Refuses a day given by hand that cannot be right: after `today`, or before the first results
/// day of `series` (a code such as `6A26`) where the calendar knows it.
pub(super) fn possible_day(
    what: &str,
    on: NaiveDate,
    today: NaiveDate,
    calendar: &calendar::Calendar,
    series: &str,
) -> Result<(), String> {
    calendar::refuse_after_today(what, on, today)?;
    if let Some(dates) = calendar.get(&calendar::series_id_of(series)) {
        calendar::refuse_before(
            what,
            on,
            calendar::first_results_date(dates),
            &format!("the first results day of {} ({series})", dates.name),
        )?;
    }
    Ok(())
}

/// The candidate numbers in a batch file's `candidate_number` column (`bytes`, the file `file`
/// as shown in messages); blank cells are skipped.
pub fn candidates_in_csv(bytes: &[u8], file: &str) -> Result<Vec<String>, CertificatesError> {
    let error = |line: Option<usize>, message: String| CertificatesError::BatchFile {
        file: file.to_string(),
        line,
        message,
    };
    let mut lines = crate::csvlines::Lines::new(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| error(None, e.to_string()))?
        .clone();
    let column = headers
        .iter()
        .position(|h| {
            h.trim_start_matches('\u{feff}')
                .trim()
                .eq_ignore_ascii_case("candidate_number")
        })
        .ok_or_else(|| {
            error(
                None,
                format!(
                    "no candidate_number column in the header row (it has: {})",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
    let mut numbers = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| error(None, e.to_string()))?;
        let line = lines.of(record.position());
        let cell = record.get(column).unwrap_or("");
        if cell.trim().is_empty() {
            continue;
        }
        numbers.push(candidate_number(cell).map_err(|e| error(Some(line), e))?);
    }
    Ok(numbers)
}
