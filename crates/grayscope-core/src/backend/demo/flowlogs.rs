//! The demo's [`FlowLogs`]: simulated VPC flow log records and a small Logs Insights
//! evaluator over them.
//!
//! The story: at the onset a security-group change on the app tier in us-east-1b
//! (use1-az6) makes its instances' connections to the orders database (10.20.11.25:5432,
//! in us-east-1a) fail: REJECTs logged on the database's interface, from the sick zone's
//! sources only (fewer while a zonal shift keeps the shop's traffic away from that
//! zone). The app tier in the other zones keeps connecting (ACCEPT). All the
//! while, internet scanners knock on 22 and 3389 of the load balancer nodes and the NAT
//! gateway (REJECT), in every zone.
//!
//! The records are written in a custom format (version 5 fields, `az-id` included), so
//! every query needs the `parse` stage the pane builds from the format. The evaluator
//! answers `fields`, `filter` (=, !=, <, >, <=, >= joined by and/or), `stats count/sum
//! ... by`, `sort`, `limit` and `parse`; anything else is "not available in the demo".
//! A query runs for a few polls (Scheduled, Running with partial rows, Complete), so
//! stopping it (StopQuery, logged at info level) can be seen and tested.

use super::{DemoBackend, scenario};
use crate::backend::BackendError;
use crate::backend::flowlogs::{
    AthenaConfig, Destination, FlowLogSource, FlowLogs, MALFORMED_QUERY, QueryPage, QueryRequest,
    QueryStats, QueryStatus, SavedQuery, Workgroup,
};
use crate::model::athena::AthenaTable;
use crate::model::flowlogs::{
    InterfaceInfo, LogFormat, Resource, ResourceKind, ResultRow, SubnetInfo,
};
use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub const VPC: &str = "vpc-0c0ffee5e1ec7ab1e";
pub const LOG_GROUP: &str = "/vpc/shop/flow-logs";
/// The demo flow log's custom format (version 5 fields).
pub const FORMAT: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${az-id} ${flow-direction}";
/// The database the app tier in the sick zone can no longer reach.
pub const DATABASE: &str = "10.20.11.25";
/// Polls a demo query takes from Scheduled to Complete.
pub const POLLS_TO_COMPLETE: u32 = 6;
const POLL_EVERY: Duration = Duration::from_millis(300);
/// Bytes Insights counts per record beyond its message (timestamps, stream, pointer).
const RECORD_OVERHEAD: usize = 60;

/// (subnet, CIDR, zone name, zone ID)
const SUBNETS: [(&str, &str, &str, &str); 9] = [
    ("subnet-0app1a", "10.20.1.0/24", "us-east-1a", "use1-az4"),
    ("subnet-0app1b", "10.20.2.0/24", "us-east-1b", "use1-az6"),
    ("subnet-0app1c", "10.20.3.0/24", "us-east-1c", "use1-az1"),
    ("subnet-0db01a", "10.20.11.0/24", "us-east-1a", "use1-az4"),
    ("subnet-0db01b", "10.20.12.0/24", "us-east-1b", "use1-az6"),
    ("subnet-0db01c", "10.20.13.0/24", "us-east-1c", "use1-az1"),
    ("subnet-0pub1a", "10.20.101.0/24", "us-east-1a", "use1-az4"),
    ("subnet-0pub1b", "10.20.102.0/24", "us-east-1b", "use1-az6"),
    ("subnet-0pub1c", "10.20.103.0/24", "us-east-1c", "use1-az1"),
];

const SCANNERS: [&str; 8] = [
    "198.51.100.23",
    "198.51.100.77",
    "203.0.113.9",
    "203.0.113.144",
    "192.0.2.61",
    "192.0.2.200",
    "45.155.205.12",
    "185.220.101.4",
];

/// The simulated interfaces: (address, interface, subnet index, resource).
fn interfaces() -> Vec<(String, String, usize, Resource)> {
    let mut out = Vec::new();
    for (z, zone) in ["a", "b", "c"].iter().enumerate() {
        for n in 0..3 {
            out.push((
                format!("10.20.{}.{}", z + 1, 31 + n),
                format!("eni-0app{zone}{n}5e1ec7ab1e"),
                z,
                Resource {
                    kind: ResourceKind::Instance,
                    name: format!("i-0{zone}{n}5eed7ab1e0c0f"),
                },
            ));
        }
        for n in 0..2 {
            out.push((
                format!("10.20.{}.{}", z + 1, 80 + n),
                format!("eni-0api{zone}{n}5e1ec7ab1e"),
                z,
                Resource {
                    kind: ResourceKind::Interface,
                    name: "ECS task api (awsvpc)".into(),
                },
            ));
        }
        out.push((
            format!("10.20.{}.10", 101 + z),
            format!("eni-0alb{zone}05e1ec7ab1e"),
            6 + z,
            Resource {
                kind: ResourceKind::LoadBalancer,
                name: "app/shop-frontend/4f2a9c1d7e3b5a60".into(),
            },
        ));
    }
    out.push((
        DATABASE.into(),
        "eni-0db0orders5e1ec7a".into(),
        3,
        Resource {
            kind: ResourceKind::Database,
            name: "orders-db (RDS PostgreSQL)".into(),
        },
    ));
    out.push((
        "10.20.13.40".into(),
        "eni-0cache5e1ec7ab1e0".into(),
        5,
        Resource {
            kind: ResourceKind::Cache,
            name: "sessions (ElastiCache)".into(),
        },
    ));
    out.push((
        "10.20.101.5".into(),
        "eni-0nat05e1ec7ab1e00".into(),
        6,
        Resource {
            kind: ResourceKind::NatGateway,
            name: "nat-0a1b2c3d4e5f60718".into(),
        },
    ));
    out
}

