//! EDI files that are not what their names say, that are cut short or miscounted, or that cross
//! a limit: each gives one clear problem with its line and field, never a panic, the counts are
//! still checked, and every record that can be read is still read.

use parsers::edi::{split_lines, MAX_LINE_BYTES, MAX_PROBLEMS};
use parsers::problem::NotText;
use parsers::{parse_edi, EdiFile, FileName, ProblemKind, Records};

/// A results file's lines (record length 92), as a board writes them: the file header (centre
/// 14520, board 70, series 6A26, a centre's file, sender, format version 14), the centre header
/// (sequence 001) and a detail record.
const R1: &[u8] =
    b"R114520706A26SAQA    00114                                                                  ";
const R3: &[u8] =
    b"R314520706A26001                                                                            ";
const RECORD: &[u8] =
    b"R51452000048035  145200240004M       6              DAVIES:OWEN                             ";

fn r1() -> Vec<u8> {
    R1.to_vec()
}

fn r3() -> Vec<u8> {
    R3.to_vec()
}

/// A centre trailer: `count` records, the block's header and trailer included.
fn r7(count: usize) -> Vec<u8> {
    let mut l = format!("R714520{count:07}190826").into_bytes();
    l.resize(92, b' ');
    l
}

/// A file trailer: `count` records of the file, `centres` blocks.
fn r9(count: usize, centres: usize) -> Vec<u8> {
    let mut l = format!("R914520{count:07}{centres:07}").into_bytes();
    l.resize(92, b' ');
    l
}

fn parse(bytes: &[u8]) -> EdiFile {
    parse_edi(bytes, FileName::parse("R1452070.X01").as_ref())
}

fn lines(lines: &[&[u8]]) -> Vec<u8> {
    lines
        .iter()
        .flat_map(|l| [*l, &b"\r\n"[..]].concat())
        .collect()
}

/// A whole file around `details`, every count right.
fn whole(details: &[&[u8]]) -> Vec<u8> {
    let (h, b, t7, t9) = (r1(), r3(), r7(details.len() + 2), r9(details.len() + 4, 1));
    let mut all: Vec<&[u8]> = vec![&h, &b];
    all.extend_from_slice(details);
    all.push(&t7);
    all.push(&t9);
    lines(&all)
}

fn messages(f: &EdiFile) -> Vec<&str> {
    f.problems.iter().map(|p| p.message.as_str()).collect()
}

fn kinds(f: &EdiFile) -> Vec<(ProblemKind, Option<usize>, &str)> {
    f.problems
        .iter()
        .map(|p| (p.kind, p.line, p.field.as_deref().unwrap_or("")))
        .collect()
}

#[test]
fn the_fixed_lines_are_what_a_board_writes() {
    assert!([R1, R3, RECORD].iter().all(|l| l.len() == 92));
    let f = parse(&whole(&[RECORD]));
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let Records::Results(rs) = &f.records else {
        panic!("{f:?}")
    };
    assert_eq!(
        (rs[0].candidate_number.as_str(), rs[0].option_code.as_str()),
        ("0004", "8035")
    );
    assert_eq!(rs[0].name, "DAVIES:OWEN");
    assert_eq!(rs[0].grade.as_ref().map(|g| g.code.as_str()), Some("6"));
    let h = f.header.as_ref().unwrap();
    assert_eq!(
        (
            h.centre.as_str(),
            h.awarding_body.as_str(),
            h.series.as_str()
        ),
        ("14520", "70", "6A26")
    );
    assert_eq!(
        (h.distribution, h.sender.as_str(), h.version, h.sequence),
        (Some('S'), "AQA    001", 14, 1)
    );
}

#[test]
fn zip_utf16_and_binary_files_give_one_problem_and_no_trailer() {
    let no_trailer = "no file trailer (the file is not text)";
    let zip = parse(b"PK\x03\x04\x14\x00\x08\x00");
    assert_eq!(
        messages(&zip),
        [
            "the file is a zip archive, not an EDI file; not read: unzip it and put the files \
             it holds in the folder",
            no_trailer
        ]
    );
    let utf16: Vec<u8> = "R114520706A26S"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let f = parse(&utf16);
    assert_eq!(f.problems.len(), 2);
    assert!(f.problems[0]
        .message
        .starts_with("the file is saved as UTF-16 text"));
    let f = parse(b"\x7FELF\x02\x01\x01\x00\x00\x00");
    assert_eq!(
        messages(&f),
        [
            "expected a file header record 'R1' on the first line, found bytes that are not \
             text: byte 8 is 0x00, which an EDI file never holds (a damaged download, or \
             another kind of file given this name); not read",
            no_trailer
        ]
    );
    assert_eq!(f.problems[0].line, None);
    assert_eq!(f.problems[0].kind, ProblemKind::MalformedRecord);
    assert_eq!(f.problems[1].kind, ProblemKind::TrailerMismatch);
    assert!(f.records.is_empty());
}

