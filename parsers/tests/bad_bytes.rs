//! EDI files that are not what their names say, or that cross a limit: each gives one clear
//! problem, and every record that can be read is still read.

use parsers::edi::{MAX_LINE_BYTES, MAX_PROBLEMS};
use parsers::{parse_edi, EdiFile, FileName, ProblemKind, Records};

const HD: &[u8] = b"HDR14520706A26140001202608191405";
const RECORD: &[u8] =
    b"RS1452000048035  145200240004M       6              DAVIES:OWEN                             ";

fn parse(bytes: &[u8]) -> EdiFile {
    parse_edi(bytes, FileName::parse("R1452070.X01").as_ref())
}

fn lines(lines: &[&[u8]]) -> Vec<u8> {
    lines
        .iter()
        .flat_map(|l| [*l, &b"\r\n"[..]].concat())
        .collect()
}

fn messages(f: &EdiFile) -> Vec<&str> {
    f.problems.iter().map(|p| p.message.as_str()).collect()
}

#[test]
fn zip_utf16_and_binary_files_give_one_problem_and_no_trailer() {
    let no_trailer = "no trailer line 'TR' (the file is not text)";
    let zip = parse(b"PK\x03\x04\x14\x00\x08\x00");
    assert_eq!(
        messages(&zip),
        [
            "the file is a zip archive, not an EDI file; not read: unzip it and put the files \
             it holds in the folder",
            no_trailer
        ]
    );
    let utf16: Vec<u8> = "HDR1452070"
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
            "expected a header record starting 'HD' on the first line, found bytes that are \
             not text: byte 8 is 0x00, which an EDI file never holds (a damaged download, or \
             another kind of file given this name); not read",
            no_trailer
        ]
    );
    assert_eq!(f.problems[0].line, None);
    assert_eq!(f.problems[0].kind, ProblemKind::MalformedRecord);
    assert!(f.records.is_empty());
}

#[test]
fn a_stray_control_byte_in_text_is_not_binary() {
    // One escape in a headerless file: still read line by line, each line's problem named.
    let f = parse(&lines(&[b"R\x1BS", RECORD, b"TR0000002"]));
    assert_eq!(f.records.len(), 1, "{:?}", f.problems);
    assert_eq!(f.problems[0].line, Some(1));
}