fn interface_of(ip: &str) -> Option<(String, usize)> {
    interfaces()
        .into_iter()
        .find(|(a, ..)| a == ip)
        .map(|(_, eni, subnet, _)| (eni, subnet))
}

/// A deterministic number in [0, 1) for a point of the simulation.
pub(super) fn noise(a: u64, b: u64) -> f64 {
    let mut x = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// One simulated log event.
#[derive(Debug, Clone)]
pub(super) struct Event {
    pub(super) at: i64,
    pub(super) message: String,
}

#[allow(clippy::too_many_arguments)]
fn record(
    at: i64,
    src: &str,
    dst: &str,
    sport: u32,
    dport: u32,
    packets: u32,
    action: &str,
    logged_on: &str,
) -> Option<Event> {
    let (eni, subnet) = interface_of(logged_on)?;
    let (subnet_id, _, _, zone_id) = SUBNETS[subnet];
    let direction = if logged_on == dst {
        "ingress"
    } else {
        "egress"
    };
    Some(Event {
        at,
        message: format!(
            "5 {} {eni} {src} {dst} {sport} {dport} 6 {packets} {} {at} {} {action} OK {VPC} {subnet_id} {zone_id} {direction}",
            scenario::ACCOUNT,
            packets * 60,
            at + 60,
        ),
    })
}

/// The records of the minute starting at `at`, `rel` minutes after the onset, with
/// `sick_share` of the sick zone's usual traffic reaching its app tier (less under a
/// zonal shift away from it: fewer requests, fewer database connection attempts).
fn minute_records(at: i64, rel: i64, sick_share: f64, out: &mut Vec<Event>) {
    let m = (at / 60) as u64;
    // Internet scanners on 22 and 3389, in every zone, all the time.
    let scans = 2 + (noise(m, 1) * 4.0) as u64;
    for i in 0..scans {
        let src = SCANNERS[(noise(m, 10 + i) * SCANNERS.len() as f64) as usize];
        let targets = [
            "10.20.101.10",
            "10.20.102.10",
            "10.20.103.10",
            "10.20.101.5",
        ];
        let dst = targets[(noise(m, 20 + i) * targets.len() as f64) as usize];
        let port = if noise(m, 30 + i) < 0.6 { 22 } else { 3389 };
        let sport = 1024 + (noise(m, 40 + i) * 60000.0) as u32;
        out.extend(record(
            at + i as i64,
            src,
            dst,
            sport,
            port,
            1,
            "REJECT",
            dst,
        ));
    }
    // The app tier talks to the database from every zone.
    for z in 1..=3u64 {
        let sick = z == 2 && rel >= 0;
        let hosts: Vec<String> = (31..34)
            .chain(if z == 2 { 80..82 } else { 0..0 })
            .map(|h| format!("10.20.{z}.{h}"))
            .collect();
        for (h, src) in hosts.iter().enumerate() {
            let key = z * 100 + h as u64;
            if sick {
                // Connection retries, each one a REJECT on the database's interface.
                let tries =
                    ((2.0 + (noise(m, key) * 5.0).floor()) * sick_share.min(1.0)).round() as u64;
                for t in 0..tries {
                    let sport = 32768 + (noise(m, key * 10 + t) * 28000.0) as u32;
                    out.extend(record(
                        at + t as i64,
                        src,
                        DATABASE,
                        sport,
                        5432,
                        1 + (t % 2) as u32,
                        "REJECT",
                        DATABASE,
                    ));
                }
            } else if noise(m, key) < 0.7 {
                let sport = 32768 + (noise(m, key + 7) * 28000.0) as u32;
                let packets = 8 + (noise(m, key + 9) * 30.0) as u32;
                out.extend(record(
                    at, src, DATABASE, sport, 5432, packets, "ACCEPT", DATABASE,
                ));
            }
        }
    }
    // The cache's interface had nothing to log this minute, every ten minutes.
    if m.is_multiple_of(10)
        && let Some((eni, subnet)) = interface_of("10.20.13.40")
    {
        let (subnet_id, _, _, zone_id) = SUBNETS[subnet];
        out.push(Event {
            at,
            message: format!(
                "5 {} {eni} - - - - - - - {at} {} - NODATA {VPC} {subnet_id} {zone_id} -",
                scenario::ACCOUNT,
                at + 60
            ),
        });
    }
}

/// Every simulated event from `start` to `end` (inclusive, epoch seconds).
#[cfg(test)]
fn events(onset: DateTime<Utc>, start: i64, end: i64) -> Vec<Event> {
    events_shifted(onset, start, end, &[])
}

/// [`events`] under the demo's zonal shifts of `shop-frontend`.
fn events_shifted(
    onset: DateTime<Utc>,
    start: i64,
    end: i64,
    shifts: &[scenario::ShiftWindow],
) -> Vec<Event> {
    let mut out = Vec::new();
    let first = start.div_euclid(60) * 60;
    let onset_min = onset.timestamp().div_euclid(60);
    let mut at = first;
    while at <= end {
        let mut minute = Vec::new();
        let share = match (shifts.is_empty(), DateTime::from_timestamp(at, 0)) {
            (false, Some(t)) => {
                scenario::traffic_share(shifts, "shop-frontend", scenario::SICK_ZONE, t)
            }
            _ => 1.0,
        };
        minute_records(at, at / 60 - onset_min, share, &mut minute);
        out.extend(minute.into_iter().filter(|e| e.at >= start && e.at <= end));
        at += 60;
    }
    out
}

// ------------------------------------------------------------------------ evaluator

type Row = Vec<(String, String)>;

fn field<'a>(row: &'a Row, name: &str) -> Option<&'a str> {
    row.iter().find(|(f, _)| f == name).map(|(_, v)| v.as_str())
}

