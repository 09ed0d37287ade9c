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

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use parsers::Boards;
use serde::Serialize;

use crate::model::{split_name, CandidateResult, Finding, FindingKind, ResultsDay};
use crate::rules::calendar::{Calendar, SeriesDates};
use crate::rules::config::Settings;
use crate::write::output::{write_file, Commit};

mod builtin;

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

/// When candidates may see `result`: 08:00 London on its qualification's results day (A level and
/// level 3 on the GCE day, GCSE and level 1/2 on the GCSE day); a result whose own results day
/// is not known (an option not in the basedata) on the series' last (in June, the GCSE day).
/// `None` when the series is not in the calendar: the calendar cannot say, and the caller must
/// hold the result back, as [`Releases`] does.
pub fn release_of(
    result: &CandidateResult,
    calendar: &Calendar,
    dates: Option<&SeriesDates>,
) -> Option<DateTime<Tz>> {
    dates.map(|d| calendar.candidate_release_of(d, result))
}

/// The release of every result of a series that is not in the calendar: never, until the series
/// is added. A page held until then says so in words ([`Held`]), not with this date.
pub fn not_in_calendar() -> DateTime<Tz> {
    use chrono::TimeZone;
    chrono_tz::Europe::London
        .with_ymd_and_hms(9999, 12, 31, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<chrono::Utc>::MAX_UTC.with_timezone(&chrono_tz::Europe::London))
}

/// When candidates may see each result of a series, worked out once for each results day: a
/// run asks it for every result on every page. The embargo fails closed: a series not in the
/// calendar holds every result back ([`not_in_calendar`]), and a result whose own results day
/// is unknown waits for the series' last release.
pub struct Releases {
    gce: DateTime<Tz>,
    gcse: DateTime<Tz>,
    last: DateTime<Tz>,
}

impl Releases {
    pub fn new(calendar: &Calendar, dates: Option<&SeriesDates>) -> Releases {
        let Some(d) = dates else {
            let never = not_in_calendar();
            return Releases {
                gce: never,
                gcse: never,
                last: never,
            };
        };
        let gce = calendar.candidate_release(d, ResultsDay::Gce);
        let gcse = calendar.candidate_release(d, ResultsDay::Gcse);
        Releases {
            gce,
            gcse,
            last: gce.max(gcse),
        }
    }

