//! The analysis: headline measures worked by hand, `subjects.csv` and `breakdown.csv` exactly,
//! the MIS reader on the sample and on bad rows, and the files `write_analysis` leaves (owner
//! only, no `headline.csv` before release, the same workbook bytes on a re-run).

use std::path::Path;

use parsers::{Grade, Gradesets};
use resultsday::analysis::{
    analyse, attainment8, breakdown_csv, headline_csv, sheet_names, subjects_csv, workbook,
    write_analysis, Analysis, AnalysisTables, CohortRule, SubjectCategory, DEFINITIONS,
};
use resultsday::load::mis::{parse_mis, read_mis, Mis, MisError};
use resultsday::model::{CandidateResult, ResultsDay, Source};
use resultsday::write::output::Commit;

// --- building results by hand ----------------------------------------------------------------

/// A GCSE 9–1 award result.
fn gcse(candidate: &str, board: &str, entry: &str, title: &str, grade: &str) -> CandidateResult {
    CandidateResult {
        board: board.into(),
        centre: "14520".into(),
        candidate_number: candidate.into(),
        uci: String::new(),
        name: "CANDIDATE:TEST".into(),
        entry_code: entry.into(),
        syllabus_code: Some(entry.trim_end_matches(['F', 'H']).into()),
        title: title.into(),
        qualification: "GCSE".into(),
        level: Some(2),
        gradeset: Some("40".into()),
        is_award: true,
        grade: Grade::parse(grade),
        grade2: None,
        mark: None,
        max_mark: None,
        endorsement: None,
        components: vec![],
        results_day: ResultsDay::Gcse,
        source: Source::new("R1452070.X01", 2),
    }
}

fn maths(c: &str, g: &str) -> CandidateResult {
    gcse(c, "01", "J560H", "MATHEMATICS HIGHER", g)
}
fn language(c: &str, g: &str) -> CandidateResult {
    gcse(c, "70", "8700", "ENGLISH LANGUAGE", g)
}
fn literature(c: &str, g: &str) -> CandidateResult {
    gcse(c, "70", "8702", "ENGLISH LITERATURE", g)
}

/// Combined science, a double award: `7`, `6` is 7-6.
fn combined(c: &str, g1: &str, g2: &str) -> CandidateResult {
    CandidateResult {
        gradeset: Some("15".into()),
        grade2: Grade::parse(g2),
        ..gcse(c, "70", "8464H", "COMBINED SCIENCE: TRILOGY HIGHER", g1)
    }
}

fn alevel(c: &str, entry: &str, g: &str) -> CandidateResult {
    CandidateResult {
        qualification: "GCE A".into(),
        level: Some(3),
        gradeset: Some("4".into()),
        results_day: ResultsDay::Gce,
        ..gcse(c, "01", entry, "MATHEMATICS A", g)
    }
}

/// A Cambridge National: the certification (an award) or a unit.
fn cnat(c: &str, entry: &str, g: &str, award: bool) -> CandidateResult {
    CandidateResult {
        qualification: "CNAT".into(),
        gradeset: Some("21".into()),
        is_award: award,
        syllabus_code: Some("J837".into()),
        ..gcse(c, "01", entry, "ENTERPRISE AND MARKETING", g)
    }
}

fn run(results: &[CandidateResult], mis: Option<&Mis>) -> Analysis {
    analyse(
        results,
        &Gradesets::builtin(),
        &AnalysisTables::builtin(),
        mis,
    )
}

/// A measure as `headline.csv` prints it: (value, denominator).
fn measure(a: &Analysis, name: &str) -> (String, String) {
    let m = a
        .measure(name)
        .unwrap_or_else(|| panic!("no measure {name}"));
    (
        m.value.text(),
        m.denominator.map(|d| d.to_string()).unwrap_or_default(),
    )
}

fn pair(value: &str, den: &str) -> (String, String) {
    (value.to_string(), den.to_string())
}

