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
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};

use crate::exit;
use crate::messages;
use crate::prs::{
    self, Catalogue, DueItem, Entries, FeeTable, LogIndex, LoggedRequest, Outcome, OutcomeRecord,
    Request, RequestContext, RequestRow, Status,
};
use crate::rules::calendar::{self, Calendar, SeriesDates};
use crate::store::{RunSummary, Store};
use crate::write::output;

/// The columns of `prs import` (contract.md), in order.
pub const IMPORT_COLUMNS: [&str; 8] = [
    "reference",
    "candidate_number",
    "board",
    "entry_code",
    "component_code",
    "service",
    "requested_on",
    "consent_on",
];

/// The columns `prs export` adds after the import columns (contract.md), in order.
pub const EXPORT_COLUMNS: [&str; 8] = [
    "status",
    "outcome",
    "outcome_on",
    "old_grade",
    "new_grade",
    "fee",
    "refund_due",
    "keep_consent_until",
];

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

pub fn run(args: &PrsArgs) -> CmdResult {
    let mut store = Store::open_existing(&args.db.path)?;
    match &args.command {
        PrsCommand::Import(a) => import(&mut store, &args.db.path, a),
        PrsCommand::Add(a) => add(&mut store, &args.db.path, a),
        PrsCommand::List(a) => list(&mut store, a),
        PrsCommand::Export(a) => export(&mut store, a),
        PrsCommand::Outcome(a) => outcome(&mut store, a),
        PrsCommand::Due(a) => due(&mut store, a),
    }
}

// ---------------------------------------------------------------------------------------------
// The rules and the run requests are checked against
// ---------------------------------------------------------------------------------------------

/// A centre's own copy of a rules file in the working folder, if there is one.
fn centre_file(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(name);
    path.is_file().then_some(path)
}

fn read_table<T>(
    name: &str,
    builtin: fn() -> T,
    read: fn(&str, std::fs::File) -> Result<T, prs::RulesFileError>,
) -> Result<T, Box<dyn std::error::Error>> {
    match centre_file(name) {
        None => Ok(builtin()),
        Some(path) => {
            let file = std::fs::File::open(&path).map_err(|e| {
                format!("{}: {}", path.display(), crate::messages::describe_read(&e))
            })?;
            Ok(read(&path.display().to_string(), file)?)
        }
    }
}

/// Everything a request is checked against: the rules, and the run of its centre and series.
struct Checking {
    run: RunSummary,
    dates: SeriesDates,
    catalogue: Catalogue,
    fees: FeeTable,
    entries: Entries,
}

impl Checking {
    fn load(
        store: &Store,
        which: &WhichRun,
        db: &Path,
    ) -> Result<Checking, Box<dyn std::error::Error>> {
        let run = choose_run(store, which, db)?;
        let calendar = Calendar::centre(None, false)?;
        let id = prs::series_id_of(&run.series);
        let dates = calendar.get(&id).cloned().ok_or_else(|| {
            format!(
                "series {} ({id}) is not in the series calendar; add its dates to series.toml \
                 in the working folder",
                run.series
            )
        })?;
        let catalogue = read_table(prs::SERVICES_FILE, Catalogue::builtin, |f, r| {
            Catalogue::from_csv(f, r)
        })?;
        let fees = read_table(prs::FEES_FILE, FeeTable::builtin, |f, r| {
            FeeTable::from_csv(f, r)
        })?;
        let entries = Entries::from_results(&store.results_of_run(run.id)?);
        Ok(Checking {
            run,
            dates,
            catalogue,
            fees,
            entries,
        })
    }

    fn context(&self) -> RequestContext<'_> {
        RequestContext {
            centre: &self.run.centre,
            series: &self.run.series,
            dates: &self.dates,
            catalogue: &self.catalogue,
            fees: &self.fees,
            entries: &self.entries,
            run_id: self.run.id,
        }
    }
}

