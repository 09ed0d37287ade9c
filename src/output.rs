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

/// Writes a whole file atomically, owner-only.
pub fn write_file(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(bytes)?;
    f.commit()
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
