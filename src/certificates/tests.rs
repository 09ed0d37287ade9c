//! Unit tests of the certificates log and its retention rules.

use chrono::NaiveDate;
use rusqlite::{params, Connection};

use super::*;
use crate::model::{CandidateResult, ResultsDay, Source};
use parsers::Grade;

fn day(text: &str) -> NaiveDate {
    parse_date(text).unwrap()
}

fn result(board: &str, candidate: &str, entry: &str, grade: &str) -> CandidateResult {
    CandidateResult {
        board: board.into(),
        centre: "14520".into(),
        candidate_number: candidate.into(),
        uci: format!("14520{candidate}"),
        name: format!("NAME{candidate}:ANN"),
        entry_code: entry.into(),
        syllabus_code: None,
        title: String::new(),
        qualification: "GCSE".into(),
        level: Some(2),
        gradeset: None,
        is_award: true,
        grade: Grade::parse(grade),
        grade2: None,
        mark: None,
        max_mark: None,
        endorsement: None,
        components: vec![],
        results_day: ResultsDay::Gcse,
        source: Source::default(),
    }
}

fn held(received_on: &str) -> Certificate {
    Certificate {
        centre: "14520".into(),
        board: "70".into(),
        series: "6A26".into(),
        candidate_number: "0001".into(),
        uci: String::new(),
        name: "SMITH:ANN".into(),
        expected: true,
        received_on: Some(day(received_on)),
        issued_on: None,
        issued_how: None,
        issued_to: None,
        destroyed_on: None,
        returned_on: None,
        keep_record_until: None,
        disposed_early: false,
    }
}

#[test]
fn twelve_months_are_calendar_months_clamped_to_the_month_end() {
    assert_eq!(
        due_for_return_or_destruction(day("2026-11-02")),
        day("2027-11-02")
    );
    assert_eq!(
        due_for_return_or_destruction(day("2028-02-29")),
        day("2029-02-28")
    );
    assert_eq!(
        due_for_return_or_destruction(day("2027-02-28")),
        day("2028-02-28")
    );
    assert_eq!(add_months(day("2027-01-31"), 1), day("2027-02-28"));
    assert_eq!(add_months(NaiveDate::MAX, 12), NaiveDate::MAX);
}

#[test]
fn destruction_records_are_kept_four_years() {
    assert_eq!(keep_record_until(day("2027-11-02")), day("2031-11-02"));
    assert_eq!(keep_record_until(day("2028-02-29")), day("2032-02-29"));
    // 2100 is not a leap year.
    assert_eq!(keep_record_until(day("2096-02-29")), day("2100-02-28"));
}

#[test]
fn status_turns_unclaimed_on_the_twelve_month_day() {
    let c = held("2026-11-02");
    assert_eq!(c.status(day("2026-11-02")), Status::Received);
    assert_eq!(c.status(day("2027-11-01")), Status::Received);
    assert_eq!(c.status(day("2027-11-02")), Status::Unclaimed);
    assert_eq!(c.due_from(), Some(day("2027-11-02")));

    let leap = held("2028-02-29");
    assert_eq!(leap.status(day("2029-02-27")), Status::Received);
    assert_eq!(leap.status(day("2029-02-28")), Status::Unclaimed);

    let mut issued = held("2026-11-02");
    issued.issued_on = Some(day("2026-11-10"));
    issued.issued_how = Some(IssuedHow::Posted);
    assert_eq!(issued.status(day("2030-01-01")), Status::Issued);
    assert_eq!(issued.due_from(), None);

    let mut destroyed = held("2026-11-02");
    destroyed.destroyed_on = Some(day("2027-11-02"));
    assert_eq!(destroyed.status(day("2027-11-02")), Status::Destroyed);

    let mut missing = held("2026-11-02");
    missing.received_on = None;
    assert_eq!(missing.status(day("2026-11-02")), Status::Missing);
    assert!(!missing.is_held());
}

#[test]
fn unclaimed_splits_due_from_still_to_keep() {
    let mut issued = held("2026-11-02");
    issued.issued_on = Some(day("2026-11-10"));
    issued.issued_how = Some(IssuedHow::Collected);
    let mut late = held("2027-01-15");
    late.candidate_number = "0002".into();
    let log = [held("2026-11-02"), issued, late];
    let split = unclaimed(&log, day("2027-11-02"));
    assert_eq!(split.due, [log[0].clone()]);
    assert_eq!(split.keep, [log[2].clone()]);
    let split = unclaimed(&log, day("2027-11-01"));
    assert!(split.due.is_empty());
    assert_eq!(split.keep.len(), 2);
}

