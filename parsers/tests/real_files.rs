//! Every real file the boards and a school produced (tests/real/, with their provenance in
//! tests/real/README.md) reads whole: no problem, every line counted, and the values in the
//! file come out exactly.

use std::path::{Path, PathBuf};

use parsers::{Content, DataType, EdiFile, ParsedFile, Records};

fn real_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real")
}

fn read(rel: &str) -> ParsedFile {
    let path = real_dir().join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    parsers::parse_file(&name, &bytes)
}

fn edi(rel: &str) -> EdiFile {
    match read(rel).content {
        Content::Edi(e) => e,
        other => panic!("{rel}: {other:?}"),
    }
}

fn jcq_files(sub: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(real_dir().join(sub))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".txt"))
        .map(|n| format!("{sub}/{n}"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_real_file_reads_with_no_problem_and_its_count_agrees() {
    let files: Vec<String> = jcq_files("basedata")
        .into_iter()
        .chain(jcq_files("entries"))
        .collect();
    assert!(files.len() >= 70, "{} files", files.len());
    for rel in files {
        let parsed = read(&rel);
        let problems: Vec<String> = parsed.all_problems().map(|p| p.to_string()).collect();
        assert!(problems.is_empty(), "{rel}: {problems:#?}");
        let Content::Edi(e) = parsed.content else {
            panic!("{rel}: not read as EDI")
        };
        if e.data_type == Some(DataType::UnitLinks) {
            assert_eq!(e.records.len(), e.lines, "{rel}");
            continue;
        }
        let h = e
            .header
            .as_ref()
            .unwrap_or_else(|| panic!("{rel}: no header"));
        let t = e
            .trailer
            .as_ref()
            .unwrap_or_else(|| panic!("{rel}: no trailer"));
        let covered = if h.version == 12 {
            e.detail_lines
        } else {
            e.lines
        };
        assert_eq!(t.count as usize, covered, "{rel}: trailer count");
        assert_eq!(e.centres.len(), 1, "{rel}: centre blocks");
        // Every detail line became a record (entries: one per candidate, several options).
        if let Records::Entries(v) = &e.records {
            let candidates: std::collections::BTreeSet<_> = v.iter().map(|r| r.line).collect();
            assert_eq!(candidates.len(), e.detail_lines, "{rel}");
        } else {
            assert_eq!(e.records.len(), e.detail_lines, "{rel}: records");
        }
    }
}

#[test]
fn headers_say_board_series_sender_and_version() {
    let e = edi("basedata/O6G17_70.X02");
    let h = e.header.unwrap();
    assert_eq!(h.data_type, DataType::Options);
    assert_eq!(h.centre, "6G17_");
    assert_eq!(h.awarding_body, "70");
    assert_eq!(h.series, "6G17");
    assert_eq!(h.distribution, Some('B'));
    assert_eq!(h.sender, "AQA    001");
    assert_eq!(h.version, 14);
    assert_eq!(h.sequence, 2);
    assert_eq!(e.centres[0].trailer.as_ref().unwrap().count, 493);
    assert_eq!(e.trailer.unwrap().count, 495);

    // OCR: lower-case names and series letters.
    let h = edi("basedata/o6b17_01.x04").header.unwrap();
    assert_eq!(
        (h.series.as_str(), h.awarding_body.as_str()),
        ("6B17", "01")
    );
    assert_eq!(h.sender, "UCLES01EPS");

    // A school's own basedata in format version 12.
    let e = edi("basedata/O3a17_99.X01");
    assert_eq!(e.header.as_ref().unwrap().version, 12);
    assert_eq!(e.header.as_ref().unwrap().sequence, 1);
    assert_eq!(e.trailer.unwrap().count, 16);
}

#[test]
fn options_give_qualification_gradesets_and_fee() {
    let Records::Options(opts) = edi("basedata/O6G14_70.X01").records else {
        panic!()
    };
    let unit = opts.iter().find(|o| o.code == "40201F").unwrap();
    assert_eq!(unit.syllabus, "4020");
    assert_eq!(unit.item, Some(parsers::Item::Unit));
    assert_eq!(unit.unit_qualification, "GCSE");
    assert_eq!(unit.title, "CLASSICAL CIVILISATION UNIT 1F");
    assert_eq!(unit.fee_pence, Some(745));
    assert_eq!(unit.gradeset.as_deref(), Some("Q"));
    assert_eq!(unit.max_mark, Some(69));
    assert!(!unit.is_award());
    let full = opts.iter().find(|o| o.code == "4022").unwrap();
    assert_eq!(
        (full.qualification.as_str(), full.level.as_str()),
        ("GCSE", "FC")
    );
    assert_eq!(full.item, Some(parsers::Item::Certification));
    assert_eq!(full.process, Some('E'));
    assert_eq!(full.discount_code.as_deref(), Some("DB2B"));
    assert_eq!(full.qan.as_deref(), Some("50043961"));
    assert_eq!(full.title, "CLASSICAL CIVILISATION");
    assert_eq!(full.gradeset.as_deref(), Some("F"));
    assert_eq!(full.max_mark, Some(400));
    assert!(full.is_award());
}

#[test]
fn components_links_disallowed_and_unit_links_give_the_values_in_the_file() {
    let Records::Components(cs) = edi("basedata/C6G17_70.X02").records else {
        panic!()
    };
    let c = cs.iter().find(|c| c.code == "40201F").unwrap();
    assert_eq!(c.title, "CLASSICAL CIVILISATION UNIT 1 TIER F");
    assert_eq!(c.exam_date, chrono::NaiveDate::from_ymd_opt(2017, 6, 7));
    assert_eq!(c.session, Some(parsers::Session::Morning));
    assert_eq!(c.duration_min, Some(60));
    assert_eq!(c.timetabled, Some('T'));
    assert_eq!((c.teacher_marks, c.due_date), (Some('N'), None));

    let Records::Links(ls) = edi("basedata/L6G17_70.X02").records else {
        panic!()
    };
    assert_eq!(
        (ls[0].option_code.as_str(), ls[0].component_code.as_str()),
        ("40201F", "40201F")
    );

    let Records::Disallowed(ds) = edi("basedata/D6G17_10.X01").records else {
        panic!()
    };
    assert_eq!(
        (ds[0].option_a.as_str(), ds[0].option_b.as_str()),
        ("KBI0*", "KSC0*")
    );

    let Records::UnitLinks(us) = edi("basedata/ULINKS10.X13").records else {
        panic!()
    };
    assert_eq!(us.len(), 295);
    assert_eq!(
        (us[0].certification.as_str(), us[0].unit.as_str()),
        ("2AB01", "5AB01")
    );

    let Records::Syllabuses(ss) = edi("basedata/S6G17_70.X02").records else {
        panic!()
    };
    assert_eq!(ss[0].code, "4020");
    assert_eq!(ss[0].title, "CLASSICAL CIVILISATION");
}

#[test]
fn entries_give_each_candidate_and_their_options() {
    let e = edi("entries/E5220501.X89");
    let h = e.header.as_ref().unwrap();
    assert_eq!(
        (
            h.centre.as_str(),
            h.awarding_body.as_str(),
            h.series.as_str()
        ),
        ("52205", "01", "6B17")
    );
    assert_eq!(h.distribution, Some('S'));
    assert_eq!(e.centres[0].postcode.as_deref(), Some("HP65HA"));
    let Records::Entries(v) = e.records else {
        panic!()
    };
    let options: Vec<&str> = v.iter().map(|r| r.option_code.as_str()).collect();
    assert_eq!(options, ["4755", "4771"]);
    let r = &v[0];
    assert_eq!(r.candidate_number, "6853");
    assert_eq!(r.name, "ANON:CANDIDATE 6853");
    assert_eq!((r.candidate_type, r.sex), (Some('C'), Some('M')));
    assert_eq!(r.uci, "522050176853T");
    assert_eq!(r.date_of_birth, None);
    assert!(parsers::uci::validate(&r.uci).is_ok());

    let Records::Entries(v) = edi("entries/A5220570.X19").records else {
        panic!()
    };
    let options: Vec<&str> = v.iter().map(|r| r.option_code.as_str()).collect();
    assert_eq!(options, ["8403", "8702", "8401", "8402", "8700", "7992"]);
    assert!(v
        .iter()
        .all(|r| r.action == Some(parsers::EntryAction::New)));

    let Records::Entries(v) = edi("entries/E5220599.X03").records else {
        panic!()
    };
    let candidates: std::collections::BTreeSet<&str> =
        v.iter().map(|r| r.candidate_number.as_str()).collect();
    assert_eq!(candidates.len(), 191);
    // Every UCI in the entries validates (A=1 for letters).
    for r in &v {
        assert!(parsers::uci::validate(&r.uci).is_ok(), "{}", r.uci);
    }
}
