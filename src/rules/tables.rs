//! The tables a centre may replace (gradesets, boards, points, subjects, post-results services
//! and fees): the centre's own copy, found as [`settings_file`] finds it, else the built-in
//! table. Every such table is looked for and read here, one way.

use std::fmt;
use std::path::Path;

use super::settings_file;

/// The largest table file read: far above any real table, so a wrong file named like one is
/// refused rather than read into memory.
pub const MAX_TABLE_BYTES: u64 = 16 * 1024 * 1024;

/// A table file, or one of its rows, that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TableFileError {
    /// The file as shown to the user, or `built-in points.csv`.
    pub file: String,
    /// The line, counted as a person counts them ([`crate::csvlines`]).
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for TableFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} line {}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl TableFileError {
    pub fn new(file: &str, line: Option<u64>, message: String) -> TableFileError {
        TableFileError {
            file: file.to_string(),
            line,
            message,
        }
    }
}

/// Reads a CSV table's rows, each with the line it starts on as a person counts them: the one
/// reader of every table a centre may replace (points, subjects, services, fees). Cells are
/// trimmed; rows may be short (missing cells are blank).
pub fn read_rows<T: for<'de> serde::Deserialize<'de>>(
    file: &str,
    mut reader: impl std::io::Read,
) -> Result<Vec<(T, u64)>, TableFileError> {
    // Whole, so that lines are counted as a person counts them (`csvlines`): a table saved
    // from a Windows spreadsheet ends its lines in CRLF.
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| TableFileError::new(file, None, crate::messages::describe_read(&e)))?;
    let mut lines = crate::csvlines::Lines::new(&bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let headers = rdr
        .byte_headers()
        .cloned()
        .map_err(|e| TableFileError::new(file, e.position().map(|p| p.line()), e.to_string()))?;
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = lines.of(record.position()) as u64;
                let row: T = record
                    .deserialize(Some(&headers))
                    .map_err(|e| TableFileError::new(file, Some(line), e.to_string()))?;
                rows.push((row, line));
            }
            Err(e) => {
                let line = lines.of(e.position()) as u64;
                return Err(TableFileError::new(file, Some(line), e.to_string()));
            }
        }
    }
    Ok(rows)
}

/// A centre's own copy of a table, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentreCopy {
    /// The file as shown to the user and in messages.
    pub shown: String,
    pub bytes: Vec<u8>,
}

impl CentreCopy {
    /// The file's text, as the store keeps it with a run.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// The centre's copy of table `name`, in `dir` or else the working folder (with no `dir`, the
/// working folder only); `None` when the centre has none and the built-in table applies.
pub fn centre_copy(dir: Option<&Path>, name: &str) -> Result<Option<CentreCopy>, TableFileError> {
    let Some(path) = settings_file(dir, name) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let err = |message: String| TableFileError {
        file: shown.clone(),
        line: None,
        message,
    };
    let size = std::fs::metadata(&path)
        .map_err(|e| err(crate::messages::describe_read(&e)))?
        .len();
    if size > MAX_TABLE_BYTES {
        return Err(err(format!(
            "is {size} bytes; a table of resultsday's is at most {MAX_TABLE_BYTES} bytes"
        )));
    }
    let bytes = std::fs::read(&path).map_err(|e| err(crate::messages::describe_read(&e)))?;
    Ok(Some(CentreCopy { shown, bytes }))
}

/// Table `name`: the centre's copy read with `read` (given the file as shown and its bytes),
/// else `builtin()`; with the copy that was read, if any.
pub fn centre_or_builtin<T, E>(
    dir: Option<&Path>,
    name: &str,
    builtin: impl FnOnce() -> T,
    read: impl FnOnce(&str, &[u8]) -> Result<T, E>,
) -> Result<(T, Option<CentreCopy>), E>
where
    E: From<TableFileError>,
{
    match centre_copy(dir, name)? {
        None => Ok((builtin(), None)),
        Some(copy) => {
            let table = read(&copy.shown, &copy.bytes)?;
            Ok((table, Some(copy)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_centre_copy_is_read_and_the_builtin_used_without_one() {
        let dir = tempfile::tempdir().unwrap();
        let read = |shown: &str, bytes: &[u8]| -> Result<String, TableFileError> {
            Ok(format!("{shown}:{}", String::from_utf8_lossy(bytes)))
        };
        let (table, copy) =
            centre_or_builtin(Some(dir.path()), "t.csv", || "builtin".to_string(), read).unwrap();
        assert_eq!((table.as_str(), copy), ("builtin", None));
        std::fs::write(dir.path().join("t.csv"), "a,b\n").unwrap();
        let (table, copy) =
            centre_or_builtin(Some(dir.path()), "t.csv", || "builtin".to_string(), read).unwrap();
        assert!(table.ends_with("t.csv:a,b\n"), "{table}");
        assert_eq!(copy.unwrap().text(), "a,b\n");
    }

    #[test]
    fn a_table_too_large_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(MAX_TABLE_BYTES + 1).unwrap();
        let err = centre_copy(Some(dir.path()), "big.csv").unwrap_err();
        assert!(err.file.ends_with("big.csv"), "{err}");
        assert!(err.message.contains("at most"), "{err}");
    }
}
