//! Each record type read from bytes placed at the positions layouts.md gives, field by field.

use chrono::{NaiveDate, NaiveDateTime};
use parsers::{
    parse_edi, parse_file, Content, DataType, EdiFile, EntryAction, FileName, Grade, ProblemKind,
    Records, ResultFlag, Session,
};

/// A line with each text placed at its 1-based start, spaces elsewhere (independent of
/// layouts.rs, so these tests check the table against the written layout).
fn line(parts: &[(usize, &[u8])]) -> Vec<u8> {
    let len = parts
        .iter()
        .map(|(s, t)| s - 1 + t.len())
        .max()
        .unwrap_or(0);
    let mut out = vec![b' '; len];
    for (start, text) in parts {
        out[start - 1..start - 1 + text.len()].copy_from_slice(text);
    }
    out
}

fn header(data_type: u8, centre: &str, ab: &str, seq: &str) -> Vec<u8> {
    line(&[
        (1, b"HD"),
        (3, &[data_type]),
        (4, centre.as_bytes()),
        (9, ab.as_bytes()),
        (11, b"6A26"),
        (15, b"14"),
        (17, seq.as_bytes()),
        (21, b"20260819"),
        (29, b"0001"),
    ])
}

fn file(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn trailer(n: usize) -> Vec<u8> {
    format!("TR{n:07}").into_bytes()
}

fn parse(name: &str, bytes: &[u8]) -> EdiFile {
    parse_edi(bytes, FileName::parse(name).as_ref())
}

const UCI7: &[u8] = b"145200260007L";

fn results_line(
    cand: &str,
    option: &str,
    flag: u8,
    g1: &str,
    g2: &str,
    me: &str,
    max: &str,
) -> Vec<u8> {
    line(&[
        (1, b"RS"),
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
    ])
}

#[test]
fn header_fields() {
    let bytes = file(&[header(b'R', "14520", "70", "0002"), trailer(0)]);
    let f = parse("R1452070.X02", &bytes);
    let h = f.header.unwrap();
    assert_eq!(h.data_type, DataType::Results);
    assert_eq!(h.centre, "14520");
    assert_eq!(h.awarding_body, "70");
    assert_eq!(h.series, "6A26");
    assert_eq!(h.version, 14);
    assert_eq!(h.sequence, 2);
    assert_eq!(
        h.created,
        Some(NaiveDateTime::parse_from_str("2026-08-19 00:01", "%Y-%m-%d %H:%M").unwrap())
    );
    assert_eq!(f.trailer.unwrap().count, 0);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
}

#[test]
fn result_with_mark() {
    let bytes = file(&[
        header(b'R', "14520", "01", "0001"),
        results_line("0007", "J560F", b'M', "5", "", "123", "300"),
        trailer(1),
    ]);
    let f = parse("R1452001.X01", &bytes);
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let Records::Results(rs) = &f.records else {
        panic!()
    };
    let r = &rs[0];
    assert_eq!(r.line, 2);
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
}

#[test]
fn result_with_endorsement_double_award_and_partial_absence() {
    let bytes = file(&[
        header(b'R', "14520", "70", "0001"),
        results_line("0001", "8700", b'E', "6#", "", "M", ""),
        results_line("0001", "8464H", b' ', "7", "6", "", ""),
        results_line("0001", "8702", b' ', "X", "", "", ""),
        results_line("0001", "8145", b' ', "Q", "", "", ""),
        results_line("0001", "7402", b' ', "U#", "", "", ""),
        trailer(5),
    ]);
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
    let bytes = file(&[
        header(b'R', "14520", "70", "0001"),
        results_line("0001", "8035", b' ', "", "", "", ""),
        trailer(1),
    ]);
    let f = parse("R1452070.X01", &bytes);
    let Records::Results(rs) = &f.records else {
        panic!()
    };
    assert_eq!(rs[0].grade, None);
    assert!(f.problems.is_empty());
}

#[test]
fn entries_and_amendments() {
    let en = |action: &[u8]| {
        line(&[
            (1, b"EN"),
            (3, b"14520"),
            (8, b"0007"),
            (12, UCI7),
            (25, b"4123456789"),
            (35, b"O'NEILL:\xC9MILE"),
            (75, b"F"),
            (76, b"20100314"),
            (84, b"J560H"),
            (90, action),
        ])
    };
    let f = parse(
        "E1452001.X01",
        &file(&[header(b'E', "14520", "01", "0001"), en(b" "), trailer(1)]),
    );
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    let Records::Entries(es) = &f.records else {
        panic!()
    };
    let e = &es[0];
    assert_eq!(e.centre, "14520");
    assert_eq!(e.candidate_number, "0007");
    assert_eq!(e.uci, "145200260007L");
    assert_eq!(e.uln.as_deref(), Some("4123456789"));
    assert_eq!(e.name, "O'NEILL:ÉMILE");
    assert_eq!(e.sex, Some('F'));
    assert_eq!(e.date_of_birth, NaiveDate::from_ymd_opt(2010, 3, 14));
    assert_eq!(e.option_code, "J560H");
    assert_eq!(e.action, None);

    let f = parse(
        "A1452001.X02",
        &file(&[
            header(b'A', "14520", "01", "0002"),
            en(b"N"),
            en(b"W"),
            en(b"C"),
            en(b" "),
            trailer(4),
        ]),
    );
    let Records::Entries(es) = &f.records else {
        panic!()
    };
    let actions: Vec<_> = es.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            Some(EntryAction::New),
            Some(EntryAction::Withdraw),
            Some(EntryAction::Change),
            None
        ]
    );
    assert_eq!(f.problems.len(), 1);
    assert_eq!(f.problems[0].line, Some(5));
    assert_eq!(f.problems[0].field.as_deref(), Some("action"));
}

