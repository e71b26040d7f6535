//! The `:` command line: parsing what was typed into a [`Command`], and completing a
//! partial line from the verbs and values that make sense. Pure: the candidates (load
//! balancer names, panes' verbs) come in as arguments.

/// Verbs the router itself knows; panes add their own (e.g. `metric`, `query`).
pub const VERBS: [&str; 8] = [
    "quit", "region", "profile", "lb", "window", "refresh", "freeze", "help",
];

/// Regions offered for completion (any other name is accepted as typed).
pub const REGIONS: [&str; 30] = [
    "af-south-1",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Longest window the panes look back over (CloudWatch keeps 1-minute data 15 days;
/// a longer window would ask for coarser periods the verdict does not use).
pub const MAX_WINDOW_MINUTES: usize = 3 * 24 * 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Quit,
    Region(String),
    Profile(String),
    /// Watch these load balancers (names or ARNs).
    Lb(Vec<String>),
    /// Look back this many minutes.
    Window(usize),
    Refresh,
    Freeze,
    Help,
    /// A verb one of the panes handles, with the rest of the line.
    Pane {
        verb: String,
        args: String,
    },
}

/// Parses `3h`, `90m`, `1d`, `45` (minutes) into minutes.
pub fn parse_window(s: &str) -> Result<usize, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, "m"),
    };
    let n: usize = num
        .parse()
        .map_err(|_| format!("{s:?} is not a window: write 30m, 3h or 1d"))?;
    let minutes = match unit {
        "m" | "min" => n,
        "h" => n.saturating_mul(60),
        "d" => n.saturating_mul(24 * 60),
        _ => return Err(format!("{s:?} is not a window: write 30m, 3h or 1d")),
    };
    if minutes < 5 {
        return Err("the window is at least 5 minutes (the verdict reads 5)".into());
    }
    if minutes > MAX_WINDOW_MINUTES {
        return Err("the window is at most 3d".into());
    }
    Ok(minutes)
}

/// `90` -> `1h30m`, `180` -> `3h`, `1440` -> `1d`.
pub fn window_label(minutes: usize) -> String {
    match minutes {
        m if m % 1440 == 0 => format!("{}d", m / 1440),
        m if m % 60 == 0 => format!("{}h", m / 60),
        m if m > 60 => format!("{}h{}m", m / 60, m % 60),
        m => format!("{m}m"),
    }
}

