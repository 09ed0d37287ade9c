//! Why a request is refused: each reason names the rule it breaks and what to do.

use std::fmt;

use chrono::NaiveDate;

use super::rules::service_list;
use super::service::Service;
use crate::model::ResultsDay;

/// Why a request is not stored. Each says what rule it breaks and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoReference,
    DuplicateReference(String),
    UnknownService(String),
    BadDate {
        field: &'static str,
        text: String,
    },
    NoCandidate(Service),
    NoEntry {
        candidate: String,
        board: String,
        entry: String,
        run_id: i64,
    },
    NoCohortEntry {
        board: String,
        entry: String,
        run_id: i64,
    },
    NotForEntry {
        service: Service,
        entry: String,
    },
    NotOffered {
        service: Service,
        series: String,
    },
    BeforeResults {
        requested_on: NaiveDate,
        day: ResultsDay,
        date: NaiveDate,
    },
    Late {
        service: Service,
        requested_on: NaiveDate,
        deadline: NaiveDate,
    },
    NoConsent(Service),
    ConsentBeforeResults {
        consent_on: NaiveDate,
        day: ResultsDay,
        date: NaiveDate,
    },
    ConsentAfterRequest {
        consent_on: NaiveDate,
        requested_on: NaiveDate,
    },
    UnknownComponent {
        component: String,
        board: String,
        entry: String,
        known: Vec<String>,
        run_id: i64,
    },
    AlreadyReviewed {
        component: String,
        entry: String,
        candidate: String,
        other: String,
        other_service: Service,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NoReference => f.write_str("no reference; every request needs its own"),
            Refusal::DuplicateReference(r) => write!(
                f,
                "reference {r} is already in the log (references are the same whatever their \
                 capitals); a request is stored once (give a new request a new reference)"
            ),
            Refusal::UnknownComponent {
                component,
                board,
                entry,
                known,
                run_id,
            } => write!(
                f,
                "component {component} is not a component of {entry} with board {board} in the \
                 latest run (run {run_id}), which has {}; check the component code",
                known.join(", ")
            ),
            Refusal::UnknownService(s) => {
                write!(f, "service '{s}' is not one of {}", service_list())
            }
            Refusal::BadDate { field, text } if text.is_empty() => {
                write!(f, "no {field}; expected a date YYYY-MM-DD")
            }
            Refusal::BadDate { field, text } => {
                write!(f, "{field} '{text}' is not a date; expected YYYY-MM-DD")
            }
            Refusal::NoCandidate(s) => write!(
                f,
                "no candidate number; only S3, a whole-cohort review of moderation, may leave it \
                 blank, and this is {s}"
            ),
            Refusal::NoEntry {
                candidate,
                board,
                entry,
                run_id,
            } => write!(
                f,
                "candidate {candidate} has no result for {entry} with board {board} in the \
                 latest run (run {run_id}); check the candidate number, board and entry code"
            ),
            Refusal::NoCohortEntry {
                board,
                entry,
                run_id,
            } => write!(
                f,
                "no candidate has a result for {entry} with board {board} in the latest run \
                 (run {run_id}); check the board and entry code"
            ),
            Refusal::NotForEntry { service, entry } => write!(
                f,
                "{service} is for A level and level 3 entries only, and {entry} is not one \
                 (its results came on the GCSE results day)"
            ),
            Refusal::NotOffered { service, series } => write!(
                f,
                "{service} is not offered in {series}: the series calendar has no deadline \
                 for it"
            ),
            Refusal::BeforeResults {
                requested_on,
                day,
                date,
            } => write!(
                f,
                "requested on {requested_on}, before the {} results day {date}",
                day_name(*day)
            ),
            Refusal::Late {
                service,
                requested_on,
                deadline,
            } => write!(
                f,
                "requested on {requested_on}, after the {service} deadline {deadline}; late \
                 requests are not accepted"
            ),
            Refusal::NoConsent(s) => write!(
                f,
                "no consent date; {s} needs the candidate's written consent, taken after results"
            ),
            Refusal::ConsentBeforeResults {
                consent_on,
                day,
                date,
            } => write!(
                f,
                "consent dated {consent_on} is before the {} results day {date}; consent must \
                 be taken after results",
                day_name(*day)
            ),
            Refusal::ConsentAfterRequest {
                consent_on,
                requested_on,
            } => write!(
                f,
                "consent dated {consent_on} is after the request on {requested_on}; consent \
                 must be taken before the request is made"
            ),
            Refusal::AlreadyReviewed {
                component,
                entry,
                candidate,
                other,
                other_service,
            } => {
                let what = if component.is_empty() {
                    format!("{entry} for candidate {candidate}")
                } else {
                    format!("component {component} of {entry} for candidate {candidate}")
                };
                write!(
                    f,
                    "{what} already has a review ({other}, {other_service}); a component may \
                     be reviewed once"
                )
            }
        }
    }
}

fn day_name(day: ResultsDay) -> &'static str {
    match day {
        ResultsDay::Gce => "GCE",
        ResultsDay::Gcse => "GCSE",
    }
}