#[test]
fn a_stray_control_byte_in_text_is_not_binary() {
    // One escape in a headerless file: still read line by line, each line's problem named.
    let (b, t7, t9) = (r3(), r7(3), r9(5, 1));
    let f = parse(&lines(&[b"R\x1B1", &b, RECORD, &t7, &t9]));
    assert_eq!(f.records.len(), 1, "{:?}", f.problems);
    assert_eq!(f.problems[0].line, Some(1));
    assert!(
        f.problems[0]
            .message
            .starts_with("expected a file header record 'R1' on the first line, found 'R\\x1B1'"),
        "{}",
        f.problems[0].message
    );
    // The counts still cover the unreadable first line: no trailer problem.
    assert!(f
        .problems
        .iter()
        .all(|p| p.kind != ProblemKind::TrailerMismatch));
}

#[test]
fn nul_bytes_after_a_header_are_read_field_by_field() {
    let mut padded = RECORD.to_vec();
    for b in &mut padded[63..] {
        *b = 0;
    }
    let f = parse(&whole(&[&padded]));
    let Records::Results(rs) = &f.records else {
        panic!("{f:?}")
    };
    assert_eq!(rs[0].name, "DAVIES:OWEN");
    assert_eq!(
        kinds(&f),
        [(ProblemKind::ControlCharacters, Some(3), "candidate name")]
    );
    assert!(
        f.problems[0]
            .message
            .ends_with("; removed, read as 'DAVIES:OWEN'"),
        "{}",
        f.problems[0].message
    );
}

