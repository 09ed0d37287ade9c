//! Post-results services: the rules (services, deadlines, consent, fees and refunds), and the
//! request log the store keeps.
//!
//! The rules are data and pure functions of it: the service catalogue (`data/services.csv`), the
//! fees (`data/fees.csv`) and the series calendar (`data/series.toml`), each replaceable by a
//! centre's own copy in the working folder. Every date rule is decided against the dates on the
//! request (`requested_on`, `consent_on`, `outcome_on`) or a date the caller gives (`as_of`),
//! never against the clock, so the same log gives the same answer on any day.
//!
//! The log itself is the `prs_requests` table (`store::migrations`). Requests are checked by
//! [`check_request`] before they are stored, closed by hand ([`record_outcome`]) or by a
//! re-run's changes ([`answer_changes`]), and read back with [`read_log`].

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;

use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection, Row};
use serde::Deserialize;

use crate::check::changes::{Change, Direction};
use crate::model::{CandidateResult, ResultsDay};
use crate::rules::calendar::{self, SeriesDates};

/// The built-in service catalogue.
pub const DEFAULT_SERVICES_CSV: &str = include_str!("../../data/services.csv");
/// The built-in fees.
pub const DEFAULT_FEES_CSV: &str = include_str!("../../data/fees.csv");
/// The name of a centre's own service catalogue in the working folder.
pub const SERVICES_FILE: &str = "services.csv";
/// The name of a centre's own fee list in the working folder.
pub const FEES_FILE: &str = "fees.csv";

/// An appeal (stage 1) must reach the board within this many days of the review outcome
/// (post-results-rules.md §4, [S]).
pub const APPEAL_WINDOW_DAYS: u64 = 30;
/// Consent is kept at least this many calendar months after the outcome (§1, [C]).
pub const KEEP_CONSENT_MONTHS: u32 = 6;
/// `prs due` warns of appeal windows that close within this many days.
pub const DUE_SOON_DAYS: u64 = 7;

// ---------------------------------------------------------------------------------------------
// Services and outcomes
// ---------------------------------------------------------------------------------------------

/// A post-results service a centre can request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// Clerical re-check.
    S1,
    /// Review of marking.
    S2,
    /// Priority review of marking (A level and level 3, June only).
    S2P,
    /// Review of moderation (whole cohort, no consent).
    S3,
    /// Copy of a script to support a review of marking.
    AtsR,
    /// Copy of a script to support teaching and learning.
    AtsT,
    /// Copy of the reviewed or re-checked script.
    AtsP,
}

impl Service {
    pub const ALL: [Service; 7] = [
        Service::S1,
        Service::S2,
        Service::S2P,
        Service::S3,
        Service::AtsR,
        Service::AtsT,
        Service::AtsP,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Service::S1 => "S1",
            Service::S2 => "S2",
            Service::S2P => "S2P",
            Service::S3 => "S3",
            Service::AtsR => "ATS-R",
            Service::AtsT => "ATS-T",
            Service::AtsP => "ATS-P",
        }
    }

    /// Reads `S2`, `s2`, `ATS-T`.
    pub fn parse(text: &str) -> Option<Service> {
        let text = text.trim();
        Service::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }

    /// A clerical re-check or review of marking: once per component, fee waived when the grade
    /// changes.
    pub fn is_review_of_marking(self) -> bool {
        matches!(self, Service::S1 | Service::S2 | Service::S2P)
    }

    /// A copy of a script: no outcome to wait for but the script, no fee question.
    pub fn is_access_to_scripts(self) -> bool {
        matches!(self, Service::AtsR | Service::AtsT | Service::AtsP)
    }

    /// Whether an amended result in a re-run can be this request's outcome.
    pub fn answered_by_results(self) -> bool {
        self.is_review_of_marking() || self == Service::S3
    }

    /// Whether a stage 1 appeal can follow its outcome.
    pub fn can_be_appealed(self) -> bool {
        self.answered_by_results()
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    GradeRaised,
    GradeLowered,
    /// The mark moved, the grade did not.
    MarkChanged,
    /// The original mark stands. Only ever recorded by hand: no file says it.
    Confirmed,
    /// Review of moderation: the centre's original marks are reinstated (the fee is waived).
    CentreMarksReinstated,
    /// Review of moderation: the moderated marks stand.
    ModeratedMarksConfirmed,
    /// Access to scripts: the copy has arrived.
    ScriptReceived,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::GradeRaised,
        Outcome::GradeLowered,
        Outcome::MarkChanged,
        Outcome::Confirmed,
        Outcome::CentreMarksReinstated,
        Outcome::ModeratedMarksConfirmed,
        Outcome::ScriptReceived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::GradeRaised => "grade_raised",
            Outcome::GradeLowered => "grade_lowered",
            Outcome::MarkChanged => "mark_changed",
            Outcome::Confirmed => "confirmed",
            Outcome::CentreMarksReinstated => "centre_marks_reinstated",
            Outcome::ModeratedMarksConfirmed => "moderated_marks_confirmed",
            Outcome::ScriptReceived => "script_received",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        let text = text.trim();
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(text))
    }

    /// Whether the outcome leaves the grade as it was (so the new grade is the old one).
    pub fn keeps_the_grade(self) -> bool {
        matches!(
            self,
            Outcome::MarkChanged | Outcome::Confirmed | Outcome::ModeratedMarksConfirmed
        )
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome a re-run's change shows: up is a raised grade, down a lowered one, a mark that
/// moved alone is a mark change. A new or removed result answers nothing, and `confirmed` is
/// never inferred.
pub fn outcome_of_change(direction: Direction) -> Option<Outcome> {
    match direction {
        Direction::Up => Some(Outcome::GradeRaised),
        Direction::Down => Some(Outcome::GradeLowered),
        Direction::Same => Some(Outcome::MarkChanged),
        Direction::New | Direction::Removed => None,
    }
}

/// Where a request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Open,
    Completed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Completed => "completed",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The service catalogue
// ---------------------------------------------------------------------------------------------

/// Which series calendar date closes a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineField {
    /// `ror_deadline`: clerical re-checks, reviews of marking and moderation.
    Ror,
    /// `priority_s2_deadline`: absent in a series without priority reviews (November).
    PriorityS2,
    /// `ats_deadline`, else `ror_deadline` (JCQ's general ATS deadline is the RoR deadline).
    Ats,
}

impl DeadlineField {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineField::Ror => "ror_deadline",
            DeadlineField::PriorityS2 => "priority_s2_deadline",
            DeadlineField::Ats => "ats_deadline",
        }
    }

    fn parse(text: &str) -> Option<DeadlineField> {
        [
            DeadlineField::Ror,
            DeadlineField::PriorityS2,
            DeadlineField::Ats,
        ]
        .into_iter()
        .find(|d| d.as_str() == text.trim())
    }
}

/// Which entries a service is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppliesTo {
    All,
    /// A level and level 3 only: entries whose results come on the GCE results day.
    Gce,
}

/// One row of the service catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRule {
    pub service: Service,
    pub name: String,
    /// The candidate's written consent, taken after results, is needed.
    pub consent_required: bool,
    /// Calendar days from the board receiving the request to the outcome; `None` where no
    /// target is set (board-specific).
    pub completion_days: Option<u32>,
    /// Whether the grade can go down; `None` where there is no grade question (scripts).
    pub grade_can_fall: Option<bool>,
    pub deadline: DeadlineField,
    pub applies_to: AppliesTo,
    /// `confirmed`, `secondary` or `assumed`.
    pub status: String,
    pub note: String,
}

/// The service catalogue: one rule per service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    rules: Vec<ServiceRule>,
}

/// A rules table (services.csv, fees.csv) that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RulesFileError {
    /// The file, or `built-in services.csv`.
    pub file: String,
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for RulesFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} line {}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

#[derive(Deserialize)]
struct RawServiceRow {
    id: String,
    name: String,
    consent_required: String,
    completion_days: String,
    grade_can_fall: String,
    deadline: String,
    status: String,
    #[serde(default)]
    applies_to: String,
    #[serde(default)]
    note: String,
}

fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" => Some(true),
        "no" | "n" => Some(false),
        _ => None,
    }
}

impl Catalogue {
    /// The catalogue shipped with resultsday.
    pub fn builtin() -> Catalogue {
        // The built-in table is tested; it always reads.
        Catalogue::from_csv("built-in services.csv", DEFAULT_SERVICES_CSV.as_bytes())
            .unwrap_or_else(|_| Catalogue::strictest())
    }

    /// Consent for everything but S3, no completion targets, every deadline the RoR deadline:
    /// what is left if the built-in table could not be read (its test makes sure it can).
    fn strictest() -> Catalogue {
        let rules = Service::ALL
            .into_iter()
            .map(|service| ServiceRule {
                service,
                name: service.as_str().to_string(),
                consent_required: service != Service::S3,
                completion_days: None,
                grade_can_fall: None,
                deadline: DeadlineField::Ror,
                applies_to: AppliesTo::All,
                status: "assumed".into(),
                note: String::new(),
            })
            .collect();
        Catalogue { rules }
    }

