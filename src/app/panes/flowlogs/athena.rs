//! The Athena side of the flow-log pane: the flow log in S3, the table over it (found
//! by location, or created after the user said yes, with its exact DDL), where queries
//! run, the questions asked before a write or a full scan, and the switch between
//! engines. Everything after the query is the pane's own (`super`).

use super::{ASK_CREATE, ASK_FULL_SCAN, FlowLoaded, FlowLogsPane, ID};
use crate::app::slot::Slot;
use crate::app::{Confirm, Effect, Shared};
use crate::backend::flowlogs::{AthenaConfig, Engine, FlowLogSource, QueryStatus, Workgroup};
use crate::backend::{BackendError, Services};
use crate::jobs::Job;
use crate::model::athena::{AthenaTable, create_table_ddl, table_name_for};
use crate::model::flowlogs::Tally;

/// A question the pane waits to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ask {
    CreateTable,
    FullScan,
}

/// The Athena side of the pane: the flow log in S3, the table over it, where queries run.
#[derive(Debug, Clone, Default)]
pub struct AthenaSide {
    /// The first flow log delivering to S3.
    pub source: Option<FlowLogSource>,
    pub config: Option<AthenaConfig>,
    pub workgroup: Option<Result<Workgroup, BackendError>>,
    /// The tables of the configured database (ListTableMetadata).
    pub tables: Slot<Vec<AthenaTable>>,
    /// The table that reads the flow log's location.
    pub table: Option<AthenaTable>,
    /// The CREATE TABLE offered when there is none (or why none can be written).
    pub ddl: Option<Result<String, String>>,
    pub creating: bool,
    /// grayscope created the table this session (it drops it at exit).
    pub created: bool,
    /// The user agreed to queries that read the whole table (no usable partitions).
    pub full_scan_ok: bool,
    pub(super) ask: Option<Ask>,
    /// What to run once the user agreed to a full scan.
    pub(super) after_scan: Option<AfterScan>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AfterScan {
    Tally,
    Custom(String),
}

impl AthenaSide {
    /// The table's name grayscope would create (not taken by another table).
    pub(super) fn new_table_name(&self) -> Option<String> {
        let base = table_name_for(&self.source.as_ref()?.id);
        let taken = |n: &str| {
            self.tables
                .get()
                .is_some_and(|t| t.iter().any(|t| t.name.eq_ignore_ascii_case(n)))
        };
        (0..20)
            .map(|i| {
                if i == 0 {
                    base.clone()
                } else {
                    format!("{base}_{}", i + 1)
                }
            })
            .find(|n| !taken(n))
    }

    /// Why Athena cannot answer yet, in words; `None` when it can.
    pub fn blocked(&self) -> Option<String> {
        let source = self.source.as_ref()?;
        let where_ = source.s3().map(|d| d.location()).unwrap_or_default();
        if let Some(Err(e)) = &self.workgroup {
            return Some(format!("Athena workgroup: {e}"));
        }
        if let Some(Ok(w)) = &self.workgroup
            && let Some(p) = w.problem()
        {
            return Some(p);
        }
        if let Some((e, _)) = &self.tables.error {
            return Some(format!("Athena tables: {e}"));
        }
        if self.table.is_none() && self.tables.get().is_some() {
            let db = self
                .config
                .as_ref()
                .map(|c| format!("{}.{}", c.catalog, c.database))
                .unwrap_or_default();
            return Some(format!("no Athena table in {db} reads {where_}"));
        }
        None
    }
}

impl FlowLogsPane {
    /// Whether SQL the user wrote reads only some partitions: it names a partition key
    /// (the table's own keys). `Err` says why it would scan the whole table.
    pub(super) fn check_scan(&self, sql: &str) -> Result<(), String> {
        let Some(t) = &self.athena.table else {
            return Ok(());
        };
        if t.scans_everything() {
            return if self.athena.full_scan_ok {
                Ok(())
            } else {
                Err(format!(
                    "{} has no partitions tied to dates: this reads everything under {}",
                    t.name,
                    t.location().unwrap_or("its location")
                ))
            };
        }
        let lower = sql.to_ascii_lowercase();
        if t.partition_keys
            .iter()
            .any(|(k, _)| lower.contains(&k.to_ascii_lowercase()))
        {
            return Ok(());
        }
        let keys: Vec<&str> = t.partition_keys.iter().map(|(k, _)| k.as_str()).collect();
        Err(format!(
            "the query names no partition column ({}): it would read the whole bucket; keep the window's predicate (Ctrl-U restores the tally with it)",
            keys.join(", ")
        ))
    }

