//! Writes records in the layouts resultsday reads, through the same table the parsers read: for
//! the generator, the tests and anyone who writes a file for resultsday to read.

use chrono::NaiveDate;

use crate::layouts::{level, FieldSpec, Layouts, SLOT_LEN, SLOT_OPTION_LEN};
use crate::model::{
    Component, DataType, Disallowed, EntryAction, EntryOption, EntryRecord, Header, Link,
    ResultFlag, ResultRecord, Session, Syllabus,
};

/// A record being written: spaces, filled field by field.
struct Line(Vec<u8>);

impl Line {
    fn new(code: [u8; 2], len: usize) -> Line {
        let mut buf = vec![b' '; len];
        buf[..2].copy_from_slice(&code);
        Line(buf)
    }

    /// Text, left-aligned, encoded Windows-1252, cut to the field's width.
    fn text(&mut self, f: FieldSpec, value: &str) -> &mut Self {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(value);
        let n = bytes.len().min(f.len);
        let start = f.start - 1;
        self.0[start..start + n].copy_from_slice(&bytes[..n]);
        self
    }

    fn opt_text(&mut self, f: FieldSpec, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.text(f, v);
        }
        self
    }

    fn opt_char(&mut self, f: FieldSpec, value: Option<char>) -> &mut Self {
        if let Some(c) = value {
            self.text(f, c.encode_utf8(&mut [0; 4]));
        }
        self
    }

    /// A number, right-aligned and zero-padded; a value too wide for the field keeps its low
    /// digits (the caller's data is wrong; the line stays the right length).
    fn number(&mut self, f: FieldSpec, value: Option<u64>) -> &mut Self {
        if let Some(v) = value {
            let s = format!("{v:0width$}", width = f.len);
            let s = &s.as_bytes()[s.len() - f.len..];
            let start = f.start - 1;
            self.0[start..start + f.len].copy_from_slice(s);
        }
        self
    }

    /// A date `DDMMYY`; `000000` when there is none, as the boards write it.
    fn ddmmyy(&mut self, f: FieldSpec, value: Option<NaiveDate>) -> &mut Self {
        let text = value.map_or_else(|| "000000".to_string(), |d| d.format("%d%m%y").to_string());
        self.text(f, &text)
    }

    fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.0)
    }
}

fn layouts() -> &'static Layouts {
    Layouts::builtin()
}

fn code(data_type: DataType, lvl: u8) -> [u8; 2] {
    [data_type.letter() as u8, lvl]
}

/// The series letters and year of a series code: `6A26` → (`6A`, 26).
fn series_parts(series: &str) -> (&str, Option<u64>) {
    let (s, y) = series.split_at(series.len().min(2));
    (s, y.parse().ok())
}

/// The padded length of every line of a data type's file.
fn file_record_len(data_type: DataType) -> usize {
    layouts()
        .record_len(data_type.letter() as u8)
        .unwrap_or(layouts().file_header.length)
}

/// The file header `x1`.
pub fn file_header(h: &Header) -> Vec<u8> {
    let l = &layouts().file_header;
    let (series, year) = series_parts(&h.series);
    Line::new(
        code(h.data_type, level::FILE_HEADER),
        file_record_len(h.data_type),
    )
    .text(l.centre, &h.centre)
    .text(l.awarding_body, &h.awarding_body)
    .text(l.series, series)
    .number(l.year, year)
    .opt_char(l.distribution, h.distribution)
    .text(l.sender, &h.sender)
    .number(l.version, Some(h.version.into()))
    .finish()
}

/// A centre header `x3`.
pub fn centre_header(h: &Header, centre: &str, postcode: Option<&str>) -> Vec<u8> {
    let l = &layouts().centre_header;
    let (series, year) = series_parts(&h.series);
    Line::new(
        code(h.data_type, level::CENTRE_HEADER),
        file_record_len(h.data_type),
    )
    .text(l.centre, centre)
    .text(l.awarding_body, &h.awarding_body)
    .text(l.series, series)
    .number(l.year, year)
    .number(l.sequence, Some(h.sequence.into()))
    .opt_text(l.postcode, postcode)
    .finish()
}

/// A centre trailer `x7`: `count` covers the block's records, its header and trailer included.
pub fn centre_trailer(h: &Header, centre: &str, count: u64) -> Vec<u8> {
    let l = &layouts().centre_trailer;
    Line::new(
        code(h.data_type, level::CENTRE_TRAILER),
        file_record_len(h.data_type),
    )
    .text(l.centre, centre)
    .number(l.count, Some(count))
    .ddmmyy(l.date, h.created.map(|c| c.date()))
    .finish()
}

