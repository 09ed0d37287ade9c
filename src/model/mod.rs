//! A centre's series once loaded: the results as the exams officer sees them, and the findings
//! about them. What the checks, statements, analysis and store all share.

mod kinds;
pub mod series;

use parsers::Grade;
use serde::Serialize;

/// How much a finding matters.
pub use parsers::Severity;

pub use kinds::{FindingKind, ALL_KINDS};

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
