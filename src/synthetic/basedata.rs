//! The basedata a board sends: for each board its syllabuses (`S`), options (`O`), components
//! (`C`) and links (`L`), from the catalogue.

use std::path::Path;

use chrono::NaiveDate;
use parsers::{writer, Component, DataType, EntryOption, Link, Session, Syllabus};

use super::catalogue::Opt;
use super::{board_sender, header, write, BASEDATA_CENTRE, BOARDS, SERIES};

/// The code of an option's component: its syllabus code and the component's suffix.
fn component_code(o: &Opt, suffix: &str) -> String {
    format!("{}{}", o.syllabus, suffix)
}

/// An option's basedata record.
fn entry_option(o: &Opt) -> EntryOption {
    let some = |s: &'static str| (!s.is_empty()).then(|| s.to_string());
    let max: u16 = o.components.iter().map(|(_, m)| m).sum();
    EntryOption {
        line: 0,
        code: o.code.into(),
        syllabus: o.syllabus.into(),
        qualification: o.qualification.0.into(),
        level: o.qualification.1.into(),
        item: Some(o.item),
        unit_qualification: o.unit_of.0.into(),
        unit_level: o.unit_of.1.into(),
        process: None,
        discount_code: some(o.discount),
        qan: some(o.qan),
        title: o.title.into(),
        fee_flag: Some('Y'),
        fee_pence: Some(4_850),
        result_type: None,
        gradeset: some(o.gradeset),
        gradeset2: o.gradeset2.map(Into::into),
        endorsement_gradeset: o.endorsement.map(Into::into),
        endorsement_gradeset2: None,
        max_mark: (o.marks && max > 0).then_some(max),
        components: Some(o.components.len() as u16),
    }
}

pub(super) fn write_basedata(dir: &Path, cat: &[Opt]) -> Result<usize, String> {
    let mut total = 0;
    for board in BOARDS {
        let opts: Vec<&Opt> = cat.iter().filter(|o| o.board == board).collect();
        let name = |letter: char| dir.join(format!("{letter}{SERIES}_{board}.X01"));
        let head = |data_type| header(data_type, BASEDATA_CENTRE, board, board_sender(board), 1);
        let mut syllabuses: Vec<Syllabus> = Vec::new();
        for o in &opts {
            if syllabuses.iter().any(|s| s.code == o.syllabus) {
                continue;
            }
            syllabuses.push(Syllabus {
                line: 0,
                code: o.syllabus.into(),
                title: o.title.trim_end_matches(" F").trim_end_matches(" H").into(),
            });
        }
        let options = opts.iter().map(|o| writer::option(&entry_option(o)));
        let components = opts.iter().flat_map(|o| {
            o.components
                .iter()
                .enumerate()
                .map(move |(i, (suffix, max))| {
                    writer::component(&Component {
                        line: 0,
                        code: component_code(o, suffix),
                        title: format!("{} PAPER {}", o.title, i + 1),
                        teacher_marks: Some('N'),
                        max_mark: Some(*max),
                        gradeset: None,
                        due_date: None,
                        timetabled: Some('T'),
                        exam_date: NaiveDate::from_ymd_opt(2026, 5, 11 + (i as u32 * 7) % 28),
                        session: Some(if i % 2 == 0 {
                            Session::Morning
                        } else {
                            Session::Afternoon
                        }),
                        duration_min: Some(90),
                    })
                })
        });
        let links = opts.iter().flat_map(|o| {
            o.components.iter().map(move |(suffix, _)| {
                writer::link(&Link {
                    line: 0,
                    option_code: o.code.into(),
                    component_code: component_code(o, suffix),
                })
            })
        });
        total += write(
            &name('S'),
            &writer::file(
                &head(DataType::Syllabuses),
                syllabuses.iter().map(writer::syllabus),
            ),
        )?;
        total += write(&name('O'), &writer::file(&head(DataType::Options), options))?;
        total += write(
            &name('C'),
            &writer::file(&head(DataType::Components), components),
        )?;
        total += write(&name('L'), &writer::file(&head(DataType::Links), links))?;
    }
    Ok(total)
}