fn a8_of(results: &[CandidateResult]) -> f64 {
    let refs: Vec<&CandidateResult> = results.iter().collect();
    attainment8(&refs, &AnalysisTables::builtin())
}

// --- headline measures -----------------------------------------------------------------------

#[test]
fn english_and_maths_needs_maths_and_either_english() {
    let results = vec![
        // 0001: literature alone carries English at 4; language 3. Counts at 4, not at 5.
        maths("0001", "4"),
        language("0001", "3"),
        literature("0001", "4"),
        // 0002: `#` removed: 5# is a 5. Counts at 4 and 5.
        maths("0002", "5#"),
        language("0002", "5"),
        // 0003: maths X (no result).
        maths("0003", "X"),
        language("0003", "9"),
        // 0004: maths Q (pending).
        maths("0004", "Q"),
        literature("0004", "9"),
        // 0005: English U and U#.
        maths("0005", "9"),
        language("0005", "U"),
        literature("0005", "U#"),
        // 0006: English language 'B' is not a GCSE 9–1 grade.
        maths("0006", "6"),
        language("0006", "B"),
        // 0007: English language with a blank grade.
        maths("0007", "9"),
        language("0007", ""),
        // 0008: maths at 4 from the foundation tier, language at 7.
        gcse("0008", "01", "J560F", "MATHEMATICS FOUNDATION", "4"),
        language("0008", "7"),
    ];
    let a = run(&results, None);
    assert_eq!(a.cohort_rule, CohortRule::GcseResults);
    // 0001, 0002, 0008 of 8.
    assert_eq!(measure(&a, "gcse_pct_9_4_en_ma"), pair("37.5", "8"));
    // 0002 of 8.
    assert_eq!(measure(&a, "gcse_pct_9_5_en_ma"), pair("12.5", "8"));
}

#[test]
fn gcse_grade_shares_count_a_double_award_twice_and_no_result_as_not_reaching() {
    let mut unit = maths("0001", "9");
    unit.is_award = false;
    let mut unknown_option = gcse("0001", "70", "8062", "", "9");
    unknown_option.qualification = String::new();
    unknown_option.gradeset = None;
    let results = vec![
        maths("0001", "7"),
        combined("0001", "7", "6"),
        gcse("0001", "70", "8145", "HISTORY", "X"),
        gcse("0001", "70", "8035", "GEOGRAPHY", "Q"),
        gcse("0001", "40", "C120P1", "RELIGIOUS STUDIES", ""),
        // Not GCSE results: a unit, an option not in the basedata, a Cambridge National.
        unit,
        unknown_option,
        cnat("0001", "J837", "*2", true),
    ];
    let a = run(&results, None);
    assert_eq!(measure(&a, "gcse_entries"), pair("5", ""));
    // Grades: 7, 7, 6, X, Q, blank. 7+: 2 of 6; 4+: 3 of 6.
    assert_eq!(measure(&a, "gcse_pct_9_7"), pair("33.3", "6"));
    assert_eq!(measure(&a, "gcse_pct_9_4"), pair("50.0", "6"));
}

#[test]
fn english_is_double_weighted_only_when_both_were_taken() {
    // Both: the better (7) doubled, the other (5) in an open slot. 2×6 + 2×7 + 5.
    assert_eq!(
        a8_of(&[maths("1", "6"), language("1", "5"), literature("1", "7")]),
        31.0
    );
    // Language alone: counted once. 2×6 + 5.
    assert_eq!(a8_of(&[maths("1", "6"), language("1", "5")]), 17.0);
    // Literature alone, language X (not taken): once. 2×6 + 7.
    assert_eq!(
        a8_of(&[maths("1", "6"), language("1", "X"), literature("1", "7")]),
        19.0
    );
    // Language U is taken: both, so literature 4 is doubled and U (0) fills an open slot.
    assert_eq!(
        a8_of(&[maths("1", "6"), language("1", "U"), literature("1", "4")]),
        20.0
    );
    // `#` removed: 5# scores 5.
    assert_eq!(a8_of(&[maths("1", "5#")]), 10.0);
}

