//! The certificates log: which certificates a board sent, which were issued to candidates and
//! how, which are unclaimed, and which were destroyed or returned (post-results-rules §7).
//!
//! A certificate is one candidate's with one board for one series: the board prints every award
//! the candidate has with it on one certificate. The certificates expected from a board are
//! those of the candidates with at least one certificated result from that board in the latest
//! results-day run of the series (see [`is_certificated`]).
//!
//! Retention (JCQ, post-results-rules §7):
//! - an unclaimed certificate is kept at least **12 months**, then returned to the board or
//!   destroyed confidentially. JCQ counts from the board's date of issue, which the centre does
//!   not know; resultsday counts from the date the centre **received** it. That is never earlier
//!   than the board's issue, so a certificate is never let go too soon.
//! - the record of a destroyed certificate is kept **4 years** from the date of destruction.
//!
//! Months are calendar months; a day the later month lacks becomes its last day, so 12 months
//! after 2028-02-29 is 2029-02-28, and 4 years after 2096-02-29 is 2100-02-28.
//!
//! Every change is one transaction in the store: a batch is recorded whole or not at all, and a
//! destruction of several certificates is refused whole if one of them may not be destroyed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{NaiveDate, Utc};
use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use crate::model::CandidateResult;
use crate::rules::calendar;
use crate::store::{RunSummary, Store, StoreError};

/// How long an unclaimed certificate is kept before it may be returned or destroyed.
pub const UNCLAIMED_KEEP_MONTHS: u32 = 12;

/// How long the record of a destroyed certificate is kept.
pub const DESTRUCTION_RECORD_YEARS: u32 = 4;

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

pub use crate::rules::calendar::add_months;

/// The day from which an unclaimed certificate received on `received_on` may be returned to
/// the board or destroyed: 12 months later.
pub fn due_for_return_or_destruction(received_on: NaiveDate) -> NaiveDate {
    add_months(received_on, UNCLAIMED_KEEP_MONTHS)
}

/// The day until which the record of a certificate destroyed on `destroyed_on` is kept: 4 years
/// later.
pub fn keep_record_until(destroyed_on: NaiveDate) -> NaiveDate {
    add_months(destroyed_on, DESTRUCTION_RECORD_YEARS * 12)
}

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

/// Where a certificate stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Expected from the board (from the latest run) and not received: chase the board.
    Missing,
    /// Received, not yet issued, and within its 12 months: keep it securely.
    Received,
    /// Received, never issued, and 12 months old: due for return to the board or confidential
    /// destruction.
    Unclaimed,
    /// Issued to the candidate.
    Issued,
    /// Destroyed confidentially, unclaimed.
    Destroyed,
    /// Returned to the board, unclaimed.
    Returned,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Missing => "missing",
            Status::Received => "received",
            Status::Unclaimed => "unclaimed",
            Status::Issued => "issued",
            Status::Destroyed => "destroyed",
            Status::Returned => "returned",
        }
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
    /// Where it stands on `as_of`.
    pub fn status(&self, as_of: NaiveDate) -> Status {
        let Some(received_on) = self.received_on else {
            return Status::Missing;
        };
        if self.issued_on.is_some() {
            Status::Issued
        } else if self.destroyed_on.is_some() {
            Status::Destroyed
        } else if self.returned_on.is_some() {
            Status::Returned
        } else if as_of >= due_for_return_or_destruction(received_on) {
            Status::Unclaimed
        } else {
            Status::Received
        }
    }

    /// Whether the centre holds it: received, and not issued, destroyed or returned.
    pub fn is_held(&self) -> bool {
        self.received_on.is_some()
            && self.issued_on.is_none()
            && self.destroyed_on.is_none()
            && self.returned_on.is_none()
    }

    /// For a certificate the centre holds: the day from which it may be returned or destroyed.
    pub fn due_from(&self) -> Option<NaiveDate> {
        if self.is_held() {
            self.received_on.map(due_for_return_or_destruction)
        } else {
            None
        }
    }

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

/// Certificates the centre holds unissued on a day, split by whether their 12 months are up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unclaimed {
    /// Due for return to the board or confidential destruction.
    pub due: Vec<Certificate>,
    /// Still within their 12 months: keep securely.
    pub keep: Vec<Certificate>,
}

