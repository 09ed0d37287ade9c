//! (being written) Post-results services: the rules, fees and the request log.

/// The store migration that creates the post-results tables.
pub const MIGRATION: &str = "";

/// Closes the open requests that `changes` answer (inside the run's transaction) and marks each
/// change with its request and refund. (Placeholder until the log lands: answers nothing.)
pub fn answer_changes(
    _conn: &rusqlite::Connection,
    _centre: &str,
    _series: &str,
    _run_id: i64,
    _outcome_on: chrono::NaiveDate,
    _changes: &mut [crate::rediff::Change],
) -> rusqlite::Result<usize> {
    Ok(0)
}

/// Marks each change with the request a given run answered for it, and its refund: for
/// `resultsday diff`, which compares stored runs. (Placeholder until the log lands.)
pub fn annotate_changes(
    _conn: &rusqlite::Connection,
    _run_id: i64,
    _changes: &mut [crate::rediff::Change],
) -> rusqlite::Result<()> {
    Ok(())
}
