//! Finding and reading input files, within limits that protect the machine.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use parsers::FileName;

/// Limits on what resultsday reads (README, "Limits").
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest file read whole, in bytes.
    pub max_file_bytes: u64,
    /// The most files taken from one folder tree.
    pub max_files: usize,
    /// How deep folders are followed.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 2 * 1024 * 1024 * 1024,
            max_files: 200_000,
            max_depth: 16,
        }
    }
}

/// Why an input could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub path: PathBuf,
    pub reason: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

impl InputError {
    pub(crate) fn new(path: &Path, reason: impl Into<String>) -> Self {
        InputError {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

/// Reads one file whole, refusing folders, pipes and devices, and files over the size limit. A
/// path inside a zip (`BASEDATA.zip/O6A26_70.X01`) is read from the zip.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, InputError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory || !path.exists() => {
            if crate::load::zipped::split(path).is_some() {
                return crate::load::zipped::read_member(path, limits);
            }
            return Err(InputError::new(path, describe_at(path, &e)));
        }
        Err(e) => return Err(InputError::new(path, describe_at(path, &e))),
    };
    if meta.is_dir() {
        return Err(InputError::new(path, "is a folder, not a file"));
    }
    if !meta.is_file() {
        // Reading a pipe waits for a writer that may never come; a device may never end.
        return Err(InputError::new(
            path,
            "is not a file but a pipe, socket or device; not read",
        ));
    }
    let too_big = |len: u64| {
        InputError::new(
            path,
            format!(
                "is {} bytes, over the limit of {} for one file; not read",
                thousands(len),
                size_in_words(limits.max_file_bytes)
            ),
        )
    };
    if meta.len() > limits.max_file_bytes {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| InputError::new(path, crate::messages::describe_read(&e)))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // A file that grows while it is read is still held to the limit.
    file.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::new(path, crate::messages::describe_read(&e)))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// `2,147,483,648 bytes (2 GiB)`.
fn size_in_words(n: u64) -> String {
    const GIB: u64 = 1024 * 1024 * 1024;
    if n >= GIB && n % GIB == 0 {
        format!("{} bytes ({} GiB)", thousands(n), n / GIB)
    } else {
        format!("{} bytes", thousands(n))
    }
}

/// `2147483648` as `2,147,483,648`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An I/O error about `path`, naming the target of a link that leads nowhere.
fn describe_at(path: &Path, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        if let Ok(target) = std::fs::read_link(path) {
            return format!(
                "is a link to {}, which does not exist; not read",
                target.display()
            );
        }
    }
    crate::messages::describe_read(e)
}

/// Whether a name is one resultsday reads a file by (a results, entries or basedata name).
fn is_jcq_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| FileName::parse(n).is_some())
}

