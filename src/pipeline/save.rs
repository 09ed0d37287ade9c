//! A centre's run saved in the store's transaction, what changed since its last run, and the
//! new set of outputs put in place after the commit.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use parsers::Severity;

use crate::check::changes;
use crate::load::{self};
use crate::model::{CandidateResult, ResultsDay};
use crate::write::output;
use crate::write::statements;
use crate::{analysis, prs, store};

use super::{centre::*, context::*, not_written, output_error, Progress, RunError};

/// A file of the new set to write once every centre's own files are written (the syncer's
/// threads may still be writing a centre's `run.json` when it is saved in the store).
pub enum Pending {
    Write(PathBuf, Vec<u8>),
}

impl Pending {
    pub fn apply(self) -> Result<(), RunError> {
        match self {
            Pending::Write(path, bytes) => {
                output::write_file(&path, &bytes).map_err(|e| output_error(&path, e))
            }
        }
    }
}

/// What a run that ended early left in OUT, dealt with before anything is written (holding
/// the store's lock): its files put in place if the store holds its runs, else removed.
pub fn recover_outputs(
    out: &Path,
    batch: &store::RunBatch,
    progress: &dyn Progress,
) -> Result<(), RunError> {
    let recovered = output::recover(out, &mut |run| {
        batch
            .has_run(run.id, &run.centre, &run.series, &run.started_at)
            .ok()
    });
    for r in recovered {
        match r {
            output::Recovered::Finished { runs } => progress.warn(&format!(
                "the run that saved {} was stopped while its files were put in {}; they are \
                 now all in place",
                runs_text(&runs),
                out.display()
            )),
            output::Recovered::Removed => {}
            output::Recovered::Failed { path, reason } => {
                return Err(RunError::Output {
                    path,
                    message: format!(
                        "cannot be put in place: {reason}; an earlier run was stopped while its \
                         files were put in place, and they are still in {}/{}<process id>: \
                         correct this and run again",
                        out.display(),
                        output::STAGING_PREFIX
                    ),
                })
            }
        }
    }
    Ok(())
}

/// `run 4`, `runs 4–9`, or `no run`.
pub fn runs_text(runs: &[i64]) -> String {
    match (runs.first(), runs.last()) {
        (Some(a), Some(b)) if a == b => format!("run {a}"),
        (Some(a), Some(b)) => format!("runs {a}–{b}"),
        _ => "no run".into(),
    }
}

/// Saves the runs and puts the new set of outputs in place, in that order: the manifest of
/// the complete set first (and every file checked to be able to take its place), then the
/// store's commit, then the files renamed over OUT's. A failure before the commit leaves OUT
/// and the store as they were; a kill after it leaves the set for the next run to finish.
pub fn commit_outputs(
    staging: &output::Staging,
    batch: store::RunBatch,
    done: &[Saved],
    started_at: DateTime<Utc>,
) -> Result<(), RunError> {
    let recorded: Vec<output::StagedRun> = done
        .iter()
        .filter(|s| !s.unchanged)
        .map(|s| output::StagedRun {
            id: s.run_id,
            centre: s.centre.clone(),
            series: s.series.clone(),
            started_at: store::time_text(&started_at),
        })
        .collect();
    let ids: Vec<i64> = recorded.iter().map(|r| r.id).collect();
    staging
        .seal(recorded)
        .map_err(|(path, e)| not_written(staging, output_error(&path, e)))?;
    batch.commit()?;
    staging
        .put_in_place()
        .map_err(|(path, e)| RunError::Output {
            path: output::shown(&path),
            message: format!(
            "cannot be put in place: {}; the store holds {}, and its files are complete in {}: \
             the next run puts them in place",
            crate::messages::describe_write(&e),
            runs_text(&ids),
            staging.dir().display()
        ),
        })
}

/// A centre saved in the store.
pub struct Saved {
    pub centre: String,
    pub series: String,
    pub run_id: i64,
    /// Nothing has changed since the latest run of the centre and series (`run_id`): nothing
    /// was recorded, and its comparison with the run before it was written again.
    pub unchanged: bool,
    pub results: usize,
    pub errors: usize,
    pub warnings: usize,
    /// The run it was compared with, and the changes since.
    pub changes: Option<(i64, Vec<changes::Change>)>,
    pub pending: Vec<Pending>,
    /// When each results day's results may reach candidates (those the centre has results for
    /// and whose series is in the calendar).
    pub releases: std::collections::BTreeSet<(DateTime<Tz>, ResultsDay)>,
    /// The centre's whole run, kept when it is the only one (for the summary on the terminal).
    pub run: Option<Box<CentreRun>>,
}

