//! Each record type read from bytes placed at the positions spec/layouts.md (version 2) gives,
//! field by field: the file header `x1`, centre header `x3`, centre trailer `x7`, file trailer
//! `x9`, and the detail records `R5`, `E5`/`A5`, `S5`, `O5`, `C5`, `L5`, `D5`.

use chrono::{NaiveDate, NaiveDateTime};
use parsers::{
    parse_edi, parse_file, BlockTrailer, Content, DataType, EdiFile, EntryAction, FileName, Grade,
    Item, ProblemKind, Records, ResultFlag, Session, Trailer,
};

/// A record of `len` bytes with each text placed at its 1-based start and spaces elsewhere
/// (independent of layouts.rs, so these tests check the table against the written layout).
fn rec(len: usize, parts: &[(usize, &[u8])]) -> Vec<u8> {
    let end = parts
        .iter()
        .map(|(s, t)| s - 1 + t.len())
        .max()
        .unwrap_or(0);
    let mut out = vec![b' '; len.max(end)];
    for (start, text) in parts {
        out[start - 1..start - 1 + text.len()].copy_from_slice(text);
    }
    out
}

/// The record length of each data type's files (every line is padded to it).
fn record_len(letter: u8) -> usize {
    match letter {
        b'R' => 92,
        b'E' | b'A' => 192,
        b'S' => 45,
        b'O' => 115,
        b'C' => 75,
        b'L' | b'D' => 26,
        other => panic!("no record length for {}", other as char),
    }
}

fn code(letter: u8, level: u8) -> [u8; 2] {
    [letter, level]
}

/// File header `x1`, series 6A26, format version 14.
fn x1(letter: u8, centre: &str, ab: &str) -> Vec<u8> {
    x1_version(letter, centre, ab, "14")
}

fn x1_version(letter: u8, centre: &str, ab: &str, version: &str) -> Vec<u8> {
    let distribution: &[u8] = if centre.ends_with('_') { b"B" } else { b"S" };
    rec(
        record_len(letter),
        &[
            (1, &code(letter, b'1')),
            (3, centre.as_bytes()),
            (8, ab.as_bytes()),
            (10, b"6A"),
            (12, b"26"),
            (14, distribution),
            (15, b"AQA    001"),
            (25, version.as_bytes()),
        ],
    )
}

/// Centre header `x3`.
fn x3(letter: u8, centre: &str, ab: &str, seq: &str, postcode: &str) -> Vec<u8> {
    rec(
        record_len(letter),
        &[
            (1, &code(letter, b'3')),
            (3, centre.as_bytes()),
            (8, ab.as_bytes()),
            (10, b"6A"),
            (12, b"26"),
            (14, seq.as_bytes()),
            (17, postcode.as_bytes()),
        ],
    )
}

/// Centre trailer `x7`: `count` records, its header and trailer included; dated 19 August 2026.
fn x7(letter: u8, centre: &str, count: usize) -> Vec<u8> {
    rec(
        record_len(letter),
        &[
            (1, &code(letter, b'7')),
            (3, centre.as_bytes()),
            (8, format!("{count:07}").as_bytes()),
            (15, b"190826"),
        ],
    )
}

/// File trailer `x9`: `count` records of the file, `centres` centre blocks.
fn x9(letter: u8, centre: &str, count: usize, centres: usize) -> Vec<u8> {
    rec(
        record_len(letter),
        &[
            (1, &code(letter, b'9')),
            (3, centre.as_bytes()),
            (8, format!("{count:07}").as_bytes()),
            (15, format!("{centres:07}").as_bytes()),
        ],
    )
}

/// Lines joined with CRLF, as the boards write them.
fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A whole file of one block with every count right: `x1`, `x3` (sequence 001), the details,
/// `x7`, `x9`.
fn file(letter: u8, centre: &str, ab: &str, details: &[Vec<u8>]) -> Vec<u8> {
    let postcode = if matches!(letter, b'E' | b'A') {
        "HP65HA"
    } else {
        ""
    };
    let mut lines = vec![
        x1(letter, centre, ab),
        x3(letter, centre, ab, "001", postcode),
    ];
    lines.extend(details.iter().cloned());
    lines.push(x7(letter, centre, details.len() + 2));
    lines.push(x9(letter, centre, details.len() + 4, 1));
    join(&lines)
}

fn parse(name: &str, bytes: &[u8]) -> EdiFile {
    parse_edi(bytes, FileName::parse(name).as_ref())
}

fn kinds(f: &EdiFile) -> Vec<(ProblemKind, Option<usize>, &str)> {
    f.problems
        .iter()
        .map(|p| (p.kind, p.line, p.field.as_deref().unwrap_or("")))
        .collect()
}

const UCI7: &[u8] = b"145200260007L";

fn r5(cand: &str, option: &str, flag: u8, g1: &str, g2: &str, me: &str, max: &str) -> Vec<u8> {
    rec(
        92,
        &[
            (1, b"R5"),
            (3, b"14520"),
            (8, cand.as_bytes()),
            (12, option.as_bytes()),
            (18, UCI7),
            (37, &[flag]),
            (38, g1.as_bytes()),
            (40, g2.as_bytes()),
            (42, me.as_bytes()),
            (45, max.as_bytes()),
            (53, b"O'NEILL:\xC9MILE"),
        ],
    )
}