/// The latest run of the centre and series asked for (else of the latest run's centre, and that
/// centre's latest series).
fn choose_run(store: &Store, which: &WhichRun, db: &Path) -> Result<RunSummary, String> {
    let runs = store.runs().map_err(|e| e.to_string())?;
    let Some(latest) = runs.last() else {
        return Err(format!(
            "there is no results-day run in {}: run `resultsday run DIR --out OUT --db {}` \
             first, so that requests can be checked against the results",
            db.display(),
            db.display()
        ));
    };
    let centre = which.centre.as_deref().unwrap_or(&latest.centre).trim();
    let of_centre: Vec<&RunSummary> = runs.iter().filter(|r| r.centre == centre).collect();
    if of_centre.is_empty() {
        let mut centres: Vec<&str> = runs.iter().map(|r| r.centre.as_str()).collect();
        centres.sort_unstable();
        centres.dedup();
        return Err(format!(
            "there is no run of centre {centre} in {}; it holds centre {}",
            db.display(),
            centres.join(", ")
        ));
    }
    match &which.series {
        None => Ok(of_centre[of_centre.len() - 1].clone()),
        Some(series) => of_centre
            .iter()
            .rev()
            .find(|r| prs::same_series(&r.series, series))
            .map(|r| (*r).clone())
            .ok_or_else(|| {
                let mut held: Vec<&str> = of_centre.iter().map(|r| r.series.as_str()).collect();
                held.sort_unstable();
                held.dedup();
                format!(
                    "there is no run of centre {centre} series {series} in {}; it holds series {}",
                    db.display(),
                    held.join(", ")
                )
            }),
    }
}

fn created_at() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

// ---------------------------------------------------------------------------------------------
// import and add
// ---------------------------------------------------------------------------------------------

/// Where the export's extra columns are in an imported file, when it is an earlier export.
#[derive(Debug, Default)]
struct ExportColumns {
    status: Option<usize>,
    outcome: Option<usize>,
    outcome_on: Option<usize>,
    old_grade: Option<usize>,
    new_grade: Option<usize>,
    fee: Option<usize>,
}

/// A row accepted for the log, with the outcome an exported log carried.
struct Accepted {
    request: Request,
    outcome: Option<OutcomeRecord>,
}

fn import(store: &mut Store, db: &Path, args: &ImportArgs) -> CmdResult {
    let path = &args.file;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bytes = std::fs::read(path)
        .map_err(|e| format!("{}: {}", path.display(), crate::messages::describe_read(&e)))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);

    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes);
    let mut lines = crate::csvlines::Lines::new(bytes);
    let mut records = csv.byte_records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
            .collect(),
        Some(Err(e)) => {
            return Err(format!("{}: the header cannot be read: {e}", path.display()).into())
        }
        None => {
            return Err(format!(
                "{}: the file is empty; expected a header row {}",
                path.display(),
                IMPORT_COLUMNS.join(",")
            )
            .into())
        }
    };
    if header.len() < IMPORT_COLUMNS.len() || header[..IMPORT_COLUMNS.len()] != IMPORT_COLUMNS {
        return Err(format!(
            "{}: the header is '{}'; expected '{}'",
            path.display(),
            header.join(","),
            IMPORT_COLUMNS.join(",")
        )
        .into());
    }
    let find = |c: &str| header.iter().position(|h| h == c);
    let extra = ExportColumns {
        status: find("status"),
        outcome: find("outcome"),
        outcome_on: find("outcome_on"),
        old_grade: find("old_grade"),
        new_grade: find("new_grade"),
        fee: find("fee"),
    };
    let ignored: Vec<&str> = header[IMPORT_COLUMNS.len()..]
        .iter()
        .filter(|h| !EXPORT_COLUMNS.contains(&h.as_str()))
        .map(String::as_str)
        .collect();
    if !ignored.is_empty() {
        messages::warn(&format!(
            "{name}: column{} {} not read",
            if ignored.len() == 1 { "" } else { "s" },
            ignored.join(", ")
        ));
    }

    let checking = Checking::load(store, &args.which, db)?;
    let ctx = checking.context();
    let mut log = LogIndex::load(store.connection())?;
    let mut accepted: Vec<Accepted> = Vec::new();
    let mut refused = 0usize;
    let mut err = std::io::stderr().lock();

    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = lines.of(e.position());
                writeln!(
                    err,
                    "{name} line {line}: refused: the line cannot be read: {e}"
                )?;
                refused += 1;
                continue;
            }
        };
        let line = lines.of(record.position());
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let mut fields = Vec::with_capacity(record.len());
        let mut not_text = false;
        for f in record.iter() {
            match std::str::from_utf8(f) {
                // As written: without the quote an exported log put before `=`, `-`, ...
                Ok(t) => fields.push(crate::write::csvout::uncell(t.trim()).trim().to_string()),
                Err(_) => {
                    not_text = true;
                    fields.push(String::from_utf8_lossy(f).trim().to_string());
                }
            }
        }
        let field = |i: usize| fields.get(i).cloned().unwrap_or_default();
        let row = RequestRow {
            reference: field(0),
            candidate_number: field(1),
            board: field(2),
            entry_code: field(3),
            component_code: field(4),
            service: field(5),
            requested_on: field(6),
            consent_on: field(7),
        };
        let who = if row.reference.is_empty() {
            String::new()
        } else {
            format!("{} ", row.reference)
        };
        if not_text {
            writeln!(
                err,
                "{name} line {line}: {who}refused: the line is not UTF-8 text; save the file as \
                 CSV UTF-8"
            )?;
            refused += 1;
            continue;
        }
        let checked = prs::check_request(&row, &ctx, &log)
            .and_then(|r| prs::check_component(&r, &ctx).map(|()| r))
            .map_err(|r| r.to_string());
        let checked = checked.and_then(|request| {
            let outcome = exported_outcome(&fields, &extra, &request, &checking.catalogue)?;
            Ok((request, outcome))
        });
        let checked = checked.and_then(|(mut request, outcome)| {
            if let Some(text) = extra.fee.map(field).filter(|t| !t.trim().is_empty()) {
                request.fee_pence = Some(fee_given(&text)?);
            }
            Ok((request, outcome))
        });
        match checked {
            Ok((request, outcome)) => {
                log.add(&request);
                accepted.push(Accepted { request, outcome });
            }
            Err(reason) => {
                writeln!(err, "{name} line {line}: {who}refused: {reason}")?;
                refused += 1;
            }
        }
    }
    drop(err);

    save(store, &accepted)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{name}: {} stored, {refused} refused (centre {}, {} ({}), checked against run {})",
        accepted.len(),
        checking.run.centre,
        checking.dates.name,
        checking.run.series,
        checking.run.id
    )?;
    Ok(if refused > 0 {
        exit::FINDINGS
    } else {
        exit::DONE
    })
}

