//! Flow logs delivered to S3, queried in place with Amazon Athena, purely: where a flow
//! log delivers (bucket, prefix, file format, Hive-style and per-hour partitions), the
//! table over that location (found or to create, with partition projection on the
//! delivery path's date and hour), the partition predicates that restrict a query to a
//! window, the SQL of the REJECT tally and of the records behind a row, what a scan
//! costs, and Athena's failures in words.
//!
//! The SQL answers with the same column names as the Logs Insights queries
//! (`srcAddr`, `rejects`, `@message`, ...), so the pane's tallies, pivots, zone
//! attribution and drill-downs are the same whichever engine answered.

use crate::model::flowlogs::{LogFormat, Pivot, TALLY_LIMIT, TallyKey};
use chrono::{DateTime, Duration, DurationRound, NaiveDate, Timelike, Utc};
use std::collections::BTreeMap;

/// What Athena charges per TB scanned (US East list price, SQL queries).
pub const USD_PER_TB_SCANNED: f64 = 5.0;
/// Athena bills at least 10 MB per query...
pub const MIN_BILLED_BYTES: f64 = 10.0 * MB;
/// ... and rounds the bytes scanned up to the next MB.
pub const MB: f64 = 1024.0 * 1024.0;
pub const TB: f64 = 1024.0 * 1024.0 * 1024.0 * 1024.0;
/// The catalog Athena uses for the Glue Data Catalog.
pub const DEFAULT_CATALOG: &str = "AwsDataCatalog";
pub const DEFAULT_DATABASE: &str = "default";
pub const DEFAULT_WORKGROUP: &str = "primary";
/// The first day the projected partitions of a created table enumerate (queries name
/// their days, so the range only bounds what a query without predicates would read).
pub const PROJECTION_FROM: &str = "2020/01/01";

/// What a flow log writes into S3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FileFormat {
    /// Gzipped text, space-separated, with a header line.
    #[default]
    Text,
    Parquet,
}

impl FileFormat {
    pub fn parse(s: &str) -> Self {
        if s.eq_ignore_ascii_case("parquet") {
            FileFormat::Parquet
        } else {
            FileFormat::Text
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FileFormat::Text => "plain text",
            FileFormat::Parquet => "Parquet",
        }
    }
}

/// A flow log's S3 destination as DescribeFlowLogs reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct S3Delivery {
    pub bucket: String,
    /// Without leading or trailing slash; may be empty.
    pub prefix: String,
    pub file_format: FileFormat,
    /// `aws-account-id=.../year=2026/...` instead of `.../2026/...`.
    pub hive: bool,
    /// One folder per hour under the day.
    pub per_hour: bool,
    /// The account that delivers (the path names it); `None` when unknown.
    pub account_id: Option<String>,
    pub region: Option<String>,
}

impl S3Delivery {
    /// Reads `arn:aws:s3:::bucket/prefix` (or `s3://bucket/prefix`).
    pub fn from_destination(dest: &str) -> Option<Self> {
        let rest = dest.strip_prefix("s3://").or_else(|| {
            dest.split(":::")
                .nth(1)
                .filter(|_| dest.starts_with("arn:"))
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return None;
        }
        Some(Self {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            ..Self::default()
        })
    }

    /// `s3://bucket/prefix/`: where the flow log delivers.
    pub fn location(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}/", self.bucket)
        } else {
            format!("s3://{}/{}/", self.bucket, self.prefix)
        }
    }

    /// The folder holding this account's records in this region, above the dates:
    /// `.../AWSLogs/<account>/vpcflowlogs/<region>/` (Hive: `aws-account-id=<account>/
    /// aws-service=vpcflowlogs/aws-region=<region>/`).
    pub fn logs_root(&self) -> Option<String> {
        let account = self.account_id.as_deref()?;
        let region = self.region.as_deref()?;
        Some(if self.hive {
            format!(
                "{}AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/",
                self.location()
            )
        } else {
            format!("{}AWSLogs/{account}/vpcflowlogs/{region}/", self.location())
        })
    }

    /// In words, for the pane: `s3://b/p/ · Parquet · Hive partitions · per hour`.
    pub fn describe(&self) -> String {
        let mut parts = vec![self.location(), self.file_format.label().to_string()];
        if self.hive {
            parts.push("Hive partitions".into());
        }
        if self.per_hour {
            parts.push("per hour".into());
        }
        parts.join(" · ")
    }
}