/// An entries or amendments record: the candidate's details and option slots, each slot an
/// option code and its flag byte.
fn e5(record_type: &[u8], cand: &str, slots: &[(&str, u8)]) -> Vec<u8> {
    let mut parts: Vec<(usize, Vec<u8>)> = vec![
        (1, record_type.to_vec()),
        (3, b"C".to_vec()),
        (4, b"14520".to_vec()),
        (9, cand.as_bytes().to_vec()),
        (13, b"O'NEILL:\xC9MILE".to_vec()),
        (53, b"F".to_vec()),
        (54, b"140310".to_vec()),
        (60, UCI7.to_vec()),
        (73, b"A123456789012".to_vec()),
        (86, b"4123456789".to_vec()),
    ];
    for (i, (option, flag)) in slots.iter().enumerate() {
        let start = 109 + i * 7;
        parts.push((start, option.as_bytes().to_vec()));
        parts.push((start + 6, vec![*flag]));
    }
    let parts: Vec<(usize, &[u8])> = parts.iter().map(|(s, t)| (*s, t.as_slice())).collect();
    rec(192, &parts)
}

#[test]
fn header_and_trailer_fields() {
    // Series letters are case-insensitive (OCR writes `6b`).
    let mut h = x1(b'R', "14520", "70");
    h[9] = b'6';
    h[10] = b'a';
    let bytes = join(&[
        h,
        x3(b'R', "14520", "70", "002", ""),
        x7(b'R', "14520", 2),
        x9(b'R', "14520", 4, 1),
    ]);
    let f = parse("R1452070.X02", &bytes);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let h = f.header.as_ref().unwrap();
    assert_eq!(h.data_type, DataType::Results);
    assert_eq!(h.centre, "14520");
    assert_eq!(h.awarding_body, "70");
    assert_eq!(h.series, "6A26");
    assert_eq!(h.distribution, Some('S'));
    assert_eq!(h.sender, "AQA    001");
    assert_eq!(h.version, 14);
    assert_eq!(h.sequence, 2);
    assert_eq!(
        h.created,
        Some(NaiveDateTime::parse_from_str("2026-08-19 00:00", "%Y-%m-%d %H:%M").unwrap())
    );
    assert_eq!(f.centres.len(), 1);
    let b = &f.centres[0];
    assert_eq!(
        (b.line, b.centre.as_str(), b.awarding_body.as_str()),
        (2, "14520", "70")
    );
    assert_eq!(
        (b.sequence, b.postcode.as_deref(), b.detail_lines),
        (Some(2), None, 0)
    );
    assert_eq!(
        b.trailer,
        Some(BlockTrailer {
            line: 3,
            count: 2,
            date: NaiveDate::from_ymd_opt(2026, 8, 19)
        })
    );
    assert_eq!(
        f.trailer,
        Some(Trailer {
            line: 4,
            count: 4,
            centres: Some(1)
        })
    );
    assert_eq!((f.lines, f.detail_lines), (4, 0));
}

#[test]
fn result_with_mark() {
    let bytes = file(
        b'R',
        "14520",
        "01",
        &[r5("0007", "J560F", b'M', "5", "", "123", "300")],
    );
    let f = parse("R1452001.X01", &bytes);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let Records::Results(rs) = &f.records else {
        panic!()
    };
    let r = &rs[0];
    assert_eq!(r.line, 3);
    assert_eq!(r.centre, "14520");
    assert_eq!(r.candidate_number, "0007");
    assert_eq!(r.option_code, "J560F");
    assert_eq!(r.uci, "145200260007L");
    assert_eq!(r.flag, ResultFlag::Mark);
    assert_eq!(
        r.grade,
        Some(Grade {
            code: "5".into(),
            partial_absence: false
        })
    );
    assert_eq!(r.grade2, None);
    assert_eq!(r.mark, Some(123));
    assert_eq!(r.max_mark, Some(300));
    assert_eq!(r.endorsement, None);
    assert_eq!(r.name, "O'NEILL:ÉMILE");
    assert_eq!(f.centres[0].detail_lines, 1);
}

#[test]
fn result_with_endorsement_double_award_and_partial_absence() {
    let bytes = file(
        b'R',
        "14520",
        "70",
        &[
            r5("0001", "8700", b'E', "6#", "", "M", ""),
            r5("0001", "8464H", b' ', "7", "6", "", ""),
            r5("0001", "8702", b' ', "X", "", "", ""),
            r5("0001", "8145", b' ', "Q", "", "", ""),
            r5("0001", "7402", b' ', "U#", "", "", ""),
        ],
    );
    let f = parse("R1452070.X01", &bytes);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let Records::Results(rs) = &f.records else {
        panic!()
    };
    assert_eq!(rs[0].flag, ResultFlag::Endorsement);
    assert_eq!(rs[0].endorsement.as_deref(), Some("M"));
    assert_eq!(rs[0].mark, None);
    let g = rs[0].grade.as_ref().unwrap();
    assert_eq!((g.code.as_str(), g.partial_absence), ("6", true));
    assert_eq!(g.as_sent(), "6#");
    assert_eq!(rs[1].grade.as_ref().unwrap().code, "7");
    assert_eq!(rs[1].grade2.as_ref().unwrap().code, "6");
    assert!(rs[2].grade.as_ref().unwrap().is_no_result());
    assert!(rs[3].grade.as_ref().unwrap().is_pending());
    let u = rs[4].grade.as_ref().unwrap();
    assert!(u.is_unclassified() && u.partial_absence);
}

