//! Candidate statements of provisional results: `statements.csv` and one printable A4 page per
//! candidate in `statements.html`, each page held back with a visible mark until its release.
//!
//! The page comes from a minijinja template. The built-in one is `templates/statement.html`
//! (written directly by [`builtin`], to the same bytes, for speed); a centre's own file
//! (`statement_template` in `resultsday.toml`) replaces it. Templates are always
//! HTML-escaped, undefined variables are errors, and `{% include %}` reads files beside the
//! centre's template. What a template is given is [`StatementPage`] and its parts, under the
//! names `centre`, `series_name`, `any_held` and `pages`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use parsers::Boards;
use serde::Serialize;

use crate::calendar::{Calendar, SeriesDates};
use crate::config::Settings;
use crate::model::{split_name, CandidateResult, ResultsDay};
use crate::output::{write_file, Commit};

mod builtin;

/// The built-in statement template.
pub const BUILTIN_TEMPLATE: &str = include_str!("../../templates/statement.html");
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
    /// When candidates may see a result ([`release_of`]); `None` when the series is not in the
    /// calendar, which holds nothing back (the caller warns).
    pub release: &'a dyn Fn(&CandidateResult) -> Option<DateTime<Tz>>,
    /// The clock, or `--as-of`.
    pub as_of: DateTime<Tz>,
}

/// When candidates may see `result`: 08:00 London on its qualification's results day (A level and
/// level 3 on the GCE day, GCSE and level 1/2 on the GCSE day). `None` for an unknown series.
pub fn release_of(
    result: &CandidateResult,
    calendar: &Calendar,
    dates: Option<&SeriesDates>,
) -> Option<DateTime<Tz>> {
    dates.map(|d| calendar.candidate_release(d, result.results_day))
}

/// [`release_of`] for a whole series, worked out once for each results day: a run asks it for
/// every result on every page.
pub struct Releases {
    gce: Option<DateTime<Tz>>,
    gcse: Option<DateTime<Tz>>,
}

impl Releases {
    pub fn new(calendar: &Calendar, dates: Option<&SeriesDates>) -> Releases {
        let on = |day| dates.map(|d| calendar.candidate_release(d, day));
        Releases {
            gce: on(ResultsDay::Gce),
            gcse: on(ResultsDay::Gcse),
        }
    }

    /// When candidates may see `result`, as [`release_of`] says.
    pub fn of(&self, result: &CandidateResult) -> Option<DateTime<Tz>> {
        match result.results_day {
            ResultsDay::Gce => self.gce,
            ResultsDay::Gcse => self.gcse,
        }
    }
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
    let csv = statements_csv(set.results).map_err(|e| StatementError::Write {
        file: csv_path.display().to_string(),
        message: e.to_string(),
    })?;
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

/// Writes `statements.csv`: one row per result, by candidate number, board and entry code.
pub fn write_statements_csv(
    path: &Path,
    results: &[CandidateResult],
) -> Result<(), StatementError> {
    let bytes = statements_csv(results).map_err(|e| StatementError::Write {
        file: path.display().to_string(),
        message: e.to_string(),
    })?;
    write_file(path, &bytes).map_err(|e| write_error(path, &e))
}

/// The columns of `statements.csv`.
pub const CSV_COLUMNS: [&str; 12] = [
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
];

/// The bytes of `statements.csv`.
pub fn statements_csv(results: &[CandidateResult]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    write_csv_rows(&mut w, results, None)?;
    w.into_inner().map_err(|e| e.into_error().into())
}

/// Writes the rows of `statements.csv` for `results`, by candidate number, board and entry
/// code, without the header. With `centre`, the centre number is added as a last column: the
/// statements of several centres in one file.
pub fn write_csv_rows<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    results: &[CandidateResult],
    centre: Option<&str>,
) -> Result<(), csv::Error> {
    for r in sorted(results.iter()) {
        let mark = r.mark.map(|m| m.to_string()).unwrap_or_default();
        let max_mark = r.max_mark.map(|m| m.to_string()).unwrap_or_default();
        let grade = r.printed_grade();
        let fields = [
            r.candidate_number.as_str(),
            &r.uci,
            &r.name,
            &r.board,
            &r.entry_code,
            &r.title,
            &r.qualification,
            &grade,
            &mark,
            &max_mark,
            "provisional",
            r.endorsement.as_deref().unwrap_or(""),
        ];
        match centre {
            None => w.write_record(fields)?,
            Some(c) => w.write_record(fields.iter().copied().chain([c]))?,
        }
    }
    Ok(())
}