/// A table in the catalog as GetTableMetadata / ListTableMetadata report it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AthenaTable {
    pub catalog: String,
    pub database: String,
    pub name: String,
    /// Columns (name, type), partition keys excluded.
    pub columns: Vec<(String, String)>,
    pub partition_keys: Vec<(String, String)>,
    /// Table properties (`location`, `projection.*`, `storage.location.template`, ...).
    pub parameters: BTreeMap<String, String>,
}

/// How a table's partitions map to dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partitioning {
    /// No partition key: every query reads the whole location.
    None,
    /// One key whose values are formatted dates (`day` = `2026/11/30`, or with the hour
    /// `2026/11/30/05`), the format in Java's pattern letters as projection takes it.
    DatePath { key: String, format: String },
    /// One key each for the year, month, day and (per hour) hour; `numeric` when the keys
    /// are integers rather than strings.
    Parts {
        year: String,
        month: String,
        day: String,
        hour: Option<String>,
        numeric: bool,
    },
    /// Keys grayscope cannot tie to dates.
    Unknown(Vec<String>),
}

impl AthenaTable {
    /// `s3://...` where the table reads (the `location` the catalog reports).
    pub fn location(&self) -> Option<&str> {
        self.parameters.get("location").map(String::as_str)
    }

    /// `"catalog"."db"."table"`, quoted for a query.
    pub fn qualified(&self) -> String {
        format!(
            "{}.{}.{}",
            quote(&self.catalog),
            quote(&self.database),
            quote(&self.name)
        )
    }

    pub fn projected(&self) -> bool {
        self.parameters
            .get("projection.enabled")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    pub fn has_column(&self, column: &str) -> bool {
        self.columns
            .iter()
            .any(|(c, _)| c.eq_ignore_ascii_case(column))
    }

    /// The flow-log format the table's columns hold, in the table's column order
    /// (columns that are no flow-log field are left out).
    pub fn log_format(&self) -> LogFormat {
        LogFormat {
            fields: self
                .columns
                .iter()
                .map(|(c, _)| c.to_ascii_lowercase().replace('_', "-"))
                .filter(|f| {
                    crate::model::flowlogs::KNOWN_FIELDS
                        .iter()
                        .any(|(k, _)| k == f)
                })
                .collect(),
        }
    }

    /// How the partition keys map to dates (from their names, types and projection).
    pub fn partitioning(&self) -> Partitioning {
        if self.partition_keys.is_empty() {
            return Partitioning::None;
        }
        let find = |names: &[&str]| {
            self.partition_keys
                .iter()
                .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        };
        if let (Some(y), Some(m), Some(d)) = (find(&["year"]), find(&["month"]), find(&["day"])) {
            let numeric = is_integer_type(&y.1);
            return Partitioning::Parts {
                year: y.0.clone(),
                month: m.0.clone(),
                day: d.0.clone(),
                hour: find(&["hour"]).map(|h| h.0.clone()),
                numeric,
            };
        }
        for (key, _) in &self.partition_keys {
            let format = self.parameters.get(&format!("projection.{key}.format"));
            let date = self
                .parameters
                .get(&format!("projection.{key}.type"))
                .is_some_and(|t| t == "date");
            if date && let Some(f) = format {
                return Partitioning::DatePath {
                    key: key.clone(),
                    format: f.clone(),
                };
            }
        }
        // Unprojected keys named like dates, in the path's own form.
        if let Some((key, _)) = find(&["day", "date", "dt"]) {
            return Partitioning::DatePath {
                key: key.clone(),
                format: "yyyy/MM/dd".into(),
            };
        }
        Partitioning::Unknown(self.partition_keys.iter().map(|(k, _)| k.clone()).collect())
    }

    /// Whether a query cannot be restricted to a window's partitions: it reads every
    /// object under the location.
    pub fn scans_everything(&self) -> bool {
        matches!(
            self.partitioning(),
            Partitioning::None | Partitioning::Unknown(_)
        )
    }

    /// Whether this table reads the records `d` delivers.
    pub fn reads(&self, d: &S3Delivery) -> bool {
        self.location().is_some_and(|l| location_matches(l, d))
    }
}

fn is_integer_type(t: &str) -> bool {
    matches!(
        t.to_ascii_lowercase().as_str(),
        "int" | "integer" | "bigint" | "smallint" | "tinyint"
    )
}

/// Whether a table location reads a delivery: the same bucket, and one path inside
/// the other (a table over `prefix/AWSLogs/<account>/vpcflowlogs/<region>/` reads a
/// flow log delivering to `prefix/`; one over the bucket reads everything in it).
pub fn location_matches(table_location: &str, d: &S3Delivery) -> bool {
    let norm = |s: &str| {
        let s = s
            .trim()
            .replacen("s3a://", "s3://", 1)
            .replacen("s3n://", "s3://", 1);
        if s.ends_with('/') { s } else { format!("{s}/") }
    };
    let table = norm(table_location);
    let delivery = d.location();
    if !(table.starts_with(&delivery) || delivery.starts_with(&table)) {
        return false;
    }
    // Below the delivery: it must be this account's and region's folder when known.
    let below = &table[delivery.len().min(table.len())..];
    let mut segments = below.split('/').filter(|s| !s.is_empty());
    if segments.next().is_some_and(|s| s != "AWSLogs") && !below.is_empty() {
        return false;
    }
    let account_ok = match (&d.account_id, segments.next()) {
        (Some(a), Some(seg)) => seg == a || seg == format!("aws-account-id={a}"),
        _ => true,
    };
    let region_ok = match (&d.region, segments.nth(1)) {
        (Some(r), Some(seg)) => seg == r || seg == format!("aws-region={r}"),
        _ => true,
    };
    account_ok && region_ok
}

/// An identifier quoted for a query (`"end"`, `"my""db"`).
pub fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// A string literal (`'10.0.0.1'`, `'it''s'`).
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A flow-log field's column name: `interface-id` -> `interface_id`.
pub fn column_name(field: &str) -> String {
    field.replace('-', "_")
}

/// A flow-log field's column type (as the Parquet files carry it; text reads the same).
pub fn column_type(field: &str) -> &'static str {
    match field {
        "version" | "srcport" | "dstport" | "protocol" | "tcp-flags" | "traffic-path" => "int",
        "packets" | "bytes" | "start" | "end" => "bigint",
        _ => "string",
    }
}