#[test]
fn blank_grade_is_absent_not_an_error() {
    let bytes = file(
        b'R',
        "14520",
        "70",
        &[r5("0001", "8035", b' ', "", "", "", "")],
    );
    let f = parse("R1452070.X01", &bytes);
    let Records::Results(rs) = &f.records else {
        panic!()
    };
    assert_eq!(rs[0].grade, None);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn a_mark_with_a_blank_flag_is_reported_on_the_flag() {
    let bytes = file(
        b'R',
        "14520",
        "70",
        &[r5("0001", "8300F", b' ', "5", "", "123", "300")],
    );
    let f = parse("R1452070.X01", &bytes);
    assert_eq!(
        kinds(&f),
        [(ProblemKind::MalformedRecord, Some(3), "result flag")]
    );
    let Records::Results(rs) = &f.records else {
        panic!()
    };
    assert_eq!((rs[0].mark, rs[0].max_mark), (None, Some(300)));
}

#[test]
fn an_entries_record_gives_one_entry_per_filled_slot() {
    let mut private = e5(b"E5", "0008", &[("8300F ", b' ')]);
    private[2] = b'P';
    private[52] = b'M';
    private[53..59].copy_from_slice(b"010598");
    let bytes = file(
        b'E',
        "14520",
        "01",
        &[
            // Slots 1, 2 and 4 filled, 3 blank: every filled slot is read.
            e5(
                b"E5",
                "0007",
                &[
                    ("J560H ", b' '),
                    ("J351  ", b' '),
                    ("      ", b' '),
                    ("8300F ", b' '),
                ],
            ),
            private,
        ],
    );
    let f = parse("E1452001.X01", &bytes);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(f.centres[0].postcode.as_deref(), Some("HP65HA"));
    let Records::Entries(es) = &f.records else {
        panic!()
    };
    let options: Vec<(usize, &str)> = es
        .iter()
        .map(|e| (e.line, e.option_code.as_str()))
        .collect();
    assert_eq!(
        options,
        [(3, "J560H"), (3, "J351"), (3, "8300F"), (4, "8300F")]
    );
    for e in &es[..3] {
        assert_eq!(e.candidate_type, Some('C'));
        assert_eq!(e.centre, "14520");
        assert_eq!(e.candidate_number, "0007");
        assert_eq!(e.name, "O'NEILL:ÉMILE");
        assert_eq!(e.sex, Some('F'));
        assert_eq!(e.date_of_birth, NaiveDate::from_ymd_opt(2010, 3, 14));
        assert_eq!(e.uci, "145200260007L");
        assert_eq!(e.upn.as_deref(), Some("A123456789012"));
        assert_eq!(e.uln.as_deref(), Some("4123456789"));
        assert_eq!(e.action, None);
    }
    // A two-digit year after the series year is of the last century.
    let p = &es[3];
    assert_eq!((p.candidate_type, p.sex), (Some('P'), Some('M')));
    assert_eq!(p.date_of_birth, NaiveDate::from_ymd_opt(1998, 5, 1));
}

#[test]
fn twelve_slots_are_read_and_no_more() {
    let codes: Vec<String> = (1..=12).map(|i| format!("OPT{i:02} ")).collect();
    let slots: Vec<(&str, u8)> = codes.iter().map(|c| (c.as_str(), b' ')).collect();
    let mut record = e5(b"E5", "0007", &slots);
    assert_eq!(record.len(), 192);
    // A thirteenth slot would be past the record length: extra text, not an entry.
    record.extend_from_slice(b"OPT13  ");
    let f = parse("E1452001.X01", &file(b'E', "14520", "01", &[record]));
    let Records::Entries(es) = &f.records else {
        panic!()
    };
    let read: Vec<&str> = es.iter().map(|e| e.option_code.as_str()).collect();
    let expected: Vec<&str> = codes.iter().map(|c| c.trim_end()).collect();
    assert_eq!(read, expected);
    assert_eq!(
        kinds(&f),
        [(ProblemKind::ExtraText, Some(3), "after the record")]
    );
}

#[test]
fn amendments_new_withdraw_and_change_of_details() {
    let bytes = file(
        b'A',
        "14520",
        "01",
        &[
            e5(
                b"A5",
                "0007",
                &[("J560H ", b' '), ("J560F ", b'W'), ("J351  ", b'w')],
            ),
            // No options: the candidate's details change, nothing else.
            e5(b"A5", "0008", &[]),
            // A flag that is neither blank nor W is reported and read as a new entry.
            e5(b"A5", "0009", &[("8300F ", b'X')]),
            // A flag with no option code is reported and the slot not read.
            e5(b"A5", "0010", &[("8300H ", b' '), ("      ", b'W')]),
        ],
    );
    let f = parse("A1452001.X01", &bytes);
    let Records::Entries(es) = &f.records else {
        panic!()
    };
    let read: Vec<(usize, &str, &str, Option<EntryAction>)> = es
        .iter()
        .map(|e| {
            (
                e.line,
                e.candidate_number.as_str(),
                e.option_code.as_str(),
                e.action,
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            (3, "0007", "J560H", Some(EntryAction::New)),
            (3, "0007", "J560F", Some(EntryAction::Withdraw)),
            (3, "0007", "J351", Some(EntryAction::Withdraw)),
            (4, "0008", "", Some(EntryAction::Change)),
            (5, "0009", "8300F", Some(EntryAction::New)),
            (6, "0010", "8300H", Some(EntryAction::New)),
        ]
    );
    assert_eq!(es[3].name, "O'NEILL:ÉMILE");
    assert_eq!(
        kinds(&f),
        [
            (ProblemKind::MalformedRecord, Some(5), "entry option flag"),
            (ProblemKind::MalformedRecord, Some(6), "entry option flag"),
        ]
    );
    assert_eq!(
        f.problems[0].message,
        "slot 1 (8300F): expected the flag blank (a new entry) or 'W' (a withdrawal), found 'X'; \
         read as a new entry"
    );
    assert_eq!(
        f.problems[1].message,
        "slot 2 has the flag 'W' but no option code; slot not read"
    );
}

#[test]
fn a_flag_in_an_entries_file_is_reported_and_the_entry_kept() {
    let bytes = file(
        b'E',
        "14520",
        "01",
        &[
            e5(b"E5", "0007", &[("J560H ", b'W')]),
            e5(b"E5", "0008", &[]),
        ],
    );
    let f = parse("E1452001.X01", &bytes);
    let Records::Entries(es) = &f.records else {
        panic!()
    };
    // An entries record with no options enters the candidate for nothing.
    assert_eq!(es.len(), 1);
    assert_eq!((es[0].option_code.as_str(), es[0].action), ("J560H", None));
    assert_eq!(
        kinds(&f),
        [(ProblemKind::MalformedRecord, Some(3), "entry option flag")]
    );
    assert!(f.problems[0]
        .message
        .contains("expected the flag blank in an entries file"));
}

#[test]
fn syllabus_records() {
    let s = parse(
        "S6A26_70.X01",
        &file(
            b'S',
            "6A26_",
            "70",
            &[
                rec(45, &[(1, b"S5"), (3, b"8300"), (10, b"MATHEMATICS")]),
                rec(45, &[(1, b"S5"), (3, b"8702"), (10, b"ENGLISH LITERATURE")]),
            ],
        ),
    );
    assert!(s.problems.is_empty(), "{:?}", s.problems);
    assert_eq!(s.header.as_ref().unwrap().distribution, Some('B'));
    let Records::Syllabuses(v) = &s.records else {
        panic!()
    };
    let read: Vec<(usize, &str, &str)> = v
        .iter()
        .map(|s| (s.line, s.code.as_str(), s.title.as_str()))
        .collect();
    assert_eq!(
        read,
        [
            (3, "8300", "MATHEMATICS"),
            (4, "8702", "ENGLISH LITERATURE")
        ]
    );
}

#[test]
fn option_records() {
    let award = rec(
        115,
        &[
            (1, b"O5"),
            (3, b"8300F"),
            (9, b"8300"),
            (15, b"GCSE"),
            (19, b"FC"),
            (22, b"C"),
            (30, b"E"),
            (31, b"2210"),
            (35, b"60183306"),
            (43, b"MATHEMATICS FOUNDATION"),
            (79, b"Y"),
            (80, b"04150"),
            (85, b"40  40  "),
            (93, b"G"),
            (94, b"40"),
            (102, b"42"),
            (110, b"0240"),
            (114, b"03"),
        ],
    );
    let unit = rec(
        115,
        &[
            (1, b"O5"),
            (3, b"40201F"),
            (9, b"4020"),
            (22, b"U"),
            (23, b"GCSE"),
            (27, b"B"),
            (30, b"E"),
            (43, b"CLASSICAL CIVILISATION UNIT 1F"),
            (79, b"Y"),
            (80, b"00920"),
            (93, b"U"),
            (94, b"Q"),
            (110, b"0069"),
            (114, b"01"),
        ],
    );
    let double = rec(
        115,
        &[
            (1, b"O5"),
            (3, b"8464H"),
            (9, b"8464"),
            (15, b"GCSE"),
            (19, b"DA"),
            (22, b"B"),
            (43, b"COMBINED SCIENCE TRILOGY H"),
            (94, b"15"),
            (98, b"15"),
            (106, b"43"),
        ],
    );
    let o = parse(
        "O6A26_70.X01",
        &file(b'O', "6A26_", "70", &[award, unit, double]),
    );
    assert!(o.problems.is_empty(), "{:?}", o.problems);
    let Records::Options(v) = &o.records else {
        panic!()
    };
    let a = &v[0];
    assert_eq!(a.line, 3);
    assert_eq!((a.code.as_str(), a.syllabus.as_str()), ("8300F", "8300"));
    assert_eq!((a.qualification.as_str(), a.level.as_str()), ("GCSE", "FC"));
    assert_eq!(a.item, Some(Item::Certification));
    assert_eq!(
        (a.unit_qualification.as_str(), a.unit_level.as_str()),
        ("", "")
    );
    assert_eq!(a.process, Some('E'));
    assert_eq!(a.discount_code.as_deref(), Some("2210"));
    assert_eq!(a.qan.as_deref(), Some("60183306"));
    assert_eq!(a.title, "MATHEMATICS FOUNDATION");
    assert_eq!((a.fee_flag, a.fee_pence), (Some('Y'), Some(4150)));
    assert_eq!(a.result_type, Some('G'));
    assert_eq!(a.gradeset.as_deref(), Some("40"));
    assert_eq!(a.gradeset2, None);
    assert_eq!(a.endorsement_gradeset.as_deref(), Some("42"));
    assert_eq!(a.endorsement_gradeset2, None);
    assert_eq!((a.max_mark, a.components), (Some(240), Some(3)));
    assert!(a.is_award());
    assert_eq!(a.qualification_or_unit(), "GCSE");

    let u = &v[1];
    assert_eq!(u.item, Some(Item::Unit));
    assert_eq!(u.qualification, "");
    assert_eq!(
        (u.unit_qualification.as_str(), u.unit_level.as_str()),
        ("GCSE", "B")
    );
    assert_eq!(u.qualification_or_unit(), "GCSE");
    assert_eq!(u.fee_pence, Some(920));
    assert_eq!(
        (u.result_type, u.gradeset.as_deref()),
        (Some('U'), Some("Q"))
    );
    assert_eq!((u.discount_code.as_deref(), u.qan.as_deref()), (None, None));
    assert_eq!((u.max_mark, u.components), (Some(69), Some(1)));
    assert!(!u.is_award());

    let d = &v[2];
    assert_eq!(d.item, Some(Item::Both));
    assert_eq!(d.level, "DA");
    assert_eq!(
        (d.gradeset.as_deref(), d.gradeset2.as_deref()),
        (Some("15"), Some("15"))
    );
    assert_eq!(
        (
            d.endorsement_gradeset.as_deref(),
            d.endorsement_gradeset2.as_deref()
        ),
        (None, Some("43"))
    );
    assert_eq!(
        (d.fee_flag, d.fee_pence, d.max_mark, d.components),
        (None, None, None, None)
    );
    assert!(d.is_award());
}

#[test]
fn component_records() {
    let c = parse(
        "C6A26_01.X01",
        &file(
            b'C',
            "6A26_",
            "01",
            &[
                rec(
                    75,
                    &[
                        (1, b"C5"),
                        (3, b"J56001"),
                        (15, b"PAPER 1 (FOUNDATION)"),
                        (51, b"N"),
                        (52, b"100"),
                        (59, b"000000"),
                        (65, b"T"),
                        (66, b"210526"),
                        (72, b"A"),
                        (73, b"090"),
                    ],
                ),
                rec(
                    75,
                    &[
                        (1, b"C5"),
                        (3, b"R06901"),
                        (15, b"NEA"),
                        (51, b"Y"),
                        (52, b"060"),
                        (55, b"21"),
                        (59, b"150526"),
                        (65, b"N"),
                        (66, b"000000"),
                        (72, b"X"),
                        (73, b"000"),
                    ],
                ),
                rec(
                    75,
                    &[
                        (1, b"C5"),
                        (3, b"8300/3H"),
                        (65, b"T"),
                        (66, b"110626"),
                        (72, b"P"),
                    ],
                ),
            ],
        ),
    );
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    let Records::Components(v) = &c.records else {
        panic!()
    };
    let p = &v[0];
    assert_eq!(
        (p.code.as_str(), p.title.as_str()),
        ("J56001", "PAPER 1 (FOUNDATION)")
    );
    assert_eq!(
        (p.teacher_marks, p.max_mark, p.gradeset.as_deref()),
        (Some('N'), Some(100), None)
    );
    assert_eq!((p.due_date, p.timetabled), (None, Some('T')));
    assert_eq!(p.exam_date, NaiveDate::from_ymd_opt(2026, 5, 21));
    assert_eq!(
        (p.session, p.duration_min),
        (Some(Session::Morning), Some(90))
    );

    let nea = &v[1];
    assert_eq!((nea.teacher_marks, nea.max_mark), (Some('Y'), Some(60)));
    assert_eq!(nea.gradeset.as_deref(), Some("21"));
    assert_eq!(nea.due_date, NaiveDate::from_ymd_opt(2026, 5, 15));
    assert_eq!((nea.timetabled, nea.exam_date), (Some('N'), None));
    assert_eq!(
        (nea.session, nea.duration_min),
        (Some(Session::Other('X')), Some(0))
    );

    let blank = &v[2];
    assert_eq!(blank.code, "8300/3H");
    assert_eq!(
        (blank.title.as_str(), blank.max_mark, blank.duration_min),
        ("", None, None)
    );
    assert_eq!(blank.session, Some(Session::Afternoon));
    assert_eq!(blank.exam_date, NaiveDate::from_ymd_opt(2026, 6, 11));
}

#[test]
fn link_and_disallowed_records() {
    let l = parse(
        "L6A26_01.X01",
        &file(
            b'L',
            "6A26_",
            "01",
            &[
                rec(26, &[(1, b"L5"), (3, b"J560F"), (9, b"J56001")]),
                rec(26, &[(1, b"L5"), (3, b"8300F"), (9, b"8300/1F     ")]),
            ],
        ),
    );
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    let Records::Links(v) = &l.records else {
        panic!()
    };
    let read: Vec<(&str, &str)> = v
        .iter()
        .map(|k| (k.option_code.as_str(), k.component_code.as_str()))
        .collect();
    assert_eq!(read, [("J560F", "J56001"), ("8300F", "8300/1F")]);

    let d = parse(
        "D6A26_10.X01",
        &file(
            b'D',
            "6A26_",
            "10",
            &[
                rec(26, &[(1, b"D5"), (3, b"KBI0* "), (9, b"KSC0* ")]),
                rec(
                    26,
                    &[(1, b"D5"), (3, b"1MA1F"), (9, b"1MA1H"), (15, b"1MA0F")],
                ),
            ],
        ),
    );
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let Records::Disallowed(v) = &d.records else {
        panic!()
    };
    let read: Vec<(&str, &str, Option<&str>)> = v
        .iter()
        .map(|d| {
            (
                d.option_a.as_str(),
                d.option_b.as_str(),
                d.option_c.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [("KBI0*", "KSC0*", None), ("1MA1F", "1MA1H", Some("1MA0F"))]
    );
}

#[test]
fn basedata_series_block_may_say_00000() {
    let bytes = join(&[
        x1(b'L', "00000", "01"),
        x3(b'L', "00000", "01", "001", ""),
        rec(26, &[(1, b"L5"), (3, b"J560F"), (9, b"J56001")]),
        x7(b'L', "00000", 3),
        x9(b'L', "00000", 5, 0),
    ]);
    let f = parse("L6A26_01.X01", &bytes);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(f.records.len(), 1);
    assert_eq!(f.header.unwrap().series, "6A26");
}

#[test]
fn malformed_lines_are_reported_and_the_rest_is_read() {
    let bytes = file(
        b'R',
        "14520",
        "70",
        &[
            r5("0001", "8300F", b'M', "5", "", "1X3", "300"),
            b"ZZ garbage".to_vec(),
            r5("00A2", "8300F", b' ', "5", "", "", ""),
            r5("0003", "8300F", b' ', "4", "", "", ""),
        ],
    );
    let f = parse("R1452070.X01", &bytes);
    let Records::Results(rs) = &f.records else {
        panic!()
    };
    // The bad mark is dropped, the record kept; the bad candidate number loses the record.
    assert_eq!(rs.len(), 2);
    assert_eq!(rs[0].mark, None);
    assert_eq!(rs[1].candidate_number, "0003");
    assert_eq!(f.detail_lines, 4);
    assert_eq!(f.unreadable_lines(), 2);
    // Malformed lines are counted: x7 says 6 and x9 says 8, and both agree.
    assert_eq!(
        kinds(&f),
        [
            (ProblemKind::MalformedRecord, Some(3), "mark or endorsement"),
            (ProblemKind::MalformedRecord, Some(4), "record type"),
            (ProblemKind::MalformedRecord, Some(5), "candidate number"),
        ]
    );
    assert!(
        f.problems[0].message.contains("found '1X3'"),
        "{}",
        f.problems[0].message
    );
    assert_eq!(
        f.problems[1].message,
        "record type 'ZZ' where a results file has 'R5' detail records; line not read"
    );
}

#[test]
fn record_types_of_another_data_type_or_level_are_not_read() {
    let bytes = file(
        b'R',
        "14520",
        "70",
        &[
            // An entries record in a results file, and a second file header.
            e5(b"E5", "0007", &[("J560H ", b' ')]),
            x1(b'R', "14520", "70"),
            r5("0001", "8300F", b' ', "5", "", "", ""),
        ],
    );
    let f = parse("R1452070.X01", &bytes);
    assert_eq!(f.records.len(), 1);
    assert_eq!(f.detail_lines, 3);
    assert_eq!(
        kinds(&f),
        [
            (ProblemKind::MalformedRecord, Some(3), "record type"),
            (ProblemKind::MalformedRecord, Some(4), "record type"),
        ]
    );
    assert!(f.problems[0]
        .message
        .starts_with("record type 'E5' where a results file"));
    assert!(f.problems[1]
        .message
        .starts_with("a second file header where"));
}

#[test]
fn wrong_counts_are_reported_on_their_trailers() {
    let r = r5("0001", "8300F", b' ', "5", "", "", "");
    // x7 counts the details only (as version 12 does): wrong in version 14.
    let f = parse(
        "R1452070.X01",
        &join(&[
            x1(b'R', "14520", "70"),
            x3(b'R', "14520", "70", "001", ""),
            r.clone(),
            x7(b'R', "14520", 1),
            x9(b'R', "14520", 5, 1),
        ]),
    );
    assert_eq!(
        kinds(&f),
        [(ProblemKind::TrailerMismatch, Some(4), "record count")]
    );
    assert_eq!(f.records.len(), 1, "records are still used");

    // x9 counts one line short.
    let f = parse(
        "R1452070.X01",
        &join(&[
            x1(b'R', "14520", "70"),
            x3(b'R', "14520", "70", "001", ""),
            r.clone(),
            x7(b'R', "14520", 3),
            x9(b'R', "14520", 4, 1),
        ]),
    );
    assert_eq!(
        kinds(&f),
        [(ProblemKind::TrailerMismatch, Some(5), "record count")]
    );

    // x9 says two centre blocks; the file has one.
    let f = parse(
        "R1452070.X01",
        &join(&[
            x1(b'R', "14520", "70"),
            x3(b'R', "14520", "70", "001", ""),
            r.clone(),
            x7(b'R', "14520", 3),
            x9(b'R', "14520", 5, 2),
        ]),
    );
    assert_eq!(
        kinds(&f),
        [(ProblemKind::TrailerMismatch, Some(5), "centre count")]
    );
    assert_eq!(f.records.len(), 1);
}

#[test]
fn missing_trailers_are_reported_and_the_records_still_used() {
    let r = r5("0001", "8300F", b' ', "5", "", "", "");
    // No x7: reported at the x9, which still counts every line.
    let f = parse(
        "R1452070.X01",
        &join(&[
            x1(b'R', "14520", "70"),
            x3(b'R', "14520", "70", "001", ""),
            r.clone(),
            x9(b'R', "14520", 4, 1),
        ]),
    );
    assert_eq!(kinds(&f), [(ProblemKind::TrailerMismatch, Some(4), "")]);
    assert!(f.problems[0]
        .message
        .starts_with("no centre trailer 'R7' for centre 14520's block"));
    assert_eq!(f.centres[0].trailer, None);
    assert_eq!(f.records.len(), 1);

    // No x9: the file as a whole.
    let f = parse(
        "R1452070.X01",
        &join(&[
            x1(b'R', "14520", "70"),
            x3(b'R', "14520", "70", "001", ""),
            r.clone(),
            x7(b'R', "14520", 3),
        ]),
    );
    assert_eq!(kinds(&f), [(ProblemKind::TrailerMismatch, None, "")]);
    assert!(f.trailer.is_none());
    assert_eq!(f.records.len(), 1);

    // Neither: the file was cut short after its details.
    let f = parse(
        "R1452070.X01",
        &join(&[
            x1(b'R', "14520", "70"),
            x3(b'R', "14520", "70", "001", ""),
            r,
        ]),
    );
    assert_eq!(
        kinds(&f),
        [
            (ProblemKind::TrailerMismatch, None, ""),
            (ProblemKind::TrailerMismatch, None, "")
        ]
    );
    assert_eq!(f.records.len(), 1);
}

#[test]
fn lines_after_the_file_trailer_are_not_read() {
    let r = r5("0001", "8300F", b' ', "5", "", "", "");
    let mut bytes = file(b'R', "14520", "70", std::slice::from_ref(&r));
    bytes.extend_from_slice(&join(&[r5("0002", "8300F", b' ', "4", "", "", "")]));
    let f = parse("R1452070.X01", &bytes);
    assert_eq!(f.records.len(), 1);
    assert_eq!((f.lines, f.detail_lines), (6, 1));
    assert_eq!(f.trailer.as_ref().map(|t| t.line), Some(5));
    assert_eq!(
        kinds(&f),
        [(ProblemKind::MalformedRecord, Some(6), "record type")]
    );
    assert!(f.problems[0]
        .message
        .contains("after the file trailer (line 5)"));
}

#[test]
fn several_centre_blocks_each_with_its_own_count_and_centre() {
    let mut other = r5("0001", "8300F", b' ', "6", "", "", "");
    other[2..7].copy_from_slice(b"14521");
    let bytes = join(&[
        x1(b'R', "14520", "70"),
        x3(b'R', "14520", "70", "001", ""),
        r5("0001", "8300F", b' ', "5", "", "", ""),
        r5("0002", "8300F", b' ', "4", "", "", ""),
        x7(b'R', "14520", 4),
        x3(b'R', "14521", "70", "001", ""),
        other,
        x7(b'R', "14521", 3),
        x9(b'R', "14520", 9, 2),
    ]);
    let f = parse("R1452070.X01", &bytes);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let blocks: Vec<(usize, &str, usize, Option<u64>)> = f
        .centres
        .iter()
        .map(|b| {
            (
                b.line,
                b.centre.as_str(),
                b.detail_lines,
                b.trailer.as_ref().map(|t| t.count),
            )
        })
        .collect();
    assert_eq!(blocks, [(2, "14520", 2, Some(4)), (6, "14521", 1, Some(3))]);
    let Records::Results(rs) = &f.records else {
        panic!()
    };
    let read: Vec<(usize, &str)> = rs.iter().map(|r| (r.line, r.centre.as_str())).collect();
    assert_eq!(read, [(3, "14520"), (4, "14520"), (7, "14521")]);
    assert_eq!(f.trailer.unwrap().centres, Some(2));
}

#[test]
fn header_disagreeing_with_the_name() {
    let f = parse(
        "R1452070.X02",
        &join(&[
            x1(b'R', "14520", "01"),
            x3(b'R', "14520", "01", "003", ""),
            x7(b'R', "14520", 2),
            x9(b'R', "14520", 4, 1),
        ]),
    );
    let found: Vec<(Option<usize>, &str)> = f
        .problems
        .iter()
        .map(|p| {
            assert_eq!(p.kind, ProblemKind::HeaderMismatch, "{p:?}");
            (p.line, p.field.as_deref().unwrap())
        })
        .collect();
    assert_eq!(
        found,
        [(Some(1), "awarding body id"), (Some(2), "sequence number")]
    );
    // The header wins for the data.
    assert_eq!(f.header.unwrap().awarding_body, "01");

    // A centre header of another board than the file header's.
    let f = parse(
        "R1452070.X01",
        &join(&[
            x1(b'R', "14520", "70"),
            x3(b'R', "14520", "01", "001", ""),
            x7(b'R', "14520", 2),
            x9(b'R', "14520", 4, 1),
        ]),
    );
    assert_eq!(
        kinds(&f),
        [(ProblemKind::HeaderMismatch, Some(2), "awarding body id")]
    );
}

#[test]
fn basedata_sequence_may_differ_from_the_name_as_a_warning() {
    let bytes = join(&[
        x1(b'S', "6A26_", "02"),
        x3(b'S', "6A26_", "02", "004", ""),
        rec(45, &[(1, b"S5"), (3, b"0417"), (10, b"ICT")]),
        x7(b'S', "6A26_", 3),
        x9(b'S', "6A26_", 5, 1),
    ]);
    let f = parse("S6A26_02.X01", &bytes);
    assert_eq!(
        kinds(&f),
        [(ProblemKind::HeaderMismatch, Some(2), "sequence number")]
    );
    assert!(f.problems[0]
        .message
        .contains("the file name's number orders the versions"));
    assert_eq!(f.records.len(), 1);
    assert_eq!(f.header.unwrap().sequence, 4);
}

#[test]
fn centre_mismatch_on_a_record() {
    let mut r = r5("0001", "8300F", b' ', "5", "", "", "");
    r[2..7].copy_from_slice(b"14521");
    let f = parse("R1452070.X01", &file(b'R', "14520", "70", &[r]));
    assert_eq!(
        kinds(&f),
        [(ProblemKind::CentreMismatch, Some(3), "centre number")]
    );
    assert_eq!(f.records.len(), 1);
}

#[test]
fn line_endings_padding_and_extra_text() {
    let mut short = r5("0001", "8300F", b' ', "5", "", "", "");
    short.truncate(60); // the name stops early: padded, not an error
    let mut long = r5("0002", "8300F", b' ', "4", "", "", "");
    long.extend_from_slice(b"EXTRA");
    let mut spaces = r5("0003", "8300F", b' ', "4", "", "", "");
    spaces.extend_from_slice(b"     "); // spaces past the record: no problem
    let trim = |mut l: Vec<u8>| {
        while l.last() == Some(&b' ') {
            l.pop();
        }
        l
    };
    let mut bytes = Vec::new();
    for l in [
        trim(x1(b'R', "14520", "70")),
        trim(x3(b'R', "14520", "70", "001", "")),
        short,
        long,
        spaces,
        trim(x7(b'R', "14520", 5)),
        trim(x9(b'R', "14520", 7, 1)),
    ] {
        bytes.extend_from_slice(&l);
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(b"\n\n\x1A");
    let f = parse("R1452070.X01", &bytes);
    assert_eq!(f.records.len(), 3);
    assert_eq!(f.lines, 7);
    assert_eq!(
        kinds(&f),
        [(ProblemKind::ExtraText, Some(4), "after the record")]
    );
    assert!(
        f.problems[0].message.contains("'EXTRA'"),
        "{}",
        f.problems[0].message
    );
    let Records::Results(rs) = &f.records else {
        panic!()
    };
    assert_eq!(rs[0].name, "O'NEILL:");
}

#[test]
fn format_version_15_is_not_misread() {
    let f = parse(
        "R1452070.X01",
        &join(&[
            x1_version(b'R', "14520", "70", "15"),
            x3(b'R', "14520", "70", "001", ""),
            r5("0001", "8300F", b' ', "5", "", "", ""),
            x7(b'R', "14520", 3),
            x9(b'R', "14520", 5, 1),
        ]),
    );
    assert!(f.records.is_empty());
    assert_eq!(f.header.as_ref().unwrap().version, 15);
    assert_eq!(
        kinds(&f),
        [(ProblemKind::UnsupportedVersion, Some(1), "format version")]
    );
    assert!(
        f.problems[0].message.starts_with("format version 15:"),
        "{}",
        f.problems[0].message
    );
}

#[test]
fn format_version_13_is_read_as_14() {
    let f = parse(
        "R1452070.X01",
        &join(&[
            x1_version(b'R', "14520", "70", "13"),
            x3(b'R', "14520", "70", "001", ""),
            r5("0001", "8300F", b' ', "5", "", "", ""),
            x7(b'R', "14520", 3),
            x9(b'R', "14520", 5, 1),
        ]),
    );
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(f.header.unwrap().version, 13);
    assert_eq!(f.records.len(), 1);
}

#[test]
fn format_version_12_counts_details_only_and_has_longer_options() {
    // A school's own basedata (board 99): `_` and the sequence at 14-17, 117-byte O5 records
    // with `0 ` at 114-115, and counts of the detail records only.
    let option = |code: &[u8], title: &[u8]| {
        rec(
            117,
            &[
                (1, b"O5"),
                (3, code),
                (9, code),
                (15, b"INT"),
                (19, b"B"),
                (22, b"U"),
                (30, b"E000000000000"),
                (43, title),
                (79, b"N00000"),
                (93, b"M"),
                (110, b"10000 "),
            ],
        )
    };
    let bytes = join(&[
        rec(
            40,
            &[
                (1, b"O1"),
                (3, b"3a17_"),
                (8, b"99"),
                (10, b"3a17B52205  00112"),
            ],
        ),
        rec(
            40,
            &[(1, b"O3"), (3, b"3a17_"), (8, b"99"), (10, b"3a17_001")],
        ),
        option(b"Bi1", b"Biology"),
        option(b"Ch1", b"Chemistry"),
        rec(40, &[(1, b"O7"), (3, b"3a17_"), (8, b"0000002210117")]),
        rec(40, &[(1, b"O9"), (3, b"3a17_"), (8, b"00000020000001")]),
    ]);
    let f = parse("O3a17_99.X01", &bytes);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let h = f.header.as_ref().unwrap();
    assert_eq!((h.version, h.sequence, h.series.as_str()), (12, 1, "3A17"));
    assert_eq!(f.trailer.as_ref().unwrap().count, 2);
    let Records::Options(v) = &f.records else {
        panic!()
    };
    assert_eq!(
        (v[0].code.as_str(), v[0].title.as_str()),
        ("Bi1", "Biology")
    );
    assert_eq!((v[1].max_mark, v[1].components), (Some(1000), Some(0)));

    // The same counts in a version-14 file are wrong.
    let mut v14 = bytes.clone();
    v14[24..26].copy_from_slice(b"14");
    let f = parse("O3a17_99.X01", &v14);
    let trailers: Vec<_> = kinds(&f)
        .into_iter()
        .filter(|k| k.0 == ProblemKind::TrailerMismatch)
        .collect();
    assert_eq!(
        trailers,
        [
            (ProblemKind::TrailerMismatch, Some(5), "record count"),
            (ProblemKind::TrailerMismatch, Some(6), "record count"),
        ]
    );
}

#[test]
fn empty_and_headerless_files() {
    let f = parse("R1452070.X01", b"");
    assert_eq!(
        kinds(&f),
        [
            (ProblemKind::MalformedRecord, None, ""),
            (ProblemKind::TrailerMismatch, None, "")
        ]
    );
    let f = parse("R1452070.X01", b"\x1A");
    assert_eq!(f.problems.len(), 2);
    let f = parse(
        "R1452070.X01",
        &join(&[
            x3(b'R', "14520", "70", "001", ""),
            r5("0001", "8300F", b' ', "5", "", "", ""),
            x7(b'R', "14520", 3),
            x9(b'R', "14520", 4, 1),
        ]),
    );
    assert_eq!(f.records.len(), 1, "the data type comes from the name");
    assert_eq!(f.data_type, Some(DataType::Results));
    assert_eq!(f.header, None);
    assert_eq!(
        kinds(&f),
        [(ProblemKind::MalformedRecord, Some(1), "record type")]
    );
}

#[test]
fn parse_file_reports_download_noise() {
    let bytes = file(b'R', "14520", "40", &[]);
    let p = parse_file("R1452040 (1).X01", &bytes);
    assert_eq!(p.problems.len(), 1);
    assert_eq!(p.problems[0].kind, ProblemKind::FileNameNoise);
    let Content::Edi(e) = &p.content else {
        panic!()
    };
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    assert_eq!(e.header.as_ref().unwrap().awarding_body, "40");
}

#[test]
fn a_file_with_no_jcq_name_is_read_by_its_first_line() {
    let bytes = file(
        b'S',
        "6A26_",
        "70",
        &[rec(45, &[(1, b"S5"), (3, b"8300"), (10, b"MATHS")])],
    );
    let p = parse_file("basedata.txt", &bytes);
    assert_eq!(p.name, None);
    let Content::Edi(e) = &p.content else {
        panic!("{:?}", p.content)
    };
    assert_eq!(e.data_type, Some(DataType::Syllabuses));
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    assert_eq!(e.records.len(), 1);
}
