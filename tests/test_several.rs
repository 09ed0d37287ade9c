//! `resultsday run` on a folder of several centres (a trust's, or a whole series'): each
//! centre run on its own into `OUT/centres/<centre>/`, and OUT holding all of them.

mod common;

use std::path::{Path, PathBuf};

use common::resultsday;
use resultsday::analysis::{self, AnalysisTables};
use resultsday::store::Store;
use resultsday::synthetic::{generate, Spec};

const CENTRES: [&str; 3] = ["10000", "10001", "10002"];
const AS_OF: &str = "2026-08-20T10:00";

/// Three generated centres, with basedata once, as the generator lays them out.
fn three_centres(root: &Path) -> PathBuf {
    let data = root.join("data");
    generate(&Spec {
        candidates: 60,
        centres: 3,
        out: data.clone(),
        seed: 3,
    })
    .unwrap();
    data
}

fn run(data: &Path, out: &Path, db: &Path, extra: &[&str]) -> (i32, String) {
    let output = resultsday()
        .arg("run")
        .arg(data)
        .arg("--out")
        .arg(out)
        .arg("--db")
        .arg(db)
        .args(["--as-of", AS_OF])
        .args(extra)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code().unwrap_or(-1), text)
}

/// A CSV's header and rows.
fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn each_centre_is_written_on_its_own_and_out_holds_them_all() {
    let tmp = tempfile::tempdir().unwrap();
    let data = three_centres(tmp.path());
    let (out, db) = (tmp.path().join("out"), tmp.path().join("s.db"));
    let (code, text) = run(&data, &out, &db, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("3 centres as of Thu 20 Aug 2026 10:00 BST"),
        "{text}"
    );

    let mut all_findings = Vec::new();
    let mut all_statements = Vec::new();
    for centre in CENTRES {
        let dir = out.join("centres").join(centre);
        for name in [
            "findings.csv",
            "statements.csv",
            "statements.html",
            "analysis.xlsx",
            "analysis/subjects.csv",
            "analysis/headline.csv",
            "run.json",
        ] {
            assert!(dir.join(name).is_file(), "centres/{centre}/{name} missing");
        }
        let (_, findings) = csv_rows(&dir.join("findings.csv"));
        assert!(
            !findings.is_empty(),
            "the generator plants findings in every centre"
        );
        assert!(findings.iter().all(|f| f[3] == centre));
        all_findings.extend(findings);
        let (header, statements) = csv_rows(&dir.join("statements.csv"));
        assert_eq!(
            header,
            resultsday::write::statements::CSV_COLUMNS,
            "a centre's own statements.csv has no centre column"
        );
        all_statements.extend(statements.into_iter().map(|mut row| {
            row.push(centre.to_string());
            row
        }));
    }

    // OUT's files: every centre's rows, in centre order; statements with the centre last.
    let (header, findings) = csv_rows(&out.join("findings.csv"));
    assert_eq!(header[3], "centre");
    assert_eq!(findings, all_findings);
    let (header, statements) = csv_rows(&out.join("statements.csv"));
    assert_eq!(header.len(), 14);
    assert_eq!(header[13], "centre");
    assert_eq!(header[..13], resultsday::write::statements::CSV_COLUMNS);
    assert_eq!(statements, all_statements);
    assert!(!out.join("statements.html").exists());
    for name in [
        "analysis.xlsx",
        "analysis/headline.csv",
        "analysis/subjects.csv",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }

    // run.json lists the centres; the store has a run per centre.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let centres: Vec<&str> = summary["centres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["centre"].as_str().unwrap())
        .collect();
    assert_eq!(centres, CENTRES);
    assert_eq!(summary["records"]["centres"], 3);
    let store = Store::open_existing(&db).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(
        runs.iter().map(|r| r.centre.as_str()).collect::<Vec<_>>(),
        CENTRES
    );
    let stored: usize = runs
        .iter()
        .map(|r| store.results_of_run(r.id).unwrap().len())
        .sum();
    assert_eq!(stored, statements.len());
}

#[test]
fn the_analysis_of_several_centres_is_the_analysis_of_all_their_results() {
    let tmp = tempfile::tempdir().unwrap();
    let data = three_centres(tmp.path());
    let (out, db) = (tmp.path().join("out"), tmp.path().join("s.db"));
    let (code, text) = run(&data, &out, &db, &[]);
    assert_eq!(code, 0, "{text}");

    // Every result of every centre, candidates told apart by centre, analysed at once.
    let store = Store::open_existing(&db).unwrap();
    let mut all = Vec::new();
    for r in store.runs().unwrap() {
        for mut result in store.results_of_run(r.id).unwrap() {
            result.candidate_number = format!("{}/{}", r.centre, result.candidate_number);
            all.push(result);
        }
    }
    let whole = analysis::analyse(
        &all,
        &parsers::Gradesets::builtin(),
        &AnalysisTables::builtin(),
        None,
    );
    assert_eq!(
        std::fs::read(out.join("analysis/headline.csv")).unwrap(),
        analysis::headline_csv(&whole)
    );
    assert_eq!(
        std::fs::read(out.join("analysis/subjects.csv")).unwrap(),
        analysis::subjects_csv(&whole)
    );
    // And it is not just one centre's.
    assert_ne!(
        std::fs::read(out.join("analysis/headline.csv")).unwrap(),
        std::fs::read(out.join("centres/10000/analysis/headline.csv")).unwrap()
    );
}

