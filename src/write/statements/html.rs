//! Rendering `statements.html`: the built-in page or a centre's template, within the limits a
//! template runs under, and its mistakes in words that name the file and line.

use std::collections::BTreeSet;
use std::path::Path;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use super::held::Holds;
use super::page::{pages, Centre, TemplateContext};
use super::{builtin, StatementError, StatementSet, BUILTIN_TEMPLATE, BUILTIN_TEMPLATE_NAME};

/// Renders the statements, one page per candidate by candidate number, each page's results by
/// title; with `only_candidates`, just those candidates.
pub fn render_html(
    set: &StatementSet<'_>,
    only_candidates: Option<&BTreeSet<String>>,
) -> Result<String, StatementError> {
    let holds = Holds::new(set.findings);
    let pages = pages(set, only_candidates, &holds);
    let context = TemplateContext {
        centre: Centre::from_settings(set.settings, set.centre_number),
        series_name: set.series_name,
        any_held: pages.iter().any(|p| p.held.is_some()),
        any_withheld: pages
            .iter()
            .any(|p| p.uci_withheld || p.results.iter().any(|l| l.withheld.is_some())),
        pages,
    };
    let (name, source, folder) = match &set.settings.statement_template {
        None => {
            if let Some(html) = builtin::render(&context) {
                return Ok(html);
            }
            (
                BUILTIN_TEMPLATE_NAME.to_string(),
                BUILTIN_TEMPLATE.to_string(),
                None,
            )
        }
        Some(path) => {
            let source =
                std::fs::read_to_string(path).map_err(|e| StatementError::TemplateFile {
                    file: path.display().to_string(),
                    message: crate::messages::describe_read(&e),
                })?;
            (path.display().to_string(), source, path.parent())
        }
    };
    render_template(&name, source, folder, &context)
}

/// The most instructions a statement template may run: a page of the built-in design takes a
/// few thousand, so this is some fifty times what any page needs.
pub const TEMPLATE_FUEL_PER_PAGE: u64 = 100_000;

/// The fuel for a render of `pages` pages.
pub fn template_fuel(pages: usize) -> u64 {
    1_000_000 + TEMPLATE_FUEL_PER_PAGE.saturating_mul(pages as u64)
}

fn render_template(
    name: &str,
    source: String,
    folder: Option<&Path>,
    context: &TemplateContext<'_>,
) -> Result<String, StatementError> {
    let mut env = Environment::new();
    // A centre's template may be called anything; it is always HTML.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    // Errors show the failing expression in release builds too.
    env.set_debug(true);
    // A template that loops for ever (or for a very long time) stops with an error: room for
    // a rich page for every candidate, far short of a machine brought to a halt.
    env.set_fuel(Some(template_fuel(context.pages.len())));
    if let Some(folder) = folder {
        env.set_loader(minijinja::path_loader(folder));
    }
    let error = |e: minijinja::Error| template_error(name, folder, &e);
    env.add_template_owned(name.to_string(), source)
        .map_err(error)?;
    env.get_template(name)
        .and_then(|t| t.render(context))
        .map_err(error)
}

fn template_error(main: &str, folder: Option<&Path>, e: &minijinja::Error) -> StatementError {
    let mut message = match e.detail() {
        _ if e.kind() == minijinja::ErrorKind::OutOfFuel => "the template ran far longer than \
             any statement page needs and was stopped (a loop that does not end?); nothing was \
             written: correct the template, or remove statement_template from resultsday.toml \
             to use the built-in page"
            .to_string(),
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    // What failed, as written in the template: `undefined value in `p.candidate_nmuber``.
    let written = e
        .template_source()
        .zip(e.range())
        .and_then(|(source, range)| source.get(range));
    let says_where = !matches!(
        e.kind(),
        minijinja::ErrorKind::SyntaxError | minijinja::ErrorKind::OutOfFuel
    );
    if let (Some(text), true) = (written, says_where) {
        message.push_str(&format!(" in `{text}`"));
    }
    // An error inside an included file names that file, found beside the centre's template.
    let file = match (e.name(), folder) {
        (Some(name), Some(folder)) if name != main => folder.join(name).display().to_string(),
        (Some(name), _) => name.to_string(),
        (None, _) => main.to_string(),
    };
    StatementError::Template {
        file,
        line: e.line(),
        message,
    }
}
