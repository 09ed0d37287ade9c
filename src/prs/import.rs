//! The log's CSV form: the import and export columns, an import file checked row by row (an
//! earlier export carries its outcomes and fees back in), and the export.

use std::fmt;

use chrono::{NaiveDate, Utc};

use super::checks::{
    check_component, check_request, parse_iso_date, LogIndex, Request, RequestRow,
};
use super::fees::{fee_given, pounds, FeeRefusal};
use super::log::{find_request, insert_requests, record_outcome, LoggedRequest, OutcomeRecord};
use super::ops::{Checking, PrsError, RunChoice, READ_LOG};
use super::outcome::{check_outcome, OutcomeRefusal};
use super::refusal::Refusal;
use super::rules::Catalogue;
use super::service::Outcome;
use crate::store::{sql_error, RunSummary, Store};

/// The columns of `prs import` (contract.md), in order.
pub const IMPORT_COLUMNS: [&str; 8] = [
    "reference",
    "candidate_number",
    "board",
    "entry_code",
    "component_code",
    "service",
    "requested_on",
    "consent_on",
];

/// The columns `prs export` adds after the import columns (contract.md), in order.
pub const EXPORT_COLUMNS: [&str; 8] = [
    "status",
    "outcome",
    "outcome_on",
    "old_grade",
    "new_grade",
    "fee",
    "refund_due",
    "keep_consent_until",
];

/// Where the export's extra columns are in an imported file, when it is an earlier export.
#[derive(Debug, Clone, Default)]
struct ExportColumns {
    status: Option<usize>,
    outcome: Option<usize>,
    outcome_on: Option<usize>,
    old_grade: Option<usize>,
    new_grade: Option<usize>,
    fee: Option<usize>,
}

/// An import file whose header has been read: the import columns first, then any of the
/// export's own.
#[derive(Debug, Clone)]
pub struct ImportFile {
    /// The bytes, without a byte order mark.
    bytes: Vec<u8>,
    extra: ExportColumns,
    ignored: Vec<String>,
}

impl ImportFile {
    /// Reads the header of `bytes`, the file `file` (as shown in messages).
    pub fn read(bytes: &[u8], file: &str) -> Result<ImportFile, PrsError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let header: Vec<String> = match reader(bytes).byte_records().next() {
            Some(Ok(h)) => h
                .iter()
                .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
                .collect(),
            Some(Err(e)) => {
                return Err(PrsError::HeaderUnreadable {
                    file: file.to_string(),
                    error: e.to_string(),
                })
            }
            None => {
                return Err(PrsError::EmptyFile {
                    file: file.to_string(),
                })
            }
        };
        if header.len() < IMPORT_COLUMNS.len() || header[..IMPORT_COLUMNS.len()] != IMPORT_COLUMNS {
            return Err(PrsError::WrongHeader {
                file: file.to_string(),
                found: header.join(","),
            });
        }
        let find = |c: &str| header.iter().position(|h| h == c);
        let extra = ExportColumns {
            status: find("status"),
            outcome: find("outcome"),
            outcome_on: find("outcome_on"),
            old_grade: find("old_grade"),
            new_grade: find("new_grade"),
            fee: find("fee"),
        };
        let ignored = header[IMPORT_COLUMNS.len()..]
            .iter()
            .filter(|h| !EXPORT_COLUMNS.contains(&h.as_str()))
            .cloned()
            .collect();
        Ok(ImportFile {
            bytes: bytes.to_vec(),
            extra,
            ignored,
        })
    }

    /// The columns after the import columns that are not the export's: not read.
    pub fn ignored_columns(&self) -> &[String] {
        &self.ignored
    }
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes)
}

/// A row accepted for the log, with the outcome an exported log carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub request: Request,
    pub outcome: Option<OutcomeRecord>,
}

/// Why a row of an import file is not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRefusal {
    /// The CSV line cannot be read (the reader's words).
    Unreadable(String),
    /// The line is not UTF-8 text.
    NotText,
    /// The request breaks a rule.
    Request(Refusal),
    /// An exported `status` that is neither `open` nor `completed`.
    Status(String),
    /// An exported `outcome` that is not an outcome.
    NotAnOutcome(String),
    /// An exported `outcome_on` that is not a date.
    OutcomeDate(String),
    /// An exported outcome that cannot be the request's.
    Outcome(OutcomeRefusal),
    /// An exported `fee` that cannot be the request's.
    Fee(FeeRefusal),
}

