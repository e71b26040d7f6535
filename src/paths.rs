//! Where grayscope keeps its files: the platform's own convention, by `etcetera`.
//!
//! Linux and macOS follow XDG, as command-line tools there do (`~/.config/grayscope`,
//! `~/.local/state/grayscope`, overridden by `XDG_CONFIG_HOME` / `XDG_STATE_HOME`; a
//! relative or empty value is ignored, as the XDG specification says); Windows uses its
//! known folders (`%APPDATA%`, `%LOCALAPPDATA%`). Written by hand before; the crate also
//! knows the Windows folders and the relative-path rule, which the hand-written code
//! did not.

use etcetera::app_strategy::{AppStrategy, AppStrategyArgs};
use std::path::PathBuf;

fn strategy() -> Option<impl AppStrategy> {
    etcetera::choose_app_strategy(AppStrategyArgs {
        top_level_domain: "io".to_string(),
        author: "grayscope".to_string(),
        app_name: "grayscope".to_string(),
    })
    .ok()
}

/// `$XDG_CONFIG_HOME/grayscope` (default `~/.config/grayscope`): the keymap.
pub fn config_dir() -> Option<PathBuf> {
    strategy().map(|s| s.config_dir())
}

/// `$XDG_STATE_HOME/grayscope` (default `~/.local/state/grayscope`): the log, the
/// command history and incident snapshots. Where the platform has no state directory
/// (Windows), its local data directory; with no home directory at all, the temporary
/// directory, so that grayscope still runs.
pub fn state_dir() -> PathBuf {
    strategy()
        .map(|s| s.state_dir().unwrap_or_else(|| s.data_dir()))
        .unwrap_or_else(|| std::env::temp_dir().join("grayscope"))
}
