//! A centre's series once loaded: the results as the exams officer sees them, and the findings
//! about them. What the checks, statements, analysis and store all share.

use std::fmt;

use parsers::Grade;
use serde::Serialize;

/// How much a finding matters.
pub use parsers::Severity;

/// Every kind of finding a run can raise (contract.md's table), plus the file-format kinds the
/// parsers report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    MissingResult,
    PendingResult,
    NoResult,
    PartialAbsence,
    IncompleteResult,
    CashInGap,
    OptionChanged,
    ResultWithoutEntry,
    UnknownEntryCode,
    InvalidGrade,
    DuplicateResult,
    UciInvalid,
    NameMismatch,
    CentreMismatch,
    HeaderMismatch,
    TrailerMismatch,
    MalformedRecord,
    XmlWithoutEdi,
    XmlGradeConflict,
    UnknownAwardingBody,
    /// A gradeset code not in `gradesets.csv`, used by an option entered or resulted.
    UnknownGradeset,
    /// A file whose records do not fit the layout: the UCIs are elsewhere.
    LayoutMismatch,
    /// A format version or layout resultsday cannot read, or a limit crossed: the file's data
    /// was not (fully) read.
    UnreadableFile,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::MissingResult => "missing_result",
            FindingKind::PendingResult => "pending_result",
            FindingKind::NoResult => "no_result",
            FindingKind::PartialAbsence => "partial_absence",
            FindingKind::IncompleteResult => "incomplete_result",
            FindingKind::CashInGap => "cash_in_gap",
            FindingKind::OptionChanged => "option_changed",
            FindingKind::ResultWithoutEntry => "result_without_entry",
            FindingKind::UnknownEntryCode => "unknown_entry_code",
            FindingKind::InvalidGrade => "invalid_grade",
            FindingKind::DuplicateResult => "duplicate_result",
            FindingKind::UciInvalid => "uci_invalid",
            FindingKind::NameMismatch => "name_mismatch",
            FindingKind::CentreMismatch => "centre_mismatch",
            FindingKind::HeaderMismatch => "header_mismatch",
            FindingKind::TrailerMismatch => "trailer_mismatch",
            FindingKind::MalformedRecord => "malformed_record",
            FindingKind::XmlWithoutEdi => "xml_without_edi",
            FindingKind::XmlGradeConflict => "xml_grade_conflict",
            FindingKind::UnknownAwardingBody => "unknown_awarding_body",
            FindingKind::UnknownGradeset => "unknown_gradeset",
            FindingKind::LayoutMismatch => "layout_mismatch",
            FindingKind::UnreadableFile => "unreadable_file",
        }
    }

    /// The severity the contract gives each kind.
    pub fn severity(self) -> Severity {
        use FindingKind::*;
        match self {
            PartialAbsence | IncompleteResult | OptionChanged | UciInvalid | NameMismatch
            | HeaderMismatch | XmlWithoutEdi | UnknownAwardingBody | UnknownGradeset => {
                Severity::Warning
            }
            MissingResult | PendingResult | NoResult | CashInGap | ResultWithoutEntry
            | UnknownEntryCode | InvalidGrade | DuplicateResult | CentreMismatch
            | TrailerMismatch | MalformedRecord | XmlGradeConflict | LayoutMismatch
            | UnreadableFile => Severity::Error,
        }
    }

    /// What it means, in an exams officer's words, for the terminal summary.
    pub fn describe(self) -> &'static str {
        match self {
            FindingKind::MissingResult => "entries with no result (chase as a missing result)",
            FindingKind::PendingResult => "results pending (Q)",
            FindingKind::NoResult => "no result issued (X)",
            FindingKind::PartialAbsence => "partial absence (#)",
            FindingKind::IncompleteResult => {
                "incomplete results (blank grade or missing component marks)"
            }
            FindingKind::CashInGap => "unit entries with no cash-in entry",
            FindingKind::OptionChanged => "results for another option than entered (tier change)",
            FindingKind::ResultWithoutEntry => "results with no entry",
            FindingKind::UnknownEntryCode => "options not in the basedata",
            FindingKind::InvalidGrade => "grades not in the option's gradeset",
            FindingKind::DuplicateResult => "results sent twice in one file",
            FindingKind::UciInvalid => "UCIs that fail their check",
            FindingKind::NameMismatch => "names that differ from the entry",
            FindingKind::CentreMismatch => "records for another centre",
            FindingKind::HeaderMismatch => "file headers that disagree with the file name",
            FindingKind::TrailerMismatch => "files whose record count is wrong or missing",
            FindingKind::MalformedRecord => "lines that could not be read",
            FindingKind::XmlWithoutEdi => "XML results with no EDI result",
            FindingKind::XmlGradeConflict => "XML grades that differ from the EDI grade",
            FindingKind::UnknownAwardingBody => "files from a board id not in the boards table",
            FindingKind::UnknownGradeset => "gradeset codes not in the gradesets table",
            FindingKind::LayoutMismatch => "files in another layout (run resultsday calibrate)",
            FindingKind::UnreadableFile => "files that could not be read",
        }
    }
}

