//! Every byte position resultsday reads or writes, in one table.
//!
//! UNVERIFIED: see spec/jcq-formats.md §3.2 and spec/layouts.md. The JCQ booklet's record tables
//! (Formats for the Exchange of Examination Related Data, v14, Parts II–IV) could not be read, so
//! every position below is the project's working layout, except the results record's byte-37 flag
//! and its 38–52 results area, which follow the one public hint. A maintainer with the booklet or a
//! real file corrects a position here, in one line, and nothing else changes: the parsers and the
//! writers slice every record through these tables.
//!
//! Positions are 1-based and inclusive, as in the JCQ booklet.

/// How a fixed-width field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text, left-aligned and space-padded.
    Text,
    /// Digits, right-aligned and zero-padded; all spaces means absent.
    Digits,
    /// A literal record-type code.
    Code,
    /// Bytes the layout reserves and resultsday does not read.
    Unused,
}

/// One field of a fixed-width record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field's name as an exams officer or the booklet would say it.
    pub name: &'static str,
    /// First byte, 1-based.
    pub start: usize,
    /// Width in bytes.
    pub len: usize,
    pub kind: FieldKind,
}

impl FieldSpec {
    const fn new(name: &'static str, start: usize, len: usize, kind: FieldKind) -> Self {
        FieldSpec {
            name,
            start,
            len,
            kind,
        }
    }

    /// The last byte, 1-based and inclusive.
    pub const fn end(&self) -> usize {
        self.start + self.len - 1
    }

    /// Zero-based byte range within a line.
    pub const fn range(&self) -> std::ops::Range<usize> {
        self.start - 1..self.start - 1 + self.len
    }

    /// The bytes of this field in `line`; a line that stops short gives fewer bytes (which
    /// callers read as trailing spaces), and never a panic.
    pub fn slice<'a>(&self, line: &'a [u8]) -> &'a [u8] {
        let r = self.range();
        let start = r.start.min(line.len());
        let end = r.end.min(line.len());
        &line[start..end]
    }
}

const fn text(name: &'static str, start: usize, len: usize) -> FieldSpec {
    FieldSpec::new(name, start, len, FieldKind::Text)
}
const fn digits(name: &'static str, start: usize, len: usize) -> FieldSpec {
    FieldSpec::new(name, start, len, FieldKind::Digits)
}
const fn code(start: usize, len: usize) -> FieldSpec {
    FieldSpec::new("record type", start, len, FieldKind::Code)
}
const fn unused(name: &'static str, start: usize, len: usize) -> FieldSpec {
    FieldSpec::new(name, start, len, FieldKind::Unused)
}

/// The JCQ exchange format version these tables describe.
pub const FORMAT_VERSION: u16 = 14;

/// Record-type codes: every line begins with one.
pub mod codes {
    pub const HEADER: &[u8; 2] = b"HD";
    pub const TRAILER: &[u8; 2] = b"TR";
    pub const RESULT: &[u8; 2] = b"RS";
    pub const ENTRY: &[u8; 2] = b"EN";
    pub const SYLLABUS: &[u8; 2] = b"SY";
    pub const OPTION: &[u8; 2] = b"OP";
    pub const COMPONENT: &[u8; 2] = b"CO";
    pub const LINK: &[u8; 2] = b"LK";
    pub const DISALLOWED: &[u8; 2] = b"DC";
}

/// The record-type field that starts every line.
pub const RECORD_TYPE: FieldSpec = code(1, 2);

/// Header `HD`, the first line of every EDI file.
pub struct HeaderLayout {
    pub data_type: FieldSpec,
    pub centre: FieldSpec,
    pub awarding_body: FieldSpec,
    pub series: FieldSpec,
    pub version: FieldSpec,
    pub sequence: FieldSpec,
    pub created_date: FieldSpec,
    pub created_time: FieldSpec,
}

pub const HEADER: HeaderLayout = HeaderLayout {
    data_type: text("data type", 3, 1),
    centre: digits("centre number", 4, 5),
    awarding_body: text("awarding body id", 9, 2),
    series: text("series", 11, 4),
    version: digits("format version", 15, 2),
    sequence: digits("sequence number", 17, 4),
    created_date: digits("created date", 21, 8),
    created_time: digits("created time", 29, 4),
};

/// Trailer `TR`, the last line of every EDI file.
pub struct TrailerLayout {
    pub count: FieldSpec,
}

