//! Unit tests of the fictional-centre generator.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use parsers::{
    parse_file, Content, DataType, EdiFile, Item, Layouts, Records, ResultFlag, ResultRecord,
};

use super::catalogue::catalogue;
use super::people::{upn, upn_check_letter};
use super::*;

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn generated(candidates: usize, centres: usize, seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    generate(&Spec {
        candidates,
        centres,
        out: dir.path().to_path_buf(),
        seed,
    })
    .unwrap();
    dir
}

/// The EDI files of a generated set, read.
fn edi_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>, EdiFile)> {
    files(dir)
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|x| x != "xml" && x != "csv"))
        .map(|(p, bytes)| {
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            let parsed = parse_file(&name, &bytes);
            assert!(
                parsed.problems.is_empty(),
                "{}: {:?}",
                p.display(),
                parsed.problems
            );
            let Content::Edi(edi) = parsed.content else {
                panic!("{} is not read as an EDI file", p.display());
            };
            (p, bytes, edi)
        })
        .collect()
}

#[test]
fn the_same_spec_gives_the_same_bytes() {
    let (a, b) = (generated(40, 2, 7), generated(40, 2, 7));
    assert_eq!(files(a.path()), files(b.path()));
    let c = generated(40, 2, 8);
    assert_ne!(files(a.path()), files(c.path()));
}

#[test]
fn every_file_is_read_whole_with_no_problem_and_as_the_boards_write_it() {
    let dir = generated(60, 2, 3);
    let edi = edi_files(dir.path());
    // Basedata S/O/C/L for three boards; entries and results for three boards per centre.
    assert_eq!(edi.len(), 12 + 2 * 6);
    for (path, bytes, file) in &edi {
        let at = path.display();
        assert!(file.problems.is_empty(), "{at}: {:?}", file.problems);
        assert_eq!(file.unreadable_lines(), 0, "{at}");
        assert!(!file.records.is_empty(), "{at}: no records");
        let header = file.header.as_ref().unwrap();
        let data_type = header.data_type;
        let len = Layouts::builtin()
            .record_len(data_type.letter() as u8)
            .unwrap();
        let text = bytes.strip_suffix(b"\n").expect("a final line end");
        let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
        for (i, line) in lines.iter().enumerate() {
            let line = line
                .strip_suffix(b"\r")
                .unwrap_or_else(|| panic!("{at}: line {} does not end in CRLF", i + 1));
            assert_eq!(line.len(), len, "{at}: line {} is not {len} bytes", i + 1);
        }
        let codes: Vec<&[u8]> = lines.iter().map(|l| &l[..2]).collect();
        let letter = data_type.letter() as u8;
        assert_eq!(codes[0], [letter, b'1'], "{at}");
        assert_eq!(codes[1], [letter, b'3'], "{at}");
        assert_eq!(codes[codes.len() - 2], [letter, b'7'], "{at}");
        assert_eq!(codes[codes.len() - 1], [letter, b'9'], "{at}");
        assert_eq!(
            file.trailer.as_ref().unwrap().count,
            lines.len() as u64,
            "{at}"
        );
        // Every detail line read: one record each, an E5 one per option it holds.
        assert_eq!(file.detail_lines, lines.len() - 4, "{at}");
        assert!(file.records.len() >= file.detail_lines, "{at}");
        assert_eq!(header.version, 14, "{at}");
        assert_eq!(header.series, SERIES, "{at}");
        let board = header.awarding_body.as_str();
        if data_type.is_basedata() {
            assert_eq!(header.centre, "6A26_", "{at}");
            assert_eq!(header.distribution, Some('B'), "{at}");
            assert_eq!(header.sender, board_sender(board).trim_end(), "{at}");
        } else {
            assert_eq!(header.distribution, Some('S'), "{at}");
            let centre = header.centre.as_str();
            let sender = match data_type {
                DataType::Entries => format!("{centre}  001"),
                _ => board_sender(board).trim_end().to_string(),
            };
            assert_eq!(header.sender, sender, "{at}");
            assert_eq!(file.centres.len(), 1, "{at}");
            let postcode = file.centres[0].postcode.as_deref();
            match data_type {
                DataType::Entries => assert_eq!(postcode, Some(POSTCODE), "{at}"),
                _ => assert_eq!(postcode, None, "{at}"),
            }
        }
    }
}

