use super::*;
use crate::backend::flowlogs::FlowLogs;
use crate::clock::Clock;
use crate::model::athena::{create_table_ddl, table_name_for, tally_sql};
use crate::model::flowlogs::tally_rows;
use chrono::{Duration, TimeZone};

fn demo() -> DemoBackend {
    DemoBackend::new(
        Clock::Frozen(Utc.with_ymd_and_hms(2026, 11, 22, 3, 5, 0).unwrap()),
        9,
    )
}

fn create(d: &DemoBackend) -> AthenaTable {
    let ddl = create_table_ddl(
        DEFAULT_DATABASE,
        &table_name_for(FLOW_LOG2),
        &LogFormat::default(),
        &delivery(),
    )
    .unwrap();
    let id = d.demo_start(&ddl).unwrap();
    for _ in 0..2 {
        d.demo_results(&id).unwrap();
    }
    d.demo_table(&table_name_for(FLOW_LOG2)).unwrap()
}

async fn run(d: &DemoBackend, sql: &str) -> QueryPage {
    let id = d.start_athena(sql).await.unwrap();
    let mut states = Vec::new();
    loop {
        let p = d.athena_results(&id).await.unwrap();
        states.push(p.status);
        if p.status.is_done() {
            assert_eq!(states[0], QueryStatus::Scheduled);
            return p;
        }
    }
}

#[test]
fn a_created_table_reads_back_from_its_ddl() {
    let d = demo();
    assert!(d.demo_tables().is_empty(), "the catalog starts empty");
    let t = create(&d);
    assert_eq!(t.columns.len(), 14);
    assert_eq!(t.partition_keys.len(), 4, "year, month, day, hour");
    assert!(t.projected() && t.reads(&delivery()));
    assert!(!t.scans_everything());
}

#[tokio::test]
async fn the_tally_shows_the_sick_zone_hitting_the_ledger() {
    let d = demo();
    let t = create(&d);
    let now = d.now();
    let page = run(&d, &tally_sql(&t, now - Duration::hours(1), now)).await;
    assert_eq!(page.status, QueryStatus::Complete);
    let rows = tally_rows(&page.rows);
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .any(|r| r.key.dst == LEDGER_DB && r.key.src.starts_with("10.30.2."))
    );
    assert!(
        !rows
            .iter()
            .any(|r| r.key.dst == LEDGER_DB && r.key.src.starts_with("10.30.1."))
    );
    assert!(page.stats.bytes_scanned > 0.0);
}

#[tokio::test]
async fn partitions_prune_and_an_unpartitioned_table_reads_the_bucket() {
    let d = demo();
    let t = create(&d);
    let now = d.now();
    let pruned = run(&d, &tally_sql(&t, now - Duration::hours(1), now)).await;
    let mut flat = t.clone();
    flat.partition_keys.clear();
    flat.parameters.retain(|k, _| !k.starts_with("projection"));
    let sql = tally_sql(&flat, now - Duration::hours(1), now);
    assert!(!sql.contains("\"year\""));
    let whole = run(&d, &sql).await;
    assert_eq!(
        tally_rows(&pruned.rows).len(),
        tally_rows(&whole.rows).len(),
        "same answer"
    );
    assert!(
        whole.stats.bytes_scanned > 100.0 * pruned.stats.bytes_scanned,
        "{} vs {}",
        whole.stats.bytes_scanned,
        pruned.stats.bytes_scanned
    );
}

#[tokio::test]
async fn bad_sql_fails_with_athenas_words_and_stop_cancels() {
    let d = demo();
    create(&d);
    let p = run(&d, "SELEC 1").await;
    assert_eq!(p.status, QueryStatus::Failed);
    assert!(p.message.unwrap().contains("mismatched input 'SELEC'"));
    let t = d.demo_table(&table_name_for(FLOW_LOG2)).unwrap();
    let id = d
        .start_athena(&tally_sql(&t, d.now() - Duration::hours(1), d.now()))
        .await
        .unwrap();
    d.athena_results(&id).await.unwrap();
    assert!(d.stop_athena(&id).await.unwrap());
    assert_eq!(
        d.athena_results(&id).await.unwrap().status,
        QueryStatus::Cancelled
    );
    assert!(!d.stop_athena(&id).await.unwrap(), "already stopped");
    assert_eq!(d.athena_stops(), 2);
}

#[tokio::test]
async fn drop_table_removes_it() {
    let d = demo();
    let t = create(&d);
    run(
        &d,
        &format!("DROP TABLE IF EXISTS `{}`.`{}`", t.database, t.name),
    )
    .await;
    assert!(d.demo_tables().is_empty());
}