/// The file trailer `x9`: `count` covers every record of the file.
pub fn file_trailer(h: &Header, count: u64, centres: u64) -> Vec<u8> {
    let l = &layouts().file_trailer;
    Line::new(
        code(h.data_type, level::FILE_TRAILER),
        file_record_len(h.data_type),
    )
    .text(l.centre, &h.centre)
    .number(l.count, Some(count))
    .number(l.centres, Some(centres))
    .finish()
}

/// One centre's block: its centre number, its postcode and its detail lines.
pub struct Block {
    pub centre: String,
    pub postcode: Option<String>,
    pub details: Vec<Vec<u8>>,
}

/// A whole file of one block (the header's centre): `x1`, `x3`, the detail lines, `x7`, `x9`,
/// every line padded to the data type's record length; CRLF line ends.
pub fn file(header: &Header, details: impl IntoIterator<Item = Vec<u8>>) -> Vec<u8> {
    file_of_blocks(
        header,
        vec![Block {
            centre: header.centre.clone(),
            postcode: None,
            details: details.into_iter().collect(),
        }],
    )
}

/// A whole file of several centre blocks; CRLF line ends. A basedata file's `x9` says one
/// block as the boards write it.
pub fn file_of_blocks(header: &Header, blocks: Vec<Block>) -> Vec<u8> {
    let mut out = Vec::new();
    let push = |line: &[u8], out: &mut Vec<u8>| {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    };
    push(&file_header(header), &mut out);
    let mut lines = 1u64;
    let n_blocks = blocks.len() as u64;
    for b in blocks {
        push(
            &centre_header(header, &b.centre, b.postcode.as_deref()),
            &mut out,
        );
        let count = b.details.len() as u64 + 2;
        for d in &b.details {
            push(d, &mut out);
        }
        push(&centre_trailer(header, &b.centre, count), &mut out);
        lines += count;
    }
    push(&file_trailer(header, lines + 1, n_blocks), &mut out);
    out
}

/// The same bytes with LF line ends (as some boards and transfers write them).
pub fn with_lf(crlf: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(crlf.len());
    let mut i = 0;
    while i < crlf.len() {
        if crlf[i] == b'\r' && crlf.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(crlf[i]);
        i += 1;
    }
    out
}

/// A results record `R5`.
pub fn result(r: &ResultRecord) -> Vec<u8> {
    let l = &layouts().result;
    let mut line = Line::new(code(DataType::Results, level::DETAIL), l.length);
    line.text(l.centre, &r.centre)
        .text(l.candidate, &r.candidate_number)
        .text(l.option, &r.option_code)
        .text(l.uci, &r.uci)
        .text(l.flag, &r.flag.letter().to_string())
        .opt_text(l.grade1, r.grade.as_ref().map(|g| g.as_sent()).as_deref())
        .opt_text(l.grade2, r.grade2.as_ref().map(|g| g.as_sent()).as_deref());
    match r.flag {
        ResultFlag::Mark => {
            line.number(l.mark_or_endorsement, r.mark.map(u64::from));
        }
        ResultFlag::Endorsement => {
            line.opt_text(l.mark_or_endorsement, r.endorsement.as_deref());
        }
        ResultFlag::Neither => {}
    }
    line.number(l.max_mark, r.max_mark.map(u64::from))
        .text(l.name, &r.name)
        .finish()
}

/// One entries or amendments record `E5`/`A5`: `e`'s candidate details and the options of
/// `slots` (at most as many as the layout has slots; the rest are dropped). The record type
/// is `A5` when any record has an action.
pub fn entry_record(e: &EntryRecord, slots: &[&EntryRecord]) -> Vec<u8> {
    let l = &layouts().entry;
    let amendment = e.action.is_some() || slots.iter().any(|s| s.action.is_some());
    let data_type = if amendment {
        DataType::Amendments
    } else {
        DataType::Entries
    };
    let mut line = Line::new(code(data_type, level::DETAIL), l.length);
    line.opt_char(l.candidate_type, e.candidate_type.or(Some('C')))
        .text(l.centre, &e.centre)
        .text(l.candidate, &e.candidate_number)
        .text(l.name, &e.name)
        .opt_char(l.sex, e.sex)
        .ddmmyy(l.date_of_birth, e.date_of_birth)
        .text(l.uci, &e.uci)
        .opt_text(l.upn, e.upn.as_deref())
        .opt_text(l.uln, e.uln.as_deref());
    let max = l.slots.len / SLOT_LEN;
    let mut slot = 0;
    for s in slots {
        if s.option_code.is_empty() || slot == max {
            continue;
        }
        let start = l.slots.start + slot * SLOT_LEN;
        let option = FieldSpec {
            start,
            len: SLOT_OPTION_LEN,
            ..l.slots
        };
        line.text(option, &s.option_code);
        if s.action == Some(EntryAction::Withdraw) {
            let flag = FieldSpec {
                start: start + SLOT_OPTION_LEN,
                len: 1,
                ..l.slots
            };
            line.text(flag, "W");
        }
        slot += 1;
    }
    line.finish()
}

