//! Writing output files so that nothing is ever half-written or readable by others: each file
//! goes to a temporary file beside its target, created owner-only (0600), and is renamed into
//! place once complete.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

mod staging;
mod syncer;

pub use staging::*;
pub use syncer::*;

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
mod tests;
