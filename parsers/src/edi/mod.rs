//! A whole EDI file: its file header, each centre's block of detail records, the trailers and
//! their counts, and every problem found on the way.
//!
//! The structure (spec/layouts.md §1): `x1` file header; for each centre (in basedata, the one
//! series block) `x3`, its `x5` details, `x7`; then `x9`. `x` is the data-type letter.

use crate::filename::{FileName, FileNameKind};
use crate::layouts::{level, Layouts, FORMAT_VERSION, READ_AS_14, RECORD_TYPE};
use crate::model::{CentreBlock, DataType, Header, Records, Trailer};
use crate::problem::{count, show_bytes, NotText, Problem, ProblemKind};
use crate::records;

mod details;
mod lines;
mod structure;

#[cfg(test)]
mod tests;

use details::{parse_details, DetailContext};
pub(crate) use lines::extra_text;
use lines::is_level;
pub use lines::{looks_like_edi, split_lines, MAX_LINE_BYTES};
use structure::{
    block_count_problem, centre_header, centre_trailer, check_block_against_header,
    check_header_against_name, file_count_problems, finish_header, header, missing_block_trailer,
    trailer,
};

/// An EDI file as read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EdiFile {
    pub header: Option<Header>,
    pub trailer: Option<Trailer>,
    /// The centre blocks, in file order.
    pub centres: Vec<CentreBlock>,
    /// The file's data type: the header's, or the file name's when the header is unreadable.
    pub data_type: Option<DataType>,
    pub records: Records,
    /// Detail lines (every line that is not a header or trailer), malformed ones included.
    pub detail_lines: usize,
    /// Every line of the file, as the trailer counts them.
    pub lines: usize,
    pub problems: Vec<Problem>,
}

impl EdiFile {
    /// Detail lines that could not be used as records.
    pub fn unreadable_lines(&self) -> usize {
        self.detail_lines.saturating_sub(self.records.len())
    }

    /// The file's centre number: the header's.
    pub fn centre(&self) -> Option<&str> {
        self.header.as_ref().map(|h| h.centre.as_str())
    }
}

/// The most problems listed for one file. A file with more is not in the layout resultsday reads
/// (or not an EDI file at all); listing every line of it would bury the problems that matter.
pub const MAX_PROBLEMS: usize = 1000;

/// Parses an EDI file's bytes with the built-in layout table. `name` (the recognised file name,
/// if any) lets the header be checked against it and stands in for an unreadable header.
pub fn parse_edi(bytes: &[u8], name: Option<&FileName>) -> EdiFile {
    parse_edi_with(bytes, name, Layouts::builtin())
}

