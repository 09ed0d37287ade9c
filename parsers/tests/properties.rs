//! Properties that must hold for every input: no panic on any bytes, and what the writer writes
//! the parser reads back equal.

use chrono::NaiveDate;
use parsers::{
    parse_edi, parse_file, writer, Component, DataType, EntryAction, EntryOption, EntryRecord,
    FileName, Grade, Header, Link, Records, ResultFlag, ResultRecord, Syllabus,
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
    "a2c.14520.01.EDIResults.0AD3.xml",
    "unknown.bin",
];

fn digits(n: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[0-9]{{{n}}}")).unwrap()
}

fn code(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Z0-9]{{1,{max}}}")).unwrap()
}

/// A name as boards write it, Windows-1252 letters included, no spaces at its ends.
fn name() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[A-ZÉÖ][A-ZÉÖ' :.()/-]{0,38}[A-Z]").unwrap()
}

fn grade(allow_two: bool) -> impl Strategy<Value = Option<Grade>> {
    let one = prop_oneof![
        Just("9"),
        Just("4"),
        Just("U"),
        Just("X"),
        Just("Q"),
        Just("P")
    ];
    let two = prop_oneof![Just("A*"), Just("D2"), Just("NC"), Just("*2")];
    let g = if allow_two {
        prop_oneof![
            (one, any::<bool>())
                .prop_map(|(g, hash)| format!("{g}{}", if hash { "#" } else { "" })),
            two.prop_map(String::from)
        ]
        .boxed()
    } else {
        one.prop_map(String::from).boxed()
    };
    proptest::option::of(g.prop_map(|g| Grade::parse(&g).unwrap()))
}

