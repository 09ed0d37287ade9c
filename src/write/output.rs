//! Writing output files so that nothing is ever half-written or readable by others: each file
//! goes to a temporary file beside its target, created owner-only (0600), and is renamed into
//! place once complete.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// An output file being written; it appears under its name only on [`AtomicFile::commit`].
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<io::BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `target`. The folder must exist.
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
        let temp = target.with_file_name(format!(
            ".{}.{}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = open_private(&temp).inspect_err(|e| note_failure(target, e))?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            file: Some(io::BufWriter::new(file)),
        })
    }

    /// Flushes to disk and renames into place.
    pub fn commit(mut self) -> io::Result<()> {
        let result = self.finish();
        if let Err(e) = &result {
            note_failure(&self.target, e);
            let _ = std::fs::remove_file(&self.temp);
        }
        result
    }

    fn finish(&mut self) -> io::Result<()> {
        if let Some(w) = self.file.take() {
            let file = w.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
        }
        std::fs::rename(&self.temp, &self.target)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf).inspect_err(|e| note_failure(&self.target, e)),
            None => Err(io::Error::other("already committed")),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush().inspect_err(|e| note_failure(&self.target, e)),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Not committed: leave the old file as it was and remove the partial one.
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Creates (or truncates) a file readable and writable by its owner only, whatever the umask.
pub fn open_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    // The file may have existed with wider permissions; narrow them.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Refuses to write over anything but a regular file: `--out` names a new path or a file to
/// replace, never a device, a pipe, a socket or a folder, nor a link to one.
pub fn check_out_target(path: &Path) -> io::Result<()> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // A link that leads nowhere would be followed by the rename: refuse it too.
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(io::Error::other(
                    "it is a link to nothing; resultsday writes only to a new path or a regular file",
                ));
            }
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    if meta.is_file() {
        return Ok(());
    }
    let what = if meta.is_dir() {
        "a folder"
    } else {
        "a device, pipe or socket"
    };
    Err(io::Error::other(format!(
        "it is {what}; resultsday writes only to a new path or a regular file"
    )))
}

/// Writes the file `--out FILE` names: only a new path or a regular file (see
/// [`check_out_target`]), whole and owner-only; the error says what failed in words.
pub fn write_out(path: &Path, bytes: &[u8]) -> Result<(), String> {
    check_out_target(path)
        .and_then(|()| write_file(path, bytes))
        .map_err(|e| {
            format!(
                "{}: cannot be written: {}",
                path.display(),
                crate::messages::describe_write(&e)
            )
        })
}

/// Writes a whole file atomically, owner-only.
pub fn write_file(target: &Path, bytes: &[u8]) -> io::Result<()> {
    Commit::Now.write(target, bytes)
}

/// How a finished output file is put in place: at once, or by a [`Syncer`].
#[derive(Clone, Copy)]
pub enum Commit<'s> {
    /// Synced and renamed before the write returns.
    Now,
    /// Handed to the syncer, which syncs and renames it on one of its own threads.
    Background(&'s Syncer),
}

impl Commit<'_> {
    /// Writes a whole file atomically, owner-only (as [`write_file`]), committed this way.
    pub fn write(self, target: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut f = AtomicFile::create(target)?;
        f.write_all(bytes)?;
        match self {
            Commit::Now => f.commit(),
            Commit::Background(syncer) => syncer.commit(f),
        }
    }
}

/// Finished output files, synced to disk and renamed into place by a few threads of their own.
///
/// Syncing a file waits for the disk, not the processor. A run of several centres writes
/// thousands of files; with a syncer its checking threads go on to the next centre while the
/// disk catches up, instead of each waiting for every file it wrote. Each file still appears
/// under its name only once it is on disk; [`Syncer::wait`] says when all have.
pub struct Syncer {
    queue: Option<std::sync::mpsc::SyncSender<AtomicFile>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    state: std::sync::Arc<(std::sync::Mutex<Syncing>, std::sync::Condvar)>,
}

#[derive(Default)]
struct Syncing {
    /// Files handed over and not yet in place.
    pending: usize,
    /// The first file that could not be put in place, and why.
    failed: Option<(PathBuf, io::Error)>,
}

/// Files a syncer holds open at most while its threads are busy: what a run keeps open stays
/// far below the usual limit of 1,024.
const SYNC_QUEUE: usize = 32;