/// Renders the statements, one page per candidate by candidate number, each page's results by
/// title; with `only_candidates`, just those candidates.
pub fn render_html(
    set: &StatementSet<'_>,
    only_candidates: Option<&BTreeSet<String>>,
) -> Result<String, StatementError> {
    let pages = pages(set, only_candidates);
    let context = TemplateContext {
        centre: Centre::from_settings(set.settings, set.centre_number),
        series_name: set.series_name,
        any_held: pages.iter().any(|p| p.held.is_some()),
        pages,
    };
    let (name, source, folder) = match &set.settings.statement_template {
        None => {
            if let Some(html) = builtin::render(&context) {
                return Ok(html);
            }
            (
                BUILTIN_TEMPLATE_NAME.to_string(),
                BUILTIN_TEMPLATE.to_string(),
                None,
            )
        }
        Some(path) => {
            let source =
                std::fs::read_to_string(path).map_err(|e| StatementError::TemplateFile {
                    file: path.display().to_string(),
                    message: crate::inputs::describe_io(&e),
                })?;
            (path.display().to_string(), source, path.parent())
        }
    };
    render_template(&name, source, folder, &context)
}

fn render_template(
    name: &str,
    source: String,
    folder: Option<&Path>,
    context: &TemplateContext<'_>,
) -> Result<String, StatementError> {
    let mut env = Environment::new();
    // A centre's template may be called anything; it is always HTML.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    // Errors show the failing expression in release builds too.
    env.set_debug(true);
    if let Some(folder) = folder {
        env.set_loader(minijinja::path_loader(folder));
    }
    let error = |e: minijinja::Error| template_error(name, folder, &e);
    env.add_template_owned(name.to_string(), source)
        .map_err(error)?;
    env.get_template(name)
        .and_then(|t| t.render(context))
        .map_err(error)
}

fn template_error(main: &str, folder: Option<&Path>, e: &minijinja::Error) -> StatementError {
    let mut message = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    // What failed, as written in the template: `undefined value in `p.candidate_nmuber``.
    let written = e
        .template_source()
        .zip(e.range())
        .and_then(|(source, range)| source.get(range));
    if let (Some(text), false) = (written, e.kind() == minijinja::ErrorKind::SyntaxError) {
        message.push_str(&format!(" in `{text}`"));
    }
    // An error inside an included file names that file, found beside the centre's template.
    let file = match (e.name(), folder) {
        (Some(name), Some(folder)) if name != main => folder.join(name).display().to_string(),
        (Some(name), _) => name.to_string(),
        (None, _) => main.to_string(),
    };
    StatementError::Template {
        file,
        line: e.line(),
        message,
    }
}

fn write_error(path: &Path, e: &std::io::Error) -> StatementError {
    StatementError::Write {
        file: path.display().to_string(),
        message: crate::inputs::describe_io(e),
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

fn pages<'s>(
    set: &StatementSet<'s>,
    only_candidates: Option<&BTreeSet<String>>,
) -> Vec<StatementPage<'s>> {
    let wanted = |r: &&CandidateResult| {
        only_candidates.is_none_or(|only| only.contains(&r.candidate_number))
    };
    // By candidate only: each page puts its own results in order.
    let mut results: Vec<_> = set.results.iter().filter(wanted).collect();
    results.sort_by(|a, b| a.candidate_number.cmp(&b.candidate_number));
    results
        .chunk_by(|a, b| a.candidate_number == b.candidate_number)
        .map(|candidate| StatementPage::new(candidate, set))
        .collect()
}

/// What the template is given.
#[derive(Serialize)]
struct TemplateContext<'s> {
    centre: Centre<'s>,
    series_name: &'s str,
    /// Whether any page is held back (for the styles of the mark).
    any_held: bool,
    pages: Vec<StatementPage<'s>>,
}

/// The centre, as printed at the top of each page.
#[derive(Serialize)]
pub struct Centre<'s> {
    /// From settings, else `Centre 14520`.
    pub name: String,
    pub number: &'s str,
    pub address: Option<&'s str>,
    pub results_contact: Option<&'s str>,
}

impl<'s> Centre<'s> {
    fn from_settings(settings: &'s Settings, number: &'s str) -> Centre<'s> {
        let name = settings
            .centre_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map_or_else(|| format!("Centre {number}"), str::to_string);
        let text = |s: &'s Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty());
        Centre {
            name,
            number,
            address: text(&settings.centre_address),
            results_contact: text(&settings.results_contact),
        }
    }
}

/// One candidate's page.
#[derive(Serialize)]
pub struct StatementPage<'s> {
    pub candidate_number: &'s str,
    pub uci: &'s str,
    /// `ÉMILE O'NEILL`.
    pub name: String,
    /// As the board sends it: `O'NEILL:ÉMILE`.
    pub name_as_sent: &'s str,
    pub surname: &'s str,
    pub forenames: &'s str,
    /// Set while the page may not go to the candidate.
    pub held: Option<Held>,
    pub results: Vec<StatementLine<'s>>,
    /// Which footnotes the page needs.
    pub notes: Notes,
    /// Whether any result on the page has a mark (else the column is left out).
    pub has_marks: bool,
    /// Whether any result on the page has an endorsement (else the column is left out).
    pub has_endorsements: bool,
}