#[test]
fn combined_science_gives_two_parts_each_the_mean_of_its_grades() {
    let mut gcse_unit = gcse("1", "70", "8035", "GEOGRAPHY", "9");
    gcse_unit.is_award = false;
    let results = vec![
        // A tiered pair is one subject: its better grade (5) counts once.
        maths("1", "5"),
        gcse("1", "01", "J560F", "MATHEMATICS FOUNDATION", "3"),
        language("1", "6"),
        literature("1", "4"),
        combined("1", "7", "6"),
        gcse("1", "70", "8145", "HISTORY", "9"),
        gcse("1", "40", "C800PH", "FRENCH HIGHER", "8"),
        gcse("1", "40", "C120P1", "RELIGIOUS STUDIES", "5"),
        gcse("1", "70", "8201", "ART AND DESIGN", "3"),
        cnat("1", "J837", "D2", true),
        // A unit result never counts.
        cnat("1", "R067", "*2", false),
        gcse_unit,
    ];
    // maths 2×5 = 10; English 2×6 = 12 (literature 4 to open);
    // EBacc: history 9, French 8, one science part 6.5 = 23.5 (the other part 6.5 to open);
    // open: Cambridge National D2 7, science part 6.5, RS 5 = 18.5 (literature 4, art 3 unused).
    assert_eq!(a8_of(&results), 64.0);
    let a = run(&results, None);
    assert_eq!(measure(&a, "a8_mean"), pair("64.00", "1"));
    assert!(
        a.notes.iter().any(|n| n.contains("CNAT 21 grades D2")),
        "{:?}",
        a.notes
    );
}

#[test]
fn a8_mean_is_over_the_whole_cohort() {
    let results = vec![
        maths("0001", "6"),
        language("0001", "5"),
        literature("0001", "7"),
        // 0002 is in the cohort (a GCSE result) but nothing counts: A8 0.
        maths("0002", "X"),
        // 0003: 2×1 = 2.
        maths("0003", "1"),
    ];
    let a = run(&results, None);
    // (31 + 0 + 2) / 3 = 11.00
    assert_eq!(measure(&a, "a8_mean"), pair("11.00", "3"));
}

#[test]
fn a_level_measures_count_graded_entries_only() {
    let mut as_level = alevel("0101", "H040", "A");
    as_level.qualification = "GCE AS".into();
    as_level.gradeset = Some("A".into());
    let mut epq = alevel("0101", "H856", "A*");
    epq.qualification = "PROJECT".into();
    epq.gradeset = Some("4".into());
    let results = vec![
        alevel("0101", "H240", "A*"),
        alevel("0101", "H556", "A"),
        alevel("0102", "H240", "B#"),
        alevel("0102", "H556", "C"),
        alevel("0103", "H240", "E"),
        alevel("0103", "H556", "U"),
        // Not entries: X, Q, blank, a grade not in the gradeset.
        alevel("0104", "H240", "X"),
        alevel("0104", "H556", "Q"),
        alevel("0105", "H240", ""),
        alevel("0105", "H556", "9"),
        // Not A levels.
        as_level,
        epq,
    ];
    let a = run(&results, None);
    assert_eq!(measure(&a, "alevel_entries"), pair("6", ""));
    // 60 + 50 + 40 + 30 + 10 + 0 = 190 over 6 = 31.666…
    assert_eq!(measure(&a, "alevel_aps_per_entry"), pair("31.67", "6"));
    assert_eq!(measure(&a, "alevel_pct_astar_a"), pair("33.3", "6"));
    assert_eq!(measure(&a, "alevel_pct_astar_b"), pair("50.0", "6"));
    assert_eq!(measure(&a, "alevel_pct_astar_e"), pair("83.3", "6"));
    assert_eq!(measure(&a, "p8"), pair("n/a", ""));
    // No GCSE results: no cohort, so the GCSE measures are blank over 0.
    assert_eq!(measure(&a, "gcse_pct_9_4_en_ma"), pair("", "0"));
    assert_eq!(measure(&a, "a8_mean"), pair("", "0"));
}

