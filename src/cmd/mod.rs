//! One module per subcommand, each ending in one `run` function.

pub mod inspect;
pub mod run;