/// Until when a page (or a result) is held back.
#[derive(Serialize)]
pub struct Held {
    /// `08:00 on Thursday 20 August 2026`.
    pub until: String,
    /// `2026-08-20T08:00:00+01:00`.
    pub until_iso: String,
}

impl Held {
    fn at(at: DateTime<Tz>) -> Held {
        Held {
            until: at.format("%H:%M on %A %-d %B %Y").to_string(),
            until_iso: at.to_rfc3339(),
        }
    }
}

/// Which footnotes a page uses.
#[derive(Serialize, Default)]
pub struct Notes {
    /// A `#` grade.
    pub partial_absence: bool,
    /// `X`.
    pub no_result: bool,
    /// `Q`.
    pub pending: bool,
    /// A result record with no grade.
    pub not_issued: bool,
}

impl<'s> StatementPage<'s> {
    /// `results`: one candidate's, sorted.
    fn new(results: &[&'s CandidateResult], set: &StatementSet<'s>) -> StatementPage<'s> {
        let first = results[0];
        let (surname, forenames) = split_name(&first.name);
        let name = if forenames.is_empty() {
            surname.to_string()
        } else {
            format!("{forenames} {surname}")
        };
        let uci = results
            .iter()
            .map(|r| r.uci.trim())
            .find(|u| !u.is_empty())
            .unwrap_or("");
        let mut in_order = results.to_vec();
        in_order.sort_by(|a, b| {
            (
                &a.title,
                &a.qualification,
                &a.board,
                &a.entry_code,
                &a.source,
            )
                .cmp(&(
                    &b.title,
                    &b.qualification,
                    &b.board,
                    &b.entry_code,
                    &b.source,
                ))
        });
        // When each result is released, if that is still to come. The page shows them all, so
        // it is held until the latest; once everything on it is released, it is not held.
        let to_come: Vec<Option<DateTime<Tz>>> = in_order
            .iter()
            .map(|r| (set.release)(r).filter(|at| set.as_of < *at))
            .collect();
        let held_until = to_come.iter().flatten().max().copied();
        // A row says when it is released only where the rows differ; otherwise the page's mark
        // says it for all of them.
        let rows_differ = to_come.iter().any(|at| *at != to_come[0]);
        let mut notes = Notes::default();
        let lines: Vec<StatementLine> = in_order
            .iter()
            .zip(&to_come)
            .map(|(r, at)| {
                let held = at.filter(|_| rows_differ);
                let line = StatementLine::new(r, set, held);
                notes.partial_absence |= line.partial_absence;
                match line.grade_kind {
                    GradeKind::NoResult => notes.no_result = true,
                    GradeKind::Pending => notes.pending = true,
                    GradeKind::NotIssued => notes.not_issued = true,
                    GradeKind::Grade => {}
                }
                line
            })
            .collect();
        StatementPage {
            candidate_number: &first.candidate_number,
            uci,
            name,
            name_as_sent: &first.name,
            surname,
            forenames,
            held: held_until.map(Held::at),
            has_marks: lines.iter().any(|l| l.mark.is_some()),
            has_endorsements: lines.iter().any(|l| l.endorsement.is_some()),
            results: lines,
            notes,
        }
    }
}

/// What kind of thing stands in the grade column.
#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GradeKind {
    Grade,
    NoResult,
    Pending,
    NotIssued,
}

/// One result on a page.
#[derive(Serialize)]
pub struct StatementLine<'s> {
    pub board: &'s str,
    /// `AQA`, or the id when the boards table does not know it.
    pub board_name: &'s str,
    pub entry_code: &'s str,
    pub title: &'s str,
    /// As in the basedata: `GCE A`.
    pub qualification_code: &'s str,
    /// For a reader: `A level`.
    pub qualification: &'s str,
    /// As printed: `7-6`, `No Result`, `Pending`, `5#`; blank when none was sent.
    pub grade: String,
    pub grade_kind: GradeKind,
    pub partial_absence: bool,
    pub mark: Option<u16>,
    pub max_mark: Option<u16>,
    pub endorsement: Option<Endorsement<'s>>,
    /// Set when this result is not yet released and the page's other results differ (some
    /// released, or released at another time).
    pub held: Option<Held>,
}

/// An endorsement grade and what it means.
#[derive(Serialize)]
pub struct Endorsement<'s> {
    /// As sent: `M`.
    pub code: &'s str,
    /// `Merit`; blank for a code resultsday does not know.
    pub meaning: &'static str,
    /// `Spoken language`, `Practical science`, or `Endorsement`.
    pub kind: &'static str,
}