/// Parses an EDI file's bytes through `layouts`.
pub fn parse_edi_with(bytes: &[u8], name: Option<&FileName>, layouts: &Layouts) -> EdiFile {
    let mut file = EdiFile::default();
    let mut bytes = bytes;
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        file.problems.push(Problem::new(
            ProblemKind::ExtraText,
            Some(1),
            "the file starts with a UTF-8 byte-order mark, which EDI files do not have; skipped",
        ));
        bytes = rest;
    }
    let name_type = name.map(FileName::data_type);
    let lines = split_lines(bytes);
    file.lines = lines.len();
    if name_type == Some(DataType::UnitLinks) {
        file.data_type = name_type;
        file.detail_lines = lines.len();
        let (records, problems, not_listed) = records::unit_links(&lines);
        file.records = records;
        file.problems.extend(problems);
        limit_problems(&mut file.problems, not_listed);
        return file;
    }
    let not_text = if looks_like_edi(bytes) {
        None
    } else {
        NotText::sniff(bytes)
    };
    // The data-type letter: the file name's, else the first line's.
    let letter = name_type
        .and_then(|t| t.detail_code())
        .map(|c| c[0])
        .or_else(|| lines.first().filter(|l| is_level(l, b'1')).map(|l| l[0]))
        .map(|c| c.to_ascii_uppercase());
    let expected_header = || match letter {
        Some(l) => format!("a file header record '{}1'", l as char),
        None => "a file header record (the data-type letter and '1', such as 'R1')".to_string(),
    };
    // Nothing to read line by line: one problem says why, and the trailer is missing.
    if lines.is_empty() || not_text.is_some() {
        return unreadable(file, bytes, &lines, not_text, &expected_header(), name_type);
    }

    // File header.
    let name_letter = letter.unwrap_or(b'?');
    // The records are read as the header's type, when there is a header: its letter decides
    // the record length and the codes of the blocks.
    let letter = if is_level(lines[0], level::FILE_HEADER) {
        lines[0][0].to_ascii_uppercase()
    } else {
        name_letter
    };
    let show_code = |lvl: u8| format!("'{}{}'", letter as char, lvl as char);
    let record_len = layouts.record_len(letter);
    let mut first = 0;
    if is_level(lines[0], level::FILE_HEADER) {
        first = 1;
        if letter != name_letter && name.is_some() {
            file.problems.push(
                Problem::new(
                    ProblemKind::HeaderMismatch,
                    Some(1),
                    format!(
                        "the file header is {} but the file name says '{}1' (a {} file)",
                        show_bytes(&lines[0][..2]),
                        name_letter as char,
                        name_type.map_or("", DataType::describe)
                    ),
                )
                .at_field(RECORD_TYPE.name),
            );
        }
        file.header = header(lines[0], layouts, record_len, &mut file.problems);
    } else {
        file.problems.push(
            Problem::new(
                ProblemKind::MalformedRecord,
                Some(1),
                format!(
                    "expected {} on the first line, found {}{}",
                    expected_header(),
                    show_bytes(&lines[0][..lines[0].len().min(20)]),
                    if is_level(lines[0], level::FILE_TRAILER) {
                        ", a file trailer: the file has no header"
                    } else {
                        ""
                    }
                ),
            )
            .at_field(RECORD_TYPE.name),
        );
    }
    let version = file.header.as_ref().map_or(FORMAT_VERSION, |h| h.version);
    // Version 12 counts detail records only; 13 and 14 count every record.
    let counts_headers = version != 12;

    // Blocks, details and trailers.
    let mut details: Vec<usize> = Vec::with_capacity(lines.len());
    let mut detail_block: Vec<u32> = Vec::with_capacity(lines.len());
    let mut open: Option<usize> = None;
    let mut orphans_reported = false;
    let mut end = lines.len();
    let mut trailer_found = false;
    for (i, &line) in lines.iter().enumerate().skip(first) {
        let line_no = i + 1;
        if is_level(line, level::FILE_TRAILER) {
            if let Some(b) = open.take() {
                file.problems
                    .push(missing_block_trailer(&file.centres[b], &show_code, line_no));
            }
            file.trailer = trailer(line, line_no, layouts, record_len, &mut file.problems);
            end = i + 1;
            trailer_found = true;
            break;
        }
        if is_level(line, level::CENTRE_HEADER) {
            if let Some(b) = open.take() {
                file.problems
                    .push(missing_block_trailer(&file.centres[b], &show_code, line_no));
            }
            file.centres.push(centre_header(
                line,
                line_no,
                layouts,
                record_len,
                &mut file.problems,
            ));
            open = Some(file.centres.len() - 1);
            continue;
        }
        if is_level(line, level::CENTRE_TRAILER) {
            match open.take() {
                Some(b) => {
                    let t = centre_trailer(line, line_no, layouts, record_len, &mut file.problems);
                    let block = &mut file.centres[b];
                    if let Some(problem) = t
                        .as_ref()
                        .and_then(|t| block_count_problem(block, t, counts_headers, layouts))
                    {
                        file.problems.push(problem);
                    }
                    block.trailer = t;
                }
                None => file.problems.push(
                    Problem::new(
                        ProblemKind::MalformedRecord,
                        Some(line_no),
                        format!(
                            "a centre trailer {} with no centre header {} before it; line not \
                             read",
                            show_code(level::CENTRE_TRAILER),
                            show_code(level::CENTRE_HEADER)
                        ),
                    )
                    .at_field(RECORD_TYPE.name),
                ),
            }
            continue;
        }
        // A detail line (or a line that is meant to be one).
        if open.is_none() && !orphans_reported {
            orphans_reported = true;
            file.problems.push(
                Problem::new(
                    ProblemKind::HeaderMismatch,
                    Some(line_no),
                    format!(
                        "detail lines with no centre header {} before them; they are still read",
                        show_code(level::CENTRE_HEADER)
                    ),
                )
                .at_field(RECORD_TYPE.name),
            );
        }
        if let Some(b) = open {
            file.centres[b].detail_lines += 1;
        }
        details.push(i);
        detail_block.push(open.map_or(u32::MAX, |b| b as u32));
    }
    if let Some(b) = open.take() {
        let block = &file.centres[b];
        let message = format!(
            "no centre trailer {} for centre {}'s block (from line {}): the file may have been \
             cut short",
            show_code(level::CENTRE_TRAILER),
            block.centre,
            block.line
        );
        file.problems
            .push(Problem::new(ProblemKind::TrailerMismatch, None, message));
    }
    file.detail_lines = details.len();
    match &file.trailer {
        Some(t) => {
            let covered = if counts_headers { end } else { details.len() };
            let basedata = letter_type(letter).is_some_and(DataType::is_basedata);
            let blocks = file.centres.len();
            file.problems.extend(file_count_problems(
                t,
                covered,
                counts_headers,
                blocks,
                basedata,
                layouts,
            ));
        }
        // A file trailer whose count cannot be read has said so on its own line.
        None if trailer_found => {}
        None => file.problems.push(Problem::new(
            ProblemKind::TrailerMismatch,
            None,
            format!(
                "no file trailer {}: the last line (line {}) is not one, so the file may have \
                 been cut short; {}",
                show_code(level::FILE_TRAILER),
                lines.len(),
                match details.len() {
                    0 => "it has no detail lines".to_string(),
                    1 => "its 1 detail line is still read".to_string(),
                    n => format!("its {n} detail lines are still read"),
                }
            ),
        )),
    }

    // Lines after the file trailer: after its count, so that the limit on problems never drops
    // the count's.
    for (i, &line) in lines.iter().enumerate().skip(end) {
        file.problems.push(
            Problem::new(
                ProblemKind::MalformedRecord,
                Some(i + 1),
                format!(
                    "{} after the file trailer (line {end}); line not read",
                    show_bytes(&line[..line.len().min(20)])
                ),
            )
            .at_field(RECORD_TYPE.name),
        );
    }

    if let (Some(h), Some(n)) = (&file.header, name) {
        check_header_against_name(h, n, &mut file.problems);
    }
    finish_header(&mut file, name);
    if let Some(h) = &file.header {
        for block in &file.centres {
            check_block_against_header(block, h, letter_type(letter), &mut file.problems);
        }
    }
    file.data_type = file
        .header
        .as_ref()
        .map(|h| h.data_type)
        .filter(|t| t.detail_code().is_some())
        .or(name_type)
        .or(file.header.as_ref().map(|h| h.data_type));

    if let Some(h) = &file.header {
        if h.version != FORMAT_VERSION && !READ_AS_14.contains(&h.version) {
            // With the header's other problems, so that the limit on problems never drops it.
            let at = file
                .problems
                .iter()
                .position(|p| p.line.is_none_or(|l| l > 1))
                .unwrap_or(file.problems.len());
            file.problems.insert(
                at,
                Problem::new(
                    ProblemKind::UnsupportedVersion,
                    Some(1),
                    format!(
                        "format version {:02}: resultsday has the layout of version \
                         {FORMAT_VERSION} (and reads 12 and 13 as 14), so its {} not read",
                        h.version,
                        count(details.len(), "detail line was", "detail lines were")
                    ),
                )
                .at_field(layouts.file_header.version.name),
            );
            limit_problems(&mut file.problems, 0);
            return file;
        }
    }

    let Some(data_type) = file.data_type else {
        limit_problems(&mut file.problems, 0);
        return file;
    };
    let centre =
        file.header
            .as_ref()
            .map(|h| h.centre.clone())
            .or_else(|| match name.map(|n| &n.kind) {
                Some(FileNameKind::Edi {
                    centre_or_series, ..
                }) if !data_type.is_basedata() => Some(centre_or_series.clone()),
                _ => None,
            });
    let block_centres: Vec<&str> = file.centres.iter().map(|b| b.centre.as_str()).collect();
    let detail_refs: Vec<(usize, &[u8], Option<&str>)> = details
        .iter()
        .zip(&detail_block)
        .map(|(&i, &b)| {
            let centre = block_centres.get(b as usize).copied().or(centre.as_deref());
            (i + 1, lines[i], centre)
        })
        .collect();
    let ctx = DetailContext {
        data_type,
        layouts,
        record_len,
        // A record's centre is checked against its block's centre in a centre's file.
        check_centre: !data_type.is_basedata(),
        pivot_year: file
            .header
            .as_ref()
            .and_then(|h| h.series.get(2..4))
            .and_then(|y| y.parse::<i32>().ok())
            .map_or(2099, |y| 2000 + y),
        version,
    };
    let (records, problems, not_listed) = parse_details(&detail_refs, &ctx);
    file.records = records;
    // Before the details' problems, so that the limit never drops it: a file in another layout
    // is the likeliest cause of a great many problems.
    let detail_lines: Vec<&[u8]> = detail_refs.iter().map(|d| d.1).collect();
    file.problems.extend(crate::calibrate::check_uci_column(
        data_type,
        layouts,
        &detail_lines,
        detail_refs.first().map_or(0, |d| d.0 - 1),
    ));
    file.problems.extend(problems);
    limit_problems(&mut file.problems, not_listed);
    file
}

