//! `statements.csv`: one row per result, held rows blank but for why.

use std::path::Path;

use super::held::{held_reason, Holds};
use super::{sorted, write_error, StatementError};
use crate::model::{CandidateResult, Finding};
use crate::write::output::write_file;

/// Writes `statements.csv`: one row per result, by candidate number, board and entry code.
pub fn write_statements_csv(
    path: &Path,
    results: &[CandidateResult],
    findings: &[Finding],
) -> Result<(), StatementError> {
    let bytes = statements_csv_for(path, results, findings)?;
    write_file(path, &bytes).map_err(|e| write_error(path, &e))
}

/// [`statements_csv`] for the file at `path`, which its error names.
pub(super) fn statements_csv_for(
    path: &Path,
    results: &[CandidateResult],
    findings: &[Finding],
) -> Result<Vec<u8>, StatementError> {
    statements_csv(results, findings).map_err(|e| StatementError::Write {
        file: path.display().to_string(),
        message: e.to_string(),
    })
}

/// The columns of `statements.csv`: the contract's twelve, then `held_reason`.
pub const CSV_COLUMNS: [&str; 13] = [
    "candidate_number",
    "uci",
    "name",
    "board",
    "entry_code",
    "title",
    "qualification",
    "grade",
    "mark",
    "max_mark",
    "status",
    "endorsement",
    "held_reason",
];

/// `status` of a row printed as the board sent it.
pub const STATUS_PROVISIONAL: &str = "provisional";
/// `status` of a row whose grade, mark and endorsement are held ([`Holds`]): all three blank.
pub const STATUS_HELD: &str = "held";

/// The bytes of `statements.csv`.
pub fn statements_csv(
    results: &[CandidateResult],
    findings: &[Finding],
) -> Result<Vec<u8>, std::io::Error> {
    let mut w = csv_builder(false).from_writer(Vec::new())?;
    write_csv_rows(&mut w, results, findings, None)?;
    w.into_inner()
}

/// How `statements.csv` is written: [`CSV_COLUMNS`] (and `centre` last, for the statements of
/// several centres in one file), `mark` and `max_mark` numeric.
pub fn csv_builder(with_centre: bool) -> crate::write::csvout::Builder {
    let centre = with_centre.then_some("centre");
    crate::write::csvout::Builder::new(CSV_COLUMNS.iter().copied().chain(centre))
        .numeric(["mark", "max_mark"])
}

/// Writes the rows of `statements.csv` for `results`, by candidate number, board and entry
/// code, without the header. With `centre`, the centre number is added as a last column: the
/// statements of several centres in one file.
///
/// A row the `findings` hold ([`Holds`]) has a blank grade, mark, maximum mark and
/// endorsement, the status `held`, and the kinds that hold it in `held_reason`; a row whose UCI
/// fails its check has a blank `uci` and `uci_invalid` in `held_reason` (its grade stands).
pub fn write_csv_rows<W: std::io::Write>(
    w: &mut crate::write::csvout::Writer<W>,
    results: &[CandidateResult],
    findings: &[Finding],
    centre: Option<&str>,
) -> Result<(), std::io::Error> {
    let holds = Holds::new(findings);
    for r in sorted(results.iter()) {
        let held = holds.of_line(r);
        let uci_failed = holds.uci_failed(r);
        let shown = held.is_empty();
        let mark = r.mark.filter(|_| shown).map(|m| m.to_string());
        let max_mark = r.max_mark.filter(|_| shown).map(|m| m.to_string());
        let grade = if shown {
            r.printed_grade()
        } else {
            String::new()
        };
        let reason = held_reason(held, uci_failed);
        let fields = [
            r.candidate_number.as_str(),
            if uci_failed { "" } else { &r.uci },
            &r.name,
            &r.board,
            &r.entry_code,
            &r.title,
            &r.qualification,
            &grade,
            mark.as_deref().unwrap_or(""),
            max_mark.as_deref().unwrap_or(""),
            if shown {
                STATUS_PROVISIONAL
            } else {
                STATUS_HELD
            },
            r.endorsement.as_deref().filter(|_| shown).unwrap_or(""),
            &reason,
        ];
        match centre {
            None => w.write_record(fields)?,
            Some(c) => w.write_record(fields.iter().copied().chain([c]))?,
        }
    }
    Ok(())
}
