//! The checks a request passes before it is stored: a result in the latest run, the service
//! offered for the entry and the series, the deadline, the consent, one review per component.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::Connection;

use super::fees::{academic_year, FeeTable};
use super::log::read_log;
use super::refusal::Refusal;
use super::rules::{AppliesTo, Catalogue, DeadlineField, ServiceRule};
use super::service::Service;
use crate::model::{CandidateResult, ResultsDay};
use crate::rules::calendar::SeriesDates;

pub use crate::rules::calendar::{parse_date as parse_iso_date, same_series, series_id_of};

/// The candidate results day of an entry in a series: the GCE day for A level and level 3, the
/// GCSE day otherwise.
pub fn results_date(dates: &SeriesDates, day: ResultsDay) -> NaiveDate {
    match day {
        ResultsDay::Gce => dates.gce_results,
        ResultsDay::Gcse => dates.gcse_results,
    }
}

/// The last day the board may receive a request for the service in the series; `None` when the
/// series does not offer it (priority reviews outside June).
pub fn deadline(rule: &ServiceRule, dates: &SeriesDates) -> Option<NaiveDate> {
    match rule.deadline {
        DeadlineField::Ror => Some(dates.ror_deadline),
        DeadlineField::PriorityS2 => dates.priority_s2_deadline,
        DeadlineField::Ats => dates.ats_deadline.or(Some(dates.ror_deadline)),
    }
}

/// The facts about an entered result that the rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFacts {
    pub results_day: ResultsDay,
    /// The grade as printed on a statement.
    pub grade: String,
    pub mark: Option<u16>,
    /// The gradeset code of the option, when the basedata gave one.
    pub gradeset: Option<String>,
}

/// The results of a run, indexed for the request checks: by candidate, board and entry, and by
/// board and entry for whole-cohort requests.
#[derive(Debug, Clone, Default)]
pub struct Entries {
    by_candidate: HashMap<(String, String, String), EntryFacts>,
    by_entry: HashMap<(String, String), ResultsDay>,
    /// The component codes the run's results hold for each board and entry.
    components: HashMap<(String, String), HashSet<String>>,
}

impl Entries {
    pub fn from_results(results: &[CandidateResult]) -> Entries {
        let mut entries = Entries::default();
        for r in results {
            let facts = EntryFacts {
                results_day: r.results_day,
                grade: r.printed_grade(),
                mark: r.mark,
                gradeset: r.gradeset.clone(),
            };
            entries
                .components
                .entry((r.board.clone(), r.entry_code.clone()))
                .or_default()
                .extend(r.components.iter().map(|c| c.code.to_ascii_uppercase()));
            entries
                .by_candidate
                .entry((
                    r.candidate_number.clone(),
                    r.board.clone(),
                    r.entry_code.clone(),
                ))
                .or_insert(facts);
            entries
                .by_entry
                .entry((r.board.clone(), r.entry_code.clone()))
                .or_insert(r.results_day);
        }
        entries
    }

    pub fn of_candidate(&self, candidate: &str, board: &str, entry: &str) -> Option<&EntryFacts> {
        self.by_candidate
            .get(&(candidate.to_string(), board.to_string(), entry.to_string()))
    }

    /// The component codes the run holds for an entry; empty when its results gave none.
    pub fn components_of(&self, board: &str, entry: &str) -> Vec<String> {
        let mut codes: Vec<String> = self
            .components
            .get(&(board.to_string(), entry.to_string()))
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        codes.sort_unstable();
        codes
    }

    pub fn of_cohort(&self, board: &str, entry: &str) -> Option<ResultsDay> {
        self.by_entry
            .get(&(board.to_string(), entry.to_string()))
            .copied()
    }
}

/// A request as the exams officer writes it: a row of the import file, or `prs add`. Text as
/// given; [`check_request`] reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestRow {
    pub reference: String,
    pub candidate_number: String,
    pub board: String,
    pub entry_code: String,
    pub component_code: String,
    pub service: String,
    pub requested_on: String,
    pub consent_on: String,
}

/// A request that passed every check, ready for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub reference: String,
    pub centre: String,
    pub series: String,
    /// Blank for a whole-cohort review of moderation.
    pub candidate_number: String,
    pub board: String,
    pub entry_code: String,
    /// Blank when not given (the whole entry).
    pub component_code: String,
    pub service: Service,
    pub requested_on: NaiveDate,
    pub consent_on: Option<NaiveDate>,
    pub results_day: ResultsDay,
    /// The board's fee when requested; `None` when the fee list has none.
    pub fee_pence: Option<i64>,
}

