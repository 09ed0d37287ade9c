//! A whole EDI file: its file header, each centre's block of detail records, the trailers and
//! their counts, and every problem found on the way.
//!
//! The structure (spec/layouts.md §1): `x1` file header; for each centre (in basedata, the one
//! series block) `x3`, its `x5` details, `x7`; then `x9`. `x` is the data-type letter.

use chrono::{NaiveDate, NaiveDateTime};
use rayon::prelude::*;

use crate::field::FieldReader;
use crate::filename::{FileName, FileNameKind};
use crate::layouts::{self, level, FieldSpec, Layouts, FORMAT_VERSION, READ_AS_14, RECORD_TYPE};
use crate::model::{BlockTrailer, CentreBlock, DataType, Header, Records, Trailer};
use crate::problem::{count, show_bytes, NotText, Problem, ProblemKind};
use crate::records;

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

/// Files with more detail lines than this are parsed in parallel chunks.
const PARALLEL_LINES: usize = 16 * 1024;
const CHUNK_LINES: usize = 8 * 1024;

/// The longest line read as it stands. A record is at most 192 bytes and text after the layout
/// is only a warning, but a line longer than this is an error: it is what a file whose line ends
/// were lost looks like, its records run together on one line.
pub const MAX_LINE_BYTES: usize = 1024;

/// The most problems listed for one file. A file with more is not in the layout resultsday reads
/// (or not an EDI file at all); listing every line of it would bury the problems that matter.
pub const MAX_PROBLEMS: usize = 1000;

/// Parses an EDI file's bytes with the built-in layout table. `name` (the recognised file name,
/// if any) lets the header be checked against it and stands in for an unreadable header.
pub fn parse_edi(bytes: &[u8], name: Option<&FileName>) -> EdiFile {
    parse_edi_with(bytes, name, Layouts::builtin())
}

/// Whether a line is a record of level `digit` (`O1`, `R3`, ...), of any data-type letter.
fn is_level(line: &[u8], digit: u8) -> bool {
    line.len() >= 2 && line[0].is_ascii_alphabetic() && line[1] == digit
}

