//! The `resultsday` command: parses the command line and runs it (`cli::main`).

fn main() {
    std::process::exit(resultsday::cli::main());
}
