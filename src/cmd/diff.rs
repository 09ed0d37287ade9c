//! `resultsday diff [--db DB] [--out OUT] [--from RUN --to RUN]`: what changed between two
//! stored runs (by default the latest run against the one before it of the same centre and
//! series), and `resultsday runs`, the list of stored runs.
//!
//! Usage:
//!   resultsday diff                       the latest run against the one before
//!   resultsday diff --from 3 --to 7 --out out
//!   resultsday runs

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::check::changes;
use crate::cmd::args::DbArg;
use crate::exit;
use crate::pipeline::diff::RunChanges;
use crate::write::output;
use crate::{messages, store};

/// `resultsday diff`
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Write changes.csv here (created if missing); without it the changes are printed.
    #[arg(long, value_name = "OUT")]
    pub out: Option<PathBuf>,
    /// The earlier run (see `resultsday runs`); default: the run before --to of the same
    /// centre and series.
    #[arg(long, value_name = "RUN")]
    pub from: Option<i64>,
    /// The later run; default: the latest.
    #[arg(long, value_name = "RUN")]
    pub to: Option<i64>,
}

/// `resultsday runs`
#[derive(Debug, clap::Args)]
pub struct RunsArgs {
    #[command(flatten)]
    pub db: DbArg,
}

pub fn run(args: &DiffArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let mut db = store::Store::open_existing(&args.db.path)?;
    let RunChanges { from, to, changes } =
        crate::pipeline::diff::changes_between(&mut db, args.from, args.to)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "centre {} series {}: run {from} -> run {}: {}",
        to.centre,
        to.series,
        to.id,
        changes::summary_line(&changes)
    )?;
    match &args.out {
        Some(dir) => {
            let path = dir.join("changes.csv");
            out_folder(dir)
                .and_then(|()| output::create_private_dir(dir))
                .map_err(|e| cannot_write(dir, &e))?;
            output::check_out_target(&path)
                .and_then(|()| {
                    output::write_file(&path, &crate::write::changes::changes_csv(&changes))
                })
                .map_err(|e| cannot_write(&path, &e))?;
            writeln!(out, "written: {}", path.display())?;
        }
        // Under the summary line: the rows, without the byte-order mark that starts a file.
        None => {
            let csv = crate::write::changes::changes_csv(&changes);
            out.write_all(csv.strip_prefix(crate::write::csvout::BOM).unwrap_or(&csv))?
        }
    }
    Ok(exit::DONE)
}

/// `--out` names a folder (new, or one there already, or a link to one), never a file, a
/// device, a pipe or a socket, nor a link to nothing.
fn out_folder(dir: &Path) -> std::io::Result<()> {
    let refuse = |what: &str| {
        Err(std::io::Error::other(format!(
            "it is {what}; diff --out names the folder changes.csv is written in"
        )))
    };
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(meta) if meta.is_file() => refuse("a file"),
        Ok(_) => refuse("a device, pipe or socket"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(dir).is_ok() {
                refuse("a link to nothing")
            } else {
                Ok(())
            }
        }
        Err(e) => Err(e),
    }
}

fn cannot_write(path: &Path, e: &std::io::Error) -> String {
    format!(
        "{}: cannot be written: {}",
        path.display(),
        crate::messages::describe_write(e)
    )
}

pub fn list_runs(args: &RunsArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let db = store::Store::open_existing(&args.db.path)?;
    let runs = db.runs()?;
    let mut out = std::io::stdout().lock();
    if runs.is_empty() {
        writeln!(out, "{} holds no runs yet", args.db.path.display())?;
        return Ok(exit::DONE);
    }
    writeln!(
        out,
        "{:>4}  {:<22} {:<22} {:<6} {:<6} {:>5} {:>8} {:>8}",
        "run", "when", "as of", "centre", "series", "files", "results", "findings"
    )?;
    for r in &runs {
        writeln!(
            out,
            "{:>4}  {:<22} {:<22} {:<6} {:<6} {:>5} {:>8} {:>8}",
            r.id,
            r.started_at
                .with_timezone(&chrono_tz::Europe::London)
                .format("%Y-%m-%d %H:%M %Z")
                .to_string(),
            r.as_of.format("%Y-%m-%d %H:%M").to_string(),
            r.centre,
            r.series,
            r.files,
            r.results,
            r.findings
        )?;
    }
    writeln!(out, "{}", messages::count(runs.len(), "run", "runs"))?;
    Ok(exit::DONE)
}
