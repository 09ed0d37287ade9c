//! A whole EDI file: header, detail records, trailer, and every problem found on the way.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rayon::prelude::*;

use crate::field::FieldReader;
use crate::filename::{FileName, FileNameKind};
use crate::layouts::{self, codes, FieldSpec, FORMAT_VERSION, HEADER, RECORD_TYPE, TRAILER};
use crate::model::{DataType, Header, Records, Trailer};
use crate::problem::{count, show_bytes, NotText, Problem, ProblemKind};
use crate::records;

/// An EDI file as read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EdiFile {
    pub header: Option<Header>,
    pub trailer: Option<Trailer>,
    /// The file's data type: the header's, or the file name's when the header is unreadable.
    pub data_type: Option<DataType>,
    pub records: Records,
    /// Lines between header and trailer, malformed ones included (what the trailer counts).
    pub detail_lines: usize,
    pub problems: Vec<Problem>,
}

impl EdiFile {
    /// Detail lines that could not be used as records.
    pub fn unreadable_lines(&self) -> usize {
        self.detail_lines.saturating_sub(self.records.len())
    }

    /// The file's centre number: the header's, else the file name's.
    pub fn centre(&self) -> Option<&str> {
        self.header.as_ref().map(|h| h.centre.as_str())
    }
}

/// Files with more detail lines than this are parsed in parallel chunks.
const PARALLEL_LINES: usize = 16 * 1024;
const CHUNK_LINES: usize = 8 * 1024;

/// The longest line read as it stands. A record is at most 92 bytes and text after the layout is
/// only a warning, but a line longer than this is an error: it is what a file whose line ends
/// were lost looks like, its records run together on one line.
pub const MAX_LINE_BYTES: usize = 1024;

/// The most problems listed for one file. A file with more is not in the layout resultsday reads
/// (or not an EDI file at all); listing every line of it would bury the problems that matter.
pub const MAX_PROBLEMS: usize = 1000;

