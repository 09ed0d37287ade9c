//! One parser per detail record type, each slicing its line through its layout table.

use crate::field::FieldReader;
use crate::layouts::{
    ComponentLayout, DisallowedLayout, EntryLayout, FieldKind, FieldSpec, LinkLayout, OptionLayout,
    ResultLayout, SyllabusLayout, SLOT_LEN, SLOT_OPTION_LEN,
};
use crate::model::{
    Component, Disallowed, EntryAction, EntryOption, EntryRecord, Grade, Item, Link, Records,
    ResultFlag, ResultRecord, Session, Syllabus, UnitLink,
};
use crate::problem::{show_bytes, Problem, ProblemKind};

/// Reads a results record `R5`. `None` when a key field (centre, candidate, option) is unusable.
pub fn result(r: &mut FieldReader, l: &ResultLayout) -> Option<ResultRecord> {
    let centre = r.key_digits(&l.centre);
    let candidate_number = r.key_digits(&l.candidate);
    let option_code = r.key_text(&l.option);
    let uci = r.text_or_empty(&l.uci);
    let flag = match r.one_of(&l.flag, b"ME") {
        Some(b'M') => ResultFlag::Mark,
        Some(b'E') => ResultFlag::Endorsement,
        _ => ResultFlag::Neither,
    };
    let grade = r.text(&l.grade1).and_then(|g| Grade::parse(&g));
    let grade2 = r.text(&l.grade2).and_then(|g| Grade::parse(&g));
    let (mark, endorsement) = match flag {
        ResultFlag::Mark => (r.number(&l.mark_or_endorsement), None),
        ResultFlag::Endorsement => (None, r.text(&l.mark_or_endorsement)),
        ResultFlag::Neither => {
            if let Some(text) = r.text(&l.mark_or_endorsement) {
                let message = format!(
                    "bytes {}–{} hold '{text}' but the result flag (byte {}) is blank, so they \
                     are neither a mark nor an endorsement; expected 'M' or 'E' in the flag",
                    l.mark_or_endorsement.start,
                    l.mark_or_endorsement.end(),
                    l.flag.start
                );
                r.report(ProblemKind::MalformedRecord, &l.flag, message);
            }
            (None, None)
        }
    };
    let max_mark = r.number(&l.max_mark);
    let name = r.text_or_empty(&l.name);
    r.usable().then(|| ResultRecord {
        line: r.line_no(),
        centre,
        candidate_number,
        option_code,
        uci,
        flag,
        grade,
        grade2,
        mark,
        max_mark,
        endorsement,
        name,
    })
}