    /// When candidates may see `result`: as [`release_of`] says for a series in the calendar,
    /// and [`not_in_calendar`] for one that is not. Always a time: nothing is released without one.
    pub fn of(&self, result: &CandidateResult) -> Option<DateTime<Tz>> {
        if !crate::rules::calendar::results_day_known(result) {
            return Some(self.last);
        }
        Some(match result.results_day {
            ResultsDay::Gce => self.gce,
            ResultsDay::Gcse => self.gcse,
        })
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
    let csv = statements_csv(set.results, set.findings).map_err(|e| StatementError::Write {
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
    findings: &[Finding],
) -> Result<(), StatementError> {
    let bytes = statements_csv(results, findings).map_err(|e| StatementError::Write {
        file: path.display().to_string(),
        message: e.to_string(),
    })?;
    write_file(path, &bytes).map_err(|e| write_error(path, &e))
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

/// Renders the statements, one page per candidate by candidate number, each page's results by
/// title; with `only_candidates`, just those candidates.
pub fn render_html(
    set: &StatementSet<'_>,
    only_candidates: Option<&BTreeSet<String>>,
) -> Result<String, StatementError> {
    let holds = Holds::new(set.findings);
    let pages = pages(set, only_candidates, &holds);
    let context = TemplateContext {
        centre: Centre::from_settings(set.settings, set.centre_number),
        series_name: set.series_name,
        any_held: pages.iter().any(|p| p.held.is_some()),
        any_withheld: pages
            .iter()
            .any(|p| p.uci_withheld || p.results.iter().any(|l| l.withheld.is_some())),
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
                    message: crate::messages::describe_read(&e),
                })?;
            (path.display().to_string(), source, path.parent())
        }
    };
    render_template(&name, source, folder, &context)
}

/// The most instructions a statement template may run: a page of the built-in design takes a
/// few thousand, so this is some fifty times what any page needs.
pub const TEMPLATE_FUEL_PER_PAGE: u64 = 100_000;

/// The fuel for a render of `pages` pages.
pub fn template_fuel(pages: usize) -> u64 {
    1_000_000 + TEMPLATE_FUEL_PER_PAGE.saturating_mul(pages as u64)
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
    // A template that loops for ever (or for a very long time) stops with an error: room for
    // a rich page for every candidate, far short of a machine brought to a halt.
    env.set_fuel(Some(template_fuel(context.pages.len())));
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
        _ if e.kind() == minijinja::ErrorKind::OutOfFuel => "the template ran far longer than \
             any statement page needs and was stopped (a loop that does not end?); nothing was \
             written: correct the template, or remove statement_template from resultsday.toml \
             to use the built-in page"
            .to_string(),
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    // What failed, as written in the template: `undefined value in `p.candidate_nmuber``.
    let written = e
        .template_source()
        .zip(e.range())
        .and_then(|(source, range)| source.get(range));
    let says_where = !matches!(
        e.kind(),
        minijinja::ErrorKind::SyntaxError | minijinja::ErrorKind::OutOfFuel
    );
    if let (Some(text), true) = (written, says_where) {
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

fn pages<'s>(
    set: &StatementSet<'s>,
    only_candidates: Option<&BTreeSet<String>>,
    holds: &Holds<'_>,
) -> Vec<StatementPage<'s>> {
    let wanted = |r: &&CandidateResult| {
        only_candidates.is_none_or(|only| only.contains(&r.candidate_number))
    };
    // By candidate only: each page puts its own results in order.
    let mut results: Vec<_> = set.results.iter().filter(wanted).collect();
    results.sort_by(|a, b| a.candidate_number.cmp(&b.candidate_number));
    results
        .chunk_by(|a, b| a.candidate_number == b.candidate_number)
        .map(|candidate| StatementPage::new(candidate, set, holds))
        .collect()
}

/// What the grade column of a held line says.
pub const WITHHELD_GRADE: &str = "See the exams office";
/// What the UCI line of a page says when every UCI the boards sent for the candidate fails its
/// check.
pub const WITHHELD_UCI: &str = "UCI held: it fails its check; see the exams office";

/// The kinds of finding that hold a result's line, in the order a line names them: each says
/// the grade printed is, or could be, the wrong one.
pub const HOLDING_KINDS: [FindingKind; 4] = [
    FindingKind::UnknownEntryCode,
    FindingKind::InvalidGrade,
    FindingKind::XmlGradeConflict,
    FindingKind::DuplicateResult,
];

/// Why a line is held, in words a candidate or a parent understands (after "Held: ").
pub fn held_words(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::InvalidGrade => "the grade the board sent is not one this qualification has",
        FindingKind::UnknownEntryCode => {
            "the board sent this result for an entry code that is not in its list of subjects"
        }
        FindingKind::XmlGradeConflict => "the board sent two different grades for this result",
        FindingKind::DuplicateResult => "the board sent this result more than once",
        FindingKind::UciInvalid => "the UCI the board sent fails its check",
        _ => "the result the board sent has a problem",
    }
}

/// What the run found wrong with a centre's results, for its statements: the result lines to
/// hold (by board, candidate and entry code, from findings of the [`HOLDING_KINDS`]) and the
/// UCIs that fail their check (`uci_invalid`). Findings that name no candidate or no entry
/// code (a file's, or a whole board's) hold no line.
pub struct Holds<'f> {
    /// Candidate number → each of their lines held.
    lines: HashMap<&'f str, Vec<HeldKey<'f>>>,
    /// Candidate number → the UCIs found to fail their check.
    failed_ucis: HashMap<&'f str, Vec<&'f str>>,
}