impl fmt::Display for ImportRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportRefusal::Unreadable(e) => write!(f, "the line cannot be read: {e}"),
            ImportRefusal::NotText => {
                f.write_str("the line is not UTF-8 text; save the file as CSV UTF-8")
            }
            ImportRefusal::Request(r) => r.fmt(f),
            ImportRefusal::Status(s) => write!(f, "status '{s}' is not open or completed"),
            ImportRefusal::NotAnOutcome(s) => write!(f, "outcome '{s}' is not an outcome"),
            ImportRefusal::OutcomeDate(s) => {
                write!(f, "outcome_on '{s}' is not a date; expected YYYY-MM-DD")
            }
            ImportRefusal::Outcome(r) => r.fmt(f),
            ImportRefusal::Fee(r) => r.fmt(f),
        }
    }
}

/// A row refused, with its line (as a person counts them) and its reference (blank when the
/// line could not be read or gave none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRefusal {
    pub line: usize,
    pub reference: String,
    pub reason: ImportRefusal,
}

/// What an import found: the run the rows were checked against, the rows accepted (stored by
/// [`save_import`]) and those refused.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub run: RunSummary,
    /// The series' name in the calendar (`June 2026`).
    pub series_name: String,
    pub accepted: Vec<Accepted>,
    pub refused: Vec<RowRefusal>,
}

/// Checks every row of an import file against the rules and the latest run of the centre and
/// series asked for; stores nothing.
pub fn check_import(
    store: &mut Store,
    file: &ImportFile,
    run: &RunChoice,
) -> Result<ImportReport, PrsError> {
    let checking = Checking::load(store, run)?;
    let ctx = checking.context();
    let path = store.path().to_path_buf();
    let mut log = LogIndex::load(store.connection()).map_err(|e| sql_error(&path, READ_LOG, e))?;
    let mut accepted: Vec<Accepted> = Vec::new();
    let mut refused: Vec<RowRefusal> = Vec::new();

    let mut lines = crate::csvlines::Lines::new(&file.bytes);
    let mut csv = reader(&file.bytes);
    for record in csv.byte_records().skip(1) {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                refused.push(RowRefusal {
                    line: lines.of(e.position()),
                    reference: String::new(),
                    reason: ImportRefusal::Unreadable(e.to_string()),
                });
                continue;
            }
        };
        let line = lines.of(record.position());
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let mut fields = Vec::with_capacity(record.len());
        let mut not_text = false;
        for f in record.iter() {
            match std::str::from_utf8(f) {
                // As written: without the quote an exported log put before `=`, `-`, ...
                Ok(t) => fields.push(crate::write::csvout::uncell(t.trim()).trim().to_string()),
                Err(_) => {
                    not_text = true;
                    fields.push(String::from_utf8_lossy(f).trim().to_string());
                }
            }
        }
        let field = |i: usize| fields.get(i).cloned().unwrap_or_default();
        let row = RequestRow {
            reference: field(0),
            candidate_number: field(1),
            board: field(2),
            entry_code: field(3),
            component_code: field(4),
            service: field(5),
            requested_on: field(6),
            consent_on: field(7),
        };
        let refuse = |reason| RowRefusal {
            line,
            reference: row.reference.clone(),
            reason,
        };
        if not_text {
            refused.push(refuse(ImportRefusal::NotText));
            continue;
        }
        let checked = check_request(&row, &ctx, &log)
            .and_then(|r| check_component(&r, &ctx).map(|()| r))
            .map_err(ImportRefusal::Request);
        let checked = checked.and_then(|request| {
            let outcome = exported_outcome(&fields, &file.extra, &request, &checking.catalogue)?;
            Ok((request, outcome))
        });
        let checked = checked.and_then(|(mut request, outcome)| {
            if let Some(text) = file.extra.fee.map(field).filter(|t| !t.trim().is_empty()) {
                request.fee_pence = Some(fee_given(&text).map_err(ImportRefusal::Fee)?);
            }
            Ok((request, outcome))
        });
        match checked {
            Ok((request, outcome)) => {
                log.add(&request);
                accepted.push(Accepted { request, outcome });
            }
            Err(reason) => refused.push(refuse(reason)),
        }
    }
    Ok(ImportReport {
        run: checking.run,
        series_name: checking.dates.name,
        accepted,
        refused,
    })
}

