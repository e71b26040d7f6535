//! VPC Flow Logs, purely: record formats (default and custom, versions 2 to 7), the
//! record parser, the Logs Insights query text the pane sends (with a `parse` built
//! from a custom format), the REJECT tally and its incremental merge, the pivots that
//! regroup it without a new query, and the attribution of every address to a subnet,
//! an interface and an Availability Zone *ID*.
//!
//! Nothing here does I/O: the backend hands in query results (field/value rows), the
//! subnets and the interfaces it found; this module turns them into rows to draw.

use crate::model::zones::ZoneMap;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

/// The default format's fields (version 2), in order.
pub const DEFAULT_FIELDS: [&str; 14] = [
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
];

/// Every documented field with the record version that introduced it.
pub const KNOWN_FIELDS: [(&str, u8); 39] = [
    ("version", 2),
    ("account-id", 2),
    ("interface-id", 2),
    ("srcaddr", 2),
    ("dstaddr", 2),
    ("srcport", 2),
    ("dstport", 2),
    ("protocol", 2),
    ("packets", 2),
    ("bytes", 2),
    ("start", 2),
    ("end", 2),
    ("action", 2),
    ("log-status", 2),
    ("vpc-id", 3),
    ("subnet-id", 3),
    ("instance-id", 3),
    ("tcp-flags", 3),
    ("type", 3),
    ("pkt-srcaddr", 3),
    ("pkt-dstaddr", 3),
    ("region", 4),
    ("az-id", 4),
    ("sublocation-type", 4),
    ("sublocation-id", 4),
    ("pkt-src-aws-service", 5),
    ("pkt-dst-aws-service", 5),
    ("flow-direction", 5),
    ("traffic-path", 5),
    ("ecs-cluster-arn", 7),
    ("ecs-cluster-name", 7),
    ("ecs-container-instance-arn", 7),
    ("ecs-container-instance-id", 7),
    ("ecs-container-id", 7),
    ("ecs-second-container-id", 7),
    ("ecs-service-name", 7),
    ("ecs-task-definition-arn", 7),
    ("ecs-task-arn", 7),
    ("ecs-task-id", 7),
];

/// What one GB scanned by Logs Insights costs (US East list price, standard log class).
pub const USD_PER_GB_SCANNED: f64 = 0.005;

/// Rows the tally query asks for (the most StartQuery's `limit` allows).
pub const TALLY_LIMIT: usize = 10_000;

/// The name Logs Insights gives a field: the names it discovers for the default format
/// (`srcAddr`, `interfaceId`, `logStatus`), camel case for the others (`azId`,
/// `pktSrcAddr`). The `parse` for a custom format binds the same names, so every query
/// reads the same whatever the format.
pub fn insights_name(field: &str) -> String {
    let spelled = field
        .replace("srcaddr", "src-addr")
        .replace("dstaddr", "dst-addr")
        .replace("srcport", "src-port")
        .replace("dstport", "dst-port");
    let mut out = String::with_capacity(spelled.len());
    let mut upper = false;
    for c in spelled.chars() {
        if c == '-' || c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A flow log's record format: its fields in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LogFormat {
    pub fields: Vec<String>,
}

/// Why a format or a record could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Default for LogFormat {
    fn default() -> Self {
        Self {
            fields: DEFAULT_FIELDS.iter().map(|f| f.to_string()).collect(),
        }
    }
}

