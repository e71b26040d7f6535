//! The operations log shared by every test binary.
//!
//! When `GRAYSCOPE_OPS_LOG` names a file, each AWS operation a test exercises is appended
//! to it as one line `<kind> <service> <Operation>`: kind `wire` for requests that went
//! over HTTP through the bridge (see `bridge.rs`), `mock` for calls answered by an
//! in-process mock. Several test binaries may append concurrently, so every line is
//! written with a single `write_all` on a file opened in append mode.

use std::fs::OpenOptions;
use std::io::Write;

/// Environment variable naming the operations log file.
#[allow(dead_code)]
pub const OPS_LOG_ENV: &str = "GRAYSCOPE_OPS_LOG";

/// Append `"{kind} {service} {operation}\n"` to `$GRAYSCOPE_OPS_LOG`, if set.
///
/// Failures to write are reported on stderr and otherwise ignored: the log is a
/// coverage aid and must not turn a passing test into a failing one.
#[allow(dead_code)]
pub fn record(kind: &str, service: &str, operation: &str) {
    let Some(path) = std::env::var_os(OPS_LOG_ENV) else {
        return;
    };
    if path.is_empty() {
        return;
    }
    let line = format!("{kind} {service} {operation}\n");
    let result = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(err) = result {
        eprintln!(
            "grayscope tests: cannot append to {}: {err}",
            std::path::Path::new(&path).display()
        );
    }
}
