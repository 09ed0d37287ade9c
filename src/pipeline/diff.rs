//! What changed between two stored runs, as `resultsday diff` prints it and the web desk shows
//! it: by default a run against the one before it of the same centre and series.

use crate::check::changes::{self, Change};
use crate::store::{self, RunSummary, Store, StoreError};

/// Two runs compared.
#[derive(Debug, Clone)]
pub struct RunChanges {
    /// The earlier run.
    pub from: i64,
    /// The later run.
    pub to: RunSummary,
    /// What changed, each with the post-results request it answers.
    pub changes: Vec<Change>,
}

/// Why two runs could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A run not in the store, no runs at all, or a first run with nothing before it.
    #[error("{0}")]
    Nothing(String),
}

/// Compares run `from` with run `to`: by default `to` is the latest run and `from` the one
/// before it of the same centre and series. Grades rank by the gradesets `to` was run with.
pub fn changes_between(
    db: &mut Store,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<RunChanges, DiffError> {
    let shown = db.path().display().to_string();
    let runs = db.runs()?;
    let to = match to {
        Some(id) => runs
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| DiffError::Nothing(format!("there is no run {id} in {shown}")))?,
        None => runs
            .into_iter()
            .next_back()
            .ok_or_else(|| DiffError::Nothing(format!("{shown} holds no runs yet")))?,
    };
    let from = match from {
        Some(id) => {
            if db.run(id)?.is_none() {
                return Err(DiffError::Nothing(format!(
                    "there is no run {id} in {shown}"
                )));
            }
            id
        }
        None => db
            .previous_run(&to.centre, &to.series, to.id)?
            .ok_or_else(|| {
                DiffError::Nothing(format!(
                    "run {} is the first of centre {} series {}: there is nothing to compare it \
                     with",
                    to.id, to.centre, to.series
                ))
            })?,
    };
    let mut changes = changes::compare(
        &db.results_of_run(from)?,
        &db.results_of_run(to.id)?,
        &db.gradesets_of_run(to.id)?,
    );
    let path = db.path().to_path_buf();
    crate::prs::annotate_changes(db.connection(), to.id, &mut changes).map_err(|e| {
        store::sql_error(
            &path,
            "read the post-results requests the changes answer",
            e,
        )
    })?;
    Ok(RunChanges { from, to, changes })
}
