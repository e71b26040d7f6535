//! Where grayscope keeps its files, under the XDG variables a user may set. The
//! environment is process-wide, so this binary holds one test that changes it.
#![cfg(unix)]

use grayscope::paths::{config_dir, state_dir};
use std::path::PathBuf;

fn set(vars: &[(&str, Option<&str>)]) {
    for (k, v) in vars {
        // SAFETY: the only test in this binary; nothing else runs beside it.
        unsafe {
            match v {
                Some(v) => std::env::set_var(k, v),
                None => std::env::remove_var(k),
            }
        }
    }
}

#[test]
fn xdg_variables_are_honoured_when_absolute_and_ignored_otherwise() {
    set(&[
        ("HOME", Some("/home/sre")),
        ("XDG_STATE_HOME", Some("/var/tmp/state")),
        ("XDG_CONFIG_HOME", Some("/etc/sre")),
    ]);
    assert_eq!(state_dir(), PathBuf::from("/var/tmp/state/grayscope"));
    assert_eq!(config_dir(), Some(PathBuf::from("/etc/sre/grayscope")));
    assert_eq!(
        grayscope::keymap::user_keymap_path(),
        Some(PathBuf::from("/etc/sre/grayscope/keymap.toml"))
    );
    assert_eq!(
        grayscope::config::user_config_path(),
        Some(PathBuf::from("/etc/sre/grayscope/config.toml"))
    );
    assert_eq!(
        grayscope::logging::default_log_path(),
        PathBuf::from("/var/tmp/state/grayscope/grayscope.log")
    );

    // Unset, empty or relative: the XDG defaults under HOME.
    for v in [None, Some(""), Some("relative/dir")] {
        set(&[("XDG_STATE_HOME", v), ("XDG_CONFIG_HOME", v)]);
        assert_eq!(
            state_dir(),
            PathBuf::from("/home/sre/.local/state/grayscope"),
            "XDG_STATE_HOME={v:?}"
        );
        assert_eq!(
            config_dir(),
            Some(PathBuf::from("/home/sre/.config/grayscope")),
            "XDG_CONFIG_HOME={v:?}"
        );
    }
}