#[test]
fn lines_of_spaces_at_the_end_are_ignored() {
    let mut bytes = whole(&[RECORD]);
    bytes.extend_from_slice(b"   \r\n\r\n\t \r\n");
    let f = parse(&bytes);
    assert_eq!((f.records.len(), f.detail_lines, f.lines), (1, 1, 5));
    assert!(f.trailer.is_some());
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn a_file_of_spaces_is_said_to_be_so() {
    let f = parse(b"    \r\n\t\r\n   ");
    assert_eq!(
        messages(&f),
        [
            "the file holds only spaces and empty lines: expected a file header record 'R1', \
             centre blocks of detail records and a file trailer",
            "no file trailer (the file holds only spaces and empty lines)"
        ]
    );
}

#[test]
fn a_trailer_alone_is_named() {
    let f = parse(&lines(&[&r9(1, 0)]));
    assert_eq!(
        messages(&f),
        [
            "expected a file header record 'R1' on the first line, found 'R9145200000001000000', \
          a file trailer: the file has no header"
        ]
    );
    assert_eq!(f.problems[0].line, Some(1));
    assert_eq!(f.problems[0].field.as_deref(), Some("record type"));
    assert_eq!(f.trailer.as_ref().map(|t| t.count), Some(1));
}

#[test]
fn a_missing_centre_trailer_is_named_with_its_block() {
    let (h, b, t9) = (r1(), r3(), r9(4, 1));
    let f = parse(&lines(&[&h, &b, RECORD, &t9]));
    assert_eq!(
        messages(&f),
        ["no centre trailer 'R7' for centre 14520's block (from line 2) before line 4"]
    );
    assert_eq!(kinds(&f), [(ProblemKind::TrailerMismatch, Some(4), "")]);
    assert_eq!(f.records.len(), 1);
    // A second centre header before the first block's trailer.
    let (t7, t9) = (r7(3), r9(7, 2));
    let f = parse(&lines(&[&h, &b, RECORD, &b, RECORD, &t7, &t9]));
    assert_eq!(
        messages(&f),
        ["no centre trailer 'R7' for centre 14520's block (from line 2) before line 4"]
    );
    assert_eq!(f.records.len(), 2);
    // A file cut short inside its block.
    let f = parse(&lines(&[&h, &b, RECORD]));
    assert_eq!(
        messages(&f),
        [
            "no centre trailer 'R7' for centre 14520's block (from line 2): the file may have \
             been cut short",
            "no file trailer 'R9': the last line (line 3) is not one, so the file may have been \
             cut short; its 1 detail line is still read"
        ]
    );
    assert!(f.problems.iter().all(|p| p.line.is_none()));
}

#[test]
fn a_centre_trailer_with_no_block_is_named() {
    let (h, t7, t9) = (r1(), r7(2), r9(3, 0));
    let f = parse(&lines(&[&h, &t7, &t9]));
    assert_eq!(
        messages(&f),
        ["a centre trailer 'R7' with no centre header 'R3' before it; line not read"]
    );
    assert_eq!(
        kinds(&f),
        [(ProblemKind::MalformedRecord, Some(2), "record type")]
    );
}

#[test]
fn details_with_no_centre_header_are_read_and_named() {
    let (h, t9) = (r1(), r9(3, 0));
    let f = parse(&lines(&[&h, RECORD, &t9]));
    assert_eq!(
        kinds(&f),
        [(ProblemKind::HeaderMismatch, Some(2), "record type")]
    );
    assert_eq!(
        messages(&f),
        ["detail lines with no centre header 'R3' before them; they are still read"]
    );
    assert_eq!(f.records.len(), 1);
}

#[test]
fn counts_in_messages_agree_with_their_nouns() {
    let (h, b) = (r1(), r3());
    let (t7, t9) = (r7(1), r9(5, 1));
    let f = parse(&lines(&[&h, &b, RECORD, &t7, &t9]));
    assert_eq!(
        messages(&f),
        [
            "the centre trailer counts 1 record but centre 14520's block (lines 2–4) has 3 \
          records, its header and trailer included"
        ]
    );
    assert_eq!(
        kinds(&f),
        [(ProblemKind::TrailerMismatch, Some(4), "record count")]
    );
    let (t7, t9) = (r7(3), r9(7, 1));
    let f = parse(&lines(&[&h, &b, RECORD, &t7, &t9]));
    assert_eq!(
        messages(&f),
        [
            "the file trailer counts 7 records but the file has 5 records up to it, headers and \
          trailers included"
        ]
    );
    assert_eq!(
        kinds(&f),
        [(ProblemKind::TrailerMismatch, Some(5), "record count")]
    );
    let t9 = r9(5, 3);
    let f = parse(&lines(&[&h, &b, RECORD, &t7, &t9]));
    assert_eq!(
        messages(&f),
        ["the file trailer says 3 centre blocks but the file has 1 centre block"]
    );
    assert_eq!(
        kinds(&f),
        [(ProblemKind::TrailerMismatch, Some(5), "centre count")]
    );
    let f = parse(&lines(&[&h, &b, RECORD, &t7]));
    assert!(messages(&f)[0].ends_with("its 1 detail line is still read"));
    let f = parse(&lines(&[&h]));
    assert!(messages(&f)[0].ends_with("it has no detail lines"));
}

#[test]
fn malformed_lines_are_counted() {
    // An unknown record type and a short line are still records the trailers count.
    let f = parse(&whole(&[b"Q5 what is this", RECORD, b"R5145"]));
    assert_eq!(f.detail_lines, 3);
    assert_eq!(f.records.len(), 1);
    assert_eq!(
        kinds(&f),
        [
            (ProblemKind::MalformedRecord, Some(3), "record type"),
            (ProblemKind::MalformedRecord, Some(5), "centre number"),
            (ProblemKind::MalformedRecord, Some(5), "candidate number"),
            (ProblemKind::MalformedRecord, Some(5), "entry option code"),
        ]
    );
    assert_eq!(
        f.problems[0].message,
        "record type 'Q5' where a results file has 'R5' detail records; line not read"
    );
    assert_eq!(
        f.problems[1].message,
        "bytes 3–7: expected 5 digits, found '145'"
    );
}

#[test]
fn letters_in_a_number_field_are_named_with_the_bytes() {
    let mut record = RECORD.to_vec();
    record[36] = b'M';
    record[41..47].copy_from_slice(b"12O300");
    let f = parse(&whole(&[&record]));
    assert_eq!(
        kinds(&f),
        [(ProblemKind::MalformedRecord, Some(3), "mark or endorsement")]
    );
    assert_eq!(
        f.problems[0].message,
        "bytes 42–44: expected 3 digits, found '12O'"
    );
    let Records::Results(rs) = &f.records else {
        panic!()
    };
    assert_eq!((rs[0].mark, rs[0].max_mark), (None, Some(300)));

    // In a trailer's count: the count cannot be checked, and the trailer's line says why.
    let (h, b, t7) = (r1(), r3(), r7(3));
    let mut t9 = r9(5, 1);
    t9[7..14].copy_from_slice(b"00000O5");
    let f = parse(&lines(&[&h, &b, RECORD, &t7, &t9]));
    assert_eq!(
        kinds(&f),
        [(ProblemKind::MalformedRecord, Some(5), "record count")]
    );
    assert_eq!(
        f.problems[0].message,
        "bytes 8–14: expected 7 digits, found '00000O5'"
    );
    assert_eq!(f.records.len(), 1);

    // A blank count says so.
    let mut t9 = r9(5, 1);
    t9[7..14].copy_from_slice(b"       ");
    let f = parse(&lines(&[&h, &b, RECORD, &t7, &t9]));
    assert_eq!(
        kinds(&f),
        [(ProblemKind::TrailerMismatch, Some(5), "record count")]
    );
    assert_eq!(
        f.problems[0].message,
        "the file trailer has no record count"
    );
}

#[test]
fn a_detail_line_after_the_file_trailer_is_named() {
    let mut bytes = whole(&[RECORD]);
    bytes.extend_from_slice(&lines(&[RECORD]));
    let f = parse(&bytes);
    assert_eq!(
        kinds(&f),
        [(ProblemKind::MalformedRecord, Some(6), "record type")]
    );
    assert_eq!(
        f.problems[0].message,
        "'R51452000048035  145' after the file trailer (line 5); line not read"
    );
    assert_eq!((f.records.len(), f.detail_lines, f.lines), (1, 1, 6));
}

#[test]
fn many_lines_after_the_file_trailer_leave_its_count_checked() {
    // Two files run together: the first's trailer miscounts, and the lines after it are more
    // than the problems listed.
    let (h, b, t7, t9) = (r1(), r3(), r7(3), r9(6, 1));
    let mut all: Vec<&[u8]> = vec![&h, &b, RECORD, &t7, &t9];
    all.extend(std::iter::repeat_n(RECORD, 1500));
    let f = parse(&lines(&all));
    assert_eq!(f.records.len(), 1);
    assert_eq!(f.problems.len(), MAX_PROBLEMS + 1);
    assert_eq!(
        kinds(&f)[..2],
        [
            (ProblemKind::TrailerMismatch, Some(5), "record count"),
            (ProblemKind::MalformedRecord, Some(6), "record type"),
        ]
    );
    let last = f.problems.last().unwrap();
    assert_eq!((last.kind, last.line), (ProblemKind::LimitExceeded, None));
    assert!(
        last.message.starts_with("501 more problems are not listed"),
        "{}",
        last.message
    );

    // A format version resultsday does not read is named even then.
    let mut h15 = r1();
    h15[24..26].copy_from_slice(b"15");
    all[0] = &h15;
    let f = parse(&lines(&all));
    assert!(f.records.is_empty());
    assert_eq!(f.problems.len(), MAX_PROBLEMS + 1);
    assert_eq!(
        kinds(&f)[..2],
        [
            (ProblemKind::UnsupportedVersion, Some(1), "format version"),
            (ProblemKind::TrailerMismatch, Some(5), "record count"),
        ]
    );
}

#[test]
fn format_versions_are_named() {
    let mut h = r1();
    h[24..26].copy_from_slice(b"15");
    let (b, t7, t9) = (r3(), r7(3), r9(5, 1));
    let f = parse(&lines(&[&h, &b, RECORD, &t7, &t9]));
    assert_eq!(
        messages(&f),
        [
            "format version 15: resultsday has the layout of version 14 (and reads 12 and 13 as \
          14), so its 1 detail line was not read"
        ]
    );
    assert_eq!(
        kinds(&f),
        [(ProblemKind::UnsupportedVersion, Some(1), "format version")]
    );
    assert!(f.records.is_empty());
    for version in [b"12", b"13"] {
        h[24..26].copy_from_slice(version);
        // Version 12 counts the detail records only.
        let (t7, t9) = if version == b"12" {
            (r7(1), r9(1, 1))
        } else {
            (r7(3), r9(5, 1))
        };
        let f = parse(&lines(&[&h, &b, RECORD, &t7, &t9]));
        assert!(f.problems.is_empty(), "{version:?}: {:?}", f.problems);
        assert_eq!(f.records.len(), 1);
        assert_eq!(
            f.header
                .as_ref()
                .map(|h| h.version.to_string().into_bytes()),
            Some(version.to_vec())
        );
    }
    // No version at all: read as 14, and said.
    h[24..26].copy_from_slice(b"  ");
    let f = parse(&lines(&[&h, &b, RECORD, &t7, &t9]));
    assert_eq!(
        kinds(&f),
        [(ProblemKind::MalformedRecord, Some(1), "format version")]
    );
    assert_eq!(f.records.len(), 1);
}

#[test]
fn a_line_over_the_limit_is_an_error_and_its_record_is_still_read() {
    let mut just_inside = RECORD.to_vec();
    just_inside.resize(MAX_LINE_BYTES, b' ');
    let mut over = RECORD.to_vec();
    over.resize(MAX_LINE_BYTES + 1, b' ');
    let f = parse(&whole(&[&just_inside, &over]));
    assert_eq!(f.records.len(), 2);
    assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
    let p = &f.problems[0];
    assert_eq!((p.kind, p.line), (ProblemKind::LimitExceeded, Some(4)));
    assert_eq!(p.field.as_deref(), Some("after the record"));
    assert!(
        p.message.starts_with(
            "the line is 1025 bytes long, over the limit of 1024 bytes for one line (the \
             record's layout is 92 bytes): 933 bytes after byte 92"
        ),
        "{}",
        p.message
    );
}

#[test]
fn lines_run_together_by_lone_carriage_returns_are_an_error() {
    let (h, b, t7, t9) = (r1(), r3(), r7(3), r9(5, 1));
    let bytes = [&h[..], b"\r", &b, b"\r", RECORD, b"\r", &t7, b"\r", &t9].concat();
    let f = parse(&bytes);
    assert_eq!(f.lines, 1);
    let p = f
        .problems
        .iter()
        .find(|p| p.line == Some(1))
        .expect("a problem on line 1");
    assert_eq!(p.kind, ProblemKind::MalformedRecord);
    assert_eq!(p.field.as_deref(), Some("after the record"));
    assert!(
        p.message
            .contains("the line holds a carriage return (CR) with no line feed after it"),
        "{}",
        p.message
    );
    // The one line is the header: no trailer.
    assert!(f
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::TrailerMismatch && p.line.is_none()));
}

