//! Properties that must hold for every input: no panic on any bytes, and what the writer writes
//! the parser reads back equal, with no problem, whatever the line ends, the number of centre
//! blocks, or trailing spaces trimmed from the lines.

use chrono::{NaiveDate, NaiveDateTime};
use parsers::writer::{self, Block};
use parsers::{
    parse_edi, parse_file, uci, Component, DataType, Disallowed, EdiFile, EntryAction, EntryOption,
    EntryRecord, FileName, Grade, Header, Item, Link, Records, ResultFlag, ResultRecord, Session,
    Syllabus,
};
use proptest::prelude::*;

const NAMES: &[&str] = &[
    "R1452070.X01",
    "E1452070.X01",
    "A1452070.X02",
    "S6A26_70.X01",
    "O6A26_70.X01",
    "C6A26_70.X01",
    "L6A26_70.X01",
    "D6A26_70.X01",
    "ULINKS10.X13",
    "a2c.14520.01.EDIResults.0AD3.xml",
    "unknown.bin",
];

fn re(pattern: &str) -> BoxedStrategy<String> {
    proptest::string::string_regex(pattern).unwrap().boxed()
}

fn digits(n: usize) -> BoxedStrategy<String> {
    re(&format!("[0-9]{{{n}}}"))
}

/// A code of 1 to `max` capitals and digits.
fn code(max: usize) -> BoxedStrategy<String> {
    re(&format!("[A-Z0-9]{{1,{max}}}"))
}

/// Text of up to `max` characters as boards write it, Windows-1252 letters included, no spaces
/// at its ends.
fn text(max: usize) -> BoxedStrategy<String> {
    re(&format!(
        "[A-ZÉÖ][A-ZÉÖ0-9' :.()/&-]{{0,{}}}[A-Z0-9]",
        max - 2
    ))
}

/// Optional text: `None` is a blank field.
fn opt(s: BoxedStrategy<String>) -> BoxedStrategy<Option<String>> {
    proptest::option::of(s).boxed()
}

fn letter() -> BoxedStrategy<char> {
    proptest::char::range('A', 'Z').boxed()
}

/// A UCI whose check character is right, for centre 14520.
fn uci() -> BoxedStrategy<String> {
    digits(7)
        .prop_map(|serial| uci::with_check_letter(&format!("14520{serial}")).unwrap())
        .boxed()
}

