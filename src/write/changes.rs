//! What changed since the last run, as a file: `changes.csv`.

use crate::check::changes::Change;

/// `changes.csv` bytes.
pub fn changes_csv(changes: &[Change]) -> Vec<u8> {
    let mut w = super::csvout::Builder::new([
        "candidate_number",
        "uci",
        "name",
        "board",
        "entry_code",
        "title",
        "old_grade",
        "new_grade",
        "old_mark",
        "new_mark",
        "direction",
        "prs_request",
        "refund_due",
    ])
    .numeric(["old_mark", "new_mark"])
    .in_memory();
    let mark = |m: Option<u16>| m.map(|m| m.to_string()).unwrap_or_default();
    for c in changes {
        let refund = match c.refund_due {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        w.put_record([
            c.candidate_number.as_str(),
            &c.uci,
            &c.name,
            &c.board,
            &c.entry_code,
            &c.title,
            &c.old_grade,
            &c.new_grade,
            &mark(c.old_mark),
            &mark(c.new_mark),
            c.direction.as_str(),
            c.prs_request.as_deref().unwrap_or(""),
            refund,
        ]);
    }
    w.into_bytes()
}