/// Parses one command line (without the leading `:`). `pane_verbs` are the verbs the
/// registered panes handle.
pub fn parse(line: &str, pane_verbs: &[&str]) -> Result<Command, String> {
    let line = line.trim().trim_start_matches(':').trim();
    let (verb, args) = match line.split_once(char::is_whitespace) {
        Some((v, a)) => (v, a.trim()),
        None => (line, ""),
    };
    let one = |what: &str| -> Result<String, String> {
        let mut words = args.split_whitespace();
        match (words.next(), words.next()) {
            (Some(w), None) => Ok(w.to_string()),
            (None, _) => Err(format!(":{verb} needs {what}")),
            (Some(_), Some(_)) => Err(format!(":{verb} takes one {what}")),
        }
    };
    match verb {
        "" => {
            Err("type a command: quit, region, profile, lb, window, refresh, freeze, help".into())
        }
        "q" | "quit" | "q!" => Ok(Command::Quit),
        "region" => {
            let r = one("a region, e.g. us-east-1")?;
            let valid = r.split('-').count() >= 3
                && r.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if valid {
                Ok(Command::Region(r))
            } else {
                Err(format!("{r:?} is not a region name (e.g. eu-west-1)"))
            }
        }
        "profile" => one("a profile name").map(Command::Profile),
        "lb" => {
            let lbs: Vec<String> = args.split_whitespace().map(str::to_string).collect();
            if lbs.is_empty() {
                Err(":lb needs a load balancer name or ARN (several: separate with spaces)".into())
            } else {
                Ok(Command::Lb(lbs))
            }
        }
        "window" | "w" => parse_window(&one("a length, e.g. 3h")?).map(Command::Window),
        "refresh" | "r" => Ok(Command::Refresh),
        "freeze" => Ok(Command::Freeze),
        "help" | "h" => Ok(Command::Help),
        v if pane_verbs.contains(&v) => Ok(Command::Pane {
            verb: v.to_string(),
            args: args.to_string(),
        }),
        v => Err(format!(
            "unknown command {v:?}; try {}",
            VERBS
                .iter()
                .chain(pane_verbs)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Completions of a partial line: whole lines, shortest first. `lbs` are the load
/// balancer names known so far.
pub fn complete(line: &str, pane_verbs: &[&str], lbs: &[String]) -> Vec<String> {
    let line = line.trim_start().trim_start_matches(':');
    match line.split_once(' ') {
        None => {
            let mut out: Vec<String> = VERBS
                .iter()
                .chain(pane_verbs)
                .filter(|v| v.starts_with(line))
                .map(|v| format!("{v} "))
                .collect();
            out.sort_by_key(|v| (v.len(), v.clone()));
            out
        }
        Some((verb, partial)) => {
            let partial = partial.trim_start();
            let values: Vec<String> = match verb {
                "region" => REGIONS.iter().map(|r| r.to_string()).collect(),
                "lb" => lbs.to_vec(),
                "window" | "w" => ["30m", "1h", "3h", "12h", "1d", "3d"]
                    .iter()
                    .map(|w| w.to_string())
                    .collect(),
                _ => Vec::new(),
            };
            values
                .into_iter()
                .filter(|v| v.starts_with(partial))
                .map(|v| format!("{verb} {v}"))
                .collect()
        }
    }
}

/// The longest common prefix of `options` (what Tab can fill in without choosing).
pub fn common_prefix(options: &[String]) -> String {
    let Some(first) = options.first() else {
        return String::new();
    };
    let mut end = first.len();
    for o in &options[1..] {
        end = end.min(
            first
                .char_indices()
                .zip(o.chars())
                .take_while(|((_, a), b)| a == b)
                .map(|((i, a), _)| i + a.len_utf8())
                .last()
                .unwrap_or(0),
        );
    }
    first[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_router_verbs() {
        assert_eq!(parse("q", &[]), Ok(Command::Quit));
        assert_eq!(parse(":quit", &[]), Ok(Command::Quit));
        assert_eq!(
            parse("region eu-west-1", &[]),
            Ok(Command::Region("eu-west-1".into()))
        );
        assert_eq!(
            parse("profile prod", &[]),
            Ok(Command::Profile("prod".into()))
        );
        assert_eq!(
            parse("lb shop api", &[]),
            Ok(Command::Lb(vec!["shop".into(), "api".into()]))
        );
        assert_eq!(parse("window 3h", &[]), Ok(Command::Window(180)));
        assert_eq!(parse("w 1d", &[]), Ok(Command::Window(1440)));
        assert_eq!(
            parse("query filter action=\"REJECT\"", &["query"]),
            Ok(Command::Pane {
                verb: "query".into(),
                args: "filter action=\"REJECT\"".into()
            })
        );
    }

    #[test]
    fn window_labels() {
        assert_eq!(window_label(30), "30m");
        assert_eq!(window_label(90), "1h30m");
        assert_eq!(window_label(180), "3h");
        assert_eq!(window_label(4320), "3d");
    }

    #[test]
    fn bad_input_says_what_is_wrong() {
        assert!(
            parse("region", &[])
                .expect_err("no region")
                .contains("needs a region")
        );
        assert!(parse("region Moon", &[]).is_err());
        assert!(
            parse("region a b", &[])
                .expect_err("two")
                .contains("takes one")
        );
        assert!(
            parse("window 2", &[])
                .expect_err("short")
                .contains("at least 5")
        );
        assert!(
            parse("window 9d", &[])
                .expect_err("long")
                .contains("at most 3d")
        );
        assert!(parse("window 3y", &[]).is_err());
        assert!(
            parse("fly", &["metric"])
                .expect_err("unknown")
                .contains("metric")
        );
        assert!(parse("", &[]).is_err());
    }

    #[test]
    fn completes_verbs_then_values() {
        assert_eq!(complete("re", &[], &[]), ["region ", "refresh "]);
        assert_eq!(complete("m", &["metric"], &[]), ["metric "]);
        assert_eq!(
            complete("region eu-west", &[], &[]),
            ["region eu-west-1", "region eu-west-2", "region eu-west-3"]
        );
        assert_eq!(
            complete("lb sh", &[], &["shop-frontend".into(), "orders".into()]),
            ["lb shop-frontend"]
        );
        assert_eq!(
            common_prefix(&complete("region eu-west", &[], &[])),
            "region eu-west-"
        );
        assert_eq!(common_prefix(&[]), "");
    }
}
