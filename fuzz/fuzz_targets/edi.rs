//! Any bytes as an EDI file of each data type: the first byte picks the file name (and so the data
//! type), the rest is the file. `parse_file` never panics, and what it reads is consistent with
//! the lines of the file: the file header `x1`, the centre blocks (`x3`, details, `x7`), the file
//! trailer `x9`, and the counts in the trailers (spec/layouts.md §1).
#![no_main]

use libfuzzer_sys::fuzz_target;
use parsers::edi::{looks_like_edi, split_lines, MAX_PROBLEMS};
use parsers::layouts::{Layouts, FORMAT_VERSION, READ_AS_14, SLOT_LEN, SLOT_OPTION_LEN};
use parsers::problem::NotText;
use parsers::{parse_file, Content, DataType, EdiFile, FileName, ProblemKind, Records};

const NAMES: [&str; 9] = [
    "R1452070.X01",
    "E1452070.X01",
    "A1452070.X02",
    "S6A26_70.X01",
    "O6A26_70.X01",
    "C6A26_70.X01",
    "L6A26_70.X01",
    "D6A26_70.X01",
    "ULINKS10.X13",
];

/// The line of every record, in order.
fn record_lines(records: &Records) -> Vec<usize> {
    match records {
        Records::Results(v) => v.iter().map(|r| r.line).collect(),
        Records::Entries(v) => v.iter().map(|r| r.line).collect(),
        Records::Syllabuses(v) => v.iter().map(|r| r.line).collect(),
        Records::Options(v) => v.iter().map(|r| r.line).collect(),
        Records::Components(v) => v.iter().map(|r| r.line).collect(),
        Records::Links(v) => v.iter().map(|r| r.line).collect(),
        Records::Disallowed(v) => v.iter().map(|r| r.line).collect(),
        Records::UnitLinks(v) => v.iter().map(|r| r.line).collect(),
        Records::None => Vec::new(),
    }
}

fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a line is a record of level `digit` (`R1`, `O3`, ...), of any data-type letter.
fn is_level(line: &[u8], digit: u8) -> bool {
    line.len() >= 2 && line[0].is_ascii_alphabetic() && line[1] == digit
}

fn has_problem(file: &EdiFile, kind: Option<ProblemKind>, line: Option<usize>) -> bool {
    file.problems
        .iter()
        .any(|p| kind.is_none_or(|k| p.kind == k) && p.line == line)
}