/// samples/README.md, "Headline numbers, worked by hand (day one)".
#[test]
fn the_samples_hand_worked_headline_numbers() {
    // (candidate, English language, English literature, maths option and grade)
    let gcse_rows = [
        ("0001", "7", "8", "J560H", "7"),
        ("0002", "4", "3", "J560F", "4"),
        ("0003", "9", "9", "J560H", "9"),
        ("0004", "5", "4", "J560H", "6"),
        ("0005", "6", "7", "J560H", "5#"),
        ("0006", "3", "4", "J560F", "4"),
        ("0007", "5", "6", "J560F", "5"),
        ("0008", "8", "7", "J560H", "8"),
        ("0009", "6", "5", "J560H", "3"),
        ("0010", "4", "5", "J560H", "6"),
        ("0011", "U", "U#", "J560F", "2"),
        ("0012", "7", "6", "J560F", "3"),
        ("0013", "3", "2", "J560F", "5"),
        ("0014", "5", "4", "J560H", "4"),
    ];
    let mut results = Vec::new();
    for (c, lang, lit, option, m) in gcse_rows {
        results.push(language(c, lang));
        results.push(literature(c, lit));
        results.push(gcse(c, "01", option, "MATHEMATICS", m));
    }
    let alevel_rows: [(&str, &[(&str, &str)]); 10] = [
        ("0101", &[("H240", "A*"), ("H556", "A"), ("7402", "A")]),
        ("0102", &[("7182", "A*"), ("7402", "B"), ("H240", "B")]),
        ("0103", &[("7402", "C"), ("H240", "B")]),
        ("0104", &[("H240", "C"), ("H556", "C")]),
        ("0105", &[("7182", "A"), ("7402", "A"), ("H240", "A")]),
        ("0106", &[("7182", "B"), ("H240", "D")]),
        ("0107", &[("H240", "B"), ("H556", "B")]),
        ("0108", &[("7182", "C"), ("7402", "B"), ("H240", "C")]),
        ("0109", &[("7402", "C"), ("H240", "A"), ("H556", "B")]),
        ("0110", &[("7182", "E"), ("7402", "U")]),
    ];
    for (c, grades) in alevel_rows {
        for (entry, g) in grades {
            results.push(alevel(c, entry, g));
        }
    }
    let a = run(&results, None);
    assert_eq!(measure(&a, "gcse_pct_9_4_en_ma"), pair("71.4", "14"));
    assert_eq!(measure(&a, "gcse_pct_9_5_en_ma"), pair("50.0", "14"));
    assert_eq!(measure(&a, "alevel_entries"), pair("25", ""));
    assert_eq!(measure(&a, "alevel_aps_per_entry"), pair("38.00", "25"));
    assert_eq!(measure(&a, "alevel_pct_astar_a"), pair("32.0", "25"));
    assert_eq!(measure(&a, "alevel_pct_astar_b"), pair("64.0", "25"));
    assert_eq!(measure(&a, "alevel_pct_astar_e"), pair("96.0", "25"));

    // After reviews: 0013's English language 3 → 4.
    let i = results
        .iter()
        .position(|r| r.candidate_number == "0013" && r.entry_code == "8700")
        .unwrap();
    results[i].grade = Grade::parse("4");
    let a = run(&results, None);
    assert_eq!(measure(&a, "gcse_pct_9_4_en_ma"), pair("78.6", "14"));
    assert_eq!(measure(&a, "gcse_pct_9_5_en_ma"), pair("50.0", "14"));
}

