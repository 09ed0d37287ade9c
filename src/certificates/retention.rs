//! How long certificates and their records are kept (12 months unclaimed, 4 years for the record
//! of a destruction), and where each certificate stands on a given day.

use chrono::NaiveDate;

use super::log::Certificate;

/// How long an unclaimed certificate is kept before it may be returned or destroyed.
pub const UNCLAIMED_KEEP_MONTHS: u32 = 12;

/// How long the record of a destroyed certificate is kept.
pub const DESTRUCTION_RECORD_YEARS: u32 = 4;

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
