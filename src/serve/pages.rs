//! The desk's pages, rendered on the server with every value escaped: the results-day desk
//! (each centre and series, its latest run, its findings by kind, most urgent first).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::api::{store_error, with_store, RunRow};
use super::Desk;
use crate::model::FindingKind;
use crate::write::statements::escape_html;

/// A page: the title and body inside the desk's frame.
fn page(title: &str, body: &str) -> Response {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <link rel=\"stylesheet\" href=\"/desk.css\">\n<title>",
    );
    escape_html(&mut html, title);
    html.push_str(" · resultsday</title>\n</head>\n<body>\n<main>\n<h1>");
    escape_html(&mut html, title);
    html.push_str("</h1>\n");
    html.push_str(body);
    html.push_str("</main>\n</body>\n</html>\n");
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// `/`: per centre and series, the latest run with its errors and warnings by kind.
pub async fn desk(State(desk): State<Arc<Desk>>) -> Response {
    let runs = match with_store(&desk, |s| s.runs().map_err(store_error)).await {
        Ok(runs) => runs,
        Err(response) => return response,
    };
    let mut latest: BTreeMap<(String, String), RunRow> = BTreeMap::new();
    for run in &runs {
        latest.insert((run.centre.clone(), run.series.clone()), RunRow::of(run));
    }
    let mut body = String::new();
    if latest.is_empty() {
        body.push_str(
            "<p>The store holds no runs yet. Run the day's files with <code>resultsday run \
             DIR --out OUT</code>, then reload this page.</p>\n",
        );
    }
    for row in latest.values() {
        body.push_str("<section>\n<h2>Centre ");
        escape_html(&mut body, &row.centre);
        body.push_str(", series ");
        escape_html(&mut body, &row.series);
        body.push_str("</h2>\n<p>");
        escape_html(
            &mut body,
            &format!(
                "Run {} as of {}: {} results, {} errors and {} warnings.",
                row.id, row.shown_as_of, row.results, row.errors, row.warnings
            ),
        );
        body.push_str("</p>\n");
        let mut kinds: Vec<(FindingKind, u64)> = row
            .findings
            .iter()
            .filter_map(|(k, n)| FindingKind::from_name(k).map(|k| (k, *n)))
            .collect();
        kinds.sort_by_key(|(k, _)| (k.severity(), k.urgency()));
        if !kinds.is_empty() {
            body.push_str(
                "<table>\n<thead><tr><th scope=\"col\">severity</th><th scope=\"col\">how many</th>\
                 <th scope=\"col\">what</th><th scope=\"col\">kind</th></tr></thead>\n<tbody>\n",
            );
            for (kind, n) in kinds {
                let severity = kind.severity().as_str();
                body.push_str(&format!(
                    "<tr><td class=\"{severity}\">{severity}</td><td class=\"n\">{n}</td><td>"
                ));
                escape_html(&mut body, kind.describe());
                body.push_str("</td><td><code>");
                escape_html(&mut body, kind.as_str());
                body.push_str("</code></td></tr>\n");
            }
            body.push_str("</tbody>\n</table>\n");
        }
        body.push_str("</section>\n");
    }
    page("The results-day desk", &body)
}

/// The desk's stylesheet, inside the binary.
const DESK_CSS: &str = include_str!("assets/desk.css");

/// `/desk.css`.
pub async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        DESK_CSS,
    )
        .into_response()
}

/// Any address the desk does not have.
pub async fn not_found() -> Response {
    let mut response = page(
        "Not found",
        "<p>The desk has no such page. <a href=\"/\">Back to the desk</a>.</p>\n",
    );
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