    /// Reads `id,name,consent_required,completion_days,grade_can_fall,deadline,status[,applies_to,note]`.
    /// Every service must have exactly one row.
    pub fn from_csv(file: &str, reader: impl Read) -> Result<Catalogue, RulesFileError> {
        let mut rules: Vec<ServiceRule> = Vec::new();
        for (row, line) in read_records::<RawServiceRow>(file, reader)? {
            let err = |message: String| RulesFileError {
                file: file.to_string(),
                line: Some(line),
                message,
            };
            let service = Service::parse(&row.id).ok_or_else(|| {
                err(format!(
                    "id '{}' is not a service ({})",
                    row.id,
                    service_list()
                ))
            })?;
            if rules.iter().any(|r| r.service == service) {
                return Err(err(format!("{service} has a row already")));
            }
            let consent_required = yes_no(&row.consent_required).ok_or_else(|| {
                err(format!(
                    "consent_required '{}' is not yes or no",
                    row.consent_required
                ))
            })?;
            let completion_days =
                match row.completion_days.trim() {
                    "" => None,
                    text => Some(text.parse::<u32>().ok().filter(|d| *d <= 3660).ok_or_else(
                        || err(format!("completion_days '{text}' is not a number of days")),
                    )?),
                };
            let grade_can_fall = match row.grade_can_fall.trim() {
                "" | "n/a" => None,
                text => Some(
                    yes_no(text)
                        .ok_or_else(|| err(format!("grade_can_fall '{text}' is not yes or no")))?,
                ),
            };
            let deadline = DeadlineField::parse(&row.deadline).ok_or_else(|| {
                err(format!(
                    "deadline '{}' is not ror_deadline, priority_s2_deadline or ats_deadline",
                    row.deadline
                ))
            })?;
            let applies_to = match row.applies_to.trim() {
                "" | "all" => AppliesTo::All,
                "gce" => AppliesTo::Gce,
                other => return Err(err(format!("applies_to '{other}' is not all or gce"))),
            };
            rules.push(ServiceRule {
                service,
                name: row.name,
                consent_required,
                completion_days,
                grade_can_fall,
                deadline,
                applies_to,
                status: row.status,
                note: row.note,
            });
        }
        if let Some(missing) = Service::ALL
            .into_iter()
            .find(|s| !rules.iter().any(|r| r.service == *s))
        {
            return Err(RulesFileError {
                file: file.to_string(),
                line: None,
                message: format!("no row for {missing}; every service needs one"),
            });
        }
        rules.sort_by_key(|r| r.service);
        Ok(Catalogue { rules })
    }

    /// The rule for a service.
    pub fn rule(&self, service: Service) -> &ServiceRule {
        // Every catalogue holds one rule per service, in the order of `Service::ALL`.
        &self.rules[service as usize]
    }

    pub fn rules(&self) -> &[ServiceRule] {
        &self.rules
    }
}

fn service_list() -> String {
    Service::ALL
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a CSV table's rows, each with the line it starts on.
fn read_records<T: for<'de> Deserialize<'de>>(
    file: &str,
    mut reader: impl Read,
) -> Result<Vec<(T, u64)>, RulesFileError> {
    // Whole, so lines are counted as a person counts them (`csvlines`): a centre may save the
    // table from a spreadsheet, with CRLF line ends.
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|e| RulesFileError {
        file: file.to_string(),
        line: None,
        message: format!("cannot be read: {e}"),
    })?;
    let mut lines = crate::csvlines::Lines::new(&bytes);
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let headers = csv
        .headers()
        .map_err(|e| RulesFileError {
            file: file.to_string(),
            line: Some(1),
            message: e.to_string(),
        })?
        .clone();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let err = |line: Option<u64>, message: String| RulesFileError {
            file: file.to_string(),
            line,
            message,
        };
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = lines.of(record.position()) as u64;
                let row: T = record
                    .deserialize(Some(&headers))
                    .map_err(|e| err(Some(line), e.to_string()))?;
                rows.push((row, line));
            }
            Err(e) => {
                let line = e.position().map(|p| lines.of(Some(p)) as u64);
                return Err(err(line, e.to_string()));
            }
        }
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Fees
// ---------------------------------------------------------------------------------------------

/// Which qualifications a fee row is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeQualification {
    Gcse,
    Gce,
    Any,
}

impl FeeQualification {
    /// Whether it covers an entry whose results come on `day` (GCE day: A level and level 3).
    fn covers(self, day: ResultsDay) -> bool {
        matches!(
            (self, day),
            (FeeQualification::Any, _)
                | (FeeQualification::Gce, ResultsDay::Gce)
                | (FeeQualification::Gcse, ResultsDay::Gcse)
        )
    }
}

/// One row of the fee list: a board's fee for a service, per component or unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fee {
    pub board: String,
    pub service: Service,
    pub qualification: FeeQualification,
    pub fee_pence: i64,
    /// The academic year the fee is for: `2025/26` covers November 2025 and June 2026.
    pub year: String,
    pub source: String,
    /// Checked against the board's own published list.
    pub verified: bool,
}

/// Fees per board, service, qualification and academic year (`fees.csv`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeeTable {
    rows: Vec<Fee>,
}

#[derive(Deserialize)]
struct RawFeeRow {
    board: String,
    service: String,
    qualification: String,
    fee_pence: String,
    year: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    verified: String,
}

fn is_academic_year(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'/'
        && b[5..].iter().all(u8::is_ascii_digit)
}

impl FeeTable {
    /// The fees shipped with resultsday.
    pub fn builtin() -> FeeTable {
        // The built-in table is tested; it always reads.
        FeeTable::from_csv("built-in fees.csv", DEFAULT_FEES_CSV.as_bytes()).unwrap_or_default()
    }

    /// Reads `board,service,qualification,fee_pence,year,source,verified`.
    pub fn from_csv(file: &str, reader: impl Read) -> Result<FeeTable, RulesFileError> {
        let mut rows: Vec<Fee> = Vec::new();
        for (row, line) in read_records::<RawFeeRow>(file, reader)? {
            let err = |message: String| RulesFileError {
                file: file.to_string(),
                line: Some(line),
                message,
            };
            let service = Service::parse(&row.service).ok_or_else(|| {
                err(format!(
                    "service '{}' is not one of {}",
                    row.service,
                    service_list()
                ))
            })?;
            let qualification = match row.qualification.to_ascii_uppercase().as_str() {
                "GCSE" => FeeQualification::Gcse,
                "GCE" => FeeQualification::Gce,
                "ANY" | "" => FeeQualification::Any,
                other => {
                    return Err(err(format!(
                        "qualification '{other}' is not GCSE, GCE or any"
                    )))
                }
            };
            let fee_pence = row
                .fee_pence
                .parse::<i64>()
                .ok()
                .filter(|p| *p >= 0)
                .ok_or_else(|| {
                    err(format!(
                        "fee_pence '{}' is not a fee in pence (e.g. 4200 for £42.00)",
                        row.fee_pence
                    ))
                })?;
            if !is_academic_year(&row.year) {
                return Err(err(format!(
                    "year '{}' is not an academic year such as 2025/26",
                    row.year
                )));
            }
            let verified = match row.verified.trim() {
                "" => false,
                text => yes_no(text)
                    .ok_or_else(|| err(format!("verified '{text}' is not yes or no")))?,
            };
            let board = normalise_board(&row.board);
            if rows.iter().any(|f| {
                f.board == board
                    && f.service == service
                    && f.qualification == qualification
                    && f.year == row.year
            }) {
                return Err(err(format!(
                    "board {board} {service} {} {} has a row already",
                    row.qualification, row.year
                )));
            }
            rows.push(Fee {
                board,
                service,
                qualification,
                fee_pence,
                year: row.year,
                source: row.source,
                verified,
            });
        }
        Ok(FeeTable { rows })
    }

    pub fn rows(&self) -> &[Fee] {
        &self.rows
    }

    /// The fee a board charges for a service on an entry whose results come on `day`, in the
    /// academic year `year` (`2025/26`). The latest fee of that year or before wins; with none,
    /// the earliest later one (a list not yet updated is better than no figure). A fee for the
    /// entry's own qualification wins over one for `any`, a verified fee over an unverified one.
    pub fn fee_for(
        &self,
        board: &str,
        service: Service,
        day: ResultsDay,
        year: &str,
    ) -> Option<&Fee> {
        let candidates = self
            .rows
            .iter()
            .filter(|f| f.board == board && f.service == service && f.qualification.covers(day));
        let rank = |f: &&Fee| {
            (
                f.qualification != FeeQualification::Any,
                f.verified,
                f.year.clone(),
            )
        };
        let up_to = candidates
            .clone()
            .filter(|f| f.year.as_str() <= year)
            .max_by_key(|f| (f.year.clone(), rank(f)));
        up_to.or_else(|| {
            candidates.min_by_key(|f| {
                let (specific, verified, year) = rank(f);
                (year, !specific, !verified)
            })
        })
    }
}