impl LogFormat {
    /// `${version} ${vpc-id} ...` as DescribeFlowLogs reports it; empty means default.
    pub fn parse(spec: &str) -> Result<Self, ParseError> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Ok(Self::default());
        }
        let fields = spec
            .split_whitespace()
            .map(|t| {
                t.strip_prefix("${")
                    .and_then(|t| t.strip_suffix('}'))
                    // Field names go into the query's parse stage: names only.
                    .filter(|f| {
                        !f.is_empty()
                            && f.chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    })
                    .map(str::to_string)
                    .ok_or_else(|| ParseError(format!("not a ${{field}}: {t:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { fields })
    }

    /// Back to the `${field}` form.
    pub fn spec(&self) -> String {
        self.fields
            .iter()
            .map(|f| format!("${{{f}}}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether Logs Insights discovers its fields by itself (the default format).
    pub fn is_default(&self) -> bool {
        self.fields.iter().map(String::as_str).eq(DEFAULT_FIELDS)
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f == field)
    }

    /// The highest record version its fields need.
    pub fn version(&self) -> u8 {
        self.fields
            .iter()
            .filter_map(|f| KNOWN_FIELDS.iter().find(|(k, _)| k == f).map(|(_, v)| *v))
            .max()
            .unwrap_or(2)
    }

    /// The query stage that extracts fields Insights does not discover: `None` for the
    /// default format, else `parse @message "* * ..." as version, vpcId, ...`.
    pub fn parse_stage(&self) -> Option<String> {
        if self.is_default() {
            return None;
        }
        let globs = vec!["*"; self.fields.len()].join(" ");
        let names = self
            .fields
            .iter()
            .map(|f| insights_name(f))
            .collect::<Vec<_>>()
            .join(", ");
        Some(format!("parse @message \"{globs}\" as {names}"))
    }
}

/// ACCEPT or REJECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowAction {
    Accept,
    Reject,
}

/// OK, NODATA or SKIPDATA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogStatus {
    Ok,
    NoData,
    SkipData,
}

/// One flow log record. `None` where the record says `-` (not applicable or not
/// computed) or where its format does not have the field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlowRecord {
    pub version: Option<u8>,
    pub account_id: Option<String>,
    pub interface_id: Option<String>,
    pub srcaddr: Option<IpAddr>,
    pub dstaddr: Option<IpAddr>,
    pub srcport: Option<u16>,
    pub dstport: Option<u16>,
    pub protocol: Option<u8>,
    pub packets: Option<u64>,
    pub bytes: Option<u64>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub action: Option<FlowAction>,
    pub log_status: Option<LogStatus>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub instance_id: Option<String>,
    pub tcp_flags: Option<u16>,
    pub pkt_srcaddr: Option<IpAddr>,
    pub pkt_dstaddr: Option<IpAddr>,
    pub az_id: Option<String>,
    /// Every other field, by its format name.
    pub other: Vec<(String, String)>,
}

fn num<T: std::str::FromStr>(field: &str, v: &str) -> Result<T, ParseError> {
    v.parse()
        .map_err(|_| ParseError(format!("{field}: not a number: {v:?}")))
}

fn ip(field: &str, v: &str) -> Result<IpAddr, ParseError> {
    v.parse()
        .map_err(|_| ParseError(format!("{field}: not an IP address: {v:?}")))
}

/// Parses one record written in `format` (fields separated by runs of spaces).
pub fn parse_record(format: &LogFormat, line: &str) -> Result<FlowRecord, ParseError> {
    let values: Vec<&str> = line.split_whitespace().collect();
    if values.len() != format.fields.len() {
        return Err(ParseError(format!(
            "{} values for {} fields",
            values.len(),
            format.fields.len()
        )));
    }
    let mut r = FlowRecord::default();
    for (field, v) in format.fields.iter().zip(values) {
        if v == "-" {
            continue;
        }
        let f = field.as_str();
        match f {
            "version" => r.version = Some(num(f, v)?),
            "account-id" => r.account_id = Some(v.to_string()),
            "interface-id" => r.interface_id = Some(v.to_string()),
            "srcaddr" => r.srcaddr = Some(ip(f, v)?),
            "dstaddr" => r.dstaddr = Some(ip(f, v)?),
            "srcport" => r.srcport = Some(num(f, v)?),
            "dstport" => r.dstport = Some(num(f, v)?),
            "protocol" => r.protocol = Some(num(f, v)?),
            "packets" => r.packets = Some(num(f, v)?),
            "bytes" => r.bytes = Some(num(f, v)?),
            "start" => r.start = Some(num(f, v)?),
            "end" => r.end = Some(num(f, v)?),
            "action" => {
                r.action = Some(match v {
                    "ACCEPT" => FlowAction::Accept,
                    "REJECT" => FlowAction::Reject,
                    _ => return Err(ParseError(format!("action: {v:?}"))),
                })
            }
            "log-status" => {
                r.log_status = Some(match v {
                    "OK" => LogStatus::Ok,
                    "NODATA" => LogStatus::NoData,
                    "SKIPDATA" => LogStatus::SkipData,
                    _ => return Err(ParseError(format!("log-status: {v:?}"))),
                })
            }
            "vpc-id" => r.vpc_id = Some(v.to_string()),
            "subnet-id" => r.subnet_id = Some(v.to_string()),
            "instance-id" => r.instance_id = Some(v.to_string()),
            "tcp-flags" => r.tcp_flags = Some(num(f, v)?),
            "pkt-srcaddr" => r.pkt_srcaddr = Some(ip(f, v)?),
            "pkt-dstaddr" => r.pkt_dstaddr = Some(ip(f, v)?),
            "az-id" => r.az_id = Some(v.to_string()),
            _ => r.other.push((field.clone(), v.to_string())),
        }
    }
    Ok(r)
}

/// IANA protocol number in words (TCP, UDP, ICMP...), else the number.
pub fn protocol_name(p: u8) -> String {
    match p {
        1 => "ICMP".into(),
        6 => "TCP".into(),
        17 => "UDP".into(),
        47 => "GRE".into(),
        50 => "ESP".into(),
        58 => "ICMPv6".into(),
        n => n.to_string(),
    }
}

// ------------------------------------------------------------------------ queries

/// The Insights fields the tally groups by, in order, with the format field each needs.
const TALLY_BY: [(&str, &str); 5] = [
    ("srcAddr", "srcaddr"),
    ("dstAddr", "dstaddr"),
    ("dstPort", "dstport"),
    ("protocol", "protocol"),
    ("interfaceId", "interface-id"),
];

/// The default query: REJECTs counted (and their bytes summed) by source, destination,
/// destination port, protocol and interface, most first. Fields the format lacks are
/// left out of the grouping.
pub fn tally_query(format: &LogFormat) -> String {
    let by: Vec<&str> = TALLY_BY
        .iter()
        .filter(|(_, f)| format.has(f))
        .map(|(n, _)| *n)
        .collect();
    let sum = if format.has("bytes") {
        ", sum(bytes) as rejectedBytes"
    } else {
        ""
    };
    let mut stages: Vec<String> = format.parse_stage().into_iter().collect();
    stages.push("filter action = \"REJECT\"".into());
    stages.push(format!(
        "stats count(*) as rejects{sum} by {}",
        by.join(", ")
    ));
    stages.push("sort rejects desc".into());
    stages.push(format!("limit {TALLY_LIMIT}"));
    stages.join("\n| ")
}

/// The raw records behind a row (Enter on it), newest first. Under the pair pivot the
/// row's whole key filters; under the others what the row groups by (the source, the
/// destination, the port, the interface), and for subnets and zones the row's top pair.
pub fn records_query(format: &LogFormat, key: &TallyKey, pivot: Pivot, limit: usize) -> String {
    let mut stages: Vec<String> = format.parse_stage().into_iter().collect();
    let mut conds = vec!["action = \"REJECT\"".to_string()];
    let src = format!("srcAddr = \"{}\"", literal(&key.src));
    let dst = format!("dstAddr = \"{}\"", literal(&key.dst));
    let port = key.dst_port.map(|p| format!("dstPort = {p}"));
    let proto = key.protocol.map(|p| format!("protocol = {p}"));
    match pivot {
        Pivot::Source => conds.push(src),
        Pivot::Destination => conds.push(dst),
        Pivot::Port => conds.extend(port.into_iter().chain(proto)),
        Pivot::Interface => match &key.interface {
            Some(i) => conds.push(format!("interfaceId = \"{}\"", literal(i))),
            None => conds.extend([src, dst]),
        },
        Pivot::Pair | Pivot::Subnet | Pivot::Zone => {
            conds.extend([src, dst].into_iter().chain(port).chain(proto))
        }
    }
    stages.push("fields @timestamp, @message".into());
    stages.push(format!("filter {}", conds.join(" and ")));
    stages.push("sort @timestamp desc".into());
    stages.push(format!("limit {limit}"));
    stages.join("\n| ")
}

/// A value from a query result (an address, an interface ID) made safe to put back into
/// a query between double quotes: only the characters addresses and IDs have, so no
/// quote, pipe or newline from a crafted record can end the literal or add a stage.
pub fn literal(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '_'))
        .take(128)
        .collect()
}

