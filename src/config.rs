//! The config file: settings that belong to a team or an account rather than to one
//! run. `--config FILE`, else `$XDG_CONFIG_HOME/grayscope/config.toml` (or
//! `~/.config/grayscope/config.toml`) when it exists. Flags win over the file.
//!
//! ```toml
//! [athena]
//! workgroup = "sre"               # whose result location queries write to
//! database = "network_logs"       # where the flow-log table is (or is created)
//! catalog = "AwsDataCatalog"
//! ```
//!
//! A bad file is an error with its path, line and reason, never a panic.

use crate::backend::flowlogs::AthenaConfig;
use crate::cli::Cli;
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub athena: AthenaSection,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AthenaSection {
    pub workgroup: Option<String>,
    pub database: Option<String>,
    pub catalog: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// `$XDG_CONFIG_HOME/grayscope/config.toml`, else `~/.config/grayscope/config.toml`.
pub fn user_config_path() -> Option<PathBuf> {
    crate::paths::config_dir().map(|d| d.join("config.toml"))
}

/// Parses the text of a config file (`file` names it in errors).
pub fn parse(text: &str, file: &str) -> Result<ConfigFile, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0).min(text.len());
        ConfigError {
            file: file.to_string(),
            line: text[..offset].matches('\n').count() + 1,
            reason: e.message().trim().to_string(),
        }
    })
}

/// Reads `path` (it must exist), else the user's file when there is one.
pub fn load(path: Option<&Path>) -> Result<ConfigFile, ConfigError> {
    let (path, must) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => match user_config_path() {
            Some(p) => (p, false),
            None => return Ok(ConfigFile::default()),
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text, &path.display().to_string()),
        Err(e) if !must && e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
        Err(e) => Err(ConfigError {
            file: path.display().to_string(),
            line: 0,
            reason: e.to_string(),
        }),
    }
}

/// Where Athena queries run: the flags, else the file, else Athena's defaults
/// (workgroup `primary`, catalog `AwsDataCatalog`, database `default`).
pub fn athena_config(cli: &Cli, file: &ConfigFile) -> AthenaConfig {
    let d = AthenaConfig::default();
    let pick = |flag: &Option<String>, f: &Option<String>, dflt: String| {
        flag.clone()
            .or_else(|| f.clone())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or(dflt)
    };
    AthenaConfig {
        workgroup: pick(&cli.athena_workgroup, &file.athena.workgroup, d.workgroup),
        catalog: pick(&cli.athena_catalog, &file.athena.catalog, d.catalog),
        database: pick(&cli.athena_database, &file.athena.database, d.database),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn flags_win_over_the_file_over_defaults() {
        let file = parse(
            "[athena]\nworkgroup = \"sre\"\ndatabase = \"network_logs\"\n",
            "c.toml",
        )
        .unwrap();
        let cli = Cli::parse_from(["grayscope", "--athena-database", "flows"]);
        let a = athena_config(&cli, &file);
        assert_eq!(a.workgroup, "sre");
        assert_eq!(a.database, "flows");
        assert_eq!(a.catalog, "AwsDataCatalog");
        let none = athena_config(&Cli::parse_from(["grayscope"]), &ConfigFile::default());
        assert_eq!(none, AthenaConfig::default());
    }

    #[test]
    fn a_bad_file_says_where_and_why() {
        let e = parse("[athena]\nworkgroup = \"sre\"\ndatabse = \"x\"\n", "c.toml").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("c.toml", 3));
        assert!(e.reason.contains("databse"), "{e}");
        let e = load(Some(Path::new("/nonexistent/grayscope.toml"))).unwrap_err();
        assert!(e.to_string().starts_with("/nonexistent/grayscope.toml:0:"));
    }
}