#[test]
fn nul_bytes_after_a_header_are_read_field_by_field() {
    let mut padded = RECORD.to_vec();
    for b in &mut padded[63..] {
        *b = 0;
    }
    let f = parse(&lines(&[HD, &padded, b"TR0000001"]));
    let Records::Results(rs) = &f.records else {
        panic!("{f:?}")
    };
    assert_eq!(rs[0].name, "DAVIES:OWEN");
    assert_eq!(f.problems.len(), 1);
    assert_eq!(f.problems[0].kind, ProblemKind::ControlCharacters);
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
    let f = parse(&lines(&[HD, RECORD, b"TR0000001", b"   ", b"", b"\t "]));
    assert_eq!((f.records.len(), f.detail_lines), (1, 1));
    assert!(f.trailer.is_some());
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn a_file_of_spaces_is_said_to_be_so() {
    let f = parse(b"    \r\n\t\r\n   ");
    assert_eq!(
        messages(&f),
        [
            "the file holds only spaces and empty lines: expected a header line starting 'HD', \
             detail lines and a trailer line starting 'TR'",
            "no trailer line 'TR' (the file holds only spaces and empty lines)"
        ]
    );
}

#[test]
fn a_trailer_alone_is_named() {
    let f = parse(b"TR0000000\r\n");
    assert_eq!(
        messages(&f),
        [
            "expected a header record starting 'HD' on the first line, found 'TR0000000', a \
          trailer: the file has no header"
        ]
    );
}

#[test]
fn counts_in_messages_agree_with_their_nouns() {
    let f = parse(&lines(&[HD, RECORD, b"TR0000005"]));
    assert_eq!(
        messages(&f),
        ["the trailer counts 5 detail records but the file has 1 detail line"]
    );
    let f = parse(&lines(&[HD, RECORD]));
    assert!(messages(&f)[0].ends_with("its 1 detail line is still read"));
    let f = parse(&lines(&[HD]));
    assert!(messages(&f)[0].ends_with("it has no detail lines"));
}

#[test]
fn a_line_over_the_limit_is_an_error_and_its_record_is_still_read() {
    let mut just_inside = RECORD.to_vec();
    just_inside.resize(MAX_LINE_BYTES, b' ');
    let mut over = RECORD.to_vec();
    over.resize(MAX_LINE_BYTES + 1, b' ');
    let f = parse(&lines(&[HD, &just_inside, &over, b"TR0000002"]));
    assert_eq!(f.records.len(), 2);
    assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
    let p = &f.problems[0];
    assert_eq!((p.kind, p.line), (ProblemKind::LimitExceeded, Some(3)));
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
    let bytes = [HD, b"\r", RECORD, b"\rTR0000001"].concat();
    let f = parse(&bytes);
    let p = f
        .problems
        .iter()
        .find(|p| p.line == Some(1))
        .expect("a problem on line 1");
    assert_eq!(p.kind, ProblemKind::MalformedRecord);
    assert!(
        p.message
            .contains("the line holds a carriage return (CR) with no line feed after it"),
        "{}",
        p.message
    );
}

#[test]
fn at_most_a_thousand_problems_are_listed() {
    // 40,000 unreadable lines: parsed in parallel chunks, each capped, then capped again.
    let mut all: Vec<&[u8]> = vec![HD];
    all.extend(std::iter::repeat_n(&b"ZZ"[..], 40_000));
    all.push(b"TR0040000");
    let f = parse(&lines(&all));
    assert_eq!(f.detail_lines, 40_000);
    assert_eq!(f.unreadable_lines(), 40_000);
    assert_eq!(f.problems.len(), MAX_PROBLEMS + 1);
    assert_eq!(f.problems[0].line, Some(2));
    assert_eq!(f.problems[MAX_PROBLEMS - 1].line, Some(MAX_PROBLEMS + 1));
    let last = &f.problems[MAX_PROBLEMS];
    assert_eq!((last.kind, last.line), (ProblemKind::LimitExceeded, None));
    assert_eq!(
        last.message,
        "39000 more problems are not listed: resultsday lists at most 1000 problems for one \
         file, and a file with this many is probably not an EDI file in the layout resultsday \
         reads"
    );
    // Exactly at the limit nothing is left out.
    let mut all: Vec<&[u8]> = vec![HD];
    all.extend(std::iter::repeat_n(&b"ZZ"[..], MAX_PROBLEMS));
    all.push(b"TR0001000");
    let f = parse(&lines(&all));
    assert_eq!(f.problems.len(), MAX_PROBLEMS);
    assert!(f
        .problems
        .iter()
        .all(|p| p.kind == ProblemKind::MalformedRecord));
}

proptest::proptest! {
    /// Whatever the bytes (text, binary, spaces): detail lines are the lines between header and
    /// trailer, and a file with no trailer line is told so.
    #[test]
    fn detail_lines_and_the_trailer_agree_with_the_lines(
        head in proptest::sample::select(vec![&b""[..], b"HD", b"TR", b"  ", b"PK\x03\x04"]),
        body in proptest::collection::vec(
            proptest::sample::select(vec![0u8, b' ', b'\t', b'\r', b'\n', b'T', b'R', b'Z', 0x1A, 0xC9]),
            0..200,
        ),
    ) {
        let bytes = [head, &body].concat();
        let f = parse(&bytes);
        let lines = parsers::edi::split_lines(&bytes);
        let n = lines.len();
        let first = usize::from(n > 0 && lines[0].starts_with(b"HD"));
        let has_trailer = n > first && lines[n - 1].starts_with(b"TR");
        let end = n - usize::from(has_trailer);
        proptest::prop_assert_eq!(f.detail_lines, if n > 0 { end - first } else { 0 });
        if !has_trailer {
            proptest::prop_assert!(f
                .problems
                .iter()
                .any(|p| p.kind == ProblemKind::TrailerMismatch && p.line.is_none()));
        }
        for p in &f.problems {
            if let Some(l) = p.line {
                proptest::prop_assert!((1..=n.max(1)).contains(&l), "{:?} of {}", p, n);
            }
        }
    }
}