/// Minutes flow logs may take to reach CloudWatch Logs: the newest minutes are queried
/// again at every refresh (and replaced), the older ones once (and merged).
pub const DELIVERY_LAG_MINUTES: i64 = 10;

/// Whether a range's counts are final (merged once) or may still grow (replaced).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Settled,
    Recent,
}

/// The ranges a refresh queries (inclusive, whole seconds): the settled minutes not yet
/// counted (from `counted_to`, else the window start, to `now - lag`), then the recent
/// ones (after that to `now`). Settled ranges of successive refreshes are adjacent and
/// never overlap, so merging them counts every record once.
pub fn refresh_ranges(
    window_start: DateTime<Utc>,
    counted_to: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    lag: chrono::Duration,
) -> Vec<(DateTime<Utc>, DateTime<Utc>, Part)> {
    let second = chrono::Duration::seconds(1);
    let from = counted_to.map(|t| t + second).unwrap_or(window_start);
    let settled_to = (now - lag).max(from - second);
    let mut out = Vec::new();
    if settled_to >= from {
        out.push((from, settled_to, Part::Settled));
    }
    let recent_from = settled_to + second;
    if now >= recent_from {
        out.push((recent_from, now, Part::Recent));
    }
    out
}

// ------------------------------------------------------------------------ tallies

