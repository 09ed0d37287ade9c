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
        let file = open_private(&temp)?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            file: Some(io::BufWriter::new(file)),
        })
    }

    /// Flushes to disk and renames into place.
    pub fn commit(mut self) -> io::Result<()> {
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
            Some(f) => f.write(buf),
            None => Err(io::Error::other("already committed")),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
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

/// A write error in an exams officer's words.
pub fn describe_write(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(28) => "no space left on the device".into(),
        Some(122) => "the disk quota is used up".into(),
        Some(30) => "the disk is read-only".into(),
        _ => match e.kind() {
            io::ErrorKind::PermissionDenied => "permission denied".into(),
            io::ErrorKind::NotFound => "its folder does not exist".into(),
            _ => e.to_string(),
        },
    }
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
