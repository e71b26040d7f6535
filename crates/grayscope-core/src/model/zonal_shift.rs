//! ARC zonal shift, the pure parts: the expiry a user types (`1h`, `30m`, at most what
//! AWS allows), the countdown to a shift's expiry, the aws CLI command for the same
//! shift (the next step an SRE asks for), what a shift leaves behind (capacity and free
//! addresses in the remaining zones) and what it does with cross-zone load balancing on.
//!
//! AZ IDs are a type ([`AzId`]) that only an ID in the AWS shape can become: the API
//! takes `awayFrom` as an AZ *ID* (`use1-az6`); a name (`us-east-1b`) is mapped per
//! account and would shift the wrong zone, so it is refused here, before any request.

use crate::model::zones::CrossZone;
use chrono::{DateTime, Duration, Utc};

/// The longest a zonal shift may be set to expire in (StartZonalShift and
/// UpdateZonalShift: "up to three days (72 hours)").
pub const MAX_EXPIRY_MINUTES: u32 = 72 * 60;
/// The expiry offered by default.
pub const DEFAULT_EXPIRY: &str = "1h";
/// The longest comment StartZonalShift and UpdateZonalShift accept.
pub const MAX_COMMENT: usize = 128;
/// The load-balancer attribute that lets ARC shift it.
pub const ENABLED_ATTRIBUTE: &str = "zonal_shift.config.enabled";
/// The share of its usual peak each remaining zone must carry when one of three is
/// lost: the multi-AZ guidance provisions every zone for it (static stability).
pub const PLANNED_FACTOR: f64 = 1.5;

/// An Availability Zone ID (`use1-az6`), never a zone name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AzId(String);