/// What a tally row counts: one source, destination, port, protocol and interface.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TallyKey {
    pub src: String,
    pub dst: String,
    pub dst_port: Option<u16>,
    pub protocol: Option<u8>,
    pub interface: Option<String>,
}

/// REJECTs and their bytes for one key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub rejects: u64,
    pub bytes: u64,
}

/// One result row of the tally query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyRow {
    pub key: TallyKey,
    pub count: Count,
}

/// A query result row as Insights returns it: field name -> value (strings).
pub type ResultRow = Vec<(String, String)>;

fn get<'a>(row: &'a ResultRow, name: &str) -> Option<&'a str> {
    row.iter()
        .find(|(f, _)| f == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty() && *v != "-")
}

/// The tally rows in a result: rows without a source, destination or count are dropped
/// (a custom query's rows are shown as they are instead).
pub fn tally_rows(results: &[ResultRow]) -> Vec<TallyRow> {
    results
        .iter()
        .filter_map(|r| {
            let rejects = get(r, "rejects")?.parse::<f64>().ok()? as u64;
            Some(TallyRow {
                key: TallyKey {
                    src: get(r, "srcAddr")?.to_string(),
                    dst: get(r, "dstAddr")?.to_string(),
                    dst_port: get(r, "dstPort").and_then(|p| p.parse().ok()),
                    protocol: get(r, "protocol").and_then(|p| p.parse().ok()),
                    interface: get(r, "interfaceId").map(str::to_string),
                },
                count: Count {
                    rejects,
                    bytes: get(r, "rejectedBytes")
                        .and_then(|b| b.parse::<f64>().ok())
                        .map(|b| b as u64)
                        .unwrap_or(0),
                },
            })
        })
        .collect()
}

/// REJECT counts by key over the minutes already queried. An automatic refresh queries
/// only the new minutes and merges them in: the counts of two adjacent windows merged
/// are the counts of the whole window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub counts: HashMap<TallyKey, Count>,
}

impl Tally {
    pub fn from_rows(rows: &[TallyRow]) -> Self {
        let mut t = Tally::default();
        t.merge(rows);
        t
    }

    pub fn merge(&mut self, rows: &[TallyRow]) {
        for r in rows {
            let c = self.counts.entry(r.key.clone()).or_default();
            c.rejects += r.count.rejects;
            c.bytes += r.count.bytes;
        }
    }

    /// This tally with `rows` (a running query's partial answer) added, without keeping them.
    pub fn with(&self, rows: &[TallyRow]) -> Vec<TallyRow> {
        let mut t = self.clone();
        t.merge(rows);
        t.rows()
    }

    pub fn rows(&self) -> Vec<TallyRow> {
        self.counts
            .iter()
            .map(|(k, c)| TallyRow {
                key: k.clone(),
                count: *c,
            })
            .collect()
    }

    pub fn total(&self) -> u64 {
        self.counts.values().map(|c| c.rejects).sum()
    }
}

// ------------------------------------------------------------------------ places

/// What is behind an address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    Instance,
    LoadBalancer,
    Database,
    Cache,
    NatGateway,
    Lambda,
    VpcEndpoint,
    TransitGateway,
    Interface,
}

