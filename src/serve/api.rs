//! The desk's JSON API, for scripts and tests: the stored runs, a run's findings and its
//! changes, with the field names of the CSV contract.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::Desk;
use crate::model::{FindingKind, Severity};
use crate::pipeline::diff::{changes_between, DiffError};
use crate::store::{RunSummary, Store, StoreError};

/// A run as `GET /api/runs` lists it.
#[derive(Debug, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub centre: String,
    pub series: String,
    pub as_of: String,
    pub results: u64,
    pub errors: u64,
    pub warnings: u64,
    /// `as_of` as a person reads it: `Thu 20 Aug 2026 10:00 BST`.
    #[serde(skip)]
    pub shown_as_of: String,
    /// Findings by kind (`missing_result`), as `run.json` counts them.
    pub findings: BTreeMap<String, u64>,
}

impl RunRow {
    pub fn of(run: &RunSummary) -> RunRow {
        let findings: BTreeMap<String, u64> = run
            .counts
            .get("findings")
            .and_then(|f| f.as_object())
            .map(|f| {
                f.iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        let count = |severity: Severity| {
            findings
                .iter()
                .filter(|(k, _)| FindingKind::from_name(k).map(|k| k.severity()) == Some(severity))
                .map(|(_, n)| n)
                .sum()
        };
        RunRow {
            id: run.id,
            centre: run.centre.clone(),
            series: run.series.clone(),
            as_of: run.as_of.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            shown_as_of: run
                .as_of
                .with_timezone(&chrono_tz::Europe::London)
                .format("%a %-d %b %Y %H:%M %Z")
                .to_string(),
            results: run.results,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            findings,
        }
    }
}

/// An answer that is not the data asked for: `{"error": "..."}` with its status.
pub fn error(status: StatusCode, text: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": text.into() }))).into_response()
}

/// Runs `read` on the store, off the async threads; a store that cannot be opened or read is
/// a 500 with the store's words (which name no candidate).
pub async fn with_store<T: Send + 'static>(
    desk: &Desk,
    read: impl FnOnce(&mut Store) -> Result<T, Response> + Send + 'static,
) -> Result<T, Response> {
    let db = desk.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut store = Store::open_existing(&db).map_err(store_error)?;
        read(&mut store)
    })
    .await
    .unwrap_or_else(|e| Err(error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())))
}

pub fn store_error(e: StoreError) -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// `GET /api/runs`: every run, oldest first.
pub async fn runs(State(desk): State<Arc<Desk>>) -> Response {
    match with_store(&desk, |s| s.runs().map_err(store_error)).await {
        Ok(runs) => Json(runs.iter().map(RunRow::of).collect::<Vec<_>>()).into_response(),
        Err(response) => response,
    }
}

/// `GET /api/runs/{id}/findings`.
pub async fn findings(State(desk): State<Arc<Desk>>, Path(id): Path<i64>) -> Response {
    let read = move |s: &mut Store| {
        if s.run(id).map_err(store_error)?.is_none() {
            return Err(error(
                StatusCode::NOT_FOUND,
                format!("there is no run {id}"),
            ));
        }
        s.findings_of_run(id).map_err(store_error)
    };
    match with_store(&desk, read).await {
        // `Finding` serialises with the `findings.csv` column names.
        Ok(findings) => Json(findings).into_response(),
        Err(response) => response,
    }
}

/// `GET /api/runs/{id}/changes`: against the run before it of the same centre and series
/// (none for a first run).
pub async fn changes(State(desk): State<Arc<Desk>>, Path(id): Path<i64>) -> Response {
    let read = move |s: &mut Store| {
        if s.run(id).map_err(store_error)?.is_none() {
            return Err(error(
                StatusCode::NOT_FOUND,
                format!("there is no run {id}"),
            ));
        }
        match changes_between(s, None, Some(id)) {
            Ok(c) => Ok(c.changes),
            Err(DiffError::Nothing(_)) => Ok(Vec::new()),
            Err(DiffError::Store(e)) => Err(store_error(e)),
        }
    };
    match with_store(&desk, read).await {
        // `Change` serialises with the `changes.csv` column names.
        Ok(changes) => Json(changes).into_response(),
        Err(response) => response,
    }
}
