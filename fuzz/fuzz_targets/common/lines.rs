//! Line numbers of CSV rows as the person who opens the file counts them, for the targets that
//! check the line a problem names. Shared by the CSV targets (`#[path]`-included).
//!
//! The `csv` crate's record positions are not that line in three cases (rust-csv issue #395):
//! after a CRLF line end the record is placed on the line before; after blank lines, on the
//! first blank line; and a lone CR never starts a new line. resultsday counts lines itself
//! (`resultsday::csvlines`), and the targets check it against [`true_line`], counted here
//! independently. `RESULTSDAY_FUZZ_LINES=csv` makes them expect the `csv` crate's numbering
//! instead (what resultsday reported before).

/// The line (1-based) on which the record that `csv` places at byte `byte` of `body` really
/// starts: the reader's position is where it began to read, before the line ends and blank
/// lines it skipped, so those are stepped over first. CRLF, LF and a lone CR each end a line.
pub fn true_line(body: &[u8], byte: u64) -> u64 {
    let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(body.len());
    while start < body.len() && matches!(body[start], b'\r' | b'\n') {
        start += 1;
    }
    let before = &body[..start];
    let mut breaks = 0u64;
    for (i, &b) in before.iter().enumerate() {
        match b {
            b'\n' => breaks += 1,
            b'\r' if before.get(i + 1) != Some(&b'\n') => breaks += 1,
            _ => {}
        }
    }
    breaks + 1
}

/// The line the targets expect a record to be reported on: the `csv` crate's own, or
/// [`true_line`] unless `RESULTSDAY_FUZZ_LINES=csv`.
pub fn expected_line(body: &[u8], position: &csv::Position) -> u64 {
    if csv_lines() {
        position.line()
    } else {
        true_line(body, position.byte())
    }
}

/// Whether the `csv` crate's line numbers are expected (`RESULTSDAY_FUZZ_LINES=csv`), so a row
/// may be placed before its line, or share it with another.
pub fn csv_lines() -> bool {
    use std::sync::OnceLock;
    static CSV_LINES: OnceLock<bool> = OnceLock::new();
    *CSV_LINES.get_or_init(|| std::env::var("RESULTSDAY_FUZZ_LINES").is_ok_and(|v| v == "csv"))
}

/// The number of lines in `body` (a final line end starts one more, empty, line).
pub fn count(body: &[u8]) -> u64 {
    true_line(body, body.len() as u64)
}
