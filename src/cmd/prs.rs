//! `resultsday prs`: the post-results services log. Every request (clerical re-check, review of
//! marking, priority review, review of moderation, access to scripts) is checked against the
//! rules before it is stored: consent taken after the entry's own results day, the service's
//! deadline in the series, one review per component, and a result in the latest run. Outcomes
//! come from a re-run's changes or by hand, with the refund and how long to keep the consent.
//!
//! Usage:
//!   resultsday prs import prs-requests.csv
//!   resultsday prs add --reference NGA-PRS-009 --candidate 0013 --board 70 --entry 8700 \
//!                      --component 87002 --service S2 --requested-on 2026-08-24 --consent-on 2026-08-21
//!   resultsday prs list --status open
//!   resultsday prs export --out prs-log.csv
//!   resultsday prs outcome NGA-PRS-004 --outcome confirmed --on 2026-08-28
//!   resultsday prs due --as-of 2026-10-01
//!
//! The rules are data: `services.csv`, `fees.csv` and `series.toml` in the working folder
//! replace the built-in ones. Dates are `YYYY-MM-DD`; deadlines are checked against the dates on
//! the request, never the clock. Dates given by hand to `add` and `outcome` may not be after
//! today; `due --as-of` after today needs `--force-release`.
//!
//! Exit status: 0 done; 1 a request or outcome refused (each named with its reason); 2 bad usage,
//! a file that cannot be read or has the wrong header, or no run in the store.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;

use crate::exit;
use crate::messages;
use crate::prs::ops::{self, date_or_blank, yes_no_blank, DueOptions, HandOutcome, RunChoice};
use crate::prs::{self, DueItem, LoggedRequest, Outcome, RequestRow, Status};
use crate::rules::calendar;
use crate::store::Store;
use crate::write::output;

pub use crate::prs::ops::{export_csv, EXPORT_COLUMNS, IMPORT_COLUMNS};
pub use crate::prs::FEE_CEILING_PENCE;

type CmdResult = Result<i32, Box<dyn std::error::Error>>;

/// `resultsday prs ...`
#[derive(Debug, clap::Args)]
pub struct PrsArgs {
    #[command(subcommand)]
    pub command: PrsCommand,
    #[command(flatten)]
    pub db: crate::cmd::args::DbArg,
}

#[derive(Debug, clap::Subcommand)]
pub enum PrsCommand {
    /// Check and store the requests in a CSV file
    /// (reference,candidate_number,board,entry_code,component_code,service,requested_on,consent_on).
    ///
    /// Each row is checked; a row that breaks a rule is named with its line and reason and not
    /// stored, the rest are stored together. Exit status 1 when any row was refused.
    Import(ImportArgs),
    /// Check and store one request.
    Add(AddArgs),
    /// The log on the terminal, one request a line.
    List(ListArgs),
    /// The log as CSV: the import columns, then
    /// status,outcome,outcome_on,old_grade,new_grade,fee,refund_due,keep_consent_until.
    Export(ExportArgs),
    /// Record a request's outcome by hand (the board's outcome letter), with the refund that
    /// follows and how long to keep the consent form.
    Outcome(OutcomeArgs),
    /// Requests past their expected completion with no outcome, and appeal windows that close
    /// within 7 days.
    Due(DueArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The CSV file of requests.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub which: WhichRun,
}

/// The centre and series requests are for, and so the run they are checked against.
#[derive(Debug, clap::Args)]
pub struct WhichRun {
    /// The centre number; the latest run's centre if not given.
    #[arg(long, value_name = "CENTRE")]
    pub centre: Option<String>,
    /// The series (6A26 or 2026-06); the centre's latest run's series if not given.
    #[arg(long, value_name = "ID")]
    pub series: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The centre's own reference for the request (unique in the log).
    #[arg(long, value_name = "REF")]
    pub reference: String,
    /// The candidate number; may be left out for S3, a whole-cohort review of moderation.
    #[arg(long, value_name = "N", default_value = "")]
    pub candidate: String,
    /// The awarding body id (70 AQA, 01 OCR, 40 WJEC/Eduqas, ...).
    #[arg(long, value_name = "BOARD")]
    pub board: String,
    /// The entry (option) code, as on the results.
    #[arg(long, value_name = "CODE")]
    pub entry: String,
    /// The component reviewed; the whole entry if not given.
    #[arg(long, value_name = "CODE", default_value = "")]
    pub component: String,
    /// S1, S2, S2P, S3, ATS-R, ATS-T or ATS-P.
    #[arg(long, value_name = "SERVICE")]
    pub service: String,
    /// The day the board receives the request (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub requested_on: String,
    /// The date on the candidate's written consent (YYYY-MM-DD); not needed for S3.
    #[arg(long, value_name = "DATE", default_value = "")]
    pub consent_on: String,
    #[command(flatten)]
    pub which: WhichRun,
}

/// Which requests to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFilter {
    Open,
    Completed,
    All,
}

