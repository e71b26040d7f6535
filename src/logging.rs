//! Logs go to a file, never to the screen the TUI owns.

use std::path::PathBuf;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

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

/// What is logged by default: grayscope at info, the SDK's own chatter only from warn.
pub const DEFAULT_LOG: &str = "info,aws_smithy_runtime=warn,aws_config=warn";

/// The log filter from `GRAYSCOPE_LOG`: a level (`debug`) or comma-separated
/// `target=level` pairs (`info,aws_smithy_runtime=debug`). Unset, empty or not
/// understood: [`DEFAULT_LOG`]. (`Targets` rather than `EnvFilter`: the same
/// directives without span filters, and without a regex engine in the binary.)
pub fn log_filter(env: Option<&str>) -> Targets {
    env.map(str::trim)
        .filter(|v| !v.is_empty())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| DEFAULT_LOG.parse().expect("the default log filter parses"))
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
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false),
        )
        .with(log_filter(std::env::var("GRAYSCOPE_LOG").ok().as_deref()))
        .try_init()
        .ok()?;
    Some(guard)
}

#[cfg(test)]
mod tests {
    use super::log_filter;
    use tracing::Level;

    #[test]
    fn the_default_logs_grayscope_at_info_and_the_sdk_from_warn() {
        for env in [None, Some(""), Some("  "), Some("grayscope=loud")] {
            let f = log_filter(env);
            assert!(f.would_enable("grayscope::jobs", &Level::INFO), "{env:?}");
            assert!(!f.would_enable("grayscope::jobs", &Level::DEBUG), "{env:?}");
            assert!(!f.would_enable("aws_smithy_runtime::client", &Level::INFO));
            assert!(f.would_enable("aws_smithy_runtime::client", &Level::WARN));
            assert!(!f.would_enable("aws_config::profile", &Level::INFO));
        }
    }

    #[test]
    fn grayscope_log_takes_a_level_or_target_pairs() {
        let f = log_filter(Some("debug"));
        assert!(f.would_enable("grayscope::backend", &Level::DEBUG));
        assert!(!f.would_enable("grayscope::backend", &Level::TRACE));
        let f = log_filter(Some("warn,aws_smithy_runtime=trace"));
        assert!(f.would_enable("aws_smithy_runtime::client::orchestrator", &Level::TRACE));
        assert!(!f.would_enable("grayscope::app", &Level::INFO));
    }
}