/// Reads an entries or amendments record `E5`/`A5` (one per candidate) into one entry per
/// option slot, each with the candidate's details, pushed onto `out`. An amendment with no
/// options is a change of details only (one entry with a blank option code and action
/// `Change`). `amendments` says which file it is in: an entries file's flags are blank, an
/// amendments file's are blank (a new entry) or `W` (a withdrawal).
pub fn entry(
    r: &mut FieldReader,
    l: &EntryLayout,
    amendments: bool,
    pivot_year: i32,
    out: &mut Vec<EntryRecord>,
) {
    let candidate_type = r.one_of(&l.candidate_type, b"CP").map(char::from);
    let centre = r.key_digits(&l.centre);
    let candidate_number = r.key_digits(&l.candidate);
    let name = r.text_or_empty(&l.name);
    let sex = r.one_of(&l.sex, b"MF").map(char::from);
    let date_of_birth = r.date_ddmmyy(&l.date_of_birth, pivot_year);
    let uci = r.text_or_empty(&l.uci);
    let upn = r.text(&l.upn);
    let uln = r.digits_text(&l.uln);
    let mut slots: Vec<(String, Option<EntryAction>)> = Vec::new();
    for i in 0..l.slots.len / SLOT_LEN {
        let start = l.slots.start + i * SLOT_LEN;
        let option = FieldSpec {
            name: "entry option code",
            start,
            len: SLOT_OPTION_LEN,
            kind: FieldKind::Text,
        };
        let flag = FieldSpec {
            name: "entry option flag",
            start: start + SLOT_OPTION_LEN,
            len: 1,
            kind: FieldKind::Text,
        };
        let code = r.text(&option);
        let flag_byte = r.raw(&flag).first().copied().filter(|&b| b != b' ');
        let Some(code) = code else {
            if let Some(b) = flag_byte {
                let message = format!(
                    "slot {} has the flag {} but no option code; slot not read",
                    i + 1,
                    show_bytes(&[b])
                );
                r.report(ProblemKind::MalformedRecord, &flag, message);
            }
            continue;
        };
        let action = match (amendments, flag_byte) {
            (false, None) => None,
            (true, None) => Some(EntryAction::New),
            (true, Some(b'W' | b'w')) => Some(EntryAction::Withdraw),
            (_, Some(b)) => {
                let expected = if amendments {
                    "blank (a new entry) or 'W' (a withdrawal)"
                } else {
                    "blank in an entries file"
                };
                let message = format!(
                    "slot {} ({code}): expected the flag {expected}, found {}; read as a new \
                     entry",
                    i + 1,
                    show_bytes(&[b])
                );
                r.report(ProblemKind::MalformedRecord, &flag, message);
                amendments.then_some(EntryAction::New)
            }
        };
        slots.push((code, action));
    }
    if !r.usable() {
        return;
    }
    if slots.is_empty() {
        if !amendments {
            // An entries record with no options enters the candidate for nothing: a warning
            // at most, and nothing to reconcile.
            return;
        }
        slots.push((String::new(), Some(EntryAction::Change)));
    }
    let line = r.line_no();
    for (option_code, action) in slots {
        out.push(EntryRecord {
            line,
            candidate_type,
            centre: centre.clone(),
            candidate_number: candidate_number.clone(),
            uci: uci.clone(),
            uln: uln.clone(),
            name: name.clone(),
            sex,
            date_of_birth,
            upn: upn.clone(),
            option_code,
            action,
        });
    }
}

/// Reads a basedata syllabus record `S5`.
pub fn syllabus(r: &mut FieldReader, l: &SyllabusLayout) -> Option<Syllabus> {
    let code = r.key_text(&l.code);
    let title = r.text_or_empty(&l.title);
    r.usable().then(|| Syllabus {
        line: r.line_no(),
        code,
        title,
    })
}

/// Reads a basedata option record `O5`.
pub fn option(r: &mut FieldReader, l: &OptionLayout) -> Option<EntryOption> {
    let code = r.key_text(&l.code);
    let syllabus = r.text_or_empty(&l.syllabus);
    let qualification = r.text_or_empty(&l.qualification);
    let level = r.text_or_empty(&l.level);
    let item = match r.one_of(&l.item, b"CUB") {
        Some(b'C') => Some(Item::Certification),
        Some(b'U') => Some(Item::Unit),
        Some(b'B') => Some(Item::Both),
        _ => None,
    };
    let unit_qualification = r.text_or_empty(&l.unit_qualification);
    let unit_level = r.text_or_empty(&l.unit_level);
    let process = r.one_char(&l.process);
    let discount_code = r.text(&l.discount_code);
    let qan = r.text(&l.qan);
    let title = r.text_or_empty(&l.title);
    let fee_flag = r.one_char(&l.fee_flag);
    let fee_pence = r.number(&l.fee);
    // Forecast gradesets are not used (forecasts are no longer collected), but the field is
    // still read so that control characters in it are reported.
    let _forecast = r.text(&l.forecast_gradesets);
    let result_type = r.one_char(&l.result_type);
    let gradeset = r.text(&l.gradeset);
    let gradeset2 = r.text(&l.gradeset2);
    let endorsement_gradeset = r.text(&l.endorsement_gradeset);
    let endorsement_gradeset2 = r.text(&l.endorsement_gradeset2);
    let max_mark = r.number(&l.max_mark);
    let components = r.number(&l.components);
    r.usable().then(|| EntryOption {
        line: r.line_no(),
        code,
        syllabus,
        qualification,
        level,
        item,
        unit_qualification,
        unit_level,
        process,
        discount_code,
        qan,
        title,
        fee_flag,
        fee_pence,
        result_type,
        gradeset,
        gradeset2,
        endorsement_gradeset,
        endorsement_gradeset2,
        max_mark,
        components,
    })
}