/// The academic year (`2025/26`) of a series id (`2026-06`, `2025-11`): September to August.
pub fn academic_year(series_id: &str) -> Option<String> {
    let (year, month) = series_id.split_once('-')?;
    let year: i32 = year.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let start = if month >= 9 { year } else { year - 1 };
    Some(format!("{start}/{:02}", (start + 1).rem_euclid(100)))
}

/// `42.00` from 4200.
pub fn pounds(pence: i64) -> String {
    format!("{}.{:02}", pence / 100, pence % 100)
}

// ---------------------------------------------------------------------------------------------
// Date rules
// ---------------------------------------------------------------------------------------------

/// The candidate results day of an entry in a series: the GCE day for A level and level 3, the
/// GCSE day otherwise.
pub fn results_date(dates: &SeriesDates, day: ResultsDay) -> NaiveDate {
    match day {
        ResultsDay::Gce => dates.gce_results,
        ResultsDay::Gcse => dates.gcse_results,
    }
}

fn day_name(day: ResultsDay) -> &'static str {
    match day {
        ResultsDay::Gce => "GCE",
        ResultsDay::Gcse => "GCSE",
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

/// When the outcome is due: the request date plus the service's completion days (the clock
/// starts when the board receives the request). `None` where the service sets no target.
pub fn expected_completion(rule: &ServiceRule, requested_on: NaiveDate) -> Option<NaiveDate> {
    let days = rule.completion_days?;
    requested_on.checked_add_days(Days::new(u64::from(days)))
}

/// Whether a request with no outcome is past its expected completion on `as_of` (the expected
/// day itself is not overdue).
pub fn is_overdue(expected: Option<NaiveDate>, has_outcome: bool, as_of: NaiveDate) -> bool {
    !has_outcome && expected.is_some_and(|e| as_of > e)
}

/// The last day a stage 1 appeal can reach the board: 30 days after the outcome's date.
pub fn appeal_window_closes(outcome_on: NaiveDate) -> NaiveDate {
    outcome_on
        .checked_add_days(Days::new(APPEAL_WINDOW_DAYS))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether an appeal can still be made on `as_of` (the closing day included).
pub fn appeal_window_open(outcome_on: NaiveDate, as_of: NaiveDate) -> bool {
    as_of <= appeal_window_closes(outcome_on)
}

/// Whether the appeal window is still open on `as_of` and closes within [`DUE_SOON_DAYS`].
pub fn appeal_window_closing(outcome_on: NaiveDate, as_of: NaiveDate) -> bool {
    let closes = appeal_window_closes(outcome_on);
    as_of <= closes
        && as_of
            .checked_add_days(Days::new(DUE_SOON_DAYS))
            .is_none_or(|soon| closes <= soon)
}

/// The day until which the consent form must be kept: six calendar months after the outcome
/// (31 August → 28 February, or 29 February in a leap year).
pub fn keep_consent_until(outcome_on: NaiveDate) -> NaiveDate {
    calendar::add_months(outcome_on, KEEP_CONSENT_MONTHS)
}

/// Whether the board waives its fee (§3.2): a review of marking or clerical re-check is free
/// when the qualification grade changes, either way, and charged for a mark change alone or a
/// confirmed mark; a review of moderation is free only when the centre's marks are reinstated.
/// Script copies raise no fee question (`None`).
pub fn refund_due(service: Service, outcome: Outcome) -> Option<bool> {
    if service.is_access_to_scripts() {
        None
    } else if service == Service::S3 {
        Some(outcome == Outcome::CentreMarksReinstated)
    } else {
        Some(matches!(
            outcome,
            Outcome::GradeRaised | Outcome::GradeLowered
        ))
    }
}

/// Whether `outcome` can be the outcome of a request for `rule`'s service.
pub fn check_outcome(rule: &ServiceRule, outcome: Outcome) -> Result<(), String> {
    let service = rule.service;
    let fits = match outcome {
        Outcome::ScriptReceived => service.is_access_to_scripts(),
        Outcome::CentreMarksReinstated | Outcome::ModeratedMarksConfirmed => service == Service::S3,
        Outcome::GradeRaised
        | Outcome::GradeLowered
        | Outcome::MarkChanged
        | Outcome::Confirmed => !service.is_access_to_scripts(),
    };
    if !fits {
        let expected = if service.is_access_to_scripts() {
            "script_received".to_string()
        } else if service == Service::S3 {
            "centre_marks_reinstated, moderated_marks_confirmed, grade_raised or mark_changed"
                .to_string()
        } else {
            "grade_raised, grade_lowered, mark_changed or confirmed".to_string()
        };
        return Err(format!(
            "{outcome} is not an outcome of {service} ({}); expected {expected}",
            rule.name.to_lowercase()
        ));
    }
    if outcome == Outcome::GradeLowered && rule.grade_can_fall == Some(false) {
        return Err(format!(
            "{service} ({}) cannot lower a subject grade in the series",
            rule.name.to_lowercase()
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Checking a request
// ---------------------------------------------------------------------------------------------

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoReference,
    DuplicateReference(String),
    UnknownService(String),
    BadDate {
        field: &'static str,
        text: String,
    },
    NoCandidate(Service),
    NoEntry {
        candidate: String,
        board: String,
        entry: String,
        run_id: i64,
    },
    NoCohortEntry {
        board: String,
        entry: String,
        run_id: i64,
    },
    NotForEntry {
        service: Service,
        entry: String,
    },
    NotOffered {
        service: Service,
        series: String,
    },
    BeforeResults {
        requested_on: NaiveDate,
        day: ResultsDay,
        date: NaiveDate,
    },
    Late {
        service: Service,
        requested_on: NaiveDate,
        deadline: NaiveDate,
    },
    NoConsent(Service),
    ConsentBeforeResults {
        consent_on: NaiveDate,
        day: ResultsDay,
        date: NaiveDate,
    },
    ConsentAfterRequest {
        consent_on: NaiveDate,
        requested_on: NaiveDate,
    },
    UnknownComponent {
        component: String,
        board: String,
        entry: String,
        known: Vec<String>,
        run_id: i64,
    },
    AlreadyReviewed {
        component: String,
        entry: String,
        candidate: String,
        other: String,
        other_service: Service,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NoReference => f.write_str("no reference; every request needs its own"),
            Refusal::DuplicateReference(r) => write!(
                f,
                "reference {r} is already in the log (references are the same whatever their \
                 capitals); a request is stored once (give a new request a new reference)"
            ),
            Refusal::UnknownComponent {
                component,
                board,
                entry,
                known,
                run_id,
            } => write!(
                f,
                "component {component} is not a component of {entry} with board {board} in the \
                 latest run (run {run_id}), which has {}; check the component code",
                known.join(", ")
            ),
            Refusal::UnknownService(s) => {
                write!(f, "service '{s}' is not one of {}", service_list())
            }
            Refusal::BadDate { field, text } if text.is_empty() => {
                write!(f, "no {field}; expected a date YYYY-MM-DD")
            }
            Refusal::BadDate { field, text } => {
                write!(f, "{field} '{text}' is not a date; expected YYYY-MM-DD")
            }
            Refusal::NoCandidate(s) => write!(
                f,
                "no candidate number; only S3, a whole-cohort review of moderation, may leave it \
                 blank, and this is {s}"
            ),
            Refusal::NoEntry {
                candidate,
                board,
                entry,
                run_id,
            } => write!(
                f,
                "candidate {candidate} has no result for {entry} with board {board} in the \
                 latest run (run {run_id}); check the candidate number, board and entry code"
            ),
            Refusal::NoCohortEntry {
                board,
                entry,
                run_id,
            } => write!(
                f,
                "no candidate has a result for {entry} with board {board} in the latest run \
                 (run {run_id}); check the board and entry code"
            ),
            Refusal::NotForEntry { service, entry } => write!(
                f,
                "{service} is for A level and level 3 entries only, and {entry} is not one \
                 (its results came on the GCSE results day)"
            ),
            Refusal::NotOffered { service, series } => write!(
                f,
                "{service} is not offered in {series}: the series calendar has no deadline \
                 for it"
            ),
            Refusal::BeforeResults {
                requested_on,
                day,
                date,
            } => write!(
                f,
                "requested on {requested_on}, before the {} results day {date}",
                day_name(*day)
            ),
            Refusal::Late {
                service,
                requested_on,
                deadline,
            } => write!(
                f,
                "requested on {requested_on}, after the {service} deadline {deadline}; late \
                 requests are not accepted"
            ),
            Refusal::NoConsent(s) => write!(
                f,
                "no consent date; {s} needs the candidate's written consent, taken after results"
            ),
            Refusal::ConsentBeforeResults {
                consent_on,
                day,
                date,
            } => write!(
                f,
                "consent dated {consent_on} is before the {} results day {date}; consent must \
                 be taken after results",
                day_name(*day)
            ),
            Refusal::ConsentAfterRequest {
                consent_on,
                requested_on,
            } => write!(
                f,
                "consent dated {consent_on} is after the request on {requested_on}; consent \
                 must be taken before the request is made"
            ),
            Refusal::AlreadyReviewed {
                component,
                entry,
                candidate,
                other,
                other_service,
            } => {
                let what = if component.is_empty() {
                    format!("{entry} for candidate {candidate}")
                } else {
                    format!("component {component} of {entry} for candidate {candidate}")
                };
                write!(
                    f,
                    "{what} already has a review ({other}, {other_service}); a component may \
                     be reviewed once"
                )
            }
        }
    }
}

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

pub use crate::rules::calendar::{parse_date as parse_iso_date, same_series, series_id_of};

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

// ---------------------------------------------------------------------------------------------
// The log
// ---------------------------------------------------------------------------------------------

/// A request as the log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub id: i64,
    pub reference: String,
    pub centre: String,
    pub series: String,
    pub candidate_number: String,
    pub board: String,
    pub entry_code: String,
    pub component_code: String,
    pub service: Service,
    pub requested_on: NaiveDate,
    pub consent_on: Option<NaiveDate>,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub outcome_on: Option<NaiveDate>,
    pub old_grade: Option<String>,
    pub new_grade: Option<String>,
    pub old_mark: Option<i64>,
    pub new_mark: Option<i64>,
    pub fee_pence: Option<i64>,
    pub refund_due: Option<bool>,
    pub keep_consent_until: Option<NaiveDate>,
    pub linked_run_id: Option<i64>,
    pub created_at: String,
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Stores checked requests, all or none, in one transaction.
pub fn store_requests(
    conn: &mut Connection,
    requests: &[Request],
    created_at: &str,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    insert_requests(&tx, requests, created_at)?;
    tx.commit()
}

/// Inserts requests through a connection the caller holds a transaction on.
pub fn insert_requests(
    conn: &Connection,
    requests: &[Request],
    created_at: &str,
) -> rusqlite::Result<()> {
    let mut insert = conn.prepare(
        "INSERT INTO prs_requests (reference, centre, series, candidate_number, board,
             entry_code, component_code, service, requested_on, consent_on, fee_pence,
             created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for r in requests {
        insert.execute(params![
            r.reference,
            r.centre,
            r.series,
            r.candidate_number,
            r.board,
            r.entry_code,
            r.component_code,
            r.service.as_str(),
            date_text(r.requested_on),
            r.consent_on.map(date_text),
            r.fee_pence,
            created_at,
        ])?;
    }
    Ok(())
}

const LOG_COLUMNS: &str = "id, reference, centre, series, candidate_number, board, entry_code,
    component_code, service, requested_on, consent_on, status, outcome, outcome_on, old_grade,
    new_grade, old_mark, new_mark, fee_pence, refund_due, keep_consent_until, linked_run_id,
    created_at";

/// The log, oldest first: every request, or those with one status, of every centre or one.
pub fn read_log(
    conn: &Connection,
    status: Option<Status>,
    centre: Option<&str>,
) -> rusqlite::Result<Vec<LoggedRequest>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {LOG_COLUMNS} FROM prs_requests
         WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR centre = ?2)
         ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![status.map(Status::as_str), centre], logged_from_row)?;
    rows.collect()
}

/// One request by its reference.
pub fn find_request(conn: &Connection, reference: &str) -> rusqlite::Result<Option<LoggedRequest>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {LOG_COLUMNS} FROM prs_requests WHERE reference = ?1"
    ))?;
    let mut rows = stmt.query_map([reference.trim()], logged_from_row)?;
    rows.next().transpose()
}

