//! Parsers for the JCQ exchange formats: EDI fixed-width files (results, entries, amendments,
//! basedata) and A2C XML results, read into one model.
//!
//! This crate knows formats and nothing of checks, printing or the exams-office workflow. It
//! never prints, never exits and never panics on input: every problem in a file is returned
//! with its line and field, and the rest of the file is still read.

pub mod calibrate;
pub mod csvlines;
pub mod edi;
pub mod field;
pub mod filename;
pub mod layouts;
pub mod model;
pub mod problem;
mod records;
pub mod tables;
pub mod uci;
pub mod writer;
pub mod xml;

pub use edi::{parse_edi, parse_edi_with, EdiFile};
pub use filename::{FileName, FileNameKind};
pub use layouts::{LayoutError, Layouts};
pub use model::*;
pub use problem::{Problem, ProblemKind, Severity};
pub use tables::{Boards, Gradesets};
pub use xml::{parse_xml_results, XmlResultsFile};

/// What a file holds, once read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Edi(EdiFile),
    Xml(XmlResultsFile),
    /// A file resultsday does not read: a basedata bundle to unzip, or not a JCQ file at all.
    /// Says why.
    NotRead(String),
}

/// A file read by name and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFile {
    /// The recognised file name, if the name is a JCQ one.
    pub name: Option<FileName>,
    pub content: Content,
    /// Problems with the file as a whole (its name); the content carries its own.
    pub problems: Vec<Problem>,
}

impl ParsedFile {
    /// Every problem: the file's own, then its content's, in line order.
    pub fn all_problems(&self) -> impl Iterator<Item = &Problem> {
        let inner: &[Problem] = match &self.content {
            Content::Edi(e) => &e.problems,
            Content::Xml(x) => &x.problems,
            Content::NotRead(_) => &[],
        };
        self.problems.iter().chain(inner.iter())
    }
}

/// Reads a file with the built-in layouts: by its name when it is a JCQ name, else by what its
/// first bytes look like.
pub fn parse_file(file_name: &str, bytes: &[u8]) -> ParsedFile {
    parse_file_with(file_name, bytes, Layouts::builtin())
}

/// Reads a file through `layouts`: by its name when it is a JCQ name, else by what its first
/// bytes look like.
pub fn parse_file_with(file_name: &str, bytes: &[u8], layouts: &Layouts) -> ParsedFile {
    let name = FileName::parse(file_name);
    let mut problems = Vec::new();
    if let Some(noise) = name.as_ref().and_then(|n| n.noise.as_ref()) {
        problems.push(Problem::new(
            ProblemKind::FileNameNoise,
            None,
            format!(
                "the file name has '{noise}' in it, as a second download or a copy does; read \
                 as the file it names (check it is not a duplicate)"
            ),
        ));
    }
    let content = match name.as_ref().map(|n| &n.kind) {
        Some(FileNameKind::XmlResults { .. }) => Content::Xml(parse_xml_results(bytes)),
        Some(FileNameKind::Bundle { .. }) => Content::NotRead(
            "a basedata bundle: unzip it into the folder so its S, O, C and L files are read"
                .into(),
        ),
        Some(FileNameKind::Edi { .. }) => {
            Content::Edi(parse_edi_with(bytes, name.as_ref(), layouts))
        }
        None if looks_like_xml(bytes) => Content::Xml(parse_xml_results(bytes)),
        None if edi::looks_like_edi(bytes) => Content::Edi(parse_edi_with(bytes, None, layouts)),
        None => Content::NotRead(
            "not a JCQ file: the name is not a results, entries or basedata name and the file \
             does not start with a file header such as 'R1'"
                .into(),
        ),
    };
    ParsedFile {
        name,
        content,
        problems,
    }
}

fn looks_like_xml(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<')
}
