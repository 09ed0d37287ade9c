//! The new set of outputs, written whole in a staging folder beside OUT and put in place after
//! the store has the run; what a run that was stopped part-way left, finished or removed.

use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};

use super::*;

/// The name of a run's staging folder inside OUT, before the process id.
pub const STAGING_PREFIX: &str = ".staging-";

/// The file in a staging folder that says the set is complete: its files and its runs.
pub(super) const MANIFEST: &str = ".manifest.json";

/// How long a run waits for another process still putting its files in place in the same OUT.
pub(super) const LIVE_SWAP_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The files a run writes into OUT (and into `OUT/centres/<centre>/`). One of these that the
/// new set does not hold is the previous set's, and goes when the new set is put in place;
/// anything else in OUT is left alone.
pub const OUTPUT_FILES: &[&str] = &[
    "findings.csv",
    "statements.csv",
    "statements.html",
    "statements-changed.html",
    "changes.csv",
    "analysis.xlsx",
    "analysis/headline.csv",
    "analysis/subjects.csv",
    "analysis/breakdown.csv",
    "analysis/changes.csv",
    "run.json",
];

/// A run saved with a staged set: the set may replace OUT's only once the store holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StagedRun {
    pub id: i64,
    pub centre: String,
    pub series: String,
    /// When the run started, as the store keeps it: with the id, it tells this run from a run
    /// that took the same id after this one was rolled back.
    pub started_at: String,
}

/// What a sealed staging folder holds.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct Manifest {
    pub(super) runs: Vec<StagedRun>,
    /// Paths relative to OUT, with `/` between folders.
    pub(super) files: Vec<String>,
}

pub(super) type FailureSlot = std::sync::Mutex<Option<(PathBuf, io::Error)>>;

/// The staging folders open in this process, each with the first write into it that failed.
pub(super) static STAGINGS: std::sync::Mutex<Vec<(PathBuf, std::sync::Weak<FailureSlot>)>> =
    std::sync::Mutex::new(Vec::new());

/// Remembers a failed write into a staging folder, whichever module wrote it, so the run can
/// say in words what failed (the module may have passed the error on as text).
pub(super) fn note_failure(target: &Path, e: &io::Error) {
    let stagings = STAGINGS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (dir, slot) in stagings.iter() {
        if !target.starts_with(dir) {
            continue;
        }
        if let Some(slot) = slot.upgrade() {
            slot.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get_or_insert_with(|| (target.to_path_buf(), copy_error(e)));
        }
    }
}

pub(super) fn copy_error(e: &io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}

/// A path as the exams officer knows it: inside OUT, not inside a staging folder
/// (`out/.staging-4242/findings.csv` is shown as `out/findings.csv`).
pub fn shown(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| {
            let name = c.as_os_str().to_string_lossy();
            staging_pid(&name).is_none()
        })
        .collect()
}

pub(super) fn staging_pid(name: &str) -> Option<u32> {
    let pid = name.strip_prefix(STAGING_PREFIX)?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// A run's new set of files, written whole into `OUT/.staging-<pid>` before any of it replaces
/// OUT's. Dropped before [`Staging::put_in_place`], it removes the folder and OUT is as it was.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    failure: std::sync::Arc<FailureSlot>,
    manifest: std::sync::Mutex<Option<Manifest>>,
    /// Kept when putting the set in place failed part-way: the store holds its runs, and the
    /// next run puts the rest in place.
    keep: std::sync::atomic::AtomicBool,
}

impl Staging {
    /// Starts a new set for OUT (which must exist): an empty owner-only staging folder.
    pub fn begin(out: &Path) -> io::Result<Staging> {
        let dir = out.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        // One left by an earlier process that had this process's id.
        remove_any(&dir)?;
        make_private_dir(&dir)?;
        let failure = std::sync::Arc::new(FailureSlot::default());
        STAGINGS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((dir.clone(), std::sync::Arc::downgrade(&failure)));
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            failure,
            manifest: std::sync::Mutex::new(None),
            keep: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Where the new set is written: the files go here under the names they take in OUT.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// OUT.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// The first write into the staging folder that failed, with the file as it is named in
    /// OUT, and why.
    pub fn failure(&self) -> Option<(PathBuf, io::Error)> {
        self.failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|(path, e)| (shown(path), copy_error(e)))
    }