/// Every kind of finding, to read kinds back by name.
pub const ALL_KINDS: [FindingKind; 23] = {
    use FindingKind::*;
    [
        MissingResult,
        PendingResult,
        NoResult,
        PartialAbsence,
        IncompleteResult,
        CashInGap,
        OptionChanged,
        ResultWithoutEntry,
        UnknownEntryCode,
        InvalidGrade,
        DuplicateResult,
        UciInvalid,
        NameMismatch,
        CentreMismatch,
        HeaderMismatch,
        TrailerMismatch,
        MalformedRecord,
        XmlWithoutEdi,
        XmlGradeConflict,
        UnknownAwardingBody,
        UnknownGradeset,
        LayoutMismatch,
        UnreadableFile,
    ]
};

/// Where `kind` sits in [`ALL_KINDS`]. The match is exhaustive, so a new kind stops the build
/// here until it is given a place; the check below stops it until the list agrees.
const fn kind_position(kind: FindingKind) -> usize {
    use FindingKind::*;
    match kind {
        MissingResult => 0,
        PendingResult => 1,
        NoResult => 2,
        PartialAbsence => 3,
        IncompleteResult => 4,
        CashInGap => 5,
        OptionChanged => 6,
        ResultWithoutEntry => 7,
        UnknownEntryCode => 8,
        InvalidGrade => 9,
        DuplicateResult => 10,
        UciInvalid => 11,
        NameMismatch => 12,
        CentreMismatch => 13,
        HeaderMismatch => 14,
        TrailerMismatch => 15,
        MalformedRecord => 16,
        XmlWithoutEdi => 17,
        XmlGradeConflict => 18,
        UnknownAwardingBody => 19,
        UnknownGradeset => 20,
        LayoutMismatch => 21,
        UnreadableFile => 22,
    }
}

const _: () = {
    let mut i = 0;
    while i < ALL_KINDS.len() {
        assert!(
            kind_position(ALL_KINDS[i]) == i,
            "ALL_KINDS is out of order"
        );
        i += 1;
    }
};

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

/// One problem found by a run: a row of `findings.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub kind: FindingKind,
    pub board: String,
    pub centre: String,
    pub candidate_number: String,
    pub uci: String,
    pub name: String,
    pub entry_code: String,
    pub detail: String,
    /// The file (name only) and line of the record that shows the problem; blank for an absence
    /// with no record.
    pub file: String,
    pub line: Option<usize>,
}

impl Finding {
    pub fn new(kind: FindingKind, board: &str, centre: &str) -> Finding {
        Finding {
            severity: kind.severity(),
            kind,
            board: board.to_string(),
            centre: centre.to_string(),
            candidate_number: String::new(),
            uci: String::new(),
            name: String::new(),
            entry_code: String::new(),
            detail: String::new(),
            file: String::new(),
            line: None,
        }
    }

    pub fn candidate(mut self, number: &str, uci: &str, name: &str) -> Self {
        self.candidate_number = number.to_string();
        self.uci = uci.to_string();
        self.name = name.to_string();
        self
    }

    pub fn entry(mut self, code: &str) -> Self {
        self.entry_code = code.to_string();
        self
    }

    pub fn at(mut self, source: &Source) -> Self {
        self.file = source.file.clone();
        self.line = source.line;
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// The contract's order: board, candidate number, entry code, kind (by name); then file and
    /// line so the order is total.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            &self.board,
            &self.candidate_number,
            &self.entry_code,
            self.kind.as_str(),
            &self.file,
            self.line,
            &self.detail,
        )
    }
}

/// Where a record came from: a file name and line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Source {
    /// The file's name, without its folder.
    pub file: String,
    pub line: Option<usize>,
}

impl Source {
    pub fn new(file: &str, line: usize) -> Source {
        Source {
            file: file.to_string(),
            line: Some(line),
        }
    }
}

/// Which candidate results day a qualification belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultsDay {
    /// A level, AS, the Extended Project and level 3 vocational qualifications.
    Gce,
    /// GCSE and level 1/2 qualifications.
    Gcse,
}

/// A component mark from the XML results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentMark {
    pub code: String,
    pub title: String,
    pub mark: Option<u16>,
    pub max_mark: Option<u16>,
}

