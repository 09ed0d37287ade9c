//! Problems found while reading a file: where, which field, what was found and what was expected.

use std::borrow::Cow;
use std::fmt;

/// How much a problem matters to the exams officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// What kind of problem a file has. The names of the kinds that are also findings of a run
/// (`malformed_record`, `trailer_mismatch`, ...) are the ones in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// A line that cannot be read as its record type: unknown type code, bad digits, a missing
    /// key field, malformed XML.
    MalformedRecord,
    /// The trailer's count differs from the detail lines, or there is no trailer.
    TrailerMismatch,
    /// The header disagrees with the file name, or is missing.
    HeaderMismatch,
    /// A record's centre number is not the file's centre.
    CentreMismatch,
    /// Text after the end of the record's layout; kept, not read.
    ExtraText,
    /// Control characters inside a text field.
    ControlCharacters,
    /// The file name carries download noise such as ` (1)`.
    FileNameNoise,
    /// A format version whose layout resultsday does not have.
    UnsupportedVersion,
    /// The UCI column is not where the layout says: the file probably has another layout.
    LayoutMismatch,
    /// A limit that protects the machine (line length, XML depth, file size) was crossed.
    LimitExceeded,
}

impl ProblemKind {
    /// The kind's name as written in findings and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::MalformedRecord => "malformed_record",
            ProblemKind::TrailerMismatch => "trailer_mismatch",
            ProblemKind::HeaderMismatch => "header_mismatch",
            ProblemKind::CentreMismatch => "centre_mismatch",
            ProblemKind::ExtraText => "extra_text",
            ProblemKind::ControlCharacters => "control_characters",
            ProblemKind::FileNameNoise => "file_name_noise",
            ProblemKind::UnsupportedVersion => "unsupported_version",
            ProblemKind::LayoutMismatch => "layout_mismatch",
            ProblemKind::LimitExceeded => "limit_exceeded",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            ProblemKind::MalformedRecord
            | ProblemKind::TrailerMismatch
            | ProblemKind::CentreMismatch
            | ProblemKind::UnsupportedVersion
            | ProblemKind::LayoutMismatch
            | ProblemKind::LimitExceeded => Severity::Error,
            ProblemKind::HeaderMismatch
            | ProblemKind::ExtraText
            | ProblemKind::ControlCharacters
            | ProblemKind::FileNameNoise => Severity::Warning,
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// 1-based line number; `None` for a problem of the whole file (its name, a missing trailer).
    pub line: Option<usize>,
    /// The field, as named in the layout table or the XML element.
    pub field: Option<Cow<'static, str>>,
    /// What was found and what was expected, in words.
    pub message: String,
}

impl Problem {
    pub fn new(kind: ProblemKind, line: Option<usize>, message: impl Into<String>) -> Self {
        Problem {
            kind,
            line,
            field: None,
            message: message.into(),
        }
    }

    pub fn at_field(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// `1 detail line`, `2 detail lines`.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Shows bytes found in a file so that a person can read them: printable ASCII as is, anything
/// else escaped, long runs cut.
pub fn show_bytes(bytes: &[u8]) -> String {
    const MAX: usize = 60;
    let mut out = String::with_capacity(bytes.len().min(MAX) + 2);
    out.push('\'');
    for &b in bytes.iter().take(MAX) {
        match b {
            b' '..=b'~' if b != b'\'' && b != b'\\' => out.push(b as char),
            b'\'' => out.push_str("\\'"),
            b'\\' => out.push_str("\\\\"),
            _ => out.push_str(&format!("\\x{b:02X}")),
        }
    }
    out.push('\'');
    if bytes.len() > MAX {
        out.push_str(&format!(" … ({} bytes)", bytes.len()));
    }
    out
}

/// What a file's first bytes say it is, when that is not text a person could read: a zip
/// archive, UTF-16 text, or binary bytes. `None` for text (Windows-1252 or UTF-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotText {
    Zip,
    Utf16,
    /// Binary bytes, the first at this 0-based offset.
    Binary {
        at: usize,
        byte: u8,
    },
}

/// How many bytes at the start of a file are looked at to tell text from binary.
const SNIFF_BYTES: usize = 4096;

impl NotText {
    /// Looks at the start of a file. Text may hold a stray control character (reported where it
    /// stands); a NUL byte, or more than one control character in a hundred, is binary.
    pub fn sniff(bytes: &[u8]) -> Option<NotText> {
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            return Some(NotText::Zip);
        }
        if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
            return Some(NotText::Utf16);
        }
        let sample = &bytes[..bytes.len().min(SNIFF_BYTES)];
        // UTF-16 without a byte-order mark: every other byte of ASCII text is NUL.
        if sample.len() >= 4 && sample[1] == 0 && sample[3] == 0 && sample[0] != 0 {
            return Some(NotText::Utf16);
        }
        let control =
            |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A)) || b == 0x7F;
        let first = sample.iter().position(|&b| control(b))?;
        let controls = sample.iter().filter(|&&b| control(b)).count();
        if sample.contains(&0) || controls * 100 > sample.len() {
            let at = sample.iter().position(|&b| b == 0).unwrap_or(first);
            return Some(NotText::Binary {
                at,
                byte: sample[at],
            });
        }
        None
    }

    /// What the exams officer is told; `what` names the kind of file, `expected` what its
    /// start should have been.
    pub fn message(self, what: &str, expected: &str) -> String {
        match self {
            NotText::Zip => format!(
                "the file is a zip archive, not {what}; not read: unzip it and put the files it \
                 holds in the folder"
            ),
            NotText::Utf16 => format!(
                "the file is saved as UTF-16 text ('Unicode' in Notepad), not as {what} is; not \
                 read: ask the board for the file again (do not open and save it in an editor)"
            ),
            NotText::Binary { at, byte } => format!(
                "expected {expected}, found bytes that are not text: byte {} is 0x{byte:02X}, \
                 which {what} never holds (a damaged download, or another kind of file given \
                 this name); not read",
                at + 1
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_bytes_escaped_and_cut() {
        assert_eq!(show_bytes(b"AB\x00\xC9"), "'AB\\x00\\xC9'");
        assert!(show_bytes(&[b'x'; 100]).ends_with("… (100 bytes)"));
    }

    #[test]
    fn displays_line_and_field() {
        let p = Problem::new(ProblemKind::MalformedRecord, Some(4), "expected digits")
            .at_field("max mark");
        assert_eq!(p.to_string(), "line 4: max mark: expected digits");
        assert_eq!(p.severity(), Severity::Error);
    }
}