fn set(row: &mut Row, name: &str, value: String) {
    match row.iter_mut().find(|(f, _)| f == name) {
        Some(slot) => slot.1 = value,
        None => row.push((name.to_string(), value)),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Number(f64),
}

#[derive(Debug, Clone, PartialEq)]
struct Cond {
    field: String,
    op: String,
    value: Value,
}

#[derive(Debug, Clone, PartialEq)]
enum Agg {
    Count(Option<String>),
    Sum(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Fields(Vec<String>),
    /// Conditions: an OR of ANDs.
    Filter(Vec<Vec<Cond>>),
    Stats {
        aggs: Vec<(Agg, String)>,
        by: Vec<String>,
    },
    Sort {
        field: String,
        desc: bool,
    },
    Limit(usize),
    Parse {
        pattern: String,
        names: Vec<String>,
    },
}

fn malformed(message: String) -> BackendError {
    BackendError::Service {
        operation: "StartQuery".into(),
        code: MALFORMED_QUERY.into(),
        message,
    }
}

/// Splits on `|` outside double quotes.
fn split_stages(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            '|' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .collect()
}

fn names(list: &str) -> Vec<String> {
    list.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn parse_cond(text: &str) -> Result<Cond, BackendError> {
    for op in ["!=", "<=", ">=", "=", "<", ">"] {
        if let Some((f, v)) = text.split_once(op) {
            let f = f.trim();
            let v = v.trim();
            if f.is_empty() || v.is_empty() || f.contains(' ') {
                break;
            }
            let value = if let Some(s) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                Value::Text(s.to_string())
            } else if let Some(s) = v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
                Value::Text(s.to_string())
            } else if let Ok(n) = v.parse::<f64>() {
                Value::Number(n)
            } else {
                return Err(malformed(format!(
                    "unexpected {v:?} in filter: quote text values (\"...\")"
                )));
            };
            return Ok(Cond {
                field: f.to_string(),
                op: op.to_string(),
                value,
            });
        }
    }
    Err(malformed(format!(
        "cannot read the condition {text:?}: the demo knows field = value, !=, <, >, <=, >="
    )))
}

fn parse_stage(text: &str) -> Result<Stage, BackendError> {
    let (cmd, rest) = text.split_once(' ').unwrap_or((text, ""));
    let rest = rest.trim();
    match cmd {
        "fields" => Ok(Stage::Fields(names(rest))),
        "filter" => {
            if rest.is_empty() {
                return Err(malformed("filter needs a condition".into()));
            }
            let ors = rest
                .split(" or ")
                .map(|alt| alt.split(" and ").map(parse_cond).collect())
                .collect::<Result<Vec<Vec<Cond>>, _>>()?;
            Ok(Stage::Filter(ors))
        }
        "stats" => {
            let (aggs, by) = match rest.split_once(" by ") {
                Some((a, b)) => (a, names(b)),
                None => (rest, Vec::new()),
            };
            let aggs = aggs
                .split(',')
                .map(|a| {
                    let a = a.trim();
                    let (func, alias) = match a.split_once(" as ") {
                        Some((f, n)) => (f.trim(), n.trim().to_string()),
                        None => (a, a.to_string()),
                    };
                    let arg = func
                        .strip_suffix(')')
                        .and_then(|f| f.split_once('('))
                        .ok_or_else(|| malformed(format!("stats: cannot read {func:?}")))?;
                    let agg = match (arg.0.trim(), arg.1.trim()) {
                        ("count", "*" | "") => Agg::Count(None),
                        ("count", f) => Agg::Count(Some(f.to_string())),
                        ("sum", f) if !f.is_empty() => Agg::Sum(f.to_string()),
                        (other, _) => {
                            return Err(BackendError::Service {
                                operation: "StartQuery".into(),
                                code: "NotAvailableInDemo".into(),
                                message: format!(
                                    "stats function {other}() is not available in the demo (count and sum are)"
                                ),
                            });
                        }
                    };
                    Ok((agg, alias))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Stage::Stats { aggs, by })
        }
        "sort" => {
            let mut words = rest.split_whitespace();
            let field = words
                .next()
                .ok_or_else(|| malformed("sort needs a field".into()))?
                .to_string();
            let desc = match words.next() {
                None | Some("desc") => true,
                Some("asc") => false,
                Some(w) => return Err(malformed(format!("sort: expected asc or desc, got {w:?}"))),
            };
            Ok(Stage::Sort { field, desc })
        }
        "limit" => rest
            .parse()
            .map(Stage::Limit)
            .map_err(|_| malformed(format!("limit needs a number, got {rest:?}"))),
        "parse" => {
            let rest = rest
                .strip_prefix("@message")
                .ok_or_else(|| malformed("the demo parses @message only".into()))?
                .trim();
            let (pattern, names_part) = rest
                .strip_prefix('"')
                .and_then(|r| r.split_once('"'))
                .ok_or_else(|| malformed("parse needs a quoted \"pattern\"".into()))?;
            let names_part = names_part
                .trim()
                .strip_prefix("as ")
                .ok_or_else(|| malformed("parse needs `as name, ...`".into()))?;
            let names = names(names_part);
            if pattern.matches('*').count() != names.len() {
                return Err(malformed(format!(
                    "parse: {} globs but {} names",
                    pattern.matches('*').count(),
                    names.len()
                )));
            }
            Ok(Stage::Parse {
                pattern: pattern.to_string(),
                names,
            })
        }
        other => Err(BackendError::Service {
            operation: "StartQuery".into(),
            code: "NotAvailableInDemo".into(),
            message: format!(
                "`{other}` is not available in the demo: it answers fields, filter, stats (count, sum) by, sort, limit and parse"
            ),
        }),
    }
}

/// Parses a query into stages.
fn compile(query: &str) -> Result<Vec<Stage>, BackendError> {
    let stages = split_stages(query);
    if stages.is_empty() {
        return Err(malformed("the query is empty".into()));
    }
    stages.iter().map(|s| parse_stage(s)).collect()
}

/// Glob match (`*` captures, non-greedy except the last); `None` when it does not match.
fn glob(pattern: &str, text: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text.strip_prefix(parts[0])?;
    let mut caps = Vec::new();
    for (i, lit) in parts.iter().enumerate().skip(1) {
        let last = i == parts.len() - 1;
        if last && lit.is_empty() {
            caps.push(rest.to_string());
            rest = "";
        } else if last {
            let cap = rest.strip_suffix(lit)?;
            caps.push(cap.to_string());
            rest = "";
        } else {
            let at = rest.find(lit)?;
            caps.push(rest[..at].to_string());
            rest = &rest[at + lit.len()..];
        }
    }
    rest.is_empty().then_some(caps)
}

fn compare(a: &str, b: &Value) -> Option<std::cmp::Ordering> {
    match b {
        Value::Number(n) => a.parse::<f64>().ok()?.partial_cmp(n),
        Value::Text(t) => Some(a.cmp(t.as_str())),
    }
}

fn matches(row: &Row, c: &Cond) -> bool {
    let Some(v) = field(row, &c.field) else {
        return c.op == "!=";
    };
    let Some(ord) = compare(v, &c.value) else {
        return c.op == "!=";
    };
    use std::cmp::Ordering::*;
    match c.op.as_str() {
        "=" => ord == Equal,
        "!=" => ord != Equal,
        "<" => ord == Less,
        ">" => ord == Greater,
        "<=" => ord != Greater,
        _ => ord != Less,
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        v.to_string()
    }
}

/// Runs `stages` over `rows`. Returns the result rows and how many rows the filters
/// let through (records matched).
fn evaluate(stages: &[Stage], mut rows: Vec<Row>) -> (Vec<Row>, usize) {
    let mut matched = rows.len();
    // `fields` chooses what is shown; later stages may still read the other fields.
    let mut shown: Option<&Vec<String>> = None;
    for stage in stages {
        match stage {
            Stage::Parse { pattern, names } => {
                for row in &mut rows {
                    let caps = field(row, "@message").and_then(|m| glob(pattern, m));
                    if let Some(caps) = caps {
                        for (n, v) in names.iter().zip(caps) {
                            set(row, n, v);
                        }
                    }
                }
            }
            Stage::Filter(ors) => {
                rows.retain(|r| ors.iter().any(|ands| ands.iter().all(|c| matches(r, c))));
                matched = rows.len();
            }
            Stage::Fields(list) => shown = Some(list),
            Stage::Stats { aggs, by } => {
                shown = None;
                let mut groups: HashMap<Vec<String>, Vec<f64>> = HashMap::new();
                let mut order = Vec::new();
                for row in &rows {
                    let key: Vec<String> = by
                        .iter()
                        .map(|b| field(row, b).unwrap_or("").to_string())
                        .collect();
                    let acc = groups.entry(key.clone()).or_insert_with(|| {
                        order.push(key);
                        vec![0.0; aggs.len()]
                    });
                    for (i, (agg, _)) in aggs.iter().enumerate() {
                        acc[i] += match agg {
                            Agg::Count(None) => 1.0,
                            Agg::Count(Some(f)) => {
                                f64::from(u8::from(field(row, f).is_some_and(|v| v != "-")))
                            }
                            Agg::Sum(f) => field(row, f)
                                .and_then(|v| v.parse::<f64>().ok())
                                .unwrap_or(0.0),
                        };
                    }
                }
                rows = order
                    .into_iter()
                    .map(|key| {
                        let acc = &groups[&key];
                        let mut row: Row = by.iter().cloned().zip(key).collect();
                        for (i, (_, alias)) in aggs.iter().enumerate() {
                            row.push((alias.clone(), fmt_num(acc[i])));
                        }
                        row
                    })
                    .collect();
            }
            Stage::Sort { field: f, desc } => {
                rows.sort_by(|a, b| {
                    let (x, y) = (field(a, f).unwrap_or(""), field(b, f).unwrap_or(""));
                    let ord = match (x.parse::<f64>(), y.parse::<f64>()) {
                        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                        _ => x.cmp(y),
                    };
                    if *desc { ord.reverse() } else { ord }
                });
            }
            Stage::Limit(n) => rows.truncate(*n),
        }
    }
    if let Some(list) = shown {
        for row in &mut rows {
            row.retain(|(f, _)| list.contains(f));
        }
    }
    (rows, matched)
}

/// Runs `query` over the demo's records between `start` and `end` (epoch seconds,
/// inclusive), as Insights would answer it when Complete.
pub fn run_query(
    onset: DateTime<Utc>,
    query: &str,
    start: i64,
    end: i64,
    limit: Option<usize>,
) -> Result<(Vec<ResultRow>, QueryStats), BackendError> {
    run_query_shifted(onset, query, start, end, limit, &[])
}

/// [`run_query`] over records under the demo's zonal shifts.
pub fn run_query_shifted(
    onset: DateTime<Utc>,
    query: &str,
    start: i64,
    end: i64,
    limit: Option<usize>,
    shifts: &[scenario::ShiftWindow],
) -> Result<(Vec<ResultRow>, QueryStats), BackendError> {
    run_events(
        events_shifted(onset, start, end, shifts),
        start,
        query,
        limit,
    )
}

/// Runs `query` over `events` (those of one range starting at `start`).
pub(super) fn run_events(
    events: Vec<Event>,
    start: i64,
    query: &str,
    limit: Option<usize>,
) -> Result<(Vec<ResultRow>, QueryStats), BackendError> {
    let stages = compile(query)?;
    let bytes: usize = events
        .iter()
        .map(|e| e.message.len() + RECORD_OVERHEAD)
        .sum();
    let scanned = events.len();
    let rows: Vec<Row> = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            vec![
                ("@timestamp".to_string(), timestamp(e.at)),
                ("@message".to_string(), e.message),
                ("@ptr".to_string(), format!("demo-{start}-{i}")),
            ]
        })
        .collect();
    let (mut rows, matched) = evaluate(&stages, rows);
    rows.truncate(limit.unwrap_or(10_000));
    Ok((
        rows,
        QueryStats {
            records_matched: matched as f64,
            records_scanned: scanned as f64,
            bytes_scanned: bytes as f64,
            ..QueryStats::default()
        },
    ))
}

