//! Athena over flow logs in S3: what the default tally scans over one hour, on a
//! table partitioned (projected on the delivery path's date and hour, as grayscope
//! creates it) and on the same table without partitions, from the statistics the
//! (simulated) GetQueryExecution reports; and the time to first rows, from
//! StartQueryExecution to the SUCCEEDED poll that carries them.
//!
//! The numbers come from the demo's simulated Athena (`backend::demo::athena`): bytes
//! scanned model gzip text objects of the demo's second VPC (the hours the partition
//! predicate names, or the whole bucket, 400 days, when nothing prunes); the time to
//! first rows is the demo's own pacing (QUEUED, RUNNING, SUCCEEDED at its poll
//! interval). Printed, not asserted. Run: `cargo bench --bench athena`.

use chrono::{Duration, TimeZone, Utc};
use grayscope::backend::demo::DemoBackend;
use grayscope::backend::demo::athena::{FLOW_LOG2, delivery, table_from_ddl};
use grayscope::backend::flowlogs::{FlowLogs, QueryPage};
use grayscope::clock::Clock;
use grayscope::model::athena::{
    DEFAULT_DATABASE, billed_bytes, cost_usd, create_table_ddl, table_name_for, tally_sql,
};
use grayscope::model::flowlogs::{LogFormat, fmt_bytes, fmt_usd, tally_rows};
use std::time::Instant;

async fn run(d: &DemoBackend, sql: &str) -> (QueryPage, std::time::Duration) {
    let started = Instant::now();
    let id = d.start_athena(sql).await.expect("started");
    loop {
        tokio::time::sleep(d.poll_every()).await;
        let p = d.athena_results(&id).await.expect("polled");
        if p.status.is_done() {
            return (p, started.elapsed());
        }
    }
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 3, 12, 0).unwrap();
    let d = DemoBackend::new(Clock::Frozen(now), 9);
    let name = table_name_for(FLOW_LOG2);
    let ddl =
        create_table_ddl(DEFAULT_DATABASE, &name, &LogFormat::default(), &delivery()).expect("ddl");
    run(&d, &ddl).await;
    let table = d.athena_table(&name).await.expect("created");
    assert_eq!(table_from_ddl(&ddl).expect("ddl").name, name);
    let mut flat = table.clone();
    flat.partition_keys.clear();
    flat.parameters.retain(|k, _| !k.starts_with("projection"));

    let (start, end) = (now - Duration::hours(1), now);
    println!(
        "default REJECT tally over 1 hour ({start} .. {end}), demo VPC 2 (text, Hive, per hour)"
    );
    for (what, t) in [
        ("partitioned (projection)", &table),
        ("unpartitioned", &flat),
    ] {
        let (p, took) = run(&d, &tally_sql(t, start, end)).await;
        let b = p.stats.bytes_scanned;
        println!(
            "  {what:<26} {} scanned, billed {} = {}; {} rows; first rows after {:.2} s",
            fmt_bytes(b),
            fmt_bytes(billed_bytes(b)),
            fmt_usd(cost_usd(b)),
            tally_rows(&p.rows).len(),
            took.as_secs_f64()
        );
    }
}
