//! Any bytes as a `prs import` file (the post-results requests CSV of contract.md): every row is
//! read as `prs import` reads it and checked by `prs::check_request` against a fixed centre (the
//! sample centre's entries, June 2026, the built-in rules). Nothing panics; every data row is
//! stored or refused, on a line of the file; what is stored keeps every rule; and the stored
//! requests, exported with `export_csv` and imported again into an empty log, come back the same.
//!
//! `prs import` (`src/cmd/prs.rs`) reads its CSV inside the command, next to the store, so the
//! reading below is a copy of it (header check, blank rows, UTF-8, trimming). Keep the two in
//! step until the reading is a library function of its own.
#![no_main]

use std::sync::OnceLock;

#[path = "common/lines.rs"]
mod lines;

use libfuzzer_sys::fuzz_target;
use resultsday::rules::calendar::{Calendar, SeriesDates};
use resultsday::cmd::prs::{export_csv, IMPORT_COLUMNS};
use resultsday::model::{CandidateResult, ResultsDay, Source};
use resultsday::prs::{
    self, check_request, AppliesTo, Catalogue, Entries, FeeTable, LogIndex, LoggedRequest, Refusal,
    Request, RequestContext, RequestRow, Service, Status,
};

const CENTRE: &str = "14520";
const SERIES: &str = "6A26";

/// What requests are checked against: the entries of `samples/prs-requests.csv` (and a second
/// candidate for one), the June 2026 calendar and the built-in services and fees.
struct Fixture {
    dates: SeriesDates,
    catalogue: Catalogue,
    fees: FeeTable,
    entries: Entries,
}

fn result(candidate: &str, board: &str, entry: &str, day: ResultsDay) -> CandidateResult {
    CandidateResult {
        board: board.into(),
        centre: CENTRE.into(),
        candidate_number: candidate.into(),
        uci: String::new(),
        name: "SMITH:ANN".into(),
        entry_code: entry.into(),
        syllabus_code: None,
        title: String::new(),
        qualification: match day {
            ResultsDay::Gce => "GCE A".into(),
            ResultsDay::Gcse => "GCSE".into(),
        },
        level: Some(match day {
            ResultsDay::Gce => 3,
            ResultsDay::Gcse => 2,
        }),
        gradeset: None,
        is_award: true,
        grade: parsers::Grade::parse("5"),
        grade2: None,
        mark: Some(120),
        max_mark: None,
        endorsement: None,
        components: vec![],
        results_day: day,
        source: Source::default(),
    }
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        use ResultsDay::{Gce, Gcse};
        let results = [
            ("0013", "70", "8700", Gcse),
            ("0014", "70", "8700", Gcse),
            ("0008", "70", "8702", Gcse),
            ("0001", "70", "8702", Gcse),
            ("0010", "01", "J560H", Gcse),
            ("0005", "01", "J560H", Gcse),
            ("0102", "70", "7402", Gce),
            ("0106", "01", "H856", Gce),
            ("0104", "01", "H556", Gce),
        ]
        .map(|(c, b, e, d)| result(c, b, e, d));
        Fixture {
            dates: Calendar::builtin().get("2026-06").unwrap().clone(),
            catalogue: Catalogue::builtin(),
            fees: FeeTable::builtin(),
            entries: Entries::from_results(&results),
        }
    })
}

/// A data row as `prs import` reads it.
struct Row {
    /// The line `prs import` reports it on (the `csv` crate's).
    line: u64,
    /// The line it should be reported on (see `lines.rs`).
    expected: u64,
    /// Every field trimmed, or `None` when the row is not UTF-8 (refused without a check).
    fields: Option<Vec<String>>,
}