/// Reads a basedata component record `C5`.
pub fn component(r: &mut FieldReader, l: &ComponentLayout) -> Option<Component> {
    let code = r.key_text(&l.code);
    let title = r.text_or_empty(&l.title);
    let teacher_marks = r.one_char(&l.teacher_marks);
    let max_mark = r.number(&l.max_mark);
    let gradeset = r.text(&l.gradeset);
    // Exam dates are this century's.
    let due_date = r.date_ddmmyy(&l.due_date, 2099);
    let timetabled = r.one_char(&l.timetabled);
    let exam_date = r.date_ddmmyy(&l.exam_date, 2099);
    let session = match r.one_char(&l.session) {
        Some('A') => Some(Session::Morning),
        Some('P') => Some(Session::Afternoon),
        Some(c) => Some(Session::Other(c)),
        None => None,
    };
    let duration_min = r.number(&l.duration);
    r.usable().then(|| Component {
        line: r.line_no(),
        code,
        title,
        teacher_marks,
        max_mark,
        gradeset,
        due_date,
        timetabled,
        exam_date,
        session,
        duration_min,
    })
}

/// Reads a basedata link record `L5`.
pub fn link(r: &mut FieldReader, l: &LinkLayout) -> Option<Link> {
    let option_code = r.key_text(&l.option);
    let component_code = r.key_text(&l.component);
    r.usable().then(|| Link {
        line: r.line_no(),
        option_code,
        component_code,
    })
}

/// Reads a basedata disallowed-combination record `D5`.
pub fn disallowed(r: &mut FieldReader, l: &DisallowedLayout) -> Option<Disallowed> {
    let option_a = r.key_text(&l.option_a);
    let option_b = r.key_text(&l.option_b);
    let option_c = r.text(&l.option_c);
    r.usable().then(|| Disallowed {
        line: r.line_no(),
        option_a,
        option_b,
        option_c,
    })
}

/// A certification/unit link file (`ULINKS10.X13`): no header or trailer, each line a
/// certification code and a unit code, six characters each. Every line is read; at most
/// `MAX_PROBLEMS` problems are kept, and the third value says how many more were found.
pub fn unit_links(lines: &[&[u8]]) -> (Records, Vec<Problem>, usize) {
    const CERTIFICATION: FieldSpec = FieldSpec {
        name: "certification code",
        start: 1,
        len: 6,
        kind: FieldKind::Text,
    };
    const UNIT: FieldSpec = FieldSpec {
        name: "unit code",
        start: 7,
        len: 6,
        kind: FieldKind::Text,
    };
    let mut problems = Vec::new();
    let mut not_kept = 0;
    let mut links = Vec::with_capacity(lines.len());
    for (i, &line) in lines.iter().enumerate() {
        let mut r = FieldReader::new(line, i + 1, &mut problems);
        let certification = r.key_text(&CERTIFICATION);
        let unit = r.key_text(&UNIT);
        crate::edi::extra_text(line, Some(UNIT.end()), &mut r);
        if r.usable() {
            links.push(UnitLink {
                line: i + 1,
                certification,
                unit,
            });
        }
        not_kept += crate::edi::cap(&mut problems);
    }
    (Records::UnitLinks(links), problems, not_kept)
}