/// Whether the problems were cut at the limit (so one about a line may not be listed; the
/// parser keeps the file trailer's count and the format version within it, and a file of more
/// than a thousand structure problems, such as centre trailers with no header, may lose even
/// those).
fn capped(file: &EdiFile) -> bool {
    file.problems.len() >= MAX_PROBLEMS
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
    assert_eq!(file.lines, n);

    // Every problem is on a line of the file, or of the file as a whole.
    for p in &file.problems {
        assert!(!p.message.is_empty(), "{p:?}");
        if let Some(l) = p.line {
            assert!((1..=n.max(1)).contains(&l), "{p:?} in a file of {n} lines");
        }
    }
    assert!(file.problems.len() <= MAX_PROBLEMS + 1);
    assert!(file.records.len() <= file.detail_lines.max(1) * 12);
    let rec_lines = record_lines(&file.records);
    assert!(rec_lines.windows(2).all(|w| w[0] <= w[1]), "{rec_lines:?}");

    // A unit link file: no header or trailer, every line a link.
    if name_type == DataType::UnitLinks {
        assert_eq!(file.data_type, Some(DataType::UnitLinks));
        assert_eq!(file.detail_lines, n);
        assert!(file.header.is_none() && file.trailer.is_none());
        assert!(rec_lines.windows(2).all(|w| w[0] < w[1]), "{rec_lines:?}");
        assert!(rec_lines.iter().all(|l| (1..=n).contains(l)));
        let Records::UnitLinks(v) = &file.records else {
            panic!("{:?} records in a unit link file", file.records.code());
        };
        assert!(v
            .iter()
            .all(|u| !u.certification.is_empty() && !u.unit.is_empty()));
        return;
    }

    // An empty file, or one that is not text, is not read line by line: one problem says why.
    if n == 0 || (!looks_like_edi(body) && NotText::sniff(body).is_some()) {
        let has_trailer = n > 0 && is_level(lines[n - 1], b'9');
        assert_eq!(file.detail_lines, n - usize::from(has_trailer));
        assert!(file.records.is_empty());
        assert!(file.header.is_none() && file.trailer.is_none());
        assert!(has_problem(file, Some(ProblemKind::MalformedRecord), None));
        if !has_trailer {
            assert!(has_problem(file, Some(ProblemKind::TrailerMismatch), None));
        }
        return;
    }

    // Detail lines are those after the file header and before the first file trailer that are
    // neither centre headers nor centre trailers; records come from them, in order.
    let first = usize::from(is_level(lines[0], b'1'));
    let trailer_at = (first..n).find(|&i| is_level(lines[i], b'9'));
    let end = trailer_at.unwrap_or(n);
    let is_detail =
        |i: usize| i >= first && i < end && !is_level(lines[i], b'3') && !is_level(lines[i], b'7');
    let details = (0..n).filter(|&i| is_detail(i)).count();
    assert_eq!(file.detail_lines, details, "{n} lines");
    assert_eq!(
        file.unreadable_lines(),
        file.detail_lines.saturating_sub(file.records.len())
    );
    for &l in &rec_lines {
        assert!(
            is_detail(l - 1),
            "record on line {l}, which is not a detail line"
        );
    }
    let blocks = (first..end).filter(|&i| is_level(lines[i], b'3')).count();
    assert_eq!(file.centres.len(), blocks);

    // The data type: the header's when it has detail records, else the name's.
    let data_type = file
        .data_type
        .expect("an EDI name always gives a data type");
    if file.header.is_none() {
        assert_eq!(data_type, name_type);
    }
    if let Some(code) = data_type.detail_code() {
        for &l in &rec_lines {
            assert!(
                lines[l - 1][..2].eq_ignore_ascii_case(&code),
                "line {l} is not '{code:?}'"
            );
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
    if !matches!(file.records, Records::Entries(_)) {
        assert!(rec_lines.windows(2).all(|w| w[0] < w[1]), "{rec_lines:?}");
    }

    // A format version other than 14, 13 or 12 stops the details being read; those three are
    // read.
    let version = file.header.as_ref().map_or(FORMAT_VERSION, |h| h.version);
    let supported = version == FORMAT_VERSION || READ_AS_14.contains(&version);
    if !supported {
        assert!(file.records.is_empty());
        assert!(has_problem(
            file,
            Some(ProblemKind::UnsupportedVersion),
            Some(1)
        ));
    } else {
        assert!(file
            .problems
            .iter()
            .all(|p| p.kind != ProblemKind::UnsupportedVersion));
    }

    // The file trailer is the first `x9`; a count that differs, or no trailer, is reported, and
    // every line after it is named.
    match trailer_at {
        Some(i) => {
            match &file.trailer {
                Some(t) => {
                    assert_eq!(t.line, i + 1);
                    let covered = if version == 12 { details } else { i + 1 };
                    if t.count != covered as u64 && !capped(file) {
                        assert!(has_problem(
                            file,
                            Some(ProblemKind::TrailerMismatch),
                            Some(i + 1)
                        ));
                    }
                }
                None => assert!(capped(file) || has_problem(file, None, Some(i + 1))),
            }
            if !capped(file) {
                for l in i + 2..=n {
                    assert!(
                        has_problem(file, None, Some(l)),
                        "line {l} after the trailer"
                    );
                }
            }
        }
        None => {
            assert!(file.trailer.is_none());
            assert!(capped(file) || has_problem(file, Some(ProblemKind::TrailerMismatch), None));
        }
    }

    // Each centre block's count (its header and trailer included, but in version 12) is checked.
    for b in &file.centres {
        assert!(is_level(lines[b.line - 1], b'3'));
        if let Some(t) = &b.trailer {
            assert!(is_level(lines[t.line - 1], b'7'));
            let covered = b.detail_lines + if version == 12 { 0 } else { 2 };
            if t.count != covered as u64 && !capped(file) {
                assert!(has_problem(
                    file,
                    Some(ProblemKind::TrailerMismatch),
                    Some(t.line)
                ));
            }
        }
    }
    // A block holds the detail lines from its `x3` to its `x7` (or the next `x3`, or the end).
    let mut open = false;
    let mut in_blocks = 0;
    for line in &lines[first..end] {
        if is_level(line, b'3') {
            open = true;
        } else if is_level(line, b'7') {
            open = false;
        } else if open {
            in_blocks += 1;
        }
    }
    assert_eq!(
        file.centres.iter().map(|b| b.detail_lines).sum::<usize>(),
        in_blocks
    );

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
                // An entries file has no actions and every entry an option; in an amendments
                // file every entry has an action, and only a change of details has no option.
                if data_type == DataType::Amendments {
                    let action = e.action.expect("an amendment always has an action");
                    assert_eq!(
                        action == parsers::EntryAction::Change,
                        e.option_code.is_empty(),
                        "{e:?}"
                    );
                } else {
                    assert!(e.action.is_none(), "{e:?}");
                    assert!(!e.option_code.is_empty(), "{e:?}");
                }
                assert!(e
                    .uln
                    .as_ref()
                    .is_none_or(|u| u.bytes().all(|b| b.is_ascii_digit())));
            }
        }
        Records::Options(v) => {
            for o in v {
                assert!(!o.code.is_empty(), "{o:?}");
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
        Records::UnitLinks(_) | Records::None => {}
    }

    // An entry slot's flag that is not blank (in an amendments file, not blank or `W`) is named
    // on its line, whether or not the record could be used.
    if supported && !capped(file) && matches!(data_type, DataType::Entries | DataType::Amendments) {
        let slots = Layouts::builtin().entry.slots;
        let code = data_type.detail_code().unwrap();
        for i in (0..n).filter(|&i| is_detail(i)) {
            let line = lines[i];
            if !line.get(..2).is_some_and(|c| c.eq_ignore_ascii_case(&code)) {
                continue;
            }
            for s in 0..slots.len / SLOT_LEN {
                let at = slots.start - 1 + s * SLOT_LEN + SLOT_OPTION_LEN;
                let Some(&flag) = line.get(at) else { break };
                let allowed = flag == b' '
                    || (data_type == DataType::Amendments && matches!(flag, b'W' | b'w'));
                if !allowed {
                    assert!(
                        file.problems.iter().any(|p| p.line == Some(i + 1)
                            && p.field.as_deref() == Some("entry option flag")),
                        "line {}: slot {} has the flag {flag:#04x} and no problem says so",
                        i + 1,
                        s + 1
                    );
                }
            }
        }
    }
});