impl AzId {
    /// An AZ ID in the AWS shape: a short region code, `-az`, a number (`use1-az6`,
    /// `euc1-az2`, `usw2-lax1-az1` for a Local Zone). A zone name (`us-east-1b`) is
    /// refused, with the reason.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let valid = s.len() <= 32
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && s.rsplit_once("-az").is_some_and(|(head, n)| {
                !head.is_empty()
                    && !n.is_empty()
                    && n.chars().all(|c| c.is_ascii_digit())
                    && head.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            });
        if valid {
            Ok(Self(s.to_string()))
        } else {
            Err(format!(
                "{s:?} is not an AZ ID (like use1-az6): zonal shift takes the ID, never the zone name"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AzId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How long a shift stays active: a whole number of minutes or hours, as the API
/// takes it (`30m`, `2h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    pub amount: u32,
    pub hours: bool,
}

impl Expiry {
    /// `1h`, `90m`, `72h`; spaces around are allowed, nothing else. At least one
    /// minute, at most [`MAX_EXPIRY_MINUTES`].
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        let (digits, hours) = match t.strip_suffix('h') {
            Some(d) => (d, true),
            None => match t.strip_suffix('m') {
                Some(d) => (d, false),
                None => {
                    return Err(format!(
                        "{:?}: give minutes or hours, like 30m or 2h",
                        s.trim()
                    ));
                }
            },
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 6 {
            return Err(format!(
                "{:?}: a whole number then m or h, like 30m or 2h",
                s.trim()
            ));
        }
        let amount: u32 = digits.parse().map_err(|_| "not a number".to_string())?;
        let e = Expiry { amount, hours };
        if e.minutes() == 0 {
            return Err("the shift must last at least 1m".into());
        }
        if e.minutes() > MAX_EXPIRY_MINUTES {
            return Err(format!(
                "{}: AWS allows at most 72h (3 days); extend it later if needed",
                e.text()
            ));
        }
        Ok(e)
    }

    pub fn minutes(self) -> u32 {
        if self.hours {
            self.amount.saturating_mul(60)
        } else {
            self.amount
        }
    }

    pub fn duration(self) -> Duration {
        Duration::minutes(self.minutes() as i64)
    }

    /// As the API and the CLI take it: `1h`, `30m`.
    pub fn text(self) -> String {
        format!("{}{}", self.amount, if self.hours { "h" } else { "m" })
    }
}

/// "42m 10s left", "2h 05m left", "expired 3m ago".
pub fn countdown(expiry: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = expiry - now;
    if left <= Duration::zero() {
        return format!("expired {} ago", span(-left));
    }
    format!("{} left", span(left))
}

fn span(d: Duration) -> String {
    let s = d.num_seconds().max(0);
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    match (h, m) {
        (0, 0) => format!("{sec}s"),
        (0, _) => format!("{m}m {sec:02}s"),
        (h, _) if h >= 24 => format!("{}d {:02}h", h / 24, h % 24),
        _ => format!("{h}h {m:02}m"),
    }
}

/// The default comment: who started it and why (the verdict's reason), within the
/// API's 128 characters, on one line.
pub fn default_comment(zone_name: &str, reason: &str) -> String {
    let reason = crate::model::text::clean(reason);
    fit_comment(&format!("grayscope: {zone_name} {reason}"))
}

/// A comment cut to [`MAX_COMMENT`] characters, control characters removed.
pub fn fit_comment(s: &str) -> String {
    let s = crate::model::text::clean(s);
    let s = s.trim();
    if s.chars().count() <= MAX_COMMENT {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX_COMMENT - 1).collect();
    out.push('…');
    out
}

/// One shell word: as is when it is safe, else in single quotes.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | ',' | '@')
        });
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The region in a load balancer's ARN (`arn:aws:elasticloadbalancing:<region>:...`).
pub fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

fn cli_tail(region: Option<&str>, profile: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(r) = region {
        out.push_str(&format!(" --region {}", shell_quote(r)));
    }
    if let Some(p) = profile.filter(|p| !p.trim().is_empty()) {
        out.push_str(&format!(" --profile {}", shell_quote(p)));
    }
    out
}

/// `aws arc-zonal-shift start-zonal-shift ...` for the same shift, ready to paste.
pub fn start_command(
    lb_arn: &str,
    away_from: &AzId,
    expiry: Expiry,
    comment: &str,
    profile: Option<&str>,
) -> String {
    format!(
        "aws arc-zonal-shift start-zonal-shift --resource-identifier {} --away-from {} --expires-in {} --comment {}{}",
        shell_quote(lb_arn),
        shell_quote(away_from.as_str()),
        expiry.text(),
        shell_quote(&fit_comment(comment)),
        cli_tail(arn_region(lb_arn), profile)
    )
}

/// `aws arc-zonal-shift update-zonal-shift ...`: a new expiry (from now) and comment.
pub fn update_command(
    shift_id: &str,
    expiry: Expiry,
    comment: &str,
    region: Option<&str>,
    profile: Option<&str>,
) -> String {
    format!(
        "aws arc-zonal-shift update-zonal-shift --zonal-shift-id {} --expires-in {} --comment {}{}",
        shell_quote(shift_id),
        expiry.text(),
        shell_quote(&fit_comment(comment)),
        cli_tail(region, profile)
    )
}

/// `aws arc-zonal-shift cancel-zonal-shift ...`.
pub fn cancel_command(shift_id: &str, region: Option<&str>, profile: Option<&str>) -> String {
    format!(
        "aws arc-zonal-shift cancel-zonal-shift --zonal-shift-id {}{}",
        shell_quote(shift_id),
        cli_tail(region, profile)
    )
}

/// `aws elbv2 modify-load-balancer-attributes ...` that lets ARC shift a load balancer.
pub fn enable_command(lb_arn: &str, profile: Option<&str>) -> String {
    format!(
        "aws elbv2 modify-load-balancer-attributes --load-balancer-arn {} --attributes Key={ENABLED_ATTRIBUTE},Value=true{}",
        shell_quote(lb_arn),
        cli_tail(arn_region(lb_arn), profile)
    )
}

/// One zone as the capacity check sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneLoad {
    pub zone_name: String,
    pub zone_id: String,
    /// Healthy targets there now (every target group of the load balancer).
    pub healthy: u32,
    /// Requests (or new flows) per minute there at today's peak minute.
    pub peak_per_minute: f64,
    /// Free IP addresses in the zone's subnets of the load balancer's VPC (`None`:
    /// not known).
    pub free_ips: Option<i64>,
    /// The zone's subnet with the fewest free addresses, and how many.
    pub tightest: Option<(String, i64)>,
}

