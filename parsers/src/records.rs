//! One parser per detail record type, each slicing its line through the layout table.

use crate::field::FieldReader;
use crate::layouts::{COMPONENT, DISALLOWED, ENTRY, LINK, OPTION, RESULT, SYLLABUS};
use crate::model::{
    Component, Disallowed, EntryAction, EntryOption, EntryRecord, Grade, Link, ResultFlag,
    ResultRecord, Session, Syllabus,
};
use crate::problem::ProblemKind;

/// Reads a results record `RS`. `None` when a key field (centre, candidate, option) is unusable.
pub fn result(r: &mut FieldReader) -> Option<ResultRecord> {
    let l = &RESULT;
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

/// Reads an entries or amendments record `EN`. `amendments` says which file it is in: an
/// entries file has a blank action, an amendments file one of `N`, `W`, `C`.
pub fn entry(r: &mut FieldReader, amendments: bool) -> Option<EntryRecord> {
    let l = &ENTRY;
    let centre = r.key_digits(&l.centre);
    let candidate_number = r.key_digits(&l.candidate);
    let uci = r.text_or_empty(&l.uci);
    let uln = r.digits_text(&l.uln);
    let name = r.text_or_empty(&l.name);
    let sex = r.one_of(&l.sex, b"MF").map(char::from);
    let date_of_birth = r.date(&l.date_of_birth);
    let option_code = r.key_text(&l.option);
    let action = if amendments {
        let a = r
            .one_of(&l.action, b"NWC")
            .and_then(EntryAction::from_letter);
        if a.is_none() && r.raw(&l.action).iter().all(|&b| b == b' ') {
            let message = "an amendment needs an action: 'N' new entry, 'W' withdrawal or \
                           'C' change of details; found blank"
                .to_string();
            r.report(ProblemKind::MalformedRecord, &l.action, message);
        }
        a
    } else {
        if let Some(text) = r.text(&l.action) {
            let message =
                format!("an entries file has no actions (blank expected), found '{text}'; read as a new entry");
            r.report(ProblemKind::MalformedRecord, &l.action, message);
        }
        None
    };
    r.usable().then(|| EntryRecord {
        line: r.line_no(),
        centre,
        candidate_number,
        uci,
        uln,
        name,
        sex,
        date_of_birth,
        option_code,
        action,
    })
}

/// Reads a basedata syllabus record `SY`.
pub fn syllabus(r: &mut FieldReader) -> Option<Syllabus> {
    let l = &SYLLABUS;
    let code = r.key_text(&l.code);
    let title = r.text_or_empty(&l.title);
    let qualification = r.text_or_empty(&l.qualification);
    let level = r.number(&l.level);
    let qan = r.text(&l.qan);
    let discount_code = r.text(&l.discount_code);
    r.usable().then(|| Syllabus {
        line: r.line_no(),
        code,
        title,
        qualification,
        level,
        qan,
        discount_code,
    })
}

/// Reads a basedata option record `OP`.
pub fn option(r: &mut FieldReader) -> Option<EntryOption> {
    let l = &OPTION;
    let code = r.key_text(&l.code);
    let syllabus = r.key_text(&l.syllabus);
    let title = r.text_or_empty(&l.title);
    let tier = r.one_of(&l.tier, b"FH").map(char::from);
    let gradeset = r.text(&l.gradeset);
    // A blank award flag is read as an award: only an explicit `N` asks for a cash-in.
    let is_award = r.one_of(&l.award_flag, b"YN") != Some(b'N');
    let cash_in = r.text(&l.cash_in);
    let fee_pence = r.number(&l.fee);
    r.usable().then(|| EntryOption {
        line: r.line_no(),
        code,
        syllabus,
        title,
        tier,
        gradeset,
        is_award,
        cash_in,
        fee_pence,
    })
}

/// Reads a basedata component record `CO`.
pub fn component(r: &mut FieldReader) -> Option<Component> {
    let l = &COMPONENT;
    let code = r.key_text(&l.code);
    let title = r.text_or_empty(&l.title);
    let exam_date = r.date(&l.exam_date);
    let session = match r.one_of(&l.session, b"AP") {
        Some(b'A') => Some(Session::Morning),
        Some(b'P') => Some(Session::Afternoon),
        _ => None,
    };
    let time_allowed_min = r.number(&l.time_allowed);
    let max_mark = r.number(&l.max_mark);
    r.usable().then(|| Component {
        line: r.line_no(),
        code,
        title,
        exam_date,
        session,
        time_allowed_min,
        max_mark,
    })
}

/// Reads a basedata link record `LK`.
pub fn link(r: &mut FieldReader) -> Option<Link> {
    let option_code = r.key_text(&LINK.option);
    let component_code = r.key_text(&LINK.component);
    r.usable().then(|| Link {
        line: r.line_no(),
        option_code,
        component_code,
    })
}

/// Reads a basedata disallowed-combination record `DC`.
pub fn disallowed(r: &mut FieldReader) -> Option<Disallowed> {
    let option_a = r.key_text(&DISALLOWED.option_a);
    let option_b = r.key_text(&DISALLOWED.option_b);
    r.usable().then(|| Disallowed {
        line: r.line_no(),
        option_a,
        option_b,
    })
}
