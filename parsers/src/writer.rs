//! Writes records in the working layouts, through the same table the parsers read: for the
//! generator, the tests and anyone who writes a file for resultsday to read.

use crate::layouts::{
    codes, FieldSpec, COMPONENT, DISALLOWED, ENTRY, HEADER, LINK, OPTION, RESULT, SYLLABUS, TRAILER,
};
use crate::model::{
    Component, Disallowed, EntryOption, EntryRecord, Header, Link, ResultFlag, ResultRecord,
    Session, Syllabus,
};

/// A record being written: spaces, filled field by field.
struct Line(Vec<u8>);

impl Line {
    fn new(code: &[u8; 2], len: usize) -> Line {
        let mut buf = vec![b' '; len];
        buf[..2].copy_from_slice(code);
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

    fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.0)
    }
}

/// The header line.
pub fn header(h: &Header) -> Vec<u8> {
    let l = &HEADER;
    let mut line = Line::new(codes::HEADER, l.created_time.end());
    line.text(l.data_type, &h.data_type.letter().to_string())
        .text(l.centre, &h.centre)
        .text(l.awarding_body, &h.awarding_body)
        .text(l.series, &h.series)
        .number(l.version, Some(h.version.into()))
        .number(l.sequence, Some(h.sequence.into()));
    if let Some(c) = h.created {
        line.text(l.created_date, &c.format("%Y%m%d").to_string())
            .text(l.created_time, &c.format("%H%M").to_string());
    }
    line.finish()
}

/// The trailer line.
pub fn trailer(count: u64) -> Vec<u8> {
    Line::new(codes::TRAILER, TRAILER.count.end())
        .number(TRAILER.count, Some(count))
        .finish()
}

/// A results record.
pub fn result(r: &ResultRecord) -> Vec<u8> {
    let l = &RESULT;
    let mut line = Line::new(codes::RESULT, l.name.end());
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

/// An entries or amendments record.
pub fn entry(e: &EntryRecord) -> Vec<u8> {
    let l = &ENTRY;
    Line::new(codes::ENTRY, l.action.end())
        .text(l.centre, &e.centre)
        .text(l.candidate, &e.candidate_number)
        .text(l.uci, &e.uci)
        .opt_text(l.uln, e.uln.as_deref())
        .text(l.name, &e.name)
        .opt_text(l.sex, e.sex.map(String::from).as_deref())
        .opt_text(
            l.date_of_birth,
            e.date_of_birth
                .map(|d| d.format("%Y%m%d").to_string())
                .as_deref(),
        )
        .text(l.option, &e.option_code)
        .opt_text(
            l.action,
            e.action.map(|a| a.letter().to_string()).as_deref(),
        )
        .finish()
}

/// A basedata syllabus record.
pub fn syllabus(s: &Syllabus) -> Vec<u8> {
    let l = &SYLLABUS;
    Line::new(codes::SYLLABUS, l.discount_code.end())
        .text(l.code, &s.code)
        .text(l.title, &s.title)
        .text(l.qualification, &s.qualification)
        .number(l.level, s.level.map(u64::from))
        .opt_text(l.qan, s.qan.as_deref())
        .opt_text(l.discount_code, s.discount_code.as_deref())
        .finish()
}

/// A basedata option record.
pub fn option(o: &EntryOption) -> Vec<u8> {
    let l = &OPTION;
    Line::new(codes::OPTION, l.fee.end())
        .text(l.code, &o.code)
        .text(l.syllabus, &o.syllabus)
        .text(l.title, &o.title)
        .opt_text(l.tier, o.tier.map(String::from).as_deref())
        .opt_text(l.gradeset, o.gradeset.as_deref())
        .text(l.award_flag, if o.is_award { "Y" } else { "N" })
        .opt_text(l.cash_in, o.cash_in.as_deref())
        .number(l.fee, o.fee_pence.map(u64::from))
        .finish()
}

/// A basedata component record.
pub fn component(c: &Component) -> Vec<u8> {
    let l = &COMPONENT;
    let session = c.session.map(|s| match s {
        Session::Morning => "A",
        Session::Afternoon => "P",
    });
    Line::new(codes::COMPONENT, l.max_mark.end())
        .text(l.code, &c.code)
        .text(l.title, &c.title)
        .opt_text(
            l.exam_date,
            c.exam_date
                .map(|d| d.format("%Y%m%d").to_string())
                .as_deref(),
        )
        .opt_text(l.session, session)
        .number(l.time_allowed, c.time_allowed_min.map(u64::from))
        .number(l.max_mark, c.max_mark.map(u64::from))
        .finish()
}

/// A basedata link record.
pub fn link(k: &Link) -> Vec<u8> {
    Line::new(codes::LINK, LINK.component.end())
        .text(LINK.option, &k.option_code)
        .text(LINK.component, &k.component_code)
        .finish()
}

/// A basedata disallowed-combination record.
pub fn disallowed(d: &Disallowed) -> Vec<u8> {
    Line::new(codes::DISALLOWED, DISALLOWED.option_b.end())
        .text(DISALLOWED.option_a, &d.option_a)
        .text(DISALLOWED.option_b, &d.option_b)
        .finish()
}

/// A whole file: header, the detail lines, a trailer with their count; CRLF line ends.
pub fn file(header_line: Vec<u8>, details: impl IntoIterator<Item = Vec<u8>>) -> Vec<u8> {
    let mut out = header_line;
    out.extend_from_slice(b"\r\n");
    let mut count = 0u64;
    for d in details {
        out.extend_from_slice(&d);
        out.extend_from_slice(b"\r\n");
        count += 1;
    }
    out.extend_from_slice(&trailer(count));
    out.extend_from_slice(b"\r\n");
    out
}
