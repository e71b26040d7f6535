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

    /// Draw charts in ASCII instead of braille (also when the locale is not UTF-8, or
    /// GRAYSCOPE_ASCII=1). NO_COLOR turns colour off.
    #[arg(long)]
    pub ascii: bool,

    /// Seconds between automatic refreshes.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(5..=3600))]
    pub refresh: u64,

    /// Keymap file to merge over the defaults (default: ~/.config/grayscope/keymap.toml).
    #[arg(long, value_name = "FILE")]
    pub keymap: Option<PathBuf>,

    /// Log file (default: ~/.local/state/grayscope/grayscope.log). Level: GRAYSCOPE_LOG.
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,

    /// Demo only: freeze the clock at this instant (RFC 3339), e.g. for screenshots.
    #[arg(long, value_name = "RFC3339", requires = "demo")]
    pub clock: Option<chrono::DateTime<chrono::Utc>>,

    /// Demo only: how many minutes into the incident the demo starts (0-4: the gray
    /// failure with all health checks passing; 6 on: targets failing too).
    #[arg(long, value_name = "MINUTES", default_value_t = 9, requires = "demo")]
    pub demo_minute: i64,

    /// Print the screen once every pane has loaded, then exit (no TUI): `text` to paste
    /// into an incident channel, `svg` for a picture.
    #[arg(long, value_name = "FORMAT", value_parser = ["text", "svg"])]
    pub print: Option<String>,

    /// Screen size for --print, as COLUMNSxROWS.
    #[arg(long, value_name = "COLSxROWS", default_value = "160x48", value_parser = parse_size)]
    pub size: (u16, u16),
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
