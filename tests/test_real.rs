//! Real files the boards and a school produced (parsers/tests/real/, provenance in its
//! README.md) through `run` and `inspect`, as an exams officer gives them to resultsday.

use std::path::{Path, PathBuf};

mod common;

use common::resultsday;

fn real(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("parsers/tests/real")
        .join(rel)
}

fn rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}

const AQA_BASEDATA: [&str; 4] = [
    "basedata/S6G17_70.X02",
    "basedata/O6G17_70.X02",
    "basedata/C6G17_70.X02",
    "basedata/L6G17_70.X02",
];

/// A folder of AQA's real basedata for June 2017 and the school's real amendments to AQA, with
/// no results yet: a board whose results have not arrived.
#[test]
fn real_basedata_and_entries_with_no_results_give_every_entry_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for f in AQA_BASEDATA.iter().chain(&["entries/A5220570.X19"]) {
        std::fs::copy(real(f), input.join(Path::new(f).file_name().unwrap())).unwrap();
    }
    missing_results_only(dir.path(), &input, "A5220570.X19");
}

/// The same, with the basedata as the board ships it: a zip of its files and a readme.
#[test]
fn real_basedata_in_a_zip_reads_as_if_unzipped() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(input.join("6G17_70.zip")).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for f in AQA_BASEDATA {
        zip.start_file(Path::new(f).file_name().unwrap().to_str().unwrap(), opts)
            .unwrap();
        zip.write_all(&std::fs::read(real(f)).unwrap()).unwrap();
    }
    zip.start_file("readme.txt", opts).unwrap();
    zip.write_all(b"AQA basedata June 2017").unwrap();
    zip.finish().unwrap();
    std::fs::copy(real("entries/A5220570.X19"), input.join("A5220570.X19")).unwrap();
    missing_results_only(dir.path(), &input, "A5220570.X19");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/run.json")).unwrap()).unwrap();
    let inputs = json.to_string();
    assert!(inputs.contains("6G17_70.zip/O6G17_70.X02"), "{inputs}");
}

fn missing_results_only(dir: &Path, input: &Path, entries_file: &str) {
    let out = dir.join("out");
    let output = resultsday()
        .arg("run")
        .arg(input)
        .arg("--out")
        .arg(&out)
        .arg("--db")
        .arg(dir.join("store.db"))
        .args(["--as-of", "2017-08-24T06:00"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let findings = rows(&out.join("findings.csv"));
    let kinds: Vec<(&str, &str, &str)> = findings.iter().map(|r| (&r[1], &r[4], &r[7])).collect();
    let mut expected: Vec<(&str, &str, &str)> = ["7992", "8401", "8402", "8403", "8700", "8702"]
        .into_iter()
        .map(|o| ("missing_result", "6767", o))
        .collect();
    // AQA's level 2 certificate in further maths uses gradeset 8, whose grades the built-in
    // table does not hold: said once, not as a flood of invalid grades.
    expected.push(("unknown_gradeset", "", "7992"));
    expected.sort();
    let mut got = kinds.clone();
    got.sort();
    // Every entry is a missing result, and nothing else is found: the real files read whole.
    assert_eq!(got, expected, "{findings:?}");
    let unknown = findings
        .iter()
        .find(|r| &r[1] == "unknown_gradeset")
        .unwrap();
    assert!(unknown[8].contains("gradeset '8'"), "{unknown:?}");
    for r in findings.iter().filter(|r| &r[1] == "missing_result") {
        assert_eq!(&r[3], "52205");
        assert_eq!(&r[9], entries_file);
        assert_eq!(&r[10], "3", "the candidate's A5 record is line 3");
        assert_eq!(&r[6], "ANON:CANDIDATE 6767");
    }
}

#[test]
fn inspect_shows_what_the_real_headers_hold() {
    let output = resultsday()
        .arg("inspect")
        .arg(real("basedata/O6G17_70.X02"))
        .arg(real("basedata/O3a17_99.X01"))
        .arg(real("entries/E5220599.X03"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(
            "AQA (70) · basedata: options · centre 6G17_ · series 6G17 · format 14 · sender \
             'AQA    001' · distribution B (basedata) · sequence 0002"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("records: 1 O1, 1 O3, 491 O5, 1 O7, 1 O9"),
        "{stdout}"
    );
    assert!(stdout.contains("format 12 (read as 14)"), "{stdout}");
    assert!(stdout.contains("191 E5"), "{stdout}");
    assert!(stdout.contains("postcode HP65HA"), "{stdout}");

    let json = resultsday()
        .args(["inspect", "--json"])
        .arg(real("entries/E5220599.X03"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["records"], 191);
    assert_eq!(v["version"], 14);
    assert_eq!(v["sender"], "52205  103");
    assert_eq!(v["centre_blocks"][0]["trailer_count"], 193);
    assert_eq!(v["problems"].as_array().unwrap().len(), 0);
}

/// One June, several series codes: each board chooses its own series letter within the month
/// (AQA's June 2017 GCSE files are 6G17, OCR's 6B17), and the run reads them together as June
/// 2017, each board with its own basedata.
#[test]
fn the_boards_series_codes_of_one_month_are_one_series() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for f in AQA_BASEDATA.iter().chain(&[
        "entries/A5220570.X19",
        "basedata/s6b17_01.x04",
        "basedata/o6b17_01.x04",
        "basedata/c6b17_01.x04",
        "basedata/l6b17_01.x04",
        "entries/E5220501.X89",
    ]) {
        std::fs::copy(real(f), input.join(Path::new(f).file_name().unwrap())).unwrap();
    }
    let out = dir.path().join("out");
    let output = resultsday()
        .arg("run")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("--db")
        .arg(dir.path().join("store.db"))
        .args(["--as-of", "2017-08-24T06:00"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stderr.contains("several series"), "{stderr}");
    let findings = rows(&out.join("findings.csv"));
    let missing: Vec<(&str, &str, &str)> = findings
        .iter()
        .filter(|r| &r[1] == "missing_result")
        .map(|r| (&r[2], &r[4], &r[7]))
        .collect();
    assert_eq!(
        missing,
        [
            ("01", "6853", "4755"),
            ("01", "6853", "4771"),
            ("70", "6767", "7992"),
            ("70", "6767", "8401"),
            ("70", "6767", "8402"),
            ("70", "6767", "8403"),
            ("70", "6767", "8700"),
            ("70", "6767", "8702"),
        ],
        "{findings:?}"
    );
    // Each board's entries are checked against its own basedata: nothing is unknown.
    assert!(
        !findings.iter().any(|r| &r[1] == "unknown_entry_code"),
        "{findings:?}"
    );
}
