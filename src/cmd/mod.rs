//! One module per subcommand, each ending in one `run` function.

pub mod args;
pub mod calibrate;
pub mod certs;
pub mod diff;
pub mod inspect;
pub mod prs;
pub mod run;
pub mod serve;