/// Stores the rows an import accepted, and the outcomes an exported log carried, in one
/// transaction.
pub fn save_import(store: &mut Store, report: &ImportReport) -> Result<(), PrsError> {
    const ACTION: &str = "store the requests";
    let path = store.path().to_path_buf();
    let err = |e| PrsError::from(sql_error(&path, ACTION, e));
    let requests: Vec<Request> = report.accepted.iter().map(|a| a.request.clone()).collect();
    let tx = store.connection().transaction().map_err(err)?;
    insert_requests(&tx, &requests, &created_at()).map_err(err)?;
    for a in &report.accepted {
        if let Some(record) = &a.outcome {
            if let Some(logged) = find_request(&tx, &a.request.reference).map_err(err)? {
                record_outcome(&tx, &logged, record).map_err(err)?;
            }
        }
    }
    tx.commit().map_err(err)?;
    Ok(())
}

/// Checks an import file's rows and stores those accepted ([`check_import`], then
/// [`save_import`]).
pub fn import(
    store: &mut Store,
    file: &ImportFile,
    run: &RunChoice,
) -> Result<ImportReport, PrsError> {
    let report = check_import(store, file, run)?;
    save_import(store, &report)?;
    Ok(report)
}

/// When a request is stored: now, in UTC to the second.
pub(super) fn created_at() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The outcome an exported log carried for a request (status `completed`), checked as one
/// recorded by hand would be.
fn exported_outcome(
    fields: &[String],
    extra: &ExportColumns,
    request: &Request,
    catalogue: &Catalogue,
) -> Result<Option<OutcomeRecord>, ImportRefusal> {
    let get = |i: Option<usize>| {
        i.and_then(|i| fields.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    };
    match get(extra.status) {
        "" | "open" => return Ok(None),
        "completed" => {}
        other => return Err(ImportRefusal::Status(other.to_string())),
    }
    let text = get(extra.outcome);
    let outcome =
        Outcome::parse(text).ok_or_else(|| ImportRefusal::NotAnOutcome(text.to_string()))?;
    let on_text = get(extra.outcome_on);
    let on =
        parse_iso_date(on_text).ok_or_else(|| ImportRefusal::OutcomeDate(on_text.to_string()))?;
    check_outcome(catalogue.rule(request.service), outcome).map_err(ImportRefusal::Outcome)?;
    if on < request.requested_on {
        return Err(ImportRefusal::Outcome(OutcomeRefusal::BeforeRequest {
            on,
            requested_on: request.requested_on,
        }));
    }
    let text_or_none = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Ok(Some(OutcomeRecord {
        outcome,
        on,
        old_grade: text_or_none(get(extra.old_grade)),
        new_grade: text_or_none(get(extra.new_grade)),
        old_mark: None,
        new_mark: None,
        linked_run_id: None,
    }))
}

/// `yes`, `no`, or blank.
pub fn yes_no_blank(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// A date, or blank.
pub fn date_or_blank(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

impl LoggedRequest {
    /// The request as `prs import` took it, column by column: reference, candidate, board,
    /// entry, component, service, requested, consent.
    pub fn import_fields(&self) -> [String; 8] {
        [
            self.reference.clone(),
            self.candidate_number.clone(),
            self.board.clone(),
            self.entry_code.clone(),
            self.component_code.clone(),
            self.service.to_string(),
            self.requested_on.to_string(),
            date_or_blank(self.consent_on),
        ]
    }

    /// The status, outcome and date of the outcome, as the export and the list show them.
    pub fn outcome_fields(&self) -> [String; 3] {
        [
            self.status.as_str().to_string(),
            self.outcome.map(|o| o.to_string()).unwrap_or_default(),
            date_or_blank(self.outcome_on),
        ]
    }
}

/// The log as CSV: the import columns then the export's own.
pub fn export_csv(requests: &[LoggedRequest]) -> Vec<u8> {
    // `fee` (pounds and pence) is the one number; the rest are references, codes and dates.
    let mut w = crate::write::csvout::Builder::new(IMPORT_COLUMNS.iter().chain(&EXPORT_COLUMNS))
        .numeric(["fee"])
        .in_memory();
    for r in requests {
        let fields = r.import_fields().into_iter().chain(r.outcome_fields());
        w.put_record(fields.chain([
            r.old_grade.clone().unwrap_or_default(),
            r.new_grade.clone().unwrap_or_default(),
            r.fee_pence.map(pounds).unwrap_or_default(),
            yes_no_blank(r.refund_due).to_string(),
            date_or_blank(r.keep_consent_until),
        ]));
    }
    w.into_bytes()
}