impl Syncer {
    /// A syncer with `threads` threads.
    pub fn new(threads: usize) -> Syncer {
        use std::sync::{Arc, Condvar, Mutex, PoisonError};
        let (queue, files) = std::sync::mpsc::sync_channel::<AtomicFile>(SYNC_QUEUE);
        let files = Arc::new(Mutex::new(files));
        let state = Arc::new((Mutex::new(Syncing::default()), Condvar::new()));
        let threads = (0..threads.max(1))
            .map(|_| {
                let (files, state) = (Arc::clone(&files), Arc::clone(&state));
                std::thread::spawn(move || loop {
                    let next = files.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(file) = next else {
                        return; // the syncer is gone
                    };
                    let target = file.target.clone();
                    let result = file.commit();
                    let (syncing, changed) = &*state;
                    let mut s = syncing.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Err(e) = result {
                        s.failed.get_or_insert((target, e));
                    }
                    s.pending -= 1;
                    changed.notify_all();
                })
            })
            .collect();
        Syncer {
            queue: Some(queue),
            threads,
            state,
        }
    }

    /// Hands `file` over; waits only while the syncer already holds [`SYNC_QUEUE`] files.
    pub fn commit(&self, file: AtomicFile) -> io::Result<()> {
        let (syncing, _) = &*self.state;
        syncing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pending += 1;
        match self.queue.as_ref().map(|q| q.send(file)) {
            Some(Ok(())) => Ok(()),
            // No thread to take it (never so while the syncer lives): put it in place here.
            Some(Err(std::sync::mpsc::SendError(file))) => {
                self.done_here();
                file.commit()
            }
            None => {
                self.done_here();
                Err(io::Error::other("the syncer has stopped"))
            }
        }
    }

    fn done_here(&self) {
        let (syncing, _) = &*self.state;
        syncing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pending -= 1;
    }