/// Every file under `dir` (following links, stopping at loops), sorted by path; and what could
/// not be walked or read: loops, links that lead nowhere, folders deeper than the limit, and
/// anything named like a JCQ file that is not a file.
pub fn walk(dir: &Path, limits: &Limits) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    // Folders named like a JCQ file; reported unless a JCQ file is found inside.
    let mut named_like_files: Vec<PathBuf> = Vec::new();
    // Links are followed inside the folder, never out of it: a link to a file or folder
    // elsewhere on the machine (`/etc/passwd`, another centre's results) is named, not read.
    let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let outside: std::cell::RefCell<Vec<InputError>> = std::cell::RefCell::new(Vec::new());
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .max_depth(limits.max_depth)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if !e.path_is_symlink() {
                return true;
            }
            match std::fs::canonicalize(e.path()) {
                Ok(target) if !target.starts_with(&root) => {
                    outside.borrow_mut().push(InputError::new(
                        e.path(),
                        "is a link to something outside the folder; not followed (copy the file \
                         itself into the folder)",
                    ));
                    false
                }
                // Inside the folder, or a link that loops or leads nowhere (said below).
                _ => true,
            }
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if files.len() == limits.max_files {
                    errors.push(InputError::new(
                        dir,
                        format!(
                            "holds more than {} files, the most resultsday takes from one \
                             folder; the rest are not read",
                            thousands(limits.max_files as u64)
                        ),
                    ));
                    break;
                }
                files.push(e.into_path());
            }
            Ok(e) if e.file_type().is_dir() => {
                if is_jcq_name(e.path()) {
                    named_like_files.push(e.path().to_path_buf());
                }
                let has_entries = || {
                    std::fs::read_dir(e.path()).is_ok_and(|mut entries| entries.next().is_some())
                };
                if e.depth() == limits.max_depth && has_entries() {
                    errors.push(InputError::new(
                        e.path(),
                        format!(
                            "is more than {} folders deep below {}, the deepest resultsday \
                             looks; nothing in it is read",
                            limits.max_depth,
                            dir.display()
                        ),
                    ));
                }
            }
            Ok(e) => {
                // A pipe, socket or device: only worth a word when named like a JCQ file.
                if is_jcq_name(e.path()) {
                    errors.push(InputError::new(
                        e.path(),
                        "is not a file but a pipe, socket or device; not read",
                    ));
                }
            }
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                let reason = if e.loop_ancestor().is_some() {
                    "is a link back to a folder above it (a loop); not followed".to_string()
                } else if let Some(io) = e.io_error() {
                    describe_at(&path, io)
                } else {
                    e.to_string()
                };
                errors.push(InputError { path, reason });
            }
        }
    }
    for folder in named_like_files {
        // `files` is in walk order, which is path order: the files under `folder` are together.
        let first = files.partition_point(|f| f < &folder);
        let inside = files[first..]
            .iter()
            .take_while(|f| f.starts_with(&folder))
            .any(|f| is_jcq_name(f));
        if !inside {
            errors.push(InputError::new(
                &folder,
                "is a folder named like a results, entries or basedata file, with no such file \
                 in it; not read (download the file again and put the file itself here)",
            ));
        }
    }
    errors.extend(outside.into_inner());
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    (files, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path, paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn numbers_have_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(200_000), "200,000");
        assert_eq!(thousands(2_147_483_648), "2,147,483,648");
    }

    #[test]
    fn files_over_the_size_limit_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("R1452070.X01");
        std::fs::write(&path, b"HDR").unwrap();
        let limits = Limits {
            max_file_bytes: 2,
            ..Limits::default()
        };
        let e = read_file(&path, &limits).unwrap_err();
        assert_eq!(
            e.reason,
            "is 3 bytes, over the limit of 2 bytes for one file; not read"
        );
        assert_eq!(read_file(&path, &Limits::default()).unwrap(), b"HDR");
    }

    #[test]
    fn the_file_count_limit_is_reported_and_the_first_files_kept() {
        let dir = tempfile::tempdir().unwrap();
        for n in 1..=4 {
            std::fs::write(dir.path().join(format!("R14520{n:02}.X01")), b"").unwrap();
        }
        let limits = Limits {
            max_files: 3,
            ..Limits::default()
        };
        let (files, errors) = walk(dir.path(), &limits);
        assert_eq!(
            names(dir.path(), &files),
            ["R1452001.X01", "R1452002.X01", "R1452003.X01"]
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path, dir.path());
        assert_eq!(
            errors[0].reason,
            "holds more than 3 files, the most resultsday takes from one folder; the rest are \
             not read"
        );
    }

    #[test]
    fn folders_deeper_than_the_limit_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(dir.path().join("a/R1452070.X01"), b"").unwrap();
        std::fs::write(deep.join("R1452070.X02"), b"").unwrap();
        // An empty folder at the limit loses nothing and is not reported.
        std::fs::create_dir_all(dir.path().join("a/empty")).unwrap();
        let limits = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        let (files, errors) = walk(dir.path(), &limits);
        assert_eq!(names(dir.path(), &files), ["a/R1452070.X01"]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].path, dir.path().join("a/b"));
        assert!(
            errors[0]
                .reason
                .starts_with("is more than 2 folders deep below "),
            "{}",
            errors[0].reason
        );
    }

    #[test]
    fn a_folder_named_like_a_file_is_named_unless_it_holds_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("R1452070.X02")).unwrap();
        std::fs::write(dir.path().join("R1452070.X02/notes.txt"), b"").unwrap();
        std::fs::create_dir_all(dir.path().join("R1452001.X01")).unwrap();
        std::fs::write(dir.path().join("R1452001.X01/R1452001.X01"), b"").unwrap();
        let (files, errors) = walk(dir.path(), &Limits::default());
        assert_eq!(
            names(dir.path(), &files),
            ["R1452001.X01/R1452001.X01", "R1452070.X02/notes.txt"]
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].path, dir.path().join("R1452070.X02"));
    }

    #[cfg(unix)]
    #[test]
    fn links_that_loop_or_lead_nowhere_are_named() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("R1452070.X05", dir.path().join("R1452070.X05")).unwrap();
        std::os::unix::fs::symlink("gone.X01", dir.path().join("R1452070.X06")).unwrap();
        std::os::unix::fs::symlink("..", dir.path().join("up")).unwrap();
        let (files, errors) = walk(dir.path(), &Limits::default());
        assert!(files.is_empty());
        let got: Vec<(String, &str)> = errors
            .iter()
            .map(|e| {
                let name = e.path.strip_prefix(dir.path()).unwrap();
                (name.display().to_string(), e.reason.as_str())
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "R1452070.X05".to_string(),
                    "is a link that leads round in a loop (to itself, or to a link that leads \
                     back to it); not followed"
                ),
                (
                    "R1452070.X06".to_string(),
                    "is a link to gone.X01, which does not exist; not read"
                ),
                (
                    "up".to_string(),
                    "is a link back to a folder above it (a loop); not followed"
                ),
            ]
        );
    }
}