    /// Checks that every staged file can be put in place (no folder, pipe or device where a
    /// file goes; every folder there and writable), then writes the manifest naming the
    /// files and the runs they belong to. Call with every file written and synced, and before
    /// the store commits the runs; on an error, nothing in OUT has changed.
    pub fn seal(&self, runs: Vec<StagedRun>) -> Result<(), (PathBuf, io::Error)> {
        let files = staged_files(&self.dir).map_err(|e| (self.out.clone(), e))?;
        let targets: Vec<PathBuf> = files.iter().map(|rel| self.out.join(rel)).collect();
        let stale = stale_outputs(&self.out, &files);
        // The folders first: each a folder (made if missing), and files can be made in it.
        let folders: std::collections::BTreeSet<&Path> = targets
            .iter()
            .chain(&stale)
            .filter_map(|p| p.parent())
            .flat_map(|p| p.ancestors().take_while(|a| a.starts_with(&self.out)))
            .collect();
        for folder in &folders {
            if std::fs::symlink_metadata(folder).is_ok_and(|m| !m.is_dir()) {
                return Err((
                    folder.to_path_buf(),
                    io::Error::other(
                        "it is a file, where the run puts a folder of that name; move the file \
                         away and run again",
                    ),
                ));
            }
        }
        for folder in &folders {
            create_private_dir(folder).map_err(|e| (folder.to_path_buf(), e))?;
            same_disk(&self.dir, folder).map_err(|e| (folder.to_path_buf(), e))?;
            probe(folder).map_err(|e| (folder.to_path_buf(), e))?;
        }
        for target in &targets {
            check_target(target).map_err(|e| (target.clone(), e))?;
        }
        let manifest = Manifest { runs, files };
        let json = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| (self.dir.join(MANIFEST), io::Error::other(e.to_string())))?;
        let path = self.dir.join(MANIFEST);
        write_file(&path, &json).map_err(|e| (shown(&path), e))?;
        sync_dir(&self.dir);
        *self
            .manifest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(manifest);
        Ok(())
    }

    /// Puts the sealed set in place: each staged file renamed over OUT's (`run.json` last),
    /// then the previous set's files that the new set does not have removed, then the staging
    /// folder. Call once the store holds the runs. On an error the staging folder is kept, and
    /// the next run puts the rest in place.
    pub fn put_in_place(&self) -> Result<(), (PathBuf, io::Error)> {
        let manifest = self
            .manifest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let Some(manifest) = manifest else {
            return Err((
                self.out.clone(),
                io::Error::other("the new files were never sealed"),
            ));
        };
        let result = finish(&self.out, &self.dir, &manifest);
        self.keep
            .store(result.is_err(), std::sync::atomic::Ordering::SeqCst);
        result
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        STAGINGS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|(dir, _)| dir != &self.dir);
        if !self.keep.load(std::sync::atomic::Ordering::SeqCst) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Every file in a staging folder, relative to it with `/` between folders, in order; not the
/// manifest, nor a temporary file still being written.
pub(super) fn staged_files(dir: &Path) -> io::Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).follow_links(false) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if (entry.depth() == 1 && name == MANIFEST) || temporary_of(&name).is_some() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .map_err(io::Error::other)?
            .components()
            .map(|c| {
                c.as_os_str().to_str().map(str::to_string).ok_or_else(|| {
                    io::Error::other(format!(
                        "{}: a name resultsday cannot write",
                        entry.path().display()
                    ))
                })
            })
            .collect::<io::Result<Vec<String>>>()?
            .join("/");
        files.push(rel);
    }
    files.sort();
    Ok(files)
}