impl ResourceKind {
    pub fn label(&self) -> &'static str {
        match self {
            ResourceKind::Instance => "instance",
            ResourceKind::LoadBalancer => "load balancer",
            ResourceKind::Database => "database",
            ResourceKind::Cache => "cache",
            ResourceKind::NatGateway => "NAT gateway",
            ResourceKind::Lambda => "Lambda",
            ResourceKind::VpcEndpoint => "VPC endpoint",
            ResourceKind::TransitGateway => "transit gateway",
            ResourceKind::Interface => "interface",
        }
    }
}

/// The resource behind an interface: its kind and its name or ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resource {
    pub kind: ResourceKind,
    pub name: String,
}

/// A subnet with its CIDRs (IPv4 and IPv6) and its zone, by ID and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetInfo {
    pub id: String,
    pub vpc_id: String,
    pub cidrs: Vec<String>,
    pub zone_id: Option<String>,
    pub zone_name: Option<String>,
}

/// A network interface with its addresses, subnet, zone and the resource behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceInfo {
    pub id: String,
    pub ips: Vec<String>,
    pub subnet_id: Option<String>,
    pub zone_id: Option<String>,
    pub zone_name: Option<String>,
    pub resource: Resource,
}

/// How an address was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacedBy {
    /// The interface that holds the address.
    Interface,
    /// The subnet whose CIDR contains it (no interface holds it now).
    Subnet,
    /// Neither: outside the VPCs looked at (the internet, another VPC).
    Outside,
}

/// Where an address lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub placed_by: PlacedBy,
    pub zone_id: Option<String>,
    pub subnet_id: Option<String>,
    pub interface: Option<String>,
    pub resource: Option<Resource>,
}

impl Place {
    pub fn outside() -> Self {
        Self {
            placed_by: PlacedBy::Outside,
            zone_id: None,
            subnet_id: None,
            interface: None,
            resource: None,
        }
    }

    /// The zone ID, or `ext` for an address outside the VPC, `?` for an unknown zone.
    pub fn zone_label(&self) -> &str {
        match (&self.zone_id, self.placed_by) {
            (Some(z), _) => z,
            (None, PlacedBy::Outside) => "ext",
            (None, _) => "?",
        }
    }
}

/// An IPv4 or IPv6 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    v6: bool,
    bits: u128,
    prefix: u8,
}

fn ip_bits(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(a) => (false, u32::from(a) as u128),
        IpAddr::V6(a) => (true, u128::from(a)),
    }
}

impl IpNet {
    pub fn parse(s: &str) -> Option<Self> {
        let (addr, prefix) = s.trim().split_once('/')?;
        let addr: IpAddr = addr.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        let (v6, bits) = ip_bits(addr);
        let width = if v6 { 128 } else { 32 };
        (prefix <= width).then_some(Self {
            v6,
            bits: bits & Self::mask(prefix, width),
            prefix,
        })
    }

    fn mask(prefix: u8, width: u8) -> u128 {
        if prefix == 0 {
            0
        } else {
            let all = if width == 128 {
                u128::MAX
            } else {
                u32::MAX as u128
            };
            all & !((1u128 << (width - prefix)).wrapping_sub(1)) & all
        }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let (v6, bits) = ip_bits(ip);
        let width = if v6 { 128 } else { 32 };
        v6 == self.v6 && bits & Self::mask(self.prefix, width) == self.bits
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }
}

/// What is known about the account's network: subnets (by VPC) and interfaces by
/// address. Filled from DescribeSubnets and DescribeNetworkInterfaces, cached.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    pub subnets: Vec<SubnetInfo>,
    pub interfaces: HashMap<String, InterfaceInfo>,
}

impl Network {
    pub fn add_interfaces(&mut self, list: Vec<InterfaceInfo>) {
        for i in list {
            for ip in &i.ips {
                self.interfaces.insert(ip.clone(), i.clone());
            }
        }
    }

    pub fn add_subnets(&mut self, list: Vec<SubnetInfo>) {
        for s in list {
            if !self.subnets.iter().any(|k| k.id == s.id) {
                self.subnets.push(s);
            }
        }
    }

    fn subnet_of(&self, ip: IpAddr) -> Option<&SubnetInfo> {
        self.subnets
            .iter()
            .flat_map(|s| {
                s.cidrs
                    .iter()
                    .filter_map(|c| IpNet::parse(c))
                    .map(move |n| (n, s))
            })
            .filter(|(n, _)| n.contains(ip))
            .max_by_key(|(n, _)| n.prefix())
            .map(|(_, s)| s)
    }