#[test]
fn at_most_a_thousand_problems_are_listed() {
    // 40,000 unreadable lines: parsed in parallel chunks, each capped, then capped again.
    let (h, b) = (r1(), r3());
    let (t7, t9) = (r7(40_002), r9(40_004, 1));
    let mut all: Vec<&[u8]> = vec![&h, &b];
    all.extend(std::iter::repeat_n(&b"ZZ"[..], 40_000));
    all.push(&t7);
    all.push(&t9);
    let f = parse(&lines(&all));
    assert_eq!(f.detail_lines, 40_000);
    assert_eq!(f.unreadable_lines(), 40_000);
    assert_eq!(f.problems.len(), MAX_PROBLEMS + 1);
    assert_eq!(f.problems[0].line, Some(3));
    assert_eq!(f.problems[MAX_PROBLEMS - 1].line, Some(MAX_PROBLEMS + 2));
    let last = &f.problems[MAX_PROBLEMS];
    assert_eq!((last.kind, last.line), (ProblemKind::LimitExceeded, None));
    assert_eq!(
        last.message,
        "39000 more problems are not listed: resultsday lists at most 1000 problems for one \
         file, and a file with this many is probably not an EDI file in the layout resultsday \
         reads"
    );
    // Exactly at the limit nothing is left out.
    let (t7, t9) = (r7(MAX_PROBLEMS + 2), r9(MAX_PROBLEMS + 4, 1));
    let mut all: Vec<&[u8]> = vec![&h, &b];
    all.extend(std::iter::repeat_n(&b"ZZ"[..], MAX_PROBLEMS));
    all.push(&t7);
    all.push(&t9);
    let f = parse(&lines(&all));
    assert_eq!(f.problems.len(), MAX_PROBLEMS);
    assert!(f
        .problems
        .iter()
        .all(|p| p.kind == ProblemKind::MalformedRecord));
}

