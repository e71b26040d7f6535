//! The demo's second VPC, whose flow logs go to S3 (a central bucket, plain text,
//! Hive-compatible partitions, one folder per hour, default format), and a simulated
//! Athena over it.
//!
//! The story there: the payments workers in us-east-1b (use1-az6) lose their ledger
//! database (10.30.11.40:3306, in us-east-1a) at the onset, as the shop's app tier
//! loses its orders database; scanners knock on the payments NAT gateway all the while.
//!
//! The catalog starts empty, so the pane offers to create the table (its DDL is read
//! back here into a table); DROP TABLE removes it. SELECTs are answered by translating
//! grayscope's own tally and records SQL into the Insights evaluator of
//! `demo::flowlogs`; other SQL fails as Athena would say it. Bytes scanned model gzip
//! text objects: the hours (or days) the partition predicate names, or the whole
//! bucket ([`RETENTION_DAYS`] of records) when the query names no partition.

use super::flowlogs::{Event, noise, run_events};
use super::{DemoBackend, scenario};
use crate::backend::BackendError;
use crate::backend::flowlogs::{QueryPage, QueryStats, QueryStatus, Workgroup};
use crate::model::athena::{
    AthenaTable, DEFAULT_CATALOG, DEFAULT_DATABASE, FileFormat, S3Delivery,
};
use crate::model::flowlogs::{InterfaceInfo, LogFormat, Resource, ResourceKind, SubnetInfo};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

pub const VPC2: &str = "vpc-0da7a1a4e5e2c0ffe";
pub const FLOW_LOG2: &str = "fl-0a2c4e6a8c0e2a4c6";
pub const BUCKET: &str = "acme-central-flow-logs";
pub const PREFIX: &str = "org";
pub const LEDGER_DB: &str = "10.30.11.40";
pub const WORKGROUP: &str = "primary";
pub const OUTPUT: &str = "s3://aws-athena-query-results-210987654321-us-east-1/";
/// Days of records the simulated bucket holds (what a query without partition
/// predicates reads).
pub const RETENTION_DAYS: f64 = 400.0;
/// Compressed size of a text record over its plain length (gzip on flow-log text).
const GZIP_RATIO: f64 = 0.18;
/// Polls a simulated query takes: QUEUED, RUNNING..., SUCCEEDED.
pub const POLLS_TO_SUCCEED: u32 = 4;

/// (subnet, CIDR, zone name, zone ID)
const SUBNETS2: [(&str, &str, &str, &str); 6] = [
    ("subnet-0pay1a", "10.30.1.0/24", "us-east-1a", "use1-az4"),
    ("subnet-0pay1b", "10.30.2.0/24", "us-east-1b", "use1-az6"),
    ("subnet-0pay1c", "10.30.3.0/24", "us-east-1c", "use1-az1"),
    ("subnet-0ldg1a", "10.30.11.0/24", "us-east-1a", "use1-az4"),
    ("subnet-0ldg1b", "10.30.12.0/24", "us-east-1b", "use1-az6"),
    ("subnet-0npub1a", "10.30.101.0/24", "us-east-1a", "use1-az4"),
];

/// (address, interface, subnet index, resource)
fn interfaces2() -> Vec<(String, String, usize, Resource)> {
    let mut out = Vec::new();
    for (z, zone) in ["a", "b", "c"].iter().enumerate() {
        for n in 0..2 {
            out.push((
                format!("10.30.{}.{}", z + 1, 21 + n),
                format!("eni-0pay{zone}{n}da7a1a4e5e"),
                z,
                Resource {
                    kind: ResourceKind::Instance,
                    name: format!("i-0pay{zone}{n}da7a1a4e5e2"),
                },
            ));
        }
    }
    out.push((
        LEDGER_DB.into(),
        "eni-0ledgerda7a1a4e5e".into(),
        3,
        Resource {
            kind: ResourceKind::Database,
            name: "ledger-db (RDS MySQL)".into(),
        },
    ));
    out.push((
        "10.30.101.5".into(),
        "eni-0npayda7a1a4e5e00".into(),
        5,
        Resource {
            kind: ResourceKind::NatGateway,
            name: "nat-0f1e2d3c4b5a69788".into(),
        },
    ));
    out
}

