//! JCQ file names: `dcccccbb.Xnn` and `a2c.<centre>.<ab>.EDIResults.<guid>.xml`.
//!
//! Names are matched case-insensitively. Download noise such as ` (1)` before the extension, or
//! text before the eight-character stem, is recorded so it can be reported, and the file is
//! still read.

use nom::bytes::complete::{tag, tag_no_case, take, take_while1, take_while_m_n};
use nom::character::complete::{char, digit1, satisfy};
use nom::combinator::{all_consuming, opt, recognize};
use nom::sequence::delimited;
use nom::{IResult, Parser};

use crate::model::DataType;

/// What a recognised file name says about the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    pub kind: FileNameKind,
    /// Download noise found in the name (` (1)`, `Copy of `), to report.
    pub noise: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileNameKind {
    /// An EDI file `dcccccbb.Xnn`.
    Edi {
        data_type: DataType,
        /// The centre number in a centre's file, or the series and year (`6A26_`) in basedata.
        centre_or_series: String,
        awarding_body: String,
        /// The last two digits of the sequence number (for basedata, the published version).
        sequence: u8,
    },
    /// An A2C XML results file.
    XmlResults {
        centre: String,
        awarding_body: String,
        guid: String,
    },
    /// A basedata bundle (`ZBY21_70.zip`, `Z6A16_70.exe`): packaging, not records.
    Bundle {
        series: String,
        awarding_body: String,
    },
}

impl FileName {
    /// Recognises a file name, or `None` if it is not a JCQ file name.
    pub fn parse(name: &str) -> Option<FileName> {
        parse_xml_name(name).or_else(|| parse_edi_name(name))
    }

    pub fn data_type(&self) -> DataType {
        match &self.kind {
            FileNameKind::Edi { data_type, .. } => *data_type,
            FileNameKind::XmlResults { .. } => DataType::Results,
            FileNameKind::Bundle { .. } => DataType::Bundle,
        }
    }

    pub fn awarding_body(&self) -> &str {
        match &self.kind {
            FileNameKind::Edi { awarding_body, .. }
            | FileNameKind::XmlResults { awarding_body, .. }
            | FileNameKind::Bundle { awarding_body, .. } => awarding_body,
        }
    }
}

/// ` (1)`, `(2)`, ` - Copy`: what browsers and file managers add to a second download.
fn download_suffix(input: &str) -> IResult<&str, &str> {
    recognize((
        opt(char(' ')),
        nom::branch::alt((
            delimited(char('('), digit1, char(')')),
            tag_no_case("- Copy"),
        )),
    ))
    .parse(input)
}

/// Splits trailing download noise (which may repeat: `X (1) (2)`) off a stem.
fn split_trailing_noise(stem: &str) -> (&str, &str) {
    let mut rest = stem;
    loop {
        let trimmed = rest.trim_end();
        let Some(idx) = trimmed.rfind(['(', '-']) else {
            break;
        };
        let kept = trimmed[..idx].trim_end();
        if all_consuming(download_suffix)
            .parse(&rest[kept.len()..])
            .is_ok()
        {
            rest = kept;
        } else {
            break;
        }
    }
    (rest, &stem[rest.len()..])
}

/// Splits `stem` into the stem proper (its last `stem_len` characters) and the noise around it.
fn split_noise(stem: &str, stem_len: usize) -> Option<(String, &str)> {
    let (stem, trailing) = split_trailing_noise(stem);
    let lead_len = stem.len().checked_sub(stem_len)?;
    if !stem.is_char_boundary(lead_len) {
        return None;
    }
    let lead = &stem[..lead_len];
    // `Copy of R1452070`: leading noise must end in a separator, so that a longer name is not
    // read as a shorter one.
    if !lead.is_empty() && !lead.ends_with([' ', '_', '-']) {
        return None;
    }
    Some((format!("{lead}{trailing}"), &stem[lead_len..]))
}