#[test]
fn basedata_records() {
    let s = parse(
        "S6A26_70.X01",
        &file(&[
            header(b'S', "00000", "70", "0001"),
            line(&[
                (1, b"SY"),
                (3, b"8300"),
                (9, b"MATHEMATICS"),
                (49, b"GCSE"),
                (59, b"2"),
                (60, b"60183306"),
                (68, b"2210"),
            ]),
            trailer(1),
        ]),
    );
    assert!(s.problems.is_empty(), "{:?}", s.problems);
    let Records::Syllabuses(v) = &s.records else {
        panic!()
    };
    assert_eq!(
        (
            v[0].code.as_str(),
            v[0].title.as_str(),
            v[0].qualification.as_str()
        ),
        ("8300", "MATHEMATICS", "GCSE")
    );
    assert_eq!(v[0].level, Some(2));
    assert_eq!(v[0].qan.as_deref(), Some("60183306"));
    assert_eq!(v[0].discount_code.as_deref(), Some("2210"));

    let o = parse(
        "O6A26_01.X01",
        &file(&[
            header(b'O', "00000", "01", "0001"),
            line(&[
                (1, b"OP"),
                (3, b"R067"),
                (9, b"J837"),
                (15, b"ENTERPRISE UNIT R067"),
                (56, b"CNAT"),
                (60, b"N"),
                (61, b"J837"),
                (67, b"002150"),
            ]),
            line(&[
                (1, b"OP"),
                (3, b"J560F"),
                (9, b"J560"),
                (15, b"MATHS F"),
                (55, b"F"),
                (56, b"G91"),
                (60, b"Y"),
            ]),
            trailer(2),
        ]),
    );
    assert!(o.problems.is_empty(), "{:?}", o.problems);
    let Records::Options(v) = &o.records else {
        panic!()
    };
    assert_eq!(v[0].code, "R067");
    assert_eq!(v[0].syllabus, "J837");
    assert!(!v[0].is_award);
    assert_eq!(v[0].cash_in.as_deref(), Some("J837"));
    assert_eq!(v[0].fee_pence, Some(2150));
    assert_eq!(v[0].tier, None);
    assert_eq!(v[1].tier, Some('F'));
    assert_eq!(v[1].gradeset.as_deref(), Some("G91"));
    assert!(v[1].is_award);

    let c = parse(
        "C6A26_01.X01",
        &file(&[
            header(b'C', "00000", "01", "0001"),
            line(&[
                (1, b"CO"),
                (3, b"J56001"),
                (9, b"PAPER 1"),
                (49, b"20260521"),
                (57, b"A"),
                (58, b"090"),
                (61, b"0100"),
            ]),
            line(&[(1, b"CO"), (3, b"R06901"), (9, b"NEA"), (61, b"0060")]),
            trailer(2),
        ]),
    );
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    let Records::Components(v) = &c.records else {
        panic!()
    };
    assert_eq!(v[0].exam_date, NaiveDate::from_ymd_opt(2026, 5, 21));
    assert_eq!(v[0].session, Some(Session::Morning));
    assert_eq!(v[0].time_allowed_min, Some(90));
    assert_eq!(v[0].max_mark, Some(100));
    assert_eq!((v[1].exam_date, v[1].session), (None, None));

    let l = parse(
        "L6A26_01.X01",
        &file(&[
            header(b'L', "00000", "01", "0001"),
            line(&[(1, b"LK"), (3, b"J560F"), (9, b"J56001")]),
            trailer(1),
        ]),
    );
    let Records::Links(v) = &l.records else {
        panic!()
    };
    assert_eq!(
        (v[0].option_code.as_str(), v[0].component_code.as_str()),
        ("J560F", "J56001")
    );

    let d = parse(
        "D6A26_01.X01",
        &file(&[
            header(b'D', "00000", "01", "0001"),
            line(&[(1, b"DC"), (3, b"J560F"), (9, b"J560H")]),
            trailer(1),
        ]),
    );
    let Records::Disallowed(v) = &d.records else {
        panic!()
    };
    assert_eq!(
        (v[0].option_a.as_str(), v[0].option_b.as_str()),
        ("J560F", "J560H")
    );
}

