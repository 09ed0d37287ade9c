//! What an outcome means: which outcomes fit a service, the refund, how long the consent form is
//! kept, the appeal window; and closing open requests with a re-run's changes.

use std::fmt;

use chrono::{Days, NaiveDate};
use rusqlite::params;

use super::checks::same_series;
use super::log::{logged_from_row, record_outcome, LoggedRequest, OutcomeRecord, LOG_COLUMNS};
use super::rules::ServiceRule;
use super::service::{outcome_of_change, Outcome, Service};
use crate::check::changes::Change;
use crate::rules::calendar;

/// An appeal (stage 1) must reach the board within this many days of the review outcome
/// (post-results-rules.md §4, [S]).
pub const APPEAL_WINDOW_DAYS: u64 = 30;
/// Consent is kept at least this many calendar months after the outcome (§1, [C]).
pub const KEEP_CONSENT_MONTHS: u32 = 6;

/// The last day a stage 1 appeal can reach the board: 30 days after the outcome's date.
pub fn appeal_window_closes(outcome_on: NaiveDate) -> NaiveDate {
    outcome_on
        .checked_add_days(Days::new(APPEAL_WINDOW_DAYS))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether an appeal can still be made on `as_of` (the closing day included).
pub fn appeal_window_open(outcome_on: NaiveDate, as_of: NaiveDate) -> bool {
    as_of <= appeal_window_closes(outcome_on)
}

/// The day until which the consent form must be kept: six calendar months after the outcome
/// (31 August → 28 February, or 29 February in a leap year).
pub fn keep_consent_until(outcome_on: NaiveDate) -> NaiveDate {
    calendar::add_months(outcome_on, KEEP_CONSENT_MONTHS)
}

/// Whether the board waives its fee (§3.2): a review of marking or clerical re-check is free
/// when the qualification grade changes, either way, and charged for a mark change alone or a
/// confirmed mark; a review of moderation is free only when the centre's marks are reinstated.
/// Script copies raise no fee question (`None`).
pub fn refund_due(service: Service, outcome: Outcome) -> Option<bool> {
    if service.is_access_to_scripts() {
        None
    } else if service == Service::S3 {
        Some(outcome == Outcome::CentreMarksReinstated)
    } else {
        Some(matches!(
            outcome,
            Outcome::GradeRaised | Outcome::GradeLowered
        ))
    }
}

/// Whether `outcome` can be the outcome of a request for `rule`'s service.
/// Why an outcome cannot be recorded on a request. Each names the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutcomeRefusal {
    /// The outcome is not one the service can come to.
    NotOfService {
        outcome: Outcome,
        service: Service,
        /// The service's name in the catalogue.
        name: String,
    },
    /// A grade lowered, where the service cannot lower a grade.
    CannotLower { service: Service, name: String },
    /// The request has an outcome already, and no replacement was asked for.
    AlreadyHas {
        held: Outcome,
        on: Option<NaiveDate>,
        old_grade: Option<String>,
        new_grade: Option<String>,
    },
    /// A date after today (the calendar's words).
    AfterToday(String),
    /// The outcome is dated before the request.
    BeforeRequest {
        on: NaiveDate,
        requested_on: NaiveDate,
    },
    /// The new grade is not in the entry's gradeset.
    NotAGrade {
        grade: String,
        gradeset: String,
        valid: Vec<String>,
    },
    /// A grade raised whose new grade is not above the old one.
    NotAbove { old: String, grade: String },
    /// A grade lowered whose new grade is not below the old one.
    NotBelow { old: String, grade: String },
}

