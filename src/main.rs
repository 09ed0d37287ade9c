fn main() {
    std::process::exit(resultsday::cli::main());
}
