//! `resultsday prs`: the post-results log on the samples, as an exams officer keeps it.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::NaiveDate;
use resultsday::check::changes::{Change, Direction};
use resultsday::prs;
use resultsday::store::Store;

use common::copy_dir;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// A working folder with day one of the samples run into `s.db`.
struct Centre {
    dir: tempfile::TempDir,
}

struct Output {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Centre {
    fn day_one() -> Centre {
        let centre = Centre {
            dir: tempfile::tempdir().unwrap(),
        };
        centre.run(&samples().join("results-day"), "2026-08-20T10:00");
        centre
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> PathBuf {
        self.path("s.db")
    }

    fn run(&self, folder: &Path, as_of: &str) {
        let out = Command::cargo_bin("resultsday")
            .unwrap()
            .current_dir(self.dir.path())
            .arg("run")
            .arg(folder)
            .arg("--out")
            .arg(self.path("out"))
            .arg("--db")
            .arg(self.db())
            .args(["--as-of", as_of, "--quiet"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `resultsday prs ARGS --db s.db`, in the working folder.
    fn prs(&self, args: &[&str]) -> Output {
        let out = Command::cargo_bin("resultsday")
            .unwrap()
            .current_dir(self.dir.path())
            .arg("prs")
            .args(args)
            .arg("--db")
            .arg(self.db())
            .output()
            .unwrap();
        Output {
            status: out.status.code().unwrap(),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    fn import_samples(&self) -> Output {
        let file = samples().join("prs-requests.csv");
        self.prs(&["import", file.to_str().unwrap()])
    }

    /// The exported log as rows of named cells.
    fn export(&self) -> Vec<Vec<String>> {
        let out = self.prs(&["export"]);
        assert_eq!(out.status, 0, "{}", out.stderr);
        csv::Reader::from_reader(out.stdout.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    fn row(&self, reference: &str) -> Vec<String> {
        self.export()
            .into_iter()
            .find(|r| r[0] == reference)
            .unwrap_or_else(|| panic!("{reference} is not in the log"))
    }
}

/// Export columns by name.
const STATUS: usize = 8;
const OUTCOME: usize = 9;
const OUTCOME_ON: usize = 10;
const OLD_GRADE: usize = 11;
const NEW_GRADE: usize = 12;
const FEE: usize = 13;
const REFUND: usize = 14;
const KEEP: usize = 15;

#[test]
fn the_sample_import_stores_six_and_refuses_two_with_their_lines_and_reasons() {
    let centre = Centre::day_one();
    let out = centre.import_samples();
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(out.stdout.contains("6 stored, 2 refused"), "{}", out.stdout);
    let refused: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        refused,
        [
            "prs-requests.csv line 8: NGA-PRS-007 refused: consent dated 2026-08-13 is before \
             the GCSE results day 2026-08-20; consent must be taken after results",
            "prs-requests.csv line 9: NGA-PRS-008 refused: requested on 2026-09-25, after the S2 \
             deadline 2026-09-24; late requests are not accepted",
        ]
    );
    let log = centre.export();
    let references: Vec<&str> = log.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        references,
        [
            "NGA-PRS-001",
            "NGA-PRS-002",
            "NGA-PRS-003",
            "NGA-PRS-004",
            "NGA-PRS-005",
            "NGA-PRS-006"
        ]
    );
    assert!(log
        .iter()
        .all(|r| r[STATUS] == "open" && r[OUTCOME].is_empty()));
    // Fees: AQA's own list, OCR's school list; S3 at OCR has none on file.
    let fees: Vec<&str> = log.iter().map(|r| r[FEE].as_str()).collect();
    assert_eq!(fees, ["42.00", "8.70", "70.00", "57.85", "", "0.00"]);
}

#[test]
fn importing_the_same_file_again_stores_nothing_twice() {
    let centre = Centre::day_one();
    centre.import_samples();
    let out = centre.import_samples();
    assert_eq!(out.status, 1);
    assert!(out.stdout.contains("0 stored, 8 refused"), "{}", out.stdout);
    assert!(out.stderr.contains(
        "prs-requests.csv line 2: NGA-PRS-001 refused: reference NGA-PRS-001 is already in the log"
    ));
    assert_eq!(centre.export().len(), 6);
}

#[test]
fn a_store_without_a_run_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let centre = Centre { dir };
    drop(Store::open(&centre.db()).unwrap());
    let out = centre.import_samples();
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("no results-day run"), "{}", out.stderr);
    assert!(out.stderr.contains("resultsday run"), "{}", out.stderr);

    // A store that is not there is not made by a typo.
    std::fs::remove_file(centre.db()).unwrap();
    let out = centre.prs(&["list"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("there is no store at"),
        "{}",
        out.stderr
    );
    assert!(!centre.db().exists());
}

#[test]
fn a_file_that_cannot_be_read_or_has_the_wrong_header_is_exit_2() {
    let centre = Centre::day_one();
    let out = centre.prs(&["import", "no-such.csv"]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("no-such.csv"), "{}", out.stderr);

    std::fs::write(
        centre.path("wrong.csv"),
        "ref,candidate,board,entry,component,service,requested,consent\n",
    )
    .unwrap();
    let out = centre.prs(&["import", "wrong.csv"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains(
            "expected 'reference,candidate_number,board,entry_code,component_code,service,\
             requested_on,consent_on'"
        ),
        "{}",
        out.stderr
    );
    assert!(centre.export().is_empty());
}

#[test]
fn spreadsheet_leading_zeros_and_a_byte_order_mark_are_forgiven() {
    let centre = Centre::day_one();
    std::fs::write(
        centre.path("excel.csv"),
        "\u{feff}reference,candidate_number,board,entry_code,component_code,service,requested_on,consent_on\r\n\
         X-1,13,70,8700,87001,S2,2026-08-24,2026-08-21\r\n\
         X-2,10,1,J560H,J56004,S1,2026-08-24,2026-08-21\r\n",
    )
    .unwrap();
    let out = centre.prs(&["import", "excel.csv"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let log = centre.export();
    assert_eq!(&log[0][1..4], ["0013", "70", "8700"]);
    assert_eq!(&log[1][1..4], ["0010", "01", "J560H"]);
}

#[test]
fn the_series_asked_for_must_have_a_run() {
    let centre = Centre::day_one();
    let file = samples().join("prs-requests.csv");
    let out = centre.prs(&["import", file.to_str().unwrap(), "--series", "2025-06"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("no run of centre 14520 series 2025-06"),
        "{}",
        out.stderr
    );
    let out = centre.prs(&["import", file.to_str().unwrap(), "--series", "2026-06"]);
    assert_eq!(out.status, 1);
    assert!(out.stdout.contains("6 stored, 2 refused"));
}

fn change(candidate: &str, board: &str, entry: &str, old: &str, new: &str, d: Direction) -> Change {
    Change {
        candidate_number: candidate.into(),
        uci: String::new(),
        name: String::new(),
        board: board.into(),
        entry_code: entry.into(),
        title: String::new(),
        old_grade: old.into(),
        new_grade: new.into(),
        old_mark: None,
        new_mark: None,
        direction: d,
        prs_request: None,
        refund_due: None,
    }
}

#[test]
fn hand_made_changes_close_the_right_requests_with_the_right_refund() {
    let centre = Centre::day_one();
    centre.import_samples();
    let mut changes = vec![
        change("0013", "70", "8700", "3", "4", Direction::Up),
        change("0008", "70", "8702", "7", "6", Direction::Down),
        change("0010", "01", "J560H", "6", "6", Direction::Same),
        // 0012's pending history becomes a grade: not an answer.
        change("0012", "70", "8145", "Pending", "6", Direction::New),
        // 0001 8702 has only a script request (NGA-PRS-006): a copy is no outcome.
        change("0001", "70", "8702", "8", "8", Direction::Same),
        // 0102 7402 (NGA-PRS-004) removed: not an answer.
        change("0102", "70", "7402", "B", "", Direction::Removed),
    ];
    changes[2].old_mark = Some(158);
    changes[2].new_mark = Some(163);
    let mut store = Store::open(&centre.db()).unwrap();
    let run_id = store.runs().unwrap()[0].id;
    let tx = store.connection().transaction().unwrap();
    let closed =
        prs::answer_changes(&tx, "14520", "6A26", run_id, d("2026-09-16"), &mut changes).unwrap();
    tx.commit().unwrap();
    drop(store);

    assert_eq!(closed, 3);
    let answers: Vec<(Option<&str>, Option<bool>)> = changes
        .iter()
        .map(|c| (c.prs_request.as_deref(), c.refund_due))
        .collect();
    assert_eq!(
        answers,
        [
            (Some("NGA-PRS-001"), Some(true)),
            (Some("NGA-PRS-002"), Some(true)),
            (Some("NGA-PRS-003"), Some(false)),
            (None, None),
            (None, None),
            (None, None),
        ]
    );

    let log = centre.export();
    let cells = |r: &Vec<String>| {
        [
            STATUS, OUTCOME, OUTCOME_ON, OLD_GRADE, NEW_GRADE, REFUND, KEEP,
        ]
        .map(|i| r[i].clone())
        .to_vec()
    };
    assert_eq!(
        cells(&log[0]),
        [
            "completed",
            "grade_raised",
            "2026-09-16",
            "3",
            "4",
            "yes",
            "2027-03-16"
        ]
    );
    assert_eq!(
        cells(&log[1]),
        [
            "completed",
            "grade_lowered",
            "2026-09-16",
            "7",
            "6",
            "yes",
            "2027-03-16"
        ]
    );
    assert_eq!(
        cells(&log[2]),
        [
            "completed",
            "mark_changed",
            "2026-09-16",
            "6",
            "6",
            "no",
            "2027-03-16"
        ]
    );
    for r in &log[3..] {
        assert_eq!(r[STATUS], "open", "{}", r[0]);
    }
    assert!(log.iter().all(|r| r[OUTCOME] != "confirmed"));
}

#[test]
fn the_re_run_after_reviews_answers_the_sample_requests() {
    let centre = Centre::day_one();
    centre.import_samples();
    let folder = centre.path("in");
    copy_dir(&samples().join("results-day"), &folder);
    copy_dir(&samples().join("after-reviews"), &folder.join("results"));
    centre.run(&folder, "2026-09-16T10:00");

    let changes: Vec<Vec<String>> = csv::Reader::from_path(centre.path("out/changes.csv"))
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            [0, 4, 10, 11, 12].map(|i| r[i].to_string()).to_vec()
        })
        .collect();
    assert_eq!(
        changes,
        [
            ["0008", "8702", "down", "NGA-PRS-002", "yes"],
            ["0010", "J560H", "same", "NGA-PRS-003", "no"],
            ["0011", "J837", "new", "", ""],
            ["0012", "8145", "new", "", ""],
            ["0013", "8700", "up", "NGA-PRS-001", "yes"],
        ]
    );
    let open: Vec<String> = centre
        .export()
        .into_iter()
        .filter(|r| r[STATUS] == "open")
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(open, ["NGA-PRS-004", "NGA-PRS-005", "NGA-PRS-006"]);
}

#[test]
fn outcomes_recorded_by_hand_set_the_refund_and_the_consent_retention() {
    let centre = Centre::day_one();
    centre.import_samples();

    // A confirmed priority review: charged; the grade stands; consent kept 6 months.
    let out = centre.prs(&[
        "outcome",
        "NGA-PRS-004",
        "--outcome",
        "confirmed",
        "--on",
        "2026-08-31",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stdout.contains("the fee is charged"), "{}", out.stdout);
    assert!(out.stdout.contains("2026-09-30"), "{}", out.stdout); // the appeal window
    let r = centre.row("NGA-PRS-004");
    assert_eq!(
        [
            &r[STATUS],
            &r[OUTCOME],
            &r[OUTCOME_ON],
            &r[OLD_GRADE],
            &r[NEW_GRADE],
            &r[REFUND],
            &r[KEEP]
        ],
        [
            "completed",
            "confirmed",
            "2026-08-31",
            "B",
            "B",
            "no",
            "2027-02-28"
        ]
    );

    // Moderation with the centre's marks reinstated is free, and kept no consent.
    let out = centre.prs(&[
        "outcome",
        "NGA-PRS-005",
        "--outcome",
        "centre_marks_reinstated",
        "--on",
        "2026-10-12",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let r = centre.row("NGA-PRS-005");
    assert_eq!(
        [&r[OUTCOME], &r[REFUND], &r[KEEP]],
        ["centre_marks_reinstated", "yes", ""]
    );

    // A script copy: no fee question.
    let out = centre.prs(&[
        "outcome",
        "NGA-PRS-006",
        "--outcome",
        "script_received",
        "--on",
        "2026-09-08",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let r = centre.row("NGA-PRS-006");
    assert_eq!(
        [&r[OUTCOME], &r[REFUND], &r[KEEP]],
        ["script_received", "", "2027-03-08"]
    );

    // A grade raised by hand, with the new grade.
    let out = centre.prs(&[
        "outcome",
        "NGA-PRS-001",
        "--outcome",
        "grade_raised",
        "--grade",
        "4",
        "--on",
        "2026-09-10",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let r = centre.row("NGA-PRS-001");
    assert_eq!(
        [&r[OLD_GRADE], &r[NEW_GRADE], &r[REFUND]],
        ["3", "4", "yes"]
    );
}

#[test]
fn an_outcome_that_breaks_a_rule_is_refused() {
    let centre = Centre::day_one();
    centre.import_samples();
    // Moderation does not lower a grade in the series.
    let out = centre.prs(&[
        "outcome",
        "NGA-PRS-005",
        "--outcome",
        "grade_lowered",
        "--on",
        "2026-10-12",
    ]);
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("NGA-PRS-005 refused"), "{}", out.stderr);
    // A script copy has no grade outcome.
    let out = centre.prs(&[
        "outcome",
        "NGA-PRS-006",
        "--outcome",
        "confirmed",
        "--on",
        "2026-09-08",
    ]);
    assert_eq!(out.status, 1);
    // An outcome cannot come before the request.
    let out = centre.prs(&[
        "outcome",
        "NGA-PRS-001",
        "--outcome",
        "confirmed",
        "--on",
        "2026-08-23",
    ]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("before the request on 2026-08-24"),
        "{}",
        out.stderr
    );
    // No such request.
    let out = centre.prs(&[
        "outcome",
        "NGA-PRS-999",
        "--outcome",
        "confirmed",
        "--on",
        "2026-09-01",
    ]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("no request NGA-PRS-999"),
        "{}",
        out.stderr
    );
    assert!(centre.export().iter().all(|r| r[STATUS] == "open"));
}

#[test]
fn add_checks_one_request_with_the_same_rules() {
    let centre = Centre::day_one();
    centre.import_samples();
    let add = |args: &[&str]| {
        let mut all = vec!["add"];
        all.extend_from_slice(args);
        centre.prs(&all)
    };
    // Component 87001 of 0013's 8700 is under review already (NGA-PRS-001).
    let out = add(&[
        "--reference",
        "NGA-PRS-009",
        "--candidate",
        "0013",
        "--board",
        "70",
        "--entry",
        "8700",
        "--component",
        "87001",
        "--service",
        "S1",
        "--requested-on",
        "2026-08-25",
        "--consent-on",
        "2026-08-21",
    ]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.starts_with("NGA-PRS-009 refused: component 87001 of 8700 for candidate 0013 already has a review (NGA-PRS-001, S2)"),
        "{}",
        out.stderr
    );
    // Another component is fine.
    let out = add(&[
        "--reference",
        "NGA-PRS-009",
        "--candidate",
        "0013",
        "--board",
        "70",
        "--entry",
        "8700",
        "--component",
        "87002",
        "--service",
        "S1",
        "--requested-on",
        "2026-08-25",
        "--consent-on",
        "2026-08-21",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("outcome expected by 2026-09-04"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("fee £8.70"), "{}", out.stdout);
    // A whole-cohort review of moderation needs no candidate and no consent.
    let out = add(&[
        "--reference",
        "NGA-PRS-010",
        "--board",
        "70",
        "--entry",
        "8035",
        "--service",
        "S3",
        "--requested-on",
        "2026-09-24",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let r = centre.row("NGA-PRS-010");
    assert_eq!(&r[1..8], ["", "70", "8035", "", "S3", "2026-09-24", ""]);
    assert_eq!(r[FEE], "242.50");
}

#[test]
fn the_export_has_the_contract_columns_and_round_trips() {
    let centre = Centre::day_one();
    centre.import_samples();
    centre.prs(&[
        "outcome",
        "NGA-PRS-004",
        "--outcome",
        "confirmed",
        "--on",
        "2026-08-31",
    ]);
    centre.prs(&[
        "outcome",
        "NGA-PRS-002",
        "--outcome",
        "grade_lowered",
        "--grade",
        "6",
        "--on",
        "2026-09-16",
    ]);
    let out = centre.prs(&["export", "--out", "log.csv"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let written = std::fs::read_to_string(centre.path("log.csv")).unwrap();
    assert_eq!(
        written.lines().next().unwrap(),
        "\u{feff}reference,candidate_number,board,entry_code,component_code,service,requested_on,\
         consent_on,status,outcome,outcome_on,old_grade,new_grade,fee,refund_due,\
         keep_consent_until"
    );
    assert_eq!(written, centre.prs(&["export"]).stdout);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(centre.path("log.csv"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Into another store of the same centre, and out again: the same log.
    let other = Centre::day_one();
    let file = centre.path("log.csv");
    let out = other.prs(&["import", file.to_str().unwrap()]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stdout.contains("6 stored, 0 refused"), "{}", out.stdout);
    assert_eq!(other.prs(&["export"]).stdout, written);
}

#[test]
fn due_lists_overdue_requests_and_closing_appeal_windows_at_a_given_date() {
    let centre = Centre::day_one();
    centre.import_samples();
    // NGA-PRS-004 (S2P, 14 Aug) is expected by 29 Aug: due from the 30th.
    let out = centre.prs(&["due", "--as-of", "2026-08-29"]);
    assert_eq!(out.status, 0);
    assert!(
        out.stdout.contains("nothing due as of Sat 29 Aug 2026"),
        "{}",
        out.stdout
    );
    let out = centre.prs(&["due", "--as-of", "2026-08-30"]);
    assert_eq!(out.status, 0);
    assert!(out.stdout.contains("NGA-PRS-004"), "{}", out.stdout);
    assert!(out.stdout.contains("1 day overdue"), "{}", out.stdout);
    assert!(!out.stdout.contains("NGA-PRS-001"), "{}", out.stdout);

    // An outcome on 16 Sep: the appeal window closes on 16 Oct, listed from the 9th.
    centre.prs(&[
        "outcome",
        "NGA-PRS-001",
        "--outcome",
        "confirmed",
        "--on",
        "2026-09-16",
    ]);
    let out = centre.prs(&["due", "--as-of", "2026-10-08"]);
    assert!(!out.stdout.contains("NGA-PRS-001"), "{}", out.stdout);
    let out = centre.prs(&["due", "--as-of", "2026-10-09"]);
    assert!(
        out.stdout
            .contains("must reach the board by 2026-10-16 (in 7 days)"),
        "{}",
        out.stdout
    );
    let out = centre.prs(&["due", "--as-of", "2026-10-17"]);
    assert!(!out.stdout.contains("NGA-PRS-001"), "{}", out.stdout);
}

#[test]
fn list_shows_the_log_by_status() {
    let centre = Centre::day_one();
    centre.import_samples();
    centre.prs(&[
        "outcome",
        "NGA-PRS-004",
        "--outcome",
        "confirmed",
        "--on",
        "2026-08-31",
    ]);
    let all = centre.prs(&["list"]);
    assert_eq!(all.status, 0);
    assert!(all.stdout.starts_with("reference "), "{}", all.stdout);
    assert!(
        all.stdout.contains("6 requests: 5 open, 1 completed"),
        "{}",
        all.stdout
    );
    let open = centre.prs(&["list", "--status", "open"]);
    assert!(!open.stdout.contains("NGA-PRS-004"), "{}", open.stdout);
    assert!(open.stdout.contains("NGA-PRS-005"), "{}", open.stdout);
    let done = centre.prs(&["list", "--status", "completed"]);
    assert!(done.stdout.contains("NGA-PRS-004"), "{}", done.stdout);
    assert!(
        done.stdout.contains("1 request: 0 open, 1 completed"),
        "{}",
        done.stdout
    );
}

#[test]
fn a_centre_copy_of_the_service_catalogue_replaces_the_built_in_one() {
    let centre = Centre::day_one();
    centre.import_samples();
    let services = prs::DEFAULT_SERVICES_CSV.replace(
        "S2P,Priority review of marking,yes,15,",
        "S2P,Priority review of marking,yes,20,",
    );
    std::fs::write(centre.path("services.csv"), services).unwrap();
    // Expected by 3 Sep now, not 29 Aug.
    let out = centre.prs(&["due", "--as-of", "2026-09-03"]);
    assert!(out.stdout.contains("nothing due"), "{}", out.stdout);
    let out = centre.prs(&["due", "--as-of", "2026-09-04"]);
    assert!(out.stdout.contains("NGA-PRS-004"), "{}", out.stdout);
}
