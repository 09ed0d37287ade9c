//! `resultsday inspect` on the samples and on bad input, as a user runs it.

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

fn resultsday() -> Command {
    Command::cargo_bin("resultsday").unwrap()
}

fn inspect_json(args: &[&str]) -> (Vec<Value>, i32) {
    let out = resultsday()
        .args(["inspect", "--json", "--fail-on", "error"])
        .args(args)
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (lines, out.status.code().unwrap())
}

fn by_name<'a>(reports: &'a [Value], name: &str) -> &'a Value {
    reports
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("{name} not reported"))
}

/// (file, data type, board, centre, sender, sequence, records, problems).
type Expected<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, u64, u64, usize);

#[test]
fn every_sample_file_is_identified_with_its_counts() {
    let (reports, status) = inspect_json(&["samples/results-day", "samples/after-reviews"]);
    assert_eq!(status, 1, "the samples hold planted errors");
    // (file, data type, board, centre, sender, sequence, records, problems). A basedata file's
    // centre field holds its series and year and `_`. Entries and amendments hold one record per
    // candidate: `records` counts those lines, not the options on them.
    let expected: &[Expected] = &[
        ("C6A26_70.X01", "C", "70", "6A26_", "AQA    001", 1, 28, 0),
        ("L6A26_70.X01", "L", "70", "6A26_", "AQA    001", 1, 28, 0),
        ("O6A26_70.X01", "O", "70", "6A26_", "AQA    001", 1, 8, 0),
        ("O6A26_70.X02", "O", "70", "6A26_", "AQA    001", 2, 8, 0),
        ("S6A26_70.X01", "S", "70", "6A26_", "AQA    001", 1, 7, 0),
        ("D6A26_70.X01", "D", "70", "6A26_", "AQA    001", 1, 1, 0),
        ("S6a26_01.X01", "S", "01", "6A26_", "UCLES01EPS", 1, 5, 0),
        ("O6a26_01.X01", "O", "01", "6A26_", "UCLES01EPS", 1, 9, 0),
        ("S6A26_88.X01", "S", "88", "6A26_", "PQB    001", 1, 1, 1),
        ("E1452070.X01", "E", "70", "14520", "14520  001", 1, 22, 0),
        ("A1452070.X02", "A", "70", "14520", "14520  001", 2, 3, 0),
        ("E1452001.X01", "E", "01", "14520", "14520  001", 1, 23, 0),
        ("E1452040.X01", "E", "40", "14520", "14520  001", 2, 9, 1),
        ("R1452070.X01", "R", "70", "14520", "AQA    001", 1, 68, 2),
        ("R1452070.X02", "R", "70", "14520", "AQA    001", 2, 3, 0),
        ("R1452001.X01", "R", "01", "14520", "UCLES01EPS", 1, 37, 3),
        ("R1452040 (1).X01", "R", "40", "14520", "WJEC", 1, 9, 2),
        ("R1452070.X03", "R", "70", "14520", "AQA    001", 3, 3, 0),
        ("R1452001.X02", "R", "01", "14520", "UCLES01EPS", 2, 2, 0),
    ];
    for &(name, data_type, board, centre, sender, sequence, records, problems) in expected {
        let r = by_name(&reports, name);
        assert_eq!(r["kind"], "edi", "{name}");
        assert_eq!(r["data_type"], data_type, "{name}");
        assert_eq!(r["board"], board, "{name}");
        assert_eq!(r["centre"], centre, "{name}");
        assert_eq!(r["series"], "6A26", "{name}");
        assert_eq!(r["version"], 14, "{name}");
        assert_eq!(r["version_read_as"], "14", "{name}");
        assert_eq!(r["sender"], sender, "{name}");
        let basedata = matches!(data_type, "S" | "O" | "C" | "L" | "D");
        assert_eq!(
            r["distribution"],
            if basedata { "B" } else { "S" },
            "{name}"
        );
        assert_eq!(r["sequence"], sequence, "{name}");
        assert_eq!(r["records"], records, "{name}");
        assert_eq!(
            r["record_types"][format!("{data_type}5")],
            records,
            "{name}: {}",
            r["record_types"]
        );
        assert_eq!(
            r["problems"].as_array().unwrap().len(),
            problems,
            "{name}: {}",
            r["problems"]
        );
        // One block, after the file header, with the file's centre and sequence; every sample's
        // centre trailer counts its block right (the planted count errors are elsewhere).
        let blocks = r["centre_blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 1, "{name}: {blocks:?}");
        let b = &blocks[0];
        assert_eq!(b["line"], 2, "{name}");
        assert_eq!(b["centre"], centre, "{name}");
        assert_eq!(b["sequence"], sequence, "{name}");
        let detail_lines = b["detail_lines"].as_u64().unwrap();
        assert!(detail_lines >= records, "{name}: {b}");
        assert_eq!(b["trailer_count"], detail_lines + 2, "{name}: {b}");
    }
    let xml = by_name(&reports, ".xml");
    assert_eq!(
        (&xml["kind"], &xml["board"], &xml["centre"], &xml["records"]),
        (
            &Value::from("xml"),
            &Value::from("01"),
            &Value::from("14520"),
            &Value::from(11)
        )
    );
    assert_eq!(by_name(&reports, "resultsday.toml")["kind"], "other");
}

#[test]
fn a_malformed_line_shows_with_its_line_and_field() {
    let (reports, _) = inspect_json(&["samples/results-day/results/R1452070.X01"]);
    let problems = reports[0]["problems"].as_array().unwrap();
    let p = &problems[0];
    // Line 44: the file header and the centre header come before the first detail record.
    assert_eq!(p["line"], 44);
    assert_eq!(p["field"], "candidate number");
    assert_eq!(p["kind"], "malformed_record");
    assert!(p["message"].as_str().unwrap().contains("'0O11'"));
    assert_eq!(problems[1]["kind"], "centre_mismatch");
    assert_eq!(problems[1]["line"], 56);
}

#[test]
fn human_form_names_the_board_and_the_problems() {
    let out = resultsday()
        .args([
            "inspect",
            "--fail-on",
            "error",
            "samples/results-day/results/R1452001.X01",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "OCR (01) · results · centre 14520 · series 6A26 · format 14 · sender 'UCLES01EPS' \
             · distribution S (a centre's file) · sequence 0001"
        ),
        "{text}"
    );
    assert!(
        text.contains("records: 1 R1, 1 R3, 37 R5, 1 unreadable, 1 R7, 1 R9"),
        "{text}"
    );
    assert!(text.contains("line 16"), "{text}");
    assert!(
        text.contains(
            "the file trailer counts 43 records but the file has 42 records up to it, headers \
             and trailers included"
        ),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn problems_exit_zero_unless_fail_on_is_given() {
    resultsday()
        .args(["inspect", "samples/results-day/results/R1452001.X01"])
        .assert()
        .code(0);
}

#[test]
fn clean_files_exit_zero_and_warnings_can_fail() {
    resultsday()
        .args(["inspect", "samples/results-day/results/R1452070.X02"])
        .assert()
        .code(0);
    resultsday()
        .args(["inspect", "samples/results-day/entries/E1452040.X01"])
        .assert()
        .code(0);
    resultsday()
        .args([
            "inspect",
            "--fail-on",
            "warning",
            "samples/results-day/entries/E1452040.X01",
        ])
        .assert()
        .code(1);
}

/// Writes `bytes` as `name` in a fresh folder and inspects it, within two seconds.
fn inspect_bytes(name: &str, bytes: &[u8]) -> (Value, i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let started = Instant::now();
    let out = resultsday()
        .args(["inspect", "--json", "--fail-on", "error"])
        .arg(&path)
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{name} took too long"
    );
    let code = out.status.code().expect("no panic, no signal");
    assert_ne!(code, 101, "panic on {name}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    (value, code, stdout)
}

fn messages(report: &Value) -> String {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn hostile_input_gives_a_clear_message_never_a_panic() {
    let (r, code, _) = inspect_bytes("R1452070.X01", b"");
    assert_eq!(code, 1);
    assert!(messages(&r).contains("the file is empty"));

    let (r, code, _) = inspect_bytes("R1452070.X01", &[0u8, 0xFF, 0x1B, 0x00, 0x7F, 0x80]);
    assert_eq!(code, 1);
    assert!(messages(&r).contains("expected a file header record 'R1'"));

    // The start of a file header, then 5 MB on the same line: a results line is 92 bytes.
    let mut long = b"R114520706".to_vec();
    long.extend(std::iter::repeat_n(b'A', 5 * 1024 * 1024));
    let (r, code, stdout) = inspect_bytes("R1452070.X01", &long);
    assert_eq!(code, 1);
    assert!(stdout.len() < 10_000, "the long line is not echoed whole");
    assert!(messages(&r).contains("after byte 92"));

    let (r, code, _) = inspect_bytes(
        "R1452070.X01",
        b"R114520706A2\x00S\x00QA    00114\r\nR314520706A26001\r\nR5\x00\x00\r\n",
    );
    assert_eq!(code, 1);
    assert!(r["problems"].as_array().unwrap().len() >= 2);
}

#[test]
fn hostile_xml_is_refused_without_reading_anything_else() {
    let name = "a2c.14520.01.EDIResults.X.xml";
    let (r, code, _) = inspect_bytes(
        name,
        b"<?xml version=\"1.0\"?><r:EDIResults xmlns:r=\"x\"><r:Header>",
    );
    assert_eq!(code, 1);
    assert!(!messages(&r).is_empty());

    let bomb = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<EDIResults><Candidate><CandidateNumber>1</CandidateNumber><Name>&lol3;</Name></Candidate></EDIResults>"#;
    let (r, _, stdout) = inspect_bytes(name, bomb);
    assert!(!stdout.contains("lollollol"));
    assert!(messages(&r).contains("lol3"), "{}", messages(&r));

    let xxe = br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<EDIResults><Candidate><CandidateNumber>1</CandidateNumber><Name>&x;</Name></Candidate></EDIResults>"#;
    let (_, _, stdout) = inspect_bytes(name, xxe);
    assert!(!stdout.contains("root:"));

    let deep = format!(
        "<EDIResults>{}{}</EDIResults>",
        "<a>".repeat(10_000),
        "</a>".repeat(10_000)
    );
    let (r, code, _) = inspect_bytes(name, deep.as_bytes());
    assert_eq!(code, 1);
    assert!(r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["kind"] == "limit_exceeded"));
}

#[test]
fn unreadable_input_exits_two_and_the_rest_is_still_inspected() {
    let out = resultsday()
        .args([
            "inspect",
            "no/such/R1452070.X01",
            "samples/results-day/results/R1452070.X02",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("no such file or folder"));
    assert!(text.contains("R1452070.X02"));
    assert!(Path::new("samples/results-day/results/R1452070.X02").exists());
}

#[test]
fn bad_usage_exits_two() {
    resultsday().args(["inspect"]).assert().code(2);
    resultsday().args(["frobnicate"]).assert().code(2);
}
