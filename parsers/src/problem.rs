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