/// `2026-11-22 03:05:00.000`, the form Insights gives `@timestamp` in.
fn timestamp(at: i64) -> String {
    Utc.timestamp_opt(at, 0)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        .unwrap_or_default()
}

// ------------------------------------------------------------------------ queries

/// A query the demo is running: its final answer, and how far along it is.
#[derive(Debug, Clone)]
struct DemoQuery {
    rows: Vec<ResultRow>,
    stats: QueryStats,
    /// The query over the first quarter, half and three quarters of its window, for
    /// the partial rows while Running.
    partial: Vec<(Vec<ResultRow>, QueryStats)>,
    polls: u32,
    stopped: bool,
    /// Its place in the order queries were started (older ones are forgotten).
    seq: u64,
}

/// Queries the demo remembers, like Logs Insights keeps results for a while: the
/// oldest are forgotten beyond this (a long demo would otherwise grow without bound;
/// the soak bench found it).
const KEPT_QUERIES: u64 = 32;

/// The demo's queries, by ID.
#[derive(Debug, Default)]
pub struct DemoQueries {
    queries: Mutex<HashMap<String, DemoQuery>>,
    next: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The demo's flow logs: one to CloudWatch Logs (custom format, Logs Insights), one of
/// a second VPC to S3 (default format, Athena), one to Firehose (not queryable).
pub fn sources() -> Vec<FlowLogSource> {
    let arn = |svc: &str, what: &str| {
        format!(
            "arn:aws:{svc}:{}:{}:{what}",
            scenario::REGION,
            scenario::ACCOUNT
        )
    };
    vec![
        FlowLogSource {
            id: "fl-0c0ffee5e1ec7ab1e".into(),
            resource_id: VPC.into(),
            destination: Destination::LogGroup(LOG_GROUP.into()),
            format: LogFormat::parse(FORMAT).unwrap_or_default(),
            traffic: "ALL".into(),
            status: "ACTIVE".into(),
        },
        FlowLogSource {
            id: super::athena::FLOW_LOG2.into(),
            resource_id: super::athena::VPC2.into(),
            destination: Destination::S3(super::athena::delivery()),
            format: LogFormat::default(),
            traffic: "ALL".into(),
            status: "ACTIVE".into(),
        },
        FlowLogSource {
            id: "fl-0b1d3f5b7d9f1b3d5".into(),
            resource_id: "subnet-0pub1a".into(),
            destination: Destination::Elsewhere {
                kind: "kinesis-data-firehose".into(),
                arn: arn("firehose", "deliverystream/siem-flow-logs"),
            },
            format: LogFormat::default(),
            traffic: "REJECT".into(),
            status: "ACTIVE".into(),
        },
    ]
}

#[async_trait]
impl FlowLogs for DemoBackend {
    async fn flow_logs(&self) -> Result<Vec<FlowLogSource>, BackendError> {
        Ok(sources())
    }

