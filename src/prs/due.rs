//! What is due: requests past their expected completion with no outcome, and appeal windows
//! about to close, decided against a date the caller gives.

use chrono::{Days, NaiveDate};

use super::log::LoggedRequest;
use super::outcome::appeal_window_closes;
use super::rules::{Catalogue, ServiceRule};
use super::service::Status;

/// `prs due` warns of appeal windows that close within this many days.
pub const DUE_SOON_DAYS: u64 = 7;

/// When the outcome is due: the request date plus the service's completion days (the clock
/// starts when the board receives the request). `None` where the service sets no target.
pub fn expected_completion(rule: &ServiceRule, requested_on: NaiveDate) -> Option<NaiveDate> {
    let days = rule.completion_days?;
    requested_on.checked_add_days(Days::new(u64::from(days)))
}

/// Whether a request with no outcome is past its expected completion on `as_of` (the expected
/// day itself is not overdue).
pub fn is_overdue(expected: Option<NaiveDate>, has_outcome: bool, as_of: NaiveDate) -> bool {
    !has_outcome && expected.is_some_and(|e| as_of > e)
}

/// Whether the appeal window is still open on `as_of` and closes within [`DUE_SOON_DAYS`].
pub fn appeal_window_closing(outcome_on: NaiveDate, as_of: NaiveDate) -> bool {
    let closes = appeal_window_closes(outcome_on);
    as_of <= closes
        && as_of
            .checked_add_days(Days::new(DUE_SOON_DAYS))
            .is_none_or(|soon| closes <= soon)
}

/// Something in the log that needs the exams officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DueItem {
    /// No outcome, and the expected completion has passed: chase the board.
    Overdue {
        request: LoggedRequest,
        expected: NaiveDate,
    },
    /// An outcome whose appeal window closes within [`DUE_SOON_DAYS`].
    AppealClosing {
        request: LoggedRequest,
        closes: NaiveDate,
    },
}

/// What is due on `as_of`: open requests past their expected completion, then completed reviews
/// whose appeal window closes within a week, each in log order.
pub fn due(requests: &[LoggedRequest], catalogue: &Catalogue, as_of: NaiveDate) -> Vec<DueItem> {
    let mut overdue = Vec::new();
    let mut appeals = Vec::new();
    for r in requests {
        let expected = expected_completion(catalogue.rule(r.service), r.requested_on);
        if r.status == Status::Open && is_overdue(expected, r.outcome.is_some(), as_of) {
            if let Some(expected) = expected {
                overdue.push(DueItem::Overdue {
                    request: r.clone(),
                    expected,
                });
            }
        }
        if let (Status::Completed, Some(on)) = (r.status, r.outcome_on) {
            if r.service.can_be_appealed() && appeal_window_closing(on, as_of) {
                appeals.push(DueItem::AppealClosing {
                    request: r.clone(),
                    closes: appeal_window_closes(on),
                });
            }
        }
    }
    overdue.extend(appeals);
    overdue
}
