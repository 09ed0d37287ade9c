//! A folder of several centres: OUT's own findings, statements, analysis and `run.json`, made
//! as each centre comes.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

use chrono::DateTime;
use chrono_tz::Tz;
use parsers::Severity;
use serde::Serialize;

use crate::analysis;
use crate::check::{self};
use crate::load::{self};
use crate::model::Finding;
use crate::write::findings::*;
use crate::write::output;
use crate::write::statements;

use super::{centre::*, context::*, output_error, save::*, FolderNotes, RunError};

/// The outputs for a folder of several centres: every centre's findings and statements in one
/// file each (with the centre), the analysis of them all, and `run.json`.
pub struct Combined {
    pub findings: crate::write::csvout::Writer<std::io::BufWriter<output::AtomicFile>>,
    /// Written as rows come, each centre's made beside its own files.
    pub statements: std::io::BufWriter<output::AtomicFile>,
    pub analysis: analysis::Combined,
    /// Findings on the basedata files, which belong to no one centre.
    pub basedata_findings: Vec<Finding>,
    pub released: Option<DateTime<Tz>>,
    /// Whether a centre's series is not in the calendar: then nothing goes to third parties.
    pub unknown_series: bool,
    pub severities: std::collections::BTreeSet<Severity>,
    pub by_kind: BTreeMap<String, usize>,
    pub records: BTreeMap<String, usize>,
}

/// `run.json` of a folder of several centres.
#[derive(Debug, Serialize)]
pub struct SeveralSummary {
    pub resultsday_version: &'static str,
    pub as_of: String,
    pub centres: Vec<CentreLine>,
    pub centres_not_run: Vec<String>,
    pub skipped_files: Vec<String>,
    pub unreadable_files: Vec<String>,
    pub records: BTreeMap<String, usize>,
    pub findings: BTreeMap<String, usize>,
    pub outputs: Vec<String>,
    pub third_party_outputs: String,
    pub elapsed_seconds: f64,
    #[serde(skip)]
    pub severities: std::collections::BTreeSet<Severity>,
}