impl fmt::Display for OutcomeRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutcomeRefusal::NotOfService {
                outcome,
                service,
                name,
            } => {
                let expected = if service.is_access_to_scripts() {
                    "script_received"
                } else if *service == Service::S3 {
                    "centre_marks_reinstated, moderated_marks_confirmed, grade_raised or \
                     mark_changed"
                } else {
                    "grade_raised, grade_lowered, mark_changed or confirmed"
                };
                write!(
                    f,
                    "{outcome} is not an outcome of {service} ({}); expected {expected}",
                    name.to_lowercase()
                )
            }
            OutcomeRefusal::CannotLower { service, name } => write!(
                f,
                "{service} ({}) cannot lower a subject grade in the series",
                name.to_lowercase()
            ),
            OutcomeRefusal::AlreadyHas {
                held,
                on,
                old_grade,
                new_grade,
            } => {
                let on = on.map(|d| format!(" on {d}")).unwrap_or_default();
                let grade = match (old_grade, new_grade) {
                    (Some(a), Some(b)) if a != b => format!(", grade {a} to {b}"),
                    (_, Some(b)) => format!(", grade {b}"),
                    _ => String::new(),
                };
                write!(
                    f,
                    "it already has an outcome: {held}{on}{grade}; an outcome is not overwritten \
                     (give --replace to record a corrected one)"
                )
            }
            OutcomeRefusal::AfterToday(reason) => f.write_str(reason),
            OutcomeRefusal::BeforeRequest { on, requested_on } => write!(
                f,
                "the outcome dated {on} is before the request on {requested_on}"
            ),
            OutcomeRefusal::NotAGrade {
                grade,
                gradeset,
                valid,
            } => write!(
                f,
                "grade {grade} is not a grade of this entry (gradeset {gradeset}: {}); check the \
                 grade on the outcome letter",
                valid.join(" ")
            ),
            OutcomeRefusal::NotAbove { old, grade } => write!(
                f,
                "grade_raised needs a grade above the old grade {old}, and {grade} is not above it"
            ),
            OutcomeRefusal::NotBelow { old, grade } => write!(
                f,
                "grade_lowered needs a grade below the old grade {old}, and {grade} is not below it"
            ),
        }
    }
}

/// Whether `outcome` can be the outcome of a request for `rule`'s service.
pub fn check_outcome(rule: &ServiceRule, outcome: Outcome) -> Result<(), OutcomeRefusal> {
    let service = rule.service;
    let fits = match outcome {
        Outcome::ScriptReceived => service.is_access_to_scripts(),
        Outcome::CentreMarksReinstated | Outcome::ModeratedMarksConfirmed => service == Service::S3,
        Outcome::GradeRaised
        | Outcome::GradeLowered
        | Outcome::MarkChanged
        | Outcome::Confirmed => !service.is_access_to_scripts(),
    };
    if !fits {
        return Err(OutcomeRefusal::NotOfService {
            outcome,
            service,
            name: rule.name.clone(),
        });
    }
    if outcome == Outcome::GradeLowered && rule.grade_can_fall == Some(false) {
        return Err(OutcomeRefusal::CannotLower {
            service,
            name: rule.name.clone(),
        });
    }
    Ok(())
}

/// Where a grade stands in its gradeset (1 is best; both grades of a double award `7-6`
/// counted); `None` when the gradeset does not hold it.
fn grade_rank(grade: &str, set: &parsers::tables::Gradeset) -> Option<u32> {
    if let Some(def) = set.get(grade) {
        return Some(u32::from(def.rank));
    }
    let (a, b) = grade.split_once('-')?;
    Some(u32::from(set.get(a)?.rank) + u32::from(set.get(b)?.rank))
}

/// Why a new grade given by hand cannot be recorded: not in the entry's gradeset, or not
/// above (below) the old grade for a grade raised (lowered).
pub fn check_new_grade(
    grade: &str,
    old_grade: Option<&str>,
    outcome: Outcome,
    set: &parsers::tables::Gradeset,
) -> Option<OutcomeRefusal> {
    let Some(new_rank) = grade_rank(grade, set) else {
        return Some(OutcomeRefusal::NotAGrade {
            grade: grade.to_string(),
            gradeset: set.code.to_string(),
            valid: set.grades.iter().map(|g| g.grade.to_string()).collect(),
        });
    };
    let old = old_grade?;
    let old_rank = grade_rank(old, set)?;
    let (old, grade) = (old.to_string(), grade.to_string());
    match outcome {
        Outcome::GradeRaised if new_rank >= old_rank => {
            Some(OutcomeRefusal::NotAbove { old, grade })
        }
        Outcome::GradeLowered if new_rank <= old_rank => {
            Some(OutcomeRefusal::NotBelow { old, grade })
        }
        _ => None,
    }
}

