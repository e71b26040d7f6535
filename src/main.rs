//! grayscope: a terminal UI for live AWS incident triage. See `lib.rs` for the map of
//! the house; this file only parses arguments and hands over.

use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = grayscope::Cli::parse();
    let code = grayscope::run(cli).await;
    std::process::exit(code);
}