fn result_record() -> impl Strategy<Value = ResultRecord> {
    (
        digits(5),
        digits(4),
        code(6),
        code(13),
        prop_oneof![
            Just(ResultFlag::Mark),
            Just(ResultFlag::Endorsement),
            Just(ResultFlag::Neither)
        ],
        grade(true),
        grade(false),
        0u16..1000,
        proptest::string::string_regex("[A-Z]{1,2}").unwrap(),
        proptest::option::of(0u16..1000),
        name(),
    )
        .prop_map(
            |(centre, cand, option, uci, flag, grade, grade2, mark, end, max, name)| ResultRecord {
                line: 2,
                centre,
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

fn entry_record() -> impl Strategy<Value = EntryRecord> {
    (
        digits(4),
        code(13),
        proptest::option::of(digits(10)),
        name(),
        proptest::option::of(prop_oneof![Just('M'), Just('F')]),
        proptest::option::of((1990i32..2015, 1u32..13, 1u32..29)),
        code(6),
        proptest::option::of(prop_oneof![
            Just(EntryAction::New),
            Just(EntryAction::Withdraw),
            Just(EntryAction::Change)
        ]),
    )
        .prop_map(
            |(cand, uci, uln, name, sex, dob, option, action)| EntryRecord {
                line: 2,
                centre: "14520".into(),
                candidate_number: cand,
                uci,
                uln,
                name,
                sex,
                date_of_birth: dob.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
                option_code: option,
                action,
            },
        )
}

fn header(data_type: DataType, centre: &str) -> Header {
    Header {
        data_type,
        centre: centre.into(),
        awarding_body: "70".into(),
        series: "6A26".into(),
        version: 14,
        sequence: 1,
        created: NaiveDate::from_ymd_opt(2026, 8, 19).and_then(|d| d.and_hms_opt(0, 1, 0)),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_under_any_name_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), i in 0..NAMES.len()) {
        let parsed = parse_file(NAMES[i], &bytes);
        // every problem names a line inside the file, or none
        let lines = bytes.split(|&b| b == b'\n').count();
        for p in parsed.all_problems() {
            if let Some(l) = p.line { prop_assert!(l >= 1 && l <= lines, "line {} of {}", l, lines); }
        }
    }

    #[test]
    fn edi_shaped_lines_never_panic(lines in proptest::collection::vec(
        (prop_oneof![Just("HD"), Just("RS"), Just("EN"), Just("TR"), Just("OP"), Just("ZZ")],
         proptest::collection::vec(any::<u8>(), 0..120)), 0..20)) {
        let mut bytes = Vec::new();
        for (code, rest) in &lines {
            bytes.extend_from_slice(code.as_bytes());
            bytes.extend(rest.iter().filter(|&&b| b != b'\n'));
            bytes.extend_from_slice(b"\r\n");
        }
        for name in NAMES {
            let _ = parse_file(name, &bytes);
        }
    }

    #[test]
    fn results_round_trip(records in proptest::collection::vec(result_record(), 1..20)) {
        let mut h = header(DataType::Results, "00000");
        h.centre = records[0].centre.clone();
        let bytes = writer::file(writer::header(&h), records.iter().map(writer::result));
        let f = parse_edi(&bytes, FileName::parse("R0000070.X01").as_ref());
        prop_assert_eq!(f.header.as_ref(), Some(&h));
        let Records::Results(read) = f.records else { panic!("not results") };
        let expected: Vec<ResultRecord> = records.iter().enumerate()
            .map(|(i, r)| ResultRecord { line: i + 2, ..r.clone() }).collect();
        prop_assert_eq!(read, expected);
        prop_assert!(f.problems.iter().all(|p| p.kind == parsers::ProblemKind::CentreMismatch
            || p.kind == parsers::ProblemKind::HeaderMismatch), "{:?}", f.problems);
    }

    #[test]
    fn entries_round_trip(records in proptest::collection::vec(entry_record(), 1..20)) {
        let amendments = records.iter().all(|r| r.action.is_some());
        let records: Vec<EntryRecord> = records.into_iter()
            .map(|r| EntryRecord { action: if amendments { r.action } else { None }, ..r }).collect();
        let dt = if amendments { DataType::Amendments } else { DataType::Entries };
        let name = if amendments { "A1452070.X01" } else { "E1452070.X01" };
        let bytes = writer::file(writer::header(&header(dt, "14520")), records.iter().map(writer::entry));
        let f = parse_edi(&bytes, FileName::parse(name).as_ref());
        prop_assert!(f.problems.is_empty(), "{:?}", f.problems);
        let Records::Entries(read) = f.records else { panic!("not entries") };
        let expected: Vec<EntryRecord> = records.iter().enumerate()
            .map(|(i, r)| EntryRecord { line: i + 2, ..r.clone() }).collect();
        prop_assert_eq!(read, expected);
    }

    #[test]
    fn basedata_round_trips(code_a in code(6), code_b in code(6), title in name(), fee in proptest::option::of(0u32..999_999),
                            is_award in any::<bool>(), max in proptest::option::of(0u16..9999)) {
        let option = EntryOption { line: 2, code: code_a.clone(), syllabus: code_b.clone(), title: title.clone(),
            tier: Some('F'), gradeset: Some("G91".into()), is_award, cash_in: (!is_award).then(|| code_b.clone()), fee_pence: fee };
        let f = parse_edi(&writer::file(writer::header(&header(DataType::Options, "00000")), [writer::option(&option)]), None);
        prop_assert_eq!(f.records, Records::Options(vec![option]));

        let syllabus = Syllabus { line: 2, code: code_a.clone(), title: title.clone(), qualification: "GCSE".into(),
            level: Some(2), qan: Some("60183306".into()), discount_code: None };
        let f = parse_edi(&writer::file(writer::header(&header(DataType::Syllabuses, "00000")), [writer::syllabus(&syllabus)]), None);
        prop_assert_eq!(f.records, Records::Syllabuses(vec![syllabus]));

        let component = Component { line: 2, code: code_a.clone(), title, exam_date: NaiveDate::from_ymd_opt(2026, 6, 1),
            session: None, time_allowed_min: Some(0), max_mark: max };
        let f = parse_edi(&writer::file(writer::header(&header(DataType::Components, "00000")), [writer::component(&component)]), None);
        prop_assert_eq!(f.records, Records::Components(vec![component]));

        let link = Link { line: 2, option_code: code_a, component_code: code_b };
        let f = parse_edi(&writer::file(writer::header(&header(DataType::Links, "00000")), [writer::link(&link)]), None);
        prop_assert_eq!(f.records, Records::Links(vec![link]));
    }
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
    lines[25_000] = b"RS14520XXXX".to_vec();
    let bytes = writer::file(writer::header(&header(DataType::Results, "14520")), lines);
    let f = parse_edi(&bytes, None);
    let Records::Results(read) = &f.records else {
        panic!()
    };
    assert_eq!(read.len(), 39_999);
    assert_eq!(f.detail_lines, 40_000);
    assert_eq!(read[24_999].line, 25_001);
    assert_eq!(read[25_000].line, 25_003);
    assert_eq!(read[25_000].candidate_number, "5001");
    // the short line's candidate number and option code are both reported, on its line only
    assert_eq!(f.problems.len(), 2, "{:?}", f.problems);
    assert!(f.problems.iter().all(|p| p.line == Some(25_002)));
}
