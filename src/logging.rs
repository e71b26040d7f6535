//! Logs go to a file, never to the screen the TUI owns.

use std::path::PathBuf;
use tracing_appender::non_blocking::WorkerGuard;

/// `$XDG_STATE_HOME/grayscope`, else `~/.local/state/grayscope`: the log, the command
/// history and incident snapshots (see [`crate::paths`]).
pub fn state_dir() -> PathBuf {
    crate::paths::state_dir()
}

/// `$XDG_STATE_HOME/grayscope/grayscope.log`, else `~/.local/state/grayscope/grayscope.log`.
pub fn default_log_path() -> PathBuf {
    state_dir().join("grayscope.log")
}

/// The `:` command history saved by an earlier session (oldest first), if any.
pub fn load_history() -> Vec<String> {
    std::fs::read_to_string(state_dir().join("history"))
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Starts logging to `path` (level from `GRAYSCOPE_LOG`, default `info`). Returns the
/// guard that flushes the log when dropped, or `None` when the file cannot be opened
/// (grayscope then runs without a log rather than not at all).
pub fn init(path: &std::path::Path) -> Option<WorkerGuard> {
    let dir = path.parent()?;
    std::fs::create_dir_all(dir).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("GRAYSCOPE_LOG").unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new("info,aws_smithy_runtime=warn,aws_config=warn")
        });
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
