use super::*;
use chrono::TimeZone;
use proptest::prelude::*;

fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn delivery(format: FileFormat, hive: bool, per_hour: bool) -> S3Delivery {
    S3Delivery {
        file_format: format,
        hive,
        per_hour,
        account_id: Some("123456789012".into()),
        region: Some("us-east-1".into()),
        ..S3Delivery::from_destination("arn:aws:s3:::central-flow-logs/org/prod").unwrap()
    }
}

fn table(columns: &[&str], keys: &[(&str, &str)], params: &[(&str, &str)]) -> AthenaTable {
    AthenaTable {
        catalog: DEFAULT_CATALOG.into(),
        database: "flows".into(),
        name: "vpc_flow_logs".into(),
        columns: columns
            .iter()
            .map(|c| (c.to_string(), "string".to_string()))
            .collect(),
        partition_keys: keys
            .iter()
            .map(|(k, ty)| (k.to_string(), ty.to_string()))
            .collect(),
        parameters: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn default_columns() -> Vec<String> {
    LogFormat::default()
        .fields
        .iter()
        .map(|f| column_name(f))
        .collect()
}

fn day_table() -> AthenaTable {
    let cols = default_columns();
    let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
    table(
        &cols,
        &[("day", "string")],
        &[
            ("projection.enabled", "true"),
            ("projection.day.type", "date"),
            ("projection.day.format", "yyyy/MM/dd"),
            (
                "location",
                "s3://central-flow-logs/org/prod/AWSLogs/123456789012/vpcflowlogs/us-east-1/",
            ),
        ],
    )
}

#[test]
fn reads_the_s3_destination_arn() {
    let d = S3Delivery::from_destination("arn:aws:s3:::bucket/a/b/").unwrap();
    assert_eq!((d.bucket.as_str(), d.prefix.as_str()), ("bucket", "a/b"));
    assert_eq!(d.location(), "s3://bucket/a/b/");
    let d = S3Delivery::from_destination("arn:aws:s3:::bucket").unwrap();
    assert_eq!(d.location(), "s3://bucket/");
    assert!(S3Delivery::from_destination("arn:aws:logs:us-east-1:1:log-group:x").is_none());
    assert!(S3Delivery::from_destination("arn:aws:s3:::").is_none());
}

#[test]
fn describes_format_and_partitions() {
    let d = delivery(FileFormat::Parquet, true, true);
    assert_eq!(
        d.describe(),
        "s3://central-flow-logs/org/prod/ · Parquet · Hive partitions · per hour"
    );
    assert_eq!(
        delivery(FileFormat::Text, false, false).describe(),
        "s3://central-flow-logs/org/prod/ · plain text"
    );
}

#[test]
fn ddl_default_format_text_daily() {
    let ddl = create_table_ddl(
        "flows",
        "vpc_flow_logs_fl_1",
        &LogFormat::default(),
        &delivery(FileFormat::Text, false, false),
    )
    .unwrap();
    let expected = "CREATE EXTERNAL TABLE IF NOT EXISTS `flows`.`vpc_flow_logs_fl_1` (
  `version` int,
  `account_id` string,
  `interface_id` string,
  `srcaddr` string,
  `dstaddr` string,
  `srcport` int,
  `dstport` int,
  `protocol` int,
  `packets` bigint,
  `bytes` bigint,
  `start` bigint,
  `end` bigint,
  `action` string,
  `log_status` string
)
PARTITIONED BY (`day` string)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '
LOCATION 's3://central-flow-logs/org/prod/AWSLogs/123456789012/vpcflowlogs/us-east-1/'
TBLPROPERTIES (
  'skip.header.line.count' = '1',
  'projection.enabled' = 'true',
  'projection.day.type' = 'date',
  'projection.day.format' = 'yyyy/MM/dd',
  'projection.day.range' = '2020/01/01,NOW',
  'projection.day.interval' = '1',
  'projection.day.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://central-flow-logs/org/prod/AWSLogs/123456789012/vpcflowlogs/us-east-1/${day}'
)";
    assert_eq!(ddl, expected);
}

#[test]
fn ddl_custom_format_parquet_hive_per_hour() {
    let format =
        LogFormat::parse("${version} ${vpc-id} ${az-id} ${srcaddr} ${dstaddr} ${dstport} ${protocol} ${tcp-flags} ${action} ${start} ${pkt-src-aws-service}")
            .unwrap();
    let ddl = create_table_ddl(
        "flows",
        "t",
        &format,
        &delivery(FileFormat::Parquet, true, true),
    )
    .unwrap();
    assert!(
        ddl.contains("  `vpc_id` string,\n  `az_id` string,"),
        "{ddl}"
    );
    assert!(ddl.contains("`tcp_flags` int"), "{ddl}");
    assert!(ddl.contains("`pkt_src_aws_service` string\n)"), "{ddl}");
    assert!(
        ddl.contains("PARTITIONED BY (`year` string, `month` string, `day` string, `hour` string)\nSTORED AS PARQUET\n"),
        "{ddl}"
    );
    assert!(!ddl.contains("skip.header"), "Parquet has no header line");
    assert!(!ddl.contains("ROW FORMAT"));
    assert!(ddl.contains("LOCATION 's3://central-flow-logs/org/prod/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/'"));
    assert!(ddl.contains("'projection.month.digits' = '2'"));
    assert!(ddl.contains("'projection.hour.range' = '0,23'"));
    assert!(ddl.ends_with("'storage.location.template' = 's3://central-flow-logs/org/prod/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=${year}/month=${month}/day=${day}/hour=${hour}'\n)"), "{ddl}");
}

#[test]
fn ddl_text_per_hour_projects_one_hour_key() {
    let ddl = create_table_ddl(
        "flows",
        "t",
        &LogFormat::default(),
        &delivery(FileFormat::Text, false, true),
    )
    .unwrap();
    assert!(ddl.contains("PARTITIONED BY (`hour` string)"));
    assert!(ddl.contains("'projection.hour.format' = 'yyyy/MM/dd/HH'"));
    assert!(ddl.contains("'projection.hour.range' = '2020/01/01/00,NOW'"));
    assert!(ddl.contains("'projection.hour.interval.unit' = 'HOURS'"));
    assert!(ddl.contains("vpcflowlogs/us-east-1/${hour}'"));
}

#[test]
fn ddl_needs_the_account() {
    let mut d = delivery(FileFormat::Text, false, false);
    d.account_id = None;
    assert!(create_table_ddl("flows", "t", &LogFormat::default(), &d).is_err());
}

#[test]
fn a_created_table_is_read_back_as_the_same_partitioning() {
    for (hive, per_hour) in [(false, false), (false, true), (true, false), (true, true)] {
        let d = delivery(FileFormat::Text, hive, per_hour);
        let root = d.logs_root().unwrap();
        let (keys, props) = projection(&d, &root);
        let mut t = table(&["srcaddr"], &[], &[]);
        t.partition_keys = keys;
        t.parameters = props.into_iter().collect();
        t.parameters.insert("location".into(), root);
        assert!(t.projected() && !t.scans_everything(), "{hive} {per_hour}");
        assert!(t.reads(&d));
        let p = partition_predicate(&t.partitioning(), t0(), t0()).unwrap();
        let hourly = p.contains("05");
        assert_eq!(hourly, per_hour, "{p}");
    }
}

fn t0() -> DateTime<Utc> {
    t(2026, 11, 30, 5, 10)
}

#[test]
fn matches_tables_by_location() {
    let d = delivery(FileFormat::Text, false, false);
    let at = |l: &str| location_matches(l, &d);
    assert!(at(
        "s3://central-flow-logs/org/prod/AWSLogs/123456789012/vpcflowlogs/us-east-1/"
    ));
    assert!(at(
        "s3://central-flow-logs/org/prod/AWSLogs/123456789012/vpcflowlogs/us-east-1"
    ));
    assert!(at("s3://central-flow-logs/org/prod/"));
    assert!(
        at("s3://central-flow-logs/"),
        "a table over the whole bucket"
    );
    assert!(!at(
        "s3://central-flow-logs/org/prod/AWSLogs/999999999999/vpcflowlogs/us-east-1/"
    ));
    assert!(!at(
        "s3://central-flow-logs/org/prod/AWSLogs/123456789012/vpcflowlogs/eu-west-1/"
    ));
    assert!(!at("s3://central-flow-logs/org/other/"));
    assert!(!at("s3://other-bucket/org/prod/"));
    let h = delivery(FileFormat::Text, true, false);
    assert!(location_matches(
        "s3://central-flow-logs/org/prod/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/",
        &h
    ));
}

#[test]
fn partitioning_from_table_metadata() {
    assert_eq!(
        day_table().partitioning(),
        Partitioning::DatePath {
            key: "day".into(),
            format: "yyyy/MM/dd".into()
        }
    );
    let parts = table(
        &["srcaddr"],
        &[("year", "int"), ("month", "int"), ("day", "int")],
        &[],
    );
    assert_eq!(
        parts.partitioning(),
        Partitioning::Parts {
            year: "year".into(),
            month: "month".into(),
            day: "day".into(),
            hour: None,
            numeric: true
        }
    );
    assert_eq!(
        table(&["srcaddr"], &[], &[]).partitioning(),
        Partitioning::None
    );
    let odd = table(&["srcaddr"], &[("account", "string")], &[]);
    assert_eq!(
        odd.partitioning(),
        Partitioning::Unknown(vec!["account".into()])
    );
    assert!(odd.scans_everything());
    // An unprojected `dt` key is read as the path's own day form.
    let dt = table(&["srcaddr"], &[("dt", "string")], &[]);
    assert!(!dt.scans_everything());
}

#[test]
fn day_predicates_within_and_across_midnight_utc() {
    let p = Partitioning::DatePath {
        key: "day".into(),
        format: "yyyy/MM/dd".into(),
    };
    assert_eq!(
        partition_predicate(&p, t(2026, 11, 30, 4, 10), t(2026, 11, 30, 5, 10)).unwrap(),
        "\"day\" = '2026/11/30'"
    );
    assert_eq!(
        partition_predicate(&p, t(2026, 11, 30, 23, 30), t(2026, 12, 1, 0, 30)).unwrap(),
        "\"day\" IN ('2026/11/30', '2026/12/01')"
    );
    // Exactly midnight belongs to the new day only.
    assert_eq!(
        partition_predicate(&p, t(2026, 12, 1, 0, 0), t(2026, 12, 1, 0, 59)).unwrap(),
        "\"day\" = '2026/12/01'"
    );
    let dash = Partitioning::DatePath {
        key: "dt".into(),
        format: "'dt='yyyy-MM-dd".into(),
    };
    assert_eq!(
        partition_predicate(&dash, t(2026, 2, 28, 23, 0), t(2026, 3, 1, 1, 0)).unwrap(),
        "\"dt\" IN ('dt=2026-02-28', 'dt=2026-03-01')"
    );
}

#[test]
fn hour_predicates_across_the_hour_and_the_day() {
    let p = Partitioning::DatePath {
        key: "hour".into(),
        format: "yyyy/MM/dd/HH".into(),
    };
    assert_eq!(
        partition_predicate(&p, t(2026, 11, 30, 4, 10), t(2026, 11, 30, 5, 10)).unwrap(),
        "\"hour\" IN ('2026/11/30/04', '2026/11/30/05')"
    );
    assert_eq!(
        partition_predicate(&p, t(2026, 11, 30, 5, 0), t(2026, 11, 30, 5, 59)).unwrap(),
        "\"hour\" = '2026/11/30/05'"
    );
    let parts = Partitioning::Parts {
        year: "year".into(),
        month: "month".into(),
        day: "day".into(),
        hour: Some("hour".into()),
        numeric: false,
    };
    assert_eq!(
        partition_predicate(&parts, t(2026, 12, 31, 23, 30), t(2027, 1, 1, 0, 15)).unwrap(),
        "((\"year\" = '2026' AND \"month\" = '12' AND \"day\" = '31' AND \"hour\" = '23') OR (\"year\" = '2027' AND \"month\" = '01' AND \"day\" = '01' AND \"hour\" = '00'))"
    );
    let numeric = Partitioning::Parts {
        year: "year".into(),
        month: "month".into(),
        day: "day".into(),
        hour: None,
        numeric: true,
    };
    assert_eq!(
        partition_predicate(&numeric, t(2026, 3, 5, 1, 0), t(2026, 3, 5, 2, 0)).unwrap(),
        "(\"year\" = 2026 AND \"month\" = 3 AND \"day\" = 5)"
    );
    assert_eq!(partition_predicate(&Partitioning::None, t0(), t0()), None);
}

#[test]
fn a_whole_day_of_hours_needs_no_hour_list() {
    let parts = Partitioning::Parts {
        year: "y".into(),
        month: "m".into(),
        day: "d".into(),
        hour: Some("h".into()),
        numeric: false,
    };
    let p = partition_predicate(&parts, t(2026, 11, 29, 0, 0), t(2026, 11, 29, 23, 59)).unwrap();
    assert!(!p.contains("\"h\""), "{p}");
}

#[test]
fn tally_sql_default_format() {
    let sql = tally_sql(&day_table(), t(2026, 11, 30, 4, 10), t(2026, 11, 30, 5, 10));
    assert_eq!(
        sql,
        "SELECT \"srcaddr\" AS \"srcAddr\", \"dstaddr\" AS \"dstAddr\", \"dstport\" AS \"dstPort\", \"protocol\" AS \"protocol\", \"interface_id\" AS \"interfaceId\", count(*) AS \"rejects\", sum(\"bytes\") AS \"rejectedBytes\"
FROM \"AwsDataCatalog\".\"flows\".\"vpc_flow_logs\"
WHERE \"day\" = '2026/11/30'
  AND \"start\" BETWEEN 1796011800 AND 1796015400
  AND \"action\" = 'REJECT'
GROUP BY 1, 2, 3, 4, 5
ORDER BY \"rejects\" DESC
LIMIT 10000"
    );
}

#[test]
fn tally_sql_leaves_out_columns_the_table_lacks() {
    let t = table(&["srcaddr", "dstaddr", "action"], &[], &[]);
    let sql = tally_sql(&t, t0(), t0());
    assert!(sql.starts_with("SELECT \"srcaddr\" AS \"srcAddr\", \"dstaddr\" AS \"dstAddr\", count(*) AS \"rejects\"\n"), "{sql}");
    assert!(sql.contains("GROUP BY 1, 2\n"));
    assert!(
        sql.contains("WHERE \"action\" = 'REJECT'"),
        "no partition, no start: {sql}"
    );
}

#[test]
fn records_sql_for_each_pivot() {
    let key = TallyKey {
        src: "10.20.2.31".into(),
        dst: "10.20.11.25".into(),
        dst_port: Some(5432),
        protocol: Some(6),
        interface: Some("eni-0abc".into()),
    };
    let table = day_table();
    let q = |p| records_sql(&table, &key, p, t0(), t0(), 100);
    let base = q(Pivot::Pair);
    assert!(base.starts_with("SELECT format_datetime(from_unixtime(\"start\"), 'yyyy-MM-dd HH:mm:ss') AS \"@timestamp\", concat_ws(' ', coalesce(CAST(\"version\" AS varchar), '-'), "));
    assert!(base.contains("AS \"@message\"\nFROM \"AwsDataCatalog\".\"flows\".\"vpc_flow_logs\"\nWHERE \"day\" = '2026/11/30'"));
    assert!(base.ends_with("\nORDER BY \"start\" DESC\nLIMIT 100"));
    let tail = |s: &str| {
        s.split("'REJECT'")
            .nth(1)
            .unwrap()
            .split("\nORDER")
            .next()
            .unwrap()
            .to_string()
    };
    let src = "\n  AND \"srcaddr\" = '10.20.2.31'";
    let dst = "\n  AND \"dstaddr\" = '10.20.11.25'";
    let port = "\n  AND \"dstport\" = 5432\n  AND \"protocol\" = 6";
    assert_eq!(tail(&base), format!("{src}{dst}{port}"));
    assert_eq!(tail(&q(Pivot::Subnet)), format!("{src}{dst}{port}"));
    assert_eq!(tail(&q(Pivot::Zone)), format!("{src}{dst}{port}"));
    assert_eq!(tail(&q(Pivot::Source)), src);
    assert_eq!(tail(&q(Pivot::Destination)), dst);
    assert_eq!(tail(&q(Pivot::Port)), port);
    assert_eq!(
        tail(&q(Pivot::Interface)),
        "\n  AND \"interface_id\" = 'eni-0abc'"
    );
}

#[test]
fn values_from_results_are_escaped() {
    let key = TallyKey {
        src: "1.2.3.4' OR '1'='1".into(),
        dst: "x".into(),
        dst_port: None,
        protocol: None,
        interface: None,
    };
    let sql = records_sql(&day_table(), &key, Pivot::Source, t0(), t0(), 5);
    assert!(
        sql.contains("\"srcaddr\" = '1.2.3.4'' OR ''1''=''1'"),
        "{sql}"
    );
    assert_eq!(quote("a\"b"), "\"a\"\"b\"");
}

#[test]
fn result_labels_map_back_to_the_pane_names() {
    assert_eq!(result_field("srcaddr"), "srcAddr");
    assert_eq!(result_field("REJECTEDBYTES"), "rejectedBytes");
    assert_eq!(result_field("@message"), "@message");
    assert_eq!(result_field("other"), "other");
}

#[test]
fn cost_has_a_10_mb_minimum_and_rounds_up_to_the_mb() {
    assert_eq!(billed_bytes(0.0), 10.0 * MB);
    assert_eq!(billed_bytes(1.0), 10.0 * MB);
    assert_eq!(billed_bytes(10.0 * MB + 1.0), 11.0 * MB);
    assert!((cost_usd(TB) - 5.0).abs() < 1e-9);
    assert!((cost_usd(0.0) - 10.0 * MB / TB * 5.0).abs() < 1e-12);
}

#[test]
fn failures_in_words_name_the_permission() {
    let glue = explain_failure(
        "Insufficient permissions to execute the query. User: arn:aws:sts::1:assumed-role/r/x is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:1:catalog",
    );
    assert!(
        glue.starts_with(
            "access denied on the Glue Data Catalog: the IAM policy needs glue:GetTable"
        ),
        "{glue}"
    );
    let wg = explain_failure(
        "User: arn:aws:iam::1:user/u is not authorized to perform: athena:StartQueryExecution on resource: arn:aws:athena:us-east-1:1:workgroup/primary",
    );
    assert!(
        wg.contains("on the workgroup") && wg.contains("needs athena:StartQueryExecution"),
        "{wg}"
    );
    let s3 = explain_failure(
        "Permission denied on S3 path: s3://central-flow-logs/org/prod/AWSLogs/1/vpcflowlogs/us-east-1/2026/11/30/x.log.gz",
    );
    assert!(s3.contains("s3:GetObject and s3:ListBucket"), "{s3}");
    let out = explain_failure(
        "No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.",
    );
    assert!(
        out.starts_with("the workgroup has no query result location"),
        "{out}"
    );
    let syntax = explain_failure("line 1:8: mismatched input 'FORM'. Expecting: ','");
    assert!(syntax.starts_with("Athena cannot run the query: line 1:8"));
}

proptest! {
    /// Every hour of the window is in a partition the predicate names, and no day
    /// outside the window is named.
    #[test]
    fn predicates_cover_every_hour_of_the_window(start_min in 0i64..(3 * 24 * 60), len in 0i64..(24 * 60)) {
        let start = t(2026, 12, 30, 0, 0) + Duration::minutes(start_min);
        let end = start + Duration::minutes(len);
        let p = Partitioning::DatePath { key: "hour".into(), format: "yyyy/MM/dd/HH".into() };
        let text = partition_predicate(&p, start, end).unwrap();
        let mut h = start;
        while h <= end {
            let v = h.format("%Y/%m/%d/%H").to_string();
            prop_assert!(text.contains(&v), "{} missing from {}", v, text);
            h += Duration::minutes(30);
        }
        prop_assert!(text.contains(&end.format("%Y/%m/%d/%H").to_string()));
        let before = (start - Duration::hours(1)).format("%Y/%m/%d/%H").to_string();
        prop_assert!(!text.contains(&before));
        let days = Partitioning::DatePath { key: "day".into(), format: "yyyy/MM/dd".into() };
        let text = partition_predicate(&days, start, end).unwrap();
        prop_assert_eq!(text.matches('\'').count() / 2, (end.date_naive() - start.date_naive()).num_days() as usize + 1);
    }
}
