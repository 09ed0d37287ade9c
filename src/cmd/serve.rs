//! `resultsday serve [--db DB] [--port PORT] [--no-open]`: the results-day desk in the
//! browser, on this computer only. Prints the address to open (with its access token) as one
//! line on standard output, opens the browser unless `--no-open`, and serves until Ctrl-C.
//!
//! Usage:
//!   resultsday serve
//!   resultsday serve --db trust.db --port 8080 --no-open

use std::io::Write;

use crate::cmd::args::DbArg;
use crate::exit;
use crate::serve::{self, ServeOptions};

/// `resultsday serve`
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The port on 127.0.0.1; 0 or none picks a free one.
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub port: u16,
    /// Print the address but do not open the browser.
    #[arg(long)]
    pub no_open: bool,
}

pub fn run(args: &ServeArgs) -> Result<i32, Box<dyn std::error::Error>> {
    // A mistyped --db is said now, not as an error page later.
    crate::store::Store::open_existing(&args.db.path)?;
    let options = ServeOptions {
        db: args.db.path.clone(),
        port: args.port,
    };
    serve::serve(&options, |url| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "resultsday: open {url}");
        let _ = out.flush();
        if !args.no_open {
            open_browser(url);
        }
    })?;
    Ok(exit::DONE)
}

/// Opens `url` in the default browser; if none opens, the printed address still works.
fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "windows") {
        let mut c = std::process::Command::new("rundll32");
        c.args(["url.dll,FileProtocolHandler", url]);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    let _ = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