#[test]
fn a_rerun_of_several_centres_is_byte_identical_and_compared_centre_by_centre() {
    let tmp = tempfile::tempdir().unwrap();
    let data = three_centres(tmp.path());
    let (out, db) = (tmp.path().join("out"), tmp.path().join("s.db"));
    assert_eq!(run(&data, &out, &db, &[]).0, 0);
    let read = |name: &str| std::fs::read(out.join(name)).unwrap();
    let first: Vec<Vec<u8>> = [
        "findings.csv",
        "statements.csv",
        "analysis/subjects.csv",
        "centres/10001/statements.csv",
    ]
    .iter()
    .map(|n| read(n))
    .collect();
    let (code, text) = run(&data, &out, &db, &[]);
    assert_eq!(code, 0, "{text}");
    // The same files again: nothing new recorded for any centre.
    assert!(
        text.contains("nothing has changed since runs 1–3 for 3 centres"),
        "{text}"
    );
    for (i, name) in [
        "findings.csv",
        "statements.csv",
        "analysis/subjects.csv",
        "centres/10001/statements.csv",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(read(name), first[i], "{name} differs on a re-run");
    }
    for centre in CENTRES {
        // Each centre's latest run is its first: nothing to compare with.
        assert!(!out
            .join("centres")
            .join(centre)
            .join("changes.csv")
            .exists());
    }
    assert_eq!(Store::open_existing(&db).unwrap().runs().unwrap().len(), 3);
}

#[test]
fn an_mis_export_with_several_centres_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = three_centres(tmp.path());
    let (out, db) = (tmp.path().join("out"), tmp.path().join("s.db"));
    let mis = data.join("10000").join("candidates.csv");
    let (code, text) = run(&data, &out, &db, &["--mis", mis.to_str().unwrap()]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("the folder holds files of 3 centres; --mis takes one centre's MIS export"),
        "{text}"
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn an_unreadable_file_of_one_centre_is_a_finding_and_the_rest_run() {
    let tmp = tempfile::tempdir().unwrap();
    let data = three_centres(tmp.path());
    // A folder named like a results file of centre 10001: not a file.
    std::fs::create_dir_all(data.join("10001/results/R1000170.X02")).unwrap();
    let (out, db) = (tmp.path().join("out"), tmp.path().join("s.db"));
    let (code, text) = run(&data, &out, &db, &[]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("R1000170.X02"), "{text}");
    let (_, findings) = csv_rows(&out.join("centres/10001/findings.csv"));
    let row = findings
        .iter()
        .find(|f| f[1] == "unreadable_file")
        .expect("an unreadable_file finding");
    assert_eq!(
        (row[0].as_str(), row[2].as_str(), row[3].as_str()),
        ("error", "70", "10001")
    );
    assert_eq!(row[9], "R1000170.X02");
    let (_, all) = csv_rows(&out.join("findings.csv"));
    assert_eq!(all.iter().filter(|f| f[1] == "unreadable_file").count(), 1);
    assert_eq!(Store::open_existing(&db).unwrap().runs().unwrap().len(), 3);
}

#[test]
fn a_series_no_centre_has_is_bad_usage_naming_each_centre() {
    let tmp = tempfile::tempdir().unwrap();
    let data = three_centres(tmp.path());
    let (out, db) = (tmp.path().join("out"), tmp.path().join("s.db"));
    let (code, text) = run(&data, &out, &db, &["--series", "BG25"]);
    assert_eq!(code, 2, "{text}");
    for centre in CENTRES {
        assert!(
            text.contains(&format!(
                "{centre}: no files for series 'BG25'; the folder holds series 6A26"
            )),
            "{text}"
        );
    }
    let store = Store::open_existing(&db).unwrap();
    assert!(store.runs().unwrap().is_empty(), "nothing is saved");
}

#[test]
fn before_release_the_summary_says_what_is_confidential() {
    let tmp = tempfile::tempdir().unwrap();
    let data = three_centres(tmp.path());
    let (out, db) = (tmp.path().join("out"), tmp.path().join("s.db"));
    let output = resultsday()
        .arg("run")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .arg("--db")
        .arg(&db)
        .args(["--as-of", "2026-08-13T07:59"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(
            "confidential: A level and level 3 results may not reach candidates before 08:00 \
             on Thursday 13 August 2026"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "confidential: GCSE and level 1/2 results may not reach candidates before 08:00 on \
             Thursday 20 August 2026"
        ),
        "{text}"
    );
    assert!(!out.join("analysis/headline.csv").exists());
}
