//! One centre of a run: its files read, its series chosen, checked, and its statements,
//! analysis, findings and `run.json` written to the new set.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use chrono::DateTime;
use chrono_tz::Tz;

use crate::check::centre::*;
use crate::load::{self};
use crate::model::{CandidateResult, Finding, FindingKind, ResultsDay};
use crate::rules::calendar::{self, Calendar};
use crate::write::findings::*;
use crate::write::output;
use crate::write::statements;
use crate::{analysis, store};

use super::{context::*, output_error, summary::*, FolderNotes, Progress, RunError};

/// One centre's run, checked and written, on its way to the store.
pub struct CentreRun {
    pub centre: String,
    pub series: String,
    pub dates: Option<calendar::SeriesDates>,
    pub out_dir: PathBuf,
    pub results: Vec<CandidateResult>,
    /// This centre's rows of OUT's `statements.csv` (several centres only), made beside the
    /// centre's own files so that the saving thread only copies them.
    pub statement_rows: Vec<u8>,
    pub findings: Vec<Finding>,
    pub files: Vec<store::InputFileRecord>,
    pub summary: RunSummary,
    pub analysis: analysis::Analysis,
    /// When the results may go to third parties; `None` when the series is not in the calendar.
    pub released: Option<DateTime<Tz>>,
    pub boards: Vec<String>,
    pub entries: usize,
    /// Notes on the files (extra text, control characters, download noise in names).
    pub notes: Vec<String>,
    pub unreadable: Vec<crate::load::inputs::InputError>,
}

/// What became of one centre of the folder.
pub enum CentreOutcome {
    Done(Box<CentreRun>),
    /// The centre has no files of the series run (several centres only); why, and what could
    /// not be read.
    NotRun {
        centre: String,
        why: String,
        unreadable: Vec<crate::load::inputs::InputError>,
    },
}