    async fn start_query(&self, request: &QueryRequest) -> Result<String, BackendError> {
        if let Some(g) = request.log_groups.iter().find(|g| *g != LOG_GROUP) {
            return Err(BackendError::Service {
                operation: "StartQuery".into(),
                code: "ResourceNotFoundException".into(),
                message: format!("Log group {g} does not exist (the demo has {LOG_GROUP})"),
            });
        }
        let (start, end) = (request.start.timestamp(), request.end.timestamp());
        let limit = request.limit.map(|l| l.max(1) as usize);
        let shifts = self.shift_windows();
        let (rows, stats) =
            run_query_shifted(self.onset, &request.query, start, end, limit, &shifts)?;
        let partial = [(1, 4), (1, 2), (3, 4)]
            .iter()
            .map(|(n, d)| {
                let upto = start + (end - start) * n / d;
                run_query_shifted(self.onset, &request.query, start, upto, limit, &shifts)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let n = self.flow.next.fetch_add(1, Ordering::Relaxed);
        let id = format!("demo-{:08x}-{n:04}", start as u64 & 0xffff_ffff);
        let mut all = lock(&self.flow.queries);
        all.insert(
            id.clone(),
            DemoQuery {
                rows,
                stats,
                partial,
                polls: 0,
                stopped: false,
                seq: n,
            },
        );
        all.retain(|_, q| q.seq + KEPT_QUERIES > n);
        drop(all);
        tracing::info!(query_id = %id, "demo StartQuery");
        Ok(id)
    }

    async fn query_results(&self, query_id: &str) -> Result<QueryPage, BackendError> {
        let mut all = lock(&self.flow.queries);
        let Some(q) = all.get_mut(query_id) else {
            return Err(BackendError::Service {
                operation: "GetQueryResults".into(),
                code: "ResourceNotFoundException".into(),
                message: format!("no query {query_id}"),
            });
        };
        q.polls += 1;
        let empty = QueryStats::default();
        Ok(match q.polls {
            _ if q.stopped => QueryPage {
                status: QueryStatus::Cancelled,
                rows: Vec::new(),
                stats: empty,
                message: None,
            },
            1 => QueryPage {
                status: QueryStatus::Scheduled,
                rows: Vec::new(),
                stats: empty,
                message: None,
            },
            p if p < POLLS_TO_COMPLETE => {
                let i = (p as usize - 2) * q.partial.len() / (POLLS_TO_COMPLETE as usize - 2);
                let (rows, stats) = &q.partial[i.min(q.partial.len() - 1)];
                QueryPage {
                    status: QueryStatus::Running,
                    rows: rows.clone(),
                    stats: *stats,
                    message: None,
                }
            }
            _ => QueryPage {
                status: QueryStatus::Complete,
                rows: q.rows.clone(),
                stats: q.stats,
                message: None,
            },
        })
    }

    async fn stop_query(&self, query_id: &str) -> Result<bool, BackendError> {
        let mut all = lock(&self.flow.queries);
        let running = match all.get_mut(query_id) {
            Some(q) if !q.stopped && q.polls < POLLS_TO_COMPLETE => {
                q.stopped = true;
                true
            }
            _ => false,
        };
        tracing::info!(query_id, running, "demo StopQuery {query_id}");
        Ok(running)
    }

    async fn saved_queries(&self) -> Result<Vec<SavedQuery>, BackendError> {
        let format = LogFormat::parse(FORMAT).unwrap_or_default();
        let parse = format.parse_stage().unwrap_or_default();
        Ok(vec![
            SavedQuery {
                name: "db port rejects by source".into(),
                query: format!(
                    "{parse}\n| filter action = \"REJECT\" and dstPort = 5432\n| stats count(*) as rejects by srcAddr, azId\n| sort rejects desc\n| limit 50"
                ),
                log_groups: vec![LOG_GROUP.into()],
            },
            SavedQuery {
                name: "scanners on 22 and 3389".into(),
                query: format!(
                    "{parse}\n| filter dstPort = 22 or dstPort = 3389\n| stats count(*) as knocks by srcAddr, dstPort\n| sort knocks desc\n| limit 20"
                ),
                log_groups: vec![LOG_GROUP.into()],
            },
        ])
    }

    async fn subnets(&self, vpc_ids: &[String]) -> Result<Vec<SubnetInfo>, BackendError> {
        let second = super::athena::subnets2(vpc_ids);
        if !vpc_ids.iter().any(|v| v == VPC) {
            return Ok(second);
        }
        Ok(SUBNETS
            .iter()
            .map(|(id, cidr, name, zone)| SubnetInfo {
                id: (*id).into(),
                vpc_id: VPC.into(),
                cidrs: vec![(*cidr).into()],
                zone_id: Some((*zone).into()),
                zone_name: Some((*name).into()),
            })
            .chain(second)
            .collect())
    }

    async fn interfaces(&self, addresses: &[String]) -> Result<Vec<InterfaceInfo>, BackendError> {
        Ok(interfaces()
            .into_iter()
            .filter(|(ip, ..)| addresses.contains(ip))
            .map(|(ip, eni, subnet, resource)| {
                let (subnet_id, _, name, zone) = SUBNETS[subnet];
                InterfaceInfo {
                    id: eni,
                    ips: vec![ip],
                    subnet_id: Some(subnet_id.into()),
                    zone_id: Some(zone.into()),
                    zone_name: Some(name.into()),
                    resource,
                }
            })
            .chain(super::athena::interfaces_of2(addresses))
            .collect())
    }

    fn poll_every(&self) -> Duration {
        POLL_EVERY
    }

    fn athena_config(&self) -> AthenaConfig {
        AthenaConfig::default()
    }

    async fn athena_workgroup(&self) -> Result<Workgroup, BackendError> {
        Ok(self.demo_workgroup())
    }

    async fn athena_tables(&self) -> Result<Vec<AthenaTable>, BackendError> {
        Ok(self.demo_tables())
    }

    async fn athena_table(&self, name: &str) -> Result<AthenaTable, BackendError> {
        self.demo_table(name)
    }

    async fn start_athena(&self, sql: &str) -> Result<String, BackendError> {
        self.demo_start(sql)
    }

    async fn athena_results(&self, id: &str) -> Result<QueryPage, BackendError> {
        self.demo_results(id)
    }

    async fn stop_athena(&self, id: &str) -> Result<bool, BackendError> {
        Ok(self.demo_stop(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::flowlogs::{Tally, tally_query, tally_rows};
    use chrono::Duration as ChronoDuration;

    fn onset() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 3, 0)
            .single()
            .expect("time")
    }

    fn format() -> LogFormat {
        LogFormat::parse(FORMAT).expect("format")
    }

    #[test]
    fn every_demo_record_parses_in_its_format() {
        let f = format();
        let t = onset().timestamp();
        for e in events(onset(), t - 600, t + 600) {
            crate::model::flowlogs::parse_record(&f, &e.message)
                .unwrap_or_else(|err| panic!("{}: {err}", e.message));
        }
    }

    #[test]
    fn a_shift_away_from_the_sick_zone_quiets_its_database_rejects() {
        let t = onset().timestamp() + 9 * 60;
        let rejects = |shifts: &[scenario::ShiftWindow]| {
            events_shifted(onset(), t, t + 10 * 60, shifts)
                .iter()
                .filter(|e| e.message.contains(" 5432 ") && e.message.contains("REJECT"))
                .count()
        };
        let start = DateTime::from_timestamp(t, 0).expect("t");
        let shift = [scenario::ShiftWindow {
            lb: "shop-frontend".into(),
            zone_name: scenario::SICK_ZONE.into(),
            start,
            end: start + chrono::Duration::minutes(30),
        }];
        let (before, after) = (rejects(&[]), rejects(&shift));
        assert!(before > 50, "{before}");
        assert!(
            after < before / 4,
            "{after} of {before}: drained after two minutes"
        );
    }

    #[test]
    fn the_tally_shows_the_sick_zone_hitting_the_database() {
        let t = onset().timestamp();
        let (rows, stats) =
            run_query(onset(), &tally_query(&format()), t - 1800, t + 600, None).expect("runs");
        let tally = tally_rows(&rows);
        assert!(!tally.is_empty());
        let db: Vec<_> = tally.iter().filter(|r| r.key.dst == DATABASE).collect();
        assert!(!db.is_empty());
        assert!(
            db.iter().all(|r| r.key.src.starts_with("10.20.2.")),
            "only the sick zone's sources are rejected at the database: {db:?}"
        );
        assert_eq!(tally[0].key.dst, DATABASE, "the database tops the tally");
        let scans = tally
            .iter()
            .filter(|r| matches!(r.key.dst_port, Some(22 | 3389)))
            .count();
        assert!(scans > 5, "a background of scanners");
        assert!(stats.records_scanned > stats.records_matched);
        assert!(stats.bytes_scanned > 0.0);
        // Before the onset, no database REJECTs at all.
        let (before, _) =
            run_query(onset(), &tally_query(&format()), t - 1800, t - 1, None).expect("runs");
        assert!(tally_rows(&before).iter().all(|r| r.key.dst != DATABASE));
    }

    #[test]
    fn split_windows_merge_to_the_whole() {
        let t = onset().timestamp();
        let q = tally_query(&format());
        let whole = Tally::from_rows(&tally_rows(
            &run_query(onset(), &q, t - 900, t + 900, None).expect("q").0,
        ));
        let mut merged = Tally::from_rows(&tally_rows(
            &run_query(onset(), &q, t - 900, t + 100, None).expect("q").0,
        ));
        merged.merge(&tally_rows(
            &run_query(onset(), &q, t + 101, t + 900, None).expect("q").0,
        ));
        assert_eq!(merged, whole);
    }

    #[test]
    fn the_evaluator_answers_its_subset() {
        let t = onset().timestamp();
        let parse = format().parse_stage().expect("custom");
        let q = format!(
            "{parse} | filter dstPort = 22 or dstPort = 3389 | stats count(*) as n, sum(bytes) as b by dstPort | sort n asc | limit 5"
        );
        let (rows, _) = run_query(onset(), &q, t, t + 600, None).expect("runs");
        assert_eq!(rows.len(), 2);
        let n: Vec<f64> = rows
            .iter()
            .map(|r| field(r, "n").expect("n").parse().expect("num"))
            .collect();
        assert!(n[0] <= n[1], "sorted ascending");
        let (raw, _) = run_query(
            onset(),
            &format!("{parse} | fields @timestamp, @message | filter action = \"REJECT\" | sort @timestamp desc | limit 3"),
            t,
            t + 600,
            None,
        )
        .expect("runs");
        assert_eq!(raw.len(), 3);
        assert_eq!(raw[0].len(), 2, "fields keeps only what it names");
    }

    #[test]
    fn what_the_demo_cannot_answer_says_so() {
        let e = run_query(onset(), "filter x = 1 | dedup srcAddr", 0, 60, None).expect_err("dedup");
        assert!(e.to_string().contains("not available in the demo"), "{e}");
        let e = run_query(onset(), "stats avg(bytes)", 0, 60, None).expect_err("avg");
        assert!(e.to_string().contains("not available in the demo"), "{e}");
        let e = run_query(onset(), "filter action = REJECT", 0, 60, None).expect_err("unquoted");
        assert!(
            crate::backend::flowlogs::malformed_query(&e).is_some(),
            "{e}"
        );
    }

    #[test]
    fn glob_captures() {
        assert_eq!(
            glob("* * *", "a b c d"),
            Some(vec!["a".into(), "b".into(), "c d".into()])
        );
        assert_eq!(glob("x=*;", "x=1;"), Some(vec!["1".into()]));
        assert_eq!(glob("x=*;", "y=1;"), None);
    }

    #[tokio::test]
    async fn a_query_runs_scheduled_running_complete_and_stops() {
        use crate::clock::Clock;
        let b = DemoBackend::new(Clock::Frozen(onset() + ChronoDuration::minutes(9)), 9);
        let request = QueryRequest {
            log_groups: vec![LOG_GROUP.into()],
            start: onset() - ChronoDuration::minutes(30),
            end: onset() + ChronoDuration::minutes(9),
            query: tally_query(&format()),
            limit: None,
        };
        let id = b.start_query(&request).await.expect("starts");
        let mut seen = Vec::new();
        loop {
            let page = b.query_results(&id).await.expect("page");
            seen.push((page.status, page.rows.len()));
            if page.status.is_done() {
                break;
            }
        }
        assert_eq!(seen[0].0, QueryStatus::Scheduled);
        assert!(
            seen.iter()
                .any(|(s, n)| *s == QueryStatus::Running && *n > 0),
            "{seen:?}"
        );
        assert_eq!(seen.last().map(|s| s.0), Some(QueryStatus::Complete));
        assert!(!b.stop_query(&id).await.expect("stop"), "already complete");
        let id = b.start_query(&request).await.expect("starts");
        assert!(b.stop_query(&id).await.expect("stop"));
        assert_eq!(
            b.query_results(&id).await.expect("page").status,
            QueryStatus::Cancelled
        );
        let bad = QueryRequest {
            log_groups: vec!["/nope".into()],
            ..request
        };
        assert!(b.start_query(&bad).await.is_err());
    }
}