#[test]
fn malformed_lines_are_reported_and_the_rest_is_read() {
    let bytes = file(&[
        header(b'R', "14520", "70", "0001"),
        results_line("0001", "8300F", b'M', "5", "", "1X3", "300"),
        b"ZZ garbage".to_vec(),
        results_line("00A2", "8300F", b' ', "5", "", "", ""),
        results_line("0003", "8300F", b' ', "4", "", "", ""),
        trailer(4),
    ]);
    let f = parse("R1452070.X01", &bytes);
    let Records::Results(rs) = &f.records else {
        panic!()
    };
    // the bad mark is dropped, the record kept; the bad candidate number loses the record.
    assert_eq!(rs.len(), 2);
    assert_eq!(rs[0].mark, None);
    assert_eq!(rs[1].candidate_number, "0003");
    assert_eq!(f.detail_lines, 4);
    assert_eq!(f.unreadable_lines(), 2);
    let found: Vec<_> = f
        .problems
        .iter()
        .map(|p| (p.kind, p.line, p.field.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        [
            (ProblemKind::MalformedRecord, Some(2), "mark or endorsement"),
            (ProblemKind::MalformedRecord, Some(3), "record type"),
            (ProblemKind::MalformedRecord, Some(4), "candidate number"),
        ]
    );
    assert!(
        f.problems[0].message.contains("found '1X3'"),
        "{}",
        f.problems[0].message
    );
}

#[test]
fn trailer_count_and_missing_trailer() {
    let r = results_line("0001", "8300F", b' ', "5", "", "", "");
    let f = parse(
        "R1452070.X01",
        &file(&[header(b'R', "14520", "70", "0001"), r.clone(), trailer(2)]),
    );
    assert_eq!(f.problems.len(), 1);
    assert_eq!(f.problems[0].kind, ProblemKind::TrailerMismatch);
    assert_eq!(f.problems[0].line, Some(3));

    let f = parse(
        "R1452070.X01",
        &file(&[header(b'R', "14520", "70", "0001"), r]),
    );
    assert_eq!(f.problems.len(), 1);
    assert_eq!(f.problems[0].kind, ProblemKind::TrailerMismatch);
    assert_eq!(f.problems[0].line, None);
    assert_eq!(f.records.len(), 1, "records are still used");
}

#[test]
fn header_disagreeing_with_the_name() {
    let f = parse(
        "R1452070.X02",
        &file(&[header(b'R', "14520", "01", "0003"), trailer(0)]),
    );
    let fields: Vec<_> = f
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::HeaderMismatch)
        .map(|p| p.field.as_deref().unwrap())
        .collect();
    assert_eq!(fields, ["awarding body id", "sequence number"]);
}

