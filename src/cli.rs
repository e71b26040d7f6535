//! Command-line arguments. Credentials and region resolve as the aws CLI does them;
//! `--profile` and `--region` mean what they mean there.

use clap::Parser;
use std::path::PathBuf;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "grayscope",
    version,
    about = "Live AWS incident triage in the terminal: which AZ is sick, and why.",
    after_help = "Examples:\n  grayscope --demo\n  grayscope --profile prod --region eu-west-1 --load-balancer shop-frontend\n\nKeys: press ? inside grayscope. Logs: see --log-file."
)]
pub struct Cli {
    /// Run on the built-in simulated incident: no AWS account, no network.
    #[arg(long)]
    pub demo: bool,

    /// AWS profile (as `aws --profile`); default: AWS_PROFILE, else "default".
    #[arg(long, env = "AWS_PROFILE", hide_env_values = true)]
    pub profile: Option<String>,

    /// AWS region (as `aws --region`); default: AWS_REGION / the profile's region.
    #[arg(long)]
    pub region: Option<String>,

    /// A load balancer to watch, by name or ARN; repeat for several. Without it,
    /// grayscope lists the region's load balancers to choose from.
    #[arg(long = "load-balancer", short = 'l', value_name = "NAME_OR_ARN")]
    pub load_balancers: Vec<String>,

    /// Never write to the account: keys that would create anything (an anomaly
    /// detector, a Reachability analysis) explain what they would do instead.
    #[arg(long)]
    pub read_only: bool,

    /// Let the AZ pane start, extend and cancel ARC zonal shifts (production traffic
    /// moves): still only after a key on the AZ row and typing the AZ ID. Without it
    /// (or with --read-only) the keys explain what they would do, and copy the aws CLI
    /// command instead.
    #[arg(long)]
    pub allow_zonal_shift: bool,

    /// Plain characters only: no box drawing, no block or braille glyphs (for terminals
    /// and fonts that cannot show them). Also GRAYSCOPE_ASCII=1.
    #[arg(long, env = "GRAYSCOPE_ASCII", value_parser = clap::builder::BoolishValueParser::new())]
    pub ascii: bool,

    /// Capture the mouse (the wheel scrolls). Off by default so the terminal's own
    /// selection and copy keep working.
    #[arg(long)]
    pub mouse: bool,

    /// Seconds between automatic refreshes.
    #[arg(long, default_value_t = 30, value_parser = parse_refresh)]
    pub refresh: u64,

    /// Keymap file to merge over the defaults (default: ~/.config/grayscope/keymap.toml).
    #[arg(long, value_name = "FILE")]
    pub keymap: Option<PathBuf>,

    /// Config file (default: ~/.config/grayscope/config.toml when it exists); its
    /// [athena] table sets workgroup, database and catalog.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Athena workgroup for flow logs in S3 (its query result location is used as is);
    /// default: the config file's, else "primary".
    #[arg(long, value_name = "NAME")]
    pub athena_workgroup: Option<String>,

    /// Glue database holding (or to hold) the flow-log table; default: the config
    /// file's, else "default".
    #[arg(long, value_name = "NAME")]
    pub athena_database: Option<String>,

    /// Data catalog; default: the config file's, else "AwsDataCatalog".
    #[arg(long, value_name = "NAME")]
    pub athena_catalog: Option<String>,

    /// Log file (default: ~/.local/state/grayscope/grayscope.log). Level: GRAYSCOPE_LOG.
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,

    /// Demo only: freeze the clock at this instant (RFC 3339), e.g. for screenshots.
    #[arg(long, value_name = "RFC3339", requires = "demo")]
    pub clock: Option<chrono::DateTime<chrono::Utc>>,

    /// Demo only: how many minutes into the incident the demo starts (0-4: the gray
    /// failure with all health checks passing; 6 on: targets failing too).
    #[arg(long, value_name = "MINUTES", default_value_t = 9, requires = "demo", value_parser = parse_demo_minute)]
    pub demo_minute: i64,

    /// Print the screen once every pane has loaded, then exit (no TUI): `text` to paste
    /// into an incident channel, `svg` for a picture.
    #[arg(long, value_name = "FORMAT", value_parser = ["text", "svg"])]
    pub print: Option<String>,

    /// Print shell completions for SHELL (bash, zsh, fish, elvish, powershell) and exit.
    #[arg(long, value_name = "SHELL", value_parser = clap::value_parser!(clap_complete::Shell))]
    pub completions: Option<clap_complete::Shell>,

    /// Print the manual page (roff, for `man -l -`) and exit.
    #[arg(long)]
    pub man: bool,

    /// Screen size for --print, as COLUMNSxROWS.
    #[arg(long, value_name = "COLSxROWS", default_value = "160x48", value_parser = parse_size)]
    pub size: (u16, u16),
}

/// Shell completions for `shell`, generated from this definition.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "grayscope", &mut out);
    out
}

/// The manual page, generated from this definition.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    Ok(out)
}

fn parse_refresh(s: &str) -> Result<u64, String> {
    let n: u64 = s
        .trim()
        .trim_end_matches('s')
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    match n {
        0..5 => Err(format!(
            "{n} s is too often: at least 5 seconds (every refresh costs API calls)"
        )),
        5..=3600 => Ok(n),
        _ => Err(format!("{n} s is too rare: at most 3600 seconds (an hour)")),
    }
}

/// The demo's story runs 0-30 minutes into the incident.
pub const DEMO_MINUTES: std::ops::RangeInclusive<i64> = 0..=30;

fn parse_demo_minute(s: &str) -> Result<i64, String> {
    let n: i64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of minutes"))?;
    if DEMO_MINUTES.contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "the demo's incident runs {}-{} minutes (0-4: gray failure, all checks green; 6 on: targets failing)",
            DEMO_MINUTES.start(),
            DEMO_MINUTES.end()
        ))
    }
}

fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s
        .split_once('x')
        .ok_or("expected COLUMNSxROWS, e.g. 160x48")?;
    let w: u16 = w.parse().map_err(|_| format!("bad column count {w:?}"))?;
    let h: u16 = h.parse().map_err(|_| format!("bad row count {h:?}"))?;
    if !(40..=1000).contains(&w) || !(10..=500).contains(&h) {
        return Err("size must be between 40x10 and 1000x500".into());
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_and_man_page_come_from_the_definition() {
        let bash = String::from_utf8(completions(clap_complete::Shell::Bash)).expect("utf-8");
        assert!(
            bash.contains("--load-balancer") && bash.contains("--read-only"),
            "{bash}"
        );
        let zsh = String::from_utf8(completions(clap_complete::Shell::Zsh)).expect("utf-8");
        assert!(zsh.contains("#compdef grayscope"));
        let man = String::from_utf8(man_page().expect("man")).expect("utf-8");
        assert!(
            man.contains(".TH grayscope") && man.contains("read\\-only"),
            "{man}"
        );
    }

    #[test]
    fn refresh_and_demo_minute_say_what_is_allowed() {
        assert_eq!(parse_refresh("30"), Ok(30));
        assert_eq!(parse_refresh("10s"), Ok(10));
        assert!(
            parse_refresh("1")
                .expect_err("too often")
                .contains("at least 5 seconds")
        );
        assert!(
            parse_refresh("7200")
                .expect_err("rare")
                .contains("at most 3600")
        );
        assert!(parse_refresh("x").is_err());
        assert_eq!(parse_demo_minute("3"), Ok(3));
        assert!(
            parse_demo_minute("99")
                .expect_err("range")
                .contains("0-30 minutes")
        );
        assert!(parse_demo_minute("-1").is_err());
    }
}