#[test]
fn headline_csv_exactly() {
    let results = vec![
        maths("0001", "7"),
        language("0001", "4"),
        maths("0002", "3"),
        literature("0002", "9"),
        alevel("0101", "H240", "A"),
    ];
    let a = run(&results, None);
    let text = String::from_utf8(headline_csv(&a)).unwrap();
    assert_eq!(
        text,
        "\u{feff}measure,value,denominator\n\
         gcse_entries,4,\n\
         gcse_pct_9_4_en_ma,50.0,2\n\
         gcse_pct_9_5_en_ma,0.0,2\n\
         gcse_pct_9_7,50.0,4\n\
         gcse_pct_9_4,75.0,4\n\
         a8_mean,16.50,2\n\
         alevel_entries,1,\n\
         alevel_aps_per_entry,50.00,1\n\
         alevel_pct_astar_a,100.0,1\n\
         alevel_pct_astar_b,100.0,1\n\
         alevel_pct_astar_e,100.0,1\n\
         p8,n/a,\n"
    );
    // Every measure has a definition, in the same order.
    let names: Vec<&str> = a.headline.iter().map(|m| m.measure).collect();
    let defined: Vec<&str> = DEFINITIONS.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, defined);
}

// --- subjects.csv ----------------------------------------------------------------------------

#[test]
fn subjects_csv_header_and_rows_exactly() {
    let results = vec![
        language("0001", "7"),
        language("0002", "5#"),
        language("0003", "X"),
        combined("0001", "7", "6"),
        alevel("0101", "H240", "A*"),
        alevel("0102", "H240", "U"),
        cnat("0001", "J837", "D2", true),
        cnat("0001", "R067", "M1", false),
    ];
    let a = run(&results, None);
    let text = String::from_utf8(subjects_csv(&a)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "\u{feff}board,entry_code,title,qualification,entries,\
         9,8,7,6,5,4,3,2,1,U,A*,A,B,C,D,E,*2,D2,M2,P2,D1,M1,P1,X,Q,pct_top,pct_pass"
    );
    assert_eq!(
        &lines[1..],
        [
            // A level: blank under the GCSE and Cambridge National grades; U is shared.
            "01,H240,MATHEMATICS A,GCE A,2,,,,,,,,,,1,1,0,0,0,0,0,,,,,,,,0,0,50.0,50.0",
            "01,J837,ENTERPRISE AND MARKETING,CNAT,1,,,,,,,,,,0,,,,,,,0,1,0,0,0,0,0,0,0,100.0,100.0",
            // A unit has a row too.
            "01,R067,ENTERPRISE AND MARKETING,CNAT,1,,,,,,,,,,0,,,,,,,0,0,0,0,0,1,0,0,0,0.0,100.0",
            // 7-6 counts once under 7 and once under 6; the shares are of two grades.
            "70,8464H,COMBINED SCIENCE: TRILOGY HIGHER,GCSE,1,0,0,1,1,0,0,0,0,0,0,,,,,,,,,,,,,,0,0,50.0,100.0",
            // 5# counts under 5; X is counted and reaches nothing.
            "70,8700,ENGLISH LANGUAGE,GCSE,3,0,0,1,0,1,0,0,0,0,0,,,,,,,,,,,,,,1,0,33.3,66.7",
        ]
    );
    assert_eq!(lines.len(), 6);
}

// --- MIS and breakdown.csv -------------------------------------------------------------------

const MIS_HEADER: &str =
    "candidate_number,uci,surname,forenames,sex,date_of_birth,year_group,form,pupil_premium,sen,eal";

#[test]
fn the_sample_mis_export_reads_cleanly() {
    let mis = read_mis(Path::new("samples/candidates.csv")).unwrap();
    assert!(mis.problems.is_empty(), "{:?}", mis.problems);
    assert_eq!(mis.candidates.len(), 24);
    assert!(mis.extra_columns.is_empty());
    assert_eq!(mis.in_year(11).count(), 14);
    assert_eq!(mis.in_year(13).count(), 10);
    let emile = &mis.candidates["0007"];
    assert_eq!(
        (emile.surname.as_str(), emile.forenames.as_str()),
        ("O'NEILL", "ÉMILE")
    );
    assert_eq!(emile.form.as_deref(), Some("11A"));
    assert_eq!(emile.date_of_birth.unwrap().to_string(), "2010-04-27");
    let zara = &mis.candidates["0001"];
    assert_eq!(
        (zara.pupil_premium, zara.sen, zara.eal),
        (Some(true), Some(false), Some(true))
    );
}

