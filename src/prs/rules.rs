//! The service catalogue (`services.csv`): for each service its consent, completion target,
//! deadline and who it is for; the built-in table, or the centre's own copy in the working folder.
//! Also reads the rows of a rules table, for the catalogue and the fees alike.

use std::io::Read;

use serde::Deserialize;

use super::service::Service;
use crate::rules::tables::{centre_or_builtin, TableFileError};

/// The built-in service catalogue.
pub const DEFAULT_SERVICES_CSV: &str = include_str!("../../data/services.csv");
/// The name of a centre's own service catalogue in the working folder.
pub const SERVICES_FILE: &str = "services.csv";

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

pub(super) fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" => Some(true),
        "no" | "n" => Some(false),
        _ => None,
    }
}

impl Catalogue {
    /// The centre's own `services.csv` in the working folder, else the built-in catalogue.
    pub fn centre() -> Result<Catalogue, TableFileError> {
        centre_or_builtin(None, SERVICES_FILE, Catalogue::builtin, |file, bytes| {
            Catalogue::from_csv(file, bytes)
        })
        .map(|(catalogue, _)| catalogue)
    }

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
    pub fn from_csv(file: &str, reader: impl Read) -> Result<Catalogue, TableFileError> {
        let mut rules: Vec<ServiceRule> = Vec::new();
        for (row, line) in crate::rules::tables::read_rows::<RawServiceRow>(file, reader)? {
            let err = |message: String| TableFileError {
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
            return Err(TableFileError {
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

pub(super) fn service_list() -> String {
    Service::ALL
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