#[test]
fn centre_mismatch_on_a_record() {
    let mut r = results_line("0001", "8300F", b' ', "5", "", "", "");
    r[2..7].copy_from_slice(b"14521");
    let f = parse(
        "R1452070.X01",
        &file(&[header(b'R', "14520", "70", "0001"), r, trailer(1)]),
    );
    assert_eq!(f.problems.len(), 1);
    assert_eq!(f.problems[0].kind, ProblemKind::CentreMismatch);
    assert_eq!(f.problems[0].line, Some(2));
    assert_eq!(f.records.len(), 1);
}

#[test]
fn line_endings_padding_and_extra_text() {
    let mut short = results_line("0001", "8300F", b' ', "5", "", "", "");
    short.truncate(60); // the name stops early: padded, not an error
    let mut long = results_line("0002", "8300F", b' ', "4", "", "", "");
    long.resize(92, b' ');
    long.extend_from_slice(b"EXTRA");
    let mut bytes = Vec::new();
    for l in [header(b'R', "14520", "70", "0001"), short, long, trailer(2)] {
        bytes.extend_from_slice(&l);
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(b"\n\n\x1A");
    let f = parse("R1452070.X01", &bytes);
    assert_eq!(f.records.len(), 2);
    assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
    assert_eq!(f.problems[0].kind, ProblemKind::ExtraText);
    assert_eq!(f.problems[0].line, Some(3));
    let Records::Results(rs) = &f.records else {
        panic!()
    };
    assert_eq!(rs[0].name, "O'NEILL:");
}

#[test]
fn another_format_version_is_not_misread() {
    let mut h = header(b'R', "14520", "70", "0001");
    h[14..16].copy_from_slice(b"13");
    let f = parse(
        "R1452070.X01",
        &file(&[
            h,
            results_line("0001", "8300F", b' ', "5", "", "", ""),
            trailer(1),
        ]),
    );
    assert!(f.records.is_empty());
    assert_eq!(f.problems[0].kind, ProblemKind::UnsupportedVersion);
}

#[test]
fn empty_and_headerless_files() {
    let f = parse("R1452070.X01", b"");
    assert!(f
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::MalformedRecord));
    let f = parse("R1452070.X01", b"\x1A");
    assert!(!f.problems.is_empty());
    let f = parse(
        "R1452070.X01",
        &file(&[
            results_line("0001", "8300F", b' ', "5", "", "", ""),
            trailer(1),
        ]),
    );
    assert_eq!(f.records.len(), 1, "the data type comes from the name");
    assert_eq!(f.problems[0].line, Some(1));
}

#[test]
fn parse_file_reports_download_noise() {
    let bytes = file(&[header(b'R', "14520", "40", "0001"), trailer(0)]);
    let p = parse_file("R1452040 (1).X01", &bytes);
    assert_eq!(p.problems[0].kind, ProblemKind::FileNameNoise);
    let Content::Edi(e) = &p.content else {
        panic!()
    };
    assert!(e.problems.is_empty(), "{:?}", e.problems);
}