/// Splits the held certificates in `log` by whether they are due on `as_of`.
pub fn unclaimed(log: &[Certificate], as_of: NaiveDate) -> Unclaimed {
    let mut split = Unclaimed::default();
    for c in log.iter().filter(|c| c.is_held()) {
        if c.status(as_of) == Status::Unclaimed {
            split.due.push(c.clone());
        } else {
            split.keep.push(c.clone());
        }
    }
    split
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

/// Why a change to the log was not made, or the log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CertificatesError {
    #[error(
        "the store {} holds no results-day run{}; run `resultsday run DIR --db {}` first, so \
         resultsday knows which certificates to expect",
        path.display(),
        series.as_ref().map(|s| format!(" for series {s}")).unwrap_or_default(),
        path.display()
    )]
    NoRun {
        path: std::path::PathBuf,
        series: Option<String>,
    },

    #[error(
        "board '{board}' has no results in run {run} ({series}); the boards there are {boards}"
    )]
    UnknownBoard {
        board: String,
        run: i64,
        series: String,
        boards: String,
    },

    /// A change refused, with every reason, one per line.
    #[error("{0}")]
    Refused(String),

    #[error(transparent)]
    Store(#[from] StoreError),

    #[error("the store {}: could not {action}: {detail}", path.display())]
    Sql {
        path: std::path::PathBuf,
        action: &'static str,
        detail: String,
    },
}

fn sql<'p>(
    path: &'p Path,
    action: &'static str,
) -> impl Fn(rusqlite::Error) -> CertificatesError + 'p {
    move |e| {
        use rusqlite::ErrorCode;
        let detail = match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                "it is locked by another resultsday; wait for it to finish, then try again".into()
            }
            Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
                "the file or its folder is read-only for you".into()
            }
            Some(ErrorCode::DiskFull) => "the disk is full; nothing was saved".into(),
            _ => e.to_string(),
        };
        CertificatesError::Sql {
            path: path.to_path_buf(),
            action,
            detail,
        }
    }
}

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

/// An issue to a candidate, as the exams officer records it.
#[derive(Debug, Clone)]
pub struct Issue<'a> {
    pub candidate_number: &'a str,
    /// `None`: every certificate the centre holds for the candidate (a candidate collects all
    /// their certificates at once).
    pub board: Option<&'a str>,
    pub series: Option<&'a str>,
    pub on: NaiveDate,
    pub how: IssuedHow,
    pub to: Option<&'a str>,
    /// Today ([`calendar::today`]): `on` may not be later.
    pub today: NaiveDate,
    /// For each certificate's results day, which `on` may not be before.
    pub calendar: &'a calendar::Calendar,
}

/// Records the issue of a candidate's certificates held by the centre, in one transaction; returns
/// them as issued. One not received, already issued, destroyed or returned is refused with the
/// reason, and nothing is recorded.
pub fn issue(store: &mut Store, issue: &Issue) -> Result<Vec<Certificate>, CertificatesError> {
    calendar::refuse_after_today("the day issued", issue.on, issue.today)
        .map_err(|why| CertificatesError::Refused(format!("not issued: {why}")))?;
    let path = store.path().to_path_buf();
    let missing = all_missing(store)?;
    let tx = store
        .connection()
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql(&path, "start recording the issue"))?;
    let log = log_of(&tx, &path)?;
    let matches = |c: &&Certificate| {
        c.candidate_number == issue.candidate_number
            && issue.board.is_none_or(|b| c.board == b)
            && issue.series.is_none_or(|s| series_matches(&c.series, s))
    };
    let theirs: Vec<&Certificate> = log.iter().filter(matches).collect();
    let held: Vec<&Certificate> = theirs.iter().copied().filter(|c| c.is_held()).collect();
    let which = describe_selection(issue.candidate_number, issue.board, issue.series);
    if held.is_empty() {
        let mut reasons: Vec<String> = theirs.iter().map(|c| why_not_held(c)).collect();
        if reasons.is_empty() {
            let chasing = missing.iter().any(|c| matches(&c));
            reasons.push(if chasing {
                format!(
                    "no certificate for {which} has been received: it is missing from the \
                     board's batch (chase it with the board; record it with `certs receive` when \
                     it arrives)"
                )
            } else {
                format!(
                    "no certificate for {which} has been received; record it with `certs \
                     receive` when it arrives"
                )
            });
        }
        return Err(CertificatesError::Refused(format!(
            "not issued: {}",
            reasons.join("; ")
        )));
    }
    let early: Vec<String> = held
        .iter()
        .filter(|c| c.received_on.is_some_and(|r| issue.on < r))
        .map(|c| {
            format!(
                "{} was received on {}, after {}",
                c.describe(),
                c.received_on.unwrap_or_default(),
                issue.on
            )
        })
        .collect();
    if !early.is_empty() {
        return Err(CertificatesError::Refused(format!(
            "not issued: a certificate cannot be issued before it was received: {}",
            early.join("; ")
        )));
    }
    for c in &held {
        possible_day(
            "the day issued",
            issue.on,
            issue.today,
            issue.calendar,
            &c.series,
        )
        .map_err(|why| CertificatesError::Refused(format!("not issued: {why}")))?;
    }
    let mut issued = Vec::new();
    for c in held {
        tx.execute(
            "UPDATE certificates SET issued_on = ?1, issued_how = ?2, issued_to = ?3
             WHERE centre = ?4 AND board = ?5 AND series = ?6 AND candidate_number = ?7
               AND issued_on IS NULL AND destroyed_on IS NULL AND returned_on IS NULL",
            params![
                issue.on.to_string(),
                issue.how.as_str(),
                issue.to,
                c.centre,
                c.board,
                c.series,
                c.candidate_number
            ],
        )
        .map_err(sql(&path, "record the issue"))?;
        let mut now = c.clone();
        now.issued_on = Some(issue.on);
        now.issued_how = Some(issue.how);
        now.issued_to = issue.to.map(str::to_string);
        issued.push(now);
    }
    tx.commit().map_err(sql(&path, "save the issue"))?;
    Ok(issued)
}

