//! Reading one fixed-width field into a typed value, or a problem that names the field.

use std::borrow::Cow;

use chrono::NaiveDate;
use nom::character::complete::digit1;
use nom::combinator::all_consuming;
use nom::IResult;

use crate::layouts::FieldSpec;
use crate::problem::{show_bytes, Problem, ProblemKind};

/// Decodes Windows-1252 text; ASCII (the common case) is borrowed, not copied.
pub fn decode_1252(bytes: &[u8]) -> Cow<'_, str> {
    if bytes.is_ascii() {
        // ASCII is valid UTF-8.
        Cow::Borrowed(std::str::from_utf8(bytes).unwrap_or_default())
    } else {
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
    }
}

fn trim_spaces(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != b' ').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

fn whole_number(input: &[u8]) -> IResult<&[u8], &[u8]> {
    all_consuming(digit1).parse_complete(input)
}

use nom::Parser;

/// Reads the fields of one line, collecting problems. A key field that cannot be read marks the
/// record as unusable; any other bad field is reported and left absent.
pub struct FieldReader<'a, 'p> {
    line: &'a [u8],
    line_no: usize,
    problems: &'p mut Vec<Problem>,
    usable: bool,
}

impl<'a, 'p> FieldReader<'a, 'p> {
    pub fn new(line: &'a [u8], line_no: usize, problems: &'p mut Vec<Problem>) -> Self {
        FieldReader {
            line,
            line_no,
            problems,
            usable: true,
        }
    }

    /// False once a key field could not be read: the record must not be used.
    pub fn usable(&self) -> bool {
        self.usable
    }

    pub fn line_no(&self) -> usize {
        self.line_no
    }

    /// Reports a problem with a field of this line.
    pub fn report(&mut self, kind: ProblemKind, field: &FieldSpec, message: String) {
        self.problems.push(
            Problem::new(kind, Some(self.line_no), message).at_field(Cow::Borrowed(field.name)),
        );
    }

    fn bad(&mut self, field: &FieldSpec, raw: &[u8], expected: &str) {
        let message = format!(
            "bytes {}–{}: expected {expected}, found {}",
            field.start,
            field.end(),
            show_bytes(raw)
        );
        self.report(ProblemKind::MalformedRecord, field, message);
    }