    /// Where `addr` lives: its interface (and that interface's subnet and zone), else
    /// the most specific subnet containing it, else outside. Zones are keyed by ID;
    /// a zone known only by name is mapped through `zones`.
    pub fn place(&self, addr: &str, zones: &ZoneMap) -> Place {
        let zone_id = |id: &Option<String>, name: &Option<String>| {
            id.clone().or_else(|| {
                name.as_ref()
                    .and_then(|n| zones.by_name(n))
                    .map(|z| z.id.clone())
            })
        };
        if let Some(i) = self.interfaces.get(addr) {
            let subnet = i
                .subnet_id
                .as_ref()
                .and_then(|id| self.subnets.iter().find(|s| &s.id == id));
            return Place {
                placed_by: PlacedBy::Interface,
                zone_id: zone_id(&i.zone_id, &i.zone_name)
                    .or_else(|| subnet.and_then(|s| zone_id(&s.zone_id, &s.zone_name))),
                subnet_id: i.subnet_id.clone(),
                interface: Some(i.id.clone()),
                resource: Some(i.resource.clone()),
            };
        }
        let Ok(ip) = addr.parse::<IpAddr>() else {
            return Place::outside();
        };
        match self.subnet_of(ip) {
            Some(s) => Place {
                placed_by: PlacedBy::Subnet,
                zone_id: zone_id(&s.zone_id, &s.zone_name),
                subnet_id: Some(s.id.clone()),
                interface: None,
                resource: None,
            },
            None => Place::outside(),
        }
    }
}

// ------------------------------------------------------------------------ pivots

/// How the tally is grouped. Every pivot regroups the same rows: no new query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pivot {
    /// Source -> destination:port/protocol (the query's own grouping).
    #[default]
    Pair,
    Source,
    Destination,
    Port,
    Interface,
    Subnet,
    Zone,
}

impl Pivot {
    pub const ALL: [Pivot; 7] = [
        Pivot::Pair,
        Pivot::Source,
        Pivot::Destination,
        Pivot::Port,
        Pivot::Interface,
        Pivot::Subnet,
        Pivot::Zone,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Pivot::Pair => "src → dst:port",
            Pivot::Source => "source",
            Pivot::Destination => "destination",
            Pivot::Port => "port",
            Pivot::Interface => "interface",
            Pivot::Subnet => "subnet → subnet",
            Pivot::Zone => "AZ → AZ",
        }
    }

    pub fn next(self, forward: bool) -> Pivot {
        let i = Pivot::ALL.iter().position(|p| *p == self).unwrap_or(0);
        let n = Pivot::ALL.len();
        Pivot::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// One row of the pane: a group of tally keys under the current pivot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PivotRow {
    /// What the row is, in words (`10.20.2.31 → 10.20.11.25:5432/TCP`).
    pub label: String,
    pub count: Count,
    /// Zone IDs of the source and destination (`ext`, `?` or `*` when mixed).
    pub src_zone: String,
    pub dst_zone: String,
    /// Every source of the row is in the blamed zone.
    pub from_sick: bool,
    /// Index (in the rows it was grouped from) of the key with the most REJECTs in the
    /// row: what Enter and the Reachability subject use.
    pub top: usize,
    /// How many tally keys the row holds.
    pub keys: usize,
}

fn merge_zone(a: &mut String, b: &str) {
    if a != b {
        *a = "*".into();
    }
}

