//! The built-in statement page, written directly rather than through the template engine.
//!
//! `templates/statement.html` is the page centres copy and change; a run that uses it unchanged
//! writes the same bytes through this module, several times faster, which matters when a trust
//! or a whole series prints hundreds of thousands of pages. The fixed text (the styles) is taken
//! from the template itself; the markup around each field is written here, line for line as the
//! template renders it (trimmed blocks, HTML escaping). A test renders both ways over every kind
//! of page and requires identical bytes, so a change to the template that this module does not
//! follow fails the build's tests instead of changing what is printed.

use std::fmt::Write as _;
use std::sync::LazyLock;

use super::{GradeKind, StatementPage, TemplateContext, BUILTIN_TEMPLATE};

/// The fixed text of the page's head, cut from the built-in template; `None` if the template no
/// longer has the shape this module expects (the caller then renders the template).
struct Head {
    /// Up to the centre's name in the title.
    doctype: &'static str,
    /// Between the centre's name and the series in the title.
    title_between: &'static str,
    /// From the series in the title to where the styles for held pages go.
    styles: &'static str,
    /// The styles for held pages, written only when a page is held.
    held_styles: &'static str,
    /// The styles for held lines and UCIs, written only when a page holds one.
    withheld_styles: &'static str,
    /// From the end of the styles to the first page.
    body: &'static str,
}

static HEAD: LazyLock<Option<Head>> = LazyLock::new(|| Head::cut(BUILTIN_TEMPLATE));

impl Head {
    fn cut(template: &'static str) -> Option<Head> {
        // The opening comment and the newline after it are not printed.
        let rest = &template[template.find("#}\n")? + 3..];
        let (doctype, rest) = rest.split_once("{{ centre.name }}")?;
        let (title_between, rest) = rest.split_once("{{ series_name }}")?;
        let (styles, rest) = rest.split_once("{% if any_held %}\n")?;
        let (held_styles, rest) = rest.split_once("{% endif %}\n")?;
        let rest = rest.strip_prefix("{% if any_withheld %}\n")?;
        let (withheld_styles, rest) = rest.split_once("{% endif %}\n")?;
        let (body, _) = rest.split_once("{% for page in pages %}\n")?;
        Some(Head {
            doctype,
            title_between,
            styles,
            held_styles,
            withheld_styles,
            body,
        })
    }
}

/// The page as the built-in template renders it, or `None` when the template's text has changed
/// shape (see [`Head`]).
pub(super) fn render(context: &TemplateContext<'_>) -> Option<String> {
    let head = HEAD.as_ref()?;
    let results: usize = context.pages.iter().map(|p| p.results.len()).sum();
    let mut out = String::with_capacity(8 * 1024 + context.pages.len() * 3 * 1024 + results * 400);
    out.push_str(head.doctype);
    escape(&mut out, &context.centre.name);
    out.push_str(head.title_between);
    escape(&mut out, context.series_name);
    out.push_str(head.styles);
    if context.any_held {
        out.push_str(head.held_styles);
    }
    if context.any_withheld {
        out.push_str(head.withheld_styles);
    }
    out.push_str(head.body);
    if context.pages.is_empty() {
        out.push_str("<p class=\"empty\">No statements to print.</p>\n");
    }
    for page in &context.pages {
        write_page(&mut out, context, page);
    }
    out.push_str("</body>\n</html>\n");
    Some(out)
}

