//! Unit tests of the analysis: the built-in tables, subject classes, table errors and rounding.

use super::tables::contains_words;
use super::*;

#[test]
fn builtin_tables_load_and_every_measure_is_defined() {
    PointsTable::from_csv("points.csv", DEFAULT_POINTS_CSV.as_bytes()).unwrap();
    SubjectTable::from_csv("subjects.csv", DEFAULT_SUBJECTS_CSV.as_bytes()).unwrap();
    let t = AnalysisTables::builtin();
    assert_eq!(t.points.get("GCSE", "40", "4").unwrap().points, 4.0);
    assert_eq!(t.points.get("GCSE", "40", "U").unwrap().points, 0.0);
    let star = t.points.get("CNAT", "21", "*2").unwrap();
    assert_eq!((star.points, star.verified), (8.5, false));
    assert_eq!(t.points.get("CNAT", "21", "P1").unwrap().points, 1.25);
    let names: Vec<&str> = DEFINITIONS.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "gcse_entries",
            "gcse_pct_9_4_en_ma",
            "gcse_pct_9_5_en_ma",
            "gcse_pct_9_7",
            "gcse_pct_9_4",
            "a8_mean",
            "alevel_entries",
            "alevel_aps_per_entry",
            "alevel_pct_astar_a",
            "alevel_pct_astar_b",
            "alevel_pct_astar_e",
            "p8"
        ]
    );
}

#[test]
fn subjects_classify_by_code_then_title() {
    let t = AnalysisTables::builtin().subjects;
    use SubjectCategory::*;
    assert_eq!(t.classify("8700", "GCSE ENGLISH LANGUAGE"), EnglishLanguage);
    // Another centre's codes: the title decides.
    assert_eq!(t.classify("ZZ01", "English Literature"), EnglishLiterature);
    assert_eq!(t.classify("ZZ02", "MATHEMATICS HIGHER"), Maths);
    assert_eq!(t.classify("ZZ03", "FURTHER MATHEMATICS"), Open);
    assert_eq!(
        t.classify("ZZ04", "COMBINED SCIENCE: SYNERGY"),
        CombinedScience
    );
    assert_eq!(t.classify("ZZ05", "COMPUTER SCIENCE"), EbaccScience);
    assert_eq!(t.classify("ZZ06", "CHEMISTRY"), EbaccScience);
    assert_eq!(t.classify("ZZ07", "HISTORY"), EbaccHumanity);
    assert_eq!(t.classify("ZZ08", "SPANISH"), EbaccLanguage);
    assert_eq!(t.classify("ZZ09", "TRANSLATING TEXTS"), Open);
    assert_eq!(t.classify("ZZ10", "RELIGIOUS STUDIES"), Open);
    // A code wins over the title.
    assert_eq!(t.classify("J560", "SOMETHING ELSE"), Maths);
}

#[test]
fn bad_table_rows_name_their_line() {
    let e = SubjectTable::from_csv("subjects.csv", "pattern,category\nART,arts\n".as_bytes())
        .unwrap_err();
    assert_eq!(e.line, Some(2));
    assert!(e
        .to_string()
        .starts_with("subjects.csv line 2: category 'arts'"));
    let e = PointsTable::from_csv(
        "points.csv",
        "qualification,gradeset,grade,points,verified,source\nGCSE,40,9,nine,yes,x\n".as_bytes(),
    )
    .unwrap_err();
    assert_eq!(e.line, Some(2));
    // Saved from a Windows spreadsheet: CRLF line ends and a blank line; the bad row is on
    // line 4 as a person counts it.
    let e = PointsTable::from_csv(
        "points.csv",
        "qualification,gradeset,grade,points,verified,source\r\nGCSE,40,9,9,yes,x\r\n\r\n\
         GCSE,40,8,eight,yes,x\r\n"
            .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(e.line, Some(4), "{e}");
    assert!(e.to_string().starts_with("points.csv line 4:"), "{e}");
}

#[test]
fn percentages_round_half_up_exactly() {
    assert_eq!(percent(10, 14).text(), "71.4");
    assert_eq!(percent(1, 16).text(), "6.3");
    assert_eq!(percent(2, 3).text(), "66.7");
    assert_eq!(percent(7, 14).text(), "50.0");
    assert_eq!(percent(0, 0).text(), "");
    assert_eq!(mean_points(950.0, 25).text(), "38.00");
    assert_eq!(mean_points(1.0, 3).text(), "0.33");
    assert_eq!(mean_points(2.0, 3).text(), "0.67");
    assert_eq!(mean_points(0.125, 1).text(), "0.13");
    assert_eq!(mean_points(5.0, 0).text(), "");
}

#[test]
fn whole_words_only() {
    assert!(contains_words("GCSE LATIN", "LATIN"));
    assert!(!contains_words("TRANSLATING", "LATIN"));
    assert!(contains_words(
        "COMBINED SCIENCE: TRILOGY",
        "COMBINED SCIENCE"
    ));
}