/// The name grayscope gives a table it creates for a flow log: `vpc_flow_logs_fl_0abc`.
pub fn table_name_for(flow_log_id: &str) -> String {
    let id: String = flow_log_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("vpc_flow_logs_{id}")
}

/// Names with their values (columns with types, properties with values).
type Pairs = Vec<(String, String)>;

/// The partition keys and projection properties of a table created over `d`.
fn projection(d: &S3Delivery, root: &str) -> (Pairs, Pairs) {
    let mut props: Vec<(String, String)> = vec![("projection.enabled".into(), "true".into())];
    let p = |k: &str, v: &str| (k.to_string(), v.to_string());
    if d.hive {
        let mut keys = vec!["year", "month", "day"];
        if d.per_hour {
            keys.push("hour");
        }
        let ranges = [
            ("year", "2020,2100", None),
            ("month", "1,12", Some("2")),
            ("day", "1,31", Some("2")),
            ("hour", "0,23", Some("2")),
        ];
        for (k, range, digits) in ranges.iter().filter(|(k, _, _)| keys.contains(k)) {
            props.push(p(&format!("projection.{k}.type"), "integer"));
            props.push(p(&format!("projection.{k}.range"), range));
            if let Some(dg) = digits {
                props.push(p(&format!("projection.{k}.digits"), dg));
            }
        }
        let path: Vec<String> = keys.iter().map(|k| format!("{k}=${{{k}}}")).collect();
        props.push(p(
            "storage.location.template",
            &format!("{root}{}", path.join("/")),
        ));
        (
            keys.iter()
                .map(|k| (k.to_string(), "string".into()))
                .collect(),
            props,
        )
    } else {
        let (key, format, unit) = if d.per_hour {
            ("hour", "yyyy/MM/dd/HH", "HOURS")
        } else {
            ("day", "yyyy/MM/dd", "DAYS")
        };
        let from = if d.per_hour {
            format!("{PROJECTION_FROM}/00")
        } else {
            PROJECTION_FROM.to_string()
        };
        props.push(p(&format!("projection.{key}.type"), "date"));
        props.push(p(&format!("projection.{key}.format"), format));
        props.push(p(
            &format!("projection.{key}.range"),
            &format!("{from},NOW"),
        ));
        props.push(p(&format!("projection.{key}.interval"), "1"));
        props.push(p(&format!("projection.{key}.interval.unit"), unit));
        props.push(p("storage.location.template", &format!("{root}${{{key}}}")));
        (vec![(key.to_string(), "string".into())], props)
    }
}