/// What a request is checked against.
#[derive(Debug, Clone, Copy)]
pub struct RequestContext<'a> {
    pub centre: &'a str,
    /// The series code the runs use (`6A26`).
    pub series: &'a str,
    pub dates: &'a SeriesDates,
    pub catalogue: &'a Catalogue,
    pub fees: &'a FeeTable,
    /// The results of the latest run of the centre and series.
    pub entries: &'a Entries,
    /// The run those results are from, for messages.
    pub run_id: i64,
}

/// A review already in the log (or accepted earlier in the same import).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Review {
    centre: String,
    series: String,
    candidate_number: String,
    board: String,
    entry_code: String,
    component_code: String,
    reference: String,
    service: Service,
}

/// What the log already holds that a new request must not repeat: references, and the
/// components already reviewed.
#[derive(Debug, Clone, Default)]
pub struct LogIndex {
    references: HashSet<String>,
    reviews: Vec<Review>,
}

impl LogIndex {
    pub fn new() -> LogIndex {
        LogIndex::default()
    }

    /// Everything in the log.
    pub fn load(conn: &Connection) -> rusqlite::Result<LogIndex> {
        let mut index = LogIndex::new();
        for r in read_log(conn, None, None)? {
            index.references.insert(r.reference.to_ascii_uppercase());
            if r.service.is_review_of_marking() {
                index.reviews.push(Review {
                    centre: r.centre,
                    series: r.series,
                    candidate_number: r.candidate_number,
                    board: r.board,
                    entry_code: r.entry_code,
                    component_code: r.component_code,
                    reference: r.reference,
                    service: r.service,
                });
            }
        }
        Ok(index)
    }

    /// Adds a request accepted for the log.
    pub fn add(&mut self, request: &Request) {
        self.references
            .insert(request.reference.to_ascii_uppercase());
        if request.service.is_review_of_marking() {
            self.reviews.push(Review {
                centre: request.centre.clone(),
                series: request.series.clone(),
                candidate_number: request.candidate_number.clone(),
                board: request.board.clone(),
                entry_code: request.entry_code.clone(),
                component_code: request.component_code.clone(),
                reference: request.reference.clone(),
                service: request.service,
            });
        }
    }

    /// Whether the reference is taken, ignoring case (`nga-prs-001` is `NGA-PRS-001`).
    pub fn has_reference(&self, reference: &str) -> bool {
        self.references
            .contains(&reference.trim().to_ascii_uppercase())
    }

    /// The review of the same component (or of the whole entry) already requested.
    fn review_of(&self, r: &Request) -> Option<&Review> {
        self.reviews.iter().find(|o| {
            o.centre == r.centre
                && same_series(&o.series, &r.series)
                && o.candidate_number == r.candidate_number
                && o.board == r.board
                && o.entry_code == r.entry_code
                && (o.component_code == r.component_code
                    || o.component_code.is_empty()
                    || r.component_code.is_empty())
        })
    }
}

/// Why a request is not stored. Each says what rule it breaks and what to do.
/// A date `YYYY-MM-DD`; `None` for a blank one.
fn parse_date(field: &'static str, text: &str) -> Result<Option<NaiveDate>, Refusal> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    parse_iso_date(text)
        .map(Some)
        .ok_or_else(|| Refusal::BadDate {
            field,
            text: text.to_string(),
        })
}

/// A candidate number as the files have it: a spreadsheet that dropped the leading zeros
/// (`13`) gets them back (`0013`).
pub fn normalise_candidate(text: &str) -> String {
    crate::model::normalise_candidate_number(text).unwrap_or_else(|| text.trim().to_string())
}

/// A board id as the files have it: `1` → `01`.
pub fn normalise_board(text: &str) -> String {
    let text = text.trim();
    if text.len() == 1 && text.bytes().all(|b| b.is_ascii_digit()) {
        format!("0{text}")
    } else {
        text.to_string()
    }
}