/// Answers open requests with a re-run's changes. Called inside the run's transaction, so the
/// run and its answers are saved together or not at all.
///
/// For each change that moved a grade or a mark (`up`, `down`, `same`), every open clerical
/// re-check, review of marking or review of moderation of the same centre, series, candidate,
/// board and entry, requested on or before `outcome_on`, is closed with the outcome the change
/// shows, its grades and marks, `refund_due`, `keep_consent_until` and the run; the change gets
/// the references (joined with `;`) and whether a refund is due (yes when any of them is). A
/// review of moderation cannot lower a grade, so a fall does not answer one. New and removed
/// results answer nothing, and `confirmed` is never inferred. Returns how many requests were
/// closed.
pub fn answer_changes(
    conn: &rusqlite::Connection,
    centre: &str,
    series: &str,
    run_id: i64,
    outcome_on: NaiveDate,
    changes: &mut [Change],
) -> rusqlite::Result<usize> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {LOG_COLUMNS} FROM prs_requests
         WHERE centre = ?1 AND candidate_number = ?2 AND board = ?3 AND entry_code = ?4
           AND status = 'open'
         ORDER BY reference"
    ))?;
    let mut closed = 0;
    for change in changes.iter_mut() {
        let Some(outcome) = outcome_of_change(change.direction) else {
            continue;
        };
        let open: Vec<LoggedRequest> = stmt
            .query_map(
                params![
                    centre,
                    change.candidate_number,
                    change.board,
                    change.entry_code
                ],
                logged_from_row,
            )?
            .collect::<rusqlite::Result<_>>()?;
        let mut references = Vec::new();
        let mut refund = None;
        for request in open {
            if !request.service.answered_by_results()
                || !same_series(&request.series, series)
                || request.requested_on > outcome_on
                || (request.service == Service::S3 && outcome == Outcome::GradeLowered)
            {
                continue;
            }
            record_outcome(
                conn,
                &request,
                &OutcomeRecord {
                    outcome,
                    on: outcome_on,
                    old_grade: Some(change.old_grade.clone()),
                    new_grade: Some(change.new_grade.clone()),
                    old_mark: change.old_mark.map(i64::from),
                    new_mark: change.new_mark.map(i64::from),
                    linked_run_id: Some(run_id),
                },
            )?;
            let due = refund_due(request.service, outcome).unwrap_or(false);
            refund = Some(refund.unwrap_or(false) || due);
            references.push(request.reference);
            closed += 1;
        }
        if !references.is_empty() {
            change.prs_request = Some(references.join(";"));
            change.refund_due = refund;
        }
    }
    Ok(closed)
}

/// Marks each change with the requests a given run answered for it (by [`answer_changes`]) and
/// whether a refund is due: for `resultsday diff`, which compares stored runs and changes
/// nothing in the log.
pub fn annotate_changes(
    conn: &rusqlite::Connection,
    run_id: i64,
    changes: &mut [Change],
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {LOG_COLUMNS} FROM prs_requests
         WHERE linked_run_id = ?1 AND candidate_number = ?2 AND board = ?3 AND entry_code = ?4
         ORDER BY reference"
    ))?;
    for change in changes.iter_mut() {
        let answered: Vec<LoggedRequest> = stmt
            .query_map(
                params![
                    run_id,
                    change.candidate_number,
                    change.board,
                    change.entry_code
                ],
                logged_from_row,
            )?
            .collect::<rusqlite::Result<_>>()?;
        if answered.is_empty() {
            continue;
        }
        let references: Vec<&str> = answered.iter().map(|r| r.reference.as_str()).collect();
        change.prs_request = Some(references.join(";"));
        change.refund_due = Some(answered.iter().any(|r| r.refund_due == Some(true)));
    }
    Ok(())
}