fn unreadable(column: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        Box::<dyn std::error::Error + Send + Sync>::from(what),
    )
}

fn date_at(row: &Row, column: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let Some(text) = row.get::<_, Option<String>>(column)? else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| unreadable(column, format!("'{text}' is not a date")))
}

fn logged_from_row(r: &Row) -> rusqlite::Result<LoggedRequest> {
    let service: String = r.get(8)?;
    let status: String = r.get(11)?;
    let outcome: Option<String> = r.get(12)?;
    Ok(LoggedRequest {
        id: r.get(0)?,
        reference: r.get(1)?,
        centre: r.get(2)?,
        series: r.get(3)?,
        candidate_number: r.get(4)?,
        board: r.get(5)?,
        entry_code: r.get(6)?,
        component_code: r.get(7)?,
        service: Service::parse(&service)
            .ok_or_else(|| unreadable(8, format!("'{service}' is not a service")))?,
        requested_on: date_at(r, 9)?.ok_or_else(|| unreadable(9, "no request date".to_string()))?,
        consent_on: date_at(r, 10)?,
        status: match status.as_str() {
            "open" => Status::Open,
            "completed" => Status::Completed,
            other => return Err(unreadable(11, format!("'{other}' is not a status"))),
        },
        outcome: match outcome {
            None => None,
            Some(text) => Some(
                Outcome::parse(&text)
                    .ok_or_else(|| unreadable(12, format!("'{text}' is not an outcome")))?,
            ),
        },
        outcome_on: date_at(r, 13)?,
        old_grade: r.get(14)?,
        new_grade: r.get(15)?,
        old_mark: r.get(16)?,
        new_mark: r.get(17)?,
        fee_pence: r.get(18)?,
        refund_due: r.get(19)?,
        keep_consent_until: date_at(r, 20)?,
        linked_run_id: r.get(21)?,
        created_at: r.get(22)?,
    })
}

/// An outcome to record on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRecord {
    pub outcome: Outcome,
    pub on: NaiveDate,
    pub old_grade: Option<String>,
    pub new_grade: Option<String>,
    pub old_mark: Option<i64>,
    pub new_mark: Option<i64>,
    /// The run whose results showed it; `None` when recorded by hand.
    pub linked_run_id: Option<i64>,
}

/// Closes a request with its outcome, and sets what follows from it: whether a refund is due,
/// and how long the consent form is kept (none is kept where none was taken).
pub fn record_outcome(
    conn: &Connection,
    request: &LoggedRequest,
    record: &OutcomeRecord,
) -> rusqlite::Result<()> {
    let refund = refund_due(request.service, record.outcome);
    let keep = request.consent_on.map(|_| keep_consent_until(record.on));
    conn.execute(
        "UPDATE prs_requests SET status = 'completed', outcome = ?2, outcome_on = ?3,
             old_grade = ?4, new_grade = ?5, old_mark = ?6, new_mark = ?7, refund_due = ?8,
             keep_consent_until = ?9, linked_run_id = ?10
         WHERE id = ?1",
        params![
            request.id,
            record.outcome.as_str(),
            date_text(record.on),
            record.old_grade,
            record.new_grade,
            record.old_mark,
            record.new_mark,
            refund,
            keep.map(date_text),
            record.linked_run_id,
        ],
    )?;
    Ok(())
}

/// Answers open requests with a re-run's changes. Called inside the run's transaction, so the
/// run and its answers are saved together or not at all.
///
/// For each change that moved a grade or a mark (`up`, `down`, `same`), every open clerical
/// re-check, review of marking or review of moderation of the same centre, series, candidate,
/// board and entry, requested on or before `outcome_on`, is closed with the outcome the change
/// shows, its grades and marks, `refund_due`, `keep_consent_until` and the run; the change gets
/// the references (joined with `;`) and whether a refund is due (yes when any of them is). A
/// review of moderation cannot lower a grade, so a fall does not answer one. New and removed
/// results answer nothing, and `confirmed` is never inferred. Returns how many requests were
/// closed.
pub fn answer_changes(
    conn: &rusqlite::Connection,
    centre: &str,
    series: &str,
    run_id: i64,
    outcome_on: NaiveDate,
    changes: &mut [Change],
) -> rusqlite::Result<usize> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {LOG_COLUMNS} FROM prs_requests
         WHERE centre = ?1 AND candidate_number = ?2 AND board = ?3 AND entry_code = ?4
           AND status = 'open'
         ORDER BY reference"
    ))?;
    let mut closed = 0;
    for change in changes.iter_mut() {
        let Some(outcome) = outcome_of_change(change.direction) else {
            continue;
        };
        let open: Vec<LoggedRequest> = stmt
            .query_map(
                params![
                    centre,
                    change.candidate_number,
                    change.board,
                    change.entry_code
                ],
                logged_from_row,
            )?
            .collect::<rusqlite::Result<_>>()?;
        let mut references = Vec::new();
        let mut refund = None;
        for request in open {
            if !request.service.answered_by_results()
                || !same_series(&request.series, series)
                || request.requested_on > outcome_on
                || (request.service == Service::S3 && outcome == Outcome::GradeLowered)
            {
                continue;
            }
            record_outcome(
                conn,
                &request,
                &OutcomeRecord {
                    outcome,
                    on: outcome_on,
                    old_grade: Some(change.old_grade.clone()),
                    new_grade: Some(change.new_grade.clone()),
                    old_mark: change.old_mark.map(i64::from),
                    new_mark: change.new_mark.map(i64::from),
                    linked_run_id: Some(run_id),
                },
            )?;
            let due = refund_due(request.service, outcome).unwrap_or(false);
            refund = Some(refund.unwrap_or(false) || due);
            references.push(request.reference);
            closed += 1;
        }
        if !references.is_empty() {
            change.prs_request = Some(references.join(";"));
            change.refund_due = refund;
        }
    }
    Ok(closed)
}