#[derive(Debug, Serialize)]
pub struct CentreLine {
    pub centre: String,
    pub run_id: i64,
    pub results: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Combined {
    pub fn start(
        ctx: &Context,
        basedata_files: &[load::InputFile],
        folder: &FolderNotes,
        centres: &std::collections::BTreeSet<String>,
    ) -> Result<Combined, RunError> {
        let open = |name: &str| -> Result<_, RunError> {
            let path = ctx.root().join(name);
            let file = output::AtomicFile::create(&path).map_err(|e| output_error(&path, e))?;
            Ok(std::io::BufWriter::new(file))
        };
        let header_error = |name: &str, e: std::io::Error| RunError::Output {
            path: ctx.args.out.join(name),
            message: format!("cannot be written: {e}"),
        };
        let findings = findings_builder()
            .from_writer(open("findings.csv")?)
            .map_err(|e| header_error("findings.csv", e))?;
        let statements = statements::csv_builder(true)
            .from_writer(open("statements.csv")?)
            .map_err(|e| header_error("statements.csv", e))?;
        let mut basedata_findings: Vec<Finding> = basedata_files
            .iter()
            .flat_map(|f| check::file_findings(f, "", &ctx.boards))
            .chain(
                folder
                    .unreadable
                    .iter()
                    .filter(|e| load::centre_of_name(&e.path).is_none_or(|c| !centres.contains(&c)))
                    .map(|e| unreadable_finding(e, "")),
            )
            .collect();
        basedata_findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        basedata_findings.dedup();
        let statements = statements
            .into_inner()
            .map_err(|e| header_error("statements.csv", e))?;
        let mut combined = Combined {
            findings,
            statements,
            analysis: analysis::Combined::default(),
            basedata_findings: Vec::new(),
            released: None,
            unknown_series: false,
            severities: Default::default(),
            by_kind: BTreeMap::new(),
            records: BTreeMap::new(),
        };
        combined.write_findings(ctx, &basedata_findings)?;
        combined.basedata_findings = basedata_findings;
        Ok(combined)
    }

    pub fn write_findings(&mut self, ctx: &Context, findings: &[Finding]) -> Result<(), RunError> {
        for f in findings {
            self.severities.insert(f.severity);
            *self.by_kind.entry(f.kind.as_str().to_string()).or_insert(0) += 1;
            write_finding(&mut self.findings, f).map_err(|e| RunError::Output {
                path: ctx.args.out.join("findings.csv"),
                message: format!("cannot be written: {e}"),
            })?;
        }
        Ok(())
    }

    /// Adds a centre, in folder order.
    pub fn add(&mut self, ctx: &Context, run: &CentreRun) -> Result<(), RunError> {
        self.write_findings(ctx, &run.findings)?;
        self.statements
            .write_all(&run.statement_rows)
            .map_err(|e| RunError::Output {
                path: ctx.args.out.join("statements.csv"),
                message: format!("cannot be written: {e}"),
            })?;
        self.analysis.add(&run.analysis);
        self.released = self.released.max(run.released);
        // A centre whose series is not in the calendar holds the folder's headline back too.
        self.unknown_series |= run.dates.is_none();
        for (k, n) in &run.summary.records {
            *self.records.entry(k.clone()).or_insert(0) += n;
        }
        Ok(())
    }

    /// Writes what covers every centre, once every centre is saved.
    pub fn finish(
        self,
        ctx: &Context,
        done: &[Saved],
        folder: &FolderNotes,
        not_run: &[(String, String)],
        started: Instant,
    ) -> Result<SeveralSummary, RunError> {
        // Written into the new set, which replaces OUT's once the store has the runs.
        let out = ctx.root();
        let fail = |name: &str, message: String| RunError::Output {
            path: out.join(name),
            message: format!("cannot be written: {message}"),
        };
        let findings = self
            .findings
            .into_inner()
            .map_err(|e| fail("findings.csv", e.to_string()))?;
        for (buffered, name) in [
            (findings, "findings.csv"),
            (self.statements, "statements.csv"),
        ] {
            let file = buffered
                .into_inner()
                .map_err(|e| fail(name, e.to_string()))?;
            file.commit().map_err(|e| fail(name, e.to_string()))?;
        }
        let analysis = self.analysis.finish(&ctx.gradesets);
        let released = self.released.filter(|_| !self.unknown_series);
        let allowed = ctx.args.force_release || released.is_some_and(|at| ctx.as_of >= at);
        let mut written = vec![out.join("findings.csv"), out.join("statements.csv")];
        written.extend(
            analysis::write_analysis(out, &analysis, allowed, output::Commit::Now)
                .map_err(|e| output_error(&out.join("analysis"), e))?,
        );
        let mut summary = SeveralSummary {
            resultsday_version: env!("CARGO_PKG_VERSION"),
            as_of: ctx.as_of.to_rfc3339(),
            centres: done
                .iter()
                .map(|s| CentreLine {
                    centre: s.centre.clone(),
                    run_id: s.run_id,
                    results: s.results,
                    errors: s.errors,
                    warnings: s.warnings,
                })
                .collect(),
            centres_not_run: not_run.iter().map(|(c, w)| format!("{c}: {w}")).collect(),
            skipped_files: folder
                .skipped
                .iter()
                .map(|s| s.path.display().to_string())
                .collect(),
            unreadable_files: folder.unreadable.iter().map(|e| e.to_string()).collect(),
            records: self.records,
            findings: self.by_kind,
            outputs: written
                .iter()
                .map(|p| p.strip_prefix(out).unwrap_or(p).display().to_string())
                .chain(["centres/".to_string(), "run.json".to_string()])
                .collect(),
            third_party_outputs: third_party_text(allowed, released),
            elapsed_seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            severities: self.severities,
        };
        summary.records.insert("centres".into(), done.len());
        let path = out.join("run.json");
        let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
        output::write_file(&path, &json).map_err(|e| output_error(&path, e))?;
        Ok(summary)
    }
}
