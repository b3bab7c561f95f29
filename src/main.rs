//! The `keyhound` binary: parse the command line, run, map the outcome to an exit code
//! (0 clean, 1 findings, 2 error).

mod app;
mod cli;
mod workflow;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match app::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // An error can quote a path or a value from the scanned data: never print it raw
            // (line by line: a multi-line message keeps its lines).
            let text = format!("{err:#}");
            let lines: Vec<_> = text.lines().map(keyhound::escape::text).collect();
            eprintln!("keyhound: error: {}", lines.join("\n"));
            ExitCode::from(app::EXIT_ERROR)
        }
    }
}
