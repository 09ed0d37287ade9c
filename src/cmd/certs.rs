//! `resultsday certs`: the certificates log. Record each board's batch as it arrives (and see
//! which certificates are missing from it), each issue to a candidate, the unclaimed ones due
//! for return or destruction after 12 months, and their destruction (the record kept 4 years).
//!
//! Usage:
//!   resultsday certs receive --board 70 --on 2026-11-02 --file batch.csv
//!   resultsday certs receive --board 01 --on 2026-11-05 --all
//!   resultsday certs issue 0005 --on 2026-11-12 --how collected --to "mother, signed"
//!   resultsday certs unclaimed --as-of 2027-11-02
//!   resultsday certs destroy --board 70 --on 2027-11-02 --due
//!   resultsday certs list --status missing
//!   resultsday certs export --out certificates.csv
//!
//! The expected certificates come from the latest `resultsday run` of the series in the store
//! (`--db`): one per candidate with a graded award from the board. Dates are `YYYY-MM-DD`.
//! A date given by hand (`--on`) must be possible: not after today, and not before the series'
//! first results day; a destruction dated ahead is refused even with `--force`. An `--as-of`
//! after today (to look ahead) needs `--force-release`.
//!
//! Exit status: 0 done; 2 bad usage, a change refused (with the reason), or a store that could
//! not be read or written.

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;

use crate::certificates::ops::{
    self, AsOf, Batch, BatchContents, Disposal, DisposalChoice, DisposalRecord, Issue,
};
use crate::certificates::{self as log, Certificate, IssuedHow, Status};
use crate::exit;
use crate::messages;
use crate::rules::calendar;
use crate::store::Store;
use crate::write::output;

/// `resultsday certs ...`
#[derive(Debug, clap::Args)]
pub struct CertsArgs {
    #[command(subcommand)]
    pub command: CertsCommand,
    #[command(flatten)]
    pub db: crate::cmd::args::DbArg,
}

#[derive(Debug, clap::Subcommand)]
pub enum CertsCommand {
    /// Record a board's batch of certificates as received, and list the certificates expected
    /// and not in it (to chase with the board) and any in it that were not expected.
    Receive(ReceiveArgs),
    /// Record the issue of a candidate's certificates (collected or posted).
    ///
    /// Without --board, every certificate the centre holds for the candidate is issued. A
    /// certificate not received, or already issued, destroyed or returned, is refused.
    Issue(IssueArgs),
    /// Certificates received and never issued: those due for return to the board or
    /// confidential destruction (12 months after they were received), and those still to keep.
    Unclaimed(UnclaimedArgs),
    /// Record the confidential destruction (or, with --returned, the return to the board) of
    /// unclaimed certificates. The record of a destruction is kept 4 years.
    Destroy(DestroyArgs),
    /// The log on the terminal, one certificate a line.
    List(ListArgs),
    /// The log as CSV, for a spreadsheet.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("contents").required(true).args(["candidates", "file", "all"])))]
pub struct ReceiveArgs {
    /// The awarding body id (70 AQA, 01 OCR, 40 WJEC/Eduqas, ...).
    #[arg(long, value_name = "BOARD")]
    pub board: String,
    /// The series (6A26 or 2026-06); the latest run's series if not given.
    #[arg(long, value_name = "ID")]
    pub series: Option<String>,
    /// The day the batch arrived (YYYY-MM-DD); today if not given.
    #[arg(long, value_name = "DATE", value_parser = log::parse_date)]
    pub on: Option<NaiveDate>,
    /// The candidate numbers in the batch, separated by commas.
    #[arg(long, value_name = "N,N,...", value_delimiter = ',')]
    pub candidates: Vec<String>,
    /// A CSV file with a header row and a candidate_number column, one certificate a row.
    #[arg(long, value_name = "CSV")]
    pub file: Option<PathBuf>,
    /// The batch holds every certificate expected.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, clap::Args)]
pub struct IssueArgs {
    /// The candidate number.
    #[arg(value_name = "CANDIDATE")]
    pub candidate: String,
    /// Only the certificate from this board.
    #[arg(long, value_name = "BOARD")]
    pub board: Option<String>,
    /// Only the certificate of this series (6A26 or 2026-06).
    #[arg(long, value_name = "ID")]
    pub series: Option<String>,
    /// The day it was issued (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = log::parse_date)]
    pub on: NaiveDate,
    /// How it reached the candidate.
    #[arg(long, value_enum, value_name = "HOW")]
    pub how: IssuedHow,
    /// Who collected it, or where it was posted (kept in the log).
    #[arg(long, value_name = "NOTE")]
    pub to: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct UnclaimedArgs {
    /// Decide what is due as on this day (YYYY-MM-DD) instead of today; a day after today only
    /// with --force-release.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    pub as_of: Option<NaiveDate>,
    /// Allow an --as-of after today (to look ahead).
    #[arg(long)]
    pub force_release: bool,
    /// Only this board's certificates.
    #[arg(long, value_name = "BOARD")]
    pub board: Option<String>,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["candidates", "due"])))]
