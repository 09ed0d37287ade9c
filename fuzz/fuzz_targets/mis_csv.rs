//! Any bytes as the centre's MIS export (`candidates.csv`, layouts.md §7): `parse_mis` never
//! panics, and every data row is accounted for: it is kept as a candidate, or reported with its
//! line, and the counts add up.
#![no_main]

use std::collections::{BTreeSet, HashSet};

use libfuzzer_sys::fuzz_target;
#[path = "common/lines.rs"]
mod lines;

use resultsday::load::mis::{normalise_candidate_number, parse_mis, MisError, MisProblem, COLUMNS};

const FILE: &str = "candidates.csv";

/// The header's names, and the line each data row should be reported on (see `lines.rs`), read
/// the way `parse_mis` reads the file (byte records, no header handling, rows of any length).
fn rows(body: &[u8]) -> Option<(Vec<String>, Vec<u64>)> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut records = rdr.byte_records();
    let header = records.next()?.ok()?;
    let names = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase())
        .collect();
    let lines = records
        .map(|r| match r {
            Ok(r) => r.position().map_or(0, |p| lines::expected_line(body, p)),
            Err(e) => e.position().map_or(0, |p| lines::expected_line(body, p)),
        })
        .collect();
    Some((names, lines))
}

/// A problem that says its row was not read (its candidate number is not one, or is taken).
fn is_refusal(p: &MisProblem) -> bool {
    p.field == "candidate_number" && p.message.ends_with("this row is not read")
}

fuzz_target!(|data: &[u8]| {
    let parsed = parse_mis(FILE, data);
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    // Lines as a spreadsheet user counts them: the header is line 1.
    let file_lines = lines::count(body);

    let mis = match parsed {
        Ok(mis) => mis,
        Err(MisError::Empty { .. }) => {
            // Only a file with no record at all (csv skips empty lines) is empty.
            assert!(
                body.iter().all(|&b| b == b'\n' || b == b'\r'),
                "a file with text in it reported empty"
            );
            return;
        }
        Err(MisError::MissingColumns { missing, .. }) => {
            assert!(COLUMNS.contains(&missing.as_str()), "{missing:?}");
            let (names, _) = rows(body).expect("a header was read");
            assert!(
                !names.contains(&missing),
                "column {missing:?} reported missing from {names:?}"
            );
            return;
        }
        Err(e @ MisError::Unreadable(_)) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };

    let (names, row_lines) = rows(body).expect("a file that loads has a header");
    for column in COLUMNS {
        assert!(
            names.iter().any(|n| n == column),
            "no {column} in {names:?}"
        );
    }

    // Every problem names the file, a line that is a data row of the file, and a column of the
    // header (or the row as a whole), with a message; problems come in file order.
    let row_line_set: BTreeSet<u64> = row_lines.iter().copied().collect();
    let mut last = 0;
    for p in &mis.problems {
        assert_eq!(p.file, FILE);
        assert!(!p.message.is_empty(), "{p:?}");
        assert!(
            p.field == "row" || names.contains(&p.field),
            "{p:?}: not a column of {names:?}"
        );
        assert!(row_line_set.contains(&p.line), "{p:?}: no row starts there");
        if !lines::csv_lines() {
            assert!(
                (2..=file_lines).contains(&p.line),
                "{p:?}: not a data line of a file of {file_lines} lines"
            );
        }
        assert!(p.line >= last, "problems out of order: {:?}", mis.problems);
        last = p.line;
        let _ = p.to_string();
    }

    // Every candidate kept is on a row of its own, under its four-digit number.
    let mut kept_lines = HashSet::new();
    for (number, c) in &mis.candidates {
        assert_eq!(number, &c.candidate_number);
        assert_eq!(normalise_candidate_number(number).as_ref(), Some(number));
        assert!(
            row_line_set.contains(&c.line),
            "{c:?}: no row starts there ({row_lines:?})"
        );
        assert!(
            kept_lines.insert(c.line) || lines::csv_lines(),
            "two candidates on line {}",
            c.line
        );
        assert_eq!(c.extra.len(), mis.extra_columns.len(), "{c:?}");
        if let Some(y) = c.year_group {
            assert!((1..=14).contains(&y), "{c:?}");
        }
        assert!(c.sex.as_deref() != Some("") && c.form.as_deref() != Some(""));
        // A row that was kept was not also refused (told apart by line, so only where every row
        // has a line of its own).
        assert!(
            lines::csv_lines()
                || !mis
                    .problems
                    .iter()
                    .any(|p| p.line == c.line && is_refusal(p)),
            "{c:?} kept and refused"
        );
        for group in mis.breakdown_groups() {
            let _ = mis.group_value(c, &group);
        }
    }

    // The counts add up: each data row is kept, or refused once (a candidate number that cannot
    // be read, or that an earlier row has), or could not be read as CSV at all.
    let refused = mis.problems.iter().filter(|p| is_refusal(p)).count();
    let unreadable = mis
        .problems
        .iter()
        .filter(|p| p.field == "row" && p.message.starts_with("cannot be read as CSV"))
        .count();
    assert_eq!(
        mis.candidates.len() + refused + unreadable,
        row_lines.len(),
        "{} kept, {refused} refused, {unreadable} unreadable, of {} rows",
        mis.candidates.len(),
        row_lines.len()
    );

    // Extra columns are the header's other non-blank names, in order.
    for extra in &mis.extra_columns {
        assert!(!extra.is_empty());
    }
});