pub(super) fn subnets2(vpc_ids: &[String]) -> Vec<SubnetInfo> {
    if !vpc_ids.iter().any(|v| v == VPC2) {
        return Vec::new();
    }
    SUBNETS2
        .iter()
        .map(|(id, cidr, name, zone)| SubnetInfo {
            id: (*id).into(),
            vpc_id: VPC2.into(),
            cidrs: vec![(*cidr).into()],
            zone_id: Some((*zone).into()),
            zone_name: Some((*name).into()),
        })
        .collect()
}

pub(super) fn interfaces_of2(addresses: &[String]) -> Vec<InterfaceInfo> {
    interfaces2()
        .into_iter()
        .filter(|(ip, ..)| addresses.contains(ip))
        .map(|(ip, eni, subnet, resource)| {
            let (subnet_id, _, name, zone) = SUBNETS2[subnet];
            InterfaceInfo {
                id: eni,
                ips: vec![ip],
                subnet_id: Some(subnet_id.into()),
                zone_id: Some(zone.into()),
                zone_name: Some(name.into()),
                resource,
            }
        })
        .collect()
}

/// Where the second VPC's flow log delivers.
pub fn delivery() -> S3Delivery {
    S3Delivery {
        bucket: BUCKET.into(),
        prefix: PREFIX.into(),
        file_format: FileFormat::Text,
        hive: true,
        per_hour: true,
        account_id: Some(scenario::ACCOUNT.into()),
        region: Some(scenario::REGION.into()),
    }
}

fn record2(
    at: i64,
    src: &str,
    dst: &str,
    sport: u32,
    dport: u32,
    action: &str,
    on: &str,
) -> Option<Event> {
    let (_, eni, ..) = interfaces2().into_iter().find(|(a, ..)| a == on)?;
    Some(Event {
        at,
        message: format!(
            "2 {} {eni} {src} {dst} {sport} {dport} 6 2 120 {at} {} {action} OK",
            scenario::ACCOUNT,
            at + 60
        ),
    })
}

/// The second VPC's records from `start` to `end` (inclusive, epoch seconds).
pub(super) fn events2(onset: DateTime<Utc>, start: i64, end: i64) -> Vec<Event> {
    let onset_min = onset.timestamp().div_euclid(60);
    let mut out = Vec::new();
    let mut at = start.div_euclid(60) * 60;
    while at <= end {
        let m = (at / 60) as u64;
        let rel = at / 60 - onset_min;
        let mut minute = Vec::new();
        for i in 0..(1 + (noise(m, 501) * 3.0) as u64) {
            let src = ["198.51.100.23", "45.155.205.12", "203.0.113.9"]
                [(noise(m, 510 + i) * 3.0) as usize];
            let port = if noise(m, 520 + i) < 0.5 { 22 } else { 3389 };
            minute.extend(record2(
                at + i as i64,
                src,
                "10.30.101.5",
                40000 + i as u32,
                port,
                "REJECT",
                "10.30.101.5",
            ));
        }
        for z in 1..=3u32 {
            for h in 21..23 {
                let src = format!("10.30.{z}.{h}");
                let key = (z * 10 + h) as u64;
                if z == 2 && rel >= 0 {
                    for t in 0..(1 + (noise(m, key) * 3.0) as u64) {
                        minute.extend(record2(
                            at + t as i64,
                            &src,
                            LEDGER_DB,
                            50000 + t as u32,
                            3306,
                            "REJECT",
                            LEDGER_DB,
                        ));
                    }
                } else if noise(m, key) < 0.5 {
                    minute.extend(record2(
                        at, &src, LEDGER_DB, 51000, 3306, "ACCEPT", LEDGER_DB,
                    ));
                }
            }
        }
        out.extend(minute.into_iter().filter(|e| e.at >= start && e.at <= end));
        at += 60;
    }
    out
}

