//! The detail records of an EDI file: each line read through its record type's layout, in
//! parallel chunks for a large file, with the problems of every line.

use rayon::prelude::*;

use super::{cap, extra_text};
use crate::field::FieldReader;
use crate::layouts::{Layouts, RECORD_TYPE};
use crate::model::{DataType, Records};
use crate::problem::{show_bytes, Problem, ProblemKind};
use crate::records;

/// Files with more detail lines than this are parsed in parallel chunks.
const PARALLEL_LINES: usize = 16 * 1024;
const CHUNK_LINES: usize = 8 * 1024;

pub(super) struct DetailContext<'c> {
    pub data_type: DataType,
    pub layouts: &'c Layouts,
    pub record_len: Option<usize>,
    pub check_centre: bool,
    /// Two-digit years above this year's last two digits are of the 1900s (dates of birth).
    pub pivot_year: i32,
    pub version: u16,
}

/// A detail line: its 1-based number, its bytes and its block's centre.
type DetailLine<'a> = (usize, &'a [u8], Option<&'a str>);

/// The detail records, their problems (at most `MAX_PROBLEMS`), and how many more problems
/// were found and not kept.
pub(super) fn parse_details(
    lines: &[DetailLine],
    ctx: &DetailContext,
) -> (Records, Vec<Problem>, usize) {
    if lines.len() < PARALLEL_LINES {
        return parse_chunk(lines, ctx);
    }
    let parts: Vec<(Records, Vec<Problem>, usize)> = lines
        .par_chunks(CHUNK_LINES)
        .map(|chunk| parse_chunk(chunk, ctx))
        .collect();
    let mut records = Records::None;
    let mut problems = Vec::new();
    let mut not_kept = 0;
    for (r, p, n) in parts {
        append(&mut records, r);
        problems.extend(p);
        not_kept += n + cap(&mut problems);
    }
    (records, problems, not_kept)
}

fn append(into: &mut Records, from: Records) {
    match (into, from) {
        (Records::Results(a), Records::Results(b)) => a.extend(b),
        (Records::Entries(a), Records::Entries(b)) => a.extend(b),
        (Records::Syllabuses(a), Records::Syllabuses(b)) => a.extend(b),
        (Records::Options(a), Records::Options(b)) => a.extend(b),
        (Records::Components(a), Records::Components(b)) => a.extend(b),
        (Records::Links(a), Records::Links(b)) => a.extend(b),
        (Records::Disallowed(a), Records::Disallowed(b)) => a.extend(b),
        (into @ Records::None, from) => *into = from,
        (_, _) => {}
    }
}

fn parse_chunk(lines: &[DetailLine], ctx: &DetailContext) -> (Records, Vec<Problem>, usize) {
    let mut problems = Vec::new();
    let mut not_kept = 0;
    let mut records = match ctx.data_type {
        DataType::Results => Records::Results(Vec::with_capacity(lines.len())),
        DataType::Entries | DataType::Amendments => {
            Records::Entries(Vec::with_capacity(lines.len() * 4))
        }
        DataType::Syllabuses => Records::Syllabuses(Vec::new()),
        DataType::Options => Records::Options(Vec::new()),
        DataType::Components => Records::Components(Vec::new()),
        DataType::Links => Records::Links(Vec::new()),
        DataType::Disallowed => Records::Disallowed(Vec::new()),
        _ => Records::None,
    };
    let Some(code) = ctx.data_type.detail_code() else {
        return (records, problems, not_kept);
    };
    let l = ctx.layouts;
    // Version 12 writes `O5` records two bytes longer.
    let record_len = match (ctx.data_type, ctx.version) {
        (DataType::Options, 12) => ctx.record_len.map(|n| n + 2),
        _ => ctx.record_len,
    };
    for &(line_no, line, block_centre) in lines {
        not_kept += cap(&mut problems);
        let found = RECORD_TYPE.slice(line);
        if !found.eq_ignore_ascii_case(&code) {
            problems.push(unknown_record_type(found, &code, ctx.data_type, line_no));
            continue;
        }
        let mut r = FieldReader::new(line, line_no, &mut problems);
        let centre_field = match &mut records {
            Records::Results(v) => records::result(&mut r, &l.result).map(|x| {
                let c = (x.centre.clone(), l.result.centre);
                v.push(x);
                c
            }),
            Records::Entries(v) => {
                let before = v.len();
                records::entry(
                    &mut r,
                    &l.entry,
                    ctx.data_type == DataType::Amendments,
                    ctx.pivot_year,
                    v,
                );
                v.get(before).map(|x| (x.centre.clone(), l.entry.centre))
            }
            Records::Syllabuses(v) => {
                v.extend(records::syllabus(&mut r, &l.syllabus));
                None
            }
            Records::Options(v) => {
                v.extend(records::option(&mut r, &l.option));
                None
            }
            Records::Components(v) => {
                v.extend(records::component(&mut r, &l.component));
                None
            }
            Records::Links(v) => {
                v.extend(records::link(&mut r, &l.link));
                None
            }
            Records::Disallowed(v) => {
                v.extend(records::disallowed(&mut r, &l.disallowed));
                None
            }
            Records::UnitLinks(_) | Records::None => None,
        };
        extra_text(line, record_len, &mut r);
        if let (true, Some((centre, spec)), Some(file_centre)) =
            (ctx.check_centre, centre_field, block_centre)
        {
            if centre != file_centre {
                r.report(
                    ProblemKind::CentreMismatch,
                    &spec,
                    format!(
                        "the record is for centre {centre} but its block (and file) is centre \
                         {file_centre}"
                    ),
                );
            }
        }
    }
    not_kept += cap(&mut problems);
    (records, problems, not_kept)
}

fn unknown_record_type(
    found: &[u8],
    code: &[u8; 2],
    data_type: DataType,
    line_no: usize,
) -> Problem {
    let what = match found {
        [_, b'1'] => "a second file header".to_string(),
        [] => "an empty line".to_string(),
        b"  " | b" " => "a line of spaces".to_string(),
        _ => format!("record type {}", show_bytes(found)),
    };
    Problem::new(
        ProblemKind::MalformedRecord,
        Some(line_no),
        format!(
            "{what} where a {} file has '{}' detail records; line not read",
            data_type.describe(),
            String::from_utf8_lossy(code)
        ),
    )
    .at_field(RECORD_TYPE.name)
}