fn edi_stem(input: &str) -> IResult<&str, (char, &str, &str)> {
    all_consuming((
        satisfy(|c| c.is_ascii_alphabetic()),
        take(5usize),
        take_while_m_n(2, 2, |c: char| c.is_ascii_alphanumeric()),
    ))
    .parse(input)
}

fn edi_extension(input: &str) -> IResult<&str, &str> {
    all_consuming(nom::sequence::preceded(
        tag_no_case("x"),
        take_while_m_n(2, 2, |c: char| c.is_ascii_digit()),
    ))
    .parse(input)
}

fn parse_edi_name(name: &str) -> Option<FileName> {
    let (stem, ext) = name.rsplit_once('.')?;
    let (noise, stem) = split_noise(stem, 8)?;
    // A board's certification/unit link file: `ULINKS10.X13` (board 10, version 13).
    if stem.len() == 8
        && stem
            .get(..6)
            .is_some_and(|s| s.eq_ignore_ascii_case("ULINKS"))
    {
        let board = &stem[6..];
        let (_, seq) = edi_extension(ext).ok()?;
        if !board.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        return Some(FileName {
            kind: FileNameKind::Edi {
                data_type: DataType::UnitLinks,
                centre_or_series: String::new(),
                awarding_body: board.to_string(),
                sequence: seq.parse().ok()?,
            },
            noise: (!noise.is_empty()).then_some(noise),
        });
    }
    let (_, (letter, middle, board)) = edi_stem(stem).ok()?;
    if !middle
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    let data_type = DataType::from_letter(letter);
    let noise = (!noise.is_empty()).then_some(noise);
    if data_type == DataType::Bundle {
        if !(ext.eq_ignore_ascii_case("zip") || ext.eq_ignore_ascii_case("exe")) {
            return None;
        }
        return Some(FileName {
            kind: FileNameKind::Bundle {
                series: middle.to_ascii_uppercase(),
                awarding_body: board.to_ascii_uppercase(),
            },
            noise,
        });
    }
    let (_, seq) = edi_extension(ext).ok()?;
    Some(FileName {
        kind: FileNameKind::Edi {
            data_type,
            centre_or_series: middle.to_ascii_uppercase(),
            awarding_body: board.to_ascii_uppercase(),
            sequence: seq.parse().ok()?,
        },
        noise,
    })
}

fn xml_name(input: &str) -> IResult<&str, (&str, &str, &str)> {
    let (rest, (_, centre, _, board, _, _)) = (
        tag_no_case("a2c."),
        take_while1(|c: char| c.is_ascii_digit()),
        tag("."),
        take_while1(|c: char| c.is_ascii_alphanumeric()),
        tag("."),
        tag_no_case("EDIResults."),
    )
        .parse(input)?;
    // The GUID is opaque (OCR's example has a 13-digit last group); it runs to `.xml`.
    let guid_len = rest.len().checked_sub(4).filter(|_| {
        rest.len() >= 4
            && rest.is_char_boundary(rest.len() - 4)
            && rest[rest.len() - 4..].eq_ignore_ascii_case(".xml")
    });
    match guid_len {
        Some(n) if n > 0 => Ok(("", (centre, board, &rest[..n]))),
        _ => Err(nom::Err::Error(nom::error::Error::new(
            rest,
            nom::error::ErrorKind::Tag,
        ))),
    }
}