#[test]
fn expected_certificates_are_awards_with_a_grade_from_the_board() {
    let mut unit = result("70", "0004", "R067", "P1");
    unit.is_award = false;
    let results = [
        result("70", "0002", "8700", "5"),
        result("70", "0002", "8702", "4"),
        result("70", "0001", "8700", "U"),
        result("70", "0003", "8700", "X"),
        result("70", "0003", "8702", "Q"),
        result("70", "0005", "8700", ""),
        result("70", "0006", "8700", "5#"),
        unit,
        result("01", "0007", "J560F", "4"),
    ];
    let got: Vec<String> = expected_certificates(&results, "70")
        .into_iter()
        .map(|e| e.candidate_number)
        .collect();
    assert_eq!(got, ["0001", "0002", "0006"]);
    let one = &expected_certificates(&results, "70")[1];
    assert_eq!(one.uci, "145200002");
    assert_eq!(one.name, "NAME0002:ANN");
    assert!(expected_certificates(&results, "40").is_empty());
}

#[test]
fn dates_and_candidate_numbers_are_read_strictly() {
    assert_eq!(parse_date(" 2028-02-29 "), Ok(day("2028-02-29")));
    for bad in [
        "2027-02-29",
        "2026-8-1",
        "02/11/2026",
        "2026-11-02T10:00",
        "",
    ] {
        let e = parse_date(bad).unwrap_err();
        assert!(e.contains("expected YYYY-MM-DD"), "{bad}: {e}");
    }
    assert_eq!(candidate_number("5").as_deref(), Ok("0005"));
    assert_eq!(candidate_number(" 0101 ").as_deref(), Ok("0101"));
    for bad in ["", "12345", "00O5", "-1"] {
        assert!(candidate_number(bad).is_err(), "{bad}");
    }
}

#[test]
fn series_by_code_or_id() {
    assert!(series_matches("6A26", "6a26"));
    assert!(series_matches("6A26", "2026-06"));
    assert!(!series_matches("6A26", "2025-06"));
    assert_eq!(series_label("6A26"), "June 2026 (6A26)");
    assert_eq!(series_label("ZZ99"), "ZZ99");
}

#[test]
fn export_has_the_contract_columns_and_a_status_per_row() {
    let mut destroyed = held("2026-11-02");
    destroyed.destroyed_on = Some(day("2028-02-29"));
    destroyed.keep_record_until = Some(keep_record_until(day("2028-02-29")));
    let bytes = export_csv(&[destroyed, held("2027-03-01")], day("2028-03-01"));
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        text,
        "\u{feff}board,series,candidate_number,uci,name,received_on,issued_on,issued_how,\
             destroyed_on,returned_on,keep_record_until,status\n\
             70,6A26,0001,,SMITH:ANN,2026-11-02,,,2028-02-29,,2032-02-29,destroyed\n\
             70,6A26,0001,,SMITH:ANN,2027-03-01,,,,,,unclaimed\n"
    );
}

#[test]
fn the_migration_makes_strict_tables_that_refuse_bad_rows() {
    let conn = Connection::open_in_memory().unwrap();
    for m in crate::store::MIGRATIONS {
        conn.execute_batch(m).unwrap();
    }
    conn.execute(
        "INSERT INTO certificate_batches (centre, board, series, received_on, expected,
                 recorded_at) VALUES ('14520', '70', '6A26', '2026-11-02', 1, 'now')",
        [],
    )
    .unwrap();
    let insert = |received: &str, issued: Option<&str>, how: Option<&str>| {
        conn.execute(
            "INSERT INTO certificates (batch_id, centre, board, series, candidate_number,
                     uci, name, expected, received_on, issued_on, issued_how)
                 VALUES (1, '14520', '70', '6A26', '0001', '', '', 1, ?1, ?2, ?3)",
            params![received, issued, how],
        )
    };
    assert!(insert("2/11/2026", None, None).is_err());
    assert!(insert("2026-11-02", Some("2026-11-10"), None).is_err());
    assert!(insert("2026-11-02", Some("2026-11-10"), Some("emailed")).is_err());
    insert("2026-11-02", Some("2026-11-10"), Some("posted")).unwrap();
    assert!(
        insert("2026-11-02", None, None).is_err(),
        "one certificate per candidate, board and series"
    );
}