/// A date a two-digit year can carry: 2000 to 2099 (exam dates), or from `from` (dates of birth).
fn date(from: i32, to: i32) -> BoxedStrategy<NaiveDate> {
    (from..=to, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
        .boxed()
}

fn grade(second: bool) -> BoxedStrategy<Option<Grade>> {
    let one = prop_oneof![
        Just("9"),
        Just("4"),
        Just("U"),
        Just("X"),
        Just("Q"),
        Just("P")
    ];
    let two = prop_oneof![Just("A*"), Just("D2"), Just("NC"), Just("*2")];
    let g = if second {
        one.prop_map(String::from).boxed()
    } else {
        prop_oneof![
            (one, any::<bool>())
                .prop_map(|(g, hash)| format!("{g}{}", if hash { "#" } else { "" })),
            two.prop_map(String::from)
        ]
        .boxed()
    };
    proptest::option::of(g.prop_map(|g| Grade::parse(&g).unwrap())).boxed()
}

fn result_record(centre: &'static str) -> impl Strategy<Value = ResultRecord> {
    (
        digits(4),
        code(6),
        uci(),
        prop_oneof![
            Just(ResultFlag::Mark),
            Just(ResultFlag::Endorsement),
            Just(ResultFlag::Neither)
        ],
        grade(false),
        grade(true),
        0u16..1000,
        re("[A-Z]{1,3}"),
        proptest::option::of(0u16..1000),
        text(40),
    )
        .prop_map(
            move |(cand, option, uci, flag, grade, grade2, mark, end, max, name)| ResultRecord {
                line: 0,
                centre: centre.into(),
                candidate_number: cand,
                option_code: option,
                uci,
                flag,
                grade,
                grade2,
                mark: (flag == ResultFlag::Mark).then_some(mark),
                max_mark: max,
                endorsement: (flag == ResultFlag::Endorsement).then_some(end),
                name,
            },
        )
}

/// One candidate's details, as an entry with no option yet.
fn candidate() -> impl Strategy<Value = EntryRecord> {
    (
        prop_oneof![Just('C'), Just('P')],
        uci(),
        opt(digits(10)),
        text(40),
        proptest::option::of(prop_oneof![Just('M'), Just('F')]),
        proptest::option::of(date(1990, 2016)),
        opt(re("[A-Z][0-9]{11}[A-Z0-9]")),
    )
        .prop_map(|(t, uci, uln, name, sex, dob, upn)| EntryRecord {
            line: 0,
            candidate_type: Some(t),
            centre: "14520".into(),
            candidate_number: String::new(),
            uci,
            uln,
            name,
            sex,
            date_of_birth: dob,
            upn,
            option_code: String::new(),
            action: None,
        })
}

/// What one candidate's records say: their options (with a withdrawal flag each, used in an
/// amendments file), or, in an amendments file, a change of details with no option.
#[derive(Debug, Clone)]
enum Slots {
    Options(Vec<(String, bool)>),
    Change,
}

fn slots(amendments: bool) -> BoxedStrategy<Slots> {
    // Up to 15 options: a candidate with more than 12 needs a second record.
    let options = proptest::collection::vec((code(6), any::<bool>()), 1..=15).prop_map(move |v| {
        Slots::Options(v.into_iter().map(|(c, w)| (c, w && amendments)).collect())
    });
    if amendments {
        prop_oneof![4 => options, 1 => Just(Slots::Change)].boxed()
    } else {
        options.boxed()
    }
}

/// Entries of several candidates (distinct candidate numbers), in the order the writer writes
/// them.
fn entries(amendments: bool) -> impl Strategy<Value = Vec<EntryRecord>> {
    proptest::collection::btree_map(0u16..10_000, (candidate(), slots(amendments)), 1..8).prop_map(
        move |candidates| {
            let mut out = Vec::new();
            for (number, (details, slots)) in candidates {
                let base = EntryRecord {
                    candidate_number: format!("{number:04}"),
                    ..details
                };
                match slots {
                    Slots::Change => out.push(EntryRecord {
                        action: Some(EntryAction::Change),
                        ..base
                    }),
                    Slots::Options(options) => {
                        for (option_code, withdraw) in options {
                            let action = match (amendments, withdraw) {
                                (false, _) => None,
                                (true, false) => Some(EntryAction::New),
                                (true, true) => Some(EntryAction::Withdraw),
                            };
                            out.push(EntryRecord {
                                option_code,
                                action,
                                ..base.clone()
                            });
                        }
                    }
                }
            }
            out
        },
    )
}

/// The entries as the parser gives them back: each candidate's options on its records, twelve
/// to a record, the first record on line `first`.
fn entry_lines(records: &[EntryRecord], first: usize) -> Vec<EntryRecord> {
    let mut out = Vec::new();
    let mut line = first;
    let mut in_record = 0;
    let mut previous: Option<&str> = None;
    for r in records {
        let same = previous == Some(r.candidate_number.as_str());
        if previous.is_some() && (!same || in_record == 12 || r.option_code.is_empty()) {
            line += 1;
            in_record = 0;
        }
        previous = Some(&r.candidate_number);
        in_record += 1;
        out.push(EntryRecord { line, ..r.clone() });
    }
    out
}

fn header(data_type: DataType, centre: &str) -> Header {
    let basedata = data_type.is_basedata();
    Header {
        data_type,
        centre: centre.into(),
        awarding_body: "70".into(),
        series: "6A26".into(),
        distribution: Some(if basedata { 'B' } else { 'S' }),
        sender: "AQA    001".into(),
        version: 14,
        sequence: 1,
        created: NaiveDate::from_ymd_opt(2026, 8, 19)
            .map(|d| NaiveDateTime::new(d, Default::default())),
    }
}

fn name_of(data_type: DataType) -> String {
    if data_type.is_basedata() {
        format!("{}6A26_70.X01", data_type.letter())
    } else {
        format!("{}1452070.X01", data_type.letter())
    }
}

/// Reads a written file under its JCQ name.
fn read(data_type: DataType, bytes: &[u8]) -> EdiFile {
    parse_edi(bytes, FileName::parse(&name_of(data_type)).as_ref())
}

/// The same file with the trailing spaces of every line trimmed, as an editor or a transfer
/// may leave it.
fn trimmed(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let (body, end): (&[u8], &[u8]) = match line {
            [body @ .., b'\r', b'\n'] => (body, b"\r\n"),
            [body @ .., b'\n'] => (body, b"\n"),
            body => (body, b""),
        };
        let keep = body.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
        out.extend_from_slice(&body[..keep]);
        out.extend_from_slice(end);
    }
    out
}

