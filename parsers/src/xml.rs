//! A2C XML results files (placeholder until the streaming parser lands).
use crate::model::Grade;
use crate::problem::{Problem, ProblemKind};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XmlResultsFile {
    pub header: XmlHeader,
    pub candidates: Vec<XmlCandidate>,
    pub unknown: Vec<(String, String)>,
    pub problems: Vec<Problem>,
}
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XmlHeader {
    pub version: Option<String>,
    pub centre: Option<String>,
    pub awarding_body: Option<String>,
    pub series: Option<String>,
    pub created: Option<chrono::NaiveDateTime>,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlCandidate {
    pub line: usize,
    pub candidate_number: String,
    pub uci: Option<String>,
    pub uln: Option<String>,
    pub name: Option<String>,
    pub results: Vec<XmlResult>,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlResult {
    pub line: usize,
    pub option_code: String,
    pub grade: Option<Grade>,
    pub grade2: Option<Grade>,
    pub mark: Option<u16>,
    pub max_mark: Option<u16>,
    pub endorsement: Option<String>,
    pub components: Vec<XmlComponent>,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlComponent {
    pub line: usize,
    pub code: String,
    pub mark: Option<u16>,
    pub max_mark: Option<u16>,
    pub grade: Option<String>,
}
pub fn parse_xml_results(_bytes: &[u8]) -> XmlResultsFile {
    XmlResultsFile {
        problems: vec![Problem::new(
            ProblemKind::MalformedRecord,
            None,
            "XML not yet read",
        )],
        ..Default::default()
    }
}
