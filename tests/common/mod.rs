//! What the command-line tests share: the binary, and a copy of a samples folder to change.

use std::path::Path;

use assert_cmd::Command;

/// The `resultsday` binary under test.
#[allow(dead_code)] // some test files only copy folders
pub fn resultsday() -> Command {
    Command::cargo_bin("resultsday").unwrap()
}

/// Copies a folder and everything in it, so a test can add files to a copy of the samples.
#[allow(dead_code)] // not every test file copies folders
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
