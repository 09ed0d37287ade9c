//! Finding and reading input files, within limits that protect the machine.

use std::fmt;
use std::path::{Path, PathBuf};

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
    fn new(path: &Path, reason: impl Into<String>) -> Self {
        InputError {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

/// Reads one file whole, refusing folders and files over the size limit.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| InputError::new(path, describe_io(&e)))?;
    if meta.is_dir() {
        return Err(InputError::new(path, "is a folder, not a file"));
    }
    if meta.len() > limits.max_file_bytes {
        return Err(InputError::new(
            path,
            format!(
                "is {} bytes, over the limit of {} bytes for one file; not read",
                meta.len(),
                limits.max_file_bytes
            ),
        ));
    }
    std::fs::read(path).map_err(|e| InputError::new(path, describe_io(&e)))
}

/// An I/O error in an exams officer's words.
pub fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "no such file or folder".into(),
        ErrorKind::PermissionDenied => "permission denied: resultsday may not read it".into(),
        _ => format!("cannot be read: {e}"),
    }
}

/// Every file under `dir` (following links, stopping at loops), sorted by path; and what could
/// not be walked.
pub fn walk(dir: &Path, limits: &Limits) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .max_depth(limits.max_depth)
        .sort_by_file_name();
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if files.len() == limits.max_files {
                    errors.push(InputError::new(
                        dir,
                        format!(
                            "holds more than {} files; the rest are not read",
                            limits.max_files
                        ),
                    ));
                    break;
                }
                files.push(e.into_path());
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                let reason = if e.loop_ancestor().is_some() {
                    "is a link back to a folder above it (a loop); not followed".to_string()
                } else if let Some(io) = e.io_error() {
                    describe_io(io)
                } else {
                    e.to_string()
                };
                errors.push(InputError { path, reason });
            }
        }
    }
    (files, errors)
}
