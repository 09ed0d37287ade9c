//! One centre's series checked and reconciled as a whole: pure, data in, results and findings
//! out.

use parsers::{Boards, Gradesets};

use crate::check::{self, reconcile, results};
use crate::model::series::CentreSeries;
use crate::model::{CandidateResult, Finding};

/// Everything a run decides and produces, before it is written.
pub struct RunOutcome<'f> {
    pub series: CentreSeries<'f>,
    pub results: Vec<CandidateResult>,
    pub findings: Vec<Finding>,
}

/// Checks and reconciles an assembled series: pure, no I/O. Problems in the basedata files
/// are findings only with `basedata_files` (a run of several centres reports them once).
pub fn check_centre<'f>(
    series: CentreSeries<'f>,
    gradesets: &Gradesets,
    boards: &Boards,
    basedata_files: bool,
) -> RunOutcome<'f> {
    let centre = series.centre.as_str();
    let (results, mut findings) = results::build(&series);
    for f in &series.files {
        if basedata_files || !f.data_type().is_some_and(|t| t.is_basedata()) {
            findings.extend(check::file_findings(f, centre, boards));
        }
    }
    findings.extend(check::result_findings(&series, gradesets));
    findings.extend(check::unknown_gradesets(&series, gradesets));
    findings.extend(reconcile::reconcile(&series));
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    RunOutcome {
        series,
        results,
        findings,
    }
}