/// Marks each change with the requests a given run answered for it (by [`answer_changes`]) and
/// whether a refund is due: for `resultsday diff`, which compares stored runs and changes
/// nothing in the log.
pub fn annotate_changes(
    conn: &rusqlite::Connection,
    run_id: i64,
    changes: &mut [Change],
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {LOG_COLUMNS} FROM prs_requests
         WHERE linked_run_id = ?1 AND candidate_number = ?2 AND board = ?3 AND entry_code = ?4
         ORDER BY reference"
    ))?;
    for change in changes.iter_mut() {
        let answered: Vec<LoggedRequest> = stmt
            .query_map(
                params![
                    run_id,
                    change.candidate_number,
                    change.board,
                    change.entry_code
                ],
                logged_from_row,
            )?
            .collect::<rusqlite::Result<_>>()?;
        if answered.is_empty() {
            continue;
        }
        let references: Vec<&str> = answered.iter().map(|r| r.reference.as_str()).collect();
        change.prs_request = Some(references.join(";"));
        change.refund_due = Some(answered.iter().any(|r| r.refund_due == Some(true)));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// What is due
// ---------------------------------------------------------------------------------------------

/// Something in the log that needs the exams officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DueItem {
    /// No outcome, and the expected completion has passed: chase the board.
    Overdue {
        request: LoggedRequest,
        expected: NaiveDate,
    },
    /// An outcome whose appeal window closes within [`DUE_SOON_DAYS`].
    AppealClosing {
        request: LoggedRequest,
        closes: NaiveDate,
    },
}