impl<'f> Holds<'f> {
    pub fn new(findings: &'f [Finding]) -> Holds<'f> {
        let mut lines: HashMap<&str, Vec<HeldKey>> = HashMap::new();
        let mut failed_ucis: HashMap<&str, Vec<&str>> = HashMap::new();
        for f in findings {
            let candidate = f.candidate_number.trim();
            if candidate.is_empty() {
                continue;
            }
            if f.kind == FindingKind::UciInvalid {
                failed_ucis.entry(candidate).or_default().push(f.uci.trim());
            }
            let (board, entry) = (f.board.trim(), f.entry_code.trim());
            if !HOLDING_KINDS.contains(&f.kind) || entry.is_empty() {
                continue;
            }
            let held = lines.entry(candidate).or_default();
            let at = match held.iter().position(|(b, e, _)| *b == board && *e == entry) {
                Some(at) => at,
                None => {
                    held.push((board, entry, Vec::new()));
                    held.len() - 1
                }
            };
            let kinds = &mut held[at].2;
            if !kinds.contains(&f.kind) {
                kinds.push(f.kind);
                kinds.sort_by_key(|k| HOLDING_KINDS.iter().position(|h| h == k));
            }
        }
        Holds { lines, failed_ucis }
    }

    /// Why `r`'s line is held, in [`HOLDING_KINDS`] order; empty when it is not held.
    pub fn of_line(&self, r: &CandidateResult) -> &[FindingKind] {
        let Some(held) = self.lines.get(r.candidate_number.trim()) else {
            return &[];
        };
        let (board, entry) = (r.board.trim(), r.entry_code.trim());
        held.iter()
            .find(|(b, e, _)| *b == board && *e == entry)
            .map_or(&[], |(_, _, kinds)| kinds.as_slice())
    }

    /// Whether the UCI on `r` is one the run found to fail its check.
    pub fn uci_failed(&self, r: &CandidateResult) -> bool {
        self.failed_ucis
            .get(r.candidate_number.trim())
            .is_some_and(|ucis| ucis.contains(&r.uci.trim()))
    }

    /// The UCI a candidate's page prints: the first on their results that passes its check.
    /// `None` (the page holds its UCI line) when there is none and one failed; blank when the
    /// boards sent none and nothing was found.
    fn page_uci<'r>(&self, results: &[&'r CandidateResult]) -> Option<&'r str> {
        let passing = results
            .iter()
            .find(|r| !r.uci.trim().is_empty() && !self.uci_failed(r))
            .map(|r| r.uci.trim());
        match passing {
            Some(uci) => Some(uci),
            None if results.iter().any(|r| self.uci_failed(r)) => None,
            None => Some(""),
        }
    }
}

/// A line held: its board, its entry code, and the kinds that hold it.
type HeldKey<'f> = (&'f str, &'f str, Vec<FindingKind>);

/// `statements.csv`'s `held_reason`: the kinds that hold the row, then `uci_invalid` when its
/// UCI fails its check, joined by `;`; blank when nothing is held.
fn held_reason(held: &[FindingKind], uci_failed: bool) -> String {
    let uci = uci_failed.then_some(FindingKind::UciInvalid);
    let kinds: Vec<&str> = held
        .iter()
        .copied()
        .chain(uci)
        .map(|k| k.as_str())
        .collect();
    kinds.join(";")
}

/// One statement line held, or one result whose UCI is left out, for the terminal and
/// `run.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldLine {
    pub candidate_number: String,
    pub board: String,
    pub entry_code: String,
    /// The kinds of the findings that hold it, as in `held_reason`: `invalid_grade`, ...
    pub why: Vec<&'static str>,
    /// Why, as the page says it.
    pub words: String,
}

/// What a centre's statements hold because the run found it wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HeldOnStatements {
    /// Lines printed with "See the exams office" and no grade or mark: the rows of
    /// `statements.csv` with status `held`.
    pub results: Vec<HeldLine>,
    /// Results whose UCI fails its check: left blank in `statements.csv` (`held_reason`
    /// `uci_invalid`), never printed on a page.
    pub ucis: Vec<HeldLine>,
    /// The candidates whose page holds its UCI line, because none of their UCIs passes.
    pub uci_pages: Vec<String>,
}