    /// The raw bytes of a field (shorter than its width if the line stops short).
    pub fn raw(&self, field: &FieldSpec) -> &'a [u8] {
        field.slice(self.line)
    }

    /// Text, trimmed; `None` when blank. Control characters (a NUL, a bell, an escape, and the
    /// bytes Windows-1252 leaves undefined) are reported and removed: they would print as
    /// nothing, or as garbage, on a statement.
    pub fn text(&mut self, field: &FieldSpec) -> Option<String> {
        let raw = trim_spaces(self.raw(field));
        if raw.is_empty() {
            return None;
        }
        let text = decode_1252(raw);
        if !text.chars().any(char::is_control) {
            return Some(text.into_owned());
        }
        let kept: String = text.chars().filter(|c| !c.is_control()).collect();
        let kept = kept.trim_matches(' ');
        let message = if kept.is_empty() {
            format!(
                "control characters in text: {}; removed, leaving the field blank",
                show_bytes(raw)
            )
        } else {
            format!(
                "control characters in text: {}; removed, read as '{kept}'",
                show_bytes(raw)
            )
        };
        self.report(ProblemKind::ControlCharacters, field, message);
        (!kept.is_empty()).then(|| kept.to_string())
    }

    /// Text that must be there for the record to mean anything (a candidate's option code).
    pub fn key_text(&mut self, field: &FieldSpec) -> String {
        match self.text(field) {
            Some(t) => t,
            None => {
                self.bad(field, self.raw(field), "a value (it is blank)");
                self.usable = false;
                String::new()
            }
        }
    }

    /// Text, or empty when blank.
    pub fn text_or_empty(&mut self, field: &FieldSpec) -> String {
        self.text(field).unwrap_or_default()
    }

    /// The digits of a number field as they stand, `None` when blank; bad digits are reported.
    fn digit_str(&mut self, field: &FieldSpec) -> Result<Option<&'a [u8]>, ()> {
        let raw = self.raw(field);
        let trimmed = trim_spaces(raw);
        if trimmed.is_empty() {
            return Ok(None);
        }
        match whole_number(trimmed) {
            Ok(_) => Ok(Some(trimmed)),
            Err(_) => {
                self.bad(field, raw, &format!("{} digits", field.len));
                Err(())
            }
        }
    }

    /// A number, `None` when blank or bad (bad is reported).
    pub fn number<T: std::str::FromStr>(&mut self, field: &FieldSpec) -> Option<T> {
        let digits = self.digit_str(field).ok()??;
        // digit1 guarantees ASCII digits; the only failure left is overflow.
        match std::str::from_utf8(digits).ok()?.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.bad(field, self.raw(field), "a number in range");
                None
            }
        }
    }

    /// Digits kept as text with their full width (`0007`), for identifiers. Must be present.
    pub fn key_digits(&mut self, field: &FieldSpec) -> String {
        let raw = self.raw(field);
        match self.digit_str(field) {
            Ok(Some(d)) if d.len() == field.len => {
                // digits are ASCII
                String::from_utf8_lossy(d).into_owned()
            }
            Ok(Some(_)) | Ok(None) => {
                if !trim_spaces(raw).is_empty() || raw.len() < field.len {
                    self.bad(field, raw, &format!("{} digits", field.len));
                } else {
                    self.bad(field, raw, &format!("{} digits (it is blank)", field.len));
                }
                self.usable = false;
                String::new()
            }
            Err(()) => {
                self.usable = false;
                String::new()
            }
        }
    }

    /// Optional digits kept as text (a ULN).
    pub fn digits_text(&mut self, field: &FieldSpec) -> Option<String> {
        self.digit_str(field)
            .ok()
            .flatten()
            .map(|d| String::from_utf8_lossy(d).into_owned())
    }

    /// A date written `YYYYMMDD`; `None` when blank or bad (bad is reported).
    pub fn date(&mut self, field: &FieldSpec) -> Option<NaiveDate> {
        let digits = self.digit_str(field).ok()??;
        let text = std::str::from_utf8(digits).ok()?;
        match NaiveDate::parse_from_str(text, "%Y%m%d") {
            Ok(d) if digits.len() == 8 => Some(d),
            _ => {
                self.bad(field, self.raw(field), "a date YYYYMMDD");
                None
            }
        }
    }

    /// One character from a fixed set; `None` when blank; anything else is reported.
    pub fn one_of(&mut self, field: &FieldSpec, allowed: &[u8]) -> Option<u8> {
        let raw = self.raw(field);
        let c = *trim_spaces(raw).first()?;
        if allowed.contains(&c) && trim_spaces(raw).len() == 1 {
            Some(c)
        } else {
            let expected = allowed
                .iter()
                .map(|&b| format!("'{}'", b as char))
                .collect::<Vec<_>>()
                .join(", ");
            self.bad(field, raw, &format!("one of {expected} or blank"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layouts::FieldKind;

    const F: FieldSpec = FieldSpec {
        name: "max mark",
        start: 3,
        len: 3,
        kind: FieldKind::Digits,
    };

    #[test]
    fn numbers_blank_good_and_bad() {
        let mut p = Vec::new();
        assert_eq!(
            FieldReader::new(b"RS   ", 1, &mut p).number::<u16>(&F),
            None
        );
        assert_eq!(
            FieldReader::new(b"RS300", 1, &mut p).number::<u16>(&F),
            Some(300)
        );
        assert_eq!(
            FieldReader::new(b"RS 45", 1, &mut p).number::<u16>(&F),
            Some(45)
        );
        assert!(p.is_empty());
        assert_eq!(
            FieldReader::new(b"RS1a0", 7, &mut p).number::<u16>(&F),
            None
        );
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].line, Some(7));
        assert_eq!(p[0].field.as_deref(), Some("max mark"));
        assert_eq!(p[0].message, "bytes 3–5: expected 3 digits, found '1a0'");
    }

    #[test]
    fn key_digits_must_fill_the_field() {
        let mut p = Vec::new();
        let mut r = FieldReader::new(b"RS007", 1, &mut p);
        assert_eq!(r.key_digits(&F), "007");
        assert!(r.usable());
        let mut r = FieldReader::new(b"RS   ", 1, &mut p);
        assert_eq!(r.key_digits(&F), "");
        assert!(!r.usable());
    }

    #[test]
    fn windows_1252_names_decode() {
        assert_eq!(decode_1252(b"O'NEILL:\xC9MILE"), "O'NEILL:ÉMILE");
        assert!(matches!(decode_1252(b"SMITH"), Cow::Borrowed(_)));
    }

    #[test]
    fn dates() {
        const D: FieldSpec = FieldSpec {
            name: "date",
            start: 1,
            len: 8,
            kind: FieldKind::Digits,
        };
        let mut p = Vec::new();
        assert_eq!(
            FieldReader::new(b"20260820", 1, &mut p).date(&D),
            NaiveDate::from_ymd_opt(2026, 8, 20)
        );
        assert_eq!(FieldReader::new(b"20260230", 1, &mut p).date(&D), None);
        assert_eq!(p.len(), 1);
    }
}
