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
            eprintln!("keyhound: error: {err:#}");
            ExitCode::from(app::EXIT_ERROR)
        }
    }
}