/// The rows of an import file after its header, as `prs import` reads them; `None` when the
/// file is refused as a whole (empty, or the header is not the import columns).
fn read_import(bytes: &[u8]) -> Option<Vec<Row>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes);
    // As `import` counts lines (resultsday::csvlines), unless the csv crate's are asked for.
    let mut counted = resultsday::csvlines::Lines::new(bytes);
    let mut line_of = |p: Option<&csv::Position>| -> u64 {
        if lines::csv_lines() {
            p.map_or(0, |p| p.line())
        } else {
            counted.of(p) as u64
        }
    };
    let mut records = csv.byte_records();
    let header: Vec<String> = records
        .next()?
        .ok()?
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
        .collect();
    if header.len() < IMPORT_COLUMNS.len() || header[..IMPORT_COLUMNS.len()] != IMPORT_COLUMNS {
        return None;
    }
    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rows.push(Row {
                    line: line_of(e.position()),
                    expected: e.position().map_or(0, |p| lines::expected_line(bytes, p)),
                    fields: None,
                });
                continue;
            }
        };
        let line = line_of(record.position());
        let expected = record
            .position()
            .map_or(0, |p| lines::expected_line(bytes, p));
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let fields: Option<Vec<String>> = record
            .iter()
            .map(|f| {
                std::str::from_utf8(f)
                    .ok()
                    .map(|t| resultsday::write::csvout::uncell(t.trim()).trim().to_string())
            })
            .collect();
        rows.push(Row {
            line,
            expected,
            fields,
        });
    }
    Some(rows)
}

fn request_row(fields: &[String]) -> RequestRow {
    let field = |i: usize| fields.get(i).cloned().unwrap_or_default();
    RequestRow {
        reference: field(0),
        candidate_number: field(1),
        board: field(2),
        entry_code: field(3),
        component_code: field(4),
        service: field(5),
        requested_on: field(6),
        consent_on: field(7),
    }
}

/// Every rule a stored request must keep, given the requests stored before it.
fn assert_keeps_the_rules(row: &RequestRow, r: &Request, before: &[Request], fx: &Fixture) {
    assert_eq!(r.reference, row.reference.trim());
    assert!(!r.reference.is_empty());
    assert!(
        before.iter().all(|o| o.reference != r.reference),
        "reference {} stored twice",
        r.reference
    );
    assert_eq!(Some(r.service), Service::parse(&row.service));
    assert_eq!((r.centre.as_str(), r.series.as_str()), (CENTRE, SERIES));
    assert_eq!(r.entry_code, r.entry_code.trim().to_ascii_uppercase());
    assert_eq!(
        r.component_code,
        r.component_code.trim().to_ascii_uppercase()
    );
    assert_eq!(
        Some(r.requested_on),
        prs::parse_iso_date(row.requested_on.trim())
    );

    // The entry is the candidate's (or, for a whole-cohort S3, anyone's) in the run.
    let day = if r.candidate_number.is_empty() {
        assert_eq!(r.service, Service::S3, "{r:?}");
        fx.entries.of_cohort(&r.board, &r.entry_code)
    } else {
        fx.entries
            .of_candidate(&r.candidate_number, &r.board, &r.entry_code)
            .map(|f| f.results_day)
    };
    assert_eq!(day, Some(r.results_day), "{r:?}");
    let rule = fx.catalogue.rule(r.service);
    if rule.applies_to == AppliesTo::Gce {
        assert_eq!(r.results_day, ResultsDay::Gce, "{r:?}");
    }

    // Requested between the entry's results day and the service's deadline.
    let results_on = prs::results_date(&fx.dates, r.results_day);
    let deadline = prs::deadline(rule, &fx.dates).expect("a stored service is offered");
    assert!(
        results_on <= r.requested_on && r.requested_on <= deadline,
        "{r:?}"
    );
    // Consent, where needed, taken after results and not after the request.
    if rule.consent_required {
        let consent = r.consent_on.expect("consent needed");
        assert!(results_on <= consent && consent <= r.requested_on, "{r:?}");
    }

    // One review of marking per component (a whole-entry review covers every component).
    if r.service.is_review_of_marking() {
        for o in before.iter().filter(|o| o.service.is_review_of_marking()) {
            let same_entry = (&o.candidate_number, &o.board, &o.entry_code)
                == (&r.candidate_number, &r.board, &r.entry_code);
            let overlaps = o.component_code == r.component_code
                || o.component_code.is_empty()
                || r.component_code.is_empty();
            assert!(!(same_entry && overlaps), "{r:?} reviews what {o:?} does");
        }
    }
}