/// The file, with LF line ends, and with its lines trimmed: each must read the same.
fn variants(bytes: Vec<u8>) -> [(&'static str, Vec<u8>); 3] {
    let lf = writer::with_lf(&bytes);
    let trim = trimmed(&lf);
    [("CRLF", bytes), ("LF", lf), ("trimmed", trim)]
}

fn with_lines<T: Clone>(records: &[T], first: usize, set: impl Fn(&mut T, usize)) -> Vec<T> {
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            set(&mut r, first + i);
            r
        })
        .collect()
}

fn option_record() -> impl Strategy<Value = EntryOption> {
    let item = proptest::option::of(prop_oneof![
        Just(Item::Certification),
        Just(Item::Unit),
        Just(Item::Both)
    ]);
    (
        (
            code(6),
            code(6),
            re("([A-Z0-9]{1,4})?"),
            re("([A-Z0-9&]{1,3})?"),
            item,
            re("([A-Z0-9]{1,4})?"),
            re("([A-Z0-9&]{1,3})?"),
            proptest::option::of(letter()),
            opt(code(4)),
            opt(digits(8)),
        ),
        (
            text(36),
            proptest::option::of(prop_oneof![Just('Y'), Just('N')]),
            proptest::option::of(0u32..100_000),
            proptest::option::of(letter()),
            opt(code(4)),
            opt(code(4)),
            opt(code(4)),
            opt(code(4)),
            proptest::option::of(0u16..10_000),
            proptest::option::of(0u16..100),
        ),
    )
        .prop_map(
            |(
                (code, syllabus, qualification, level, item, uq, ul, process, discount, qan),
                (title, fee_flag, fee, result_type, g1, g2, e1, e2, max_mark, components),
            )| EntryOption {
                line: 0,
                code,
                syllabus,
                qualification,
                level,
                item,
                unit_qualification: uq,
                unit_level: ul,
                process,
                discount_code: discount,
                qan,
                title,
                fee_flag,
                fee_pence: fee,
                result_type,
                gradeset: g1,
                gradeset2: g2,
                endorsement_gradeset: e1,
                endorsement_gradeset2: e2,
                max_mark,
                components,
            },
        )
}

fn component_record() -> impl Strategy<Value = Component> {
    let session = proptest::option::of(prop_oneof![
        Just(Session::Morning),
        Just(Session::Afternoon),
        Just(Session::Other('X')),
        Just(Session::Other('D')),
    ]);
    (
        re("[A-Z0-9][A-Z0-9/]{0,11}"),
        opt(text(36)),
        proptest::option::of(prop_oneof![Just('Y'), Just('N')]),
        proptest::option::of(0u16..1000),
        opt(code(4)),
        proptest::option::of(date(2000, 2099)),
        proptest::option::of(prop_oneof![Just('T'), Just('N')]),
        proptest::option::of(date(2000, 2099)),
        session,
        proptest::option::of(0u16..1000),
    )
        .prop_map(
            |(
                code,
                title,
                teacher_marks,
                max_mark,
                gradeset,
                due,
                timetabled,
                exam,
                session,
                duration,
            )| {
                Component {
                    line: 0,
                    code,
                    title: title.unwrap_or_default(),
                    teacher_marks,
                    max_mark,
                    gradeset,
                    due_date: due,
                    timetabled,
                    exam_date: exam,
                    session,
                    duration_min: duration,
                }
            },
        )
}

