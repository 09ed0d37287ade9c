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

    /// The text's first character (a one-letter flag or code), or `None` when blank.
    pub(crate) fn one_char(&mut self, field: &FieldSpec) -> Option<char> {
        self.text(field).and_then(|t| t.chars().next())
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

    /// A date written `DDMMYY`; `None` when blank or `000000` (no date), or bad (bad is
    /// reported). Two-digit years up to `pivot_year`'s are of this century, later ones of the
    /// last (a date of birth in 1998 is `98`).
    pub fn date_ddmmyy(&mut self, field: &FieldSpec, pivot_year: i32) -> Option<NaiveDate> {
        let digits = self.digit_str(field).ok()??;
        if digits.iter().all(|&b| b == b'0') {
            return None;
        }
        let n = |i: usize| u32::from(digits[i] - b'0') * 10 + u32::from(digits[i + 1] - b'0');
        let parsed = (digits.len() == 6).then(|| {
            let yy = n(4) as i32;
            let year = if 2000 + yy <= pivot_year {
                2000 + yy
            } else {
                1900 + yy
            };
            NaiveDate::from_ymd_opt(year, n(2), n(0))
        });
        match parsed.flatten() {
            Some(d) => Some(d),
            None => {
                self.bad(field, self.raw(field), "a date DDMMYY");
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
            FieldReader::new(b"R5   ", 1, &mut p).number::<u16>(&F),
            None
        );
        assert_eq!(
            FieldReader::new(b"R5300", 1, &mut p).number::<u16>(&F),
            Some(300)
        );
        assert_eq!(
            FieldReader::new(b"R5 45", 1, &mut p).number::<u16>(&F),
            Some(45)
        );
        assert!(p.is_empty());
        assert_eq!(
            FieldReader::new(b"R51a0", 7, &mut p).number::<u16>(&F),
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
        let mut r = FieldReader::new(b"R5007", 1, &mut p);
        assert_eq!(r.key_digits(&F), "007");
        assert!(r.usable());
        let mut r = FieldReader::new(b"R5   ", 1, &mut p);
        assert_eq!(r.key_digits(&F), "");
        assert!(!r.usable());
    }

    #[test]
    fn a_number_with_trailing_spaces_reads_as_its_digits() {
        // Version 12 writes `0 ` in a two-digit field (spec/layouts.md §1).
        let mut p = Vec::new();
        assert_eq!(
            FieldReader::new(b"R510 ", 1, &mut p).number::<u16>(&F),
            Some(10)
        );
        assert_eq!(
            FieldReader::new(b"R5", 1, &mut p).number::<u16>(&F),
            None,
            "a line that stops short is read as padded"
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(
            FieldReader::new(b"R51 0", 2, &mut p).number::<u16>(&F),
            None
        );
        assert_eq!(p[0].message, "bytes 3–5: expected 3 digits, found '1 0'");
    }

    #[test]
    fn key_digits_of_a_short_line_are_reported() {
        let mut p = Vec::new();
        let mut r = FieldReader::new(b"R500", 4, &mut p);
        assert_eq!(r.key_digits(&F), "");
        assert!(!r.usable());
        assert_eq!(p[0].line, Some(4));
        assert_eq!(p[0].message, "bytes 3–5: expected 3 digits, found '00'");
    }

    #[test]
    fn one_of_a_fixed_set() {
        const S: FieldSpec = FieldSpec {
            name: "sex",
            start: 1,
            len: 1,
            kind: FieldKind::Text,
        };
        let mut p = Vec::new();
        assert_eq!(
            FieldReader::new(b"F", 1, &mut p).one_of(&S, b"MF"),
            Some(b'F')
        );
        assert_eq!(FieldReader::new(b" ", 1, &mut p).one_of(&S, b"MF"), None);
        assert!(p.is_empty());
        assert_eq!(FieldReader::new(b"0", 3, &mut p).one_of(&S, b"MF"), None);
        assert_eq!(
            p[0].message,
            "bytes 1–1: expected one of 'M', 'F' or blank, found '0'"
        );
        assert_eq!(p[0].field.as_deref(), Some("sex"));
    }

    #[test]
    fn control_characters_in_text_are_removed_and_reported() {
        const N: FieldSpec = FieldSpec {
            name: "candidate name",
            start: 1,
            len: 8,
            kind: FieldKind::Text,
        };
        let mut p = Vec::new();
        let mut r = FieldReader::new(b"ANN\x00\x00   ", 5, &mut p);
        assert_eq!(r.text(&N).as_deref(), Some("ANN"));
        assert!(r.usable());
        assert_eq!(p[0].kind, ProblemKind::ControlCharacters);
        assert_eq!(p[0].line, Some(5));
        let mut r = FieldReader::new(b"\x07\x07      ", 6, &mut p);
        assert_eq!(r.text(&N), None);
        assert!(p[1].message.ends_with("removed, leaving the field blank"));
    }

    #[test]
    fn windows_1252_names_decode() {
        assert_eq!(decode_1252(b"O'NEILL:\xC9MILE"), "O'NEILL:ÉMILE");
        assert!(matches!(decode_1252(b"SMITH"), Cow::Borrowed(_)));
    }

    #[test]
    fn ddmmyy_dates() {
        const D: FieldSpec = FieldSpec {
            name: "date",
            start: 1,
            len: 6,
            kind: FieldKind::Digits,
        };
        let mut p = Vec::new();
        let mut date = |s: &[u8]| FieldReader::new(s, 1, &mut p).date_ddmmyy(&D, 2017);
        assert_eq!(date(b"070617"), NaiveDate::from_ymd_opt(2017, 6, 7));
        assert_eq!(date(b"010598"), NaiveDate::from_ymd_opt(1998, 5, 1));
        assert_eq!(date(b"000000"), None);
        assert_eq!(date(b"      "), None);
        assert_eq!(date(b"310217"), None);
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].message,
            "bytes 1–6: expected a date DDMMYY, found '310217'"
        );
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