pub const TRAILER: TrailerLayout = TrailerLayout {
    count: digits("detail record count", 3, 7),
};

/// Results detail `RS`.
pub struct ResultLayout {
    pub centre: FieldSpec,
    pub candidate: FieldSpec,
    pub option: FieldSpec,
    pub uci: FieldSpec,
    pub unused: FieldSpec,
    /// Byte 37: how to read the results area (the one position with a public hint).
    pub flag: FieldSpec,
    pub grade1: FieldSpec,
    pub grade2: FieldSpec,
    /// A mark (flag `M`) or an endorsement grade (flag `E`).
    pub mark_or_endorsement: FieldSpec,
    pub max_mark: FieldSpec,
    pub reserved: FieldSpec,
    pub name: FieldSpec,
}

pub const RESULT: ResultLayout = ResultLayout {
    centre: digits("centre number", 3, 5),
    candidate: digits("candidate number", 8, 4),
    option: text("entry option code", 12, 6),
    uci: text("UCI", 18, 13),
    unused: unused("unused", 31, 6),
    flag: text("result flag", 37, 1),
    grade1: text("grade 1", 38, 2),
    grade2: text("grade 2", 40, 2),
    mark_or_endorsement: text("mark or endorsement", 42, 3),
    max_mark: digits("max mark", 45, 3),
    reserved: unused("reserved", 48, 5),
    name: text("candidate name", 53, 40),
};

/// Entries and amendments detail `EN`.
pub struct EntryLayout {
    pub centre: FieldSpec,
    pub candidate: FieldSpec,
    pub uci: FieldSpec,
    pub uln: FieldSpec,
    pub name: FieldSpec,
    pub sex: FieldSpec,
    pub date_of_birth: FieldSpec,
    pub option: FieldSpec,
    pub action: FieldSpec,
}

pub const ENTRY: EntryLayout = EntryLayout {
    centre: digits("centre number", 3, 5),
    candidate: digits("candidate number", 8, 4),
    uci: text("UCI", 12, 13),
    uln: digits("ULN", 25, 10),
    name: text("candidate name", 35, 40),
    sex: text("sex", 75, 1),
    date_of_birth: digits("date of birth", 76, 8),
    option: text("entry option code", 84, 6),
    action: text("action", 90, 1),
};

/// Basedata syllabus detail `SY`.
pub struct SyllabusLayout {
    pub code: FieldSpec,
    pub title: FieldSpec,
    pub qualification: FieldSpec,
    pub level: FieldSpec,
    pub qan: FieldSpec,
    pub discount_code: FieldSpec,
}

pub const SYLLABUS: SyllabusLayout = SyllabusLayout {
    code: text("syllabus code", 3, 6),
    title: text("title", 9, 40),
    qualification: text("qualification", 49, 10),
    level: digits("level", 59, 1),
    qan: text("QAN", 60, 8),
    discount_code: text("discount code", 68, 4),
};

/// Basedata option detail `OP`.
pub struct OptionLayout {
    pub code: FieldSpec,
    pub syllabus: FieldSpec,
    pub title: FieldSpec,
    pub tier: FieldSpec,
    pub gradeset: FieldSpec,
    pub award_flag: FieldSpec,
    pub cash_in: FieldSpec,
    pub fee: FieldSpec,
}

pub const OPTION: OptionLayout = OptionLayout {
    code: text("option code", 3, 6),
    syllabus: text("syllabus code", 9, 6),
    title: text("title", 15, 40),
    tier: text("tier", 55, 1),
    gradeset: text("gradeset code", 56, 4),
    award_flag: text("award flag", 60, 1),
    cash_in: text("cash-in code", 61, 6),
    fee: digits("fee (pence)", 67, 6),
};

/// Basedata component detail `CO`.
pub struct ComponentLayout {
    pub code: FieldSpec,
    pub title: FieldSpec,
    pub exam_date: FieldSpec,
    pub session: FieldSpec,
    pub time_allowed: FieldSpec,
    pub max_mark: FieldSpec,
}

pub const COMPONENT: ComponentLayout = ComponentLayout {
    code: text("component code", 3, 6),
    title: text("title", 9, 40),
    exam_date: digits("exam date", 49, 8),
    session: text("session", 57, 1),
    time_allowed: digits("time allowed (min)", 58, 3),
    max_mark: digits("max mark", 61, 4),
};

/// Basedata link detail `LK`: which components make up an option.
pub struct LinkLayout {
    pub option: FieldSpec,
    pub component: FieldSpec,
}

