//! `resultsday prs`: what `prs outcome`, `prs add` and `prs import` check before they record
//! (grades in the entry's gradeset and in the right direction, no silent overwrite of an
//! outcome, components of the entry, fees bounded, references unique whatever their capitals).

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, resultsday};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

struct Output {
    status: i32,
    stdout: String,
    stderr: String,
}

/// A working folder with day one of the samples run into `s.db` and the sample requests
/// imported.
struct Centre {
    dir: tempfile::TempDir,
}

impl Centre {
    fn with_requests() -> Centre {
        let centre = Centre {
            dir: tempfile::tempdir().unwrap(),
        };
        let folder = centre.path("results-day");
        copy_dir(&samples().join("results-day"), &folder);
        let out = resultsday()
            .current_dir(centre.dir.path())
            .arg("run")
            .arg(&folder)
            .arg("--out")
            .arg(centre.path("out"))
            .arg("--db")
            .arg(centre.path("s.db"))
            .args(["--as-of", "2026-08-20T10:00", "--quiet"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let file = samples().join("prs-requests.csv");
        let out = centre.prs(&["import", file.to_str().unwrap()]);
        assert_eq!(out.status, 1, "{}", out.stderr); // the samples hold refused rows
        centre
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn prs(&self, args: &[&str]) -> Output {
        let out = resultsday()
            .current_dir(self.dir.path())
            .arg("prs")
            .args(args)
            .arg("--db")
            .arg(self.path("s.db"))
            .output()
            .unwrap();
        Output {
            status: out.status.code().unwrap(),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    fn import(&self, text: &str) -> Output {
        let file = self.path("more.csv");
        std::fs::write(&file, text).unwrap();
        self.prs(&["import", file.to_str().unwrap()])
    }

    fn export(&self) -> Vec<Vec<String>> {
        let out = self.prs(&["export"]);
        assert_eq!(out.status, 0, "{}", out.stderr);
        csv::Reader::from_reader(out.stdout.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    fn row(&self, reference: &str) -> Option<Vec<String>> {
        self.export().into_iter().find(|r| r[0] == reference)
    }

    fn references(&self) -> Vec<String> {
        self.export().into_iter().map(|r| r[0].clone()).collect()
    }
}

const STATUS: usize = 8;
const OUTCOME: usize = 9;
const NEW_GRADE: usize = 12;
const FEE: usize = 13;

const HEADER: &str =
    "reference,candidate_number,board,entry_code,component_code,service,requested_on,consent_on";

fn outcome(c: &Centre, reference: &str, extra: &[&str]) -> Output {
    let mut args = vec!["outcome", reference, "--on", "2026-09-01"];
    args.extend_from_slice(extra);
    c.prs(&args)
}

fn assert_refused(out: &Output, reference: &str, words: &str) {
    assert_eq!(out.status, 1, "stdout {} stderr {}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(&format!("{reference} refused")) && out.stderr.contains(words),
        "{}",
        out.stderr
    );
}

#[test]
fn a_new_grade_must_be_in_the_entrys_gradeset() {
    let c = Centre::with_requests();
    // NGA-PRS-001: candidate 0013, AQA 8700, grade 3 in the 9 to 1 gradeset.
    let out = outcome(
        &c,
        "NGA-PRS-001",
        &["--outcome", "grade_raised", "--grade", "A*"],
    );
    assert_refused(&out, "NGA-PRS-001", "grade A* is not a grade of this entry");
    assert_eq!(c.row("NGA-PRS-001").unwrap()[STATUS], "open");
}

#[test]
fn a_grade_raised_is_above_the_old_grade_and_a_grade_lowered_below() {
    let c = Centre::with_requests();
    let out = outcome(
        &c,
        "NGA-PRS-001",
        &["--outcome", "grade_raised", "--grade", "2"],
    );
    assert_refused(
        &out,
        "NGA-PRS-001",
        "grade_raised needs a grade above the old grade 3",
    );
    let out = outcome(
        &c,
        "NGA-PRS-001",
        &["--outcome", "grade_raised", "--grade", "3"],
    );
    assert_refused(&out, "NGA-PRS-001", "grade_raised needs a grade above");
    let out = outcome(
        &c,
        "NGA-PRS-001",
        &["--outcome", "grade_lowered", "--grade", "4"],
    );
    assert_refused(
        &out,
        "NGA-PRS-001",
        "grade_lowered needs a grade below the old grade 3",
    );
    assert_eq!(c.row("NGA-PRS-001").unwrap()[STATUS], "open");

    let out = outcome(
        &c,
        "NGA-PRS-001",
        &["--outcome", "grade_raised", "--grade", "4"],
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
    let row = c.row("NGA-PRS-001").unwrap();
    assert_eq!(
        (row[OUTCOME].as_str(), row[NEW_GRADE].as_str()),
        ("grade_raised", "4")
    );
}

#[test]
fn an_outcome_is_not_overwritten_without_replace() {
    let c = Centre::with_requests();
    let out = outcome(&c, "NGA-PRS-001", &["--outcome", "confirmed"]);
    assert_eq!(out.status, 0, "{}", out.stderr);

    let out = outcome(
        &c,
        "NGA-PRS-001",
        &["--outcome", "grade_raised", "--grade", "4"],
    );
    assert_refused(
        &out,
        "NGA-PRS-001",
        "it already has an outcome: confirmed on 2026-09-01",
    );
    assert!(out.stderr.contains("--replace"), "{}", out.stderr);
    assert_eq!(c.row("NGA-PRS-001").unwrap()[OUTCOME], "confirmed");

    let out = outcome(
        &c,
        "NGA-PRS-001",
        &["--outcome", "grade_raised", "--grade", "4", "--replace"],
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(c.row("NGA-PRS-001").unwrap()[OUTCOME], "grade_raised");
}

#[test]
fn a_component_must_be_one_of_the_entrys_components_in_the_run() {
    let c = Centre::with_requests();
    // The run holds J56004, J56005 and J56006 for OCR J560H.
    let add = |component: &str, reference: &str| {
        c.prs(&[
            "add",
            "--reference",
            reference,
            "--candidate",
            "0010",
            "--board",
            "01",
            "--entry",
            "J560H",
            "--component",
            component,
            "--service",
            "S2",
            "--requested-on",
            "2026-08-27",
            "--consent-on",
            "2026-08-26",
        ])
    };
    let out = add("J56009", "NGA-PRS-020");
    assert_refused(
        &out,
        "NGA-PRS-020",
        "component J56009 is not a component of J560H",
    );
    assert!(
        out.stderr.contains("J56004, J56005, J56006"),
        "{}",
        out.stderr
    );
    assert!(c.row("NGA-PRS-020").is_none());

    let out = add("J56005", "NGA-PRS-022");
    assert_eq!(out.status, 0, "{}", out.stderr);

    // An import is held to the same rule, row by row.
    let out = c.import(&format!(
        "{HEADER}\n\
         NGA-PRS-023,0010,01,J560H,J56009,S2,2026-08-27,2026-08-26\n\
         NGA-PRS-024,0010,01,J560H,J56006,S2,2026-08-27,2026-08-26\n"
    ));
    assert_refused(
        &out,
        "NGA-PRS-023",
        "component J56009 is not a component of J560H",
    );
    assert!(c.row("NGA-PRS-023").is_none());
    assert!(c.row("NGA-PRS-024").is_some());
}

#[test]
fn a_fee_given_by_hand_is_not_negative_nor_over_the_ceiling() {
    let c = Centre::with_requests();
    let out = c.import(&format!(
        "{HEADER},fee\n\
         NGA-PRS-030,0010,01,J560H,J56005,S2,2026-08-27,2026-08-26,900.00\n\
         NGA-PRS-031,0010,01,J560H,J56006,S2,2026-08-27,2026-08-26,-5.00\n\
         NGA-PRS-032,0001,01,J560H,J56004,S2,2026-08-27,2026-08-26,42.00\n"
    ));
    assert_refused(&out, "NGA-PRS-030", "fee £900.00 is over £500.00");
    assert_refused(&out, "NGA-PRS-031", "fee -5.00 is negative");
    let refs = c.references();
    assert!(!refs.contains(&"NGA-PRS-030".to_string()), "{refs:?}");
    assert!(!refs.contains(&"NGA-PRS-031".to_string()), "{refs:?}");
    assert_eq!(c.row("NGA-PRS-032").unwrap()[FEE], "42.00");
}

#[test]
fn references_are_unique_whatever_their_capitals() {
    let c = Centre::with_requests();
    let out = c.prs(&[
        "add",
        "--reference",
        "nga-prs-001",
        "--candidate",
        "0010",
        "--board",
        "01",
        "--entry",
        "J560H",
        "--component",
        "J56005",
        "--service",
        "S2",
        "--requested-on",
        "2026-08-27",
        "--consent-on",
        "2026-08-26",
    ]);
    assert_refused(
        &out,
        "nga-prs-001",
        "reference nga-prs-001 is already in the log",
    );

    let out = c.import(&format!(
        "{HEADER}\n\
         Nga-Prs-040,0010,01,J560H,J56005,S2,2026-08-27,2026-08-26\n\
         NGA-PRS-040,0001,01,J560H,J56004,S2,2026-08-27,2026-08-26\n"
    ));
    assert_refused(
        &out,
        "NGA-PRS-040",
        "reference NGA-PRS-040 is already in the log",
    );
    let refs = c.references();
    assert!(!refs.iter().any(|r| r == "nga-prs-001"), "{refs:?}");
    assert_eq!(
        refs.iter()
            .filter(|r| r.eq_ignore_ascii_case("NGA-PRS-040"))
            .count(),
        1,
        "{refs:?}"
    );
}
