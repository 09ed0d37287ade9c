//! A2C XML results files (`a2c.<centre>.<ab>.EDIResults.<guid>.xml`), read in streaming mode.
//!
//! The parts: `elements` (which element names mean what), `parser` (the streaming reader),
//! `builders` (the records it fills), `text` (references, line ends, quoting) and `fatal` (the
//! problems that stop reading).

use chrono::NaiveDateTime;

use crate::model::Grade;
use crate::problem::{NotText, Problem, ProblemKind};

mod builders;
mod elements;
mod fatal;
mod parser;
mod text;

#[cfg(test)]
mod tests;

use parser::Parser;

/// One A2C XML results file as read, with the problems found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlResultsFile {
    pub header: XmlHeader,
    pub candidates: Vec<XmlCandidate>,
    /// Elements resultsday does not know, kept as (path, text), e.g.
    /// ("EDIResults/Candidate/Result/Foo", "bar").
    pub unknown: Vec<(String, String)>,
    pub problems: Vec<Problem>,
}

/// What the file says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XmlHeader {
    /// The root element's `version` attribute.
    pub version: Option<String>,
    pub centre: Option<String>,
    pub awarding_body: Option<String>,
    pub series: Option<String>,
    pub created: Option<NaiveDateTime>,
}

/// One candidate and their results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlCandidate {
    /// 1-based line of the candidate's start tag.
    pub line: usize,
    /// Four digits, zero-padded.
    pub candidate_number: String,
    pub uci: Option<String>,
    pub uln: Option<String>,
    pub name: Option<String>,
    pub results: Vec<XmlResult>,
}

/// One qualification result for one entry option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlResult {
    pub line: usize,
    pub option_code: String,
    pub grade: Option<Grade>,
    /// The second grade of a double award (`7-6`, or a `Grade2` element).
    pub grade2: Option<Grade>,
    pub mark: Option<u16>,
    pub max_mark: Option<u16>,
    pub endorsement: Option<String>,
    pub components: Vec<XmlComponent>,
}

/// One component's mark within a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlComponent {
    pub line: usize,
    pub code: String,
    pub mark: Option<u16>,
    pub max_mark: Option<u16>,
    pub grade: Option<String>,
}

/// Limits that protect the machine from hostile files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlLimits {
    /// Deepest element nesting read; deeper stops reading. Default 64.
    pub max_depth: usize,
    /// Longest text node or attribute value, in bytes. Default 64 KiB.
    pub max_text_len: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        XmlLimits {
            max_depth: 64,
            max_text_len: 64 * 1024,
        }
    }
}

/// Reads an A2C XML results file with the default limits.
pub fn parse_xml_results(bytes: &[u8]) -> XmlResultsFile {
    parse_xml_results_with(bytes, &XmlLimits::default())
}

/// Reads an A2C XML results file. Never fails: what cannot be read becomes a problem, and
/// everything read before a fatal problem is kept.
pub fn parse_xml_results_with(bytes: &[u8], limits: &XmlLimits) -> XmlResultsFile {
    let mut parser = Parser::new(bytes, limits);
    let after_bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let starts_as_xml = after_bom
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_none_or(|&b| b == b'<');
    if let Some(not_text) = NotText::sniff(bytes).filter(|_| !starts_as_xml) {
        parser.report(Problem::new(
            ProblemKind::MalformedRecord,
            Some(1),
            not_text.message("an XML results file", "XML text"),
        ));
        return parser.into_file();
    }
    // `Err(Stopped)` only means a fatal problem was recorded; what was read is still kept.
    let _ = parser.run();
    parser.flush_open_records();
    parser.into_file()
}