/// Whether a checked request's component is one the run's results hold for its entry (when
/// they hold any for it).
pub fn check_component(request: &Request, ctx: &RequestContext) -> Result<(), Refusal> {
    if request.component_code.is_empty() {
        return Ok(());
    }
    let known = ctx
        .entries
        .components_of(&request.board, &request.entry_code);
    if known.is_empty() || known.contains(&request.component_code) {
        return Ok(());
    }
    Err(Refusal::UnknownComponent {
        component: request.component_code.clone(),
        board: request.board.clone(),
        entry: request.entry_code.clone(),
        known,
        run_id: ctx.run_id,
    })
}

/// Checks a request against every rule; the first rule it breaks is the refusal. The log index
/// is what is stored already (and accepted earlier in the same import).
pub fn check_request(
    row: &RequestRow,
    ctx: &RequestContext,
    log: &LogIndex,
) -> Result<Request, Refusal> {
    let reference = row.reference.trim().to_string();
    if reference.is_empty() {
        return Err(Refusal::NoReference);
    }
    if log.has_reference(&reference) {
        return Err(Refusal::DuplicateReference(reference));
    }
    let service = Service::parse(&row.service)
        .ok_or_else(|| Refusal::UnknownService(row.service.trim().to_string()))?;
    let requested_on =
        parse_date("requested_on", &row.requested_on)?.ok_or_else(|| Refusal::BadDate {
            field: "requested_on",
            text: String::new(),
        })?;
    let consent_on = parse_date("consent_on", &row.consent_on)?;
    let candidate_number = normalise_candidate(&row.candidate_number);
    let board = normalise_board(&row.board);
    let entry_code = row.entry_code.trim().to_ascii_uppercase();
    let component_code = row.component_code.trim().to_ascii_uppercase();
    let rule = ctx.catalogue.rule(service);

    // The entry: the candidate's result, or for a whole-cohort S3 anyone's.
    let results_day = if candidate_number.is_empty() {
        if service != Service::S3 {
            return Err(Refusal::NoCandidate(service));
        }
        ctx.entries
            .of_cohort(&board, &entry_code)
            .ok_or_else(|| Refusal::NoCohortEntry {
                board: board.clone(),
                entry: entry_code.clone(),
                run_id: ctx.run_id,
            })?
    } else {
        ctx.entries
            .of_candidate(&candidate_number, &board, &entry_code)
            .map(|f| f.results_day)
            .ok_or_else(|| Refusal::NoEntry {
                candidate: candidate_number.clone(),
                board: board.clone(),
                entry: entry_code.clone(),
                run_id: ctx.run_id,
            })?
    };
    if rule.applies_to == AppliesTo::Gce && results_day != ResultsDay::Gce {
        return Err(Refusal::NotForEntry {
            service,
            entry: entry_code,
        });
    }

    // The deadline, against the request's own date.
    let last_day = deadline(rule, ctx.dates).ok_or_else(|| Refusal::NotOffered {
        service,
        series: ctx.dates.name.clone(),
    })?;
    let results_on = results_date(ctx.dates, results_day);
    if requested_on < results_on {
        return Err(Refusal::BeforeResults {
            requested_on,
            day: results_day,
            date: results_on,
        });
    }
    if requested_on > last_day {
        return Err(Refusal::Late {
            service,
            requested_on,
            deadline: last_day,
        });
    }

    // Consent: after the entry's own results day, and not after the request.
    if rule.consent_required {
        let consent = consent_on.ok_or(Refusal::NoConsent(service))?;
        if consent < results_on {
            return Err(Refusal::ConsentBeforeResults {
                consent_on: consent,
                day: results_day,
                date: results_on,
            });
        }
        if consent > requested_on {
            return Err(Refusal::ConsentAfterRequest {
                consent_on: consent,
                requested_on,
            });
        }
    }

    let fee_pence = academic_year(&series_id_of(ctx.series))
        .and_then(|year| ctx.fees.fee_for(&board, service, results_day, &year))
        .map(|f| f.fee_pence);
    let request = Request {
        reference,
        centre: ctx.centre.to_string(),
        series: ctx.series.to_string(),
        candidate_number,
        board,
        entry_code,
        component_code,
        service,
        requested_on,
        consent_on,
        results_day,
        fee_pence,
    };

    // One review per component.
    if service.is_review_of_marking() {
        if let Some(other) = log.review_of(&request) {
            return Err(Refusal::AlreadyReviewed {
                component: request.component_code.clone(),
                entry: request.entry_code.clone(),
                candidate: request.candidate_number.clone(),
                other: other.reference.clone(),
                other_service: other.service,
            });
        }
    }
    Ok(request)
}
