//! The re-run after reviews: day one, then the amended results, and exactly the planted changes.

use std::path::Path;

mod common;

use common::{copy_dir, resultsday};

/// A centre folder with day one run into its store; returns the temp dir.
fn day_one() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("samples/results-day"), &dir.path().join("in"));
    run(dir.path(), "2026-08-20T10:00");
    dir
}

fn run(dir: &Path, as_of: &str) -> String {
    let out = resultsday()
        .arg("run")
        .arg(dir.join("in"))
        .arg("--out")
        .arg(dir.join("out"))
        .arg("--db")
        .arg(dir.join("s.db"))
        .args(["--as-of", as_of])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout).unwrap()
}

fn after_reviews(dir: &Path) -> String {
    copy_dir(Path::new("samples/after-reviews"), &dir.join("in/results"));
    run(dir, "2026-09-16T10:00")
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_first_run_has_nothing_to_compare() {
    let dir = day_one();
    assert!(!dir.path().join("out/changes.csv").exists());
}

#[test]
fn a_re_run_of_the_same_files_changes_nothing() {
    let dir = day_one();
    let stdout = run(dir.path(), "2026-08-20T11:00");
    // The same files again record nothing new: run 1 stays the latest, with nothing before it
    // to compare with.
    assert!(
        stdout.contains("nothing has changed since run 1"),
        "{stdout}"
    );
    assert!(!stdout.contains("recorded as run"), "{stdout}");
    assert!(!dir.path().join("out/changes.csv").exists());
    assert!(!dir.path().join("out/statements-changed.html").exists());
}

#[test]
fn the_amended_results_give_exactly_the_planted_changes() {
    let dir = day_one();
    let stdout = after_reviews(dir.path());
    assert!(
        stdout.contains("1 grade up, 1 down, 1 mark changed, 2 new results, 0 removed"),
        "{stdout}"
    );
    let changes: Vec<Vec<String>> = rows(&dir.path().join("out/changes.csv"))
        .into_iter()
        .map(|r| {
            [0, 3, 4, 6, 7, 8, 9, 10]
                .iter()
                .map(|&i| r[i].clone())
                .collect()
        })
        .collect();
    let expected: Vec<Vec<String>> = [
        ["0008", "70", "8702", "7", "6", "", "", "down"],
        ["0010", "01", "J560H", "6", "6", "158", "163", "same"],
        ["0011", "01", "J837", "", "P1", "", "", "new"],
        ["0012", "70", "8145", "Pending", "6", "", "", "new"],
        ["0013", "70", "8700", "3", "4", "", "", "up"],
    ]
    .iter()
    .map(|r| r.iter().map(|s| s.to_string()).collect())
    .collect();
    assert_eq!(changes, expected);

    // Fresh statements for the five changed candidates only.
    let html = std::fs::read_to_string(dir.path().join("out/statements-changed.html")).unwrap();
    for cand in ["0008", "0010", "0011", "0012", "0013"] {
        assert!(html.contains(cand), "{cand}");
    }
    assert!(!html.contains(">0001<"));
    // The analysis moves with it: English and maths 9–4 rises from 71.4 to 78.6.
    let delta = rows(&dir.path().join("out/analysis/changes.csv"));
    assert!(delta
        .iter()
        .any(|r| r[1] == "gcse_pct_9_4_en_ma" && r[4] == "71.4" && r[5] == "78.6"));
    let headline = rows(&dir.path().join("out/analysis/headline.csv"));
    assert!(headline
        .iter()
        .any(|r| r[0] == "gcse_pct_9_4_en_ma" && r[1] == "78.6"));
}

#[test]
fn diff_compares_stored_runs_and_runs_lists_them() {
    let dir = day_one();
    after_reviews(dir.path());
    let db = dir.path().join("s.db");
    let out = resultsday()
        .arg("diff")
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("run 1 -> run 2: 1 grade up, 1 down"),
        "{text}"
    );
    assert!(
        text.contains("0013,145200240013R,PATEL:ARJUN,70,8700,ENGLISH LANGUAGE,3,4,,,up"),
        "{text}"
    );
    let out_dir = dir.path().join("diff");
    resultsday()
        .arg("diff")
        .arg("--db")
        .arg(&db)
        .args(["--from", "2", "--to", "1", "--out"])
        .arg(&out_dir)
        .assert()
        .success();
    let reverse = rows(&out_dir.join("changes.csv"));
    let up = reverse.iter().find(|r| r[0] == "0008").unwrap();
    assert_eq!(up[10], "up", "run 2 against run 1 runs the other way");
    let out = resultsday()
        .arg("runs")
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2 runs"), "{text}");
    resultsday()
        .args(["diff", "--to", "9", "--db"])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("there is no run 9"));
}

/// The built-in gradesets table with gradeset 40 (GCSE 9–1) ranked the other way up: a centre
/// table under which 7 -> 6 is a rise.
fn gradesets_40_upside_down() -> String {
    let builtin = std::fs::read_to_string("parsers/data/gradesets.csv").unwrap();
    let mut out = String::new();
    for line in builtin.lines() {
        let fields: Vec<&str> = line.split(',').collect();
        if fields[0] == "40" {
            let rank: u32 = fields[2].parse().unwrap();
            out += &format!("40,{},{},{}\n", fields[1], 11 - rank, fields[3]);
        } else {
            out += line;
            out.push('\n');
        }
    }
    out
}

#[test]
fn diff_ranks_grades_by_the_gradesets_the_run_used() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("samples/results-day"), &dir.path().join("in"));
    std::fs::write(
        dir.path().join("in/gradesets.csv"),
        gradesets_40_upside_down(),
    )
    .unwrap();
    run(dir.path(), "2026-08-20T10:00");
    after_reviews(dir.path());
    // The run's own changes.csv, by the centre's table: 8702 7 -> 6 is up, 8700 3 -> 4 down.
    let direction =
        |rows: &[Vec<String>], cand: &str| rows.iter().find(|r| r[0] == cand).unwrap()[10].clone();
    let recorded = rows(&dir.path().join("out/changes.csv"));
    assert_eq!(direction(&recorded, "0008"), "up");
    assert_eq!(direction(&recorded, "0013"), "down");
    // diff, with no folder to read the table from, agrees: the store kept it with the run.
    let out_dir = dir.path().join("diff");
    resultsday()
        .arg("diff")
        .arg("--db")
        .arg(dir.path().join("s.db"))
        .arg("--out")
        .arg(&out_dir)
        .assert()
        .success();
    assert_eq!(rows(&out_dir.join("changes.csv")), recorded);
}

#[test]
fn a_changed_gradesets_table_is_a_new_run_even_with_the_same_files() {
    let dir = day_one();
    std::fs::write(
        dir.path().join("in/gradesets.csv"),
        gradesets_40_upside_down(),
    )
    .unwrap();
    let stdout = run(dir.path(), "2026-08-20T11:00");
    assert!(stdout.contains("recorded as run 2"), "{stdout}");
}