/// The exact `CREATE EXTERNAL TABLE` grayscope offers for a flow log: its columns from
/// the flow log's own format, partitions projected on the delivery path's date (and
/// hour), so that no crawler or MSCK REPAIR is ever needed.
pub fn create_table_ddl(
    database: &str,
    table: &str,
    format: &LogFormat,
    d: &S3Delivery,
) -> Result<String, String> {
    let root = d.logs_root().ok_or_else(|| {
        "the account or region of the delivery path is unknown: cannot place the table".to_string()
    })?;
    let bt = |s: &str| format!("`{}`", s.replace('`', ""));
    let columns: Vec<String> = format
        .fields
        .iter()
        .map(|f| format!("  {} {}", bt(&column_name(f)), column_type(f)))
        .collect();
    let (keys, props) = projection(d, &root);
    let keys: Vec<String> = keys.iter().map(|(k, t)| format!("{} {t}", bt(k))).collect();
    let mut out = format!(
        "CREATE EXTERNAL TABLE IF NOT EXISTS {}.{} (\n{}\n)\nPARTITIONED BY ({})\n",
        bt(database),
        bt(table),
        columns.join(",\n"),
        keys.join(", ")
    );
    let mut all_props = Vec::new();
    match d.file_format {
        FileFormat::Text => {
            out.push_str("ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '\n");
            all_props.push(("skip.header.line.count".to_string(), "1".to_string()));
        }
        FileFormat::Parquet => out.push_str("STORED AS PARQUET\n"),
    }
    out.push_str(&format!("LOCATION {}\n", literal(&root)));
    all_props.extend(props);
    let props: Vec<String> = all_props
        .iter()
        .map(|(k, v)| format!("  {} = {}", literal(k), literal(v)))
        .collect();
    out.push_str(&format!("TBLPROPERTIES (\n{}\n)", props.join(",\n")));
    Ok(out)
}

/// A Java date pattern (`yyyy/MM/dd`, `'dt='yyyy-MM-dd-HH`) as chrono's.
fn java_to_strftime(java: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = java.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                out.push(chars[i]);
                i += 1;
            }
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|x| **x == c).count();
        let spec = match c {
            'y' | 'u' => Some("%Y"),
            'M' => Some("%m"),
            'd' => Some("%d"),
            'H' => Some("%H"),
            _ => None,
        };
        match spec {
            Some(s) => out.push_str(s),
            None => out.extend(std::iter::repeat_n(c, run)),
        }
        i += run;
    }
    out
}

/// The hours (truncated) the window `start..=end` touches, in UTC.
fn hours(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let Ok(mut h) = start.duration_trunc(Duration::hours(1)) else {
        return out;
    };
    while h <= end {
        out.push(h);
        h += Duration::hours(1);
    }
    out
}

