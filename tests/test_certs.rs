//! `resultsday certs` on the samples, as an exams officer keeps the certificates log: a board's
//! batch received with one certificate missing, issues collected and posted, the 12 months an
//! unclaimed certificate is kept (leap years included), destruction and its 4-year record, and
//! the log as a spreadsheet.
//!
//! The samples are run here as the June 2022 series (6A22), every date four years before the
//! samples' own: a date given by hand may not be after today, nor before the series' results
//! day, so a log that runs 12 months past receipt (and past a leap day) has to lie in the past.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The samples as the June 2022 series: the series code `6A26` made `6A22` in every file and
/// file name (A levels on Thursday 18 August 2022, GCSEs on Thursday 25 August 2022).
fn june_2022(to: &Path) -> PathBuf {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/results-day");
    common::copy_dir(&samples, to);
    fn each_file(dir: &Path, f: &mut dyn FnMut(&Path)) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                each_file(&path, f);
            } else {
                f(&path);
            }
        }
    }
    each_file(to, &mut |path| {
        let bytes = std::fs::read(path).unwrap();
        let mut changed = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i..].len() >= 4 && bytes[i..i + 4].eq_ignore_ascii_case(b"6A26") {
                changed.extend_from_slice(b"6A22");
                i += 4;
            } else {
                changed.push(bytes[i]);
                i += 1;
            }
        }
        std::fs::write(path, changed).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let renamed = name.replace("6A26", "6A22").replace("6a26", "6A22");
        if renamed != name {
            std::fs::rename(path, path.with_file_name(renamed)).unwrap();
        }
    });
    to.to_path_buf()
}

/// Board 70's expected certificates on the samples: every candidate with a graded AQA award.
const AQA: [&str; 22] = [
    "0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011", "0012",
    "0013", "0014", "0101", "0102", "0103", "0105", "0106", "0108", "0109", "0110",
];

const COLUMNS: &str = "board,series,candidate_number,uci,name,received_on,issued_on,issued_how,\
                       destroyed_on,returned_on,keep_record_until,status";

/// A store filled by the samples' results-day run.
struct Centre {
    dir: tempfile::TempDir,
}

