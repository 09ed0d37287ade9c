//! (being written) `resultsday prs`.

/// `resultsday prs ...`
#[derive(Debug, clap::Args)]
pub struct PrsArgs {}

pub fn run(_args: &PrsArgs) -> Result<i32, Box<dyn std::error::Error>> {
    Err("the post-results log is being built".into())
}
