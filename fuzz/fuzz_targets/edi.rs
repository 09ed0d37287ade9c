//! Any bytes as an EDI file of each data type: the first byte picks the file name (and so the data
//! type), the rest is the file. `parse_file` never panics, and what it reads is consistent with
//! the lines of the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::edi::split_lines;
use parsers::layouts::FORMAT_VERSION;
use parsers::{parse_file, Content, DataType, FileName, ProblemKind, Records};

const NAMES: [&str; 8] = [
    "R1452070.X01",
    "E1452070.X01",
    "A1452070.X02",
    "S6A26_70.X01",
    "O6A26_70.X01",
    "C6A26_70.X01",
    "L6A26_70.X01",
    "D6A26_70.X01",
];

/// The line of every record, in order, with its record-type code.
fn record_lines(records: &Records) -> Vec<usize> {
    match records {
        Records::Results(v) => v.iter().map(|r| r.line).collect(),
        Records::Entries(v) => v.iter().map(|r| r.line).collect(),
        Records::Syllabuses(v) => v.iter().map(|r| r.line).collect(),
        Records::Options(v) => v.iter().map(|r| r.line).collect(),
        Records::Components(v) => v.iter().map(|r| r.line).collect(),
        Records::Links(v) => v.iter().map(|r| r.line).collect(),
        Records::Disallowed(v) => v.iter().map(|r| r.line).collect(),
        Records::None => Vec::new(),
    }
}

fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let name_type = FileName::parse(name).unwrap().data_type();
    let parsed = parse_file(name, bytes);
    assert!(parsed.name.is_some());
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let Content::Edi(file) = &parsed.content else {
        panic!("{name} not read as EDI: {:?}", parsed.content);
    };

    // The lines as the parser splits them (after a UTF-8 BOM).
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let lines = split_lines(body);
    let n = lines.len();
    let first = usize::from(n > 0 && lines[0].starts_with(b"HD"));
    let has_trailer_line = n > first && lines[n - 1].starts_with(b"TR");
    let end = n - usize::from(has_trailer_line);

    // Every problem is on a line of the file, or of the file as a whole.
    for p in &file.problems {
        assert!(!p.message.is_empty(), "{p:?}");
        if let Some(l) = p.line {
            assert!((1..=n.max(1)).contains(&l), "{p:?} in a file of {n} lines");
        }
    }

    // Detail lines are those between header and trailer; records come from them, in order.
    if n > 0 {
        assert_eq!(file.detail_lines, end - first, "{n} lines");
    } else {
        assert_eq!(file.detail_lines, 0);
    }
    assert!(file.records.len() <= file.detail_lines);
    assert_eq!(
        file.unreadable_lines(),
        file.detail_lines - file.records.len()
    );
    let rec_lines = record_lines(&file.records);
    assert!(rec_lines.windows(2).all(|w| w[0] < w[1]), "{rec_lines:?}");
    for &l in &rec_lines {
        assert!(
            l > first && l <= end,
            "record on line {l}: details are {}..={end}",
            first + 1
        );
    }

    // The data type: the header's when it has detail records, else the name's.
    let data_type = file
        .data_type
        .expect("an EDI name always gives a data type");
    if file.header.is_none() {
        assert_eq!(data_type, name_type);
    }
    if let Some(code) = data_type.detail_code() {
        for &l in &rec_lines {
            assert!(lines[l - 1].starts_with(code), "line {l} is not '{code:?}'");
        }
    }
    match (&file.records, data_type) {
        (Records::None, _) => assert!(rec_lines.is_empty()),
        (Records::Results(_), DataType::Results)
        | (Records::Entries(_), DataType::Entries | DataType::Amendments)
        | (Records::Syllabuses(_), DataType::Syllabuses)
        | (Records::Options(_), DataType::Options)
        | (Records::Components(_), DataType::Components)
        | (Records::Links(_), DataType::Links)
        | (Records::Disallowed(_), DataType::Disallowed) => {}
        (r, t) => panic!("{:?} records in a {t:?} file", r.code()),
    }

    // A header of another version stops the details being read.
    if file
        .header
        .as_ref()
        .is_some_and(|h| h.version != FORMAT_VERSION)
    {
        assert!(file.records.is_empty());
        assert!(file
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::UnsupportedVersion));
    }

    // The trailer is the last line; a count that differs, or no trailer, is reported.
    if let Some(t) = &file.trailer {
        assert!(has_trailer_line);
        assert_eq!(t.line, n);
        if t.count != file.detail_lines as u64 {
            assert!(file
                .problems
                .iter()
                .any(|p| p.kind == ProblemKind::TrailerMismatch && p.line == Some(n)));
        }
    }
    if !has_trailer_line {
        assert!(file.trailer.is_none());
        assert!(file
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::TrailerMismatch && p.line.is_none()));
    }

    // Key fields of every record that was kept are usable.
    match &file.records {
        Records::Results(v) => {
            for r in v {
                assert!(is_digits(&r.centre, 5), "{r:?}");
                assert!(is_digits(&r.candidate_number, 4), "{r:?}");
                assert!(!r.option_code.is_empty(), "{r:?}");
                assert!(r.mark.is_none() || r.flag == parsers::ResultFlag::Mark);
                assert!(r.endorsement.is_none() || r.flag == parsers::ResultFlag::Endorsement);
            }
        }
        Records::Entries(v) => {
            for e in v {
                assert!(is_digits(&e.centre, 5), "{e:?}");
                assert!(is_digits(&e.candidate_number, 4), "{e:?}");
                assert!(!e.option_code.is_empty(), "{e:?}");
                // An entries file has no actions; an amendment whose action is blank or bad is
                // kept without one, and the action is reported.
                if data_type != DataType::Amendments {
                    assert!(e.action.is_none(), "{e:?}");
                } else if e.action.is_none() {
                    assert!(
                        file.problems.iter().any(|p| p.line == Some(e.line)
                            && p.field.as_deref() == Some("action")),
                        "{e:?} has no action and no problem says so"
                    );
                }
                assert!(e
                    .uln
                    .as_ref()
                    .is_none_or(|u| u.bytes().all(|b| b.is_ascii_digit())));
            }
        }
        Records::Options(v) => {
            for o in v {
                assert!(!o.code.is_empty() && !o.syllabus.is_empty(), "{o:?}");
            }
        }
        Records::Syllabuses(v) => assert!(v.iter().all(|s| !s.code.is_empty())),
        Records::Components(v) => assert!(v.iter().all(|c| !c.code.is_empty())),
        Records::Links(v) => assert!(v
            .iter()
            .all(|l| !l.option_code.is_empty() && !l.component_code.is_empty())),
        Records::Disallowed(v) => assert!(v
            .iter()
            .all(|d| !d.option_a.is_empty() && !d.option_b.is_empty())),
        Records::None => {}
    }
});
