//! `run.json` of one centre: what was read, what was found, what was written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;
use serde::Serialize;

use crate::check::centre::*;
use crate::load::{self};
use crate::write::statements;

/// `run.json`: what was read, what was found, what was written.
#[derive(Debug, Serialize)]
pub struct RunSummary {
    pub resultsday_version: &'static str,
    pub as_of: String,
    pub centre: String,
    pub series: String,
    pub series_name: Option<String>,
    pub input_files: Vec<InputSummary>,
    pub skipped_files: Vec<String>,
    pub unreadable_files: Vec<String>,
    /// Board → the basedata files used (the highest version of each type).
    pub basedata: BTreeMap<String, Vec<String>>,
    pub records: BTreeMap<String, usize>,
    pub findings: BTreeMap<String, usize>,
    /// The statement lines held because the run found them wrong, and the UCIs left out.
    pub held_on_statements: statements::HeldOnStatements,
    pub outputs: Vec<String>,
    /// Whether what is meant for third parties (the headline CSV) was written or held back.
    pub third_party_outputs: String,
    pub elapsed_seconds: f64,
}

#[derive(Debug, Serialize)]
pub struct InputSummary {
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub data_type: Option<char>,
    pub board: Option<String>,
    pub records: usize,
}

impl RunSummary {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        outcome: &RunOutcome,
        skipped: &[load::Skipped],
        unreadable: &[crate::load::inputs::InputError],
        as_of: DateTime<Tz>,
        series_name: Option<String>,
        written: &[PathBuf],
        out: &Path,
        elapsed: f64,
    ) -> RunSummary {
        let s = &outcome.series;
        let mut records = BTreeMap::new();
        for f in &s.files {
            let n = f.records();
            let key = f
                .data_type()
                .map(|t| t.describe().to_string())
                .unwrap_or_else(|| "other".into());
            *records.entry(key).or_insert(0) += n;
        }
        records.insert("results after replacement".into(), outcome.results.len());
        let mut findings = BTreeMap::new();
        for f in &outcome.findings {
            *findings.entry(f.kind.as_str().to_string()).or_insert(0) += 1;
        }
        RunSummary {
            resultsday_version: env!("CARGO_PKG_VERSION"),
            as_of: as_of.to_rfc3339(),
            centre: s.centre.clone(),
            series: s.series.clone(),
            series_name,
            input_files: s
                .files
                .iter()
                .map(|f| InputSummary {
                    path: f.path.display().to_string(),
                    sha256: f.sha256.clone(),
                    size: f.size,
                    data_type: f.data_type().map(|t| t.letter()),
                    board: f.board(),
                    records: f.edi().map_or_else(
                        || {
                            f.xml()
                                .map_or(0, |x| x.candidates.iter().map(|c| c.results.len()).sum())
                        },
                        |e| e.records.len(),
                    ),
                })
                .collect(),
            skipped_files: skipped
                .iter()
                .map(|s| s.path.display().to_string())
                .collect(),
            unreadable_files: unreadable.iter().map(|e| e.to_string()).collect(),
            basedata: s
                .boards
                .iter()
                .map(|(b, bs)| {
                    (
                        b.clone(),
                        bs.basedata
                            .versions
                            .iter()
                            .map(|(_, name, _)| name.clone())
                            .collect(),
                    )
                })
                .collect(),
            records,
            findings,
            held_on_statements: statements::HeldOnStatements::of(
                &outcome.results,
                &outcome.findings,
            ),
            outputs: written
                .iter()
                .map(|p| p.strip_prefix(out).unwrap_or(p).display().to_string())
                .chain(std::iter::once("run.json".to_string()))
                .collect(),
            third_party_outputs: String::new(),
            elapsed_seconds: (elapsed * 1000.0).round() / 1000.0,
        }
    }
}