fn parse_xml_name(name: &str) -> Option<FileName> {
    let (_, (centre, board, guid)) = xml_name(name).ok()?;
    let (guid, noise) = split_trailing_noise(guid);
    // A GUID that is all download noise (`EDIResults.(1).xml`) is no GUID, as `..xml` is not.
    if guid.is_empty() {
        return None;
    }
    let noise = (!noise.is_empty()).then(|| noise.to_string());
    Some(FileName {
        kind: FileNameKind::XmlResults {
            centre: centre.to_string(),
            awarding_body: board.to_ascii_uppercase(),
            guid: guid.to_string(),
        },
        noise,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edi(name: &str) -> (DataType, String, String, u8, Option<String>) {
        let f = FileName::parse(name).unwrap_or_else(|| panic!("{name} not recognised"));
        match f.kind {
            FileNameKind::Edi {
                data_type,
                centre_or_series,
                awarding_body,
                sequence,
            } => (
                data_type,
                centre_or_series,
                awarding_body,
                sequence,
                f.noise,
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn centre_files() {
        assert_eq!(
            edi("R1452070.X01"),
            (DataType::Results, "14520".into(), "70".into(), 1, None)
        );
        assert_eq!(
            edi("e1452001.x12"),
            (DataType::Entries, "14520".into(), "01".into(), 12, None)
        );
        assert_eq!(edi("A1452040.X02").0, DataType::Amendments);
    }

    #[test]
    fn basedata_names_carry_the_series() {
        assert_eq!(
            edi("O6A26_70.X02"),
            (DataType::Options, "6A26_".into(), "70".into(), 2, None)
        );
        // OCR writes its series letters in lower case.
        assert_eq!(edi("Sba12_01.X01").1, "BA12_");
        assert_eq!(
            edi("o6b17_01.x04"),
            (DataType::Options, "6B17_".into(), "01".into(), 4, None)
        );
        // A school's own basedata, board 99.
        assert_eq!(edi("C3a17_99.X01").2, "99");
        assert_eq!(edi("D6G17_10.X01").0, DataType::Disallowed);
    }

    #[test]
    fn download_noise_is_kept_and_reported() {
        let (t, c, _, n, noise) = edi("E0000010 (1).X01");
        assert_eq!((t, c.as_str(), n), (DataType::Entries, "00000", 1));
        assert_eq!(noise.as_deref(), Some(" (1)"));
        assert_eq!(edi("Copy of R1452070.X01").4.as_deref(), Some("Copy of "));
        assert_eq!(edi("R1452070(2).X01").4.as_deref(), Some("(2)"));
    }

    #[test]
    fn a_name_with_a_two_byte_letter_where_ulinks_would_end_is_not_a_jcq_name() {
        // Byte 6 falls inside the É: reading it as a unit link file's name must not panic.
        assert_eq!(FileName::parse("ULINKÉX.X13"), None);
    }

    #[test]
    fn unit_link_files() {
        assert_eq!(
            edi("ULINKS10.x13"),
            (DataType::UnitLinks, String::new(), "10".into(), 13, None)
        );
    }

    #[test]
    fn unknown_letters_are_kept() {
        assert_eq!(edi("Q1452070.X01").0, DataType::Other('Q'));
    }

    #[test]
    fn xml_results() {
        let f =
            FileName::parse("a2C.99999.01.EDIResults.0AD3B770-2F1E-4779-A9FA-7606ED8D84366.xml")
                .unwrap();
        assert_eq!(
            f.kind,
            FileNameKind::XmlResults {
                centre: "99999".into(),
                awarding_body: "01".into(),
                guid: "0AD3B770-2F1E-4779-A9FA-7606ED8D84366".into()
            }
        );
        let f = FileName::parse("a2c.14520.01.EDIResults.ABC (1).XML").unwrap();
        assert_eq!(f.noise.as_deref(), Some(" (1)"));
    }

    #[test]
    fn bundles() {
        assert!(matches!(
            FileName::parse("ZBY21_70.zip").unwrap().kind,
            FileNameKind::Bundle { .. }
        ));
    }

    #[test]
    fn not_jcq_names() {
        for name in [
            "README.txt",
            "R1452070.X1",
            "R14520700.X01",
            "notes.X01",
            "R145é070.X01",
            "",
            ".",
            "a2c..01.EDIResults..xml",
            "candidates.csv",
        ] {
            assert_eq!(FileName::parse(name), None, "{name}");
        }
    }
}
