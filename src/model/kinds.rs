//! Every kind of finding, in one table: its name in `findings.csv`, its severity (contract.md),
//! how urgent it is on results day, and what it means in an exams officer's words.

use std::fmt;

use serde::Serialize;

use super::Severity;

/// Declares [`FindingKind`] and everything said of each kind from one row per kind:
/// `Variant => ("name", Severity, urgency, "words")`.
macro_rules! finding_kinds {
    ($($(#[$doc:meta])* $kind:ident => ($name:literal, $severity:ident, $urgency:literal, $words:literal),)*) => {
        /// Every kind of finding a run can raise (contract.md's table), plus the file-format
        /// kinds the parsers report.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum FindingKind {
            $($(#[$doc])* $kind,)*
        }

        /// Every kind of finding, in the order of the table, to read kinds back by name.
        pub const ALL_KINDS: [FindingKind; [$(FindingKind::$kind),*].len()] =
            [$(FindingKind::$kind),*];

        impl FindingKind {
            /// Its name in `findings.csv` and the store (`missing_result`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(FindingKind::$kind => $name,)*
                }
            }

            /// The severity the contract gives it.
            pub fn severity(self) -> Severity {
                match self {
                    $(FindingKind::$kind => Severity::$severity,)*
                }
            }

            /// How urgent it is for the exams officer on results day: lower first (the order
            /// of the summary's kinds and of its most urgent list).
            pub fn urgency(self) -> u8 {
                match self {
                    $(FindingKind::$kind => $urgency,)*
                }
            }

            /// What it means, in an exams officer's words, for the terminal summary.
            pub fn describe(self) -> &'static str {
                match self {
                    $(FindingKind::$kind => $words,)*
                }
            }
        }
    };
}

finding_kinds! {
    MissingResult => ("missing_result", Error, 0, "entries with no result (chase as a missing result)"),
    PendingResult => ("pending_result", Error, 1, "results pending (Q)"),
    NoResult => ("no_result", Error, 2, "no result issued (X)"),
    PartialAbsence => ("partial_absence", Warning, 14, "partial absence (#)"),
    IncompleteResult => ("incomplete_result", Warning, 13, "incomplete results (blank grade or missing component marks)"),
    CashInGap => ("cash_in_gap", Error, 3, "unit entries with no cash-in entry"),
    OptionChanged => ("option_changed", Warning, 12, "results for another option than entered (tier change)"),
    ResultWithoutEntry => ("result_without_entry", Error, 4, "results with no entry"),
    UnknownEntryCode => ("unknown_entry_code", Error, 5, "options not in the basedata"),
    InvalidGrade => ("invalid_grade", Error, 6, "grades not in the option's gradeset"),
    DuplicateResult => ("duplicate_result", Error, 8, "results sent twice in one file"),
    UciInvalid => ("uci_invalid", Warning, 16, "UCIs that fail their check"),
    NameMismatch => ("name_mismatch", Warning, 15, "names that differ from the entry"),
    CentreMismatch => ("centre_mismatch", Error, 11, "records for another centre"),
    HeaderMismatch => ("header_mismatch", Warning, 18, "file headers that disagree with the file name"),
    TrailerMismatch => ("trailer_mismatch", Error, 10, "files whose record count is wrong or missing"),
    MalformedRecord => ("malformed_record", Error, 9, "lines that could not be read"),
    XmlWithoutEdi => ("xml_without_edi", Warning, 17, "XML results with no EDI result"),
    XmlGradeConflict => ("xml_grade_conflict", Error, 7, "XML grades that differ from the EDI grade"),
    UnknownAwardingBody => ("unknown_awarding_body", Warning, 19, "files from a board id not in the boards table"),
    /// A gradeset code not in `gradesets.csv`, used by an option entered or resulted.
    UnknownGradeset => ("unknown_gradeset", Warning, 20, "gradeset codes not in the gradesets table"),
    /// A file whose records do not fit the layout: the UCIs are elsewhere.
    LayoutMismatch => ("layout_mismatch", Error, 9, "files in another layout (run resultsday calibrate)"),
    /// A format version or layout resultsday cannot read, or a limit crossed: the file's data
    /// was not (fully) read.
    UnreadableFile => ("unreadable_file", Error, 9, "files that could not be read"),
}

impl FindingKind {
    /// The kind with this name (`missing_result`), for reading findings back.
    pub fn from_name(name: &str) -> Option<FindingKind> {
        ALL_KINDS.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