/// One result as the run holds it: the board's latest word for one candidate and option,
/// with the basedata that explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CandidateResult {
    pub board: String,
    pub centre: String,
    pub candidate_number: String,
    pub uci: String,
    /// The name on the result (`SURNAME:FORENAMES`).
    pub name: String,
    pub entry_code: String,
    /// From basedata; `None` when the option is not in it.
    pub syllabus_code: Option<String>,
    /// The option's title, else the syllabus's; blank when the option is unknown.
    pub title: String,
    /// The qualification by data/qualifications.csv: `GCSE`, `GCE A`, `GCE AS`, `PROJECT`,
    /// `CNAT`, `BTEC NAT`, or basedata's own words for one the table does not know.
    pub qualification: String,
    pub level: Option<u8>,
    pub gradeset: Option<String>,
    /// Whether the option is an award (what a certificate shows) rather than a unit.
    pub is_award: bool,
    pub grade: Option<Grade>,
    pub grade2: Option<Grade>,
    pub mark: Option<u16>,
    pub max_mark: Option<u16>,
    pub endorsement: Option<String>,
    pub components: Vec<ComponentMark>,
    pub results_day: ResultsDay,
    pub source: Source,
}

impl CandidateResult {
    /// The grade as printed on a statement: `7-6` for a double award, `No Result` for `X`,
    /// `Pending` for `Q`, `5#` for partial absence; blank when the board sent none.
    pub fn printed_grade(&self) -> String {
        let Some(g) = &self.grade else {
            return String::new();
        };
        if g.is_no_result() {
            return "No Result".into();
        }
        if g.is_pending() {
            return "Pending".into();
        }
        match &self.grade2 {
            Some(g2) => format!("{}-{}", g.as_sent(), g2.as_sent()),
            None => g.as_sent(),
        }
    }

    /// Surname and forenames for printing: `O'NEILL:ÉMILE` → ("O'NEILL", "ÉMILE").
    pub fn name_parts(&self) -> (&str, &str) {
        split_name(&self.name)
    }
}

/// A candidate number as four digits (`1` → `0001`: a spreadsheet drops the leading zeros);
/// `None` unless it is 1 to 4 digits.
pub fn normalise_candidate_number(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 4 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("{raw:0>4}"))
}

/// Splits `SURNAME:FORENAMES`; a name without a colon is all surname.
pub fn split_name(name: &str) -> (&str, &str) {
    match name.split_once(':') {
        Some((s, f)) => (s.trim(), f.trim()),
        None => (name.trim(), ""),
    }
}

/// The results day of a qualification: level 3 (and anything called GCE) on the GCE day, the
/// rest on the GCSE day.
pub fn results_day_of(qualification: &str, level: Option<u8>) -> ResultsDay {
    match level {
        Some(3) => ResultsDay::Gce,
        Some(_) => ResultsDay::Gcse,
        None if qualification.starts_with("GCE") || qualification == "PROJECT" => ResultsDay::Gce,
        None => ResultsDay::Gcse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(g: &str, g2: Option<&str>) -> CandidateResult {
        CandidateResult {
            board: "70".into(),
            centre: "14520".into(),
            candidate_number: "0001".into(),
            uci: String::new(),
            name: "SMITH:ANN".into(),
            entry_code: "8464H".into(),
            syllabus_code: None,
            title: String::new(),
            qualification: "GCSE".into(),
            level: Some(2),
            gradeset: None,
            is_award: true,
            grade: Grade::parse(g),
            grade2: g2.and_then(Grade::parse),
            mark: None,
            max_mark: None,
            endorsement: None,
            components: vec![],
            results_day: ResultsDay::Gcse,
            source: Source::default(),
        }
    }

    #[test]
    fn grades_as_printed() {
        assert_eq!(result("7", Some("6")).printed_grade(), "7-6");
        assert_eq!(result("X", None).printed_grade(), "No Result");
        assert_eq!(result("Q", None).printed_grade(), "Pending");
        assert_eq!(result("5#", None).printed_grade(), "5#");
        assert_eq!(result("A*", None).printed_grade(), "A*");
        assert_eq!(result("", None).printed_grade(), "");
    }

    #[test]
    fn results_days() {
        assert_eq!(results_day_of("GCE A", Some(3)), ResultsDay::Gce);
        assert_eq!(results_day_of("PROJECT", None), ResultsDay::Gce);
        assert_eq!(results_day_of("CNAT", Some(2)), ResultsDay::Gcse);
        assert_eq!(results_day_of("GCSE", None), ResultsDay::Gcse);
    }

    #[test]
    fn severities_follow_the_contract() {
        assert_eq!(FindingKind::OptionChanged.severity(), Severity::Warning);
        assert_eq!(FindingKind::CashInGap.severity(), Severity::Error);
        assert_eq!(FindingKind::XmlWithoutEdi.severity(), Severity::Warning);
    }
}
