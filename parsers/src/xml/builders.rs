//! The records an XML file is read into (the header, candidates, results and components): each
//! filled from its fields' values and closed when its element ends.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use super::elements::{Field, NAMES};
use super::parser::Parser;
use super::text::quoted;
use super::{XmlCandidate, XmlComponent, XmlHeader, XmlResult};
use crate::model::Grade;
use crate::problem::{Problem, ProblemKind};

/// Marks `field` as read in its record; a second non-empty value is refused with a message.
fn first_time(seen: &mut u32, field: Field, value: &str) -> Result<(), String> {
    if *seen & field.bit() != 0 {
        return Err(format!(
            "{} appears twice in one {}; expected it once; kept the first and ignored {}",
            field.name(),
            field.record().name(),
            quoted(value)
        ));
    }
    *seen |= field.bit();
    Ok(())
}

#[derive(Default)]
pub(super) struct CandidateBuilder {
    pub(super) line: usize,
    pub(super) number: Option<String>,
    /// The number was present but unusable (already reported), so drop the candidate quietly.
    pub(super) number_bad: bool,
    pub(super) uci: Option<String>,
    pub(super) uln: Option<String>,
    pub(super) name: Option<String>,
    pub(super) results: Vec<XmlResult>,
    pub(super) seen: u32,
}

#[derive(Default)]
pub(super) struct ResultBuilder {
    pub(super) line: usize,
    pub(super) option_code: Option<String>,
    pub(super) option_code_bad: bool,
    pub(super) grade: Option<Grade>,
    /// The second half of a `7-6` grade.
    pub(super) grade2_split: Option<Grade>,
    /// A `Grade2` element.
    pub(super) grade2_element: Option<Grade>,
    pub(super) grade2_line: usize,
    pub(super) mark: Option<u16>,
    pub(super) max_mark: Option<u16>,
    pub(super) endorsement: Option<String>,
    pub(super) components: Vec<XmlComponent>,
    pub(super) seen: u32,
}

#[derive(Default)]
pub(super) struct ComponentBuilder {
    pub(super) line: usize,
    pub(super) code: Option<String>,
    pub(super) code_bad: bool,
    pub(super) mark: Option<u16>,
    pub(super) max_mark: Option<u16>,
    pub(super) grade: Option<String>,
    pub(super) seen: u32,
}

pub(super) fn set_header_field(
    header: &mut XmlHeader,
    seen: &mut u32,
    field: Field,
    value: &str,
) -> Result<(), String> {
    first_time(seen, field, value)?;
    let slot = match field {
        Field::Centre => &mut header.centre,
        Field::AwardingBody => &mut header.awarding_body,
        Field::Series => &mut header.series,
        _ => {
            header.created = Some(parse_created(value).ok_or_else(|| {
                format!(
                    "expected a date and time such as 2026-08-20T00:01:00, found {}",
                    quoted(value)
                )
            })?);
            return Ok(());
        }
    };
    *slot = Some(value.to_string());
    Ok(())
}

impl CandidateBuilder {
    pub(super) fn set(&mut self, field: Field, value: &str) -> Result<(), String> {
        first_time(&mut self.seen, field, value)?;
        let slot = match field {
            Field::CandidateNumber => {
                if (1..=4).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
                    self.number = Some(format!("{value:0>4}"));
                    return Ok(());
                }
                self.number_bad = true;
                return Err(format!(
                    "expected a candidate number of 1 to 4 digits, found {}; the candidate was \
                     not read",
                    quoted(value)
                ));
            }
            Field::Uci => &mut self.uci,
            Field::Uln => &mut self.uln,
            _ => &mut self.name,
        };
        *slot = Some(value.to_string());
        Ok(())
    }
}

impl ResultBuilder {
    pub(super) fn set(&mut self, field: Field, value: &str, line: usize) -> Result<(), String> {
        first_time(&mut self.seen, field, value)?;
        match field {
            Field::OptionCode => self.option_code = Some(value.to_string()),
            Field::Grade => {
                let (grade, grade2) = split_grade(value).ok_or_else(|| {
                    format!(
                        "expected a grade such as 5 or a double award such as 7-6, found {}",
                        quoted(value)
                    )
                })?;
                self.grade = grade;
                self.grade2_split = grade2;
            }
            Field::Grade2 => {
                self.grade2_element = Grade::parse(value);
                self.grade2_line = line;
            }
            Field::Mark => self.mark = Some(parse_mark(value)?),
            Field::MaxMark => self.max_mark = Some(parse_mark(value)?),
            _ => self.endorsement = Some(value.to_string()),
        }
        Ok(())
    }
}