pub struct DestroyArgs {
    /// The awarding body id; with --due, all boards if not given.
    #[arg(long, value_name = "BOARD", required_unless_present = "due")]
    pub board: Option<String>,
    /// Only the certificates of this series (6A26 or 2026-06).
    #[arg(long, value_name = "ID")]
    pub series: Option<String>,
    /// The day of the destruction or return (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = log::parse_date)]
    pub on: NaiveDate,
    /// These candidates' certificates, separated by commas.
    #[arg(long, value_name = "N,N,...", value_delimiter = ',')]
    pub candidates: Vec<String>,
    /// Every unclaimed certificate whose 12 months are up on that day.
    #[arg(long, conflicts_with = "force")]
    pub due: bool,
    /// They were returned to the board, not destroyed.
    #[arg(long)]
    pub returned: bool,
    /// Record it even for certificates received less than 12 months before.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Which certificates.
    #[arg(long, value_enum, value_name = "STATUS", default_value = "all")]
    pub status: StatusFilter,
    /// Only this board's certificates.
    #[arg(long, value_name = "BOARD")]
    pub board: Option<String>,
    /// Decide which are unclaimed as on this day (YYYY-MM-DD) instead of today; a day after
    /// today only with --force-release.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    pub as_of: Option<NaiveDate>,
    /// Allow an --as-of after today (to look ahead).
    #[arg(long)]
    pub force_release: bool,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Write the CSV here (readable by you only) instead of to the terminal.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Which certificates.
    #[arg(long, value_enum, value_name = "STATUS", default_value = "all")]
    pub status: StatusFilter,
    /// Decide which are unclaimed as on this day (YYYY-MM-DD) instead of today; a day after
    /// today only with --force-release.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    pub as_of: Option<NaiveDate>,
    /// Allow an --as-of after today (to look ahead).
    #[arg(long)]
    pub force_release: bool,
}

/// The certificates `list` and `export` show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFilter {
    /// Received, not issued, within their 12 months.
    Received,
    /// Issued to the candidate.
    Issued,
    /// Received, never issued, 12 months old: due for return or destruction.
    Unclaimed,
    /// Destroyed.
    Destroyed,
    /// Returned to the board.
    Returned,
    /// Expected from a board that has sent a batch, and not received.
    Missing,
    /// Everything in the log, missing ones included.
    All,
}

impl StatusFilter {
    /// The status it keeps; `None` for all.
    fn status(self) -> Option<Status> {
        match self {
            StatusFilter::All => None,
            StatusFilter::Received => Some(Status::Received),
            StatusFilter::Issued => Some(Status::Issued),
            StatusFilter::Unclaimed => Some(Status::Unclaimed),
            StatusFilter::Destroyed => Some(Status::Destroyed),
            StatusFilter::Returned => Some(Status::Returned),
            StatusFilter::Missing => Some(Status::Missing),
        }
    }
}

/// `--as-of`: a date, or a date and time (Europe/London) of which the date is taken.
fn parse_as_of(text: &str) -> Result<NaiveDate, String> {
    calendar::parse_as_of(text).map(|t| t.date_naive())
}

/// Today in London (a test may hold it back, never forward: calendar::now).
fn today() -> Result<NaiveDate, String> {
    calendar::today()
}

/// The calendar dates given by hand are checked against: the built-in one, with the centre's
/// `series.toml` in the working folder laid over it.
fn series_calendar() -> Result<calendar::Calendar, String> {
    calendar::Calendar::centre(None, false).map_err(|e| e.to_string())
}

/// The day `--as-of` asks for, as the log operations take it.
fn as_of(as_of: Option<NaiveDate>, force_release: bool) -> Result<AsOf, String> {
    Ok(AsOf {
        as_of,
        force_release,
        today: today()?,
    })
}

