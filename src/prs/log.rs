//! The request log, the `prs_requests` table (`store::migrations`): writing requests and their
//! outcomes, and reading them back.

use chrono::NaiveDate;
use rusqlite::{params, Connection, Row};

use crate::store::unreadable;

use super::checks::Request;
use super::outcome::{keep_consent_until, refund_due};
use super::service::{Outcome, Service, Status};

/// A request as the log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub id: i64,
    pub reference: String,
    pub centre: String,
    pub series: String,
    pub candidate_number: String,
    pub board: String,
    pub entry_code: String,
    pub component_code: String,
    pub service: Service,
    pub requested_on: NaiveDate,
    pub consent_on: Option<NaiveDate>,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub outcome_on: Option<NaiveDate>,
    pub old_grade: Option<String>,
    pub new_grade: Option<String>,
    pub old_mark: Option<i64>,
    pub new_mark: Option<i64>,
    pub fee_pence: Option<i64>,
    pub refund_due: Option<bool>,
    pub keep_consent_until: Option<NaiveDate>,
    pub linked_run_id: Option<i64>,
    pub created_at: String,
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Stores checked requests, all or none, in one transaction.
pub fn store_requests(
    conn: &mut Connection,
    requests: &[Request],
    created_at: &str,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    insert_requests(&tx, requests, created_at)?;
    tx.commit()
}

/// Inserts requests through a connection the caller holds a transaction on.
pub fn insert_requests(
    conn: &Connection,
    requests: &[Request],
    created_at: &str,
) -> rusqlite::Result<()> {
    let mut insert = conn.prepare(
        "INSERT INTO prs_requests (reference, centre, series, candidate_number, board,
             entry_code, component_code, service, requested_on, consent_on, fee_pence,
             created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for r in requests {
        insert.execute(params![
            r.reference,
            r.centre,
            r.series,
            r.candidate_number,
            r.board,
            r.entry_code,
            r.component_code,
            r.service.as_str(),
            date_text(r.requested_on),
            r.consent_on.map(date_text),
            r.fee_pence,
            created_at,
        ])?;
    }
    Ok(())
}

pub(super) const LOG_COLUMNS: &str =
    "id, reference, centre, series, candidate_number, board, entry_code,
    component_code, service, requested_on, consent_on, status, outcome, outcome_on, old_grade,
    new_grade, old_mark, new_mark, fee_pence, refund_due, keep_consent_until, linked_run_id,
    created_at";

/// The log, oldest first: every request, or those with one status, of every centre or one.
pub fn read_log(
    conn: &Connection,
    status: Option<Status>,
    centre: Option<&str>,
) -> rusqlite::Result<Vec<LoggedRequest>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {LOG_COLUMNS} FROM prs_requests
         WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR centre = ?2)
         ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![status.map(Status::as_str), centre], logged_from_row)?;
    rows.collect()
}

/// One request by its reference.
pub fn find_request(conn: &Connection, reference: &str) -> rusqlite::Result<Option<LoggedRequest>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {LOG_COLUMNS} FROM prs_requests WHERE reference = ?1"
    ))?;
    let mut rows = stmt.query_map([reference.trim()], logged_from_row)?;
    rows.next().transpose()
}

fn date_at(row: &Row, column: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let Some(text) = row.get::<_, Option<String>>(column)? else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| unreadable(column, format!("'{text}' is not a date")))
}

pub(super) fn logged_from_row(r: &Row) -> rusqlite::Result<LoggedRequest> {
    let service: String = r.get(8)?;
    let status: String = r.get(11)?;
    let outcome: Option<String> = r.get(12)?;
    Ok(LoggedRequest {
        id: r.get(0)?,
        reference: r.get(1)?,
        centre: r.get(2)?,
        series: r.get(3)?,
        candidate_number: r.get(4)?,
        board: r.get(5)?,
        entry_code: r.get(6)?,
        component_code: r.get(7)?,
        service: Service::parse(&service)
            .ok_or_else(|| unreadable(8, format!("'{service}' is not a service")))?,
        requested_on: date_at(r, 9)?.ok_or_else(|| unreadable(9, "no request date".to_string()))?,
        consent_on: date_at(r, 10)?,
        status: match status.as_str() {
            "open" => Status::Open,
            "completed" => Status::Completed,
            other => return Err(unreadable(11, format!("'{other}' is not a status"))),
        },
        outcome: match outcome {
            None => None,
            Some(text) => Some(
                Outcome::parse(&text)
                    .ok_or_else(|| unreadable(12, format!("'{text}' is not an outcome")))?,
            ),
        },
        outcome_on: date_at(r, 13)?,
        old_grade: r.get(14)?,
        new_grade: r.get(15)?,
        old_mark: r.get(16)?,
        new_mark: r.get(17)?,
        fee_pence: r.get(18)?,
        refund_due: r.get(19)?,
        keep_consent_until: date_at(r, 20)?,
        linked_run_id: r.get(21)?,
        created_at: r.get(22)?,
    })
}

/// An outcome to record on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRecord {
    pub outcome: Outcome,
    pub on: NaiveDate,
    pub old_grade: Option<String>,
    pub new_grade: Option<String>,
    pub old_mark: Option<i64>,
    pub new_mark: Option<i64>,
    /// The run whose results showed it; `None` when recorded by hand.
    pub linked_run_id: Option<i64>,
}

/// Closes a request with its outcome, and sets what follows from it: whether a refund is due,
/// and how long the consent form is kept (none is kept where none was taken).
pub fn record_outcome(
    conn: &Connection,
    request: &LoggedRequest,
    record: &OutcomeRecord,
) -> rusqlite::Result<()> {
    let refund = refund_due(request.service, record.outcome);
    let keep = request.consent_on.map(|_| keep_consent_until(record.on));
    conn.execute(
        "UPDATE prs_requests SET status = 'completed', outcome = ?2, outcome_on = ?3,
             old_grade = ?4, new_grade = ?5, old_mark = ?6, new_mark = ?7, refund_due = ?8,
             keep_consent_until = ?9, linked_run_id = ?10
         WHERE id = ?1",
        params![
            request.id,
            record.outcome.as_str(),
            date_text(record.on),
            record.old_grade,
            record.new_grade,
            record.old_mark,
            record.new_mark,
            refund,
            keep.map(date_text),
            record.linked_run_id,
        ],
    )?;
    Ok(())
}