impl StatusFilter {
    fn status(self) -> Option<Status> {
        match self {
            StatusFilter::Open => Some(Status::Open),
            StatusFilter::Completed => Some(Status::Completed),
            StatusFilter::All => None,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Which requests.
    #[arg(long, value_enum, value_name = "STATUS", default_value = "all")]
    pub status: StatusFilter,
    /// Only this centre's requests.
    #[arg(long, value_name = "CENTRE")]
    pub centre: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Write the CSV here (owner-only, replaced whole); without it, to the terminal.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Only this centre's requests.
    #[arg(long, value_name = "CENTRE")]
    pub centre: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct OutcomeArgs {
    /// The request's reference.
    #[arg(value_name = "REF")]
    pub reference: String,
    /// What the board decided.
    #[arg(long, value_enum, value_name = "OUTCOME")]
    pub outcome: OutcomeArg,
    /// The new grade, for a grade raised or lowered.
    #[arg(long, value_name = "GRADE")]
    pub grade: Option<String>,
    /// The new mark.
    #[arg(long, value_name = "MARK")]
    pub mark: Option<i64>,
    /// The date on the outcome letter (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    pub on: NaiveDate,
    /// Replace the outcome the request already has (a corrected letter).
    #[arg(long)]
    pub replace: bool,
}

/// The outcomes a request can be given by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum OutcomeArg {
    Confirmed,
    GradeRaised,
    GradeLowered,
    MarkChanged,
    CentreMarksReinstated,
    ModeratedMarksConfirmed,
    /// Access to scripts: the copy has arrived.
    ScriptReceived,
}

impl OutcomeArg {
    fn outcome(self) -> Outcome {
        match self {
            OutcomeArg::Confirmed => Outcome::Confirmed,
            OutcomeArg::GradeRaised => Outcome::GradeRaised,
            OutcomeArg::GradeLowered => Outcome::GradeLowered,
            OutcomeArg::MarkChanged => Outcome::MarkChanged,
            OutcomeArg::CentreMarksReinstated => Outcome::CentreMarksReinstated,
            OutcomeArg::ModeratedMarksConfirmed => Outcome::ModeratedMarksConfirmed,
            OutcomeArg::ScriptReceived => Outcome::ScriptReceived,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct DueArgs {
    /// Decide what is due as on this day (YYYY-MM-DD, or a date and time) instead of today;
    /// a day after today only with --force-release.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    pub as_of: Option<NaiveDate>,
    /// Allow an --as-of after today (to look ahead).
    #[arg(long)]
    pub force_release: bool,
    /// Only this centre's requests.
    #[arg(long, value_name = "CENTRE")]
    pub centre: Option<String>,
}

fn parse_date_arg(text: &str) -> Result<NaiveDate, String> {
    prs::parse_iso_date(text).ok_or_else(|| format!("'{text}' is not a date; expected YYYY-MM-DD"))
}

fn parse_as_of(text: &str) -> Result<NaiveDate, String> {
    calendar::parse_as_of(text).map(|t| t.date_naive())
}

/// Today in London (a test may hold it back, never forward: calendar::now).
fn today() -> Result<NaiveDate, String> {
    calendar::today()
}

impl WhichRun {
    fn choice(&self) -> RunChoice<'_> {
        RunChoice {
            centre: self.centre.as_deref(),
            series: self.series.as_deref(),
        }
    }
}

pub fn run(args: &PrsArgs) -> CmdResult {
    let mut store = Store::open_existing(&args.db.path)?;
    match &args.command {
        PrsCommand::Import(a) => import(&mut store, a),
        PrsCommand::Add(a) => add(&mut store, a),
        PrsCommand::List(a) => list(&mut store, a),
        PrsCommand::Export(a) => export(&mut store, a),
        PrsCommand::Outcome(a) => outcome(&mut store, a),
        PrsCommand::Due(a) => due(&mut store, a),
    }
}

// ---------------------------------------------------------------------------------------------
// import and add
// ---------------------------------------------------------------------------------------------

fn import(store: &mut Store, args: &ImportArgs) -> CmdResult {
    let path = &args.file;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bytes = std::fs::read(path)
        .map_err(|e| format!("{}: {}", path.display(), messages::describe_read(&e)))?;
    let file = ops::ImportFile::read(&bytes, &path.display().to_string())?;
    let ignored = file.ignored_columns();
    if !ignored.is_empty() {
        messages::warn(&format!(
            "{name}: column{} {} not read",
            if ignored.len() == 1 { "" } else { "s" },
            ignored.join(", ")
        ));
    }

    let report = ops::check_import(store, &file, &args.which.choice())?;
    let mut err = std::io::stderr().lock();
    for refused in &report.refused {
        let who = if refused.reference.is_empty() {
            String::new()
        } else {
            format!("{} ", refused.reference)
        };
        let line = format!(
            "{name} line {}: {who}refused: {}",
            refused.line, refused.reason
        );
        writeln!(err, "{}", messages::escape_terminal(&line))?;
    }
    drop(err);

    ops::save_import(store, &report)?;
    writeln!(
        std::io::stdout(),
        "{name}: {} stored, {} refused (centre {}, {} ({}), checked against run {})",
        report.accepted.len(),
        report.refused.len(),
        report.run.centre,
        report.series_name,
        report.run.series,
        report.run.id
    )?;
    Ok(if report.refused.is_empty() {
        exit::DONE
    } else {
        exit::FINDINGS
    })
}

fn add(store: &mut Store, args: &AddArgs) -> CmdResult {
    let row = RequestRow {
        reference: args.reference.clone(),
        candidate_number: args.candidate.clone(),
        board: args.board.clone(),
        entry_code: args.entry.clone(),
        component_code: args.component.clone(),
        service: args.service.clone(),
        requested_on: args.requested_on.clone(),
        consent_on: args.consent_on.clone(),
    };
    let today = today()?;
    let added = match ops::add(store, &row, &args.which.choice(), today)? {
        Ok(added) => added,
        Err(reason) => {
            let who = args.reference.trim();
            writeln!(std::io::stderr(), "{who} refused: {reason}")?;
            return Ok(exit::FINDINGS);
        }
    };
    let request = &added.request;
    let mut line = format!(
        "{} stored: {} ({}) for {}, board {} {}{}; requested {}",
        request.reference,
        request.service,
        added.service_name.to_lowercase(),
        if request.candidate_number.is_empty() {
            "the whole cohort".to_string()
        } else {
            format!("candidate {}", request.candidate_number)
        },
        request.board,
        request.entry_code,
        if request.component_code.is_empty() {
            String::new()
        } else {
            format!(" component {}", request.component_code)
        },
        request.requested_on,
    );
    if let Some(expected) = added.expected {
        line.push_str(&format!(", outcome expected by {expected}"));
    }
    if let Some(fee) = request.fee_pence {
        line.push_str(&format!(", fee £{}", prs::pounds(fee)));
    }
    writeln!(std::io::stdout(), "{line}")?;
    Ok(exit::DONE)
}

// ---------------------------------------------------------------------------------------------
// list and export
// ---------------------------------------------------------------------------------------------

fn list(store: &mut Store, args: &ListArgs) -> CmdResult {
    let listed = ops::list(store, args.status.status(), args.centre.as_deref())?;
    let mut out = std::io::stdout().lock();
    if listed.is_empty() {
        let what = match args.status {
            StatusFilter::Open => "no open requests",
            StatusFilter::Completed => "no completed requests",
            StatusFilter::All => "no requests",
        };
        writeln!(out, "{what} in the log")?;
        return Ok(exit::DONE);
    }
    let headers = [
        "reference",
        "cand",
        "board",
        "entry",
        "component",
        "service",
        "requested",
        "consent",
        "expected",
        "status",
        "outcome",
        "outcome on",
        "grade",
        "fee",
        "refund",
    ];
    let rows: Vec<Vec<String>> = listed
        .iter()
        .map(
            |ops::Listed {
                 request: r,
                 expected,
             }| {
                let grade = match (&r.old_grade, &r.new_grade) {
                    (Some(a), Some(b)) if a != b => format!("{a} -> {b}"),
                    (_, Some(b)) => b.clone(),
                    (Some(a), None) => a.clone(),
                    (None, None) => String::new(),
                };
                let mut row = r.import_fields().to_vec();
                row.push(date_or_blank(*expected));
                row.extend(r.outcome_fields());
                row.extend([
                    grade,
                    r.fee_pence.map(prs::pounds).unwrap_or_default(),
                    yes_no_blank(r.refund_due).to_string(),
                ]);
                row
            },
        )
        .collect();
    write_table(&mut out, &headers, &rows)?;
    let open = listed
        .iter()
        .filter(|l| l.request.status == Status::Open)
        .count();
    writeln!(
        out,
        "{}: {} open, {} completed",
        messages::count(listed.len(), "request", "requests"),
        open,
        listed.len() - open
    )?;
    Ok(exit::DONE)
}

/// Columns padded to their widest cell, two spaces apart; the last column is not padded.
fn write_table(
    out: &mut impl Write,
    headers: &[&str],
    rows: &[Vec<String>],
) -> std::io::Result<()> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(cell);
            if i + 1 < cells.len() {
                s.extend(std::iter::repeat_n(' ', w - cell.chars().count()));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(headers.to_vec()))?;
    for row in rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

fn export(store: &mut Store, args: &ExportArgs) -> CmdResult {
    let exported = ops::export(store, args.centre.as_deref())?;
    match &args.out {
        None => std::io::stdout().lock().write_all(&exported.csv)?,
        Some(path) => {
            output::write_out(path, &exported.csv)?;
            writeln!(
                std::io::stdout(),
                "written: {} ({})",
                path.display(),
                messages::count(exported.requests, "request", "requests")
            )?;
        }
    }
    Ok(exit::DONE)
}

// ---------------------------------------------------------------------------------------------
// outcome
// ---------------------------------------------------------------------------------------------

fn outcome(store: &mut Store, args: &OutcomeArgs) -> CmdResult {
    let reference = args.reference.trim();
    let given = HandOutcome {
        reference,
        outcome: args.outcome.outcome(),
        grade: args.grade.as_deref(),
        mark: args.mark,
        on: args.on,
        replace: args.replace,
    };
    let recorded = match ops::outcome(store, &given, &today)? {
        Ok(recorded) => recorded,
        Err(reason) => {
            writeln!(std::io::stderr(), "{reference} refused: {reason}")?;
            return Ok(exit::FINDINGS);
        }
    };
    let was = recorded
        .was
        .map(|(o, on)| format!(" (was {o} on {on})"))
        .unwrap_or_default();
    let mut line = format!("{reference}: {} on {}{was}", recorded.outcome, recorded.on);
    match recorded.refund_due {
        Some(true) => line.push_str("; the board waives the fee: refund the candidate"),
        Some(false) => line.push_str("; the fee is charged"),
        None => {}
    }
    if let Some(until) = recorded.keep_consent_until {
        line.push_str(&format!("; keep the consent form until {until}"));
    }
    if let Some(by) = recorded.appeal_by {
        line.push_str(&format!(
            "; an appeal (stage 1) must reach the board by {by}"
        ));
    }
    writeln!(std::io::stdout(), "{line}")?;
    Ok(exit::DONE)
}

// ---------------------------------------------------------------------------------------------
// due
// ---------------------------------------------------------------------------------------------

fn due(store: &mut Store, args: &DueArgs) -> CmdResult {
    let due = ops::due(
        store,
        &DueOptions {
            as_of: args.as_of,
            today: today()?,
            force_release: args.force_release,
            centre: args.centre.as_deref(),
        },
    )?;
    let as_of = due.as_of;
    let mut out = std::io::stdout().lock();
    let day = as_of.format("%a %-d %b %Y");
    if due.items.is_empty() {
        writeln!(out, "nothing due as of {day}")?;
        return Ok(exit::DONE);
    }
    let mut groups: BTreeMap<u8, Vec<String>> = BTreeMap::new();
    for item in &due.items {
        match item {
            DueItem::Overdue { request, expected } => {
                let late = (as_of - *expected).num_days();
                groups.entry(0).or_default().push(format!(
                    "{}  {}  requested {}, outcome expected by {expected}: {} overdue; chase the \
                     board",
                    request.reference,
                    describe(request),
                    request.requested_on,
                    messages::count(late as usize, "day", "days")
                ));
            }
            DueItem::AppealClosing { request, closes } => {
                let left = (*closes - as_of).num_days();
                let when = match left {
                    0 => "today".to_string(),
                    1 => "tomorrow".to_string(),
                    n => format!("in {n} days"),
                };
                groups.entry(1).or_default().push(format!(
                    "{}  {}  {} on {}: an appeal (stage 1) must reach the board by {closes} \
                     ({when})",
                    request.reference,
                    describe(request),
                    request.outcome.map(|o| o.to_string()).unwrap_or_default(),
                    date_or_blank(request.outcome_on),
                ));
            }
        }
    }
    writeln!(out, "due as of {day}:")?;
    for (group, lines) in &groups {
        let title = match group {
            0 => "past the expected completion, with no outcome",
            _ => "appeal windows closing within 7 days",
        };
        writeln!(out, "{title} ({}):", lines.len())?;
        for l in lines {
            writeln!(out, "  {l}")?;
        }
    }
    Ok(exit::DONE)
}

/// `S2 0013 70 8700/87001`
fn describe(r: &LoggedRequest) -> String {
    let candidate = if r.candidate_number.is_empty() {
        "cohort".to_string()
    } else {
        r.candidate_number.clone()
    };
    let component = if r.component_code.is_empty() {
        String::new()
    } else {
        format!("/{}", r.component_code)
    };
    format!(
        "{} {candidate} {} {}{component}",
        r.service, r.board, r.entry_code
    )
}