/// Saves a centre's run in the store's open transaction, and works out what changed since its
/// last run: the files that say so join the new set once every centre's own files are written.
///
/// When nothing has changed since the centre's latest run of the series (the same input files,
/// by SHA-256, giving the same results and findings: nothing the store would save differs),
/// nothing is recorded: the run is that latest run again,
/// and its comparison with the run before it (`changes.csv`, `statements-changed.html`,
/// `analysis/changes.csv`) is written again as `resultsday diff` tells it, so a re-run never
/// loses the reprint pack of the last real change. The statements are made as of this run's
/// clock, so a re-run after 08:00 has pages without the embargo mark.
pub fn save_centre(
    ctx: &Context,
    batch: &store::RunBatch,
    latest: &std::collections::HashMap<(String, String), i64>,
    run: &mut CentreRun,
    started_at: DateTime<Utc>,
    started: Instant,
) -> Result<Saved, RunError> {
    // The centre's latest run of the same series: the same exam month, whichever of the
    // boards' series codes named it.
    let previous = latest
        .iter()
        .filter(|((c, s), _)| *c == run.centre && load::in_series(s, &run.series))
        .map(|(_, &id)| id)
        .max();
    let before = match previous {
        Some(id) => Some(batch.results_of_run(id)?),
        None => None,
    };
    let unchanged = match (previous, &before) {
        (Some(id), Some(before)) => {
            store::same_as_saved(
                (&batch.files_of_run(id)?, &run.files),
                (before, &run.results),
                (&batch.findings_of_run(id)?, &run.findings),
            ) && batch.table_of_run(id, store::GRADESETS_TABLE)? == ctx.gradesets_text
        }
        _ => false,
    };
    let (run_id, compared) = match previous {
        Some(id) if unchanged => {
            // The run the latest was compared with, and what changed then.
            let earlier = batch
                .runs_of_centre(&run.centre)?
                .into_iter()
                .filter(|(other, s)| *other < id && load::in_series(s, &run.series))
                .map(|(other, _)| other)
                .max();
            let compared = match earlier {
                Some(earlier) => {
                    let before = batch.results_of_run(earlier)?;
                    let mut changes = changes::compare(&before, &run.results, &ctx.gradesets);
                    batch.read(
                        "read the post-results requests its changes answer",
                        |conn| prs::annotate_changes(conn, id, &mut changes),
                    )?;
                    Some((earlier, before, changes))
                }
                None => None,
            };
            (id, compared)
        }
        _ => {
            let mut changes = before
                .as_ref()
                .map(|b| changes::compare(b, &run.results, &ctx.gradesets));
            let outcome_on = ctx.as_of.date_naive();
            let (centre, series) = (run.centre.clone(), run.series.clone());
            let run_id = batch.record(
                &store::RunRecord {
                    started_at,
                    as_of: ctx.as_of,
                    centre: &run.centre,
                    series: &run.series,
                    version: env!("CARGO_PKG_VERSION"),
                    files: &run.files,
                    results: &run.results,
                    findings: &run.findings,
                    tables: &ctx
                        .gradesets_text
                        .as_deref()
                        .map(|text| vec![(store::GRADESETS_TABLE, text)])
                        .unwrap_or_default(),
                    counts: serde_json::json!({
                        "records": run.summary.records,
                        "findings": run.summary.findings
                    }),
                    elapsed_ms: started.elapsed().as_millis() as u64,
                },
                &mut |conn, run_id| match changes.as_mut() {
                    Some(c) => prs::answer_changes(conn, &centre, &series, run_id, outcome_on, c)
                        .map(|_| ()),
                    None => Ok(()),
                },
            )?;
            let compared = match (previous, before, changes) {
                (Some(p), Some(b), Some(c)) => Some((p, b, c)),
                _ => None,
            };
            (run_id, compared)
        }
    };

    // What changed since the last run of this centre and series. Without changes there is no
    // statements-changed.html: the previous set's goes when the new set is put in place.
    let mut pending = Vec::new();
    if let Some((_, before, changes)) = &compared {
        let out = &run.out_dir;
        pending.push(Pending::Write(
            out.join("changes.csv"),
            crate::write::changes::changes_csv(changes),
        ));
        run.summary.outputs.push("changes.csv".into());
        let changed: std::collections::BTreeSet<String> =
            changes.iter().map(|c| c.candidate_number.clone()).collect();
        if !changed.is_empty() {
            let series_name = run
                .dates
                .as_ref()
                .map_or(run.series.as_str(), |d| d.name.as_str());
            let releases = statements::Releases::new(&ctx.calendar, run.dates.as_ref());
            let release = |r: &CandidateResult| releases.of(r);
            let set = statements::StatementSet {
                settings: &ctx.settings,
                centre_number: &run.centre,
                series_name,
                results: &run.results,
                boards: &ctx.boards,
                release: &release,
                as_of: ctx.as_of,
                findings: &run.findings,
            };
            let html = statements::render_html(&set, Some(&changed))?;
            pending.push(Pending::Write(
                out.join("statements-changed.html"),
                html.into_bytes(),
            ));
            run.summary.outputs.push("statements-changed.html".into());
        }
        let before = analysis::analyse(before, &ctx.gradesets, &ctx.tables, ctx.mis.as_ref());
        pending.push(Pending::Write(
            out.join("analysis").join("changes.csv"),
            analysis::analysis_delta_csv(&before, &run.analysis),
        ));
        run.summary.outputs.push("analysis/changes.csv".into());
        pending.push(Pending::Write(
            out.join("run.json"),
            serde_json::to_vec_pretty(&run.summary).unwrap_or_default(),
        ));
    }
    let errors = run
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    Ok(Saved {
        centre: run.centre.clone(),
        series: run.series.clone(),
        run_id,
        unchanged,
        results: run.results.len(),
        errors,
        warnings: run.findings.len() - errors,
        changes: compared.map(|(p, _, c)| (p, c)),
        pending,
        releases: releases(ctx, run),
        run: None,
    })
}

/// When each results day's results in a centre's run may reach candidates (none when its
/// series is not in the calendar).
pub fn releases(
    ctx: &Context,
    run: &CentreRun,
) -> std::collections::BTreeSet<(DateTime<Tz>, ResultsDay)> {
    let Some(d) = run.dates.as_ref() else {
        return Default::default();
    };
    run.results
        .iter()
        .map(|r| {
            let day = ctx.calendar.release_day(d, r);
            (ctx.calendar.candidate_release(d, day), day)
        })
        .collect()
}