impl Centre {
    fn new() -> Centre {
        let dir = tempfile::tempdir().unwrap();
        let folder = june_2022(&dir.path().join("in"));
        let out = Command::cargo_bin("resultsday")
            .unwrap()
            .arg("run")
            .arg(&folder)
            .arg("--out")
            .arg(dir.path().join("out"))
            .arg("--db")
            .arg(dir.path().join("s.db"))
            .args(["--as-of", "2022-08-20T10:00"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        Centre { dir }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("s.db")
    }

    /// `resultsday certs --db s.db ARGS`: (status, stdout, stderr).
    fn certs(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::cargo_bin("resultsday")
            .unwrap()
            .arg("certs")
            .arg("--db")
            .arg(self.db())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    /// Runs a command that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let (status, stdout, stderr) = self.certs(args);
        assert_eq!(
            status, 0,
            "certs {args:?}\nstdout: {stdout}\nstderr: {stderr}"
        );
        stdout
    }

    /// Runs a command that must be refused (status 2); its stderr.
    fn refused(&self, args: &[&str]) -> String {
        let (status, stdout, stderr) = self.certs(args);
        assert_eq!(
            status, 2,
            "certs {args:?}\nstdout: {stdout}\nstderr: {stderr}"
        );
        stderr
    }

    /// Board 70's batch on 2022-11-02, from a CSV file that leaves out 0005.
    fn receive_aqa_without_0005(&self) -> String {
        let file = self.dir.path().join("aqa-batch.csv");
        let mut csv = String::from("\u{feff}surname,candidate_number\n");
        for n in AQA.iter().filter(|n| **n != "0005") {
            csv.push_str(&format!("X,{n}\n"));
        }
        csv.push_str(",\n"); // a blank row, as spreadsheets leave
        std::fs::write(&file, csv).unwrap();
        self.ok(&[
            "receive",
            "--board",
            "70",
            "--on",
            "2022-11-02",
            "--file",
            file.to_str().unwrap(),
        ])
    }

    /// The export as on `as_of`, one row per line without the header.
    fn export(&self, as_of: &str) -> Vec<String> {
        let text = self.ok(&["export", "--as-of", as_of]);
        let mut lines = text.lines().map(str::to_string);
        assert_eq!(lines.next(), Some(format!("\u{feff}{COLUMNS}")));
        lines.collect()
    }

    /// The export row of one board and candidate.
    fn row(&self, as_of: &str, board: &str, candidate: &str) -> Vec<String> {
        let prefix = format!("{board},6A22,{candidate},");
        let rows = self.export(as_of);
        let row = rows
            .iter()
            .find(|r| r.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no row for {board} {candidate} in {rows:#?}"));
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(row.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect()
    }
}

/// The `due` and `keep` sections of `certs unclaimed`: the candidate numbers in each.
fn unclaimed_sections(stdout: &str) -> (Vec<String>, Vec<String>) {
    let (due, keep) = stdout
        .split_once("still to keep securely")
        .unwrap_or_else(|| panic!("{stdout}"));
    let numbers = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("  board "))
            .map(|l| {
                let parts: Vec<&str> = l.split_whitespace().collect();
                format!("{} {}", parts[1], parts[3])
            })
            .collect()
    };
    (numbers(due), numbers(keep))
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_batch_with_one_left_out_shows_it_missing() {
    let centre = Centre::new();
    let stdout = centre.receive_aqa_without_0005();
    assert!(
        stdout.starts_with("board 70, June 2022 (6A22): batch received on 2022-11-02\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("recorded 21 certificates (batch 1)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("expected 22 certificates (from run 1)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "missing (expected, not received; chase with the board): 1\n  0005  EVANS:MEGAN  \
             145200240005X\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("received but not expected (no graded award from board 70 in run 1): 0")
    );

    let missing = centre.ok(&["list", "--status", "missing"]);
    let lines: Vec<&str> = missing.lines().collect();
    assert_eq!(lines.len(), 3, "{missing}");
    assert!(
        lines[1].starts_with("70     6A22    0005       EVANS:MEGAN"),
        "{missing}"
    );
    assert!(lines[1].ends_with("missing"), "{missing}");
    assert_eq!(lines[2], "1 certificate: 1 missing");

    assert_eq!(
        centre.row("2022-11-02", "70", "0005"),
        [
            "70",
            "6A22",
            "0005",
            "145200240005X",
            "EVANS:MEGAN",
            "",
            "",
            "",
            "",
            "",
            "",
            "missing"
        ]
    );
    assert_eq!(
        centre.row("2022-11-02", "70", "0004"),
        [
            "70",
            "6A22",
            "0004",
            "145200240004M",
            "DAVIES:OWEN",
            "2022-11-02",
            "",
            "",
            "",
            "",
            "",
            "received"
        ]
    );

    // The late one arrives in a second batch: nothing is missing any more, and nothing twice.
    let stdout = centre.ok(&[
        "receive",
        "--board",
        "70",
        "--on",
        "2022-11-20",
        "--candidates",
        "5,0004",
    ]);
    assert!(
        stdout.contains("recorded 1 certificate (batch 2)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "already received, left as they were: 1\n  0004  DAVIES:OWEN  received 2022-11-02"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("missing (expected, not received; chase with the board): 0"));
    assert_eq!(centre.row("2022-11-20", "70", "0005")[5], "2022-11-20");
    assert_eq!(centre.row("2022-11-20", "70", "0004")[5], "2022-11-02");
}

#[test]
fn a_certificate_not_expected_is_recorded_and_named() {
    let centre = Centre::new();
    // 0104 has OCR results only; 0999 is in no run.
    let stdout = centre.ok(&[
        "receive",
        "--board",
        "70",
        "--on",
        "2022-11-02",
        "--candidates",
        "0001,0104,999",
    ]);
    assert!(
        stdout.contains(
            "received but not expected (no graded award from board 70 in run 1): 2\n  0104  \
             FLETCHER:RYAN\n  0999  not a candidate in the run\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("missing (expected, not received; chase with the board): 21"));
    assert_eq!(
        centre.row("2022-11-02", "70", "0104")[3..5],
        ["145200220104Y", "FLETCHER:RYAN"]
    );
    assert_eq!(
        centre.row("2022-11-02", "70", "0999")[3..],
        ["", "", "2022-11-02", "", "", "", "", "", "received"]
    );
}

#[test]
fn receive_all_then_again_records_nothing_new() {
    let centre = Centre::new();
    let stdout = centre.ok(&["receive", "--board", "40", "--on", "2022-11-05", "--all"]);
    assert!(
        stdout.contains("recorded 7 certificates (batch 1)"),
        "{stdout}"
    );
    assert!(stdout.contains("missing (expected, not received; chase with the board): 0"));
    let stdout = centre.ok(&[
        "receive",
        "--board",
        "40",
        "--series",
        "2022-06",
        "--on",
        "2022-11-06",
        "--all",
    ]);
    assert!(stdout.contains("nothing new recorded"), "{stdout}");
    assert!(
        stdout.contains("already received, left as they were: 7"),
        "{stdout}"
    );
    assert_eq!(centre.export("2022-11-06").len(), 7);
}

#[test]
fn receive_needs_a_run_and_a_board_in_it() {
    let centre = Centre::new();
    let stderr = centre.refused(&["receive", "--board", "07", "--on", "2022-11-02", "--all"]);
    assert!(
        stderr.contains(
            "board '07' has no results in run 1 (6A22); the boards there are 01, 40, 70, 88"
        ),
        "{stderr}"
    );
    let stderr = centre.refused(&[
        "receive",
        "--board",
        "70",
        "--series",
        "2025-06",
        "--on",
        "2022-11-02",
        "--all",
    ]);
    assert!(
        stderr.contains("holds no results-day run for series 2025-06 (it has 6A22)"),
        "{stderr}"
    );
    assert!(stderr.contains("run `resultsday run DIR --db"), "{stderr}");

    // No store at all: said so, and none is made.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let out = Command::cargo_bin("resultsday")
        .unwrap()
        .args(["certs", "receive", "--board", "70", "--all", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("there is no store at"), "{stderr}");
    assert!(
        stderr.contains("`resultsday run DIR --out OUT --db"),
        "{stderr}"
    );
    assert!(!db.exists());

    // A store with no run in it.
    let empty = dir.path().join("empty.db");
    drop(resultsday::store::Store::open(&empty).unwrap());
    let out = Command::cargo_bin("resultsday")
        .unwrap()
        .args(["certs", "receive", "--board", "70", "--all", "--db"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("holds no results-day run; run `resultsday run DIR --db"),
        "{stderr}"
    );
}

#[test]
fn a_batch_file_must_have_candidate_numbers() {
    let centre = Centre::new();
    let file = centre.dir.path().join("batch.csv");
    std::fs::write(&file, "cand,name\n0001,AHMED\n").unwrap();
    let f = file.to_str().unwrap();
    let stderr = centre.refused(&[
        "receive",
        "--board",
        "70",
        "--on",
        "2022-11-02",
        "--file",
        f,
    ]);
    assert!(
        stderr.contains(
            "batch.csv: no candidate_number column in the header row (it has: cand, name)"
        ),
        "{stderr}"
    );
    std::fs::write(&file, "candidate_number\n0001\nAB12\n").unwrap();
    let stderr = centre.refused(&[
        "receive",
        "--board",
        "70",
        "--on",
        "2022-11-02",
        "--file",
        f,
    ]);
    assert!(
        stderr.contains("batch.csv line 3, candidate_number: 'AB12' is not a candidate number"),
        "{stderr}"
    );
    // Refused whole: nothing recorded.
    assert!(centre.export("2022-11-02").is_empty());

    let stderr = centre.refused(&["receive", "--board", "70", "--on", "2022-11-31", "--all"]);
    assert!(
        stderr.contains("'2022-11-31' is not a date: expected YYYY-MM-DD"),
        "{stderr}"
    );
    let stderr = centre.refused(&["receive", "--board", "70", "--on", "2022-11-02"]);
    assert!(stderr.contains("--candidates"), "{stderr}");
}

#[test]
fn issue_collected_and_posted_and_never_twice() {
    let centre = Centre::new();
    centre.receive_aqa_without_0005();
    let stdout = centre.ok(&[
        "issue",
        "0001",
        "--board",
        "70",
        "--on",
        "2022-11-10",
        "--how",
        "collected",
    ]);
    assert_eq!(
        stdout,
        "issued on 2022-11-10, collected: candidate 0001 AHMED:ZARA, board 70, 6A22\n"
    );
    let stdout = centre.ok(&[
        "issue",
        "2",
        "--on",
        "2022-11-12",
        "--how",
        "posted",
        "--to",
        "signed-for post, home",
    ]);
    assert_eq!(
        stdout,
        "issued on 2022-11-12, posted (signed-for post, home): candidate 0002 BAKER:THOMAS JAMES, \
         board 70, 6A22\n"
    );

    let stderr = centre.refused(&[
        "issue",
        "0001",
        "--board",
        "70",
        "--on",
        "2022-11-13",
        "--how",
        "posted",
    ]);
    assert_eq!(
        stderr,
        "resultsday: error: not issued: candidate 0001 AHMED:ZARA, board 70, 6A22 was already \
         issued on 2022-11-10 (collected); a certificate is issued once\n"
    );
    let stderr = centre.refused(&["issue", "0005", "--on", "2022-11-13", "--how", "collected"]);
    assert!(stderr.contains("no certificate for candidate 0005 has been received: it is missing from the board's batch"), "{stderr}");
    let stderr = centre.refused(&[
        "issue",
        "0101",
        "--board",
        "01",
        "--on",
        "2022-11-13",
        "--how",
        "collected",
    ]);
    assert!(
        stderr.contains("no certificate for candidate 0101 (board 01) has been received; record it with `certs receive`"),
        "{stderr}"
    );
    let stderr = centre.refused(&["issue", "0003", "--on", "2022-11-01", "--how", "collected"]);
    assert!(
        stderr.contains("cannot be issued before it was received"),
        "{stderr}"
    );
    let stderr = centre.refused(&["issue", "0003", "--on", "2022-11-13", "--how", "emailed"]);
    assert!(stderr.contains("emailed"), "{stderr}");

    assert_eq!(
        centre.row("2022-11-13", "70", "0001")[5..],
        [
            "2022-11-02",
            "2022-11-10",
            "collected",
            "",
            "",
            "",
            "issued"
        ]
    );
    assert_eq!(
        centre.row("2022-11-13", "70", "0002")[5..],
        ["2022-11-02", "2022-11-12", "posted", "", "", "", "issued"]
    );
    assert_eq!(centre.row("2022-11-13", "70", "0003")[11], "received");
}

#[test]
fn unclaimed_certificates_fall_due_on_the_twelve_month_day() {
    let centre = Centre::new();
    centre.receive_aqa_without_0005();
    centre.ok(&["issue", "0001", "--on", "2022-11-10", "--how", "collected"]);
    centre.ok(&["issue", "0002", "--on", "2022-11-10", "--how", "posted"]);

    let day_before = centre.ok(&["unclaimed", "--as-of", "2023-11-01"]);
    assert!(
        day_before.starts_with("unclaimed certificates as of 2023-11-01: 19 held and not issued\n"),
        "{day_before}"
    );
    let (due, keep) = unclaimed_sections(&day_before);
    assert!(due.is_empty(), "{day_before}");
    assert_eq!(keep.len(), 19);
    assert!(!keep.contains(&"70 0001".to_string()) && !keep.contains(&"70 0005".to_string()));
    assert!(day_before.contains("  board 70  6A22  0003  CHEN:LILY           received 2022-11-02  due from 2023-11-02\n"), "{day_before}");

    let on_the_day = centre.ok(&["unclaimed", "--as-of", "2023-11-02"]);
    let (due, keep) = unclaimed_sections(&on_the_day);
    assert_eq!(due.len(), 19, "{on_the_day}");
    assert!(keep.is_empty(), "{on_the_day}");
    assert_eq!(centre.row("2023-11-02", "70", "0003")[11], "unclaimed");
    assert_eq!(centre.row("2023-11-01", "70", "0003")[11], "received");
    // A date and time reads as its day.
    assert_eq!(
        unclaimed_sections(&centre.ok(&["unclaimed", "--as-of", "2023-11-02T09:00"]))
            .0
            .len(),
        19
    );
}

#[test]
fn unclaimed_in_a_leap_year() {
    let centre = Centre::new();
    // Received on a leap day: 12 months on is 28 February, 2029 having no 29th.
    centre.ok(&["receive", "--board", "88", "--on", "2024-02-29", "--all"]);
    // Received on 28 February 2027: due on 28 February 2028, the day before the leap day.
    centre.ok(&[
        "receive",
        "--board",
        "40",
        "--on",
        "2023-02-28",
        "--candidates",
        "0001",
    ]);

    let (due, keep) = unclaimed_sections(&centre.ok(&["unclaimed", "--as-of", "2024-02-27"]));
    assert!(due.is_empty());
    assert_eq!(keep, ["40 0001", "88 0003", "88 0008"]);
    let (due, _) = unclaimed_sections(&centre.ok(&["unclaimed", "--as-of", "2024-02-28"]));
    assert_eq!(due, ["40 0001"]);

    let (due, keep) = unclaimed_sections(&centre.ok(&["unclaimed", "--as-of", "2025-02-27"]));
    assert_eq!(due, ["40 0001"]);
    assert_eq!(keep, ["88 0003", "88 0008"]);
    let stdout = centre.ok(&["unclaimed", "--as-of", "2025-02-28", "--board", "88"]);
    let (due, keep) = unclaimed_sections(&stdout);
    assert_eq!(due, ["88 0003", "88 0008"]);
    assert!(keep.is_empty());
    assert!(
        stdout.contains("received 2024-02-29  due from 2025-02-28"),
        "{stdout}"
    );
}

#[test]
fn destruction_waits_twelve_months_and_its_record_is_kept_four_years() {
    let centre = Centre::new();
    centre.receive_aqa_without_0005();
    centre.ok(&["issue", "0001", "--on", "2022-11-10", "--how", "collected"]);

    // A day early: refused, with the day it may be; one refusal refuses the lot.
    let stderr = centre.refused(&[
        "destroy",
        "--board",
        "70",
        "--on",
        "2023-11-01",
        "--candidates",
        "0003,0004",
    ]);
    assert!(
        stderr.contains(
            "candidate 0003 CHEN:LILY, board 70, 6A22 was received on 2022-11-02 and must be kept \
             until 2023-11-02 (12 months); give --force to record it anyway"
        ),
        "{stderr}"
    );
    assert!(
        stderr.starts_with("resultsday: error: nothing recorded:"),
        "{stderr}"
    );
    let stderr = centre.refused(&[
        "destroy",
        "--board",
        "70",
        "--on",
        "2023-11-02",
        "--candidates",
        "0003,0001",
    ]);
    assert!(
        stderr.contains("0001 AHMED:ZARA, board 70, 6A22 was already issued on 2022-11-10"),
        "{stderr}"
    );
    assert_eq!(
        centre.row("2023-11-02", "70", "0003")[8],
        "",
        "nothing recorded"
    );
    let stdout = centre.ok(&["destroy", "--board", "70", "--on", "2023-11-01", "--due"]);
    assert!(
        stdout.starts_with("nothing recorded: no unclaimed certificate is due"),
        "{stdout}"
    );

    // On the day: accepted.
    let stdout = centre.ok(&[
        "destroy",
        "--board",
        "70",
        "--on",
        "2023-11-02",
        "--candidates",
        "0003",
    ]);
    assert_eq!(
        stdout,
        "recorded as destroyed on 2023-11-02: 1 certificate\n  candidate 0003 CHEN:LILY, board \
         70, 6A22\nkeep this record until 2027-11-02 (4 years from the destruction)\n"
    );
    assert_eq!(
        centre.row("2023-11-02", "70", "0003")[5..],
        [
            "2022-11-02",
            "",
            "",
            "2023-11-02",
            "",
            "2027-11-02",
            "destroyed"
        ]
    );
    // Once destroyed, it cannot be issued or destroyed again.
    let stderr = centre.refused(&["issue", "0003", "--on", "2023-11-03", "--how", "collected"]);
    assert!(stderr.contains("was destroyed on 2023-11-02"), "{stderr}");

    // --force before 12 months, noted as such.
    let stdout = centre.ok(&[
        "destroy",
        "--board",
        "70",
        "--on",
        "2023-06-01",
        "--candidates",
        "0004",
        "--force",
    ]);
    assert!(
        stdout.contains("0004 DAVIES:OWEN, board 70, 6A22 (before its 12 months, forced)"),
        "{stdout}"
    );
    assert_eq!(centre.row("2023-11-02", "70", "0004")[10], "2027-06-01");

    // The rest, all due, returned to the board instead.
    let stdout = centre.ok(&["destroy", "--on", "2023-11-05", "--due", "--returned"]);
    assert!(
        stdout.starts_with("recorded as returned to the board on 2023-11-05: 18 certificates"),
        "{stdout}"
    );
    assert!(!stdout.contains("keep this record"), "{stdout}");
    assert_eq!(
        centre.row("2023-11-05", "70", "0006")[5..],
        ["2022-11-02", "", "", "", "2023-11-05", "", "returned"]
    );
    let (due, keep) = unclaimed_sections(&centre.ok(&["unclaimed", "--as-of", "2023-11-05"]));
    assert!(due.is_empty() && keep.is_empty());
}

#[test]
fn destroyed_on_a_leap_day_kept_to_the_leap_day_four_years_on() {
    let centre = Centre::new();
    centre.ok(&["receive", "--board", "40", "--on", "2023-02-27", "--all"]);
    let stdout = centre.ok(&["destroy", "--board", "40", "--on", "2024-02-29", "--due"]);
    assert!(
        stdout.contains("recorded as destroyed on 2024-02-29: 7 certificates"),
        "{stdout}"
    );
    assert!(
        stdout.contains("keep this record until 2028-02-29"),
        "{stdout}"
    );
    let row = centre.row("2024-02-29", "40", "0001");
    assert_eq!(row[8..], ["2024-02-29", "", "2028-02-29", "destroyed"]);
}

#[test]
fn list_and_export_have_exact_columns_and_files_are_owner_only() {
    let centre = Centre::new();
    centre.receive_aqa_without_0005();
    centre.ok(&["issue", "0001", "--on", "2022-11-10", "--how", "collected"]);

    let list = centre.ok(&["list", "--as-of", "2022-11-10"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(
        lines[0],
        "board  series  candidate  name                received    issued                destroyed  status"
    );
    assert_eq!(
        lines[1],
        "70     6A22    0001       AHMED:ZARA          2022-11-02  2022-11-10 collected             issued"
    );
    assert_eq!(lines.len(), 1 + 22 + 1);
    assert_eq!(
        *lines.last().unwrap(),
        "22 certificates: 1 missing, 20 received, 1 issued"
    );
    let issued = centre.ok(&["list", "--status", "issued", "--as-of", "2022-11-10"]);
    assert_eq!(issued.lines().count(), 3, "{issued}");
    let none = centre.ok(&["list", "--status", "destroyed"]);
    assert_eq!(none, "no certificates in the log with that status\n");

    let out = centre.dir.path().join("certificates.csv");
    let stdout = centre.ok(&[
        "export",
        "--as-of",
        "2022-11-10",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        stdout,
        format!("written: {} (22 certificates)\n", out.display())
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        COLUMNS.split(',').collect::<Vec<_>>()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 22);
    let numbers: Vec<&str> = rows.iter().map(|r| &r[2]).collect();
    assert_eq!(numbers, AQA);
    assert!(rows.iter().all(|r| r.len() == 12));
    assert!(
        text.contains("\n70,6A22,0007,145200240007K,O'NEILL:ÉMILE,2022-11-02,,,,,,received\n"),
        "{text}"
    );
    // The same bytes to the terminal.
    assert_eq!(centre.ok(&["export", "--as-of", "2022-11-10"]), text);
    let unclaimed = centre.ok(&["export", "--as-of", "2023-11-02", "--status", "unclaimed"]);
    assert_eq!(unclaimed.lines().count(), 1 + 20);

    #[cfg(unix)]
    {
        assert_eq!(mode(&out), 0o600);
        assert_eq!(mode(&centre.db()), 0o600);
    }
}
