//! What changed between two runs of the same centre and series: the rediff behind `changes.csv`.

use serde::Serialize;

/// Which way a result moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The grade went up.
    Up,
    /// The grade went down.
    Down,
    /// The mark moved, the grade did not.
    Same,
    /// A result where there was none (or a pending or no-result indicator became a grade).
    New,
    /// A result that is no longer there.
    Removed,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Same => "same",
            Direction::New => "new",
            Direction::Removed => "removed",
        }
    }
}

/// One changed result: a row of `changes.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub candidate_number: String,
    pub uci: String,
    pub name: String,
    pub board: String,
    pub entry_code: String,
    pub title: String,
    /// Grades as printed on a statement (`7-6`, `Pending`); blank where there was none.
    pub old_grade: String,
    pub new_grade: String,
    pub old_mark: Option<u16>,
    pub new_mark: Option<u16>,
    pub direction: Direction,
    /// The reference of the open post-results request this change answers.
    pub prs_request: Option<String>,
    /// `Some(true)` where the board waives the fee, `Some(false)` where a request exists and it
    /// does not; `None` without a request.
    pub refund_due: Option<bool>,
}

impl Change {
    /// Whether the qualification grade itself changed (what decides a refund).
    pub fn grade_changed(&self) -> bool {
        self.old_grade != self.new_grade
    }
}
