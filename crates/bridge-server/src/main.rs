//! `shaq-bridge`: see `shaq-bridge --help`.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than glibc's allocator, without transparent huge pages (its `no_thp`
/// feature): less CPU per order, idle memory kept low (docs/architecture.md, "The allocator";
/// the measurements in docs/benchmarks.md, session 8).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = bridge_server::cli::Cli::parse();
    match cli.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The whole cause chain, for the operator reading the terminal or the journal.
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
