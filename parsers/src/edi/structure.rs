//! The structure records of an EDI file (the file header, each centre block's header and
//! trailer, the file trailer), their counts, and their checks against each other and the file
//! name.

use chrono::{NaiveDate, NaiveDateTime};

use super::{extra_text, EdiFile};
use crate::field::FieldReader;
use crate::filename::{FileName, FileNameKind};
use crate::layouts::{level, FieldSpec, Layouts, FORMAT_VERSION};
use crate::model::{BlockTrailer, CentreBlock, DataType, Header, Trailer};
use crate::problem::{count, Problem, ProblemKind};

/// The series code of the project from a record's series and year fields: `6b` + `17` → `6B17`.
pub(super) fn series_code(series: &str, year: Option<u16>) -> String {
    match year {
        Some(y) => format!("{}{:02}", series.to_ascii_uppercase(), y % 100),
        None => series.to_ascii_uppercase(),
    }
}

/// Reads the file header `x1`; `None` when a key field is unusable.
pub(super) fn header(
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
    let distribution = r.one_char(&h.distribution);
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

/// Reads a centre header `x3`: the block its detail records belong to.
pub(super) fn centre_header(
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

/// Reads a centre trailer `x7`: its record count and date.
pub(super) fn centre_trailer(
    line: &[u8],
    line_no: usize,
    layouts: &Layouts,
    record_len: Option<usize>,
    problems: &mut Vec<Problem>,
) -> Option<BlockTrailer> {
    let t = &layouts.centre_trailer;
    let read = |r: &mut FieldReader| r.date_ddmmyy(&t.date, 2099);
    read_trailer(
        line,
        line_no,
        record_len,
        problems,
        &t.count,
        "centre trailer",
        read,
    )
    .map(|(count, date)| BlockTrailer {
        line: line_no,
        count,
        date,
    })
}

/// Reads the file trailer `x9`: its record count and number of centre blocks.
pub(super) fn trailer(
    line: &[u8],
    line_no: usize,
    layouts: &Layouts,
    record_len: Option<usize>,
    problems: &mut Vec<Problem>,
) -> Option<Trailer> {
    let t = &layouts.file_trailer;
    let read = |r: &mut FieldReader| r.number::<u64>(&t.centres);
    read_trailer(
        line,
        line_no,
        record_len,
        problems,
        &t.count,
        "file trailer",
        read,
    )
    .map(|(count, centres)| Trailer {
        line: line_no,
        count,
        centres,
    })
}

/// What both trailers hold: the record count (`count_field`, a blank one reported as the
/// trailer `what` having none), then the field `other` reads; `None` when the count is unusable.
fn read_trailer<T>(
    line: &[u8],
    line_no: usize,
    record_len: Option<usize>,
    problems: &mut Vec<Problem>,
    count_field: &FieldSpec,
    what: &str,
    other: impl FnOnce(&mut FieldReader) -> T,
) -> Option<(u64, T)> {
    let mut r = FieldReader::new(line, line_no, problems);
    let count = r.number::<u64>(count_field);
    let other = other(&mut r);
    extra_text(line, record_len, &mut r);
    if count.is_none() && r.raw(count_field).iter().all(|&b| b == b' ') {
        r.report(
            ProblemKind::TrailerMismatch,
            count_field,
            format!("the {what} has no record count"),
        );
    }
    count.map(|count| (count, other))
}

/// A centre trailer's record count checked against its block: the problem when they differ.
pub(super) fn block_count_problem(
    block: &CentreBlock,
    t: &BlockTrailer,
    counts_headers: bool,
    layouts: &Layouts,
) -> Option<Problem> {
    let covered = block.detail_lines as u64 + if counts_headers { 2 } else { 0 };
    if t.count == covered {
        return None;
    }
    let line_no = t.line;
    Some(
        Problem::new(
            ProblemKind::TrailerMismatch,
            Some(line_no),
            format!(
                "the centre trailer counts {} but centre {}'s block (lines {}–{line_no}) has {}",
                count(t.count as usize, "record", "records"),
                block.centre,
                block.line,
                counted(
                    covered as usize,
                    counts_headers,
                    [
                        "record, its header and trailer included",
                        "records, its header and trailer included",
                    ],
                )
            ),
        )
        .at_field(layouts.centre_trailer.count.name),
    )
}

/// The file trailer's counts checked against the file: its record count against `covered`
/// (the records up to it, or the detail records alone when `counts_headers` is false), and
/// its number of centre blocks against `blocks` (in basedata, at most one of each).
pub(super) fn file_count_problems(
    t: &Trailer,
    covered: usize,
    counts_headers: bool,
    blocks: usize,
    basedata: bool,
    layouts: &Layouts,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let covered = covered as u64;
    if t.count != covered {
        problems.push(
            Problem::new(
                ProblemKind::TrailerMismatch,
                Some(t.line),
                format!(
                    "the file trailer counts {} but the file has {}",
                    count(t.count as usize, "record", "records"),
                    counted(
                        covered as usize,
                        counts_headers,
                        [
                            "record up to it, headers and trailers included",
                            "records up to it, headers and trailers included",
                        ],
                    )
                ),
            )
            .at_field(layouts.file_trailer.count.name),
        );
    }
    let blocks = blocks as u64;
    let centres_ok = match t.centres {
        None => true,
        Some(n) if basedata => n <= 1 && blocks <= 1,
        Some(n) => n == blocks,
    };
    if !centres_ok {
        problems.push(
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
    problems
}

/// `n` records as a trailer counts them: with headers and trailers (`with`, one and many), or,
/// when `counts_headers` is false (version 12), detail records only.
fn counted(n: usize, counts_headers: bool, with: [&str; 2]) -> String {
    if counts_headers {
        count(n, with[0], with[1])
    } else {
        count(n, "detail record", "detail records")
    }
}

/// The problem of a centre block that ends, at `line_no`, with no centre trailer.
pub(super) fn missing_block_trailer(
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

/// Compares a centre block's header with the file header: the block wins for its records.
pub(super) fn check_block_against_header(
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
pub(super) fn check_header_against_name(
    header: &Header,
    name: &FileName,
    problems: &mut Vec<Problem>,
) {
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
pub(super) fn finish_header(file: &mut EdiFile, name: Option<&FileName>) {
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