/// An entry of one option: one `E5`/`A5` record with one slot.
pub fn entry(e: &EntryRecord) -> Vec<u8> {
    entry_record(e, &[e])
}

/// Entries as the boards write them: one record per candidate with up to twelve options (a
/// candidate with more gets more records), in the order given; consecutive entries of one
/// candidate share a record.
pub fn entries(records: &[EntryRecord]) -> Vec<Vec<u8>> {
    let max = layouts().entry.slots.len / SLOT_LEN;
    let mut out = Vec::new();
    let mut i = 0;
    while i < records.len() {
        let first = &records[i];
        let mut group: Vec<&EntryRecord> = vec![first];
        i += 1;
        while i < records.len()
            && records[i].candidate_number == first.candidate_number
            && group.len() < max
            && !records[i].option_code.is_empty()
            && !first.option_code.is_empty()
        {
            group.push(&records[i]);
            i += 1;
        }
        out.push(entry_record(first, &group));
    }
    out
}

/// A basedata syllabus record `S5`.
pub fn syllabus(s: &Syllabus) -> Vec<u8> {
    let l = &layouts().syllabus;
    Line::new(code(DataType::Syllabuses, level::DETAIL), l.length)
        .text(l.code, &s.code)
        .text(l.title, &s.title)
        .finish()
}

/// A basedata option record `O5`.
pub fn option(o: &EntryOption) -> Vec<u8> {
    let l = &layouts().option;
    Line::new(code(DataType::Options, level::DETAIL), l.length)
        .text(l.code, &o.code)
        .text(l.syllabus, &o.syllabus)
        .text(l.qualification, &o.qualification)
        .text(l.level, &o.level)
        .opt_char(l.item, o.item.map(|i| i.letter()))
        .text(l.unit_qualification, &o.unit_qualification)
        .text(l.unit_level, &o.unit_level)
        .opt_char(l.process, o.process)
        .opt_text(l.discount_code, o.discount_code.as_deref())
        .opt_text(l.qan, o.qan.as_deref())
        .text(l.title, &o.title)
        .opt_char(l.fee_flag, o.fee_flag)
        .number(l.fee, o.fee_pence.map(u64::from))
        .opt_char(l.result_type, o.result_type)
        .opt_text(l.gradeset, o.gradeset.as_deref())
        .opt_text(l.gradeset2, o.gradeset2.as_deref())
        .opt_text(l.endorsement_gradeset, o.endorsement_gradeset.as_deref())
        .opt_text(l.endorsement_gradeset2, o.endorsement_gradeset2.as_deref())
        .number(l.max_mark, o.max_mark.map(u64::from))
        .number(l.components, o.components.map(u64::from))
        .finish()
}

/// A basedata component record `C5`.
pub fn component(c: &Component) -> Vec<u8> {
    let l = &layouts().component;
    let session = c.session.map(|s| match s {
        Session::Morning => 'A',
        Session::Afternoon => 'P',
        Session::Other(c) => c,
    });
    Line::new(code(DataType::Components, level::DETAIL), l.length)
        .text(l.code, &c.code)
        .text(l.title, &c.title)
        .opt_char(l.teacher_marks, c.teacher_marks)
        .number(l.max_mark, c.max_mark.map(u64::from))
        .opt_text(l.gradeset, c.gradeset.as_deref())
        .ddmmyy(l.due_date, c.due_date)
        .opt_char(l.timetabled, c.timetabled)
        .ddmmyy(l.exam_date, c.exam_date)
        .opt_char(l.session, session)
        .number(l.duration, c.duration_min.map(u64::from))
        .finish()
}

/// A basedata link record `L5`.
pub fn link(k: &Link) -> Vec<u8> {
    let l = &layouts().link;
    Line::new(code(DataType::Links, level::DETAIL), l.length)
        .text(l.option, &k.option_code)
        .text(l.component, &k.component_code)
        .finish()
}

/// A basedata disallowed-combination record `D5`.
pub fn disallowed(d: &Disallowed) -> Vec<u8> {
    let l = &layouts().disallowed;
    Line::new(code(DataType::Disallowed, level::DETAIL), l.length)
        .text(l.option_a, &d.option_a)
        .text(l.option_b, &d.option_b)
        .opt_text(l.option_c, d.option_c.as_deref())
        .finish()
}