impl<'s> StatementLine<'s> {
    /// `held`: when `r` is released, if its row is to say so.
    fn new(
        r: &'s CandidateResult,
        set: &StatementSet<'s>,
        held: Option<DateTime<Tz>>,
    ) -> StatementLine<'s> {
        let grade_kind = match &r.grade {
            None => GradeKind::NotIssued,
            Some(g) if g.is_no_result() => GradeKind::NoResult,
            Some(g) if g.is_pending() => GradeKind::Pending,
            Some(_) => GradeKind::Grade,
        };
        let partial_absence = grade_kind == GradeKind::Grade
            && [&r.grade, &r.grade2]
                .into_iter()
                .flatten()
                .any(|g| g.partial_absence);
        let endorsement = r
            .endorsement
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|code| Endorsement {
                code,
                meaning: endorsement_meaning(code),
                kind: endorsement_kind(&r.qualification),
            });
        StatementLine {
            board: &r.board,
            board_name: set.boards.name(&r.board),
            entry_code: &r.entry_code,
            title: &r.title,
            qualification_code: &r.qualification,
            qualification: qualification_name(&r.qualification),
            grade: r.printed_grade(),
            grade_kind,
            partial_absence,
            mark: r.mark,
            max_mark: r.max_mark,
            endorsement,
            held: held.map(Held::at),
        }
    }
}

/// The qualification as a candidate would say it.
pub fn qualification_name(code: &str) -> &str {
    match code.trim() {
        "GCE A" => "A level",
        "GCE AS" => "AS level",
        "PROJECT" => "Project",
        "CNAT" => "Cambridge National",
        "BTEC NAT" => "BTEC National",
        other => other,
    }
}

/// An endorsement grade in words: spoken language D/M/P/NC, practical science P/NC.
pub fn endorsement_meaning(code: &str) -> &'static str {
    match code.trim().to_ascii_uppercase().as_str() {
        "D" => "Distinction",
        "M" => "Merit",
        "P" => "Pass",
        "NC" => "Not classified",
        _ => "",
    }
}

/// Which endorsement a qualification carries: spoken language on GCSE English Language, the
/// practical endorsement on A level sciences.
fn endorsement_kind(qualification: &str) -> &'static str {
    let q = qualification.trim();
    if q.starts_with("GCSE") {
        "Spoken language"
    } else if q.starts_with("GCE") {
        "Practical science"
    } else {
        "Endorsement"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifications_read_as_a_candidate_says_them() {
        assert_eq!(qualification_name("GCE A"), "A level");
        assert_eq!(qualification_name("GCE AS"), "AS level");
        assert_eq!(qualification_name("GCSE"), "GCSE");
        assert_eq!(qualification_name("PROJECT"), "Project");
        assert_eq!(qualification_name("CNAT"), "Cambridge National");
        assert_eq!(qualification_name("BTEC NAT"), "BTEC National");
        assert_eq!(qualification_name("ELQ"), "ELQ");
    }

    #[test]
    fn endorsements_in_words() {
        assert_eq!(endorsement_meaning("D"), "Distinction");
        assert_eq!(endorsement_meaning("M"), "Merit");
        assert_eq!(endorsement_meaning("P"), "Pass");
        assert_eq!(endorsement_meaning("NC"), "Not classified");
        assert_eq!(endorsement_meaning("Z"), "");
        assert_eq!(endorsement_kind("GCSE"), "Spoken language");
        assert_eq!(endorsement_kind("GCE A"), "Practical science");
    }

    #[test]
    fn template_errors_name_the_file_and_line() {
        let e = StatementError::Template {
            file: "/c/slip.html".into(),
            line: Some(4),
            message: "syntax error".into(),
        };
        assert_eq!(e.to_string(), "/c/slip.html, line 4: syntax error");
    }

    #[test]
    fn the_builtin_template_words_holding_back_only_inside_held_blocks() {
        let mut rest = BUILTIN_TEMPLATE.to_string();
        for opening in ["{% if any_held %}", "{% if page.held %}", "{% if r.held %}"] {
            while let Some(start) = rest.find(opening) {
                let end = start + rest[start..].find("{% endif %}").unwrap();
                let block = &rest[start..end];
                assert!(!block[opening.len()..].contains("{% if"), "nested: {block}");
                rest.replace_range(start..end, "");
            }
        }
        assert!(!rest.to_lowercase().contains("embargo"));
        assert!(BUILTIN_TEMPLATE.contains("EMBARGOED"));
    }

    #[test]
    fn the_builtin_template_parses() {
        let mut env = Environment::new();
        env.add_template(BUILTIN_TEMPLATE_NAME, BUILTIN_TEMPLATE)
            .unwrap();
        assert!(
            !BUILTIN_TEMPLATE.contains("<!--"),
            "HTML comments would print on every page"
        );
    }
}