/// The candidate numbers given on the command line, blanks skipped.
fn candidates(given: &[String]) -> Result<Vec<String>, String> {
    given
        .iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| log::candidate_number(c))
        .collect()
}

pub fn run(args: &CertsArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let mut store = Store::open_existing(&args.db.path)?;
    match &args.command {
        CertsCommand::Receive(a) => receive(&mut store, a),
        CertsCommand::Issue(a) => issue(&mut store, a),
        CertsCommand::Unclaimed(a) => unclaimed(&mut store, a),
        CertsCommand::Destroy(a) => destroy(&mut store, a),
        CertsCommand::List(a) => list(&mut store, a),
        CertsCommand::Export(a) => export(&mut store, a),
    }
}

fn receive(store: &mut Store, a: &ReceiveArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let contents = if a.all {
        BatchContents::AllExpected
    } else if let Some(file) = &a.file {
        let bytes = std::fs::read(file)
            .map_err(|e| format!("{}: {}", file.display(), messages::describe_read(&e)))?;
        BatchContents::Candidates(ops::candidates_in_csv(&bytes, &file.display().to_string())?)
    } else {
        BatchContents::Candidates(candidates(&a.candidates)?)
    };
    let receipt = ops::receive(
        store,
        &Batch {
            board: a.board.trim(),
            series: a.series.as_deref(),
            received_on: match a.on {
                Some(on) => on,
                None => today()?,
            },
            contents,
            today: today()?,
            calendar: &series_calendar()?,
        },
    )?;

    let mut out = std::io::stdout().lock();
    let series = log::series_label(&receipt.series);
    let _ = writeln!(
        out,
        "board {}, {series}: batch received on {}",
        receipt.board, receipt.received_on
    );
    match receipt.batch_id {
        Some(id) => {
            let _ = writeln!(
                out,
                "  recorded {} (batch {id})",
                messages::count(receipt.recorded.len(), "certificate", "certificates")
            );
        }
        None => {
            let _ = writeln!(out, "  nothing new recorded");
        }
    }
    let _ = writeln!(
        out,
        "  expected {} (from run {})",
        messages::count(receipt.expected, "certificate", "certificates"),
        receipt.run_id
    );
    if !receipt.already.is_empty() {
        let _ = writeln!(
            out,
            "\nalready received, left as they were: {}",
            receipt.already.len()
        );
        for c in &receipt.already {
            let _ = writeln!(
                out,
                "  {}  {}  received {}",
                c.candidate_number,
                c.name,
                date(c.received_on)
            );
        }
    }
    let _ = writeln!(
        out,
        "\nmissing (expected, not received; chase with the board): {}",
        receipt.missing.len()
    );
    for c in &receipt.missing {
        let _ = writeln!(out, "  {}  {}  {}", c.candidate_number, c.name, c.uci);
    }
    let _ = writeln!(
        out,
        "\nreceived but not expected (no graded award from board {} in run {}): {}",
        receipt.board,
        receipt.run_id,
        receipt.unexpected.len()
    );
    for c in &receipt.unexpected {
        let name = if c.name.is_empty() {
            "not a candidate in the run"
        } else {
            &c.name
        };
        let _ = writeln!(out, "  {}  {name}", c.candidate_number);
    }
    Ok(exit::DONE)
}

fn issue(store: &mut Store, a: &IssueArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let candidate = log::candidate_number(&a.candidate)?;
    let issued = ops::issue(
        store,
        &Issue {
            candidate_number: &candidate,
            board: a.board.as_deref().map(str::trim),
            series: a.series.as_deref(),
            on: a.on,
            how: a.how,
            to: a.to.as_deref(),
            today: today()?,
            calendar: &series_calendar()?,
        },
    )?;
    let mut out = std::io::stdout().lock();
    for c in &issued {
        let to = c
            .issued_to
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "issued on {}, {}{to}: {}",
            a.on,
            a.how.as_str(),
            c.describe()
        );
    }
    Ok(exit::DONE)
}

fn unclaimed(store: &mut Store, a: &UnclaimedArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let held = ops::unclaimed(store, a.board.as_deref(), &as_of(a.as_of, a.force_release)?)?;
    let (as_of, split) = (held.as_of, held.split);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "unclaimed certificates as of {as_of}: {} held and not issued",
        split.due.len() + split.keep.len()
    );
    let _ = writeln!(
        out,
        "\ndue for return to the board or confidential destruction ({} months since received): {}",
        log::UNCLAIMED_KEEP_MONTHS,
        split.due.len()
    );
    print_held(&mut out, &split.due);
    let _ = writeln!(out, "\nstill to keep securely: {}", split.keep.len());
    print_held(&mut out, &split.keep);
    Ok(exit::DONE)
}