/// Parses an EDI file's bytes. `name` (the recognised file name, if any) lets the header be
/// checked against it and stands in for an unreadable header.
pub fn parse_edi(bytes: &[u8], name: Option<&FileName>) -> EdiFile {
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
    let not_text = if bytes.starts_with(codes::HEADER) {
        None
    } else {
        NotText::sniff(bytes)
    };
    if lines.is_empty() || not_text.is_some() {
        // Nothing to read line by line: one problem says why, and the trailer is missing.
        let (problem, what) = match not_text {
            Some(not_text) => (
                not_text.message(
                    "an EDI file",
                    "a header record starting 'HD' on the first line",
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
                        "{what}: expected a header line starting 'HD', detail lines and a \
                         trailer line starting 'TR'"
                    ),
                    what,
                )
            }
        };
        file.data_type = name_type;
        let has_trailer = lines.last().is_some_and(|l| l.starts_with(codes::TRAILER));
        file.detail_lines = lines.len() - usize::from(has_trailer);
        file.problems
            .push(Problem::new(ProblemKind::MalformedRecord, None, problem));
        if !has_trailer {
            file.problems.push(Problem::new(
                ProblemKind::TrailerMismatch,
                None,
                format!("no trailer line 'TR' ({what})"),
            ));
        }
        return file;
    }

    // Header.
    let mut first_detail = 0;
    if lines[0].starts_with(codes::HEADER) {
        first_detail = 1;
        file.header = header(lines[0], &mut file.problems);
    } else {
        file.problems.push(
            Problem::new(
                ProblemKind::MalformedRecord,
                Some(1),
                format!(
                    "expected a header record starting 'HD' on the first line, found {}{}",
                    show_bytes(&lines[0][..lines[0].len().min(20)]),
                    if lines[0].starts_with(codes::TRAILER) {
                        ", a trailer: the file has no header"
                    } else {
                        ""
                    }
                ),
            )
            .at_field(RECORD_TYPE.name),
        );
    }
    if let (Some(h), Some(n)) = (&file.header, name) {
        check_header_against_name(h, n, &mut file.problems);
    }
    file.data_type = file
        .header
        .as_ref()
        .map(|h| h.data_type)
        .filter(|t| t.detail_code().is_some())
        .or(name_type)
        .or(file.header.as_ref().map(|h| h.data_type));

    // Trailer: the last line, when it is one.
    let mut end = lines.len();
    if lines.len() > first_detail && lines[lines.len() - 1].starts_with(codes::TRAILER) {
        end -= 1;
        file.trailer = trailer(lines[end], end + 1, &mut file.problems);
    }
    let details = &lines[first_detail..end];
    file.detail_lines = details.len();
    match &file.trailer {
        Some(t) if t.count != details.len() as u64 => file.problems.push(
            Problem::new(
                ProblemKind::TrailerMismatch,
                Some(t.line),
                format!(
                    "the trailer counts {} but the file has {}",
                    count(t.count as usize, "detail record", "detail records"),
                    count(details.len(), "detail line", "detail lines")
                ),
            )
            .at_field(TRAILER.count.name),
        ),
        Some(_) => {}
        None if !lines[lines.len() - 1].starts_with(codes::TRAILER) => {
            file.problems.push(Problem::new(
                ProblemKind::TrailerMismatch,
                None,
                format!(
                    "no trailer line 'TR': the last line (line {}) is not a trailer, so the file \
                     may have been cut short; {}",
                    lines.len(),
                    match details.len() {
                        0 => "it has no detail lines".to_string(),
                        1 => "its 1 detail line is still read".to_string(),
                        n => format!("its {n} detail lines are still read"),
                    }
                ),
            ));
        }
        None => {}
    }

    if let Some(h) = &file.header {
        if h.version != FORMAT_VERSION {
            file.problems.push(
                Problem::new(
                    ProblemKind::UnsupportedVersion,
                    Some(1),
                    format!(
                        "format version {:02}: resultsday has the layout of version {FORMAT_VERSION} \
                         only, so the {} detail lines were not read",
                        h.version,
                        details.len()
                    ),
                )
                .at_field(HEADER.version.name),
            );
            return file;
        }
    }

    let Some(data_type) = file.data_type else {
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
    let ctx = DetailContext {
        data_type,
        centre: centre.as_deref(),
        first_line_no: first_detail + 1,
    };
    let (records, problems, mut not_listed) = parse_details(details, &ctx);
    file.records = records;
    // Before the details' problems, so that the limit never drops it: a file in another layout
    // is the likeliest cause of a great many problems.
    file.problems.extend(crate::calibrate::check_uci_column(
        data_type,
        details,
        first_detail,
    ));
    file.problems.extend(problems);
    not_listed += cap(&mut file.problems);
    if not_listed > 0 {
        file.problems.push(Problem::new(
            ProblemKind::LimitExceeded,
            None,
            format!(
                "{not_listed} more problems are not listed: resultsday lists at most \
                 {MAX_PROBLEMS} problems for one file, and a file with this many is probably \
                 not an EDI file in the layout resultsday reads"
            ),
        ));
    }
    file
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

fn header(line: &[u8], problems: &mut Vec<Problem>) -> Option<Header> {
    let h = &HEADER;
    let mut r = FieldReader::new(line, 1, problems);
    let letter = r.key_text(&h.data_type);
    let centre = r.key_digits(&h.centre);
    let awarding_body = r.key_text(&h.awarding_body);
    let series = r.key_text(&h.series);
    let version = r.number(&h.version);
    let sequence = r.number(&h.sequence);
    let date = r.date(&h.created_date);
    let time = r.number::<u32>(&h.created_time).and_then(|hhmm| {
        let t = NaiveTime::from_hms_opt(hhmm / 100, hhmm % 100, 0);
        if t.is_none() {
            r.report(
                ProblemKind::MalformedRecord,
                &h.created_time,
                format!("expected a time HHMM, found '{hhmm:04}'"),
            );
        }
        t
    });
    extra_text(line, layouts::record_len(codes::HEADER), &mut r);
    if version.is_none() {
        r.report(
            ProblemKind::MalformedRecord,
            &h.version,
            "the header has no format version; read as version 14".into(),
        );
    }
    if !r.usable() {
        return None;
    }
    Some(Header {
        data_type: DataType::from_letter(letter.chars().next().unwrap_or(' ')),
        centre,
        awarding_body,
        series,
        version: version.unwrap_or(FORMAT_VERSION),
        sequence: sequence.unwrap_or(0),
        created: date.map(|d: NaiveDate| NaiveDateTime::new(d, time.unwrap_or_default())),
    })
}

fn trailer(line: &[u8], line_no: usize, problems: &mut Vec<Problem>) -> Option<Trailer> {
    let mut r = FieldReader::new(line, line_no, problems);
    let count = r.number::<u64>(&TRAILER.count);
    extra_text(line, layouts::record_len(codes::TRAILER), &mut r);
    if count.is_none() && r.raw(&TRAILER.count).iter().all(|&b| b == b' ') {
        r.report(
            ProblemKind::TrailerMismatch,
            &TRAILER.count,
            "the trailer has no record count".into(),
        );
    }
    count.map(|count| Trailer {
        line: line_no,
        count,
    })
}

/// Reports the text after a record's layout ends (kept in the message, not read): a warning, or
/// an error when the line is over `MAX_LINE_BYTES` or holds a carriage return, as a file whose
/// line ends were lost does.
fn extra_text(line: &[u8], len: Option<usize>, r: &mut FieldReader) {
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
        "{} bytes after byte {len}, where the record's layout ends, are not read: {}",
        tail.len(),
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

struct DetailContext<'c> {
    data_type: DataType,
    centre: Option<&'c str>,
    /// Line number of the first detail line.
    first_line_no: usize,
}

/// The detail records, their problems (at most `MAX_PROBLEMS`), and how many more problems
/// were found and not kept.
fn parse_details(lines: &[&[u8]], ctx: &DetailContext) -> (Records, Vec<Problem>, usize) {
    if lines.len() < PARALLEL_LINES {
        return parse_chunk(lines, 0, ctx);
    }
    let parts: Vec<(Records, Vec<Problem>, usize)> = lines
        .par_chunks(CHUNK_LINES)
        .enumerate()
        .map(|(i, chunk)| parse_chunk(chunk, i * CHUNK_LINES, ctx))
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

fn parse_chunk(
    lines: &[&[u8]],
    offset: usize,
    ctx: &DetailContext,
) -> (Records, Vec<Problem>, usize) {
    let mut problems = Vec::new();
    let mut not_kept = 0;
    let mut records = match ctx.data_type {
        DataType::Results => Records::Results(Vec::with_capacity(lines.len())),
        DataType::Entries | DataType::Amendments => {
            Records::Entries(Vec::with_capacity(lines.len()))
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
    for (i, &line) in lines.iter().enumerate() {
        not_kept += cap(&mut problems);
        let line_no = ctx.first_line_no + offset + i;
        let found = RECORD_TYPE.slice(line);
        if found != code {
            problems.push(unknown_record_type(found, code, ctx.data_type, line_no));
            continue;
        }
        let mut r = FieldReader::new(line, line_no, &mut problems);
        let centre_field = match &mut records {
            Records::Results(v) => records::result(&mut r).map(|x| {
                let c = (x.centre.clone(), layouts::RESULT.centre);
                v.push(x);
                c
            }),
            Records::Entries(v) => records::entry(&mut r, ctx.data_type == DataType::Amendments)
                .map(|x| {
                    let c = (x.centre.clone(), layouts::ENTRY.centre);
                    v.push(x);
                    c
                }),
            Records::Syllabuses(v) => {
                v.extend(records::syllabus(&mut r));
                None
            }
            Records::Options(v) => {
                v.extend(records::option(&mut r));
                None
            }
            Records::Components(v) => {
                v.extend(records::component(&mut r));
                None
            }
            Records::Links(v) => {
                v.extend(records::link(&mut r));
                None
            }
            Records::Disallowed(v) => {
                v.extend(records::disallowed(&mut r));
                None
            }
            Records::None => None,
        };
        extra_text(line, layouts::record_len(code), &mut r);
        if let (Some((centre, spec)), Some(file_centre)) = (centre_field, ctx.centre) {
            if centre != file_centre {
                r.report(
                    ProblemKind::CentreMismatch,
                    &spec,
                    format!(
                        "the record is for centre {centre} but the file is centre {file_centre}"
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
        b"HD" => "a second header".to_string(),
        b"TR" => "a trailer before the last line".to_string(),
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

/// Compares the header with what the file name says; the header wins for the data.
pub fn check_header_against_name(header: &Header, name: &FileName, problems: &mut Vec<Problem>) {
    let FileNameKind::Edi {
        data_type,
        centre_or_series,
        awarding_body,
        sequence,
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
            HEADER.data_type.name,
            header.data_type.letter().to_string(),
            data_type.letter().to_string(),
        );
    }
    if data_type.is_basedata() {
        let name_series = centre_or_series.get(..4).unwrap_or(centre_or_series);
        if !header.series.eq_ignore_ascii_case(name_series) {
            differ(
                HEADER.series.name,
                header.series.clone(),
                name_series.to_string(),
            );
        }
    } else if header.centre != *centre_or_series {
        differ(
            HEADER.centre.name,
            header.centre.clone(),
            centre_or_series.clone(),
        );
    }
    if !header.awarding_body.eq_ignore_ascii_case(awarding_body) {
        differ(
            HEADER.awarding_body.name,
            header.awarding_body.clone(),
            awarding_body.clone(),
        );
    }
    if header.sequence % 100 != u16::from(*sequence) {
        differ(
            HEADER.sequence.name,
            format!("{:04}", header.sequence),
            format!(".X{sequence:02}"),
        );
    }
}
