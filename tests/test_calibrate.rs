//! `resultsday calibrate`: a results file in another layout is found out, its layout recovered,
//! and the run with the layout table it writes reads the file as the samples read.

use std::path::Path;

mod common;

use common::{copy_dir, resultsday};

/// The samples with AQA's results files in a shifted layout: three more bytes before the option
/// code, so every field from the option on moves and each line is 95 bytes.
fn shifted_samples(to: &Path) {
    copy_dir(Path::new("samples/results-day"), to);
    for name in ["R1452070.X01", "R1452070.X02"] {
        let path = to.join("results").join(name);
        let bytes = std::fs::read(&path).unwrap();
        let shifted: Vec<u8> = bytes
            .split_inclusive(|&b| b == b'\n')
            .flat_map(|line| {
                if line.starts_with(b"R5") {
                    [&line[..11], b"   ", &line[11..]].concat()
                } else {
                    line.to_vec()
                }
            })
            .collect();
        std::fs::write(&path, shifted).unwrap();
    }
}

fn run(dir: &Path, input: &Path, out: &str, extra: &[&str]) -> (String, Vec<Vec<String>>) {
    let output = resultsday()
        .arg("run")
        .arg(input)
        .arg("--out")
        .arg(dir.join(out))
        .arg("--db")
        .arg(dir.join(format!("{out}.db")))
        .args(["--as-of", "2026-08-19T06:00"])
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let rows = csv::Reader::from_path(dir.join(out).join("findings.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().take(8).map(str::to_string).collect())
        .collect();
    (stdout, rows)
}

#[test]
fn a_shifted_results_layout_is_recovered_and_read_as_the_samples_are() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in");
    shifted_samples(&input);
    let (_, expected) = run(d, Path::new("samples/results-day"), "samples", &[]);

    // Read with the built-in layout, the file says it is in another one.
    let (_, misread) = run(d, &input, "misread", &[]);
    assert!(
        misread
            .iter()
            .any(|r| r[1] == "layout_mismatch" && r[2] == "70"),
        "{misread:?}"
    );

    let table = d.join("found.toml");
    let output = resultsday()
        .arg("calibrate")
        .arg(input.join("results/R1452070.X01"))
        .arg(input.join("results/R1452070.X02"))
        .arg("--basedata")
        .arg(input.join("basedata"))
        .arg("--entries")
        .arg(input.join("entries/E1452070.X01"))
        .arg("--out")
        .arg(&table)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        report.contains("UCI                   bytes 21–33     bytes 18–30"),
        "{report}"
    );
    assert!(report.contains("Each line is 95 bytes long"), "{report}");
    let toml = std::fs::read_to_string(&table).unwrap();
    assert!(toml.contains("boards = [\"70\"]"), "{toml}");
    assert!(toml.contains("uci = [21, 13]"), "{toml}");
    assert!(toml.contains("option = [15, 6]"), "{toml}");
    assert!(toml.contains("length = 95"), "{toml}");

    // With the table, by --layout or as layouts.toml in the folder, the run finds exactly what
    // it finds in the samples.
    let (_, with_flag) = run(
        d,
        &input,
        "with-flag",
        &["--layout", table.to_str().unwrap()],
    );
    assert_eq!(with_flag, expected);
    std::fs::copy(&table, input.join("layouts.toml")).unwrap();
    let (stdout, in_folder) = run(d, &input, "in-folder", &[]);
    assert_eq!(in_folder, expected);
    assert!(
        stdout.contains("read the centre's own settings:") && stdout.contains("layouts.toml"),
        "{stdout}"
    );
    let statements = |out: &str| std::fs::read(d.join(out).join("statements.csv")).unwrap();
    assert_eq!(statements("in-folder"), statements("samples"));
}

#[test]
fn calibrate_writes_only_to_a_new_path_or_a_regular_file_and_names_bad_tables() {
    let output = resultsday()
        .args([
            "calibrate",
            "samples/results-day/results/R1452070.X01",
            "--out",
            "/dev/null",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("/dev/null: cannot be written: it is a device, pipe or socket"),
        "{stderr}"
    );

    // The samples' own file fits: the table overrides nothing.
    let output = resultsday()
        .args(["calibrate", "samples/results-day/results/R1452070.X01"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("so no field is overridden"), "{stdout}");

    // A table that does not read stops the run before anything is written.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[R5]\nuci = [30, 13]\n").unwrap();
    let output = resultsday()
        .args(["run", "samples/results-day", "--out"])
        .arg(dir.path().join("out"))
        .arg("--db")
        .arg(dir.path().join("s.db"))
        .arg("--layout")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.toml: [R5] uci (bytes 30–42) and unused (bytes 31–36) overlap"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
}