    /// Starts reading the Athena side: the workgroup and the tables.
    pub(super) fn athena_discover(&mut self) -> Vec<Effect> {
        if self.athena.source.is_none() {
            return Vec::new();
        }
        self.athena.tables.start();
        vec![Effect::Run(Job::new(
            ID,
            "athena",
            self.generation,
            "GetWorkGroup + ListTableMetadata",
            |s: Services, r| async move {
                let config = s.flowlogs.athena_config();
                let (workgroup, tables) =
                    futures::join!(s.flowlogs.athena_workgroup(), s.flowlogs.athena_tables());
                r.send(FlowLoaded::Athena {
                    config,
                    workgroup,
                    tables,
                });
            },
        ))]
    }

    /// Picks the table that reads the S3 flow log's location (partitioned ones first),
    /// else prepares the CREATE TABLE to offer.
    pub(super) fn match_table(&mut self) {
        let Some(d) = self.athena.source.as_ref().and_then(|s| s.s3()).cloned() else {
            return;
        };
        let mut found: Vec<AthenaTable> = self
            .athena
            .tables
            .get()
            .into_iter()
            .flatten()
            .filter(|t| t.reads(&d))
            .cloned()
            .collect();
        found.sort_by_key(|t| (t.scans_everything(), !t.projected(), t.name.clone()));
        self.athena.table = found.into_iter().next();
        self.athena.ddl = match (&self.athena.table, &self.athena.config) {
            (None, Some(c)) => {
                let format = self
                    .athena
                    .source
                    .as_ref()
                    .map(|s| s.format.clone())
                    .unwrap_or_default();
                Some(
                    self.athena
                        .new_table_name()
                        .ok_or_else(|| "no free table name".to_string())
                        .and_then(|name| create_table_ddl(&c.database, &name, &format, &d)),
                )
            }
            _ => None,
        };
        self.sync_format();
    }

    /// `a` without a table: asks to create one (never in read-only mode).
    pub(super) fn offer_table(&mut self, shared: &Shared) -> Vec<Effect> {
        let now = shared.now;
        match &self.athena.ddl {
            _ if self.athena.creating => {}
            Some(Ok(_)) if shared.read_only => {
                self.error = Some((
                    BackendError::Other(
                        "no Athena table reads this flow log, and --read-only is on: nothing is created (run the DDL shown here yourself, or point --athena-database at a database that has one)".into(),
                    ),
                    now,
                ));
            }
            Some(Ok(_)) => self.athena.ask = Some(Ask::CreateTable),
            Some(Err(why)) => {
                self.error = Some((
                    BackendError::Other(format!("cannot write the table DDL: {why}")),
                    now,
                ))
            }
            None => {}
        }
        Vec::new()
    }

    pub(super) fn create_table(&mut self) -> Vec<Effect> {
        let (Some(Ok(ddl)), Some(c)) = (self.athena.ddl.clone(), self.athena.config.clone()) else {
            return Vec::new();
        };
        let Some(name) = self.athena.new_table_name() else {
            return Vec::new();
        };
        self.athena.creating = true;
        self.error = None;
        let drop = format!("DROP TABLE IF EXISTS `{}`.`{name}`", c.database);
        vec![Effect::Run(Job::new(
            ID,
            "table",
            self.generation,
            "CREATE EXTERNAL TABLE + GetTableMetadata",
            move |s: Services, r| async move {
                use crate::backend::flowlogs as engine;
                // Armed before the DDL runs: whatever grayscope creates it drops at exit.
                r.on_cancel(
                    format!("DROP TABLE {name}"),
                    move |s: Services| async move {
                        match s.flowlogs.start_athena(&drop).await {
                            Ok(id) => {
                                tracing::info!(query_execution_id = %id, "DROP TABLE started")
                            }
                            Err(e) => tracing::warn!(error = %e, "DROP TABLE failed"),
                        }
                    },
                );
                tracing::info!(ddl = %ddl, "creating the Athena table");
                let id = match s.flowlogs.start_athena(&ddl).await {
                    Ok(id) => id,
                    Err(e) => {
                        r.send(FlowLoaded::TableCreated(Err(e)));
                        return;
                    }
                };
                loop {
                    tokio::time::sleep(s.flowlogs.poll_every()).await;
                    match engine::poll(&*s.flowlogs, Engine::Athena, &id).await {
                        Ok(p) if !p.status.is_done() => continue,
                        Ok(p) if p.status == QueryStatus::Complete => break,
                        Ok(p) => {
                            r.send(FlowLoaded::TableCreated(Err(BackendError::Other(format!(
                                "CREATE TABLE ended {}: {}",
                                p.status.label(),
                                p.message.unwrap_or_default()
                            )))));
                            return;
                        }
                        Err(e) => {
                            r.send(FlowLoaded::TableCreated(Err(e)));
                            return;
                        }
                    }
                }
                r.send(FlowLoaded::TableCreated(
                    s.flowlogs.athena_table(&name).await,
                ));
            },
        ))]
    }