pub const LINK: LinkLayout = LinkLayout {
    option: text("option code", 3, 6),
    component: text("component code", 9, 6),
};

/// Basedata disallowed-combination detail `DC`.
pub struct DisallowedLayout {
    pub option_a: FieldSpec,
    pub option_b: FieldSpec,
}

pub const DISALLOWED: DisallowedLayout = DisallowedLayout {
    option_a: text("option code a", 3, 6),
    option_b: text("option code b", 9, 6),
};

/// Every record's fields in order, for checks that the tables tile their records and for
/// documentation. The record-type field is first in each.
pub fn all_layouts() -> Vec<(&'static str, Vec<FieldSpec>)> {
    let h = &HEADER;
    let r = &RESULT;
    let e = &ENTRY;
    let s = &SYLLABUS;
    let o = &OPTION;
    let c = &COMPONENT;
    vec![
        (
            "HD",
            vec![
                RECORD_TYPE,
                h.data_type,
                h.centre,
                h.awarding_body,
                h.series,
                h.version,
                h.sequence,
                h.created_date,
                h.created_time,
            ],
        ),
        ("TR", vec![RECORD_TYPE, TRAILER.count]),
        (
            "RS",
            vec![
                RECORD_TYPE,
                r.centre,
                r.candidate,
                r.option,
                r.uci,
                r.unused,
                r.flag,
                r.grade1,
                r.grade2,
                r.mark_or_endorsement,
                r.max_mark,
                r.reserved,
                r.name,
            ],
        ),
        (
            "EN",
            vec![
                RECORD_TYPE,
                e.centre,
                e.candidate,
                e.uci,
                e.uln,
                e.name,
                e.sex,
                e.date_of_birth,
                e.option,
                e.action,
            ],
        ),
        (
            "SY",
            vec![
                RECORD_TYPE,
                s.code,
                s.title,
                s.qualification,
                s.level,
                s.qan,
                s.discount_code,
            ],
        ),
        (
            "OP",
            vec![
                RECORD_TYPE,
                o.code,
                o.syllabus,
                o.title,
                o.tier,
                o.gradeset,
                o.award_flag,
                o.cash_in,
                o.fee,
            ],
        ),
        (
            "CO",
            vec![
                RECORD_TYPE,
                c.code,
                c.title,
                c.exam_date,
                c.session,
                c.time_allowed,
                c.max_mark,
            ],
        ),
        ("LK", vec![RECORD_TYPE, LINK.option, LINK.component]),
        (
            "DC",
            vec![RECORD_TYPE, DISALLOWED.option_a, DISALLOWED.option_b],
        ),
    ]
}

/// The length of a record type's layout: bytes past it are reported as extra text.
pub fn record_len(record_type: &[u8]) -> Option<usize> {
    let len = |f: FieldSpec| Some(f.end());
    match record_type {
        b"HD" => len(HEADER.created_time),
        b"TR" => len(TRAILER.count),
        b"RS" => len(RESULT.name),
        b"EN" => len(ENTRY.action),
        b"SY" => len(SYLLABUS.discount_code),
        b"OP" => len(OPTION.fee),
        b"CO" => len(COMPONENT.max_mark),
        b"LK" => len(LINK.component),
        b"DC" => len(DISALLOWED.option_b),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layout_tiles_its_record_without_gaps_or_overlaps() {
        for (name, fields) in all_layouts() {
            let mut next = 1;
            for f in &fields {
                assert_eq!(
                    f.start, next,
                    "{name}: field '{}' should start at {next}",
                    f.name
                );
                assert!(f.len > 0);
                next = f.end() + 1;
            }
            assert_eq!(
                Some(next - 1),
                record_len(name.as_bytes()),
                "{name}: record length"
            );
        }
    }

    #[test]
    fn results_flag_and_results_area_follow_the_public_hint() {
        // byte 37 is the flag; bytes 38–52 hold the grades and results.
        assert_eq!(RESULT.flag.start, 37);
        assert_eq!(RESULT.grade1.start, 38);
        assert_eq!(RESULT.reserved.end(), 52);
    }

    #[test]
    fn slice_of_a_short_line_is_short_and_never_panics() {
        let f = RESULT.name;
        assert_eq!(f.slice(b"RS"), b"");
        assert_eq!(f.slice(&[b' '; 60]).len(), 8);
        assert_eq!(f.slice(&[b' '; 200]).len(), 40);
    }
}