/// What a row groups by, borrowed from the tally (no string is built per key).
#[derive(Hash, PartialEq, Eq)]
enum GroupKey<'a> {
    Pair(&'a TallyKey),
    Address(&'a str),
    Port(Option<u16>, Option<u8>),
    Interface(Option<&'a str>),
    Places(&'a str, &'a str),
}

fn port_label(port: Option<u16>, protocol: Option<u8>) -> String {
    match (port, protocol) {
        (Some(p), Some(pr)) => format!("{p}/{}", protocol_name(pr)),
        (Some(p), None) => p.to_string(),
        (None, Some(pr)) => protocol_name(pr),
        (None, None) => "*".into(),
    }
}

/// Regroups `rows` under `pivot`, each row's ends placed through `places`
/// (address -> place), marked when its sources are in `sick_zone` (an AZ ID); sorted
/// by REJECTs, most first, then by label.
pub fn pivot_rows(
    rows: &[TallyRow],
    pivot: Pivot,
    places: &HashMap<String, Place>,
    sick_zone: Option<&str>,
) -> Vec<PivotRow> {
    let outside = Place::outside();
    let place = |a: &str| places.get(a).unwrap_or(&outside);
    // Each group with the REJECTs of its top key.
    let mut groups: HashMap<GroupKey, (PivotRow, u64)> = HashMap::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let (sp, dp) = (place(&r.key.src), place(&r.key.dst));
        let subnet = |p: &'_ Place| -> String {
            p.subnet_id
                .clone()
                .unwrap_or_else(|| p.zone_label().to_string())
        };
        let key = match pivot {
            Pivot::Pair => GroupKey::Pair(&r.key),
            Pivot::Source => GroupKey::Address(&r.key.src),
            Pivot::Destination => GroupKey::Address(&r.key.dst),
            Pivot::Port => GroupKey::Port(r.key.dst_port, r.key.protocol),
            Pivot::Interface => GroupKey::Interface(r.key.interface.as_deref()),
            Pivot::Subnet => GroupKey::Places(
                sp.subnet_id.as_deref().unwrap_or(sp.zone_label()),
                dp.subnet_id.as_deref().unwrap_or(dp.zone_label()),
            ),
            Pivot::Zone => GroupKey::Places(sp.zone_label(), dp.zone_label()),
        };
        let sick = sick_zone.is_some() && sp.zone_id.as_deref() == sick_zone;
        match groups.get_mut(&key) {
            Some((g, top)) => {
                g.count.rejects += r.count.rejects;
                g.count.bytes += r.count.bytes;
                merge_zone(&mut g.src_zone, sp.zone_label());
                merge_zone(&mut g.dst_zone, dp.zone_label());
                g.from_sick &= sick;
                g.keys += 1;
                if r.count.rejects > *top {
                    g.top = i;
                    *top = r.count.rejects;
                }
            }
            None => {
                let label = match pivot {
                    Pivot::Pair => format!(
                        "{} → {}:{}",
                        r.key.src,
                        r.key.dst,
                        port_label(r.key.dst_port, r.key.protocol)
                    ),
                    Pivot::Source => r.key.src.clone(),
                    Pivot::Destination => r.key.dst.clone(),
                    Pivot::Port => port_label(r.key.dst_port, r.key.protocol),
                    Pivot::Interface => r.key.interface.clone().unwrap_or_else(|| "?".into()),
                    Pivot::Subnet => format!("{} → {}", subnet(sp), subnet(dp)),
                    Pivot::Zone => format!("{} → {}", sp.zone_label(), dp.zone_label()),
                };
                groups.insert(
                    key,
                    (
                        PivotRow {
                            label,
                            count: r.count,
                            src_zone: sp.zone_label().to_string(),
                            dst_zone: dp.zone_label().to_string(),
                            from_sick: sick,
                            top: i,
                            keys: 1,
                        },
                        r.count.rejects,
                    ),
                );
            }
        }
    }
    let mut out: Vec<PivotRow> = groups.into_values().map(|(g, _)| g).collect();
    sort_rows(&mut out);
    out
}

/// Most REJECTs first; ties by label so the order is stable between refreshes.
pub fn sort_rows(rows: &mut [PivotRow]) {
    rows.sort_unstable_by(|a, b| {
        b.count
            .rejects
            .cmp(&a.count.rejects)
            .then_with(|| a.label.cmp(&b.label))
    });
}

/// Bytes in a short human form (`512 B`, `3.4 MB`, `1.2 GB`).
pub fn fmt_bytes(b: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = b.max(0.0);
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// What scanning `bytes` costs, in US dollars.
pub fn scan_cost_usd(bytes: f64) -> f64 {
    bytes / 1e9 * USD_PER_GB_SCANNED
}

/// A cost in dollars, to a tenth of a cent (`$0.000`, `$0.012`).
pub fn fmt_usd(v: f64) -> String {
    if v > 0.0 && v < 0.001 {
        "<$0.001".into()
    } else {
        format!("${v:.3}")
    }
}

/// The pair the Reachability drill-down analyses: the selected row's source and
/// destination (with the interfaces behind them when known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachSubject {
    pub src: String,
    pub dst: String,
    pub dst_port: Option<u16>,
    pub protocol: Option<u8>,
    pub src_interface: Option<String>,
    pub dst_interface: Option<String>,
}

#[cfg(test)]
mod tests;