    /// `E`: the other engine, from a fresh window.
    pub(super) fn switch_engine(&mut self, shared: &Shared) -> Vec<Effect> {
        if !self.can_switch() {
            return Vec::new();
        }
        self.engine = match self.engine {
            Engine::Insights => Engine::Athena,
            Engine::Athena => Engine::Insights,
        };
        self.sync_format();
        self.custom = None;
        self.drill = None;
        self.settled = Tally::default();
        self.recent.clear();
        self.partial.clear();
        self.previous = None;
        self.pending.clear();
        self.run = None;
        self.error = None;
        self.window_start = None;
        self.recompute(shared);
        let mut effects = vec![
            Effect::Cancel {
                pane: ID,
                kind: "tally",
            },
            Effect::Cancel {
                pane: ID,
                kind: "records",
            },
        ];
        effects.extend(self.start_tally(shared, true));
        effects
    }

    /// The confirmation before CREATE TABLE: what is created, where, what it costs, and
    /// that grayscope drops it again.
    pub(super) fn create_confirm(&self) -> Option<Confirm> {
        let ddl = self.athena.ddl.as_ref()?.as_ref().ok()?;
        let c = self.athena.config.as_ref()?;
        let name = self.athena.new_table_name()?;
        let d = self.athena.source.as_ref()?.s3()?;
        let output = match &self.athena.workgroup {
            Some(Ok(w)) => w
                .output_location
                .clone()
                .unwrap_or_else(|| "managed query results".into()),
            _ => "?".into(),
        };
        let mut lines = vec![
            format!("Creates table {}.{name} in catalog {} (Glue Data Catalog)", c.database, c.catalog),
            format!("over {} ({}).", d.logs_root().unwrap_or_else(|| d.location()), d.describe()),
            format!(
                "Columns: the flow log's own format ({} fields); partitions projected on the delivery path's date{}: no crawler, no MSCK REPAIR.",
                self.athena.source.as_ref().map(|s| s.format.fields.len()).unwrap_or(0),
                if d.per_hour { " and hour" } else { "" }
            ),
            "Cost: none (DDL is not billed; nothing is copied). Queries then bill per TB scanned, 10 MB minimum each.".into(),
            format!("Runs in workgroup {} (results to {output}).", c.workgroup),
            "Dropped again when grayscope exits (DROP TABLE). The exact DDL:".into(),
        ];
        lines.extend(ddl.lines().map(str::to_string));
        Some(Confirm {
            pane: ID,
            id: self.generation * 4 + ASK_CREATE,
            title: "Create an Athena table over the flow logs?".into(),
            lines,
            yes: "create table".into(),
            typed: None,
            entered: String::new(),
        })
    }

    pub(super) fn full_scan_confirm(&self) -> Option<Confirm> {
        let t = self.athena.table.as_ref()?;
        Some(Confirm {
            pane: ID,
            id: self.generation * 4 + ASK_FULL_SCAN,
            title: "Scan the whole table?".into(),
            lines: vec![
                format!(
                    "{}.{} has no partitions grayscope can tie to dates{}.",
                    t.database,
                    t.name,
                    if t.partition_keys.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " (keys: {})",
                            t.partition_keys
                                .iter()
                                .map(|(k, _)| k.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                ),
                format!(
                    "Every query reads everything under {}, whatever the window,",
                    t.location().unwrap_or("its location")
                ),
                "and Athena bills $5 per TB scanned: a year of a busy VPC is many TB.".into(),
                "A partitioned table (partition projection on the delivery path) avoids it.".into(),
            ],
            yes: "scan it anyway (this session)".into(),
            typed: None,
            entered: String::new(),
        })
    }
}
