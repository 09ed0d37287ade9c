//! The operations on the post-results log that `resultsday prs` and the local page call: import,
//! add, record an outcome, what is due, list and export. Each returns what it did, and what it
//! refused and why, as data; none prints.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::checks::{
    check_component, check_request, same_series, series_id_of, Entries, EntryFacts, LogIndex,
    Request, RequestContext, RequestRow,
};
use super::due::{due as due_items, expected_completion, DueItem};
use super::fees::FeeTable;
use super::import::created_at;
use super::log::{
    find_request, read_log, record_outcome, store_requests, LoggedRequest, OutcomeRecord,
};
use super::outcome::{
    appeal_window_closes, check_new_grade, check_outcome, keep_consent_until, refund_due,
    OutcomeRefusal,
};
use super::refusal::Refusal;
use super::rules::Catalogue;
use super::service::{Outcome, Status};
use crate::rules::calendar::{self, Calendar, CalendarError, SeriesDates};
use crate::rules::tables::TableFileError;
use crate::store::{sql_error, RunSummary, Store, StoreError};

pub use super::import::{
    check_import, date_or_blank, export_csv, import, save_import, yes_no_blank, Accepted,
    ImportFile, ImportRefusal, ImportReport, RowRefusal, EXPORT_COLUMNS, IMPORT_COLUMNS,
};

/// What the store could not do when reading the log.
pub(super) const READ_LOG: &str = "read the post-results log";

/// Why an operation on the log could not be done (a request or outcome refused by a rule is not
/// one of these: it is in the operation's report).
#[derive(Debug, thiserror::Error)]
pub enum PrsError {
    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    Table(#[from] TableFileError),

    #[error(transparent)]
    Calendar(#[from] CalendarError),

    /// The clock could not be read, or `--as-of` is after today: the calendar's words.
    #[error("{0}")]
    Day(String),

    #[error(
        "there is no results-day run in {}: run `resultsday run DIR --out OUT --db {}` first, so \
         that requests can be checked against the results",
        path.display(),
        path.display()
    )]
    NoRun { path: PathBuf },

    #[error(
        "there is no run of centre {centre} in {}; it holds centre {}",
        path.display(),
        held.join(", ")
    )]
    NoRunOfCentre {
        path: PathBuf,
        centre: String,
        held: Vec<String>,
    },

    #[error(
        "there is no run of centre {centre} series {series} in {}; it holds series {}",
        path.display(),
        held.join(", ")
    )]
    NoRunOfSeries {
        path: PathBuf,
        centre: String,
        series: String,
        held: Vec<String>,
    },

    #[error(
        "series {series} ({id}) is not in the series calendar; add its dates to series.toml in \
         the working folder"
    )]
    NotInCalendar { series: String, id: String },

    #[error("{file}: the header cannot be read: {error}")]
    HeaderUnreadable { file: String, error: String },

    #[error("{file}: the file is empty; expected a header row {}", IMPORT_COLUMNS.join(","))]
    EmptyFile { file: String },

    #[error("{file}: the header is '{found}'; expected '{}'", IMPORT_COLUMNS.join(","))]
    WrongHeader { file: String, found: String },

    #[error("there is no request {0} in the log (see `resultsday prs list`)")]
    NoRequest(String),
}

/// The centre and series requests are for, and so the run they are checked against.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunChoice<'a> {
    /// The centre number; the latest run's centre if not given.
    pub centre: Option<&'a str>,
    /// The series (`6A26` or `2026-06`); the centre's latest run's series if not given.
    pub series: Option<&'a str>,
}

/// Everything a request is checked against: the rules, and the run of its centre and series.
pub(super) struct Checking {
    pub(super) run: RunSummary,
    pub(super) dates: SeriesDates,
    pub(super) catalogue: Catalogue,
    fees: FeeTable,
    entries: Entries,
}

impl Checking {
    pub(super) fn load(store: &Store, choice: &RunChoice) -> Result<Checking, PrsError> {
        let run = choose_run(store, choice)?;
        let calendar = Calendar::centre(None, false)?;
        let id = series_id_of(&run.series);
        let dates = calendar
            .get(&id)
            .cloned()
            .ok_or_else(|| PrsError::NotInCalendar {
                series: run.series.clone(),
                id,
            })?;
        let catalogue = Catalogue::centre()?;
        let fees = FeeTable::centre()?;
        let entries = Entries::from_results(&store.results_of_run(run.id)?);
        Ok(Checking {
            run,
            dates,
            catalogue,
            fees,
            entries,
        })
    }

