//! What happens to a certificate the centre holds: issued to its candidate, or, unclaimed after
//! its 12 months, destroyed confidentially or returned to the board.

use chrono::NaiveDate;
use rusqlite::{params, TransactionBehavior};

use super::log::{all_missing, log_of, series_matches, Certificate, IssuedHow};
use super::receive::possible_day;
use super::retention::{keep_record_until, Status, UNCLAIMED_KEEP_MONTHS};
use super::{sql, CertificatesError};
use crate::rules::calendar;
use crate::store::Store;

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