/// Whether a line is a record of level `digit` (`R1`, `O3`, ...), of any data-type letter.
fn is_level(line: &[u8], digit: u8) -> bool {
    line.len() >= 2 && line[0].is_ascii_alphabetic() && line[1] == digit
}

proptest::proptest! {
    /// Whatever the bytes (text, binary, spaces, record types of every level): detail lines
    /// are the lines between the file header and the first file trailer that are not centre
    /// headers or trailers; a file with no trailer line is told so; every problem is on a line
    /// of the file.
    #[test]
    fn detail_lines_and_the_trailers_agree_with_the_lines(
        head in proptest::sample::select(vec![&b""[..], b"R1", b"R9", b"R3", b"  ", b"PK\x03\x04"]),
        body in proptest::collection::vec(
            proptest::sample::select(vec![
                0u8, b' ', b'\t', b'\r', b'\n', b'R', b'E', b'1', b'3', b'5', b'7', b'9', b'0',
                b'Z', 0x1A, 0xC9,
            ]),
            0..200,
        ),
    ) {
        let bytes = [head, &body].concat();
        let f = parse(&bytes);
        let lines = split_lines(&bytes);
        let n = lines.len();
        let not_text = !is_level(&bytes, b'1') && NotText::sniff(&bytes).is_some();
        if n == 0 || not_text {
            // Not read line by line: one problem says why.
            let has_trailer = n > 0 && is_level(lines[n - 1], b'9');
            proptest::prop_assert_eq!(f.detail_lines, n - usize::from(has_trailer));
            proptest::prop_assert!(f.records.is_empty());
            proptest::prop_assert!(f.problems.iter().any(|p| p.kind == ProblemKind::MalformedRecord && p.line.is_none()));
            if !has_trailer {
                proptest::prop_assert!(f
                    .problems
                    .iter()
                    .any(|p| p.kind == ProblemKind::TrailerMismatch && p.line.is_none()));
            }
        } else {
            let first = usize::from(is_level(lines[0], b'1'));
            let trailer = (first..n).find(|&i| is_level(lines[i], b'9'));
            let end = trailer.unwrap_or(n);
            let details = (first..end)
                .filter(|&i| !is_level(lines[i], b'3') && !is_level(lines[i], b'7'))
                .count();
            proptest::prop_assert_eq!(f.detail_lines, details);
            proptest::prop_assert_eq!(f.lines, n);
            proptest::prop_assert!(f.records.len() <= details);
            match trailer {
                None => proptest::prop_assert!(f
                    .problems
                    .iter()
                    .any(|p| p.kind == ProblemKind::TrailerMismatch && p.line.is_none())),
                Some(i) => {
                    // Every line after the trailer is named.
                    for l in i + 2..=n {
                        proptest::prop_assert!(f.problems.iter().any(|p| p.line == Some(l)), "line {}", l);
                    }
                    // A readable count that differs from the lines up to the trailer is named.
                    if let Some(t) = &f.trailer {
                        proptest::prop_assert_eq!(t.line, i + 1);
                        if t.count != (i + 1) as u64 {
                            proptest::prop_assert!(f.problems.iter().any(|p| p.kind == ProblemKind::TrailerMismatch
                                && p.line == Some(i + 1)));
                        }
                    } else {
                        proptest::prop_assert!(f.problems.iter().any(|p| p.line == Some(i + 1)));
                    }
                }
            }
        }
        for p in &f.problems {
            if let Some(l) = p.line {
                proptest::prop_assert!((1..=n.max(1)).contains(&l), "{:?} of {}", p, n);
            }
        }
    }
}