fn write_page(out: &mut String, context: &TemplateContext<'_>, page: &StatementPage<'_>) {
    let centre = &context.centre;
    out.push_str("<section class=\"page\" id=\"candidate-");
    escape(out, page.candidate_number);
    out.push_str("\">\n");
    if let Some(held) = &page.held {
        out.push_str(
            "  <div class=\"hold-stamp\" aria-hidden=\"true\">EMBARGOED</div>\n  \
             <div class=\"hold\" role=\"note\">\n    \
             <p class=\"hold-title\">EMBARGOED — not to be released to the candidate before ",
        );
        escape(out, &held.until);
        out.push_str(
            "</p>\n    <p class=\"hold-detail\">Confidential until then: for the head of centre, \
             the exams office and the staff the head of centre has named. Do not give, send or \
             show it to the candidate or anyone else.</p>\n  </div>\n",
        );
    }
    out.push_str("  <header class=\"masthead\">\n    <div>\n      <p class=\"centre-name\">");
    escape(out, &centre.name);
    out.push_str("</p>\n");
    if let Some(address) = centre.address {
        out.push_str("      <p class=\"centre-address\">");
        escape(out, address);
        out.push_str("</p>\n");
    }
    out.push_str("      <p class=\"centre-number\">Centre number <b>");
    escape(out, centre.number);
    out.push_str(
        "</b></p>\n    </div>\n    <div class=\"doc\">\n      \
         <h1 class=\"doc-title\">Statement of provisional results</h1>\n      \
         <p class=\"doc-series\">",
    );
    escape(out, context.series_name);
    out.push_str(
        " examination series</p>\n    </div>\n  </header>\n\n  <div class=\"candidate\">\n    \
         <div>\n      <span class=\"label\">Candidate name</span>\n      \
         <span class=\"value\">",
    );
    escape(out, &page.name);
    out.push_str("</span>\n      <span class=\"as-sent\">As entered: ");
    escape(out, page.name_as_sent);
    out.push_str(
        "</span>\n    </div>\n    <div>\n      <span class=\"label\">Candidate number</span>\n      \
         <span class=\"value mono\">",
    );
    escape(out, page.candidate_number);
    out.push_str(
        "</span>\n    </div>\n    <div>\n      \
         <span class=\"label\">Unique candidate identifier (UCI)</span>\n",
    );
    if page.uci_withheld {
        out.push_str("      <span class=\"value withheld-uci\">");
    } else {
        out.push_str("      <span class=\"value mono\">");
    }
    escape(out, page.uci);
    out.push_str(
        "</span>\n    </div>\n  </div>\n\n  <table class=\"results\">\n    <thead>\n      <tr>\n        \
         <th>Subject</th>\n        <th>Qualification</th>\n        <th class=\"grade\">Grade</th>\n",
    );
    if page.has_marks {
        out.push_str("        <th class=\"mark\">Mark</th>\n");
    }
    if page.has_endorsements {
        out.push_str("        <th>Endorsement</th>\n");
    }
    out.push_str("      </tr>\n    </thead>\n    <tbody>\n");
    for r in &page.results {
        if r.withheld.is_some() {
            out.push_str("      <tr class=\"withheld\">\n");
        } else {
            out.push_str("      <tr>\n");
        }
        out.push_str("        <td class=\"subject\">\n          <b>");
        if r.title.is_empty() {
            out.push_str("Title not in the awarding body&#x27;s data");
        } else {
            escape(out, r.title);
        }
        out.push_str("</b>\n          <span class=\"small\">");
        escape(out, r.board_name);
        out.push_str(" · entry code ");
        escape(out, r.entry_code);
        out.push_str("</span>\n");
        if let Some(held) = &r.held {
            out.push_str("          <span class=\"hold-row\">Embargoed until ");
            escape(out, &held.until);
            out.push_str("</span>\n");
        }
        if let Some(withheld) = &r.withheld {
            out.push_str("          <span class=\"withheld-note\">Held: ");
            escape(out, &withheld.why);
            out.push_str("</span>\n");
        }
        out.push_str("        </td>\n        <td>");
        escape(out, r.qualification);
        out.push_str("</td>\n");
        match r.grade_kind {
            GradeKind::Grade => {
                out.push_str("        <td class=\"grade\">");
                escape(out, &r.grade);
                out.push_str("</td>\n");
            }
            GradeKind::NotIssued => {
                out.push_str("        <td class=\"grade word\">Not yet issued</td>\n");
            }
            GradeKind::Withheld => {
                out.push_str("        <td class=\"grade word withheld-grade\">");
                escape(out, &r.grade);
                out.push_str("</td>\n");
            }
            GradeKind::NoResult | GradeKind::Pending => {
                out.push_str("        <td class=\"grade word\">");
                escape(out, &r.grade);
                out.push_str("</td>\n");
            }
        }
        if page.has_marks {
            out.push_str("        <td class=\"mark\">");
            if let Some(mark) = r.mark {
                let _ = write!(out, "{mark}");
                if let Some(max) = r.max_mark {
                    let _ = write!(out, "/{max}");
                }
            }
            out.push_str("</td>\n");
        }
        if page.has_endorsements {
            out.push_str("        <td>\n");
            if let Some(e) = &r.endorsement {
                if e.meaning.is_empty() {
                    escape(out, e.code);
                } else {
                    escape(out, e.meaning);
                    out.push_str(" (");
                    escape(out, e.code);
                    out.push(')');
                }
                out.push_str("          <span class=\"small\">");
                escape(out, e.kind);
                out.push_str("</span>\n");
            }
            out.push_str("        </td>\n");
        }
        out.push_str("      </tr>\n");
    }
    out.push_str("    </tbody>\n");
    if let Some(held) = &page.held {
        let columns = 3 + usize::from(page.has_marks) + usize::from(page.has_endorsements);
        let _ = write!(
            out,
            "    <tfoot>\n      <tr><td class=\"hold-foot\" colspan=\"{columns}\">EMBARGOED until "
        );
        escape(out, &held.until);
        out.push_str("</td></tr>\n    </tfoot>\n");
    }
    out.push_str("  </table>\n\n");
    let notes = &page.notes;
    if notes.partial_absence
        || notes.no_result
        || notes.pending
        || notes.not_issued
        || notes.withheld
        || notes.uci_withheld
    {
        out.push_str(
            "  <section class=\"notes\">\n    <span class=\"label\">Notes</span>\n    <dl>\n",
        );
        if notes.partial_absence {
            out.push_str(
                "      <dt>#</dt>\n      <dd>Partial absence: work was submitted for some, but \
                 not all, of the components or units of this qualification. The grade is based \
                 on the work submitted.</dd>\n",
            );
        }
        if notes.no_result {
            out.push_str(
                "      <dt>No Result</dt>\n      <dd>No result has been issued for this entry, \
                 for example because no work was received for any component. The exams office \
                 is taking this up with the awarding body.</dd>\n",
            );
        }
        if notes.pending {
            out.push_str(
                "      <dt>Pending</dt>\n      <dd>The awarding body has not yet finalised this \
                 result. It will contact the centre, and the exams office will tell you when the \
                 result is issued.</dd>\n",
            );
        }
        if notes.not_issued {
            out.push_str(
                "      <dt>Not yet issued</dt>\n      <dd>No grade has reached the centre for \
                 this entry yet. The exams office is taking this up with the awarding \
                 body.</dd>\n",
            );
        }
        if notes.withheld {
            out.push_str(
                "      <dt>See the exams office</dt>\n      <dd>This result reached the centre \
                 with a problem the exams office must resolve with the awarding body, so it is \
                 held and not printed. The exams office will give you the result as soon as it \
                 is confirmed.</dd>\n",
            );
        }
        if notes.uci_withheld {
            out.push_str(
                "      <dt>UCI held</dt>\n      <dd>The unique candidate identifier the awarding \
                 body sent fails its check, so it is not printed. The exams office will confirm \
                 your UCI with you.</dd>\n",
            );
        }
        out.push_str("    </dl>\n  </section>\n");
    }
    out.push_str(
        "\n  <section class=\"about\">\n    <p>These results are <b>provisional</b>. They may \
         change, for example after a review of marking. The certificate from each awarding body, \
         which the centre will give you later, is the final record of your results. Keep this \
         statement safe until then.</p>\n    <p>Questions about your results, a review of marking \
         or access to your script: ",
    );
    match centre.results_contact {
        Some(contact) => escape(out, contact),
        None => out.push_str("please contact the exams office"),
    }
    out.push_str(".</p>\n  </section>\n\n  <footer class=\"footer\">\n    <span>");
    escape(out, &centre.name);
    out.push_str(" · centre ");
    escape(out, centre.number);
    out.push_str(" · ");
    escape(out, context.series_name);
    out.push_str("</span>\n    <span>Candidate ");
    escape(out, page.candidate_number);
    out.push_str(" · ");
    escape(out, &page.name);
    out.push_str("</span>\n  </footer>\n</section>\n");
}