/// Whether a staged file can take `target`'s place: a file or link there is replaced, nothing
/// there is fine, anything else is refused.
pub(super) fn check_target(target: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(target) {
        Ok(meta) if meta.is_dir() => Err(io::Error::other(
            "it is a folder, where the run puts a file of that name; move the folder away and \
             run again",
        )),
        Ok(meta) if meta.is_file() || meta.file_type().is_symlink() => Ok(()),
        Ok(_) => Err(io::Error::other(
            "it is a device, pipe or socket, where the run puts a file of that name",
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether `folder` is on the same file system as the staging folder: the set is put in place
/// by renaming, which cannot cross from one to another.
pub(super) fn same_disk(staging: &Path, folder: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if std::fs::metadata(staging)?.dev() != std::fs::metadata(folder)?.dev() {
            return Err(io::Error::other(
                "it is on another disk than the rest of OUT (a link or a mount?); resultsday puts \
                 its files in place by renaming them within one disk",
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (staging, folder);
    Ok(())
}

/// Whether files can be made in `folder` (and so renamed into it): makes and removes an empty
/// hidden file there.
pub(super) fn probe(folder: &Path) -> io::Result<()> {
    let path = folder.join(format!(".probe.{}.tmp", std::process::id()));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(&path) {
        Ok(file) => {
            drop(file);
            std::fs::remove_file(&path)
        }
        // A probe of an earlier process with this id: the folder takes files all the same.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => std::fs::remove_file(&path),
        Err(e) => Err(e),
    }
}

/// The previous set's files in OUT that a set of `files` does not hold.
pub(super) fn stale_outputs(out: &Path, files: &[String]) -> Vec<PathBuf> {
    let new: std::collections::HashSet<&str> = files.iter().map(String::as_str).collect();
    let mut stale = Vec::new();
    let mut look = |prefix: &str| {
        for name in OUTPUT_FILES {
            let rel = format!("{prefix}{name}");
            if new.contains(rel.as_str()) {
                continue;
            }
            let path = out.join(&rel);
            if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                stale.push(path);
            }
        }
    };
    look("");
    if let Ok(centres) = std::fs::read_dir(out.join("centres")) {
        for entry in centres.flatten() {
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            if let Some(name) = entry.file_name().to_str() {
                look(&format!("centres/{name}/"));
            }
        }
    }
    stale
}

/// Puts a sealed set in place (see [`Staging::put_in_place`]); done again after a kill, it
/// carries on where the killed run stopped.
pub(super) fn finish(
    out: &Path,
    dir: &Path,
    manifest: &Manifest,
) -> Result<(), (PathBuf, io::Error)> {
    let mut order: Vec<&String> = manifest.files.iter().collect();
    // run.json says what was written: each after its centre's files, OUT's after all.
    order.sort_by_key(|rel| {
        let rank = if rel.as_str() == "run.json" {
            2
        } else if rel.ends_with("/run.json") {
            1
        } else {
            0
        };
        (rank, rel.as_str())
    });
    for rel in order {
        let (from, to) = (dir.join(rel.as_str()), out.join(rel.as_str()));
        match std::fs::symlink_metadata(&from) {
            Ok(_) => {}
            // Put in place before the kill.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err((to, e)),
        }
        if let Some(parent) = to.parent() {
            create_private_dir(parent).map_err(|e| (parent.to_path_buf(), e))?;
        }
        std::fs::rename(&from, &to).map_err(|e| (to.clone(), e))?;
    }
    for stale in stale_outputs(out, &manifest.files) {
        match std::fs::remove_file(&stale) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err((stale, e)),
        }
        // Folders the previous set's files leave empty (a centre no longer run).
        let mut at = stale.parent();
        while let Some(folder) = at.filter(|f| *f != out && f.starts_with(out)) {
            if std::fs::remove_dir(folder).is_err() {
                break;
            }
            at = folder.parent();
        }
    }
    sync_dir(out);
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}

/// What became of a staging folder a run that ended early left in OUT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovered {
    /// The store holds its runs: its files were put in place.
    Finished { runs: Vec<i64> },
    /// Its runs were never saved (or it was never complete): removed, OUT as it was.
    Removed,
    /// Putting its files in place failed; it stays for the next run.
    Failed { path: PathBuf, reason: String },
}

/// Deals with the staging folders in OUT of runs that ended early (killed, or a failure while
/// their files were put in place): a complete set whose runs the store holds (`committed`
/// says; `None` when it cannot tell) is put in place, anything else is removed. A folder of a
/// process that still runs is waited for a while if it is being put in place (the store has
/// its runs), else left alone. Call holding the store's write lock, before writing anything.
/// Where it cannot be told whether a process runs (no `/proc`), nothing is done.
pub fn recover(
    out: &Path,
    committed: &mut dyn FnMut(&StagedRun) -> Option<bool>,
) -> Vec<Recovered> {
    let mut done = Vec::new();
    let Ok(entries) = std::fs::read_dir(out) else {
        return done;
    };
    let mut found: Vec<(u32, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| Some((staging_pid(e.file_name().to_str()?)?, e.path())))
        .collect();
    found.sort();
    for (pid, dir) in found {
        let manifest = std::fs::read(dir.join(MANIFEST))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).ok());
        if pid != std::process::id() {
            match running(pid) {
                None => continue,
                Some(true) if manifest.is_none() => continue,
                Some(true) => {
                    // Its store has its runs, and it is putting them in place: let it finish.
                    let started = std::time::Instant::now();
                    while dir.exists() && started.elapsed() < LIVE_SWAP_WAIT {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                    continue;
                }
                Some(false) => {}
            }
        }
        let Some(manifest) = manifest else {
            if std::fs::remove_dir_all(&dir).is_ok() {
                done.push(Recovered::Removed);
            }
            continue;
        };
        let mut all = Some(true);
        for run in &manifest.runs {
            match committed(run) {
                Some(true) => {}
                Some(false) => {
                    all = Some(false);
                    break;
                }
                None => all = None,
            }
        }
        match all {
            None => {}
            Some(false) if std::fs::remove_dir_all(&dir).is_ok() => done.push(Recovered::Removed),
            Some(false) => {}
            Some(true) => done.push(match finish(out, &dir, &manifest) {
                Ok(()) => Recovered::Finished {
                    runs: manifest.runs.iter().map(|r| r.id).collect(),
                },
                Err((path, e)) => Recovered::Failed {
                    path,
                    reason: crate::messages::describe_write(&e),
                },
            }),
        }
    }
    done
}

/// Whether process `pid` is running (a process that has ended but not been waited for counts
/// as ended); `None` where it cannot be told.
pub(super) fn running(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    let Ok(stat) = std::fs::read_to_string(proc.join(pid.to_string()).join("stat")) else {
        return Some(false);
    };
    // `pid (name) S ...`: the state follows the last parenthesis.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    Some(!matches!(state, Some('Z' | 'X')))
}