    pub(super) fn context(&self) -> RequestContext<'_> {
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
pub fn choose_run(store: &Store, choice: &RunChoice) -> Result<RunSummary, PrsError> {
    let path = store.path().to_path_buf();
    let runs = store.runs()?;
    let Some(latest) = runs.last() else {
        return Err(PrsError::NoRun { path });
    };
    let centre = choice.centre.unwrap_or(&latest.centre).trim();
    let of_centre: Vec<&RunSummary> = runs.iter().filter(|r| r.centre == centre).collect();
    let listed = |mut names: Vec<&str>| {
        names.sort_unstable();
        names.dedup();
        names.into_iter().map(str::to_string).collect()
    };
    if of_centre.is_empty() {
        return Err(PrsError::NoRunOfCentre {
            path,
            centre: centre.to_string(),
            held: listed(runs.iter().map(|r| r.centre.as_str()).collect()),
        });
    }
    match choice.series {
        None => Ok(of_centre[of_centre.len() - 1].clone()),
        Some(series) => of_centre
            .iter()
            .rev()
            .find(|r| same_series(&r.series, series))
            .map(|r| (*r).clone())
            .ok_or_else(|| PrsError::NoRunOfSeries {
                path,
                centre: centre.to_string(),
                series: series.to_string(),
                held: listed(of_centre.iter().map(|r| r.series.as_str()).collect()),
            }),
    }
}

// ---------------------------------------------------------------------------------------------
// add
// ---------------------------------------------------------------------------------------------

/// Why `add` stored nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddRefusal {
    /// A date given by hand is after today (the calendar's words).
    AfterToday(String),
    /// The request breaks a rule.
    Request(Refusal),
}

impl std::fmt::Display for AddRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AddRefusal::AfterToday(reason) => f.write_str(reason),
            AddRefusal::Request(r) => r.fmt(f),
        }
    }
}

/// A request stored by `add`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub request: Request,
    /// The service's name in the catalogue.
    pub service_name: String,
    /// When the outcome is due; `None` where the service sets no target.
    pub expected: Option<NaiveDate>,
}

/// Checks one request and stores it; refused (and nothing stored) when a date given by hand is
/// after `today` or the request breaks a rule.
pub fn add(
    store: &mut Store,
    row: &RequestRow,
    choice: &RunChoice,
    today: NaiveDate,
) -> Result<Result<Added, AddRefusal>, PrsError> {
    // Dates given by hand: not after today (the rules see to the results day and the order).
    for (flag, text) in [
        ("--requested-on", &row.requested_on),
        ("--consent-on", &row.consent_on),
    ] {
        if let Some(on) = super::checks::parse_iso_date(text) {
            if let Err(reason) = calendar::refuse_after_today(flag, on, today) {
                return Ok(Err(AddRefusal::AfterToday(reason)));
            }
        }
    }
    let checking = Checking::load(store, choice)?;
    let path = store.path().to_path_buf();
    let log = LogIndex::load(store.connection()).map_err(|e| sql_error(&path, READ_LOG, e))?;
    let ctx = checking.context();
    let checked =
        check_request(row, &ctx, &log).and_then(|r| check_component(&r, &ctx).map(|()| r));
    let request = match checked {
        Ok(r) => r,
        Err(reason) => return Ok(Err(AddRefusal::Request(reason))),
    };
    store_requests(
        store.connection(),
        std::slice::from_ref(&request),
        &created_at(),
    )
    .map_err(|e| sql_error(&path, "store the request", e))?;
    let rule = checking.catalogue.rule(request.service);
    Ok(Ok(Added {
        service_name: rule.name.clone(),
        expected: expected_completion(rule, request.requested_on),
        request,
    }))
}

// ---------------------------------------------------------------------------------------------
// outcome
// ---------------------------------------------------------------------------------------------

/// An outcome recorded by hand, from the board's outcome letter.
#[derive(Debug, Clone)]
pub struct HandOutcome<'a> {
    pub reference: &'a str,
    pub outcome: Outcome,
    /// The new grade, for a grade raised or lowered.
    pub grade: Option<&'a str>,
    pub mark: Option<i64>,
    /// The date on the letter.
    pub on: NaiveDate,
    /// Replace the outcome the request already has.
    pub replace: bool,
}

/// An outcome recorded, with what follows from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub outcome: Outcome,
    pub on: NaiveDate,
    /// The outcome it replaced, and its date.
    pub was: Option<(Outcome, NaiveDate)>,
    /// Whether the board waives the fee; `None` where there is no fee question.
    pub refund_due: Option<bool>,
    /// Until when the consent form is kept; `None` where none was taken.
    pub keep_consent_until: Option<NaiveDate>,
    /// The last day an appeal (stage 1) can reach the board, where one can follow.
    pub appeal_by: Option<NaiveDate>,
}

