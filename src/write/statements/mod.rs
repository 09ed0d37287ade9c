//! Candidate statements of provisional results: `statements.csv` and one printable A4 page per
//! candidate in `statements.html`, each page held back with a visible mark until its release.
//!
//! The page comes from a minijinja template. The built-in one is `templates/statement.html`
//! (written directly by [`builtin`], to the same bytes, for speed); a centre's own file
//! (`statement_template` in `resultsday.toml`) replaces it. Templates are always
//! HTML-escaped, undefined variables are errors, and `{% include %}` reads files beside the
//! centre's template. What a template is given is [`StatementPage`] and its parts, under the
//! names `centre`, `series_name`, `any_held`, `any_withheld` and `pages`.
//!
//! A result the run's findings say is wrong is never printed as if it were right: its line is
//! held ([`Holds`]): "See the exams office" in place of the grade, no mark, and why in words;
//! in `statements.csv` a blank grade and the status `held`. A UCI that fails its check is not
//! printed either.

use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;
use parsers::Boards;

use crate::model::{CandidateResult, Finding};
use crate::rules::config::Settings;
use crate::write::output::{write_file, Commit};

mod builtin;

/// Text escaped for HTML as statements are, for every page resultsday renders.
pub use builtin::escape as escape_html;
mod csv;
mod embargo;
mod held;
mod html;
mod page;
#[cfg(test)]
mod tests;

pub use csv::{
    csv_builder, statements_csv, write_csv_rows, write_statements_csv, CSV_COLUMNS, STATUS_HELD,
    STATUS_PROVISIONAL,
};
pub use embargo::{not_in_calendar, release_of, Held, Releases};
pub use held::{
    held_words, HeldLine, HeldOnStatements, Holds, HOLDING_KINDS, WITHHELD_GRADE, WITHHELD_UCI,
};
pub use html::{render_html, template_fuel, TEMPLATE_FUEL_PER_PAGE};
use page::TemplateContext;
pub use page::{
    endorsement_meaning, qualification_name, Centre, Endorsement, GradeKind, Notes, StatementLine,
    StatementPage, Withheld,
};

/// The built-in statement template.
pub const BUILTIN_TEMPLATE: &str = include_str!("../../../templates/statement.html");
/// The name the built-in template goes by in error messages.
pub const BUILTIN_TEMPLATE_NAME: &str = "built-in statement.html";
/// The CSV file written.
pub const CSV_FILE: &str = "statements.csv";
/// The HTML file written.
pub const HTML_FILE: &str = "statements.html";

/// What can go wrong making statements.
#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    /// The template could not be read.
    #[error("{file}: {message}")]
    TemplateFile { file: String, message: String },
    /// The template has a mistake, found when reading or rendering it.
    #[error("{file}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Template {
        file: String,
        line: Option<usize>,
        message: String,
    },
    /// An output file could not be written.
    #[error("{file}: {message}")]
    Write { file: String, message: String },
}

/// Everything a run gives to make statements.
pub struct StatementSet<'a> {
    pub settings: &'a Settings,
    /// The centre number of the results (printed, and the centre's name when settings have none).
    pub centre_number: &'a str,
    /// The series as printed: `June 2026`.
    pub series_name: &'a str,
    pub results: &'a [CandidateResult],
    /// For the board's name beside each result.
    pub boards: &'a Boards,
    /// When candidates may see a result; `None` when there is nothing to wait for. A run gives
    /// [`Releases::of`], which holds every result of a series not in the calendar (until
    /// [`not_in_calendar`], printed as such).
    pub release: &'a dyn Fn(&CandidateResult) -> Option<DateTime<Tz>>,
    /// The clock, or `--as-of`.
    pub as_of: DateTime<Tz>,
    /// The run's findings: a result they say is wrong is held on its page and in
    /// `statements.csv` ([`Holds`]).
    pub findings: &'a [Finding],
}

/// Writes `statements.csv` and `statements.html` into `out_dir` (which must exist); returns the
/// paths written.
pub fn write_statements(
    out_dir: &Path,
    set: &StatementSet<'_>,
    commit: Commit<'_>,
) -> Result<Vec<PathBuf>, StatementError> {
    let html = render_html(set, None)?;
    let csv_path = out_dir.join(CSV_FILE);
    let csv = csv::statements_csv_for(&csv_path, set.results, set.findings)?;
    commit
        .write(&csv_path, &csv)
        .map_err(|e| write_error(&csv_path, &e))?;
    let html_path = out_dir.join(HTML_FILE);
    commit
        .write(&html_path, html.as_bytes())
        .map_err(|e| write_error(&html_path, &e))?;
    Ok(vec![csv_path, html_path])
}

/// Writes rendered statements (e.g. `statements-changed.html`) atomically, owner-only.
pub fn write_html(path: &Path, html: &str) -> Result<(), StatementError> {
    write_file(path, html.as_bytes()).map_err(|e| write_error(path, &e))
}

fn write_error(path: &Path, e: &std::io::Error) -> StatementError {
    StatementError::Write {
        file: path.display().to_string(),
        message: crate::messages::describe_read(e),
    }
}

/// Results in the contract's order: candidate number, board, entry code (then where they came
/// from, so the order is total).
fn sorted<'r>(results: impl Iterator<Item = &'r CandidateResult>) -> Vec<&'r CandidateResult> {
    let mut v: Vec<_> = results.collect();
    v.sort_by(|a, b| {
        (&a.candidate_number, &a.board, &a.entry_code, &a.source).cmp(&(
            &b.candidate_number,
            &b.board,
            &b.entry_code,
            &b.source,
        ))
    });
    v
}