/// Reads, checks and writes one centre's series: `OUT` for a folder of one centre, else
/// `OUT/centres/<centre>/`.
pub fn process_centre(
    ctx: &Context,
    basedata: &load::BasedataSet,
    folder: &FolderNotes,
    centre: &str,
    paths: &[PathBuf],
    started: Instant,
) -> Result<CentreOutcome, RunError> {
    let (mut files, unreadable) = load::read_paths(paths, &ctx.limits, &ctx.layouts, &|| {
        ctx.progress.file_read()
    });
    load::name_within(&mut files, &ctx.args.dir);
    // A series is an exam month: each board chooses its own series letter in it (AQA's 6A26,
    // OCR's 6B26), so the codes of one month are one series.
    let mut by_month: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for code in files.iter().filter_map(|f| f.series()) {
        by_month
            .entry(calendar::series_id_of(&code))
            .or_default()
            .insert(code);
    }
    let groups: BTreeMap<String, std::collections::BTreeSet<String>> = by_month
        .into_values()
        .map(|codes| (load::series_name(&codes), codes))
        .collect();
    let chosen = match choose_series(
        &groups,
        ctx.args.series.as_deref(),
        centre,
        ctx.several,
        ctx.progress,
    ) {
        Ok(c) => c,
        Err(RunError::Usage(why)) if ctx.several => {
            return Ok(CentreOutcome::NotRun {
                centre: centre.to_string(),
                why,
                unreadable,
            })
        }
        Err(e) => return Err(e),
    };
    let Some(series_code) = chosen else {
        let why = format!(
            "no results or entries file of centre {centre} could be read ({} files, {} unreadable)",
            files.len(),
            unreadable.len()
        );
        if ctx.several {
            return Ok(CentreOutcome::NotRun {
                centre: centre.to_string(),
                why,
                unreadable,
            });
        }
        let mut why = why;
        for e in &unreadable {
            why.push_str(&format!("\n  {e}"));
        }
        return Err(RunError::Usage(why));
    };
    // An --as-of given by hand must be possible for the series: not before its files exist.
    if ctx.args.as_of.is_some() {
        ctx.calendar
            .refuse_as_of_before_files(&series_code, ctx.as_of)
            .map_err(RunError::Usage)?;
    }
    if !ctx.several {
        if let Some(expected) = &ctx.settings.centre_number {
            if expected != centre {
                ctx.progress.warn(&format!(
                    "resultsday.toml says centre {expected} but the files are for centre {centre}"
                ));
            }
        }
    }
    let series = load::assemble_centre(&files, basedata, centre, &series_code);
    let mut outcome = check_centre(series, &ctx.gradesets, &ctx.boards, !ctx.several);
    // Files that could not be read: the centre's own, and in a folder of one centre, the
    // folder's (a run of several reports those once, in OUT's findings).
    let own_unreadable = unreadable.iter();
    let folder_unreadable = folder
        .unreadable
        .iter()
        .filter(|e| !ctx.several || load::centre_of_name(&e.path).as_deref() == Some(centre));
    outcome.findings.extend(
        folder_unreadable
            .chain(own_unreadable)
            .map(|e| unreadable_finding(e, centre)),
    );
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    let out_dir = ctx.out_dir(centre);
    output::create_private_dir(&out_dir).map_err(|e| output_error(&out_dir, e))?;
    let mut written = Vec::new();
    let path = out_dir.join("findings.csv");
    ctx.commit()
        .write(&path, &findings_csv(&outcome.findings))
        .map_err(|e| output_error(&path, e))?;
    written.push(path);

    let series_id = Some(calendar::series_id_of(&series_code));
    let dates = series_id.as_deref().and_then(|id| ctx.calendar.get(id));
    let series_name = dates.map_or(series_code.as_str(), |d| d.name.as_str());
    if dates.is_none() {
        // Fails closed: held under embargo until the series is added (statements::Releases).
        calendar::warn_unknown_series(&series_code);
    }

    // Statements, and the analysis beside them (a large centre keeps both threads busy); what
    // goes to third parties waits for 09:30 on results day.
    let released = third_party_release(&ctx.calendar, dates, &outcome.results);
    let third_party_allowed = ctx.args.force_release || released.is_some_and(|at| ctx.as_of >= at);
    let (statements_written, analysed) = rayon::join(
        || -> Result<(Vec<PathBuf>, Vec<u8>), RunError> {
            let releases = statements::Releases::new(&ctx.calendar, dates);
            let release = |r: &CandidateResult| releases.of(r);
            let set = statements::StatementSet {
                settings: &ctx.settings,
                centre_number: centre,
                series_name,
                results: &outcome.results,
                boards: &ctx.boards,
                release: &release,
                as_of: ctx.as_of,
                findings: &outcome.findings,
            };
            let written = statements::write_statements(&out_dir, &set, ctx.commit())?;
            let rows = if ctx.several {
                combined_statement_rows(&outcome.results, &outcome.findings, centre).map_err(
                    |e| RunError::Output {
                        path: ctx.args.out.join(statements::CSV_FILE),
                        message: format!("cannot be written: {e}"),
                    },
                )?
            } else {
                Vec::new()
            };
            Ok((written, rows))
        },
        || -> Result<(analysis::Analysis, Vec<PathBuf>), RunError> {
            let analysis = analysis::analyse(
                &outcome.results,
                &ctx.gradesets,
                &ctx.tables,
                ctx.mis.as_ref(),
            );
            let written =
                analysis::write_analysis(&out_dir, &analysis, third_party_allowed, ctx.commit())
                    .map_err(|e| output_error(&out_dir.join("analysis"), e))?;
            Ok((analysis, written))
        },
    );
    let (statements_written, statement_rows) = statements_written?;
    written.extend(statements_written);
    let (analysis, analysis_written) = analysed?;
    written.extend(analysis_written);

    let no_skipped = Vec::new();
    let (skipped, folder_unreadable) = if ctx.several {
        (&no_skipped, &unreadable)
    } else {
        (&folder.skipped, &folder.unreadable)
    };
    let all_unreadable: Vec<crate::load::inputs::InputError> = if ctx.several {
        unreadable.clone()
    } else {
        folder_unreadable
            .iter()
            .cloned()
            .chain(unreadable.iter().cloned())
            .collect()
    };
    let mut summary = RunSummary::new(
        &outcome,
        skipped,
        &all_unreadable,
        ctx.as_of,
        dates.map(|d| d.name.clone()),
        &written,
        &out_dir,
        started.elapsed().as_secs_f64(),
    );
    summary.third_party_outputs = third_party_text(third_party_allowed, released);
    let path = out_dir.join("run.json");
    let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
    ctx.commit()
        .write(&path, &json)
        .map_err(|e| output_error(&path, e))?;

    let s = &outcome.series;
    let files_records = s
        .files
        .iter()
        .map(|f| store::InputFileRecord {
            path: f.path.clone(),
            name: f.name.clone(),
            sha256: f.sha256.clone(),
            size: f.size,
            kind: f
                .data_type()
                .map(|t| t.describe().to_string())
                .unwrap_or_else(|| "other".into()),
            board: f.board().unwrap_or_default(),
            records: f.records() as u64,
        })
        .collect();
    let notes = s
        .files
        .iter()
        .flat_map(|f| {
            f.parsed
                .all_problems()
                .filter(|p| {
                    matches!(
                        p.kind,
                        parsers::ProblemKind::ExtraText
                            | parsers::ProblemKind::ControlCharacters
                            | parsers::ProblemKind::FileNameNoise
                    )
                })
                .map(move |p| file_note(&f.name, p))
        })
        .collect();
    let run = CentreRun {
        centre: centre.to_string(),
        series: series_code.clone(),
        dates: dates.cloned(),
        out_dir,
        boards: s.boards.keys().cloned().collect(),
        entries: s
            .boards
            .values()
            .map(|b| b.entries.values().filter(|e| !e.withdrawn).count())
            .sum(),
        files: files_records,
        notes,
        summary,
        analysis,
        released,
        unreadable,
        results: outcome.results,
        statement_rows,
        findings: outcome.findings,
    };
    Ok(CentreOutcome::Done(Box::new(run)))
}