fn letter_type(letter: u8) -> Option<DataType> {
    letter
        .is_ascii_alphabetic()
        .then(|| DataType::from_letter(letter as char))
}

/// Keeps the first `MAX_PROBLEMS` problems and, when any were left out (`not_listed` already,
/// and those over the limit now), says how many.
fn limit_problems(problems: &mut Vec<Problem>, not_listed: usize) {
    let not_listed = not_listed + cap(problems);
    if not_listed > 0 {
        problems.push(Problem::new(
            ProblemKind::LimitExceeded,
            None,
            format!(
                "{not_listed} more problems are not listed: resultsday lists at most \
                 {MAX_PROBLEMS} problems for one file, and a file with this many is probably \
                 not an EDI file in the layout resultsday reads"
            ),
        ));
    }
}

/// Keeps the first `MAX_PROBLEMS` problems; returns how many were dropped.
pub(crate) fn cap(problems: &mut Vec<Problem>) -> usize {
    let over = problems.len().saturating_sub(MAX_PROBLEMS);
    problems.truncate(MAX_PROBLEMS);
    over
}

/// A file with nothing to read line by line (no lines, or bytes that are not text): one problem
/// says why, and another that there is no file trailer, unless the last line is one.
fn unreadable(
    mut file: EdiFile,
    bytes: &[u8],
    lines: &[&[u8]],
    not_text: Option<NotText>,
    expected_header: &str,
    name_type: Option<DataType>,
) -> EdiFile {
    let (problem, what) = match not_text {
        Some(not_text) => (
            not_text.message(
                "an EDI file",
                &format!("{expected_header} on the first line"),
            ),
            "the file is not text",
        ),
        None => {
            let what = if bytes.iter().any(|&b| b == b' ' || b == b'\t') {
                "the file holds only spaces and empty lines"
            } else {
                "the file is empty"
            };
            (
                format!(
                    "{what}: expected {}, centre blocks of detail records and a file \
                     trailer",
                    expected_header
                ),
                what,
            )
        }
    };
    file.data_type = name_type;
    let has_trailer = lines
        .last()
        .is_some_and(|l| is_level(l, level::FILE_TRAILER));
    file.detail_lines = lines.len() - usize::from(has_trailer);
    file.problems
        .push(Problem::new(ProblemKind::MalformedRecord, None, problem));
    if !has_trailer {
        file.problems.push(Problem::new(
            ProblemKind::TrailerMismatch,
            None,
            format!("no file trailer ({what})"),
        ));
    }
    file
}
