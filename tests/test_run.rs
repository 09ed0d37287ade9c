//! `resultsday run` on the samples, as an exams officer runs it.

use std::path::Path;

mod common;

use common::{copy_dir, resultsday};

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
    for name in [
        "findings.csv",
        "statements.csv",
        "statements.html",
        "analysis/subjects.csv",
        "analysis.xlsx",
    ] {
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

#[test]
fn statements_hold_every_result_and_the_embargo_lifts_at_eight() {
    let (dir, _, _) = run_day_one("2026-08-20T07:59", &[]);
    let out = dir.path().join("out");
    let csv_rows = rows(&out.join("statements.csv"));
    let zara: Vec<Vec<String>> = csv_rows
        .iter()
        .filter(|r| &r[0] == "0001")
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    assert_eq!(zara.len(), 6);
    let science = zara.iter().find(|r| r[4] == "8464H").unwrap();
    assert_eq!(science[7], "7-6", "a double award prints as 7-6");
    assert_eq!(science[10], "provisional");
    let english = zara.iter().find(|r| r[4] == "8700").unwrap();
    assert_eq!(
        (english[7].as_str(), english[11].as_str()),
        ("7", "D"),
        "endorsement apart"
    );
    let maths = zara.iter().find(|r| r[4] == "J560H").unwrap();
    assert_eq!((maths[8].as_str(), maths[9].as_str()), ("212", "300"));
    let grades: Vec<&str> = csv_rows.iter().map(|r| &r[7]).collect();
    assert!(grades.contains(&"No Result") && grades.contains(&"Pending") && grades.contains(&"5#"));
    let html = std::fs::read_to_string(out.join("statements.html")).unwrap();
    assert!(html.to_lowercase().contains("embargo"));
    assert!(html.contains("Northgate Academy"));

    let (dir, _, _) = run_day_one("2026-08-20T08:00", &[]);
    let html = std::fs::read_to_string(dir.path().join("out/statements.html")).unwrap();
    assert!(!html.to_lowercase().contains("embargo"));
}

#[test]
fn the_headline_for_third_parties_waits_for_half_past_nine() {
    let (dir, stdout, _) = run_day_one("2026-08-20T09:29", &[]);
    assert!(!dir.path().join("out/analysis/headline.csv").exists());
    assert!(
        stdout.contains("held back until 09:30 on Thursday 20 August 2026"),
        "{stdout}"
    );
    assert!(
        dir.path().join("out/analysis/subjects.csv").exists(),
        "SLT tables are written"
    );
    let (dir, _, _) = run_day_one("2026-08-20T09:29", &["--force-release"]);
    assert!(dir.path().join("out/analysis/headline.csv").exists());
    let (dir, _, _) = run_day_one("2026-08-20T09:30", &[]);
    let headline: Vec<(String, String, String)> =
        rows(&dir.path().join("out/analysis/headline.csv"))
            .iter()
            .map(|r| (r[0].to_string(), r[1].to_string(), r[2].to_string()))
            .collect();
    let get = |m: &str| headline.iter().find(|h| h.0 == m).unwrap().clone();
    // Worked by hand in samples/README.md: 10 and 7 of the 14 Year 11 candidates.
    assert_eq!(
        get("gcse_pct_9_4_en_ma"),
        ("gcse_pct_9_4_en_ma".into(), "71.4".into(), "14".into())
    );
    assert_eq!(get("gcse_pct_9_5_en_ma").1, "50.0");
    assert_eq!(get("alevel_entries").1, "25");
    assert_eq!(get("alevel_aps_per_entry").1, "38.00");
    assert_eq!(get("alevel_pct_astar_a").1, "32.0");
    assert_eq!(get("alevel_pct_astar_b").1, "64.0");
    assert_eq!(get("alevel_pct_astar_e").1, "96.0");
    assert_eq!(get("p8").1, "n/a");
}

#[test]
fn the_workbook_reads_back_with_its_sheets_and_numbers() {
    use calamine::{open_workbook, Reader, Xlsx};
    let (dir, _, _) = run_day_one("2026-08-20T10:00", &["--mis", "samples/candidates.csv"]);
    let mut book: Xlsx<_> = open_workbook(dir.path().join("out/analysis.xlsx")).unwrap();
    let names = book.sheet_names();
    for sheet in ["Headline", "Subjects", "Breakdown", "Charts"] {
        assert!(names.iter().any(|n| n == sheet), "{sheet} in {names:?}");
    }
    let headline = book.worksheet_range("Headline").unwrap();
    let text: Vec<String> = headline.rows().flatten().map(|c| c.to_string()).collect();
    let at = text.iter().position(|c| c == "gcse_pct_9_4_en_ma").unwrap();
    assert_eq!(text[at + 1], "71.4");
    let subjects = book.worksheet_range("Subjects").unwrap();
    assert!(subjects
        .rows()
        .any(|r| r.iter().any(|c| *c == "MATHEMATICS HIGHER")));
    assert!(dir.path().join("out/analysis/breakdown.csv").exists());
}

#[test]
fn every_output_and_the_store_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, _, _) = run_day_one("2026-08-20T10:00", &[]);
    let mut checked = 0;
    for entry in walk(&dir.path().join("out")) {
        let mode = std::fs::metadata(&entry).unwrap().permissions().mode() & 0o777;
        if entry.is_file() {
            assert_eq!(mode, 0o600, "{}", entry.display());
            checked += 1;
        }
    }
    assert!(checked >= 7);
    let mode = std::fs::metadata(dir.path().join("store.db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn each_run_is_recorded_in_the_store() {
    let (dir, stdout, _) = run_day_one("2026-08-20T10:00", &[]);
    assert!(stdout.contains("recorded as run 1"), "{stdout}");
    let store = resultsday::store::Store::open(&dir.path().join("store.db")).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(
        (runs[0].centre.as_str(), runs[0].series.as_str()),
        ("14520", "6A26")
    );
    let results = store.results_of_run(runs[0].id).unwrap();
    assert_eq!(
        results.len(),
        rows(&dir.path().join("out/statements.csv")).len()
    );
    assert_eq!(store.findings_of_run(runs[0].id).unwrap().len(), 30);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

#[test]
fn series_names_a_code_exactly_or_a_month_by_its_id() {
    // The samples are June 2026, every board's files in series 6A26.
    let (_, stdout, status) = run_day_one("2026-08-19T06:00", &["--series", "6B26"]);
    assert_eq!(status, 2, "{stdout}");
    let (_, stdout, status) = run_day_one("2026-08-19T06:00", &["--series", "6a26"]);
    assert_eq!(status, 0, "{stdout}");
    let (_, stdout, status) = run_day_one("2026-08-19T06:00", &["--series", "2026-06"]);
    assert_eq!(status, 0, "{stdout}");
    let (_, stdout, status) = run_day_one("2026-08-19T06:00", &["--series", "2026-11"]);
    assert_eq!(status, 2, "{stdout}");
}

/// The samples' basedata as the boards ship it, a zip per board (samples/as-shipped/), in place
/// of the loose files: the run finds exactly the same.
#[test]
fn basedata_shipped_as_zips_gives_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    copy_dir(Path::new("samples/results-day"), &input);
    std::fs::remove_dir_all(input.join("basedata")).unwrap();
    std::fs::create_dir_all(input.join("basedata")).unwrap();
    for board in ["01", "40", "70", "88"] {
        let name = format!("6A26_{board}.zip");
        std::fs::copy(
            Path::new("samples/as-shipped").join(&name),
            input.join("basedata").join(&name),
        )
        .unwrap();
    }
    let run = |input: &Path, out: &str| {
        let output = resultsday()
            .arg("run")
            .arg(input)
            .arg("--out")
            .arg(dir.path().join(out))
            .arg("--db")
            .arg(dir.path().join(format!("{out}.db")))
            .args(["--as-of", "2026-08-19T06:00"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let stdout = run(&input, "zipped");
    run(Path::new("samples/results-day"), "loose");
    assert!(
        stdout.contains("README.txt (in a zip, not a JCQ basedata"),
        "{stdout}"
    );
    for file in ["statements.csv", "analysis/subjects.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("zipped").join(file)).unwrap(),
            std::fs::read(dir.path().join("loose").join(file)).unwrap(),
            "{file}"
        );
    }
    // The same findings; a basedata file's is named inside its zip.
    let findings =
        |out: &str| std::fs::read_to_string(dir.path().join(out).join("findings.csv")).unwrap();
    let zipped = findings("zipped");
    assert!(
        zipped.contains(",basedata/6A26_88.zip/S6A26_88.X01,1"),
        "{zipped}"
    );
    let mut unzipped = zipped;
    for board in ["01", "40", "70", "88"] {
        unzipped = unzipped.replace(&format!("basedata/6A26_{board}.zip/"), "basedata/");
    }
    assert_eq!(unzipped, findings("loose"));
}