/// A file named as results whose header says entries is read as entries: its lines are held to
/// the entries record length, and the name's disagreement is said once.
#[test]
fn the_header_decides_the_record_length_when_the_name_disagrees() {
    use parsers::{writer, DataType, Header};
    let header = Header {
        data_type: DataType::Entries,
        centre: "14520".into(),
        awarding_body: "70".into(),
        series: "6A26".into(),
        distribution: Some('S'),
        sender: "14520  001".into(),
        version: 14,
        sequence: 1,
        created: None,
    };
    let entry = parsers::EntryRecord {
        line: 0,
        candidate_type: Some('C'),
        centre: "14520".into(),
        candidate_number: "0001".into(),
        uci: parsers::uci::with_check_letter("145200240001").unwrap(),
        uln: None,
        name: "SMITH:ANN".into(),
        sex: Some('F'),
        date_of_birth: None,
        upn: None,
        option_code: "8700".into(),
        action: None,
    };
    let bytes = writer::file(&header, writer::entries(&[entry]));
    let parsed = parsers::parse_file("R1452070.X01", &bytes);
    let problems: Vec<String> = parsed.all_problems().map(|p| p.to_string()).collect();
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(
        problems.iter().all(|p| !p.contains("are not read")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("the file header is 'E1' but the file name says 'R1'")),
        "{problems:#?}"
    );
}