/// What a refusal says is so.
fn assert_refusal_holds(row: &RequestRow, refusal: &Refusal, before: &[Request]) {
    assert!(!refusal.to_string().is_empty());
    match refusal {
        Refusal::NoReference => assert!(row.reference.trim().is_empty()),
        Refusal::DuplicateReference(r) => {
            assert!(before.iter().any(|o| &o.reference == r), "{r} not stored")
        }
        Refusal::UnknownService(_) => assert_eq!(Service::parse(&row.service), None),
        Refusal::AlreadyReviewed { other, .. } => {
            assert!(
                before.iter().any(|o| &o.reference == other),
                "{other} not stored"
            )
        }
        _ => {}
    }
}

/// A stored request as the log holds it before any outcome.
fn logged(id: usize, r: &Request) -> LoggedRequest {
    LoggedRequest {
        id: id as i64 + 1,
        reference: r.reference.clone(),
        centre: r.centre.clone(),
        series: r.series.clone(),
        candidate_number: r.candidate_number.clone(),
        board: r.board.clone(),
        entry_code: r.entry_code.clone(),
        component_code: r.component_code.clone(),
        service: r.service,
        requested_on: r.requested_on,
        consent_on: r.consent_on,
        status: Status::Open,
        outcome: None,
        outcome_on: None,
        old_grade: None,
        new_grade: None,
        old_mark: None,
        new_mark: None,
        fee_pence: r.fee_pence,
        refund_due: None,
        keep_consent_until: None,
        linked_run_id: None,
        created_at: String::new(),
    }
}

/// Imports rows into an empty log: the stored requests, and the line of every row.
fn import(rows: &[Row], fx: &Fixture) -> (Vec<Request>, Vec<u64>) {
    let ctx = RequestContext {
        centre: CENTRE,
        series: SERIES,
        dates: &fx.dates,
        catalogue: &fx.catalogue,
        fees: &fx.fees,
        entries: &fx.entries,
        run_id: 1,
    };
    let mut log = LogIndex::new();
    let mut stored: Vec<Request> = Vec::new();
    let mut refused_lines = Vec::new();
    for row in rows {
        let Some(fields) = &row.fields else {
            refused_lines.push(row.line);
            continue;
        };
        let request_row = request_row(fields);
        let checked = check_request(&request_row, &ctx, &log);
        // The same row against the same log gets the same answer.
        assert_eq!(checked, check_request(&request_row, &ctx, &log));
        match checked {
            Ok(request) => {
                assert_keeps_the_rules(&request_row, &request, &stored, fx);
                log.add(&request);
                stored.push(request);
            }
            Err(refusal) => {
                assert_refusal_holds(&request_row, &refusal, &stored);
                refused_lines.push(row.line);
            }
        }
    }
    (stored, refused_lines)
}

fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    let Some(rows) = read_import(data) else {
        return;
    };
    let (stored, refused_lines) = import(&rows, fx);

    // Every data row is stored or refused, and is reported on its own line (after the header,
    // in file order).
    assert_eq!(stored.len() + refused_lines.len(), rows.len());
    for row in &rows {
        assert_eq!(
            row.line, row.expected,
            "a row on line {} reported on line {}",
            row.expected, row.line
        );
    }
    if !lines::csv_lines() {
        let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        let file_lines = lines::count(body);
        assert!(
            rows.iter().all(|r| (2..=file_lines).contains(&r.line)),
            "a row outside the {file_lines} lines of the file"
        );
        assert!(
            rows.windows(2).all(|w| w[0].line < w[1].line),
            "rows out of order or on one line: {:?}",
            rows.iter().map(|r| r.line).collect::<Vec<_>>()
        );
    }

    // The log exported and imported again into an empty log: the same requests, none refused.
    if !stored.is_empty() {
        let log: Vec<LoggedRequest> = stored
            .iter()
            .enumerate()
            .map(|(i, r)| logged(i, r))
            .collect();
        let exported = export_csv(&log);
        let again = read_import(&exported).expect("an export is an import file");
        let (restored, refused) = import(&again, fx);
        assert!(
            refused.is_empty(),
            "the export re-imported with refusals on {refused:?}"
        );
        assert_eq!(restored, stored);
    }
});