/// What every round trip asks of the file read back: no problem, and its header, block and
/// counts as written.
fn check_file(f: &EdiFile, h: &Header, details: usize, how: &str) -> Result<(), TestCaseError> {
    prop_assert!(f.problems.is_empty(), "{}: {:?}", how, f.problems);
    prop_assert_eq!(f.header.as_ref(), Some(h), "{}", how);
    prop_assert_eq!(f.detail_lines, details, "{}", how);
    prop_assert_eq!(f.lines, details + 4, "{}", how);
    prop_assert_eq!(
        f.trailer.as_ref().map(|t| t.count),
        Some(details as u64 + 4)
    );
    prop_assert_eq!(f.centres.len(), 1);
    prop_assert_eq!(
        f.centres[0].trailer.as_ref().map(|t| t.count),
        Some(details as u64 + 2)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_under_any_name_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), i in 0..NAMES.len()) {
        let parsed = parse_file(NAMES[i], &bytes);
        // Every problem names a line inside the file, or none.
        let lines = bytes.split(|&b| b == b'\n').count();
        for p in parsed.all_problems() {
            if let Some(l) = p.line { prop_assert!(l >= 1 && l <= lines, "line {} of {}", l, lines); }
        }
    }

    #[test]
    fn edi_shaped_lines_never_panic(lines in proptest::collection::vec(
        (prop_oneof![Just("R1"), Just("R3"), Just("R5"), Just("R7"), Just("R9"), Just("E5"),
                     Just("A5"), Just("O1"), Just("O5"), Just("O9"), Just("C5"), Just("ZZ")],
         proptest::collection::vec(any::<u8>(), 0..200)), 0..20)) {
        let mut bytes = Vec::new();
        for (code, rest) in &lines {
            bytes.extend_from_slice(code.as_bytes());
            bytes.extend(rest.iter().filter(|&&b| b != b'\n'));
            bytes.extend_from_slice(b"\r\n");
        }
        for name in NAMES {
            let parsed = parse_file(name, &bytes);
            for p in parsed.all_problems() {
                if let Some(l) = p.line {
                    prop_assert!((1..=lines.len().max(1)).contains(&l), "{:?} of {}", p, lines.len());
                }
            }
        }
    }

    #[test]
    fn results_round_trip(records in proptest::collection::vec(result_record("14520"), 1..20)) {
        let h = header(DataType::Results, "14520");
        let bytes = writer::file(&h, records.iter().map(writer::result));
        let expected = with_lines(&records, 3, |r, l| r.line = l);
        for (how, bytes) in variants(bytes) {
            let f = read(DataType::Results, &bytes);
            check_file(&f, &h, records.len(), how)?;
            prop_assert_eq!(&f.records, &Records::Results(expected.clone()), "{}", how);
        }
    }

    #[test]
    fn entries_round_trip(records in entries(false)) {
        let h = header(DataType::Entries, "14520");
        let written = writer::entries(&records);
        let bytes = writer::file_of_blocks(&h, vec![Block {
            centre: "14520".into(),
            postcode: Some("HP65HA".into()),
            details: written.clone(),
        }]);
        let expected = entry_lines(&records, 3);
        for (how, bytes) in variants(bytes) {
            let f = read(DataType::Entries, &bytes);
            check_file(&f, &h, written.len(), how)?;
            prop_assert_eq!(f.centres[0].postcode.as_deref(), Some("HP65HA"));
            prop_assert_eq!(&f.records, &Records::Entries(expected.clone()), "{}", how);
        }
    }

    #[test]
    fn amendments_round_trip(records in entries(true)) {
        let h = header(DataType::Amendments, "14520");
        let written = writer::entries(&records);
        // Withdrawals are flagged `W` in their slot; new entries have a blank flag.
        let withdrawn = records.iter().filter(|r| r.action == Some(EntryAction::Withdraw)).count();
        let flags: usize = written
            .iter()
            .map(|l| (0..12).filter(|i| l[108 + i * 7 + 6] == b'W').count())
            .sum();
        prop_assert_eq!(flags, withdrawn);
        prop_assert!(written.iter().all(|l| l.starts_with(b"A5") && l.len() == 192));
        let bytes = writer::file(&h, written.clone());
        let expected = entry_lines(&records, 3);
        for (how, bytes) in variants(bytes) {
            let f = read(DataType::Amendments, &bytes);
            check_file(&f, &h, written.len(), how)?;
            prop_assert_eq!(&f.records, &Records::Entries(expected.clone()), "{}", how);
        }
    }

    #[test]
    fn several_centre_blocks_round_trip(
        blocks in proptest::collection::vec(
            prop_oneof![Just("14520"), Just("14521"), Just("30999")]
                .prop_flat_map(|c| (Just(c), proptest::collection::vec(result_record(c), 0..6))),
            1..5,
        ),
    ) {
        let h = header(DataType::Results, "14520");
        let bytes = writer::file_of_blocks(&h, blocks.iter().map(|(c, rs)| Block {
            centre: c.to_string(),
            postcode: None,
            details: rs.iter().map(writer::result).collect(),
        }).collect());
        let mut expected = Vec::new();
        let mut line = 2;
        for (_, rs) in &blocks {
            expected.extend(with_lines(rs, line + 1, |r, l| r.line = l));
            line += rs.len() + 2;
        }
        let total = line;
        for (how, bytes) in variants(bytes) {
            let f = read(DataType::Results, &bytes);
            prop_assert!(f.problems.is_empty(), "{}: {:?}", how, f.problems);
            prop_assert_eq!(f.header.as_ref(), Some(&h));
            prop_assert_eq!(f.lines, total);
            prop_assert_eq!(f.trailer.as_ref().map(|t| (t.count, t.centres)),
                Some((total as u64, Some(blocks.len() as u64))));
            let read_blocks: Vec<(String, usize, Option<u64>)> = f.centres.iter()
                .map(|b| (b.centre.clone(), b.detail_lines, b.trailer.as_ref().map(|t| t.count)))
                .collect();
            let written_blocks: Vec<(String, usize, Option<u64>)> = blocks.iter()
                .map(|(c, rs)| (c.to_string(), rs.len(), Some(rs.len() as u64 + 2)))
                .collect();
            prop_assert_eq!(read_blocks, written_blocks);
            prop_assert_eq!(&f.records, &Records::Results(expected.clone()), "{}", how);
        }
    }

    #[test]
    fn syllabuses_round_trip(records in proptest::collection::vec(
        (code(6), text(36)).prop_map(|(code, title)| Syllabus { line: 0, code, title }), 1..10)) {
        let h = header(DataType::Syllabuses, "6A26_");
        let bytes = writer::file(&h, records.iter().map(writer::syllabus));
        let expected = with_lines(&records, 3, |r, l| r.line = l);
        for (how, bytes) in variants(bytes) {
            let f = read(DataType::Syllabuses, &bytes);
            check_file(&f, &h, records.len(), how)?;
            prop_assert_eq!(&f.records, &Records::Syllabuses(expected.clone()), "{}", how);
        }
    }

    #[test]
    fn options_round_trip(records in proptest::collection::vec(option_record(), 1..10)) {
        let h = header(DataType::Options, "6A26_");
        let bytes = writer::file(&h, records.iter().map(writer::option));
        let expected = with_lines(&records, 3, |r, l| r.line = l);
        for (how, bytes) in variants(bytes) {
            let f = read(DataType::Options, &bytes);
            check_file(&f, &h, records.len(), how)?;
            prop_assert_eq!(&f.records, &Records::Options(expected.clone()), "{}", how);
        }
    }

    #[test]
    fn components_round_trip(records in proptest::collection::vec(component_record(), 1..10)) {
        let h = header(DataType::Components, "6A26_");
        let bytes = writer::file(&h, records.iter().map(writer::component));
        let expected = with_lines(&records, 3, |r, l| r.line = l);
        for (how, bytes) in variants(bytes) {
            let f = read(DataType::Components, &bytes);
            check_file(&f, &h, records.len(), how)?;
            prop_assert_eq!(&f.records, &Records::Components(expected.clone()), "{}", how);
        }
    }

    #[test]
    fn links_and_disallowed_round_trip(
        links in proptest::collection::vec((code(6), re("[A-Z0-9][A-Z0-9/]{0,11}"))
            .prop_map(|(o, c)| Link { line: 0, option_code: o, component_code: c }), 1..10),
        disallowed in proptest::collection::vec(
            (re("[A-Z0-9]{1,5}\\*?"), re("[A-Z0-9]{1,5}\\*?"), opt(re("[A-Z0-9]{1,5}\\*?")))
                .prop_map(|(a, b, c)| Disallowed { line: 0, option_a: a, option_b: b, option_c: c }),
            1..10),
    ) {
        let h = header(DataType::Links, "6A26_");
        let bytes = writer::file(&h, links.iter().map(writer::link));
        let expected = with_lines(&links, 3, |r, l| r.line = l);
        for (how, bytes) in variants(bytes) {
            let f = read(DataType::Links, &bytes);
            check_file(&f, &h, links.len(), how)?;
            prop_assert_eq!(&f.records, &Records::Links(expected.clone()), "{}", how);
        }

        let h = header(DataType::Disallowed, "6A26_");
        let bytes = writer::file(&h, disallowed.iter().map(writer::disallowed));
        let expected = with_lines(&disallowed, 3, |r, l| r.line = l);
        for (how, bytes) in variants(bytes) {
            let f = read(DataType::Disallowed, &bytes);
            check_file(&f, &h, disallowed.len(), how)?;
            prop_assert_eq!(&f.records, &Records::Disallowed(expected.clone()), "{}", how);
        }
    }
}

