//! The problems that stop reading: the file ending inside an element or holding none, bytes
//! that are not UTF-8, and XML that is not well-formed.

use super::elements::NAMES;
use super::parser::{Parser, Stopped};
use super::text::{quoted, shorten};
use crate::problem::{Problem, ProblemKind};

impl Parser<'_> {
    pub(super) fn eof(&mut self) -> Result<(), Stopped> {
        let Some(frame) = self.stack.last() else {
            if !self.seen_root {
                self.no_root();
            }
            return Ok(());
        };
        let (open_line, name) = (frame.line, self.local_name_of_top());
        // The line of the last byte, not the empty line after a final newline.
        let line = self.lines.at(self.bytes.len().saturating_sub(1));
        let msg = format!(
            "the file ends inside <{name}> (opened at line {open_line}); expected </{name}> and \
             the rest of the file; the file looks truncated",
            name = shorten(&name)
        );
        self.report(
            Problem::new(ProblemKind::MalformedRecord, Some(line), msg).at_field(shorten(&name)),
        );
        Err(Stopped)
    }

    /// The file ended with no element at all: an empty file, or a declaration alone.
    fn no_root(&mut self) {
        let empty = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(self.bytes)
            .iter()
            .all(u8::is_ascii_whitespace);
        let what = if empty {
            "the file is empty"
        } else {
            "the file holds no XML element"
        };
        let line = self.lines.at(self.bytes.len().saturating_sub(1));
        let msg = format!(
            "{what}: expected an XML results file, its root element {} holding a {} and {} \
             elements",
            NAMES.root, NAMES.header, NAMES.candidate
        );
        self.report(
            Problem::new(ProblemKind::MalformedRecord, Some(line), msg).at_field(NAMES.root),
        );
    }

    pub(super) fn not_utf8(&mut self, at: usize) -> Result<(), Stopped> {
        let line = self.lines.at(at);
        let byte = self.bytes.get(at).copied().unwrap_or(0);
        let declared = match &self.declared_encoding {
            Some(enc) if !enc.eq_ignore_ascii_case("utf-8") => {
                format!(" (the file says it is {})", quoted(enc))
            }
            _ => {
                // A letter in Windows-1252 (or Latin-1) says which encoding the file was saved in.
                let letter = crate::field::decode_1252(&[byte])
                    .chars()
                    .next()
                    .filter(|c| byte >= 0x80 && c.is_alphabetic());
                match letter {
                    Some(c) => format!(
                        " ('{c}' in Windows-1252 or Latin-1: the file was probably saved in that \
                         encoding, not in UTF-8)"
                    ),
                    None => String::new(),
                }
            }
        };
        let msg = format!(
            "expected UTF-8 text, as XML results files must be, found byte 0x{byte:02X}{declared}; \
             the rest of the file was not read"
        );
        let mut problem = Problem::new(ProblemKind::MalformedRecord, Some(line), msg);
        let element = self.local_name_of_top();
        if !element.is_empty() {
            problem = problem.at_field(shorten(&element));
        }
        self.report(problem);
        Err(Stopped)
    }

    pub(super) fn malformed(&mut self, at: usize, err: &quick_xml::Error) -> Result<(), Stopped> {
        use quick_xml::errors::{IllFormedError, SyntaxError};
        let line = self.lines.at(at);
        let what = match err {
            quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
                format!(
                    "expected </{}>, found </{}>",
                    shorten(expected),
                    shorten(found)
                )
            }
            quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(tag)) => format!(
                "found </{}> with no matching start tag; expected an end tag of an open element \
                 or the end of the file",
                shorten(tag)
            ),
            quick_xml::Error::IllFormed(IllFormedError::UnclosedReference) => {
                "found a lone '&'; expected an entity reference ending in ';' such as &amp;"
                    .to_string()
            }
            quick_xml::Error::Syntax(SyntaxError::UnclosedTag) => {
                "found a tag that is not closed; expected '>' before the end of the file"
                    .to_string()
            }
            quick_xml::Error::Syntax(SyntaxError::UnclosedComment) => {
                "found a comment that is not closed; expected '-->' before the end of the file"
                    .to_string()
            }
            quick_xml::Error::Syntax(SyntaxError::UnclosedCData) => {
                "found a CDATA section that is not closed; expected ']]>' before the end of the \
                 file"
                    .to_string()
            }
            other => format!(
                "expected well-formed XML, found: {}",
                shorten(&other.to_string())
            ),
        };
        let msg = format!("{what}; the rest of the file was not read");
        self.report(Problem::new(ProblemKind::MalformedRecord, Some(line), msg));
        Err(Stopped)
    }
}