/// What is due on `as_of`: open requests past their expected completion, then completed reviews
/// whose appeal window closes within a week, each in log order.
pub fn due(requests: &[LoggedRequest], catalogue: &Catalogue, as_of: NaiveDate) -> Vec<DueItem> {
    let mut overdue = Vec::new();
    let mut appeals = Vec::new();
    for r in requests {
        let expected = expected_completion(catalogue.rule(r.service), r.requested_on);
        if r.status == Status::Open && is_overdue(expected, r.outcome.is_some(), as_of) {
            if let Some(expected) = expected {
                overdue.push(DueItem::Overdue {
                    request: r.clone(),
                    expected,
                });
            }
        }
        if let (Status::Completed, Some(on)) = (r.status, r.outcome_on) {
            if r.service.can_be_appealed() && appeal_window_closing(on, as_of) {
                appeals.push(DueItem::AppealClosing {
                    request: r.clone(),
                    closes: appeal_window_closes(on),
                });
            }
        }
    }
    overdue.extend(appeals);
    overdue
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;
    use crate::rules::calendar::Calendar;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn result(candidate: &str, board: &str, entry: &str, day: ResultsDay) -> CandidateResult {
        CandidateResult {
            board: board.into(),
            centre: "14520".into(),
            candidate_number: candidate.into(),
            uci: String::new(),
            name: "SMITH:ANN".into(),
            entry_code: entry.into(),
            syllabus_code: None,
            title: String::new(),
            qualification: match day {
                ResultsDay::Gce => "GCE A".into(),
                ResultsDay::Gcse => "GCSE".into(),
            },
            level: Some(match day {
                ResultsDay::Gce => 3,
                ResultsDay::Gcse => 2,
            }),
            gradeset: None,
            is_award: true,
            grade: parsers::Grade::parse("5"),
            grade2: None,
            mark: Some(120),
            max_mark: None,
            endorsement: None,
            components: vec![],
            results_day: day,
            source: Source::default(),
        }
    }

    /// A centre with a GCSE entry (0013 AQA 8700) and an A level entry (0102 AQA 7402).
    fn entries() -> Entries {
        Entries::from_results(&[
            result("0013", "70", "8700", ResultsDay::Gcse),
            result("0014", "70", "8700", ResultsDay::Gcse),
            result("0102", "70", "7402", ResultsDay::Gce),
        ])
    }

    struct Fixture {
        dates: SeriesDates,
        catalogue: Catalogue,
        fees: FeeTable,
        entries: Entries,
    }

    impl Fixture {
        fn new(series: &str) -> Fixture {
            Fixture {
                dates: Calendar::builtin().get(series).unwrap().clone(),
                catalogue: Catalogue::builtin(),
                fees: FeeTable::builtin(),
                entries: entries(),
            }
        }

        fn ctx(&self, series: &'static str) -> RequestContext<'_> {
            RequestContext {
                centre: "14520",
                series,
                dates: &self.dates,
                catalogue: &self.catalogue,
                fees: &self.fees,
                entries: &self.entries,
                run_id: 1,
            }
        }
    }

    fn june() -> Fixture {
        Fixture::new("2026-06")
    }

    fn row(
        candidate: &str,
        entry: &str,
        component: &str,
        service: &str,
        requested: &str,
        consent: &str,
    ) -> RequestRow {
        RequestRow {
            reference: "REF-1".into(),
            candidate_number: candidate.into(),
            board: "70".into(),
            entry_code: entry.into(),
            component_code: component.into(),
            service: service.into(),
            requested_on: requested.into(),
            consent_on: consent.into(),
        }
    }

    fn check(f: &Fixture, r: &RequestRow) -> Result<Request, Refusal> {
        check_request(r, &f.ctx("6A26"), &LogIndex::new())
    }

    // --- the tables ---------------------------------------------------------------------

    #[test]
    fn the_builtin_tables_read() {
        let c =
            Catalogue::from_csv("built-in services.csv", DEFAULT_SERVICES_CSV.as_bytes()).unwrap();
        assert_eq!(c.rules().len(), 7);
        for (rule, service) in c.rules().iter().zip(Service::ALL) {
            assert_eq!(rule.service, service);
        }
        FeeTable::from_csv("built-in fees.csv", DEFAULT_FEES_CSV.as_bytes()).unwrap();
    }

    #[test]
    fn the_catalogue_holds_the_rules_of_section_1() {
        let c = Catalogue::builtin();
        let days = |s| c.rule(s).completion_days;
        assert_eq!(days(Service::S1), Some(10));
        assert_eq!(days(Service::S2), Some(20));
        assert_eq!(days(Service::S2P), Some(15));
        assert_eq!(days(Service::S3), Some(35));
        assert!(!c.rule(Service::S3).consent_required);
        for s in [
            Service::S1,
            Service::S2,
            Service::S2P,
            Service::AtsR,
            Service::AtsT,
        ] {
            assert!(c.rule(s).consent_required, "{s}");
        }
        assert_eq!(c.rule(Service::S3).grade_can_fall, Some(false));
        assert_eq!(c.rule(Service::S2).grade_can_fall, Some(true));
        assert_eq!(c.rule(Service::S2P).deadline, DeadlineField::PriorityS2);
        assert_eq!(c.rule(Service::AtsT).deadline, DeadlineField::Ats);
        assert_eq!(c.rule(Service::AtsP).deadline, DeadlineField::Ror);
    }

    #[test]
    fn a_catalogue_must_have_every_service_once() {
        let header = "id,name,consent_required,completion_days,grade_can_fall,deadline,status\n";
        let one = "S1,Clerical re-check,yes,10,yes,ror_deadline,confirmed\n";
        let e =
            Catalogue::from_csv("services.csv", format!("{header}{one}").as_bytes()).unwrap_err();
        assert!(e.to_string().contains("no row for S2"), "{e}");
        let e = Catalogue::from_csv("services.csv", format!("{header}{one}{one}").as_bytes())
            .unwrap_err();
        assert_eq!(e.line, Some(3));
        let bad = "S1,Clerical re-check,perhaps,10,yes,ror_deadline,confirmed\n";
        let e =
            Catalogue::from_csv("services.csv", format!("{header}{bad}").as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "services.csv line 2: consent_required 'perhaps' is not yes or no"
        );
    }

    #[test]
    fn a_centre_catalogue_changes_a_completion_target() {
        let text = DEFAULT_SERVICES_CSV.replace(
            "S1,Clerical re-check,yes,10,",
            "S1,Clerical re-check,yes,12,",
        );
        let c = Catalogue::from_csv("services.csv", text.as_bytes()).unwrap();
        assert_eq!(c.rule(Service::S1).completion_days, Some(12));
    }

    #[test]
    fn fees_follow_board_qualification_and_year() {
        let fees = FeeTable::builtin();
        let fee = |board, s, day, year| fees.fee_for(board, s, day, year).map(|f| f.fee_pence);
        // AQA's own pages (2024/25) serve June 2026 until a newer list is added.
        assert_eq!(
            fee("70", Service::S2, ResultsDay::Gcse, "2025/26"),
            Some(4200)
        );
        assert_eq!(
            fee("70", Service::S2, ResultsDay::Gce, "2025/26"),
            Some(4865)
        );
        assert_eq!(
            fee("70", Service::S1, ResultsDay::Gce, "2025/26"),
            Some(870)
        );
        assert_eq!(
            fee("70", Service::S2P, ResultsDay::Gce, "2025/26"),
            Some(5785)
        );
        assert_eq!(
            fee("70", Service::S3, ResultsDay::Gcse, "2025/26"),
            Some(24250)
        );
        assert_eq!(
            fee("70", Service::S3, ResultsDay::Gce, "2025/26"),
            Some(27030)
        );
        // An older series takes the next list when there is none for its year.
        assert_eq!(
            fee("70", Service::S2, ResultsDay::Gcse, "2023/24"),
            Some(4200)
        );
        // OCR: the 2024 and 2026 school lists.
        assert_eq!(
            fee("01", Service::S2, ResultsDay::Gcse, "2023/24"),
            Some(6500)
        );
        assert_eq!(
            fee("01", Service::S2, ResultsDay::Gcse, "2024/25"),
            Some(6500)
        );
        assert_eq!(
            fee("01", Service::S2, ResultsDay::Gcse, "2025/26"),
            Some(7000)
        );
        assert_eq!(fee("99", Service::S2, ResultsDay::Gcse, "2025/26"), None);
        assert!(
            fees.fee_for("70", Service::S2, ResultsDay::Gcse, "2025/26")
                .unwrap()
                .verified
        );
        assert!(
            !fees
                .fee_for("01", Service::S2, ResultsDay::Gcse, "2025/26")
                .unwrap()
                .verified
        );
    }

    #[test]
    fn academic_years_run_september_to_august() {
        assert_eq!(academic_year("2026-06").as_deref(), Some("2025/26"));
        assert_eq!(academic_year("2025-11").as_deref(), Some("2025/26"));
        assert_eq!(academic_year("2026-01").as_deref(), Some("2025/26"));
        assert_eq!(academic_year("2099-09").as_deref(), Some("2099/00"));
        assert_eq!(academic_year("6A26"), None);
    }

    #[test]
    fn pounds_have_two_decimals() {
        assert_eq!(pounds(4200), "42.00");
        assert_eq!(pounds(870), "8.70");
        assert_eq!(pounds(5), "0.05");
    }

    #[test]
    fn spreadsheet_numbers_get_their_zeros_back() {
        assert_eq!(normalise_candidate("13"), "0013");
        assert_eq!(normalise_candidate("0013"), "0013");
        assert_eq!(normalise_candidate(""), "");
        assert_eq!(normalise_board("1"), "01");
        assert_eq!(normalise_board("70"), "70");
    }

    #[test]
    fn series_codes_and_ids_name_the_same_series() {
        assert!(same_series("6A26", "2026-06"));
        assert!(same_series("6A26", "6a26"));
        assert!(!same_series("6A26", "BG25"));
    }

    #[test]
    fn dates_are_written_in_full() {
        assert_eq!(parse_iso_date("2026-08-20"), Some(d("2026-08-20")));
        assert_eq!(parse_iso_date("2026-8-20"), None);
        assert_eq!(parse_iso_date("20/08/2026"), None);
        assert_eq!(parse_iso_date("2026-02-30"), None);
    }

    // --- deadlines ----------------------------------------------------------------------

    #[test]
    fn a_request_on_the_deadline_day_is_accepted_and_the_day_after_refused() {
        let f = june(); // RoR deadline Thu 24 Sep 2026
        assert!(check(
            &f,
            &row("0013", "8700", "87001", "S2", "2026-09-24", "2026-08-21")
        )
        .is_ok());
        assert_eq!(
            check(
                &f,
                &row("0013", "8700", "87001", "S2", "2026-09-25", "2026-08-21")
            ),
            Err(Refusal::Late {
                service: Service::S2,
                requested_on: d("2026-09-25"),
                deadline: d("2026-09-24"),
            })
        );
        for s in ["S1", "S3"] {
            assert!(check(
                &f,
                &row("0013", "8700", "87001", s, "2026-09-24", "2026-08-21")
            )
            .is_ok());
            assert!(matches!(
                check(
                    &f,
                    &row("0013", "8700", "87001", s, "2026-09-25", "2026-08-21")
                ),
                Err(Refusal::Late { .. })
            ));
        }
    }

    #[test]
    fn priority_reviews_close_on_the_priority_deadline_in_june() {
        let f = june(); // priority S2 deadline Thu 20 Aug 2026
        assert!(check(
            &f,
            &row("0102", "7402", "74022", "S2P", "2026-08-20", "2026-08-13")
        )
        .is_ok());
        let late = check(
            &f,
            &row("0102", "7402", "74022", "S2P", "2026-08-21", "2026-08-13"),
        );
        assert_eq!(
            late.unwrap_err().to_string(),
            "requested on 2026-08-21, after the S2P deadline 2026-08-20; late requests are not \
             accepted"
        );
    }

    #[test]
    fn priority_reviews_are_not_offered_in_november() {
        let f = Fixture::new("2025-11");
        let r = check_request(
            &row("0102", "7402", "74022", "S2P", "2026-01-09", "2026-01-08"),
            &f.ctx("BG25"),
            &LogIndex::new(),
        );
        assert_eq!(
            r,
            Err(Refusal::NotOffered {
                service: Service::S2P,
                series: "November 2025".into()
            })
        );
        // An ordinary review is.
        let r = check_request(
            &row("0102", "7402", "74022", "S2", "2026-01-09", "2026-01-08"),
            &f.ctx("BG25"),
            &LogIndex::new(),
        );
        assert!(r.is_ok(), "{r:?}");
    }

    #[test]
    fn priority_reviews_are_for_a_level_and_level_3_only() {
        let f = june();
        assert_eq!(
            check(
                &f,
                &row("0013", "8700", "87001", "S2P", "2026-08-20", "2026-08-20")
            ),
            Err(Refusal::NotForEntry {
                service: Service::S2P,
                entry: "8700".into()
            })
        );
    }

    #[test]
    fn script_copies_close_on_the_ats_deadline_and_reviewed_copies_with_the_reviews() {
        let mut f = june();
        f.dates.ats_deadline = Some(d("2026-10-30"));
        f.dates.ror_deadline = d("2026-09-24");
        let rule = |s| f.catalogue.rule(s).clone();
        assert_eq!(
            deadline(&rule(Service::AtsT), &f.dates),
            Some(d("2026-10-30"))
        );
        assert_eq!(
            deadline(&rule(Service::AtsR), &f.dates),
            Some(d("2026-10-30"))
        );
        assert_eq!(
            deadline(&rule(Service::AtsP), &f.dates),
            Some(d("2026-09-24"))
        );
        assert!(check(
            &f,
            &row("0013", "8700", "", "ATS-T", "2026-10-30", "2026-08-20")
        )
        .is_ok());
        assert!(check(
            &f,
            &row("0013", "8700", "", "ATS-T", "2026-10-31", "2026-08-20")
        )
        .is_err());
        assert!(check(
            &f,
            &row("0013", "8700", "", "ATS-P", "2026-09-25", "2026-08-20")
        )
        .is_err());
        // No ATS date in the calendar: JCQ's general deadline, the RoR deadline.
        f.dates.ats_deadline = None;
        assert_eq!(
            deadline(&f.catalogue.rule(Service::AtsT).clone(), &f.dates),
            Some(d("2026-09-24"))
        );
    }

    #[test]
    fn a_request_cannot_come_before_results() {
        let f = june();
        assert_eq!(
            check(&f, &row("0013", "8700", "87001", "S3", "2026-08-19", "")),
            Err(Refusal::BeforeResults {
                requested_on: d("2026-08-19"),
                day: ResultsDay::Gcse,
                date: d("2026-08-20"),
            })
        );
    }

    // --- consent ------------------------------------------------------------------------

    #[test]
    fn consent_on_the_results_day_is_accepted_and_the_day_before_refused() {
        let f = june();
        // GCSE: 20 Aug 2026.
        assert!(check(
            &f,
            &row("0013", "8700", "87001", "S2", "2026-08-24", "2026-08-20")
        )
        .is_ok());
        assert_eq!(
            check(
                &f,
                &row("0013", "8700", "87001", "S2", "2026-08-24", "2026-08-19")
            ),
            Err(Refusal::ConsentBeforeResults {
                consent_on: d("2026-08-19"),
                day: ResultsDay::Gcse,
                date: d("2026-08-20"),
            })
        );
        // GCE: 13 Aug 2026.
        assert!(check(
            &f,
            &row("0102", "7402", "74022", "S2", "2026-08-14", "2026-08-13")
        )
        .is_ok());
        assert!(matches!(
            check(
                &f,
                &row("0102", "7402", "74022", "S2", "2026-08-14", "2026-08-12")
            ),
            Err(Refusal::ConsentBeforeResults {
                day: ResultsDay::Gce,
                ..
            })
        ));
    }

    #[test]
    fn the_gce_day_does_not_count_for_a_gcse_entry() {
        let f = june();
        let r = check(
            &f,
            &row("0013", "8700", "87001", "S2", "2026-08-21", "2026-08-13"),
        );
        assert_eq!(
            r.unwrap_err().to_string(),
            "consent dated 2026-08-13 is before the GCSE results day 2026-08-20; consent must be \
             taken after results"
        );
    }

    #[test]
    fn consent_may_be_dated_the_day_of_the_request_but_not_after() {
        let f = june();
        assert!(check(
            &f,
            &row("0013", "8700", "87001", "S1", "2026-08-24", "2026-08-24")
        )
        .is_ok());
        assert_eq!(
            check(
                &f,
                &row("0013", "8700", "87001", "S1", "2026-08-24", "2026-08-25")
            ),
            Err(Refusal::ConsentAfterRequest {
                consent_on: d("2026-08-25"),
                requested_on: d("2026-08-24"),
            })
        );
    }

    #[test]
    fn reviews_and_scripts_need_consent_and_moderation_does_not() {
        let f = june();
        for s in ["S1", "S2", "ATS-R", "ATS-T", "ATS-P"] {
            assert_eq!(
                check(&f, &row("0013", "8700", "87001", s, "2026-08-24", "")),
                Err(Refusal::NoConsent(Service::parse(s).unwrap())),
                "{s}"
            );
        }
        let r = check(&f, &row("0013", "8700", "87001", "S3", "2026-08-24", "")).unwrap();
        assert_eq!(r.consent_on, None);
    }

    // --- the entry, the cohort, the component -------------------------------------------

    #[test]
    fn the_entry_must_have_a_result_in_the_latest_run() {
        let f = june();
        assert!(matches!(
            check(
                &f,
                &row("0099", "8700", "87001", "S2", "2026-08-24", "2026-08-21")
            ),
            Err(Refusal::NoEntry { .. })
        ));
        assert!(matches!(
            check(
                &f,
                &row("0013", "8702", "87021", "S2", "2026-08-24", "2026-08-21")
            ),
            Err(Refusal::NoEntry { .. })
        ));
        // Leading zeros a spreadsheet dropped come back.
        let r = check(
            &f,
            &row("13", "8700", "87001", "S2", "2026-08-24", "2026-08-21"),
        )
        .unwrap();
        assert_eq!(r.candidate_number, "0013");
    }

    #[test]
    fn moderation_may_be_for_the_whole_cohort_of_an_entry() {
        let f = june();
        let r = check(&f, &row("", "8700", "87003", "S3", "2026-09-10", "")).unwrap();
        assert_eq!(r.candidate_number, "");
        assert_eq!(r.results_day, ResultsDay::Gcse);
        assert!(check(&f, &row("0013", "8700", "87003", "S3", "2026-09-10", "")).is_ok());
        assert!(matches!(
            check(&f, &row("", "8145", "81451", "S3", "2026-09-10", "")),
            Err(Refusal::NoCohortEntry { .. })
        ));
        assert_eq!(
            check(
                &f,
                &row("", "8700", "87001", "S2", "2026-09-10", "2026-09-01")
            ),
            Err(Refusal::NoCandidate(Service::S2))
        );
    }

    #[test]
    fn a_component_is_reviewed_once() {
        let f = june();
        let ctx = f.ctx("6A26");
        let mut log = LogIndex::new();
        let first = check_request(
            &row("0013", "8700", "87001", "S1", "2026-08-24", "2026-08-21"),
            &ctx,
            &log,
        )
        .unwrap();
        log.add(&first);
        let mut again = row("0013", "8700", "87001", "S2", "2026-08-25", "2026-08-21");
        again.reference = "REF-2".into();
        let e = check_request(&again, &ctx, &log).unwrap_err();
        assert_eq!(
            e.to_string(),
            "component 87001 of 8700 for candidate 0013 already has a review (REF-1, S1); a \
             component may be reviewed once"
        );
        // Another component, another candidate, or a script copy are fine.
        again.component_code = "87002".into();
        assert!(check_request(&again, &ctx, &log).is_ok());
        again.component_code = "87001".into();
        again.candidate_number = "0014".into();
        assert!(check_request(&again, &ctx, &log).is_ok());
        again.candidate_number = "0013".into();
        again.service = "ATS-P".into();
        assert!(check_request(&again, &ctx, &log).is_ok());
        // A review of the whole entry covers every component.
        again.service = "S2".into();
        again.component_code = String::new();
        assert!(matches!(
            check_request(&again, &ctx, &log),
            Err(Refusal::AlreadyReviewed { .. })
        ));
        // And the reference may not come back.
        let mut same = row("0014", "8700", "87009", "S2", "2026-08-24", "2026-08-21");
        same.reference = "REF-1".into();
        assert_eq!(
            check_request(&same, &ctx, &log),
            Err(Refusal::DuplicateReference("REF-1".into()))
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let f = june();
        assert_eq!(
            check(
                &f,
                &row("0013", "8700", "", "S4", "2026-08-24", "2026-08-21")
            )
            .unwrap_err()
            .to_string(),
            "service 'S4' is not one of S1, S2, S2P, S3, ATS-R, ATS-T, ATS-P"
        );
        assert_eq!(
            check(
                &f,
                &row("0013", "8700", "", "S2", "24/08/2026", "2026-08-21")
            )
            .unwrap_err()
            .to_string(),
            "requested_on '24/08/2026' is not a date; expected YYYY-MM-DD"
        );
        let mut r = row("0013", "8700", "", "S2", "2026-08-24", "2026-08-21");
        r.reference = " ".into();
        assert_eq!(check(&f, &r), Err(Refusal::NoReference));
    }

    #[test]
    fn a_checked_request_carries_its_fee() {
        let f = june();
        let r = check(
            &f,
            &row("0013", "8700", "87001", "S2", "2026-08-24", "2026-08-21"),
        )
        .unwrap();
        assert_eq!(r.fee_pence, Some(4200));
        let r = check(
            &f,
            &row("0102", "7402", "74022", "S2", "2026-08-24", "2026-08-21"),
        )
        .unwrap();
        assert_eq!(r.fee_pence, Some(4865));
    }

    // --- completion, appeals, consent retention -----------------------------------------

    #[test]
    fn completion_is_expected_10_20_15_and_35_days_after_the_request() {
        let c = Catalogue::builtin();
        let on = d("2026-08-24");
        let expected = |s| expected_completion(c.rule(s), on);
        assert_eq!(expected(Service::S1), Some(d("2026-09-03")));
        assert_eq!(expected(Service::S2), Some(d("2026-09-13")));
        assert_eq!(expected(Service::S2P), Some(d("2026-09-08")));
        assert_eq!(expected(Service::S3), Some(d("2026-09-28")));
        assert_eq!(expected(Service::AtsR), None);
    }

    #[test]
    fn a_request_is_overdue_from_the_day_after_its_expected_completion() {
        let expected = Some(d("2026-09-13"));
        assert!(!is_overdue(expected, false, d("2026-09-13")));
        assert!(is_overdue(expected, false, d("2026-09-14")));
        assert!(!is_overdue(expected, true, d("2026-09-14")));
        assert!(!is_overdue(None, false, d("2027-01-01")));
    }

    #[test]
    fn the_appeal_window_is_open_30_days_after_the_outcome() {
        let on = d("2026-09-17");
        assert_eq!(appeal_window_closes(on), d("2026-10-17"));
        assert!(appeal_window_open(on, d("2026-10-17")));
        assert!(!appeal_window_open(on, d("2026-10-18")));
        // `prs due` warns in the last 7 days.
        assert!(!appeal_window_closing(on, d("2026-10-09")));
        assert!(appeal_window_closing(on, d("2026-10-10")));
        assert!(appeal_window_closing(on, d("2026-10-17")));
        assert!(!appeal_window_closing(on, d("2026-10-18")));
    }

    #[test]
    fn consent_is_kept_six_calendar_months_after_the_outcome() {
        assert_eq!(keep_consent_until(d("2026-09-17")), d("2027-03-17"));
        assert_eq!(keep_consent_until(d("2026-08-31")), d("2027-02-28"));
        assert_eq!(keep_consent_until(d("2027-08-31")), d("2028-02-29"));
        assert_eq!(keep_consent_until(d("2027-08-29")), d("2028-02-29"));
        assert_eq!(keep_consent_until(d("2026-03-31")), d("2026-09-30"));
        assert_eq!(keep_consent_until(d("2026-12-31")), d("2027-06-30"));
    }

    // --- outcomes and refunds -----------------------------------------------------------

    #[test]
    fn a_grade_change_either_way_waives_a_review_fee_and_a_mark_change_does_not() {
        for s in [Service::S1, Service::S2, Service::S2P] {
            assert_eq!(refund_due(s, Outcome::GradeRaised), Some(true), "{s}");
            assert_eq!(refund_due(s, Outcome::GradeLowered), Some(true), "{s}");
            assert_eq!(refund_due(s, Outcome::MarkChanged), Some(false), "{s}");
            assert_eq!(refund_due(s, Outcome::Confirmed), Some(false), "{s}");
        }
    }

    #[test]
    fn moderation_is_free_only_when_the_centre_marks_are_reinstated() {
        assert_eq!(
            refund_due(Service::S3, Outcome::CentreMarksReinstated),
            Some(true)
        );
        assert_eq!(
            refund_due(Service::S3, Outcome::ModeratedMarksConfirmed),
            Some(false)
        );
        assert_eq!(refund_due(Service::S3, Outcome::GradeRaised), Some(false));
        assert_eq!(refund_due(Service::S3, Outcome::MarkChanged), Some(false));
    }

    #[test]
    fn script_copies_raise_no_fee_question() {
        for s in [Service::AtsR, Service::AtsT, Service::AtsP] {
            assert_eq!(refund_due(s, Outcome::ScriptReceived), None);
        }
    }

    #[test]
    fn changes_give_outcomes_and_never_confirmed() {
        assert_eq!(outcome_of_change(Direction::Up), Some(Outcome::GradeRaised));
        assert_eq!(
            outcome_of_change(Direction::Down),
            Some(Outcome::GradeLowered)
        );
        assert_eq!(
            outcome_of_change(Direction::Same),
            Some(Outcome::MarkChanged)
        );
        assert_eq!(outcome_of_change(Direction::New), None);
        assert_eq!(outcome_of_change(Direction::Removed), None);
    }

    #[test]
    fn outcomes_fit_their_service() {
        let c = Catalogue::builtin();
        let ok = |s, o| check_outcome(c.rule(s), o).is_ok();
        assert!(ok(Service::S2, Outcome::Confirmed));
        assert!(ok(Service::S2, Outcome::GradeLowered));
        assert!(!ok(Service::S2, Outcome::CentreMarksReinstated));
        assert!(!ok(Service::S2, Outcome::ScriptReceived));
        assert!(ok(Service::S3, Outcome::CentreMarksReinstated));
        assert!(ok(Service::S3, Outcome::ModeratedMarksConfirmed));
        assert!(!ok(Service::S3, Outcome::GradeLowered));
        assert!(ok(Service::AtsT, Outcome::ScriptReceived));
        assert!(!ok(Service::AtsT, Outcome::Confirmed));
    }

    // --- the log --------------------------------------------------------------------------

    fn store() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        for m in crate::store::MIGRATIONS {
            conn.execute_batch(m).unwrap();
        }
        conn.execute(
            "INSERT INTO runs (id, started_at, finished_at, as_of, centre, series,
                 resultsday_version, counts_json, elapsed_ms)
             VALUES (7, '', '', '', '14520', '6A26', '', '{}', 0)",
            [],
        )
        .unwrap();
        conn
    }

    fn change(candidate: &str, entry: &str, direction: Direction) -> Change {
        Change {
            candidate_number: candidate.into(),
            uci: String::new(),
            name: String::new(),
            board: "70".into(),
            entry_code: entry.into(),
            title: String::new(),
            old_grade: "5".into(),
            new_grade: "6".into(),
            old_mark: Some(100),
            new_mark: Some(108),
            direction,
            prs_request: None,
            refund_due: None,
        }
    }

    #[test]
    fn a_change_closes_every_open_review_of_the_entry() {
        let mut conn = store();
        let f = june();
        let ctx = f.ctx("6A26");
        let mut log = LogIndex::new();
        let mut requests = Vec::new();
        for (reference, component, service) in [
            ("R-1", "87001", "S1"),
            ("R-2", "87002", "S2"),
            ("R-3", "87003", "S3"),
            ("R-4", "87001", "ATS-P"),
        ] {
            let mut r = row(
                "0013",
                "8700",
                component,
                service,
                "2026-08-24",
                if service == "S3" { "" } else { "2026-08-21" },
            );
            r.reference = reference.into();
            let r = check_request(&r, &ctx, &log).unwrap();
            log.add(&r);
            requests.push(r);
        }
        store_requests(&mut conn, &requests, "2026-08-24T10:00:00Z").unwrap();

        let mut changes = vec![change("0013", "8700", Direction::Up)];
        let closed =
            answer_changes(&conn, "14520", "6A26", 7, d("2026-09-17"), &mut changes).unwrap();
        assert_eq!(closed, 3);
        assert_eq!(changes[0].prs_request.as_deref(), Some("R-1;R-2;R-3"));
        assert_eq!(changes[0].refund_due, Some(true));
        let log = read_log(&conn, None, None).unwrap();
        assert_eq!(log[0].outcome, Some(Outcome::GradeRaised));
        assert_eq!(log[0].refund_due, Some(true));
        assert_eq!(log[0].keep_consent_until, Some(d("2027-03-17")));
        assert_eq!(log[0].linked_run_id, Some(7));
        assert_eq!((log[0].old_mark, log[0].new_mark), (Some(100), Some(108)));
        // Moderation is charged unless the centre's marks are reinstated, and kept no consent.
        assert_eq!(log[2].refund_due, Some(false));
        assert_eq!(log[2].keep_consent_until, None);
        // The script copy waits for its script.
        assert_eq!(log[3].status, Status::Open);

        // `diff` reads the same answer back without changing anything.
        let mut again = vec![change("0013", "8700", Direction::Up)];
        annotate_changes(&conn, 7, &mut again).unwrap();
        assert_eq!(again[0].prs_request.as_deref(), Some("R-1;R-2;R-3"));
        assert_eq!(again[0].refund_due, Some(true));
    }

    #[test]
    fn new_results_falls_in_moderation_and_earlier_runs_answer_nothing() {
        let mut conn = store();
        let f = june();
        let ctx = f.ctx("6A26");
        let mut log = LogIndex::new();
        let mut requests = Vec::new();
        for (reference, candidate, service) in [("R-1", "0013", "S2"), ("R-2", "0014", "S3")] {
            let mut r = row(
                candidate,
                "8700",
                "87001",
                service,
                "2026-08-24",
                "2026-08-21",
            );
            r.reference = reference.into();
            let r = check_request(&r, &ctx, &log).unwrap();
            log.add(&r);
            requests.push(r);
        }
        store_requests(&mut conn, &requests, "2026-08-24T10:00:00Z").unwrap();
        let mut changes = vec![
            change("0013", "8700", Direction::New),
            change("0013", "8700", Direction::Removed),
            change("0014", "8700", Direction::Down),
        ];
        assert_eq!(
            answer_changes(&conn, "14520", "6A26", 7, d("2026-09-17"), &mut changes).unwrap(),
            0
        );
        // A run dated before the request cannot hold its outcome.
        let mut changes = vec![change("0013", "8700", Direction::Same)];
        assert_eq!(
            answer_changes(&conn, "14520", "6A26", 7, d("2026-08-23"), &mut changes).unwrap(),
            0
        );
        // Another centre's or series' run neither.
        assert_eq!(
            answer_changes(&conn, "14521", "6A26", 7, d("2026-09-17"), &mut changes).unwrap(),
            0
        );
        assert_eq!(
            answer_changes(&conn, "14520", "6A25", 7, d("2026-09-17"), &mut changes).unwrap(),
            0
        );
        assert!(changes.iter().all(|c| c.prs_request.is_none()));
        // The series may be named by id.
        assert_eq!(
            answer_changes(&conn, "14520", "2026-06", 7, d("2026-09-17"), &mut changes).unwrap(),
            1
        );
        assert_eq!(changes[0].refund_due, Some(false));
        assert!(read_log(&conn, None, None)
            .unwrap()
            .iter()
            .all(|r| r.outcome != Some(Outcome::Confirmed)));
    }

    fn logged(
        service: Service,
        requested: &str,
        outcome: Option<(Outcome, &str)>,
    ) -> LoggedRequest {
        LoggedRequest {
            id: 1,
            reference: format!("R-{service}"),
            centre: "14520".into(),
            series: "6A26".into(),
            candidate_number: "0013".into(),
            board: "70".into(),
            entry_code: "8700".into(),
            component_code: String::new(),
            service,
            requested_on: d(requested),
            consent_on: None,
            status: if outcome.is_some() {
                Status::Completed
            } else {
                Status::Open
            },
            outcome: outcome.map(|(o, _)| o),
            outcome_on: outcome.map(|(_, on)| d(on)),
            old_grade: None,
            new_grade: None,
            old_mark: None,
            new_mark: None,
            fee_pence: None,
            refund_due: None,
            keep_consent_until: None,
            linked_run_id: None,
            created_at: String::new(),
        }
    }

    #[test]
    fn due_lists_overdue_requests_then_closing_appeal_windows() {
        let c = Catalogue::builtin();
        let log = [
            logged(Service::S1, "2026-08-24", None),   // expected 3 Sep
            logged(Service::S2, "2026-08-24", None),   // expected 13 Sep
            logged(Service::AtsR, "2026-08-24", None), // no target
            logged(
                Service::S2,
                "2026-08-24",
                Some((Outcome::Confirmed, "2026-08-10")),
            ),
            logged(
                Service::AtsT,
                "2026-08-24",
                Some((Outcome::ScriptReceived, "2026-08-10")),
            ),
        ];
        let items = due(&log, &c, d("2026-09-04"));
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(
            matches!(&items[0], DueItem::Overdue { expected, .. } if *expected == d("2026-09-03"))
        );
        assert!(
            matches!(&items[1], DueItem::AppealClosing { closes, .. } if *closes == d("2026-09-09"))
        );
        assert!(due(&log, &c, d("2026-09-03")).len() == 1); // not yet overdue: only the appeal
        assert!(due(&log, &c, d("2026-09-14")).len() == 2); // both overdue; the window has closed
    }
}
