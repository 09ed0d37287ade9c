//! (being written) `resultsday certs`.

/// `resultsday certs ...`
#[derive(Debug, clap::Args)]
pub struct CertsArgs {}

pub fn run(_args: &CertsArgs) -> Result<i32, Box<dyn std::error::Error>> {
    Err("the certificates log is being built".into())
}