/// Stores accepted requests, and the outcomes an exported log carried, in one transaction.
fn save(store: &mut Store, accepted: &[Accepted]) -> Result<(), Box<dyn std::error::Error>> {
    let requests: Vec<Request> = accepted.iter().map(|a| a.request.clone()).collect();
    let conn = store.connection();
    let tx = conn.transaction()?;
    prs::insert_requests(&tx, &requests, &created_at())?;
    for a in accepted {
        if let Some(record) = &a.outcome {
            if let Some(logged) = prs::find_request(&tx, &a.request.reference)? {
                prs::record_outcome(&tx, &logged, record)?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// The highest fee a request may carry by hand, in pence (£500; the dearest board fee, a
/// review of moderation, is under £300).
pub const FEE_CEILING_PENCE: i64 = 50_000;

/// A fee given by hand (the import's `fee`), in pence: pounds and pence, not negative, not
/// over the ceiling.
fn fee_given(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.trim_start_matches('£').starts_with('-') {
        return Err(format!(
            "fee {text} is negative; a fee is an amount paid to the board"
        ));
    }
    let pence = parse_pounds(text)
        .ok_or_else(|| format!("fee '{text}' is not an amount in pounds (e.g. 42.00)"))?;
    if pence > FEE_CEILING_PENCE {
        return Err(format!(
            "fee £{} is over £{}, more than any board charges for one request; check the fee",
            prs::pounds(pence),
            prs::pounds(FEE_CEILING_PENCE)
        ));
    }
    Ok(pence)
}

/// `42.00` (or `£42`) as pence.
fn parse_pounds(text: &str) -> Option<i64> {
    let text = text.trim().trim_start_matches('£');
    if text.is_empty() {
        return None;
    }
    let (whole, part) = text.split_once('.').unwrap_or((text, "0"));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || part.len() > 2 {
        return None;
    }
    let part: i64 = format!("{part:0<2}").parse().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(part)
}

/// The outcome an exported log carried for a request (status `completed`), checked as one
/// recorded by hand would be.
fn exported_outcome(
    fields: &[String],
    extra: &ExportColumns,
    request: &Request,
    catalogue: &Catalogue,
) -> Result<Option<OutcomeRecord>, String> {
    let get = |i: Option<usize>| {
        i.and_then(|i| fields.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    };
    match get(extra.status) {
        "" | "open" => return Ok(None),
        "completed" => {}
        other => return Err(format!("status '{other}' is not open or completed")),
    }
    let text = get(extra.outcome);
    let outcome =
        Outcome::parse(text).ok_or_else(|| format!("outcome '{text}' is not an outcome"))?;
    let on_text = get(extra.outcome_on);
    let on = prs::parse_iso_date(on_text)
        .ok_or_else(|| format!("outcome_on '{on_text}' is not a date; expected YYYY-MM-DD"))?;
    prs::check_outcome(catalogue.rule(request.service), outcome)?;
    if on < request.requested_on {
        return Err(format!(
            "the outcome dated {on} is before the request on {}",
            request.requested_on
        ));
    }
    let text_or_none = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Ok(Some(OutcomeRecord {
        outcome,
        on,
        old_grade: text_or_none(get(extra.old_grade)),
        new_grade: text_or_none(get(extra.new_grade)),
        old_mark: None,
        new_mark: None,
        linked_run_id: None,
    }))
}

fn add(store: &mut Store, db: &Path, args: &AddArgs) -> CmdResult {
    // Dates given by hand: not after today (the rules see to the results day and the order).
    let today = today()?;
    for (flag, text) in [
        ("--requested-on", &args.requested_on),
        ("--consent-on", &args.consent_on),
    ] {
        if let Some(on) = prs::parse_iso_date(text) {
            if let Err(reason) = calendar::refuse_after_today(flag, on, today) {
                writeln!(
                    std::io::stderr(),
                    "{} refused: {reason}",
                    args.reference.trim()
                )?;
                return Ok(exit::FINDINGS);
            }
        }
    }
    let checking = Checking::load(store, &args.which, db)?;
    let log = LogIndex::load(store.connection())?;
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
    let ctx = checking.context();
    let checked = prs::check_request(&row, &ctx, &log)
        .and_then(|r| prs::check_component(&r, &ctx).map(|()| r));
    let request = match checked {
        Ok(r) => r,
        Err(reason) => {
            let who = args.reference.trim();
            writeln!(std::io::stderr(), "{who} refused: {reason}")?;
            return Ok(exit::FINDINGS);
        }
    };
    prs::store_requests(
        store.connection(),
        std::slice::from_ref(&request),
        &created_at(),
    )?;
    let rule = checking.catalogue.rule(request.service);
    let mut line = format!(
        "{} stored: {} ({}) for {}, board {} {}{}; requested {}",
        request.reference,
        request.service,
        rule.name.to_lowercase(),
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
    if let Some(expected) = prs::expected_completion(rule, request.requested_on) {
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

fn yes_no_blank(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

fn date_or_blank(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn list(store: &mut Store, args: &ListArgs) -> CmdResult {
    let requests = prs::read_log(
        store.connection(),
        args.status.status(),
        args.centre.as_deref(),
    )?;
    let catalogue = read_table(prs::SERVICES_FILE, Catalogue::builtin, |f, r| {
        Catalogue::from_csv(f, r)
    })?;
    let mut out = std::io::stdout().lock();
    if requests.is_empty() {
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
    let rows: Vec<Vec<String>> = requests
        .iter()
        .map(|r| {
            let grade = match (&r.old_grade, &r.new_grade) {
                (Some(a), Some(b)) if a != b => format!("{a} -> {b}"),
                (_, Some(b)) => b.clone(),
                (Some(a), None) => a.clone(),
                (None, None) => String::new(),
            };
            vec![
                r.reference.clone(),
                r.candidate_number.clone(),
                r.board.clone(),
                r.entry_code.clone(),
                r.component_code.clone(),
                r.service.to_string(),
                r.requested_on.to_string(),
                date_or_blank(r.consent_on),
                date_or_blank(prs::expected_completion(
                    catalogue.rule(r.service),
                    r.requested_on,
                )),
                r.status.as_str().to_string(),
                r.outcome.map(|o| o.to_string()).unwrap_or_default(),
                date_or_blank(r.outcome_on),
                grade,
                r.fee_pence.map(prs::pounds).unwrap_or_default(),
                yes_no_blank(r.refund_due).to_string(),
            ]
        })
        .collect();
    write_table(&mut out, &headers, &rows)?;
    let open = requests.iter().filter(|r| r.status == Status::Open).count();
    writeln!(
        out,
        "{}: {} open, {} completed",
        messages::count(requests.len(), "request", "requests"),
        open,
        requests.len() - open
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

/// The log as CSV: the import columns then the export's own.
pub fn export_csv(requests: &[LoggedRequest]) -> Vec<u8> {
    // `fee` (pounds and pence) is the one number; the rest are references, codes and dates.
    let mut w = crate::write::csvout::Builder::new(IMPORT_COLUMNS.iter().chain(&EXPORT_COLUMNS))
        .numeric(["fee"])
        .in_memory();
    for r in requests {
        w.put_record([
            r.reference.clone(),
            r.candidate_number.clone(),
            r.board.clone(),
            r.entry_code.clone(),
            r.component_code.clone(),
            r.service.to_string(),
            r.requested_on.to_string(),
            date_or_blank(r.consent_on),
            r.status.as_str().to_string(),
            r.outcome.map(|o| o.to_string()).unwrap_or_default(),
            date_or_blank(r.outcome_on),
            r.old_grade.clone().unwrap_or_default(),
            r.new_grade.clone().unwrap_or_default(),
            r.fee_pence.map(prs::pounds).unwrap_or_default(),
            yes_no_blank(r.refund_due).to_string(),
            date_or_blank(r.keep_consent_until),
        ]);
    }
    w.into_bytes()
}

fn export(store: &mut Store, args: &ExportArgs) -> CmdResult {
    let requests = prs::read_log(store.connection(), None, args.centre.as_deref())?;
    let bytes = export_csv(&requests);
    match &args.out {
        None => std::io::stdout().lock().write_all(&bytes)?,
        Some(path) => {
            output::write_out(path, &bytes)?;
            writeln!(
                std::io::stdout(),
                "written: {} ({})",
                path.display(),
                messages::count(requests.len(), "request", "requests")
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
    let request = prs::find_request(store.connection(), reference)?.ok_or_else(|| {
        format!("there is no request {reference} in the log (see `resultsday prs list`)")
    })?;
    let catalogue = read_table(prs::SERVICES_FILE, Catalogue::builtin, |f, r| {
        Catalogue::from_csv(f, r)
    })?;
    let outcome = args.outcome.outcome();
    let rule = catalogue.rule(request.service);
    // The grade and mark before: as recorded, else the latest run's result.
    let facts = if request.candidate_number.is_empty() {
        None
    } else {
        latest_result(store, &request)?
    };
    let (mut old_grade, mut old_mark) = (request.old_grade.clone(), request.old_mark);
    if old_grade.is_none() {
        if let Some(facts) = &facts {
            old_grade = Some(facts.1.grade.clone());
            old_mark = facts.1.mark.map(i64::from);
        }
    }
    let gradesets = match &facts {
        Some((run_id, _)) => store.gradesets_of_run(*run_id)?,
        None => parsers::Gradesets::builtin(),
    };
    let facts = facts.map(|(_, facts)| facts);
    let gradeset = facts
        .as_ref()
        .and_then(|f| f.gradeset.as_deref())
        .and_then(|code| gradesets.get(code));
    let given_grade = args.grade.as_deref().map(str::trim);
    let refusal = if let (Some(held), false) = (request.outcome, args.replace) {
        let on = request
            .outcome_on
            .map(|d| format!(" on {d}"))
            .unwrap_or_default();
        let grade = match (&request.old_grade, &request.new_grade) {
            (Some(a), Some(b)) if a != b => format!(", grade {a} to {b}"),
            (_, Some(b)) => format!(", grade {b}"),
            _ => String::new(),
        };
        Some(format!(
            "it already has an outcome: {held}{on}{grade}; an outcome is not overwritten \
             (give --replace to record a corrected one)"
        ))
    } else if let Err(reason) = prs::check_outcome(rule, outcome) {
        Some(reason)
    } else if let Err(reason) = calendar::refuse_after_today("--on", args.on, today()?) {
        Some(reason)
    } else if args.on < request.requested_on {
        Some(format!(
            "the outcome dated {} is before the request on {}",
            args.on, request.requested_on
        ))
    } else if let (Some(g), Some(set)) = (given_grade, gradeset) {
        check_new_grade(g, old_grade.as_deref(), outcome, set)
    } else {
        None
    };
    if let Some(reason) = refusal {
        writeln!(std::io::stderr(), "{reference} refused: {reason}")?;
        return Ok(exit::FINDINGS);
    }

    let new_grade = match given_grade {
        Some(g) => Some(g.to_string()),
        None if outcome.keeps_the_grade() => old_grade.clone(),
        None => None,
    };
    let new_mark = args.mark.or_else(|| {
        (outcome == Outcome::Confirmed)
            .then_some(old_mark)
            .flatten()
    });
    let was = request
        .outcome
        .zip(request.outcome_on)
        .map(|(o, on)| format!(" (was {o} on {on})"));
    prs::record_outcome(
        store.connection(),
        &request,
        &OutcomeRecord {
            outcome,
            on: args.on,
            old_grade,
            new_grade,
            old_mark,
            new_mark,
            linked_run_id: None,
        },
    )?;

    let mut line = format!(
        "{reference}: {outcome} on {}{}",
        args.on,
        was.unwrap_or_default()
    );
    match prs::refund_due(request.service, outcome) {
        Some(true) => line.push_str("; the board waives the fee: refund the candidate"),
        Some(false) => line.push_str("; the fee is charged"),
        None => {}
    }
    if request.consent_on.is_some() {
        line.push_str(&format!(
            "; keep the consent form until {}",
            prs::keep_consent_until(args.on)
        ));
    }
    if request.service.can_be_appealed() {
        line.push_str(&format!(
            "; an appeal (stage 1) must reach the board by {}",
            prs::appeal_window_closes(args.on)
        ));
    }
    writeln!(std::io::stdout(), "{line}")?;
    Ok(exit::DONE)
}

/// Where a grade stands in its gradeset (1 is best; both grades of a double award `7-6`
/// counted); `None` when the gradeset does not hold it.
fn grade_rank(grade: &str, set: &parsers::tables::Gradeset) -> Option<u32> {
    if let Some(def) = set.get(grade) {
        return Some(u32::from(def.rank));
    }
    let (a, b) = grade.split_once('-')?;
    Some(u32::from(set.get(a)?.rank) + u32::from(set.get(b)?.rank))
}

/// Why a new grade given by hand cannot be recorded: not in the entry's gradeset, or not
/// above (below) the old grade for a grade raised (lowered).
fn check_new_grade(
    grade: &str,
    old_grade: Option<&str>,
    outcome: Outcome,
    set: &parsers::tables::Gradeset,
) -> Option<String> {
    let Some(new_rank) = grade_rank(grade, set) else {
        let valid: Vec<&str> = set.grades.iter().map(|g| g.grade.as_str()).collect();
        return Some(format!(
            "grade {grade} is not a grade of this entry (gradeset {}: {}); check the grade on \
             the outcome letter",
            set.code,
            valid.join(" ")
        ));
    };
    let old = old_grade?;
    let old_rank = grade_rank(old, set)?;
    match outcome {
        Outcome::GradeRaised if new_rank >= old_rank => Some(format!(
            "grade_raised needs a grade above the old grade {old}, and {grade} is not above it"
        )),
        Outcome::GradeLowered if new_rank <= old_rank => Some(format!(
            "grade_lowered needs a grade below the old grade {old}, and {grade} is not below it"
        )),
        _ => None,
    }
}

/// The request's result in the latest run of its centre and series.
/// The entry's result in the latest run of its centre and series, with that run's id.
fn latest_result(
    store: &Store,
    request: &LoggedRequest,
) -> Result<Option<(i64, prs::EntryFacts)>, Box<dyn std::error::Error>> {
    let Some(run) = store
        .runs()?
        .into_iter()
        .rev()
        .find(|r| r.centre == request.centre && prs::same_series(&r.series, &request.series))
    else {
        return Ok(None);
    };
    let entries = Entries::from_results(&store.results_of_run(run.id)?);
    Ok(entries
        .of_candidate(
            &request.candidate_number,
            &request.board,
            &request.entry_code,
        )
        .map(|facts| (run.id, facts.clone())))
}

// ---------------------------------------------------------------------------------------------
// due
// ---------------------------------------------------------------------------------------------

fn due(store: &mut Store, args: &DueArgs) -> CmdResult {
    let today = today()?;
    let as_of = args.as_of.unwrap_or(today);
    calendar::refuse_as_of_after_today(
        as_of,
        today,
        args.force_release,
        "it would list requests as overdue, and appeal windows as closing, before they are",
    )?;
    let requests = prs::read_log(store.connection(), None, args.centre.as_deref())?;
    let catalogue = read_table(prs::SERVICES_FILE, Catalogue::builtin, |f, r| {
        Catalogue::from_csv(f, r)
    })?;
    let items = prs::due(&requests, &catalogue, as_of);
    let mut out = std::io::stdout().lock();
    let day = as_of.format("%a %-d %b %Y");
    if items.is_empty() {
        writeln!(out, "nothing due as of {day}")?;
        return Ok(exit::DONE);
    }
    let mut groups: BTreeMap<u8, Vec<String>> = BTreeMap::new();
    for item in &items {
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