    /// Waits until every file handed over is in place; the first that could not be, and why.
    pub fn wait(&self) -> Result<(), (PathBuf, io::Error)> {
        let (syncing, changed) = &*self.state;
        let mut s = syncing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while s.pending > 0 {
            s = changed
                .wait(s)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        s.failed.take().map_or(Ok(()), Err)
    }
}

impl Drop for Syncer {
    /// Puts in place what is still queued, then stops the threads.
    fn drop(&mut self) {
        self.queue = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Creates a folder (and any missing parents) that only its owner can enter (0700, whatever
/// the umask). A folder that already exists is left as its owner set it: it may be one they
/// share on purpose, and what is written into it is owner-only all the same.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    // The missing folders, deepest first; each is made 0700 from the start, top down.
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(p) = at.filter(|p| !p.as_os_str().is_empty()) {
        if p.is_dir() {
            break;
        }
        if p.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} is a file, not a folder", p.display()),
            ));
        }
        missing.push(p);
        at = p.parent();
    }
    for p in missing.into_iter().rev() {
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        match builder.create(p) {
            Ok(()) => {
                // A umask may have taken the owner's own bits away.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o700))?;
                }
            }
            // Another process made it meanwhile: it is theirs to have set.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && p.is_dir() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The process that left a temporary file, from its name (`.findings.csv.1234.tmp`).
fn temporary_of(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (target, pid) = rest.rsplit_once('.')?;
    if target.is_empty() {
        return None;
    }
    pid.parse().ok()
}

/// Removes the temporary files a killed run left under `dir` (a few folders deep): those named
/// as [`AtomicFile`] names them, of a process that is no longer running. Returns how many.
/// Where it cannot be told whether a process runs (no `/proc`), nothing is removed.
pub fn remove_stale_temporaries(dir: &Path) -> usize {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return 0;
    }
    let mut removed = 0;
    let walker = walkdir::WalkDir::new(dir).max_depth(4).follow_links(false);
    for entry in walker.into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(pid) = entry.file_name().to_str().and_then(temporary_of) else {
            continue;
        };
        if !proc.join(pid.to_string()).exists() && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

// ---------------------------------------------------------------------------------------------
// OUT changes as one set
// ---------------------------------------------------------------------------------------------
//
// A run writes its whole set of files into a staging folder inside OUT (`OUT/.staging-<pid>`),
// each file synced to disk; checks that every one can be put in place; writes the staging
// folder's manifest (its files, and the runs it belongs to); and only then commits the store.
// Once the store holds the runs, the staged files are renamed over OUT's, one by one, and the
// previous run's files that the new set does not have are removed.
//
// So a run that fails before the store commits (a full disk, a file that cannot be written, the
// store failing) leaves OUT as the previous run left it, and removes its staging folder. A run
// that is killed leaves its staging folder behind; the next run finishes it if the store holds
// its runs (the kill came while the files were being put in place) and removes it if not.

/// The name of a run's staging folder inside OUT, before the process id.
pub const STAGING_PREFIX: &str = ".staging-";

/// The file in a staging folder that says the set is complete: its files and its runs.
const MANIFEST: &str = ".manifest.json";

/// How long a run waits for another process still putting its files in place in the same OUT.
const LIVE_SWAP_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

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
struct Manifest {
    runs: Vec<StagedRun>,
    /// Paths relative to OUT, with `/` between folders.
    files: Vec<String>,
}

type FailureSlot = std::sync::Mutex<Option<(PathBuf, io::Error)>>;

/// The staging folders open in this process, each with the first write into it that failed.
static STAGINGS: std::sync::Mutex<Vec<(PathBuf, std::sync::Weak<FailureSlot>)>> =
    std::sync::Mutex::new(Vec::new());

/// Remembers a failed write into a staging folder, whichever module wrote it, so the run can
/// say in words what failed (the module may have passed the error on as text).
fn note_failure(target: &Path, e: &io::Error) {
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

fn copy_error(e: &io::Error) -> io::Error {
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

fn staging_pid(name: &str) -> Option<u32> {
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
fn staged_files(dir: &Path) -> io::Result<Vec<String>> {
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
fn check_target(target: &Path) -> io::Result<()> {
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
fn same_disk(staging: &Path, folder: &Path) -> io::Result<()> {
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
fn probe(folder: &Path) -> io::Result<()> {
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
fn stale_outputs(out: &Path, files: &[String]) -> Vec<PathBuf> {
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
fn finish(out: &Path, dir: &Path, manifest: &Manifest) -> Result<(), (PathBuf, io::Error)> {
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
fn running(pid: u32) -> Option<bool> {
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

/// Removes whatever is at `path`, if anything.
fn remove_any(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Makes a new folder, owner-only whatever the umask.
fn make_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Asks for a folder's entries (a rename, a new file) to be on disk; where the system cannot,
/// nothing is lost but the certainty.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syncer_puts_every_file_in_place_before_wait_returns() {
        let dir = tempfile::tempdir().unwrap();
        let syncer = Syncer::new(3);
        // More files than the queue holds, so handing over waits for the threads at times.
        for i in 0..(SYNC_QUEUE * 3) {
            let path = dir.path().join(format!("{i}.csv"));
            Commit::Background(&syncer)
                .write(&path, i.to_string().as_bytes())
                .unwrap();
        }
        syncer.wait().unwrap();
        for i in 0..(SYNC_QUEUE * 3) {
            let path = dir.path().join(format!("{i}.csv"));
            assert_eq!(std::fs::read_to_string(&path).unwrap(), i.to_string());
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600);
            }
        }
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names.len(),
            SYNC_QUEUE * 3,
            "no temporaries left: {names:?}"
        );
    }

    #[test]
    fn a_syncer_names_the_file_it_could_not_put_in_place() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should go: the rename fails.
        let blocked = dir.path().join("statements.html");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("inside"), b"x").unwrap();
        let syncer = Syncer::new(2);
        Commit::Background(&syncer)
            .write(&dir.path().join("findings.csv"), b"ok")
            .unwrap();
        Commit::Background(&syncer)
            .write(&blocked, b"page")
            .unwrap();
        let (path, _) = syncer.wait().unwrap_err();
        assert_eq!(path, blocked);
        assert_eq!(
            std::fs::read(dir.path().join("findings.csv")).unwrap(),
            b"ok"
        );
        // Once said, the failure is not said again.
        syncer.wait().unwrap();
    }

    #[test]
    fn dropping_a_syncer_puts_in_place_what_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.json");
        {
            let syncer = Syncer::new(1);
            Commit::Background(&syncer).write(&path, b"{}").unwrap();
        }
        assert_eq!(std::fs::read(&path).unwrap(), b"{}");
    }

    #[test]
    fn temporaries_of_runs_that_ended_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("centres").join("10000");
        std::fs::create_dir_all(&sub).unwrap();
        // A pid above the kernel's limit (4194304) is never running.
        let stale = [
            dir.path().join(".findings.csv.4194399.tmp"),
            sub.join(".statements.html.4194399.tmp"),
        ];
        let kept = [
            dir.path()
                .join(format!(".run.json.{}.tmp", std::process::id())),
            dir.path().join("findings.csv"),
            dir.path().join(".4194399.tmp"),
            dir.path().join("notes.4194399.tmp"),
        ];
        for p in stale.iter().chain(&kept) {
            std::fs::write(p, b"x").unwrap();
        }
        assert_eq!(remove_stale_temporaries(dir.path()), 2);
        assert!(stale.iter().all(|p| !p.exists()));
        assert!(kept.iter().all(|p| p.exists()));
    }

    #[test]
    fn written_files_are_owner_only_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("findings.csv");
        std::fs::write(&path, "old").unwrap();
        write_file(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn every_folder_made_is_owner_only_and_an_existing_one_is_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
        let deep = shared.join("a").join("b").join("out");
        create_private_dir(&deep).unwrap();
        for p in [shared.join("a"), shared.join("a/b"), deep.clone()] {
            assert_eq!(mode(&p), 0o700, "{}", p.display());
        }
        assert_eq!(mode(&shared), 0o755);
        create_private_dir(&deep).unwrap();
        let file = shared.join("a/file");
        std::fs::write(&file, "x").unwrap();
        let err = create_private_dir(&file.join("out")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert!(err.to_string().contains("is a file, not a folder"), "{err}");
    }

    /// Every file under `dir`, by path relative to it, with its text.
    fn texts(dir: &Path) -> std::collections::BTreeMap<String, String> {
        walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap();
                (
                    rel.to_string_lossy().into_owned(),
                    std::fs::read_to_string(e.path()).unwrap(),
                )
            })
            .collect()
    }

    fn put(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// An OUT holding a previous run's set, and a file of the exams officer's own.
    fn previous_set() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        for (rel, text) in [
            ("findings.csv", "old findings"),
            ("statements-changed.html", "old pack"),
            ("analysis/headline.csv", "old headline"),
            ("centres/10009/run.json", "a centre no longer run"),
            ("my notes.txt", "mine"),
        ] {
            put(&out.join(rel), text);
        }
        (dir, out)
    }

    #[test]
    fn a_staged_set_replaces_the_previous_one_whole_once_put_in_place() {
        let (_dir, out) = previous_set();
        let before = texts(&out);
        let staging = Staging::begin(&out).unwrap();
        write_file(&staging.dir().join("findings.csv"), b"new findings").unwrap();
        create_private_dir(&staging.dir().join("analysis")).unwrap();
        write_file(
            &staging.dir().join("analysis/subjects.csv"),
            b"new subjects",
        )
        .unwrap();
        write_file(&staging.dir().join("run.json"), b"{}").unwrap();
        staging.seal(Vec::new()).unwrap();
        // Sealed, not yet put in place: OUT is as it was (the staging folder apart).
        let now: std::collections::BTreeMap<String, String> = texts(&out)
            .into_iter()
            .filter(|(rel, _)| !rel.starts_with(STAGING_PREFIX))
            .collect();
        assert_eq!(now, before);
        staging.put_in_place().unwrap();
        let after = texts(&out);
        let expected: Vec<(&str, &str)> = vec![
            ("analysis/subjects.csv", "new subjects"),
            ("findings.csv", "new findings"),
            ("my notes.txt", "mine"),
            ("run.json", "{}"),
        ];
        let after_pairs: Vec<(&str, &str)> = after
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(after_pairs, expected);
        assert!(!out.join("centres").exists(), "an emptied folder goes too");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&out.join("analysis/subjects.csv")), 0o600);
            assert_eq!(mode(&out.join("findings.csv")), 0o600);
        }
        drop(staging);
        assert_eq!(texts(&out), after);
    }

    #[test]
    fn a_staging_dropped_before_it_is_put_in_place_leaves_out_as_it_was() {
        let (_dir, out) = previous_set();
        let before = texts(&out);
        {
            let staging = Staging::begin(&out).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(staging.dir())
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o700);
            }
            write_file(&staging.dir().join("findings.csv"), b"new").unwrap();
            staging.seal(Vec::new()).unwrap();
        }
        assert_eq!(texts(&out), before);
    }

    #[test]
    fn a_folder_where_a_file_goes_is_found_before_anything_changes() {
        let (_dir, out) = previous_set();
        std::fs::create_dir(out.join("statements.html")).unwrap();
        let before = texts(&out);
        let staging = Staging::begin(&out).unwrap();
        write_file(&staging.dir().join("findings.csv"), b"new").unwrap();
        write_file(&staging.dir().join("statements.html"), b"pages").unwrap();
        let (path, e) = staging.seal(Vec::new()).unwrap_err();
        assert_eq!(path, out.join("statements.html"));
        assert!(e.to_string().starts_with("it is a folder"), "{e}");
        drop(staging);
        assert_eq!(texts(&out), before);
    }

    #[test]
    fn a_failed_write_into_the_staging_folder_is_remembered_under_its_name_in_out() {
        let (_dir, out) = previous_set();
        let staging = Staging::begin(&out).unwrap();
        assert!(staging.failure().is_none());
        let missing = staging.dir().join("no such folder").join("x.csv");
        assert!(write_file(&missing, b"x").is_err());
        let (path, e) = staging.failure().unwrap();
        assert_eq!(path, out.join("no such folder").join("x.csv"));
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert_eq!(shown(&missing), path);
    }

    /// A staging folder as a killed run leaves it: `moved` of its files already put in place.
    fn leftover(out: &Path, pid: u32, runs: Vec<StagedRun>, moved: usize) -> PathBuf {
        let dir = out.join(format!("{STAGING_PREFIX}{pid}"));
        let files = vec![
            "analysis/subjects.csv".to_string(),
            "findings.csv".to_string(),
        ];
        for (i, rel) in files.iter().enumerate() {
            let at = if i < moved { out } else { dir.as_path() };
            put(&at.join(rel), &format!("new {rel}"));
        }
        let manifest = Manifest { runs, files };
        put(
            &dir.join(MANIFEST),
            &serde_json::to_string(&manifest).unwrap(),
        );
        dir
    }

    fn run(id: i64) -> StagedRun {
        StagedRun {
            id,
            centre: "14520".into(),
            series: "6A26".into(),
            started_at: "2026-08-20T09:00:00Z".into(),
        }
    }

    #[test]
    fn a_killed_runs_set_is_finished_if_the_store_holds_it_and_removed_if_not() {
        // A process id above the kernel's limit (4194304) is never running.
        let dead = 4_194_399;
        let (_dir, out) = previous_set();
        let before = texts(&out);

        // Killed before the store saved run 7: removed, OUT as it was.
        let dir = leftover(&out, dead, vec![run(7)], 0);
        let done = recover(&out, &mut |r| Some(r.id != 7));
        assert_eq!(done, [Recovered::Removed]);
        assert!(!dir.exists());
        assert_eq!(texts(&out), before);

        // Killed while writing, before the manifest: removed.
        put(
            &out.join(format!("{STAGING_PREFIX}{dead}"))
                .join("findings.csv"),
            "half",
        );
        assert_eq!(recover(&out, &mut |_| Some(true)), [Recovered::Removed]);
        assert_eq!(texts(&out), before);

        // The store cannot say: left for a run that can.
        let dir = leftover(&out, dead, vec![run(7)], 0);
        assert_eq!(recover(&out, &mut |_| None), []);
        assert!(dir.exists());
        std::fs::remove_dir_all(&dir).unwrap();

        // Killed while its files were put in place, the store holding run 8: finished.
        let dir = leftover(&out, dead, vec![run(8)], 1);
        let done = recover(&out, &mut |r| Some(r == &run(8)));
        assert_eq!(done, [Recovered::Finished { runs: vec![8] }]);
        assert!(!dir.exists());
        let after: Vec<(String, String)> = texts(&out).into_iter().collect();
        assert_eq!(
            after,
            [
                ("analysis/subjects.csv", "new analysis/subjects.csv"),
                ("findings.csv", "new findings.csv"),
                ("my notes.txt", "mine"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );

        // A set of this very process's id is an earlier process's: dealt with all the same.
        let dir = leftover(&out, std::process::id(), vec![run(9)], 0);
        assert_eq!(recover(&out, &mut |_| Some(false)), [Recovered::Removed]);
        assert!(!dir.exists());
    }

    #[test]
    fn a_path_is_shown_as_it_is_in_out() {
        assert_eq!(
            shown(Path::new("out/.staging-4242/centres/10000/findings.csv")),
            Path::new("out/centres/10000/findings.csv")
        );
        assert_eq!(
            shown(Path::new("out/.staging-x/findings.csv")),
            Path::new("out/.staging-x/findings.csv")
        );
    }

    #[test]
    fn an_abandoned_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("statements.csv");
        std::fs::write(&path, "old").unwrap();
        {
            let mut f = AtomicFile::create(&path).unwrap();
            f.write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