/// The bytes HTML escaping replaces.
const ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 6 {
        table[b"<>&\"'/"[i] as usize] = true;
        i += 1;
    }
    table
};

/// Appends `text` escaped for HTML as the template engine escapes it: `<`, `>`, `&`, `"`, `'`
/// and `/`.
pub fn escape(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(at) = bytes[start..].iter().position(|&b| ESCAPED[b as usize]) {
        let i = start + at;
        out.push_str(&text[start..i]);
        out.push_str(match bytes[i] {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => "&#x2f;",
        });
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_template_has_the_shape_this_module_cuts() {
        let head = Head::cut(BUILTIN_TEMPLATE).expect("the built-in template's head");
        assert!(head.doctype.starts_with("<!DOCTYPE html>\n"));
        assert_eq!(head.title_between, " · ");
        assert!(head.held_styles.contains(".hold-stamp"));
        assert!(head.withheld_styles.contains(".withheld-note"));
        assert!(
            !head.withheld_styles.contains("hold"),
            "no embargo styles among them"
        );
        assert!(!head.styles.contains("{%") && !head.body.contains("{%"));
        assert_eq!(head.body, "</style>\n</head>\n<body>\n");
    }

    #[test]
    fn escaping_matches_the_template_engine() {
        for text in ["", "plain", "O'NEILL & <b>\"x\"</b> a/b", "é'", "<<>>"] {
            let mut ours = String::new();
            escape(&mut ours, text);
            let engine = minijinja::Environment::new()
                .template_from_named_str("t.html", "{{ t }}")
                .unwrap()
                .render(minijinja::context! { t => text })
                .unwrap();
            assert_eq!(ours, engine, "{text}");
        }
    }
}