#[test]
fn a_bad_mis_row_is_reported_with_its_line_and_the_rest_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("candidates.csv");
    let text = format!(
        "{MIS_HEADER}\n\
         0001,U1,AHMED,ZARA,F,2009-11-14,11,11A,Y,N,Y\n\
         0002,U2,BAKER,TOM,M,2010-03-02,eleven,11B,N,N,N\n\
         00X3,U3,CHEN,LILY,F,2009-09-23,11,11A,N,N,Y\n\
         0004,U4,DAVIES,OWEN,M,02/06/2010,11,11B,maybe,N,N\n"
    );
    std::fs::write(&path, text).unwrap();
    let mis = read_mis(&path).unwrap();
    let found: Vec<(u64, &str)> = mis
        .problems
        .iter()
        .map(|p| (p.line, p.field.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (3, "year_group"),
            (4, "candidate_number"),
            (5, "date_of_birth"),
            (5, "pupil_premium")
        ]
    );
    assert_eq!(
        mis.problems[0].to_string(),
        "candidates.csv line 3, year_group: 'eleven' is not a year group (a number from 1 to 14, \
         e.g. 11); the candidate is in no year group"
    );
    // The rows with a readable candidate number are kept; the bad fields are unknown.
    let numbers: Vec<&str> = mis.candidates.keys().map(String::as_str).collect();
    assert_eq!(numbers, ["0001", "0002", "0004"]);
    assert_eq!(mis.candidates["0002"].year_group, None);
    assert_eq!(mis.candidates["0004"].pupil_premium, None);
    assert_eq!(mis.candidates["0004"].year_group, Some(11));
}

#[test]
fn an_unreadable_mis_export_is_an_error() {
    let err = read_mis(Path::new("samples/no-such-file.csv")).unwrap_err();
    assert!(matches!(err, MisError::Unreadable(_)), "{err:?}");
    assert!(err.to_string().contains("no-such-file.csv"));
}