/// A subnet this close to full cannot take a scale-out of a few instances or tasks.
pub const LOW_SUBNET_IPS: i64 = 8;

/// What one remaining zone is asked to carry after the shift.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneAfter {
    pub zone_name: String,
    pub zone_id: String,
    pub healthy: u32,
    /// Its share of today's peak now and after the shift (0..=1).
    pub share_now: f64,
    pub share_after: f64,
    /// Requests per minute at today's peak, per healthy target, now and after.
    pub per_target_now: Option<f64>,
    pub per_target_after: Option<f64>,
    /// How much more each of its targets takes (after / now).
    pub factor: Option<f64>,
    pub free_ips: Option<i64>,
    pub tightest: Option<(String, i64)>,
    /// Why this zone may not carry it, in words (none: it looks able).
    pub warnings: Vec<String>,
}

/// What a shift away from one zone leaves: the other zones and their load.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityPlan {
    pub away_zone: String,
    /// Today's peak requests per minute over every zone.
    pub peak_per_minute: f64,
    pub remaining: Vec<ZoneAfter>,
    /// One line for the whole plan.
    pub verdict: String,
    /// Whether the remaining zones look able to carry today's peak.
    pub looks_able: bool,
}

/// The load after shifting away from `away_id`. Clients spread over the load balancer
/// nodes they resolve, so the shifted zone's share is spread evenly over the remaining
/// zones; each zone's healthy targets then carry its new share. Flags a zone with no
/// healthy target, one whose targets take more than the [`PLANNED_FACTOR`] the multi-AZ
/// guidance provisions for, and one whose subnets cannot add targets (no free IPs, or
/// fewer than half its healthy targets again).
pub fn plan_shift(zones: &[ZoneLoad], away_id: &str) -> CapacityPlan {
    let away = zones.iter().find(|z| z.zone_id == away_id);
    let away_name = away
        .map(|z| z.zone_name.clone())
        .unwrap_or_else(|| away_id.to_string());
    let rest: Vec<&ZoneLoad> = zones.iter().filter(|z| z.zone_id != away_id).collect();
    let total: f64 = zones.iter().map(|z| z.peak_per_minute.max(0.0)).sum();
    let away_load = away.map(|z| z.peak_per_minute.max(0.0)).unwrap_or(0.0);
    let spread = if rest.is_empty() {
        0.0
    } else {
        away_load / rest.len() as f64
    };
    let remaining: Vec<ZoneAfter> = rest
        .iter()
        .map(|z| {
            let now = z.peak_per_minute.max(0.0);
            let after = now + spread;
            let per = |load: f64| (z.healthy > 0).then(|| load / z.healthy as f64);
            let factor = (now > 0.0).then(|| after / now);
            let mut warnings = Vec::new();
            if z.healthy == 0 {
                warnings.push("no healthy target: nothing would serve this zone's share".into());
            }
            if let Some(f) = factor.filter(|f| *f > PLANNED_FACTOR + 0.005) {
                warnings.push(format!(
                    "its targets would take x{f:.2} their peak, more than the x{PLANNED_FACTOR:.1} the multi-AZ plan provisions for"
                ));
            }
            match z.free_ips {
                Some(0) => warnings.push("subnets exhausted: scaling out here fails".into()),
                Some(n) if (n as f64) < (z.healthy as f64 / 2.0).ceil() => warnings.push(format!(
                    "only {n} free IPs: not enough to add half its targets again"
                )),
                _ => {}
            }
            if let Some((subnet, n)) = z.tightest.as_ref().filter(|(_, n)| *n < LOW_SUBNET_IPS) {
                warnings.push(format!(
                    "{subnet} has {n} free IPs: scaling out into it fails"
                ));
            }
            ZoneAfter {
                zone_name: z.zone_name.clone(),
                zone_id: z.zone_id.clone(),
                healthy: z.healthy,
                share_now: if total > 0.0 { now / total } else { 0.0 },
                share_after: if total > 0.0 { after / total } else { 0.0 },
                per_target_now: per(now),
                per_target_after: per(after),
                factor,
                free_ips: z.free_ips,
                tightest: z.tightest.clone(),
                warnings,
            }
        })
        .collect();
    let looks_able = !remaining.is_empty() && remaining.iter().all(|z| z.warnings.is_empty());
    let verdict = if remaining.is_empty() {
        "no other zone: a shift would leave nothing to serve".to_string()
    } else if total <= 0.0 {
        format!(
            "no traffic seen today; {} other zone(s) with {} healthy targets remain",
            remaining.len(),
            remaining.iter().map(|z| z.healthy).sum::<u32>()
        )
    } else if looks_able {
        format!(
            "the other zones take {:.0}% of today's peak ({:.0}/min) within the x{PLANNED_FACTOR:.1} plan",
            100.0 * remaining.iter().map(|z| z.share_after).sum::<f64>(),
            total
        )
    } else {
        // Each flagged zone with what flags it, in the numbers shown beside it.
        let flagged: Vec<String> = remaining
            .iter()
            .filter(|z| !z.warnings.is_empty())
            .map(|z| {
                let mut why = Vec::new();
                if z.healthy == 0 {
                    why.push("no healthy target".to_string());
                }
                if let Some(f) = z
                    .factor
                    .filter(|f| z.healthy > 0 && *f > PLANNED_FACTOR + 0.005)
                {
                    why.push(format!("x{f:.2} per target > x{PLANNED_FACTOR:.1}"));
                }
                match z.free_ips {
                    Some(0) => why.push("no free IPs".to_string()),
                    Some(n) if (n as f64) < (z.healthy as f64 / 2.0).ceil() => {
                        why.push(format!("{n} free IPs"))
                    }
                    _ => {}
                }
                if let Some((subnet, n)) = z.tightest.as_ref().filter(|(_, n)| *n < LOW_SUBNET_IPS)
                {
                    why.push(format!("{subnet} {n} free IPs"));
                }
                format!("{} ({})", z.zone_name, why.join(", "))
            })
            .collect();
        format!("check capacity first: {}", flagged.join("; "))
    };
    CapacityPlan {
        away_zone: away_name,
        peak_per_minute: total,
        remaining,
        verdict,
        looks_able,
    }
}