impl HeldOnStatements {
    /// How many held lines the terminal names before it counts the rest.
    pub const SHOWN: usize = 5;

    /// What `findings` hold of `results`, in the order of `statements.csv`.
    pub fn of(results: &[CandidateResult], findings: &[Finding]) -> HeldOnStatements {
        let holds = Holds::new(findings);
        let mut held = HeldOnStatements::default();
        let line = |r: &CandidateResult, kinds: &[FindingKind]| HeldLine {
            candidate_number: r.candidate_number.clone(),
            board: r.board.clone(),
            entry_code: r.entry_code.clone(),
            why: kinds.iter().map(|k| k.as_str()).collect(),
            words: words_of(kinds),
        };
        let in_order = sorted(results.iter());
        for r in &in_order {
            let kinds = holds.of_line(r);
            if !kinds.is_empty() {
                held.results.push(line(r, kinds));
            }
            if holds.uci_failed(r) {
                held.ucis.push(line(r, &[FindingKind::UciInvalid]));
            }
        }
        held.uci_pages = in_order
            .chunk_by(|a, b| a.candidate_number == b.candidate_number)
            .filter(|candidate| holds.page_uci(candidate).is_none())
            .map(|candidate| candidate[0].candidate_number.clone())
            .collect();
        held
    }

    /// The lines for the terminal: how many results are held and the first few, and the UCIs;
    /// none when nothing is held.
    pub fn summary_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let candidates = |lines: &[HeldLine]| {
            let distinct: BTreeSet<&str> =
                lines.iter().map(|l| l.candidate_number.as_str()).collect();
            crate::messages::count(distinct.len(), "candidate", "candidates")
        };
        if !self.results.is_empty() {
            out.push(format!(
                "held on statements: {} of {} (statements.csv status held)",
                crate::messages::count(self.results.len(), "result", "results"),
                candidates(&self.results)
            ));
            for l in self.results.iter().take(Self::SHOWN) {
                out.push(format!(
                    "  {} board {} {}: {} ({})",
                    l.candidate_number,
                    l.board,
                    l.entry_code,
                    l.words,
                    l.why.join(", ")
                ));
            }
            if self.results.len() > Self::SHOWN {
                out.push(format!(
                    "  and {} more (statements.csv status held; run.json held_on_statements)",
                    self.results.len() - Self::SHOWN
                ));
            }
        }
        if !self.ucis.is_empty() {
            let pages = match self.uci_pages.len() {
                0 => "each page prints the candidate's UCI that passes".to_string(),
                n => {
                    let mut named = self.uci_pages[..n.min(Self::SHOWN)].join(", ");
                    if n > Self::SHOWN {
                        named.push_str(&format!(" and {} more", n - Self::SHOWN));
                    }
                    let of = if n == 1 { "the page" } else { "the pages" };
                    format!("the UCI line is held on {of} of {named}")
                }
            };
            out.push(format!(
                "UCI left out of statements: {} of {}, a UCI that fails its check \
                 (statements.csv uci blank, held_reason uci_invalid); {pages}",
                crate::messages::count(self.ucis.len(), "result", "results"),
                candidates(&self.ucis)
            ));
        }
        out
    }
}

/// A held line's reasons in words, joined by `; `.
fn words_of(kinds: &[FindingKind]) -> String {
    let words: Vec<&str> = kinds.iter().map(|&k| held_words(k)).collect();
    words.join("; ")
}

/// What the template is given.
#[derive(Serialize)]
struct TemplateContext<'s> {
    centre: Centre<'s>,
    series_name: &'s str,
    /// Whether any page is held back (for the styles of the mark).
    any_held: bool,
    /// Whether any page holds a result or its UCI (for the styles of held lines).
    any_withheld: bool,
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
    /// The first of the candidate's UCIs that passes its check; [`WITHHELD_UCI`] when none does.
    pub uci: &'s str,
    /// Set when none of the candidate's UCIs passes its check: the UCI line is held.
    pub uci_withheld: bool,
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
    /// `2026-08-20T08:00:00+01:00`; blank when the series is not in the calendar.
    pub until_iso: String,
}