/// Whether the bytes start like an EDI file: a letter and the file-header level digit.
pub fn looks_like_edi(bytes: &[u8]) -> bool {
    is_level(bytes, level::FILE_HEADER)
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
    if lines.is_empty() || not_text.is_some() {
        // Nothing to read line by line: one problem says why, and the trailer is missing.
        let (problem, what) = match not_text {
            Some(not_text) => (
                not_text.message(
                    "an EDI file",
                    &format!("{} on the first line", expected_header()),
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
                        expected_header()
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
        return file;
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
                    if let Some(t) = &t {
                        let covered =
                            block.detail_lines as u64 + if counts_headers { 2 } else { 0 };
                        if t.count != covered {
                            file.problems.push(
                                Problem::new(
                                    ProblemKind::TrailerMismatch,
                                    Some(line_no),
                                    format!(
                                        "the centre trailer counts {} but centre {}'s block \
                                         (lines {}–{line_no}) has {}",
                                        count(t.count as usize, "record", "records"),
                                        block.centre,
                                        block.line,
                                        count(
                                            covered as usize,
                                            if counts_headers {
                                                "record, its header and trailer included"
                                            } else {
                                                "detail record"
                                            },
                                            if counts_headers {
                                                "records, its header and trailer included"
                                            } else {
                                                "detail records"
                                            },
                                        )
                                    ),
                                )
                                .at_field(layouts.centre_trailer.count.name),
                            );
                        }
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
            let covered = covered as u64;
            if t.count != covered {
                file.problems.push(
                    Problem::new(
                        ProblemKind::TrailerMismatch,
                        Some(t.line),
                        format!(
                            "the file trailer counts {} but the file has {}",
                            count(t.count as usize, "record", "records"),
                            count(
                                covered as usize,
                                if counts_headers {
                                    "record up to it, headers and trailers included"
                                } else {
                                    "detail record"
                                },
                                if counts_headers {
                                    "records up to it, headers and trailers included"
                                } else {
                                    "detail records"
                                },
                            )
                        ),
                    )
                    .at_field(layouts.file_trailer.count.name),
                );
            }
            let blocks = file.centres.len() as u64;
            let basedata = letter_type(letter).is_some_and(DataType::is_basedata);
            let centres_ok = match t.centres {
                None => true,
                Some(n) if basedata => n <= 1 && blocks <= 1,
                Some(n) => n == blocks,
            };
            if !centres_ok {
                file.problems.push(
                    Problem::new(
                        ProblemKind::TrailerMismatch,
                        Some(t.line),
                        format!(
                            "the file trailer says {} but the file has {}",
                            count(
                                t.centres.unwrap_or(0) as usize,
                                "centre block",
                                "centre blocks"
                            ),
                            count(blocks as usize, "centre block", "centre blocks")
                        ),
                    )
                    .at_field(layouts.file_trailer.centres.name),
                );
            }
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

fn missing_block_trailer(
    block: &CentreBlock,
    show_code: &dyn Fn(u8) -> String,
    line_no: usize,
) -> Problem {
    Problem::new(
        ProblemKind::TrailerMismatch,
        Some(line_no),
        format!(
            "no centre trailer {} for centre {}'s block (from line {}) before line {line_no}",
            show_code(level::CENTRE_TRAILER),
            block.centre,
            block.line
        ),
    )
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
fn cap(problems: &mut Vec<Problem>) -> usize {
    let over = problems.len().saturating_sub(MAX_PROBLEMS);
    problems.truncate(MAX_PROBLEMS);
    over
}

/// Splits into lines on LF, dropping a CR before it; a final 0x1A, and empty lines or lines of
/// spaces at the end, are ignored.
pub fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], b'\n' | b'\r' | 0x1A) {
        end -= 1;
    }
    let bytes = &bytes[..end];
    if bytes.is_empty() {
        return Vec::new();
    }
    let mut lines = Vec::with_capacity(bytes.len() / 64 + 1);
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', bytes) {
        lines.push(strip_cr(&bytes[start..nl]));
        start = nl + 1;
    }
    lines.push(strip_cr(&bytes[start..]));
    while lines
        .last()
        .is_some_and(|l| l.iter().all(|&b| b == b' ' || b == b'\t'))
    {
        lines.pop();
    }
    lines
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The series code of the project from a record's series and year fields: `6b` + `17` → `6B17`.
fn series_code(series: &str, year: Option<u16>) -> String {
    match year {
        Some(y) => format!("{}{:02}", series.to_ascii_uppercase(), y % 100),
        None => series.to_ascii_uppercase(),
    }
}

fn header(
    line: &[u8],
    layouts: &Layouts,
    record_len: Option<usize>,
    problems: &mut Vec<Problem>,
) -> Option<Header> {
    let h = &layouts.file_header;
    let mut r = FieldReader::new(line, 1, problems);
    let centre = r.key_text(&h.centre);
    let awarding_body = r.key_text(&h.awarding_body);
    let series = r.key_text(&h.series);
    let year = r.number::<u16>(&h.year);
    let distribution = r.text(&h.distribution).and_then(|t| t.chars().next());
    let sender = r.text_or_empty(&h.sender);
    let version = r.number(&h.version);
    extra_text(line, record_len, &mut r);
    if version.is_none() {
        r.report(
            ProblemKind::MalformedRecord,
            &h.version,
            format!("the header has no format version; read as version {FORMAT_VERSION}"),
        );
    }
    if !r.usable() {
        return None;
    }
    Some(Header {
        data_type: DataType::from_letter(line[0] as char),
        centre,
        awarding_body,
        series: series_code(&series, year),
        distribution,
        sender,
        version: version.unwrap_or(FORMAT_VERSION),
        sequence: 0,
        created: None,
    })
}

fn centre_header(
    line: &[u8],
    line_no: usize,
    layouts: &Layouts,
    record_len: Option<usize>,
    problems: &mut Vec<Problem>,
) -> CentreBlock {
    let h = &layouts.centre_header;
    let mut r = FieldReader::new(line, line_no, problems);
    let centre = r.text_or_empty(&h.centre);
    let awarding_body = r.text_or_empty(&h.awarding_body);
    // Version 12 writes `_` then the sequence (`_001`) where 14 writes it in three digits.
    let raw = r.raw(&h.sequence);
    let shift = usize::from(raw.first() == Some(&b'_'));
    let sequence = r.number(&FieldSpec {
        start: h.sequence.start + shift,
        ..h.sequence
    });
    let postcode = r.text(&FieldSpec {
        start: h.postcode.start + shift,
        len: h.postcode.len.saturating_sub(shift).max(1),
        ..h.postcode
    });
    extra_text(line, record_len, &mut r);
    CentreBlock {
        line: line_no,
        centre,
        awarding_body,
        sequence,
        postcode,
        detail_lines: 0,
        trailer: None,
    }
}

fn centre_trailer(
    line: &[u8],
    line_no: usize,
    layouts: &Layouts,
    record_len: Option<usize>,
    problems: &mut Vec<Problem>,
) -> Option<BlockTrailer> {
    let t = &layouts.centre_trailer;
    let mut r = FieldReader::new(line, line_no, problems);
    let count = r.number::<u64>(&t.count);
    let date = r.date_ddmmyy(&t.date, 2099);
    extra_text(line, record_len, &mut r);
    if count.is_none() && r.raw(&t.count).iter().all(|&b| b == b' ') {
        r.report(
            ProblemKind::TrailerMismatch,
            &t.count,
            "the centre trailer has no record count".into(),
        );
    }
    count.map(|count| BlockTrailer {
        line: line_no,
        count,
        date,
    })
}

fn trailer(
    line: &[u8],
    line_no: usize,
    layouts: &Layouts,
    record_len: Option<usize>,
    problems: &mut Vec<Problem>,
) -> Option<Trailer> {
    let t = &layouts.file_trailer;
    let mut r = FieldReader::new(line, line_no, problems);
    let count = r.number::<u64>(&t.count);
    let centres = r.number::<u64>(&t.centres);
    extra_text(line, record_len, &mut r);
    if count.is_none() && r.raw(&t.count).iter().all(|&b| b == b' ') {
        r.report(
            ProblemKind::TrailerMismatch,
            &t.count,
            "the file trailer has no record count".into(),
        );
    }
    count.map(|count| Trailer {
        line: line_no,
        count,
        centres,
    })
}

/// Reports the text after a record's layout ends (kept in the message, not read): a warning, or
/// an error when the line is over `MAX_LINE_BYTES` or holds a carriage return, as a file whose
/// line ends were lost does.
pub(crate) fn extra_text(line: &[u8], len: Option<usize>, r: &mut FieldReader) {
    let Some(len) = len else { return };
    if line.len() <= len {
        return;
    }
    let tail = &line[len..];
    let too_long = line.len() > MAX_LINE_BYTES;
    if !too_long && tail.iter().all(|&b| b == b' ') {
        return;
    }
    let spec = FieldSpec {
        name: "after the record",
        start: len + 1,
        len: tail.len(),
        kind: layouts::FieldKind::Unused,
    };
    let not_read = format!(
        "{} after byte {len}, where the record's layout ends, {} not read: {}",
        count(tail.len(), "byte", "bytes"),
        if tail.len() == 1 { "is" } else { "are" },
        show_bytes(tail)
    );
    let cr = if tail.contains(&b'\r') {
        "; the line holds a carriage return (CR) with no line feed after it, so the file's lines \
         may end in CR alone, which is not a line end in an EDI file: ask the board for the file \
         again"
    } else {
        ""
    };
    if too_long {
        let message = format!(
            "the line is {} bytes long, over the limit of {MAX_LINE_BYTES} bytes for one line \
             (the record's layout is {len} bytes): {not_read}{cr}",
            line.len()
        );
        r.report(ProblemKind::LimitExceeded, &spec, message);
    } else if !cr.is_empty() {
        r.report(
            ProblemKind::MalformedRecord,
            &spec,
            format!("{not_read}{cr}"),
        );
    } else {
        r.report(ProblemKind::ExtraText, &spec, not_read);
    }
}

pub(crate) struct DetailContext<'c> {
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
fn parse_details(lines: &[DetailLine], ctx: &DetailContext) -> (Records, Vec<Problem>, usize) {
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

/// Compares a centre block's header with the file header: the block wins for its records.
fn check_block_against_header(
    block: &CentreBlock,
    header: &Header,
    data_type: Option<DataType>,
    problems: &mut Vec<Problem>,
) {
    let basedata = data_type.is_some_and(DataType::is_basedata);
    // Basedata may write `00000` for the series block (OCR's link file, Cambridge).
    let centre_differs = !block.centre.eq_ignore_ascii_case(&header.centre)
        && !(basedata && (block.centre == "00000" || header.centre == "00000"));
    if centre_differs && basedata {
        problems.push(
            Problem::new(
                ProblemKind::HeaderMismatch,
                Some(block.line),
                format!(
                    "the series block says '{}' but the file header says '{}'",
                    block.centre, header.centre
                ),
            )
            .at_field("centre number"),
        );
    }
    if !block.awarding_body.is_empty()
        && !block
            .awarding_body
            .eq_ignore_ascii_case(&header.awarding_body)
    {
        problems.push(
            Problem::new(
                ProblemKind::HeaderMismatch,
                Some(block.line),
                format!(
                    "the centre header says awarding body '{}' but the file header says '{}'",
                    block.awarding_body, header.awarding_body
                ),
            )
            .at_field("awarding body id"),
        );
    }
}

/// Compares the header with what the file name says; the header wins for the data.
pub fn check_header_against_name(header: &Header, name: &FileName, problems: &mut Vec<Problem>) {
    let FileNameKind::Edi {
        data_type,
        centre_or_series,
        awarding_body,
        sequence: _,
    } = &name.kind
    else {
        return;
    };
    let mut differ = |field: &'static str, in_header: String, in_name: String| {
        problems.push(
            Problem::new(
                ProblemKind::HeaderMismatch,
                Some(1),
                format!(
                    "the header says {field} '{in_header}' but the file name says '{in_name}'; \
                     the header is used"
                ),
            )
            .at_field(field),
        );
    };
    if header.data_type != *data_type {
        differ(
            "data type",
            header.data_type.letter().to_string(),
            data_type.letter().to_string(),
        );
    }
    if data_type.is_basedata() {
        let name_series = centre_or_series.get(..4).unwrap_or(centre_or_series);
        if !header.series.eq_ignore_ascii_case(name_series) {
            differ("series", header.series.clone(), name_series.to_string());
        }
    } else if header.centre != *centre_or_series {
        differ(
            "centre number",
            header.centre.clone(),
            centre_or_series.clone(),
        );
    }
    if !header.awarding_body.eq_ignore_ascii_case(awarding_body) {
        differ(
            "awarding body id",
            header.awarding_body.clone(),
            awarding_body.clone(),
        );
    }
}

/// Fills in what the file header takes from its first centre block (the sequence number and
/// the date), and compares the sequence with the file name's.
pub(crate) fn finish_header(file: &mut EdiFile, name: Option<&FileName>) {
    let Some(h) = file.header.as_mut() else {
        return;
    };
    if let Some(b) = file.centres.first() {
        h.sequence = b.sequence.unwrap_or(0);
        h.created = b
            .trailer
            .as_ref()
            .and_then(|t| t.date)
            .map(|d: NaiveDate| NaiveDateTime::new(d, Default::default()));
    }
    let Some(FileNameKind::Edi {
        sequence,
        data_type,
        ..
    }) = name.map(|n| &n.kind)
    else {
        return;
    };
    let Some(block) = file.centres.first() else {
        return;
    };
    let Some(seq) = block.sequence else { return };
    if seq % 100 != u16::from(*sequence) {
        let why = if data_type.is_basedata() {
            "; for basedata the file name's number orders the versions"
        } else {
            "; the header is used"
        };
        file.problems.push(
            Problem::new(
                ProblemKind::HeaderMismatch,
                Some(block.line),
                format!(
                    "the centre header says sequence number '{seq:03}' but the file name says \
                     '.X{sequence:02}'{why}"
                ),
            )
            .at_field("sequence number"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_crlf_or_lf_and_the_end_is_ignored() {
        assert_eq!(split_lines(b"O1\r\nO3\nO9\r\n"), [&b"O1"[..], b"O3", b"O9"]);
        // A final 0x1A, empty lines and lines of spaces at the end are not lines.
        assert_eq!(
            split_lines(b"O1\r\nO9\r\n\r\n   \r\n\t\n\x1A"),
            [&b"O1"[..], b"O9"]
        );
        // An empty line inside the file is a line.
        assert_eq!(split_lines(b"O1\n\nO9"), [&b"O1"[..], b"", b"O9"]);
        // A lone CR is not a line end.
        assert_eq!(split_lines(b"O1\rO9"), [&b"O1\rO9"[..]]);
        assert!(split_lines(b"\r\n\x1A").is_empty());
    }

    #[test]
    fn record_levels_are_a_letter_and_a_digit() {
        assert!(looks_like_edi(b"O16G17_70"));
        assert!(looks_like_edi(b"r1"));
        assert!(!looks_like_edi(b"HD"));
        assert!(!looks_like_edi(b"11"));
        assert!(!looks_like_edi(b"O"));
        assert!(is_level(b"E7522050000003", level::CENTRE_TRAILER));
        assert!(!is_level(b"E5", level::CENTRE_TRAILER));
    }

    #[test]
    fn series_codes_are_upper_case_with_the_year() {
        assert_eq!(series_code("6b", Some(17)), "6B17");
        assert_eq!(series_code("6A", Some(2026)), "6A26");
        assert_eq!(series_code("6a", None), "6A");
    }
}
