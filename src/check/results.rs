//! The results a centre holds for a series: each board's latest EDI result, explained by the
//! basedata, with the XML component marks merged in; and the findings the merge raises.

use crate::model::series::{BoardSeries, CentreSeries, CurrentResult, XmlAt};
use crate::model::{results_day_of, CandidateResult, ComponentMark, Finding, FindingKind, Source};

/// Builds the results, sorted by candidate number, board and entry code, with the findings of
/// the XML merge (`xml_without_edi`, `xml_grade_conflict`, and `incomplete_result` for XML
/// component marks that cover only some of an option's components).
pub fn build(series: &CentreSeries) -> (Vec<CandidateResult>, Vec<Finding>) {
    let mut findings = Vec::new();
    for b in series.boards.values() {
        findings.extend(xml_findings(&series.centre, b));
    }
    // Each board's results are in candidate and entry code order, and the boards in order: for
    // each candidate in turn, each board's results for them.
    let mut boards: Vec<_> = series
        .boards
        .iter()
        .map(|(board, b)| (board, b, b.results.left_join(&b.xml).peekable()))
        .collect();
    let mut results = Vec::with_capacity(series.boards.values().map(|b| b.results.len()).sum());
    loop {
        let next = boards
            .iter_mut()
            .filter_map(|(_, _, items)| items.peek().map(|&(&(cand, _), _, _)| cand))
            .min();
        let Some(cand) = next else { break };
        for (board, b, items) in &mut boards {
            while let Some((_, r, xml)) = items.next_if(|&(&(c, _), _, _)| c == cand) {
                results.push(candidate_result(board, &series.centre, b, r, xml));
            }
        }
    }
    (results, findings)
}

fn candidate_result(
    board: &str,
    centre: &str,
    b: &BoardSeries,
    r: &CurrentResult,
    xml: Option<&XmlAt>,
) -> CandidateResult {
    let rec = &r.record;
    let option = b.basedata.option(&rec.option_code);
    let syllabus = b.basedata.syllabus_of(&rec.option_code);
    let title = option
        .map(|o| o.title.clone())
        .filter(|t| !t.is_empty())
        .or_else(|| syllabus.map(|s| s.title.clone()))
        .unwrap_or_default();
    let qualification = option.map(|o| {
        crate::rules::qualifications::classify(o.qualification_or_unit(), {
            if o.qualification.is_empty() {
                &o.unit_level
            } else {
                &o.level
            }
        })
    });
    let results_day = qualification
        .as_ref()
        .map_or_else(|| results_day_of("", None), |q| q.results_day);
    let level = qualification.as_ref().and_then(|q| q.level);
    let qualification = qualification.map(|q| q.name).unwrap_or_default();
    let components = xml
        .map(|x| {
            x.result
                .components
                .iter()
                .map(|c| ComponentMark {
                    code: c.code.clone(),
                    title: b
                        .basedata
                        .components
                        .get(&c.code)
                        .map(|bc| bc.title.clone())
                        .unwrap_or_default(),
                    mark: c.mark,
                    max_mark: c.max_mark,
                })
                .collect()
        })
        .unwrap_or_default();
    // The R file is the source of truth; XML fills a mark or endorsement it had no room for.
    let (mark, max_mark) = match (rec.mark, xml) {
        (Some(m), _) => (Some(m), rec.max_mark),
        (None, Some(x)) if x.result.mark.is_some() => (x.result.mark, x.result.max_mark),
        (None, _) => (None, None),
    };
    let endorsement = rec
        .endorsement
        .clone()
        .or_else(|| xml.and_then(|x| x.result.endorsement.clone()));
    CandidateResult {
        board: board.to_string(),
        centre: centre.to_string(),
        candidate_number: rec.candidate_number.clone(),
        uci: rec.uci.clone(),
        name: rec.name.clone(),
        entry_code: rec.option_code.clone(),
        syllabus_code: option.map(|o| o.syllabus.clone()),
        title,
        results_day,
        qualification,
        level,
        gradeset: option.and_then(|o| o.gradeset.clone()),
        is_award: option.is_none_or(|o| o.is_award()),
        grade: rec.grade.clone(),
        grade2: rec.grade2.clone(),
        mark,
        max_mark,
        endorsement,
        components,
        source: Source::new(r.file, rec.line),
    }
}

fn xml_findings(centre: &str, b: &BoardSeries) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, x, edi) in b.xml.left_join(&b.results) {
        let c = &x.candidate;
        let base = |kind| {
            Finding::new(kind, &b.board, centre)
                .candidate(
                    &c.candidate_number,
                    c.uci.as_deref().unwrap_or(""),
                    c.name.as_deref().unwrap_or(""),
                )
                .entry(&x.result.option_code)
                .at(&Source::new(x.file, x.result.line))
        };
        let Some(edi) = edi else {
            findings.push(base(FindingKind::XmlWithoutEdi).detail(
                "an XML result with no EDI (R file) result for this candidate and option; \
                 kept, but it takes no part in statements or analysis",
            ));
            continue;
        };
        let sent = |g: &Option<parsers::Grade>| g.as_ref().map(|g| g.as_sent());
        if x.result.grade.is_some()
            && (sent(&x.result.grade) != sent(&edi.record.grade)
                || (x.result.grade2.is_some()
                    && sent(&x.result.grade2) != sent(&edi.record.grade2)))
        {
            let show = |g1: &Option<parsers::Grade>, g2: &Option<parsers::Grade>| match (
                sent(g1),
                sent(g2),
            ) {
                (Some(a), Some(b)) => format!("{a}-{b}"),
                (Some(a), None) => a,
                _ => "blank".into(),
            };
            findings.push(base(FindingKind::XmlGradeConflict).detail(format!(
                "XML grade {} but the R file ({} line {}) says {}; the R grade stands",
                show(&x.result.grade, &x.result.grade2),
                edi.file,
                edi.record.line,
                show(&edi.record.grade, &edi.record.grade2)
            )));
        }
        if let Some(linked) = b.basedata.links.get(&x.result.option_code) {
            let have: Vec<&str> = x
                .result
                .components
                .iter()
                .map(|c| c.code.as_str())
                .collect();
            let missing: Vec<&str> = linked
                .iter()
                .map(String::as_str)
                .filter(|code| !have.contains(code))
                .collect();
            if !have.is_empty() && !missing.is_empty() {
                findings.push(base(FindingKind::IncompleteResult).detail(format!(
                    "XML component marks for {} of {} components; missing {}",
                    linked.len() - missing.len(),
                    linked.len(),
                    missing.join(", ")
                )));
            }
        }
    }
    findings
}
