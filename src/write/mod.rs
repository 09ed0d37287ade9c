//! What a run writes to OUT: findings, statements, changes, `run.json` and the analysis files,
//! staged and put in place as one set.

pub mod changes;
pub mod csvout;
pub mod findings;
pub mod output;
pub mod statements;