#[test]
fn every_written_line_has_its_record_length() {
    let h = header(DataType::Options, "6A26_");
    let o = EntryOption {
        line: 0,
        code: "8300F".into(),
        syllabus: "8300".into(),
        qualification: "GCSE".into(),
        level: "FC".into(),
        item: Some(Item::Certification),
        unit_qualification: String::new(),
        unit_level: String::new(),
        process: None,
        discount_code: None,
        qan: None,
        title: "MATHEMATICS".into(),
        fee_flag: None,
        fee_pence: None,
        result_type: None,
        gradeset: Some("40".into()),
        gradeset2: None,
        endorsement_gradeset: None,
        endorsement_gradeset2: None,
        max_mark: None,
        components: None,
    };
    let bytes = writer::file(&h, [writer::option(&o)]);
    let lines: Vec<&[u8]> = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let types: Vec<&[u8]> = lines.iter().map(|l| &l[..2]).collect();
    assert_eq!(types, [b"O1", b"O3", b"O5", b"O7", b"O9"]);
    for l in &lines {
        assert_eq!(l.len(), 116, "{:?}", String::from_utf8_lossy(l)); // 115 and the CR
        assert!(l.ends_with(b"\r"));
    }
    assert!(lines[3].starts_with(b"O76A26_0000003190826"));
    assert!(lines[4].starts_with(b"O96A26_00000050000001"));
}