impl ComponentBuilder {
    pub(super) fn set(&mut self, field: Field, value: &str) -> Result<(), String> {
        first_time(&mut self.seen, field, value)?;
        match field {
            Field::ComponentCode => self.code = Some(value.to_string()),
            Field::ComponentMark => self.mark = Some(parse_mark(value)?),
            Field::ComponentMaxMark => self.max_mark = Some(parse_mark(value)?),
            _ => self.grade = Some(value.to_string()),
        }
        Ok(())
    }
}

impl Parser<'_> {
    /// Closes the open component; `quiet` when reading stopped early (a missing code is then
    /// explained by the fatal problem).
    pub(super) fn finish_component(&mut self, quiet: bool) {
        let Some(c) = self.component.take() else {
            return;
        };
        match (c.code, self.result.as_mut()) {
            (Some(code), Some(result)) => result.components.push(XmlComponent {
                line: c.line,
                code,
                mark: c.mark,
                max_mark: c.max_mark,
                grade: c.grade,
            }),
            (None, _) if !quiet && !c.code_bad => {
                let msg = format!(
                    "{} has no {}; expected a component code such as J56001; the component was \
                     not read",
                    NAMES.component, NAMES.code
                );
                self.report(
                    Problem::new(ProblemKind::MalformedRecord, Some(c.line), msg)
                        .at_field(NAMES.code),
                );
            }
            _ => {}
        }
    }

    pub(super) fn finish_result(&mut self, quiet: bool) {
        let Some(r) = self.result.take() else {
            return;
        };
        let Some(option_code) = r.option_code else {
            if !quiet && !r.option_code_bad {
                let msg = format!(
                    "{} has no {}; expected an entry option code such as J560F; the result was \
                     not read",
                    NAMES.result, NAMES.option_code
                );
                self.report(
                    Problem::new(ProblemKind::MalformedRecord, Some(r.line), msg)
                        .at_field(NAMES.option_code),
                );
            }
            return;
        };
        // An explicit Grade2 element wins over the second half of `7-6`; a disagreement is shown.
        if let (Some(split), Some(element)) = (&r.grade2_split, &r.grade2_element) {
            if split != element {
                let msg = format!(
                    "{} gives a second grade of {} but {} says {}; kept {}",
                    NAMES.grade,
                    quoted(&split.as_sent()),
                    NAMES.grade2,
                    quoted(&element.as_sent()),
                    quoted(&element.as_sent())
                );
                self.report(
                    Problem::new(ProblemKind::MalformedRecord, Some(r.grade2_line), msg)
                        .at_field(NAMES.grade2),
                );
            }
        }
        let result = XmlResult {
            line: r.line,
            option_code,
            grade: r.grade,
            grade2: r.grade2_element.or(r.grade2_split),
            mark: r.mark,
            max_mark: r.max_mark,
            endorsement: r.endorsement,
            components: r.components,
        };
        if let Some(c) = self.candidate.as_mut() {
            c.results.push(result);
        }
    }

    pub(super) fn finish_candidate(&mut self, quiet: bool) {
        let Some(c) = self.candidate.take() else {
            return;
        };
        match c.number {
            Some(candidate_number) => self.candidates.push(XmlCandidate {
                line: c.line,
                candidate_number,
                uci: c.uci,
                uln: c.uln,
                name: c.name,
                results: c.results,
            }),
            None if !quiet && !c.number_bad => {
                let msg = format!(
                    "{} has no {}; expected 1 to 4 digits; the candidate was not read",
                    NAMES.candidate, NAMES.candidate_number
                );
                self.report(
                    Problem::new(ProblemKind::MalformedRecord, Some(c.line), msg)
                        .at_field(NAMES.candidate_number),
                );
            }
            None => {}
        }
    }

    /// Keeps the records still open when reading stopped: what was read before a fatal problem
    /// is kept, unless its key was never read.
    pub(super) fn flush_open_records(&mut self) {
        self.finish_component(true);
        self.finish_result(true);
        self.finish_candidate(true);
    }
}

/// A grade, or a double award `7-6` as (grade, grade2). `None` if a dash leaves a half empty.
fn split_grade(value: &str) -> Option<(Option<Grade>, Option<Grade>)> {
    match value.split_once('-') {
        None => Some((Grade::parse(value), None)),
        Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() && !b.contains('-') => {
            Some((Grade::parse(a), Grade::parse(b)))
        }
        Some(_) => None,
    }
}

fn parse_mark(value: &str) -> Result<u16, String> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "expected a whole number of marks, found {}",
            quoted(value)
        ));
    }
    value.parse().map_err(|_| {
        format!(
            "expected a whole number of marks up to {}, found {}",
            u16::MAX,
            quoted(value)
        )
    })
}

fn parse_created(value: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        // xs:dateTime may carry a zone (`Z`, `+01:00`): keep the time as written.
        .or_else(|| {
            DateTime::parse_from_rfc3339(value)
                .ok()
                .map(|t| t.naive_local())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}
