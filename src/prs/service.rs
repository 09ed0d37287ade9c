//! The services a centre can request, what a request can come to, and where it is in its life.

use std::fmt;

use crate::check::changes::Direction;

/// A post-results service a centre can request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// Clerical re-check.
    S1,
    /// Review of marking.
    S2,
    /// Priority review of marking (A level and level 3, June only).
    S2P,
    /// Review of moderation (whole cohort, no consent).
    S3,
    /// Copy of a script to support a review of marking.
    AtsR,
    /// Copy of a script to support teaching and learning.
    AtsT,
    /// Copy of the reviewed or re-checked script.
    AtsP,
}

impl Service {
    pub const ALL: [Service; 7] = [
        Service::S1,
        Service::S2,
        Service::S2P,
        Service::S3,
        Service::AtsR,
        Service::AtsT,
        Service::AtsP,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Service::S1 => "S1",
            Service::S2 => "S2",
            Service::S2P => "S2P",
            Service::S3 => "S3",
            Service::AtsR => "ATS-R",
            Service::AtsT => "ATS-T",
            Service::AtsP => "ATS-P",
        }
    }

    /// Reads `S2`, `s2`, `ATS-T`.
    pub fn parse(text: &str) -> Option<Service> {
        let text = text.trim();
        Service::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }

    /// A clerical re-check or review of marking: once per component, fee waived when the grade
    /// changes.
    pub fn is_review_of_marking(self) -> bool {
        matches!(self, Service::S1 | Service::S2 | Service::S2P)
    }

    /// A copy of a script: no outcome to wait for but the script, no fee question.
    pub fn is_access_to_scripts(self) -> bool {
        matches!(self, Service::AtsR | Service::AtsT | Service::AtsP)
    }

    /// Whether an amended result in a re-run can be this request's outcome.
    pub fn answered_by_results(self) -> bool {
        self.is_review_of_marking() || self == Service::S3
    }

    /// Whether a stage 1 appeal can follow its outcome.
    pub fn can_be_appealed(self) -> bool {
        self.answered_by_results()
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    GradeRaised,
    GradeLowered,
    /// The mark moved, the grade did not.
    MarkChanged,
    /// The original mark stands. Only ever recorded by hand: no file says it.
    Confirmed,
    /// Review of moderation: the centre's original marks are reinstated (the fee is waived).
    CentreMarksReinstated,
    /// Review of moderation: the moderated marks stand.
    ModeratedMarksConfirmed,
    /// Access to scripts: the copy has arrived.
    ScriptReceived,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::GradeRaised,
        Outcome::GradeLowered,
        Outcome::MarkChanged,
        Outcome::Confirmed,
        Outcome::CentreMarksReinstated,
        Outcome::ModeratedMarksConfirmed,
        Outcome::ScriptReceived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::GradeRaised => "grade_raised",
            Outcome::GradeLowered => "grade_lowered",
            Outcome::MarkChanged => "mark_changed",
            Outcome::Confirmed => "confirmed",
            Outcome::CentreMarksReinstated => "centre_marks_reinstated",
            Outcome::ModeratedMarksConfirmed => "moderated_marks_confirmed",
            Outcome::ScriptReceived => "script_received",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        let text = text.trim();
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(text))
    }

    /// Whether the outcome leaves the grade as it was (so the new grade is the old one).
    pub fn keeps_the_grade(self) -> bool {
        matches!(
            self,
            Outcome::MarkChanged | Outcome::Confirmed | Outcome::ModeratedMarksConfirmed
        )
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome a re-run's change shows: up is a raised grade, down a lowered one, a mark that
/// moved alone is a mark change. A new or removed result answers nothing, and `confirmed` is
/// never inferred.
pub fn outcome_of_change(direction: Direction) -> Option<Outcome> {
    match direction {
        Direction::Up => Some(Outcome::GradeRaised),
        Direction::Down => Some(Outcome::GradeLowered),
        Direction::Same => Some(Outcome::MarkChanged),
        Direction::New | Direction::Removed => None,
    }
}

/// Where a request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Open,
    Completed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Completed => "completed",
        }
    }
}
