//! What stays the same for every centre of a run: the settings, calendar and tables read once,
//! where the new set of outputs is written, and how the centres are grouped.

use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;
use parsers::{Boards, Gradesets};

use crate::analysis;
use crate::load::inputs::Limits;
use crate::load::mis;
use crate::load::{self};
use crate::rules::calendar::Calendar;
use crate::rules::{config, tables};
use crate::write::output;

use super::{Progress, RunError, RunRequest};

/// The centre's own table `name` in DIR (else the working folder), else the built-in one; with
/// the centre's file as it was read (`None` for the built-in table), for the store to keep with
/// the run.
pub fn load_table<T>(
    dir: &Path,
    name: &str,
    builtin: fn() -> T,
    read: fn(&[u8]) -> Result<T, parsers::tables::TableError>,
) -> Result<(T, Option<String>), RunError> {
    let (table, copy) = tables::centre_or_builtin(Some(dir), name, builtin, |shown, bytes| {
        read(bytes).map_err(|e| tables::TableFileError {
            file: shown.to_string(),
            line: None,
            message: e.to_string(),
        })
    })
    .map_err(|e| RunError::Settings(e.to_string()))?;
    Ok((table, copy.map(|c| c.text())))
}

/// What stays the same for every centre of a run.
/// Threads that sync a run's files to disk while its centres are checked (several centres):
/// they wait for the disk, not the processor, so they are more than the cores of a laptop.
pub const SYNC_THREADS: usize = 4;

pub struct Context<'a> {
    pub args: &'a RunRequest,
    pub settings: config::Settings,
    pub calendar: Calendar,
    pub gradesets: Gradesets,
    /// The centre's `gradesets.csv` as read, kept with each run; `None`: the built-in table.
    pub gradesets_text: Option<String>,
    pub boards: Boards,
    pub tables: analysis::AnalysisTables,
    pub mis: Option<mis::Mis>,
    pub as_of: DateTime<Tz>,
    pub limits: Limits,
    /// The layout tables files are read with: the built-in one, or the centre's.
    pub layouts: load::LayoutChoice,
    /// Several centres: each writes under `OUT/centres/<centre>/`, and OUT holds them all.
    pub several: bool,
    /// Told of each file read, and of warnings.
    pub progress: &'a dyn Progress,
    /// With several centres, each centre's files are synced to disk by threads of their own.
    pub syncer: Option<output::Syncer>,
    /// Where the run's new set of outputs is written, whole, before it replaces OUT's.
    pub staging: &'a output::Staging,
}

impl Context<'_> {
    /// How a centre's files are put in place.
    pub fn commit(&self) -> output::Commit<'_> {
        match &self.syncer {
            Some(syncer) => output::Commit::Background(syncer),
            None => output::Commit::Now,
        }
    }

    /// Where a centre's files are written: in the staging folder, under the names they take
    /// in OUT.
    pub fn out_dir(&self, centre: &str) -> PathBuf {
        if self.several {
            self.root().join("centres").join(centre)
        } else {
            self.root().to_path_buf()
        }
    }

    /// Where OUT's own files are written: the staging folder.
    pub fn root(&self) -> &Path {
        self.staging.dir()
    }
}

/// How much input a group of centres checked together may hold: memory is bounded by a few
/// such groups (or by the largest centre, if it is larger), not by the folder.
pub const GROUP_BYTES: u64 = 16 * 1024 * 1024;

/// The most centres in a group.
pub const GROUP_CENTRES: usize = 16;

/// Splits the centres, in folder order, into groups checked in parallel: each group at least
/// one centre per thread, at most [`GROUP_BYTES`] of input (unless one centre is larger) and
/// [`GROUP_CENTRES`] centres. Large groups keep every thread busy; the bound keeps memory in
/// hand.
pub fn groups<'p>(
    centres: &[(&'p String, &'p Vec<PathBuf>)],
) -> Vec<Vec<(&'p String, &'p Vec<PathBuf>)>> {
    let threads = rayon::current_num_threads().max(1);
    let size = |paths: &Vec<PathBuf>| -> u64 {
        paths
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    };
    let mut groups = Vec::new();
    let (mut group, mut bytes) = (Vec::new(), 0u64);
    for &(centre, paths) in centres {
        let n = size(paths);
        if group.len() >= threads && (bytes + n > GROUP_BYTES || group.len() == GROUP_CENTRES) {
            groups.push(std::mem::take(&mut group));
            bytes = 0;
        }
        group.push((centre, paths));
        bytes += n;
    }
    if !group.is_empty() {
        groups.push(group);
    }
    groups
}