/// The days (UTC) the window touches.
fn days(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<NaiveDate> {
    let mut out: Vec<NaiveDate> = Vec::new();
    let mut d = start.date_naive();
    while d <= end.date_naive() {
        out.push(d);
        d = d.succ_opt().unwrap_or(d);
        if out.last() == Some(&d) {
            break;
        }
    }
    out
}

/// The predicate that restricts a query to the partitions holding `start..=end`
/// (UTC days, or hours when the partitions are hourly); `None` when the table's
/// partitions cannot be tied to dates.
pub fn partition_predicate(
    p: &Partitioning,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Option<String> {
    match p {
        Partitioning::None | Partitioning::Unknown(_) => None,
        Partitioning::DatePath { key, format } => {
            let f = java_to_strftime(format);
            let mut values: Vec<String> = if format.contains('H') {
                hours(start, end)
                    .iter()
                    .map(|h| h.format(&f).to_string())
                    .collect()
            } else {
                days(start, end)
                    .iter()
                    .map(|d| d.format(&f).to_string())
                    .collect()
            };
            values.dedup();
            let values: Vec<String> = values.iter().map(|v| literal(v)).collect();
            Some(if values.len() == 1 {
                format!("{} = {}", quote(key), values[0])
            } else {
                format!("{} IN ({})", quote(key), values.join(", "))
            })
        }
        Partitioning::Parts {
            year,
            month,
            day,
            hour,
            numeric,
        } => {
            let v = |n: u32, width: usize| {
                if *numeric {
                    n.to_string()
                } else {
                    literal(&format!("{n:0width$}"))
                }
            };
            let mut by_day: Vec<(NaiveDate, Vec<u32>)> = Vec::new();
            for h in hours(start, end) {
                let d = h.date_naive();
                match by_day.last_mut() {
                    Some((last, hs)) if *last == d => hs.push(h.hour()),
                    _ => by_day.push((d, vec![h.hour()])),
                }
            }
            let terms: Vec<String> = by_day
                .iter()
                .map(|(d, hs)| {
                    use chrono::Datelike;
                    let mut t = format!(
                        "{} = {} AND {} = {} AND {} = {}",
                        quote(year),
                        v(d.year() as u32, 4),
                        quote(month),
                        v(d.month(), 2),
                        quote(day),
                        v(d.day(), 2)
                    );
                    if let Some(hk) = hour
                        && hs.len() < 24
                    {
                        let list: Vec<String> = hs.iter().map(|h| v(*h, 2)).collect();
                        if list.len() == 1 {
                            t.push_str(&format!(" AND {} = {}", quote(hk), list[0]));
                        } else {
                            t.push_str(&format!(" AND {} IN ({})", quote(hk), list.join(", ")));
                        }
                    }
                    format!("({t})")
                })
                .collect();
            Some(if terms.len() == 1 {
                terms[0].clone()
            } else {
                format!("({})", terms.join(" OR "))
            })
        }
    }
}

/// The WHERE clause every query of the window carries: the partitions (pruned by the
/// projection), then the records whose `start` falls in the window (inclusive, epoch
/// seconds: adjacent ranges count each record once), then REJECTs.
pub fn window_where(table: &AthenaTable, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let mut conds: Vec<String> = partition_predicate(&table.partitioning(), start, end)
        .into_iter()
        .collect();
    if table.has_column("start") {
        conds.push(format!(
            "{} BETWEEN {} AND {}",
            quote("start"),
            start.timestamp(),
            end.timestamp()
        ));
    }
    conds.push(format!("{} = 'REJECT'", quote("action")));
    conds.join("\n  AND ")
}

/// The tally columns: (flow-log field, the name the pane reads).
const TALLY_BY: [(&str, &str); 5] = [
    ("srcaddr", "srcAddr"),
    ("dstaddr", "dstAddr"),
    ("dstport", "dstPort"),
    ("protocol", "protocol"),
    ("interface-id", "interfaceId"),
];

/// The REJECT tally over `start..=end`: counts (and bytes) by source, destination,
/// port, protocol and interface, most first; the same columns Logs Insights answers.
pub fn tally_sql(table: &AthenaTable, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let by: Vec<(&str, &str)> = TALLY_BY
        .iter()
        .filter(|(f, _)| table.has_column(&column_name(f)))
        .copied()
        .collect();
    let mut select: Vec<String> = by
        .iter()
        .map(|(f, n)| format!("{} AS {}", quote(&column_name(f)), quote(n)))
        .collect();
    select.push(format!("count(*) AS {}", quote("rejects")));
    if table.has_column("bytes") {
        select.push(format!(
            "sum({}) AS {}",
            quote("bytes"),
            quote("rejectedBytes")
        ));
    }
    let group: Vec<String> = (1..=by.len()).map(|i| i.to_string()).collect();
    format!(
        "SELECT {}\nFROM {}\nWHERE {}\nGROUP BY {}\nORDER BY {} DESC\nLIMIT {TALLY_LIMIT}",
        select.join(", "),
        table.qualified(),
        window_where(table, start, end),
        group.join(", "),
        quote("rejects"),
    )
}

/// The raw records behind a row (Enter), newest first, as `@timestamp` and
/// `@message` (the record's fields in its format's order, `-` for nulls) so the
/// record parser reads them as it reads Logs Insights' answer. The row's key filters
/// as the Insights records query does for the same pivot.
pub fn records_sql(
    table: &AthenaTable,
    key: &TallyKey,
    pivot: Pivot,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    limit: usize,
) -> String {
    let format = table.log_format();
    let fields: Vec<String> = format
        .fields
        .iter()
        .map(|f| format!("coalesce(CAST({} AS varchar), '-')", quote(&column_name(f))))
        .collect();
    let eq = |col: &str, v: String| format!("{} = {v}", quote(col));
    let src = eq("srcaddr", literal(&key.src));
    let dst = eq("dstaddr", literal(&key.dst));
    let port = key.dst_port.map(|p| eq("dstport", p.to_string()));
    let proto = key.protocol.map(|p| eq("protocol", p.to_string()));
    let mut conds = vec![window_where(table, start, end)];
    match pivot {
        Pivot::Source => conds.push(src),
        Pivot::Destination => conds.push(dst),
        Pivot::Port => conds.extend(port.into_iter().chain(proto)),
        Pivot::Interface => match &key.interface {
            Some(i) => conds.push(eq("interface_id", literal(i))),
            None => conds.extend([src, dst]),
        },
        Pivot::Pair | Pivot::Subnet | Pivot::Zone => {
            conds.extend([src, dst].into_iter().chain(port).chain(proto))
        }
    }
    let time = if table.has_column("start") {
        format!(
            "format_datetime(from_unixtime({}), 'yyyy-MM-dd HH:mm:ss')",
            quote("start")
        )
    } else {
        "''".to_string()
    };
    let order = if table.has_column("start") {
        format!("\nORDER BY {} DESC", quote("start"))
    } else {
        String::new()
    };
    format!(
        "SELECT {time} AS {}, concat_ws(' ', {}) AS {}\nFROM {}\nWHERE {}{order}\nLIMIT {limit}",
        quote("@timestamp"),
        fields.join(", "),
        quote("@message"),
        table.qualified(),
        conds.join("\n  AND "),
    )
}

/// Names the pane reads, whatever case Athena gives back a column label in.
const RESULT_NAMES: [&str; 9] = [
    "srcAddr",
    "dstAddr",
    "dstPort",
    "protocol",
    "interfaceId",
    "rejects",
    "rejectedBytes",
    "@timestamp",
    "@message",
];

/// A result column's name as the pane reads it (`srcaddr` -> `srcAddr`); other names
/// as they are.
pub fn result_field(label: &str) -> String {
    RESULT_NAMES
        .iter()
        .find(|n| n.eq_ignore_ascii_case(label))
        .map(|n| n.to_string())
        .unwrap_or_else(|| label.to_string())
}

/// Bytes Athena bills for a query that scanned `bytes`: rounded up to the MB, at least
/// 10 MB.
pub fn billed_bytes(bytes: f64) -> f64 {
    ((bytes.max(0.0) / MB).ceil() * MB).max(MIN_BILLED_BYTES)
}

/// What a query that scanned `bytes` costs, in US dollars.
pub fn cost_usd(bytes: f64) -> f64 {
    billed_bytes(bytes) / TB * USD_PER_TB_SCANNED
}

/// The words of Athena's failure reason (a query that ended FAILED, or an error of a
/// call), with the IAM action the message names when it is a permission problem.
pub fn explain_failure(reason: &str) -> String {
    let r = reason.trim();
    let lower = r.to_ascii_lowercase();
    // The action as the message spells it (`glue:GetTable`); lowercasing ASCII keeps
    // byte offsets, so the offset found in `lower` points into `r`.
    let action = lower
        .find("perform: ")
        .and_then(|i| r[i + "perform: ".len()..].split_whitespace().next())
        .map(|a| a.trim_end_matches([',', '.', ';']).to_string());
    if let Some(a) = action.filter(|a| a.contains(':')) {
        let service = a.split(':').next().unwrap_or_default().to_ascii_lowercase();
        let what = if service == "glue" {
            "the Glue Data Catalog"
        } else if service == "athena" {
            "the workgroup"
        } else if service == "s3" {
            "the bucket"
        } else if service == "kms" {
            "the bucket's KMS key"
        } else {
            "a resource"
        };
        return format!("access denied on {what}: the IAM policy needs {a} ({r})");
    }
    if lower.contains("output location") || lower.contains("outputlocation") {
        return format!(
            "the workgroup has no query result location: set one on the workgroup (or enable managed query results), or pick another with --athena-workgroup ({r})"
        );
    }
    if lower.contains("writing to location") || lower.contains("unable to verify/create output") {
        return format!(
            "cannot write query results: the IAM policy needs s3:PutObject and s3:GetBucketLocation on the workgroup's result location ({r})"
        );
    }
    if (lower.contains("permission denied") || lower.contains("access denied"))
        && lower.contains("s3")
    {
        return format!(
            "access denied on the bucket: the IAM policy needs s3:GetObject and s3:ListBucket on the flow-log bucket (and kms:Decrypt when it is KMS-encrypted) ({r})"
        );
    }
    if lower.contains("syntax_error")
        || lower.contains("mismatched input")
        || lower.contains("line 1:")
        || lower.contains("column_not_found")
        || lower.contains("cannot be resolved")
    {
        return format!("Athena cannot run the query: {r}");
    }
    if lower.contains("table_not_found") || lower.contains("does not exist") {
        return format!("the table is gone from the catalog: {r}");
    }
    r.to_string()
}

#[cfg(test)]
mod tests;