/// Records a request's outcome by hand. Refused (and nothing recorded) when the request has an
/// outcome and `replace` is not given, the outcome does not fit the service, the date is after
/// today (asked of `today` only when the earlier checks pass) or before the request, or the new
/// grade is not the entry's or does not move the way the outcome says.
pub fn outcome(
    store: &mut Store,
    given: &HandOutcome,
    today: &dyn Fn() -> Result<NaiveDate, String>,
) -> Result<Result<Recorded, OutcomeRefusal>, PrsError> {
    let path = store.path().to_path_buf();
    let reference = given.reference.trim();
    let request = find_request(store.connection(), reference)
        .map_err(|e| sql_error(&path, READ_LOG, e))?
        .ok_or_else(|| PrsError::NoRequest(reference.to_string()))?;
    let catalogue = Catalogue::centre()?;
    let outcome = given.outcome;
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
    let given_grade = given.grade.map(str::trim);
    let refusal = if let (Some(held), false) = (request.outcome, given.replace) {
        Some(OutcomeRefusal::AlreadyHas {
            held,
            on: request.outcome_on,
            old_grade: request.old_grade.clone(),
            new_grade: request.new_grade.clone(),
        })
    } else if let Err(reason) = check_outcome(rule, outcome) {
        Some(reason)
    } else if let Err(reason) =
        calendar::refuse_after_today("--on", given.on, today().map_err(PrsError::Day)?)
    {
        Some(OutcomeRefusal::AfterToday(reason))
    } else if given.on < request.requested_on {
        Some(OutcomeRefusal::BeforeRequest {
            on: given.on,
            requested_on: request.requested_on,
        })
    } else if let (Some(g), Some(set)) = (given_grade, gradeset) {
        check_new_grade(g, old_grade.as_deref(), outcome, set)
    } else {
        None
    };
    if let Some(reason) = refusal {
        return Ok(Err(reason));
    }

    let new_grade = match given_grade {
        Some(g) => Some(g.to_string()),
        None if outcome.keeps_the_grade() => old_grade.clone(),
        None => None,
    };
    let new_mark = given.mark.or_else(|| {
        (outcome == Outcome::Confirmed)
            .then_some(old_mark)
            .flatten()
    });
    record_outcome(
        store.connection(),
        &request,
        &OutcomeRecord {
            outcome,
            on: given.on,
            old_grade,
            new_grade,
            old_mark,
            new_mark,
            linked_run_id: None,
        },
    )
    .map_err(|e| sql_error(&path, "record the outcome", e))?;
    Ok(Ok(Recorded {
        outcome,
        on: given.on,
        was: request.outcome.zip(request.outcome_on),
        refund_due: refund_due(request.service, outcome),
        keep_consent_until: request.consent_on.map(|_| keep_consent_until(given.on)),
        appeal_by: request
            .service
            .can_be_appealed()
            .then(|| appeal_window_closes(given.on)),
    }))
}

/// The entry's result in the latest run of its centre and series, with that run's id.
fn latest_result(
    store: &Store,
    request: &LoggedRequest,
) -> Result<Option<(i64, EntryFacts)>, StoreError> {
    let Some(run) = store
        .runs()?
        .into_iter()
        .rev()
        .find(|r| r.centre == request.centre && same_series(&r.series, &request.series))
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
// due, list and export
// ---------------------------------------------------------------------------------------------

/// What `due` is asked.
#[derive(Debug, Clone, Copy)]
pub struct DueOptions<'a> {
    /// The day to decide on; `today` if not given.
    pub as_of: Option<NaiveDate>,
    pub today: NaiveDate,
    /// Allow an `as_of` after today.
    pub force_release: bool,
    /// Only this centre's requests.
    pub centre: Option<&'a str>,
}

/// What is due on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub as_of: NaiveDate,
    pub items: Vec<DueItem>,
}

/// What is due as of the day asked (today if none; a later day only with `force_release`).
pub fn due(store: &mut Store, options: &DueOptions) -> Result<Due, PrsError> {
    let as_of = options.as_of.unwrap_or(options.today);
    calendar::refuse_as_of_after_today(
        as_of,
        options.today,
        options.force_release,
        "it would list requests as overdue, and appeal windows as closing, before they are",
    )
    .map_err(PrsError::Day)?;
    let requests = read(store, None, options.centre)?;
    let catalogue = Catalogue::centre()?;
    Ok(Due {
        as_of,
        items: due_items(&requests, &catalogue, as_of),
    })
}

/// A request as listed, with the day its outcome is expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub request: LoggedRequest,
    pub expected: Option<NaiveDate>,
}

/// The log, oldest first: every request, or those with one status, of every centre or one.
pub fn list(
    store: &mut Store,
    status: Option<Status>,
    centre: Option<&str>,
) -> Result<Vec<Listed>, PrsError> {
    let requests = read(store, status, centre)?;
    let catalogue = Catalogue::centre()?;
    Ok(requests
        .into_iter()
        .map(|request| Listed {
            expected: expected_completion(catalogue.rule(request.service), request.requested_on),
            request,
        })
        .collect())
}

/// The log as CSV ([`export_csv`]), of every centre or one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub csv: Vec<u8>,
    /// How many requests it holds.
    pub requests: usize,
}

/// The log as CSV, of every centre or one.
pub fn export(store: &mut Store, centre: Option<&str>) -> Result<Exported, PrsError> {
    let requests = read(store, None, centre)?;
    Ok(Exported {
        csv: export_csv(&requests),
        requests: requests.len(),
    })
}

/// [`read_log`], its errors in the store's words.
fn read(
    store: &mut Store,
    status: Option<Status>,
    centre: Option<&str>,
) -> Result<Vec<LoggedRequest>, PrsError> {
    let path = store.path().to_path_buf();
    read_log(store.connection(), status, centre)
        .map_err(|e| PrsError::from(sql_error(&path, READ_LOG, e)))
}