/// What a shift does, and does not, move for a target group, by its cross-zone
/// setting.
pub fn cross_zone_note(group: &str, cross_zone: CrossZone, zone_name: &str) -> String {
    match cross_zone {
        CrossZone::On => format!(
            "{group}: cross-zone on. The shift takes the {zone_name} node out of DNS and tells the other zones' nodes to stop sending to {group}'s targets in {zone_name} (they show zonal_shift_active). It does not close open connections (keep-alive clients finish on their own), stop health checks, or move traffic that does not come through this load balancer."
        ),
        CrossZone::Off => format!(
            "{group}: cross-zone off. The shift takes the {zone_name} node out of DNS: its targets there get no new requests once clients re-resolve, and the other zones' targets take their share. Open connections finish on their own."
        ),
        CrossZone::Unknown => format!(
            "{group}: cross-zone setting not known. The shift takes the {zone_name} node out of DNS; with cross-zone on it also keeps the other nodes off {group}'s targets in {zone_name}."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn az_ids_pass_and_names_do_not() {
        for ok in ["use1-az6", "euc1-az2", "usw2-lax1-az1", "apne1-az4"] {
            assert_eq!(AzId::parse(ok).map(|a| a.to_string()), Ok(ok.to_string()));
        }
        for bad in [
            "us-east-1b",
            "",
            "use1-az",
            "-az1",
            "USE1-AZ6",
            "use1-az6; rm",
            "az1",
        ] {
            assert!(AzId::parse(bad).is_err(), "{bad:?}");
        }
        assert!(
            AzId::parse("us-east-1b")
                .unwrap_err()
                .contains("never the zone name")
        );
    }

    #[test]
    fn expiry_takes_minutes_or_hours_up_to_three_days() {
        assert_eq!(Expiry::parse("1h").map(Expiry::minutes), Ok(60));
        assert_eq!(Expiry::parse(" 30m ").map(Expiry::text), Ok("30m".into()));
        assert_eq!(Expiry::parse("72h").map(Expiry::minutes), Ok(4320));
        assert_eq!(Expiry::parse("4320m").map(Expiry::minutes), Ok(4320));
        assert_eq!(Expiry::parse("2H").map(Expiry::text), Ok("2h".into()));
        for bad in [
            "73h",
            "4321m",
            "0m",
            "0h",
            "1d",
            "h",
            "1.5h",
            "-1h",
            "1 h",
            "99999999h",
        ] {
            assert!(Expiry::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Expiry::parse("73h").unwrap_err().contains("at most 72h"));
    }

    #[test]
    fn countdown_reads_in_the_largest_units() {
        let now = Utc.with_ymd_and_hms(2026, 3, 14, 15, 0, 0).unwrap();
        let at = |s: i64| now + Duration::seconds(s);
        assert_eq!(countdown(at(42 * 60 + 10), now), "42m 10s left");
        assert_eq!(countdown(at(2 * 3600 + 5 * 60), now), "2h 05m left");
        assert_eq!(countdown(at(50 * 3600), now), "2d 02h left");
        assert_eq!(countdown(at(9), now), "9s left");
        assert_eq!(countdown(at(-180), now), "expired 3m 00s ago");
    }

    #[test]
    fn the_command_is_ready_to_paste_with_the_id_and_quoted_comment() {
        let arn = "arn:aws:elasticloadbalancing:us-east-1:210987654321:loadbalancer/app/shop/4f2a";
        let az = AzId::parse("use1-az6").unwrap();
        let cmd = start_command(
            arn,
            &az,
            Expiry::parse("1h").unwrap(),
            "grayscope: it's 5xx",
            Some("prod"),
        );
        assert_eq!(
            cmd,
            "aws arc-zonal-shift start-zonal-shift --resource-identifier arn:aws:elasticloadbalancing:us-east-1:210987654321:loadbalancer/app/shop/4f2a --away-from use1-az6 --expires-in 1h --comment 'grayscope: it'\\''s 5xx' --region us-east-1 --profile prod"
        );
        assert_eq!(
            cancel_command("abc-123", Some("us-east-1"), None),
            "aws arc-zonal-shift cancel-zonal-shift --zonal-shift-id abc-123 --region us-east-1"
        );
        assert!(
            update_command("abc", Expiry::parse("2h").unwrap(), "x y", None, None)
                .ends_with("--expires-in 2h --comment 'x y'")
        );
        assert!(enable_command(arn, None).contains("Key=zonal_shift.config.enabled,Value=true"));
    }

    #[test]
    fn comments_fit_the_api() {
        let long = "x".repeat(300);
        assert_eq!(fit_comment(&long).chars().count(), MAX_COMMENT);
        assert_eq!(fit_comment("a\u{1b}[31mb"), "a\u{FFFD}[31mb");
        let c = default_comment("us-east-1b", "5xx x9.1 the others");
        assert!(c.starts_with("grayscope: us-east-1b 5xx"));
    }

    fn z(name: &str, id: &str, healthy: u32, peak: f64, free: Option<i64>) -> ZoneLoad {
        ZoneLoad {
            zone_name: name.into(),
            zone_id: id.into(),
            healthy,
            peak_per_minute: peak,
            free_ips: free,
            tightest: None,
        }
    }

    #[test]
    fn three_even_zones_carry_one_and_a_half_each() {
        let zones = [
            z("a", "use1-az4", 5, 1000.0, Some(200)),
            z("b", "use1-az6", 5, 1000.0, Some(200)),
            z("c", "use1-az1", 5, 1000.0, Some(200)),
        ];
        let p = plan_shift(&zones, "use1-az6");
        assert_eq!(p.away_zone, "b");
        assert_eq!(p.remaining.len(), 2);
        for r in &p.remaining {
            assert!((r.factor.unwrap() - 1.5).abs() < 1e-9);
            assert!((r.share_after - 0.5).abs() < 1e-9);
            assert_eq!(r.per_target_now, Some(200.0));
            assert_eq!(r.per_target_after, Some(300.0));
            assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        }
        assert!(p.looks_able, "{}", p.verdict);
        assert!(
            p.verdict.contains("100% of today's peak (3000/min)"),
            "{}",
            p.verdict
        );
    }

    #[test]
    fn a_thin_zone_or_exhausted_subnets_are_flagged() {
        let zones = [
            z("a", "use1-az4", 4, 500.0, Some(0)),
            z("b", "use1-az6", 6, 1500.0, Some(50)),
            z("c", "use1-az1", 0, 1000.0, Some(3)),
        ];
        let p = plan_shift(&zones, "use1-az6");
        assert!(!p.looks_able);
        let a = &p.remaining[0];
        assert!((a.factor.unwrap() - 2.5).abs() < 1e-9);
        assert!(a.warnings.iter().any(|w| w.contains("x2.50")));
        assert!(a.warnings.iter().any(|w| w.contains("exhausted")));
        let c = &p.remaining[1];
        assert!(c.warnings.iter().any(|w| w.contains("no healthy target")));
        assert_eq!(c.per_target_after, None);
        // The one line names each flagged zone with the numbers that flag it.
        assert_eq!(
            p.verdict,
            "check capacity first: a (x2.50 per target > x1.5, no free IPs); c (no healthy target)"
        );
    }

    #[test]
    fn a_nearly_full_subnet_is_named() {
        let mut c = z("c", "use1-az1", 3, 1000.0, Some(486));
        c.tightest = Some(("subnet-0app1c".into(), 3));
        let zones = [z("b", "use1-az6", 3, 1000.0, None), c];
        let p = plan_shift(&zones, "use1-az6");
        assert!(
            p.remaining[0]
                .warnings
                .iter()
                .any(|w| w == "subnet-0app1c has 3 free IPs: scaling out into it fails"),
            "{:?}",
            p.remaining[0].warnings
        );
        // The summary says why, in the numbers shown beside it (one zone left: x2).
        assert_eq!(
            p.verdict,
            "check capacity first: c (x2.00 per target > x1.5, subnet-0app1c 3 free IPs)"
        );
    }

    #[test]
    fn one_zone_alone_cannot_shift() {
        let p = plan_shift(&[z("a", "use1-az4", 2, 10.0, None)], "use1-az4");
        assert!(!p.looks_able);
        assert!(p.verdict.contains("no other zone"));
    }

    #[test]
    fn cross_zone_notes_say_what_moves() {
        assert!(
            cross_zone_note("catalog-tg", CrossZone::On, "us-east-1b").contains("stop sending")
        );
        assert!(cross_zone_note("web-tg", CrossZone::Off, "us-east-1b").contains("out of DNS"));
    }
}