/// Compressed bytes of the records of whole hours from `from` to `to` (epoch seconds,
/// truncated to their hours): what reading those partitions costs.
fn stored_bytes(onset: DateTime<Utc>, from: i64, to: i64) -> f64 {
    let (a, b) = (
        from.div_euclid(3600) * 3600,
        to.div_euclid(3600) * 3600 + 3599,
    );
    let plain: usize = events2(onset, a, b)
        .iter()
        .map(|e| e.message.len() + 1)
        .sum();
    plain as f64 * GZIP_RATIO
}

/// A simulated query execution.
#[derive(Debug, Clone)]
struct Execution {
    result: Result<(Vec<crate::model::flowlogs::ResultRow>, QueryStats), String>,
    ddl: bool,
    polls: u32,
    stopped: bool,
}

/// The demo's catalog and query executions.
#[derive(Debug, Default)]
pub struct DemoAthena {
    tables: Mutex<Vec<AthenaTable>>,
    executions: Mutex<HashMap<String, Execution>>,
    next: AtomicU64,
    /// StopQueryExecution calls (tests read it).
    pub stops: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn unquote(s: &str) -> String {
    s.trim()
        .trim_matches(|c| c == '`' || c == '"' || c == '\'')
        .to_string()
}

/// Reads back a `CREATE EXTERNAL TABLE` as grayscope writes it.
pub fn table_from_ddl(ddl: &str) -> Result<AthenaTable, String> {
    let head = ddl.lines().next().unwrap_or_default();
    let name = head
        .split_whitespace()
        .find(|w| w.contains('.') && w.starts_with('`'))
        .ok_or("line 1:1: no table name")?;
    let (db, table) = name.split_once('.').ok_or("line 1:1: no database")?;
    let mut t = AthenaTable {
        catalog: DEFAULT_CATALOG.into(),
        database: unquote(db),
        name: unquote(table),
        ..AthenaTable::default()
    };
    let mut in_columns = true;
    for line in ddl.lines().skip(1) {
        let l = line.trim().trim_end_matches(',');
        if l == ")" {
            in_columns = false;
            continue;
        }
        if in_columns {
            if let Some((c, ty)) = l.split_once(' ') {
                t.columns.push((unquote(c), ty.trim().to_string()));
            }
        } else if let Some(keys) = l.strip_prefix("PARTITIONED BY (") {
            for k in keys.trim_end_matches(')').split(',') {
                if let Some((c, ty)) = k.trim().split_once(' ') {
                    t.partition_keys.push((unquote(c), ty.to_string()));
                }
            }
        } else if let Some(loc) = l.strip_prefix("LOCATION ") {
            t.parameters.insert("location".into(), unquote(loc));
        } else if let Some((k, v)) = l.split_once(" = ") {
            t.parameters.insert(unquote(k), unquote(v));
        }
    }
    Ok(t)
}

/// `"srcaddr" = '10.0.0.1'` and `"dstport" = 22` conditions of a WHERE clause.
fn equalities(sql: &str) -> Vec<(String, String)> {
    let re = regex_lite::Regex::new(r#""([a-z_]+)" = ('(?:[^']|'')*'|[0-9]+)"#).ok();
    re.map(|re| {
        re.captures_iter(sql)
            .map(|c| (c[1].to_string(), unquote(&c[2]).replace("''", "'")))
            .collect()
    })
    .unwrap_or_default()
}

fn between(sql: &str) -> Option<(i64, i64)> {
    let re = regex_lite::Regex::new(r#""start" BETWEEN ([0-9]+) AND ([0-9]+)"#).ok()?;
    let c = re.captures(sql)?;
    Some((c[1].parse().ok()?, c[2].parse().ok()?))
}

fn default_parse() -> String {
    let names: Vec<String> = LogFormat::default()
        .fields
        .iter()
        .map(|f| crate::model::flowlogs::insights_name(f))
        .collect();
    format!(
        "parse @message \"{}\" as {}",
        vec!["*"; names.len()].join(" "),
        names.join(", ")
    )
}

impl DemoBackend {
    fn athena_tables(&self) -> Vec<AthenaTable> {
        lock(&self.athena.tables).clone()
    }

    /// Answers `sql` at once (the polls only reveal it).
    fn execute(
        &self,
        sql: &str,
    ) -> (
        Result<(Vec<crate::model::flowlogs::ResultRow>, QueryStats), String>,
        bool,
    ) {
        let upper = sql.trim_start().to_ascii_uppercase();
        if upper.starts_with("CREATE EXTERNAL TABLE") {
            return match table_from_ddl(sql) {
                Ok(t) => {
                    let mut all = lock(&self.athena.tables);
                    all.retain(|x| x.name != t.name);
                    all.push(t);
                    (Ok((Vec::new(), QueryStats::default())), true)
                }
                Err(e) => (Err(e), true),
            };
        }
        if upper.starts_with("DROP TABLE") {
            let name = sql.split('.').next_back().map(unquote).unwrap_or_default();
            lock(&self.athena.tables).retain(|t| t.name != name);
            return (Ok((Vec::new(), QueryStats::default())), true);
        }
        if !upper.starts_with("SELECT") {
            let word = sql.split_whitespace().next().unwrap_or("");
            return (
                Err(format!(
                    "line 1:1: mismatched input '{word}'. Expecting: 'SELECT', 'WITH', 'CREATE', 'DROP'"
                )),
                false,
            );
        }
        let tables = self.athena_tables();
        let Some(table) = tables.iter().find(|t| sql.contains(&t.qualified())) else {
            return (
                Err("TABLE_NOT_FOUND: line 2:6: the demo's catalog has no such table (create it from the pane)".into()),
                false,
            );
        };
        let Some((start, end)) = between(sql) else {
            return (
                Err("the demo's Athena answers grayscope's own tally and records queries (they bound \"start\")".into()),
                false,
            );
        };
        let pruned = !table.scans_everything()
            && table
                .partition_keys
                .iter()
                .any(|(k, _)| sql.contains(&format!("\"{k}\"")));
        let hourly = table.partition_keys.iter().any(|(k, _)| k == "hour")
            || table.parameters.values().any(|v| v.contains("HH"));
        let scanned = if pruned {
            if hourly {
                stored_bytes(self.onset, start, end)
            } else {
                let day = |t: i64| t.div_euclid(86_400) * 86_400;
                stored_bytes(self.onset, day(start), day(end) + 86_399)
            }
        } else {
            // The whole bucket: an average day of it, times the days it holds.
            let day = end.div_euclid(86_400) * 86_400;
            stored_bytes(self.onset, day - 86_400, day - 1) * RETENTION_DAYS
        };
        let mut filters = vec!["action = \"REJECT\"".to_string()];
        for (col, v) in equalities(sql) {
            let name = match col.as_str() {
                "srcaddr" => "srcAddr",
                "dstaddr" => "dstAddr",
                "dstport" => "dstPort",
                "protocol" => "protocol",
                "interface_id" => "interfaceId",
                _ => continue,
            };
            if v.chars().all(|c| c.is_ascii_digit()) {
                filters.push(format!("{name} = {v}"));
            } else {
                filters.push(format!("{name} = \"{v}\""));
            }
        }
        let limit = sql
            .rsplit("LIMIT ")
            .next()
            .and_then(|l| l.trim().parse::<usize>().ok());
        let query = if sql.contains("count(*)") {
            format!(
                "{}\n| filter {}\n| stats count(*) as rejects, sum(bytes) as rejectedBytes by srcAddr, dstAddr, dstPort, protocol, interfaceId\n| sort rejects desc",
                default_parse(),
                filters.join(" and ")
            )
        } else if sql.contains("\"@message\"") {
            format!(
                "{}\n| filter {}\n| fields @timestamp, @message\n| sort @timestamp desc",
                default_parse(),
                filters.join(" and ")
            )
        } else {
            return (
                Err(
                    "the demo's Athena answers grayscope's own tally and records queries only"
                        .into(),
                ),
                false,
            );
        };
        let result = run_events(events2(self.onset, start, end), start, &query, limit)
            .map(|(rows, mut stats)| {
                let rows = rows
                    .into_iter()
                    .map(|r| r.into_iter().filter(|(k, _)| k != "@ptr").collect())
                    .collect();
                stats.bytes_scanned = scanned.round();
                stats.records_scanned = 0.0;
                (rows, stats)
            })
            .map_err(|e| e.to_string());
        (result, false)
    }

    pub(super) fn demo_workgroup(&self) -> Workgroup {
        Workgroup {
            name: WORKGROUP.into(),
            state: "ENABLED".into(),
            output_location: Some(OUTPUT.into()),
            managed_results: false,
            bytes_cutoff: None,
        }
    }

    pub(super) fn demo_tables(&self) -> Vec<AthenaTable> {
        self.athena_tables()
            .into_iter()
            .filter(|t| t.database == DEFAULT_DATABASE)
            .collect()
    }

    pub(super) fn demo_table(&self, name: &str) -> Result<AthenaTable, BackendError> {
        self.demo_tables()
            .into_iter()
            .find(|t| t.name == name)
            .ok_or_else(|| BackendError::Service {
                operation: "GetTableMetadata".into(),
                code: "MetadataException".into(),
                message: format!("EntityNotFoundException: Table {name} not found."),
            })
    }

    pub(super) fn demo_start(&self, sql: &str) -> Result<String, BackendError> {
        let (result, ddl) = self.execute(sql);
        let n = self.athena.next.fetch_add(1, Ordering::Relaxed);
        let id = format!("demo-athena-{n:04}-5e1e-4c7a-b1e0-da7a1a4e5e2c");
        lock(&self.athena.executions).insert(
            id.clone(),
            Execution {
                result,
                ddl,
                polls: 0,
                stopped: false,
            },
        );
        tracing::info!(query_execution_id = %id, "demo StartQueryExecution");
        Ok(id)
    }

    pub(super) fn demo_results(&self, id: &str) -> Result<QueryPage, BackendError> {
        let mut all = lock(&self.athena.executions);
        let Some(q) = all.get_mut(id) else {
            return Err(BackendError::Service {
                operation: "GetQueryExecution".into(),
                code: "InvalidRequestException".into(),
                message: format!("QueryExecution {id} was not found"),
            });
        };
        q.polls += 1;
        let polls = if q.ddl { 2 } else { POLLS_TO_SUCCEED };
        let full = match &q.result {
            Ok((_, s)) => *s,
            Err(_) => QueryStats::default(),
        };
        let part = |f: f64| QueryStats {
            bytes_scanned: (full.bytes_scanned * f).round(),
            queued_ms: 180.0,
            engine_ms: 700.0 * f * polls as f64,
            ..QueryStats::default()
        };
        let page = |status, stats, rows, message| QueryPage {
            status,
            rows,
            stats,
            message,
        };
        Ok(match (&q.result, q.polls) {
            _ if q.stopped => page(
                QueryStatus::Cancelled,
                part(0.5),
                Vec::new(),
                Some("Query was cancelled by the user".into()),
            ),
            (_, 1) => page(QueryStatus::Scheduled, part(0.0), Vec::new(), None),
            (Ok(_), p) if p < polls => page(
                QueryStatus::Running,
                part(p as f64 / polls as f64),
                Vec::new(),
                None,
            ),
            (Ok((rows, stats)), _) => {
                let mut s = *stats;
                s.queued_ms = 180.0;
                s.engine_ms = 700.0 * polls as f64;
                s.records_matched = rows.len() as f64;
                page(QueryStatus::Complete, s, rows.clone(), None)
            }
            (Err(m), _) => page(
                QueryStatus::Failed,
                part(0.0),
                Vec::new(),
                Some(crate::model::athena::explain_failure(m)),
            ),
        })
    }

    pub(super) fn demo_stop(&self, id: &str) -> bool {
        self.athena.stops.fetch_add(1, Ordering::Relaxed);
        let mut all = lock(&self.athena.executions);
        let running = match all.get_mut(id) {
            Some(q) if !q.stopped && q.polls < POLLS_TO_SUCCEED => {
                q.stopped = true;
                true
            }
            _ => false,
        };
        tracing::info!(
            query_execution_id = id,
            running,
            "demo StopQueryExecution {id}"
        );
        running
    }

    /// StopQueryExecution calls so far.
    pub fn athena_stops(&self) -> u64 {
        self.athena.stops.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests;
