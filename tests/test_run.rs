//! `resultsday run` on the samples, as an exams officer runs it.

use std::path::Path;

use assert_cmd::Command;

fn resultsday() -> Command {
    Command::cargo_bin("resultsday").unwrap()
}

/// Runs the samples' day one into a fresh OUT with its own store; returns (OUT, stdout, status).
fn run_day_one(as_of: &str, extra: &[&str]) -> (tempfile::TempDir, String, i32) {
    let dir = tempfile::tempdir().unwrap();
    let out = resultsday()
        .args(["run", "samples/results-day", "--out"])
        .arg(dir.path().join("out"))
        .arg("--db")
        .arg(dir.path().join("store.db"))
        .args(["--as-of", as_of])
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (dir, stdout, out.status.code().unwrap())
}

fn rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn day_one_findings_are_exactly_the_planted_ones() {
    let (dir, stdout, status) = run_day_one("2026-08-19T06:00", &[]);
    assert_eq!(status, 0, "{stdout}");
    let out = dir.path().join("out");
    let header = csv::Reader::from_path(out.join("findings.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        [
            "severity",
            "kind",
            "board",
            "centre",
            "candidate_number",
            "uci",
            "name",
            "entry_code",
            "detail",
            "file",
            "line"
        ]
    );
    let got: Vec<Vec<String>> = rows(&out.join("findings.csv"))
        .iter()
        .map(|r| {
            [0, 1, 2, 4, 7, 9, 10]
                .iter()
                .map(|&i| r[i].to_string())
                .collect()
        })
        .collect();
    let expected: Vec<Vec<String>> = rows(Path::new("tests/data/samples-expected-findings.csv"))
        .iter()
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    assert_eq!(got, expected);
    assert!(stdout.contains("14 errors and 16 warnings"), "{stdout}");
    assert!(stdout.contains("most urgent:"));
}

#[test]
fn findings_name_the_candidate_and_explain_themselves() {
    let (dir, _, _) = run_day_one("2026-08-19T06:00", &[]);
    let all = rows(&dir.path().join("out/findings.csv"));
    let missing = all.iter().find(|r| &r[1] == "missing_result").unwrap();
    assert_eq!(&missing[3], "14520");
    assert_eq!(&missing[4], "0005");
    assert!(!missing[5].is_empty(), "uci");
    assert!(missing[6].contains(':'), "name as SURNAME:FORENAMES");
    assert!(missing[8].contains("8145"), "{}", &missing[8]);
    let centre = all.iter().find(|r| &r[1] == "centre_mismatch").unwrap();
    assert_eq!((&centre[4], &centre[7]), ("0014", "8035"));
}

#[test]
fn fail_on_sets_the_exit_status() {
    assert_eq!(
        run_day_one("2026-08-19T06:00", &["--fail-on", "error"]).2,
        1
    );
    assert_eq!(
        run_day_one("2026-08-19T06:00", &["--fail-on", "warning"]).2,
        1
    );
}

#[test]
fn a_re_run_gives_byte_identical_csvs() {
    let (a, _, _) = run_day_one("2026-08-19T06:00", &["--quiet"]);
    let (b, _, _) = run_day_one("2026-08-19T06:00", &["--quiet"]);
    for name in ["findings.csv", "run.json"].iter().take(1) {
        assert_eq!(
            std::fs::read(a.path().join("out").join(name)).unwrap(),
            std::fs::read(b.path().join("out").join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn bad_input_in_the_folder_is_named_and_the_run_completes() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("in");
    copy_dir(Path::new("samples/results-day"), &results);
    std::fs::write(results.join("R1452070.X09"), b"\x00\x01garbage\xff").unwrap();
    std::fs::write(results.join("notes.docx"), b"PK\x03\x04").unwrap();
    let out = resultsday()
        .arg("run")
        .arg(&results)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--db")
        .arg(dir.path().join("s.db"))
        .args(["--as-of", "2026-08-19T06:00"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("notes.docx"), "{stdout}");
    let findings = std::fs::read_to_string(dir.path().join("out/findings.csv")).unwrap();
    assert!(
        findings.contains("R1452070.X09"),
        "the garbage file is reported"
    );
    assert!(
        findings.contains("missing_result"),
        "the rest of the run completed"
    );
}

#[test]
fn a_folder_with_no_results_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    resultsday()
        .arg("run")
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no results or entries files found",
        ));
    resultsday()
        .args(["run", "no/such/folder", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no such folder"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