impl Held {
    fn at(at: DateTime<Tz>) -> Held {
        if at == not_in_calendar() {
            // "EMBARGOED — not to be released to the candidate before its results day, ..."
            return Held {
                until: "its results day, which is not in the series calendar".to_string(),
                until_iso: String::new(),
            };
        }
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
    /// A line held because the run found it wrong.
    pub withheld: bool,
    /// The UCI line held.
    pub uci_withheld: bool,
}

impl<'s> StatementPage<'s> {
    /// `results`: one candidate's, sorted.
    fn new(
        results: &[&'s CandidateResult],
        set: &StatementSet<'s>,
        holds: &Holds<'_>,
    ) -> StatementPage<'s> {
        let first = results[0];
        let (surname, forenames) = split_name(&first.name);
        let name = if forenames.is_empty() {
            surname.to_string()
        } else {
            format!("{forenames} {surname}")
        };
        let uci = holds.page_uci(results);
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
        let mut notes = Notes {
            uci_withheld: uci.is_none(),
            ..Notes::default()
        };
        let lines: Vec<StatementLine> = in_order
            .iter()
            .zip(&to_come)
            .map(|(r, at)| {
                let held = at.filter(|_| rows_differ);
                let line = StatementLine::new(r, set, held, holds.of_line(r));
                notes.partial_absence |= line.partial_absence;
                match line.grade_kind {
                    GradeKind::NoResult => notes.no_result = true,
                    GradeKind::Pending => notes.pending = true,
                    GradeKind::NotIssued => notes.not_issued = true,
                    GradeKind::Withheld => notes.withheld = true,
                    GradeKind::Grade => {}
                }
                line
            })
            .collect();
        StatementPage {
            candidate_number: &first.candidate_number,
            uci: uci.unwrap_or(WITHHELD_UCI),
            uci_withheld: uci.is_none(),
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
    /// Held because the run found it wrong: the grade is [`WITHHELD_GRADE`].
    Withheld,
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
    /// As printed: `7-6`, `No Result`, `Pending`, `5#`; blank when none was sent;
    /// [`WITHHELD_GRADE`] when the line is held.
    pub grade: String,
    pub grade_kind: GradeKind,
    pub partial_absence: bool,
    pub mark: Option<u16>,
    pub max_mark: Option<u16>,
    pub endorsement: Option<Endorsement<'s>>,
    /// Set when this result is not yet released and the page's other results differ (some
    /// released, or released at another time).
    pub held: Option<Held>,
    /// Set when the run found this result wrong: the line is held, with no grade, mark or
    /// endorsement.
    pub withheld: Option<Withheld>,
}

/// Why a line is held.
#[derive(Serialize)]
pub struct Withheld {
    /// In words: `the grade the board sent is not one this qualification has`.
    pub why: String,
    /// The findings' kinds: `invalid_grade`, as in `statements.csv`'s `held_reason`.
    pub kinds: Vec<&'static str>,
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
    /// `held`: when `r` is released, if its row is to say so; `withheld`: the kinds of the
    /// findings that hold it (none, usually).
    fn new(
        r: &'s CandidateResult,
        set: &StatementSet<'s>,
        held: Option<DateTime<Tz>>,
        withheld: &[FindingKind],
    ) -> StatementLine<'s> {
        if !withheld.is_empty() {
            return StatementLine {
                grade: WITHHELD_GRADE.to_string(),
                grade_kind: GradeKind::Withheld,
                partial_absence: false,
                mark: None,
                max_mark: None,
                endorsement: None,
                withheld: Some(Withheld {
                    why: words_of(withheld),
                    kinds: withheld.iter().map(|k| k.as_str()).collect(),
                }),
                ..StatementLine::new(r, set, held, &[])
            };
        }
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
            withheld: None,
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

    fn result(candidate: &str, board: &str, entry: &str, uci: &str) -> CandidateResult {
        CandidateResult {
            board: board.into(),
            centre: "14520".into(),
            candidate_number: candidate.into(),
            uci: uci.into(),
            name: "HUSSAIN:AMIRA".into(),
            entry_code: entry.into(),
            syllabus_code: None,
            title: "HISTORY".into(),
            qualification: "GCSE".into(),
            level: Some(2),
            gradeset: Some("40".into()),
            is_award: true,
            grade: parsers::Grade::parse("B"),
            grade2: None,
            mark: None,
            max_mark: None,
            endorsement: None,
            components: vec![],
            results_day: ResultsDay::Gcse,
            source: crate::model::Source::new("R1452070.X01", 37),
        }
    }

    fn finding(kind: FindingKind, r: &CandidateResult) -> Finding {
        Finding::new(kind, &r.board, &r.centre)
            .candidate(&r.candidate_number, &r.uci, &r.name)
            .entry(&r.entry_code)
    }

    #[test]
    fn only_findings_that_make_a_grade_doubtful_hold_its_line() {
        let r = result("0009", "70", "8145", "145200240009B");
        for kind in crate::model::ALL_KINDS {
            let findings = [finding(kind, &r)];
            let holds = Holds::new(&findings);
            assert_eq!(
                holds.of_line(&r) == [kind],
                HOLDING_KINDS.contains(&kind),
                "{kind:?}"
            );
            assert_eq!(holds.uci_failed(&r), kind == FindingKind::UciInvalid);
        }
        // A file's finding, or a whole board's, names no line and holds none.
        let mut board_wide = finding(FindingKind::UnknownEntryCode, &r);
        board_wide.candidate_number.clear();
        board_wide.entry_code.clear();
        let mut no_entry = finding(FindingKind::InvalidGrade, &r);
        no_entry.entry_code.clear();
        let findings = [board_wide, no_entry];
        assert!(Holds::new(&findings).of_line(&r).is_empty());
    }

    #[test]
    fn a_line_names_each_kind_once_in_a_fixed_order() {
        let r = result("0004", "01", "J560H", "145200240004M");
        let findings = [
            finding(FindingKind::DuplicateResult, &r),
            finding(FindingKind::XmlGradeConflict, &r),
            finding(FindingKind::DuplicateResult, &r),
        ];
        let holds = Holds::new(&findings);
        assert_eq!(
            holds.of_line(&r),
            [FindingKind::XmlGradeConflict, FindingKind::DuplicateResult]
        );
        assert_eq!(
            held_reason(holds.of_line(&r), true),
            "xml_grade_conflict;duplicate_result;uci_invalid"
        );
        assert_eq!(held_reason(&[], false), "");
        assert_eq!(
            words_of(holds.of_line(&r)),
            "the board sent two different grades for this result; the board sent this result \
             more than once"
        );
    }

    #[test]
    fn a_page_prints_a_uci_that_passes_and_holds_the_line_when_none_does() {
        let bad = result("0012", "01", "J560F", "145200240012A");
        let good = result("0012", "70", "8700", "145200240012G");
        let findings = [finding(FindingKind::UciInvalid, &bad)];
        let holds = Holds::new(&findings);
        assert_eq!(holds.page_uci(&[&bad, &good]), Some("145200240012G"));
        assert_eq!(holds.page_uci(&[&bad]), None);
        // Nothing found: the first UCI sent, or blank when there is none.
        let none = Holds::new(&[]);
        assert_eq!(none.page_uci(&[&bad, &good]), Some("145200240012A"));
        let blank = result("0012", "01", "J560F", " ");
        assert_eq!(none.page_uci(&[&blank]), Some(""));
        // A UCI of 12 characters and a space, as the board sent it, matches its finding.
        let short = result("0014", "70", "8702", "145200240014 ");
        let findings = [finding(FindingKind::UciInvalid, &short)];
        assert_eq!(Holds::new(&findings).page_uci(&[&short]), None);
    }

    #[test]
    fn held_on_statements_lists_the_lines_and_the_ucis_in_csv_order() {
        let grade = result("0009", "70", "8145", "145200240009B");
        let fine = result("0009", "70", "8700", "145200240009B");
        let code = result("0002", "70", "8062", "145200240002A");
        let uci = result("0110", "70", "7402", "145200220110A");
        let findings = [
            finding(FindingKind::InvalidGrade, &grade),
            finding(FindingKind::UnknownEntryCode, &code),
            finding(FindingKind::UciInvalid, &uci),
            finding(FindingKind::NameMismatch, &fine),
        ];
        let held = HeldOnStatements::of(&[uci.clone(), fine, grade, code], &findings);
        let lines: Vec<(&str, &str, &str, &[&str])> = held
            .results
            .iter()
            .map(|l| {
                (
                    l.candidate_number.as_str(),
                    l.board.as_str(),
                    l.entry_code.as_str(),
                    l.why.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("0002", "70", "8062", &["unknown_entry_code"][..]),
                ("0009", "70", "8145", &["invalid_grade"][..]),
            ]
        );
        assert_eq!(held.ucis.len(), 1);
        assert_eq!(held.ucis[0].why, ["uci_invalid"]);
        assert_eq!(held.uci_pages, ["0110"]);
        assert_eq!(
            held.summary_lines(),
            [
                "held on statements: 2 results of 2 candidates (statements.csv status held)",
                "  0002 board 70 8062: the board sent this result for an entry code that is not \
                 in its list of subjects (unknown_entry_code)",
                "  0009 board 70 8145: the grade the board sent is not one this qualification has \
                 (invalid_grade)",
                "UCI left out of statements: 1 result of 1 candidate, a UCI that fails its check \
                 (statements.csv uci blank, held_reason uci_invalid); the UCI line is held on the \
                 page of 0110",
            ]
        );
        assert!(HeldOnStatements::of(&[uci], &[]).summary_lines().is_empty());
    }

    #[test]
    fn the_terminal_names_the_first_few_held_lines_and_counts_the_rest() {
        let results: Vec<CandidateResult> = (1..=7)
            .map(|n| result(&format!("{n:04}"), "70", "8145", "145200240001A"))
            .collect();
        let findings: Vec<Finding> = results
            .iter()
            .map(|r| finding(FindingKind::InvalidGrade, r))
            .collect();
        let lines = HeldOnStatements::of(&results, &findings).summary_lines();
        assert_eq!(lines.len(), 1 + HeldOnStatements::SHOWN + 1);
        assert_eq!(
            lines[0],
            "held on statements: 7 results of 7 candidates (statements.csv status held)"
        );
        assert_eq!(
            lines[6],
            "  and 2 more (statements.csv status held; run.json held_on_statements)"
        );
        // Pages whose every UCI fails: the first few named.
        let ucis: Vec<Finding> = results
            .iter()
            .map(|r| finding(FindingKind::UciInvalid, r))
            .collect();
        let lines = HeldOnStatements::of(&results, &ucis).summary_lines();
        assert_eq!(
            lines,
            ["UCI left out of statements: 7 results of 7 candidates, a UCI that fails its check \
              (statements.csv uci blank, held_reason uci_invalid); the UCI line is held on the \
              pages of 0001, 0002, 0003, 0004, 0005 and 2 more"]
        );
    }

    #[test]
    fn the_builtin_template_documents_what_it_is_given_for_held_lines() {
        let doc = &BUILTIN_TEMPLATE[..BUILTIN_TEMPLATE.find("#}").unwrap()];
        for value in [
            "any_withheld",
            "uci_withheld",
            "withheld (none, or why",
            "kinds",
            "withheld, uci_withheld",
            "not_issued, withheld)",
        ] {
            assert!(doc.contains(value), "{value}");
        }
        assert!(doc.contains(WITHHELD_UCI) && doc.contains("\"See the"));
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