#[test]
fn a_large_file_parsed_in_parallel_chunks_keeps_order_and_line_numbers() {
    let records: Vec<ResultRecord> = (0..40_000u32)
        .map(|i| ResultRecord {
            line: 0,
            centre: "14520".into(),
            candidate_number: format!("{:04}", i % 10_000),
            option_code: format!("OPT{}", i / 10_000),
            uci: "145200260007L".into(),
            flag: ResultFlag::Neither,
            grade: Grade::parse("5"),
            grade2: None,
            mark: None,
            max_mark: None,
            endorsement: None,
            name: "SMITH:ANN".into(),
        })
        .collect();
    let mut lines: Vec<Vec<u8>> = records.iter().map(writer::result).collect();
    lines[25_000] = b"R514520XXXX".to_vec();
    let bytes = writer::file(&header(DataType::Results, "14520"), lines);
    let f = parse_edi(&bytes, None);
    let Records::Results(read) = &f.records else {
        panic!()
    };
    assert_eq!(read.len(), 39_999);
    assert_eq!(f.detail_lines, 40_000);
    assert_eq!(f.trailer.as_ref().map(|t| t.count), Some(40_004));
    assert_eq!(read[0].line, 3);
    assert_eq!(read[24_999].line, 25_002);
    assert_eq!(read[25_000].line, 25_004);
    assert_eq!(read[25_000].candidate_number, "5001");
    // The short line's candidate number and option code are both reported, on its line only;
    // the counts, which include it, agree.
    assert_eq!(f.problems.len(), 2, "{:?}", f.problems);
    assert!(f.problems.iter().all(|p| p.line == Some(25_003)));
    let fields: Vec<_> = f
        .problems
        .iter()
        .map(|p| p.field.as_deref().unwrap())
        .collect();
    assert_eq!(fields, ["candidate number", "entry option code"]);
}