#[test]
fn breakdown_rows_per_group_and_value() {
    let mis = parse_mis(
        "candidates.csv",
        format!(
            "{MIS_HEADER},house\n\
             0001,U1,A,A,F,2010-01-01,11,11A,Y,N,N,Red\n\
             0002,U2,B,B,M,2010-01-01,11,11A,N,N,N,Blue\n\
             0003,U3,C,C,F,2010-01-01,11,11B,N,Y,N,Red\n\
             0101,U4,D,D,M,2008-01-01,13,13A,N,N,Y,\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let results = vec![
        maths("0001", "5"),
        language("0001", "5"),
        maths("0002", "4"),
        literature("0002", "3"),
        // 0003 is in Year 11 with no result: in the cohort, not reaching.
        alevel("0101", "H240", "B"),
        // 0009 has results but is not in the MIS export, so not in the Year 11 cohort.
        maths("0009", "9"),
        language("0009", "9"),
    ];
    let a = run(&results, Some(&mis));
    assert_eq!(a.cohort_rule, CohortRule::MisYear11);
    assert_eq!(a.cohort_size, 3);
    // All GCSE results count as entries; only the cohort counts in English and maths.
    assert_eq!(measure(&a, "gcse_entries"), pair("6", ""));
    assert_eq!(measure(&a, "gcse_pct_9_4_en_ma"), pair("33.3", "3"));

    let rows = a.breakdown.as_ref().unwrap();
    let find = |group: &str, value: &str, m: &str| {
        rows.iter()
            .find(|r| r.group == group && r.value == value && r.measure == m)
            .map(|r| {
                (
                    r.result.text(),
                    r.denominator.map(|d| d.to_string()).unwrap_or_default(),
                )
            })
            .unwrap_or_else(|| panic!("no row {group} {value} {m}"))
    };
    assert_eq!(find("sex", "F", "gcse_pct_9_4_en_ma"), pair("50.0", "2"));
    assert_eq!(find("sex", "M", "gcse_pct_9_4_en_ma"), pair("0.0", "1"));
    assert_eq!(find("sex", "M", "alevel_entries"), pair("1", ""));
    assert_eq!(find("sex", "M", "alevel_aps_per_entry"), pair("40.00", "1"));
    assert_eq!(find("pupil_premium", "Y", "a8_mean"), pair("15.00", "1"));
    assert_eq!(find("form", "11B", "gcse_entries"), pair("0", ""));
    assert_eq!(
        find("house", "Red", "gcse_pct_9_5_en_ma"),
        pair("50.0", "2")
    );
    assert_eq!(find("house", "(unknown)", "alevel_entries"), pair("1", ""));
    assert_eq!(find("sex", "(not in MIS)", "gcse_entries"), pair("2", ""));
    assert_eq!(
        find("sex", "(not in MIS)", "gcse_pct_9_4_en_ma"),
        pair("", "0")
    );

    // Sorted by group, then value; the measures in headline order within each.
    let order: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r.measure == "gcse_entries")
        .map(|r| (r.group.as_str(), r.value.as_str()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    assert_eq!(order[0], ("eal", "(not in MIS)"));
    assert_eq!(rows.len(), order.len() * 12);

    let text = String::from_utf8(breakdown_csv(&a).unwrap()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("\u{feff}group,value,measure,result,denominator")
    );
    assert_eq!(lines.next(), Some("eal,(not in MIS),gcse_entries,2,"));
    assert!(text.contains("\nsex,F,gcse_pct_9_4_en_ma,50.0,2\n"));
    assert!(text.contains("\nsex,M,p8,n/a,\n"));
    assert!(breakdown_csv(&run(&results, None)).is_none());
}

#[test]
fn an_mis_export_with_no_year_11_falls_back_to_gcse_results() {
    let mis = parse_mis(
        "candidates.csv",
        format!("{MIS_HEADER}\n0101,U,A,A,F,2008-01-01,13,13A,N,N,N\n").as_bytes(),
    )
    .unwrap();
    let a = run(&[maths("0001", "5"), language("0001", "5")], Some(&mis));
    assert_eq!(a.cohort_rule, CohortRule::GcseResultsMisHasNoYear11);
    assert_eq!(measure(&a, "gcse_pct_9_5_en_ma"), pair("100.0", "1"));
}

// --- tables ----------------------------------------------------------------------------------

#[test]
fn a_centres_own_tables_replace_the_built_in_ones() {
    let dir = tempfile::tempdir().unwrap();
    let t = AnalysisTables::load(Some(dir.path())).unwrap();
    assert_eq!(t, AnalysisTables::builtin());
    std::fs::write(
        dir.path().join("subjects.csv"),
        "pattern,category\nRELIGIOUS STUDIES,ebacc_humanity\n",
    )
    .unwrap();
    let t = AnalysisTables::load(Some(dir.path())).unwrap();
    assert_eq!(
        t.subjects.classify("C120", "RELIGIOUS STUDIES"),
        SubjectCategory::EbaccHumanity
    );
    assert!(t.sources[1].ends_with("subjects.csv") && !t.sources[1].starts_with("built-in"));
    assert_eq!(t.sources[0], "built-in points.csv");

    std::fs::write(
        dir.path().join("points.csv"),
        "qualification,gradeset,grade,points,verified,source\nGCSE,40,9,9,perhaps,\n",
    )
    .unwrap();
    let err = AnalysisTables::load(Some(dir.path())).unwrap_err();
    assert_eq!(err.line, Some(2));
    assert!(err
        .to_string()
        .contains("points.csv line 2: verified 'perhaps'"));
}

// --- files -----------------------------------------------------------------------------------

fn sample_analysis() -> Analysis {
    let mis = parse_mis(
        "candidates.csv",
        format!("{MIS_HEADER}\n0001,U,A,A,F,2010-01-01,11,11A,Y,N,N\n").as_bytes(),
    )
    .unwrap();
    let results = vec![
        maths("0001", "7"),
        language("0001", "6"),
        combined("0001", "5", "5"),
        alevel("0101", "H240", "A"),
    ];
    run(&results, Some(&mis))
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn before_release_headline_csv_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let a = sample_analysis();
    let written = write_analysis(dir.path(), &a, false, Commit::Now).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| {
            p.strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "analysis/subjects.csv",
            "analysis/breakdown.csv",
            "analysis.xlsx"
        ]
    );
    assert!(!dir.path().join("analysis/headline.csv").exists());
    #[cfg(unix)]
    for p in &written {
        assert_eq!(mode(p), 0o600, "{}", p.display());
    }

    let written = write_analysis(dir.path(), &a, true, Commit::Now).unwrap();
    assert_eq!(written.len(), 4);
    let headline = dir.path().join("analysis/headline.csv");
    assert_eq!(
        std::fs::read(&headline).unwrap(),
        headline_csv(&a),
        "headline.csv once released"
    );
    #[cfg(unix)]
    assert_eq!(mode(&headline), 0o600);
}

#[test]
fn the_workbook_is_the_same_bytes_on_a_rerun() {
    let a = sample_analysis();
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    write_analysis(first.path(), &a, true, Commit::Now).unwrap();
    write_analysis(second.path(), &a, true, Commit::Now).unwrap();
    for name in [
        "analysis.xlsx",
        "analysis/subjects.csv",
        "analysis/breakdown.csv",
        "analysis/headline.csv",
    ] {
        assert_eq!(
            std::fs::read(first.path().join(name)).unwrap(),
            std::fs::read(second.path().join(name)).unwrap(),
            "{name}"
        );
    }
    // The embargoed workbook differs only by its notice.
    let mut held = workbook(&a, false).unwrap();
    let mut released = workbook(&a, true).unwrap();
    assert_ne!(
        held.save_to_buffer().unwrap(),
        released.save_to_buffer().unwrap()
    );
}

/// Whether a zip archive (an xlsx) has an entry of this name: entry names are stored
/// uncompressed in the archive's headers.
fn has_entry(zip: &[u8], name: &str) -> bool {
    zip.windows(name.len()).any(|w| w == name.as_bytes())
}

#[test]
fn the_workbook_has_its_sheets_and_a_chart_per_subject() {
    let a = sample_analysis();
    let mut wb = workbook(&a, false).unwrap();
    let names: Vec<String> = wb.worksheets().iter().map(|s| s.name()).collect();
    assert_eq!(names, ["Headline", "Subjects", "Breakdown", "Charts"]);
    assert_eq!(names, sheet_names(&a));

    let bytes = wb.save_to_buffer().unwrap();
    let subjects = a.subjects.rows.len();
    assert_eq!(subjects, 4);
    for n in 1..=4 {
        assert!(has_entry(&bytes, &format!("xl/worksheets/sheet{n}.xml")));
    }
    assert!(!has_entry(&bytes, "xl/worksheets/sheet5.xml"));
    for n in 1..=subjects {
        assert!(
            has_entry(&bytes, &format!("xl/charts/chart{n}.xml")),
            "chart {n}"
        );
    }
    assert!(!has_entry(
        &bytes,
        &format!("xl/charts/chart{}.xml", subjects + 1)
    ));

    // Without an MIS export there is no Breakdown sheet.
    let plain = run(&[maths("0001", "7")], None);
    let mut wb = workbook(&plain, true).unwrap();
    let names: Vec<String> = wb.worksheets().iter().map(|s| s.name()).collect();
    assert_eq!(names, ["Headline", "Subjects", "Charts"]);
}