#[test]
fn basedata_has_the_boards_codes() {
    let dir = generated(5, 1, 1);
    let gradesets = parsers::Gradesets::builtin();
    let qualifications: BTreeSet<(String, String)> = include_str!("../../data/qualifications.csv")
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            (f.next().unwrap().into(), f.next().unwrap().into())
        })
        .collect();
    let mut options = Vec::new();
    let mut syllabuses = BTreeSet::new();
    for (_, _, file) in edi_files(&dir.path().join("basedata")) {
        match file.records {
            Records::Options(o) => options.extend(o),
            Records::Syllabuses(s) => syllabuses.extend(s.into_iter().map(|s| s.code)),
            _ => {}
        }
    }
    assert_eq!(options.len(), catalogue().len());
    for o in &options {
        let code = &o.code;
        assert!(
            syllabuses.contains(&o.syllabus),
            "{code}: no S5 {}",
            o.syllabus
        );
        for g in [&o.gradeset, &o.gradeset2, &o.endorsement_gradeset]
            .into_iter()
            .flatten()
        {
            assert!(gradesets.get(g).is_some(), "{code}: gradeset {g}");
        }
        assert!(o.gradeset.is_some(), "{code}");
        if o.is_award() {
            let q = (o.qualification.clone(), o.level.clone());
            assert!(qualifications.contains(&q), "{code}: {q:?}");
            assert_eq!(o.item, Some(Item::Certification), "{code}");
            assert!(o.unit_qualification.is_empty(), "{code}");
        } else {
            assert!(o.qualification.is_empty() && o.level.is_empty(), "{code}");
            let q = (o.unit_qualification.clone(), o.unit_level.clone());
            assert!(qualifications.contains(&q), "{code}: {q:?}");
            assert!(
                options.iter().any(|c| c.is_award()
                    && c.syllabus == o.syllabus
                    && c.qualification == o.unit_qualification),
                "{code}: no certification option of syllabus {}",
                o.syllabus
            );
        }
    }
    let by_code = |code: &str| options.iter().find(|o| o.code == code).unwrap();
    let trilogy = by_code("8464H");
    assert_eq!(
        (trilogy.level.as_str(), trilogy.gradeset.as_deref()),
        ("DA", Some("15"))
    );
    assert_eq!(trilogy.gradeset2.as_deref(), Some("15"));
    assert_eq!(by_code("8700").endorsement_gradeset.as_deref(), Some("42"));
    assert_eq!(by_code("7402").endorsement_gradeset.as_deref(), Some("43"));
    assert_eq!(by_code("H556").endorsement_gradeset.as_deref(), Some("43"));
    assert_eq!(by_code("H856").qualification, "EXPJ");
    assert_eq!(by_code("J837").item, Some(Item::Certification));
    for u in ["R067", "R068", "R069"] {
        assert_eq!(by_code(u).syllabus, "J837");
        assert_eq!(by_code(u).item, Some(Item::Unit));
    }
}

#[test]
fn the_planted_cases_are_there_at_their_rates() {
    let dir = generated(2_000, 1, 1);
    let mut entries = Vec::new();
    let mut results = Vec::new();
    for (path, _, file) in edi_files(dir.path()) {
        match file.records {
            Records::Entries(e) => {
                // One E5 per candidate of the board, with the candidate's options of that
                // board in its slots.
                let candidates: BTreeSet<&str> =
                    e.iter().map(|e| e.candidate_number.as_str()).collect();
                assert_eq!(file.detail_lines, candidates.len(), "{}", path.display());
                assert!(e.len() > file.detail_lines, "{}", path.display());
                entries.extend(e);
            }
            Records::Results(r) => results.extend(r),
            _ => {}
        }
    }
    assert!(entries
        .iter()
        .all(|e| e.upn.is_some() && e.candidate_type == Some('C')));
    let resulted: BTreeSet<(&str, &str)> = results
        .iter()
        .map(|r| (r.candidate_number.as_str(), r.option_code.as_str()))
        .collect();
    let missing = entries
        .iter()
        .filter(|e| !resulted.contains(&(e.candidate_number.as_str(), e.option_code.as_str())))
        .count();
    let per_thousand = |n: usize, of: usize| n as f64 * 1000.0 / of as f64;
    let missing_rate = per_thousand(missing, entries.len());
    assert!(
        (2.0..9.0).contains(&missing_rate),
        "missing: {missing_rate}‰"
    );
    let grade = |r: &ResultRecord| r.grade.clone().unwrap();
    let x = results.iter().filter(|r| grade(r).is_no_result()).count();
    let q = results.iter().filter(|r| grade(r).is_pending()).count();
    let partial = results.iter().filter(|r| grade(r).partial_absence).count();
    for (what, n, low, high) in [
        ("X", x, 1.5, 7.0),
        ("Q", q, 1.0, 6.0),
        ("#", partial, 1.5, 8.0),
    ] {
        let rate = per_thousand(n, results.len());
        assert!((low..high).contains(&rate), "{what}: {rate}‰");
    }
    // A double award's second grade is its first or the one below.
    let doubles: Vec<&ResultRecord> = results
        .iter()
        .filter(|r| r.option_code.starts_with("8464"))
        .collect();
    assert!(!doubles.is_empty());
    for r in doubles {
        let first = grade(r);
        match (first.code.as_str(), &r.grade2) {
            ("X" | "Q", g2) => assert_eq!(g2, &None),
            ("U", g2) => assert_eq!(g2.as_ref().unwrap().code, "U"),
            (d, g2) => {
                let (d, s): (u8, u8) = (
                    d.parse().unwrap(),
                    g2.as_ref().unwrap().code.parse().unwrap(),
                );
                assert!(s == d || (s + 1 == d), "{d}-{s}");
            }
        }
    }
    // Marks from OCR where there is no endorsement; endorsement grades with flag E.
    for r in &results {
        if r.option_code.starts_with('J') && r.option_code != "J837" {
            assert_eq!(r.flag, ResultFlag::Mark, "{}", r.option_code);
        }
        if ["8700", "7402", "H556"].contains(&r.option_code.as_str()) {
            assert_eq!(r.flag, ResultFlag::Endorsement);
        }
    }
    // A Cambridge National's units are entered with its certification option.
    let by_candidate = |code: &str| -> BTreeSet<&str> {
        entries
            .iter()
            .filter(|e| e.option_code == code)
            .map(|e| e.candidate_number.as_str())
            .collect()
    };
    let cnat = by_candidate("J837");
    assert!(!cnat.is_empty());
    for unit in ["R067", "R068", "R069"] {
        assert_eq!(by_candidate(unit), cnat, "{unit}");
    }
}

#[test]
fn a_upn_has_the_dfe_check_letter() {
    assert_eq!(upn_check_letter("801200001001"), Some('H'));
    let u = upn(10_000, 7, 11).unwrap();
    assert_eq!(u.len(), 13);
    assert_eq!(upn_check_letter(&u[1..]), u.chars().next());
}