/// What happens to unclaimed certificates at the end of their 12 months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposal {
    /// Confidential destruction; the record is kept 4 years.
    Destroyed,
    /// Returned to the board.
    Returned,
}

/// Which certificates to destroy or return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisposalChoice {
    /// These candidates' certificates from the board.
    Candidates(Vec<String>),
    /// Every unclaimed certificate whose 12 months are up on the day (of the board, if given).
    Due,
}

/// A destruction or return, as the exams officer records it.
#[derive(Debug, Clone)]
pub struct DisposalRecord<'a> {
    pub board: Option<&'a str>,
    pub series: Option<&'a str>,
    pub on: NaiveDate,
    pub choice: DisposalChoice,
    pub disposal: Disposal,
    /// Record it even for certificates whose 12 months are not up.
    pub force: bool,
    /// Today ([`calendar::today`]): `on` may never be later, `force` or not.
    pub today: NaiveDate,
}

/// Records the destruction (or return) of unclaimed certificates in one transaction, and returns
/// them as recorded. If any chosen certificate may not be disposed of (not received, issued,
/// already gone, or under 12 months old without `force`), nothing is recorded and every reason
/// is given.
pub fn dispose(
    store: &mut Store,
    record: &DisposalRecord,
) -> Result<Vec<Certificate>, CertificatesError> {
    // A destruction is recorded once it is done. One dated ahead (a typo in the year) would let
    // certificates be destroyed on paper before their 12 months are up: refused, --force or not.
    if record.on > record.today {
        let verb = match record.disposal {
            Disposal::Destroyed => "destruction",
            Disposal::Returned => "return to the board",
        };
        return Err(CertificatesError::Refused(format!(
            "nothing recorded: --on {} ({}) is after today ({}): a {verb} is recorded once it has \
             been done, and one dated ahead would count certificates as gone before their \
             {UNCLAIMED_KEEP_MONTHS} months are up. Check the date (the year?)",
            record.on,
            calendar::long_date(record.on),
            calendar::long_date(record.today)
        )));
    }
    let path = store.path().to_path_buf();
    let tx = store
        .connection()
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql(&path, "start recording the destruction"))?;
    let log = log_of(&tx, &path)?;
    let in_scope = |c: &&Certificate| {
        record.board.is_none_or(|b| c.board == b)
            && record.series.is_none_or(|s| series_matches(&c.series, s))
    };
    let mut chosen: Vec<&Certificate> = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    match &record.choice {
        DisposalChoice::Due => {
            chosen = log
                .iter()
                .filter(in_scope)
                .filter(|c| c.is_held() && c.status(record.on) == Status::Unclaimed)
                .collect();
        }
        DisposalChoice::Candidates(numbers) => {
            for number in numbers {
                let theirs: Vec<&Certificate> = log
                    .iter()
                    .filter(in_scope)
                    .filter(|c| &c.candidate_number == number)
                    .collect();
                let which = describe_selection(number, record.board, record.series);
                let held: Vec<&Certificate> =
                    theirs.iter().copied().filter(|c| c.is_held()).collect();
                match held.as_slice() {
                    [] if theirs.is_empty() => {
                        refused.push(format!("no certificate for {which} has been received"))
                    }
                    [] => refused.extend(theirs.iter().map(|c| why_not_held(c))),
                    [one] => {
                        let due = one.due_from().unwrap_or(NaiveDate::MAX);
                        let received = one.received_on.unwrap_or_default();
                        if record.on < received {
                            refused.push(format!(
                                "{} was received on {received}, after {}",
                                one.describe(),
                                record.on
                            ));
                        } else if record.on < due && !record.force {
                            refused.push(format!(
                                "{} was received on {received} and must be kept until {due} \
                                 ({UNCLAIMED_KEEP_MONTHS} months); give --force to record it \
                                 anyway",
                                one.describe()
                            ));
                        } else {
                            chosen.push(one);
                        }
                    }
                    several => refused.push(format!(
                        "{which} has certificates from {}; say which with --board and --series",
                        several
                            .iter()
                            .map(|c| format!("board {} {}", c.board, c.series))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }
            }
        }
    }
    if !refused.is_empty() {
        return Err(CertificatesError::Refused(format!(
            "nothing recorded:\n  {}",
            refused.join("\n  ")
        )));
    }
    let mut done = Vec::new();
    for c in chosen {
        let early = c.due_from().is_some_and(|due| record.on < due);
        let mut now = c.clone();
        now.disposed_early = early;
        match record.disposal {
            Disposal::Destroyed => {
                now.destroyed_on = Some(record.on);
                now.keep_record_until = Some(keep_record_until(record.on));
            }
            Disposal::Returned => now.returned_on = Some(record.on),
        }
        tx.execute(
            "UPDATE certificates
             SET destroyed_on = ?1, returned_on = ?2, keep_record_until = ?3, disposed_early = ?4
             WHERE centre = ?5 AND board = ?6 AND series = ?7 AND candidate_number = ?8
               AND issued_on IS NULL AND destroyed_on IS NULL AND returned_on IS NULL",
            params![
                now.destroyed_on.map(|d| d.to_string()),
                now.returned_on.map(|d| d.to_string()),
                now.keep_record_until.map(|d| d.to_string()),
                early,
                c.centre,
                c.board,
                c.series,
                c.candidate_number
            ],
        )
        .map_err(sql(&path, "record the destruction"))?;
        done.push(now);
    }
    tx.commit().map_err(sql(&path, "save the destruction"))?;
    Ok(done)
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

fn missing_from(
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

/// Refuses a day given by hand that cannot be right: after `today`, or before the first results
/// day of `series` (a code such as `6A26`) where the calendar knows it.
fn possible_day(
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

/// `candidate 0005 (board 70, series 6A26)`.
fn describe_selection(candidate: &str, board: Option<&str>, series: Option<&str>) -> String {
    let mut within = Vec::new();
    if let Some(b) = board {
        within.push(format!("board {b}"));
    }
    if let Some(s) = series {
        within.push(format!("series {s}"));
    }
    if within.is_empty() {
        format!("candidate {candidate}")
    } else {
        format!("candidate {candidate} ({})", within.join(", "))
    }
}

/// Why a certificate the centre received is no longer held.
fn why_not_held(c: &Certificate) -> String {
    if let (Some(on), Some(how)) = (c.issued_on, c.issued_how) {
        format!(
            "{} was already issued on {on} ({}); a certificate is issued once",
            c.describe(),
            how.as_str()
        )
    } else if let Some(on) = c.destroyed_on {
        format!("{} was destroyed on {on}", c.describe())
    } else if let Some(on) = c.returned_on {
        format!("{} was returned to the board on {on}", c.describe())
    } else {
        format!("{} is held", c.describe())
    }
}

struct Key<'a> {
    centre: &'a str,
    board: &'a str,
    series: &'a str,
    candidate_number: &'a str,
}

const SELECT: &str = "SELECT centre, board, series, candidate_number, uci, name, expected,
        received_on, issued_on, issued_how, issued_to, destroyed_on, returned_on,
        keep_record_until, disposed_early
    FROM certificates";

fn find(conn: &Connection, key: &Key) -> rusqlite::Result<Option<Certificate>> {
    conn.query_row(
        &format!(
            "{SELECT} WHERE centre = ?1 AND board = ?2 AND series = ?3 AND candidate_number = ?4"
        ),
        params![key.centre, key.board, key.series, key.candidate_number],
        certificate_from_row,
    )
    .optional()
}

fn log_of(conn: &Connection, path: &Path) -> Result<Vec<Certificate>, CertificatesError> {
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

fn unreadable(column: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, Type::Text, message.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ResultsDay, Source};
    use parsers::Grade;

    fn day(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    fn result(board: &str, candidate: &str, entry: &str, grade: &str) -> CandidateResult {
        CandidateResult {
            board: board.into(),
            centre: "14520".into(),
            candidate_number: candidate.into(),
            uci: format!("14520{candidate}"),
            name: format!("NAME{candidate}:ANN"),
            entry_code: entry.into(),
            syllabus_code: None,
            title: String::new(),
            qualification: "GCSE".into(),
            level: Some(2),
            gradeset: None,
            is_award: true,
            grade: Grade::parse(grade),
            grade2: None,
            mark: None,
            max_mark: None,
            endorsement: None,
            components: vec![],
            results_day: ResultsDay::Gcse,
            source: Source::default(),
        }
    }

    fn held(received_on: &str) -> Certificate {
        Certificate {
            centre: "14520".into(),
            board: "70".into(),
            series: "6A26".into(),
            candidate_number: "0001".into(),
            uci: String::new(),
            name: "SMITH:ANN".into(),
            expected: true,
            received_on: Some(day(received_on)),
            issued_on: None,
            issued_how: None,
            issued_to: None,
            destroyed_on: None,
            returned_on: None,
            keep_record_until: None,
            disposed_early: false,
        }
    }

    #[test]
    fn twelve_months_are_calendar_months_clamped_to_the_month_end() {
        assert_eq!(
            due_for_return_or_destruction(day("2026-11-02")),
            day("2027-11-02")
        );
        assert_eq!(
            due_for_return_or_destruction(day("2028-02-29")),
            day("2029-02-28")
        );
        assert_eq!(
            due_for_return_or_destruction(day("2027-02-28")),
            day("2028-02-28")
        );
        assert_eq!(add_months(day("2027-01-31"), 1), day("2027-02-28"));
        assert_eq!(add_months(NaiveDate::MAX, 12), NaiveDate::MAX);
    }

    #[test]
    fn destruction_records_are_kept_four_years() {
        assert_eq!(keep_record_until(day("2027-11-02")), day("2031-11-02"));
        assert_eq!(keep_record_until(day("2028-02-29")), day("2032-02-29"));
        // 2100 is not a leap year.
        assert_eq!(keep_record_until(day("2096-02-29")), day("2100-02-28"));
    }

    #[test]
    fn status_turns_unclaimed_on_the_twelve_month_day() {
        let c = held("2026-11-02");
        assert_eq!(c.status(day("2026-11-02")), Status::Received);
        assert_eq!(c.status(day("2027-11-01")), Status::Received);
        assert_eq!(c.status(day("2027-11-02")), Status::Unclaimed);
        assert_eq!(c.due_from(), Some(day("2027-11-02")));

        let leap = held("2028-02-29");
        assert_eq!(leap.status(day("2029-02-27")), Status::Received);
        assert_eq!(leap.status(day("2029-02-28")), Status::Unclaimed);

        let mut issued = held("2026-11-02");
        issued.issued_on = Some(day("2026-11-10"));
        issued.issued_how = Some(IssuedHow::Posted);
        assert_eq!(issued.status(day("2030-01-01")), Status::Issued);
        assert_eq!(issued.due_from(), None);

        let mut destroyed = held("2026-11-02");
        destroyed.destroyed_on = Some(day("2027-11-02"));
        assert_eq!(destroyed.status(day("2027-11-02")), Status::Destroyed);

        let mut missing = held("2026-11-02");
        missing.received_on = None;
        assert_eq!(missing.status(day("2026-11-02")), Status::Missing);
        assert!(!missing.is_held());
    }

    #[test]
    fn unclaimed_splits_due_from_still_to_keep() {
        let mut issued = held("2026-11-02");
        issued.issued_on = Some(day("2026-11-10"));
        issued.issued_how = Some(IssuedHow::Collected);
        let mut late = held("2027-01-15");
        late.candidate_number = "0002".into();
        let log = [held("2026-11-02"), issued, late];
        let split = unclaimed(&log, day("2027-11-02"));
        assert_eq!(split.due, [log[0].clone()]);
        assert_eq!(split.keep, [log[2].clone()]);
        let split = unclaimed(&log, day("2027-11-01"));
        assert!(split.due.is_empty());
        assert_eq!(split.keep.len(), 2);
    }

    #[test]
    fn expected_certificates_are_awards_with_a_grade_from_the_board() {
        let mut unit = result("70", "0004", "R067", "P1");
        unit.is_award = false;
        let results = [
            result("70", "0002", "8700", "5"),
            result("70", "0002", "8702", "4"),
            result("70", "0001", "8700", "U"),
            result("70", "0003", "8700", "X"),
            result("70", "0003", "8702", "Q"),
            result("70", "0005", "8700", ""),
            result("70", "0006", "8700", "5#"),
            unit,
            result("01", "0007", "J560F", "4"),
        ];
        let got: Vec<String> = expected_certificates(&results, "70")
            .into_iter()
            .map(|e| e.candidate_number)
            .collect();
        assert_eq!(got, ["0001", "0002", "0006"]);
        let one = &expected_certificates(&results, "70")[1];
        assert_eq!(one.uci, "145200002");
        assert_eq!(one.name, "NAME0002:ANN");
        assert!(expected_certificates(&results, "40").is_empty());
    }

    #[test]
    fn dates_and_candidate_numbers_are_read_strictly() {
        assert_eq!(parse_date(" 2028-02-29 "), Ok(day("2028-02-29")));
        for bad in [
            "2027-02-29",
            "2026-8-1",
            "02/11/2026",
            "2026-11-02T10:00",
            "",
        ] {
            let e = parse_date(bad).unwrap_err();
            assert!(e.contains("expected YYYY-MM-DD"), "{bad}: {e}");
        }
        assert_eq!(candidate_number("5").as_deref(), Ok("0005"));
        assert_eq!(candidate_number(" 0101 ").as_deref(), Ok("0101"));
        for bad in ["", "12345", "00O5", "-1"] {
            assert!(candidate_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn series_by_code_or_id() {
        assert!(series_matches("6A26", "6a26"));
        assert!(series_matches("6A26", "2026-06"));
        assert!(!series_matches("6A26", "2025-06"));
        assert_eq!(series_label("6A26"), "June 2026 (6A26)");
        assert_eq!(series_label("ZZ99"), "ZZ99");
    }

    #[test]
    fn export_has_the_contract_columns_and_a_status_per_row() {
        let mut destroyed = held("2026-11-02");
        destroyed.destroyed_on = Some(day("2028-02-29"));
        destroyed.keep_record_until = Some(keep_record_until(day("2028-02-29")));
        let bytes = export_csv(&[destroyed, held("2027-03-01")], day("2028-03-01"));
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "\u{feff}board,series,candidate_number,uci,name,received_on,issued_on,issued_how,\
             destroyed_on,returned_on,keep_record_until,status\n\
             70,6A26,0001,,SMITH:ANN,2026-11-02,,,2028-02-29,,2032-02-29,destroyed\n\
             70,6A26,0001,,SMITH:ANN,2027-03-01,,,,,,unclaimed\n"
        );
    }

    #[test]
    fn the_migration_makes_strict_tables_that_refuse_bad_rows() {
        let conn = Connection::open_in_memory().unwrap();
        for m in crate::store::MIGRATIONS {
            conn.execute_batch(m).unwrap();
        }
        conn.execute(
            "INSERT INTO certificate_batches (centre, board, series, received_on, expected,
                 recorded_at) VALUES ('14520', '70', '6A26', '2026-11-02', 1, 'now')",
            [],
        )
        .unwrap();
        let insert = |received: &str, issued: Option<&str>, how: Option<&str>| {
            conn.execute(
                "INSERT INTO certificates (batch_id, centre, board, series, candidate_number,
                     uci, name, expected, received_on, issued_on, issued_how)
                 VALUES (1, '14520', '70', '6A26', '0001', '', '', 1, ?1, ?2, ?3)",
                params![received, issued, how],
            )
        };
        assert!(insert("2/11/2026", None, None).is_err());
        assert!(insert("2026-11-02", Some("2026-11-10"), None).is_err());
        assert!(insert("2026-11-02", Some("2026-11-10"), Some("emailed")).is_err());
        insert("2026-11-02", Some("2026-11-10"), Some("posted")).unwrap();
        assert!(
            insert("2026-11-02", None, None).is_err(),
            "one certificate per candidate, board and series"
        );
    }
}