fn print_held(out: &mut impl Write, certificates: &[Certificate]) {
    let name_width = certificates
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0);
    for c in certificates {
        let _ = writeln!(
            out,
            "  board {}  {}  {}  {}{}  received {}  due from {}",
            c.board,
            c.series,
            c.candidate_number,
            c.name,
            " ".repeat(name_width - c.name.chars().count()),
            date(c.received_on),
            date(c.due_from())
        );
    }
}

fn destroy(store: &mut Store, a: &DestroyArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let choice = if a.due {
        DisposalChoice::Due
    } else {
        DisposalChoice::Candidates(candidates(&a.candidates)?)
    };
    let disposal = if a.returned {
        Disposal::Returned
    } else {
        Disposal::Destroyed
    };
    let done = ops::dispose(
        store,
        &DisposalRecord {
            board: a.board.as_deref().map(str::trim),
            series: a.series.as_deref(),
            on: a.on,
            choice,
            disposal,
            force: a.force,
            today: today()?,
        },
    )?;
    let mut out = std::io::stdout().lock();
    let verb = match disposal {
        Disposal::Destroyed => "destroyed",
        Disposal::Returned => "returned to the board",
    };
    if done.is_empty() {
        let _ = writeln!(
            out,
            "nothing recorded: no unclaimed certificate is due for return or destruction on {}",
            a.on
        );
        return Ok(exit::DONE);
    }
    let _ = writeln!(
        out,
        "recorded as {verb} on {}: {}",
        a.on,
        messages::count(done.len(), "certificate", "certificates")
    );
    for c in &done {
        let early = if c.disposed_early {
            " (before its 12 months, forced)"
        } else {
            ""
        };
        let _ = writeln!(out, "  {}{early}", c.describe());
    }
    if let Some(until) = done.iter().filter_map(|c| c.keep_record_until).max() {
        let _ = writeln!(
            out,
            "keep this record until {until} ({} years from the destruction)",
            log::DESTRUCTION_RECORD_YEARS
        );
    }
    Ok(exit::DONE)
}

fn list(store: &mut Store, a: &ListArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let listed = ops::list(
        store,
        a.status.status(),
        a.board.as_deref(),
        &as_of(a.as_of, a.force_release)?,
    )?;
    let (as_of, all) = (listed.as_of, listed.certificates);
    let mut out = std::io::stdout().lock();
    if all.is_empty() {
        let _ = writeln!(out, "no certificates in the log with that status");
        return Ok(exit::DONE);
    }
    let rows: Vec<[String; 8]> = all
        .iter()
        .map(|c| {
            [
                c.board.clone(),
                c.series.clone(),
                c.candidate_number.clone(),
                c.name.clone(),
                date(c.received_on),
                match (c.issued_on, c.issued_how) {
                    (Some(on), Some(how)) => format!("{on} {}", how.as_str()),
                    _ => String::new(),
                },
                date(c.destroyed_on.or(c.returned_on)),
                c.status(as_of).as_str().to_string(),
            ]
        })
        .collect();
    let header = [
        "board",
        "series",
        "candidate",
        "name",
        "received",
        "issued",
        "destroyed",
        "status",
    ];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(&header));
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        let _ = writeln!(out, "{}", line(&cells));
    }
    let mut counts: Vec<(Status, usize)> = Vec::new();
    for c in &all {
        let s = c.status(as_of);
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    counts.sort();
    let _ = writeln!(
        out,
        "{}: {}",
        messages::count(all.len(), "certificate", "certificates"),
        counts
            .iter()
            .map(|(s, n)| format!("{n} {}", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(exit::DONE)
}

fn export(store: &mut Store, a: &ExportArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let exported = ops::export(store, a.status.status(), &as_of(a.as_of, a.force_release)?)?;
    match &a.out {
        Some(path) => {
            output::write_out(path, &exported.csv)?;
            let _ = writeln!(
                std::io::stdout(),
                "written: {} ({})",
                path.display(),
                messages::count(exported.certificates, "certificate", "certificates")
            );
        }
        None => {
            let _ = std::io::stdout().write_all(&exported.csv);
        }
    }
    Ok(exit::DONE)
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}