/// A centre's rows of OUT's `statements.csv`, with the centre number last.
pub fn combined_statement_rows(
    results: &[CandidateResult],
    findings: &[Finding],
    centre: &str,
) -> Result<Vec<u8>, String> {
    let mut rows = statements::csv_builder(true)
        .rows_only()
        .from_writer(Vec::new())
        .map_err(|e| e.to_string())?;
    statements::write_csv_rows(&mut rows, results, findings, Some(centre))
        .map_err(|e| e.to_string())?;
    rows.into_inner().map_err(|e| e.to_string())
}

/// A note on the terminal about a file: where, and what, without the text found (which may
/// be a candidate's name; `inspect` shows it).
pub fn file_note(file: &str, p: &parsers::Problem) -> String {
    let place = match (p.line, &p.field) {
        (Some(line), Some(field)) => format!("line {line}: {field}: "),
        (Some(line), None) => format!("line {line}: "),
        (None, _) => String::new(),
    };
    let what = match p.kind {
        parsers::ProblemKind::ControlCharacters => {
            "control characters removed (resultsday inspect shows the text)".to_string()
        }
        parsers::ProblemKind::ExtraText => {
            "text after the last field, not read (resultsday inspect shows it)".to_string()
        }
        _ => p.message.clone(),
    };
    format!("{file}: {place}{what}")
}

/// A file that could not be read, as a finding: the run's findings are then the whole story.
pub fn unreadable_finding(e: &crate::load::inputs::InputError, centre: &str) -> Finding {
    let name = e
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| e.path.display().to_string());
    let board = parsers::FileName::parse(&name)
        .map(|n| n.awarding_body().to_string())
        .unwrap_or_default();
    let mut f = Finding::new(FindingKind::UnreadableFile, &board, centre).detail(&e.reason);
    f.file = name;
    f
}

pub fn third_party_text(allowed: bool, released: Option<DateTime<Tz>>) -> String {
    if allowed {
        "written".into()
    } else {
        match released {
            Some(at) => format!("held back until {}", at.format("%H:%M on %A %-d %B %Y")),
            None => "held back: the series is not in the calendar (use --force-release)".into(),
        }
    }
}

/// When results may go to third parties: 09:30 on the last results day among the results (the
/// GCSE day when there are GCSE results). `None` when the series is not in the calendar.
pub fn third_party_release(
    calendar: &Calendar,
    dates: Option<&calendar::SeriesDates>,
    results: &[CandidateResult],
) -> Option<DateTime<Tz>> {
    let dates = dates?;
    results
        .iter()
        .map(|r| calendar.third_party_release(dates, calendar.release_day(dates, r)))
        .max()
        .or_else(|| Some(calendar.third_party_release(dates, ResultsDay::Gcse)))
}

/// The series to run of a centre's: the one asked for, else the only one, else the latest
/// (with a warning).
pub fn choose_series(
    groups: &BTreeMap<String, std::collections::BTreeSet<String>>,
    wanted: Option<&str>,
    centre: &str,
    several: bool,
    progress: &dyn Progress,
) -> Result<Option<String>, RunError> {
    // `--series` names a series code exactly (`6B26` is not `6A26`), or a month by its id
    // (`2026-06`).
    let wanted_id = wanted.filter(|w| calendar::series_id_of(w) == *w && w.contains('-'));
    let matching: Vec<&str> = groups
        .iter()
        .filter(|(name, codes)| match (wanted, wanted_id) {
            (None, _) => true,
            (Some(_), Some(id)) => calendar::series_id_of(name) == id,
            (Some(w), None) => codes.iter().any(|c| c.eq_ignore_ascii_case(w.trim())),
        })
        .map(|(name, _)| name.as_str())
        .collect();
    if let (Some(w), true) = (wanted, matching.is_empty()) {
        let found: Vec<&str> = groups.values().flatten().map(String::as_str).collect();
        return Err(RunError::Usage(format!(
            "no files for series '{w}'; the folder holds series {}",
            if found.is_empty() {
                "none".to_string()
            } else {
                found.join(", ")
            }
        )));
    }
    // Latest series by id (2026-06 after 2025-11).
    let latest = matching
        .iter()
        .max_by_key(|name| calendar::series_id_of(name))
        .map(|name| name.to_string());
    if let (Some(name), true) = (&latest, matching.len() > 1) {
        let whose = if several {
            format!("centre {centre}'s files hold")
        } else {
            "the folder holds".to_string()
        };
        progress.warn(&format!(
            "{whose} several series ({}); running {name}. Choose with --series",
            matching.join(", ")
        ));
    }
    Ok(latest)
}
