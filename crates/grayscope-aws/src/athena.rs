//! Amazon Athena (awsJson1.1) over the Glue Data Catalog, for flow logs delivered to
//! S3: the workgroup (GetWorkGroup), the tables of the configured database
//! (ListTableMetadata, GetTableMetadata: Athena's own view of the catalog, so no Glue
//! client is needed), and queries (StartQueryExecution, GetQueryExecution polls,
//! GetQueryResults pages, StopQueryExecution).
//!
//! Facts this relies on (Athena API reference): a query's state is QUEUED, RUNNING,
//! SUCCEEDED, FAILED or CANCELLED; its statistics (bytes scanned, queue and engine
//! time) grow while it runs; rows come only once it SUCCEEDED, at most 1,000 a page,
//! the first row of the first page of a SELECT being the column labels; a failed
//! query says why in `StateChangeReason` and `AthenaError`; results go to the
//! workgroup's location when the request names none (InvalidRequestException when the
//! workgroup has none either); too many queries at once is TooManyRequestsException.

use super::paging::{all_pages, one_call};
use super::{AwsBackend, Ctx};
use crate::backend::BackendError;
use crate::backend::flowlogs::{AthenaConfig, QueryPage, QueryStats, QueryStatus, Workgroup};
use crate::model::athena::{AthenaTable, explain_failure, result_field};
use crate::model::flowlogs::{ResultRow, TALLY_LIMIT};
use crate::model::text::clean;
use aws_sdk_athena::types::{
    QueryExecutionContext, QueryExecutionState, StatementType, TableMetadata, WorkGroupState,
};

const SERVICE: &str = "athena";
/// Rows one GetQueryResults page may hold.
pub const PAGE_ROWS: i32 = 1000;

fn table(t: &TableMetadata, cfg: &AthenaConfig) -> AthenaTable {
    let cols = |list: &[aws_sdk_athena::types::Column]| {
        list.iter()
            .map(|c| {
                (
                    c.name().to_string(),
                    c.r#type().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    AthenaTable {
        catalog: cfg.catalog.clone(),
        database: cfg.database.clone(),
        name: t.name().to_string(),
        columns: cols(t.columns()),
        partition_keys: cols(t.partition_keys()),
        parameters: t
            .parameters()
            .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
    }
}

pub(crate) async fn workgroup(ctx: &Ctx<'_>) -> Result<Workgroup, BackendError> {
    const OP: &str = "GetWorkGroup";
    let name = ctx.athena.workgroup.clone();
    let out = ctx
        .pace
        .athena
        .run(|| async {
            let request = ctx.clients.athena.get_work_group();
            one_call(SERVICE, OP, ctx.profile, request.work_group(&name).send()).await
        })
        .await?;
    let wg = out.work_group();
    let config = wg.and_then(|w| w.configuration());
    Ok(Workgroup {
        name: wg.map(|w| clean(w.name())).unwrap_or(name),
        state: wg
            .and_then(|w| w.state())
            .map(|s| match s {
                WorkGroupState::Enabled => "ENABLED".to_string(),
                WorkGroupState::Disabled => "DISABLED".to_string(),
                other => other.as_str().to_string(),
            })
            .unwrap_or_default(),
        output_location: config
            .and_then(|c| c.result_configuration())
            .and_then(|r| r.output_location())
            .filter(|l| !l.is_empty())
            .map(clean),
        managed_results: config
            .and_then(|c| c.managed_query_results_configuration())
            .is_some_and(|m| m.enabled()),
        bytes_cutoff: config.and_then(|c| c.bytes_scanned_cutoff_per_query()),
    })
}

pub(crate) async fn tables(ctx: &Ctx<'_>) -> Result<Vec<AthenaTable>, BackendError> {
    const OP: &str = "ListTableMetadata";
    let cfg = ctx.athena;
    ctx.pace
        .athena
        .run(|| async {
            let request = ctx.clients.athena.list_table_metadata();
            let pages = request
                .catalog_name(&cfg.catalog)
                .database_name(&cfg.database)
                .max_results(50)
                .into_paginator()
                .send();
            let mut out = Vec::new();
            all_pages(SERVICE, OP, ctx.profile, pages, |page| {
                out.extend(page.table_metadata_list().iter().map(|t| table(t, cfg)));
            })
            .await?;
            Ok(out)
        })
        .await
}

pub(crate) async fn table_metadata(ctx: &Ctx<'_>, name: &str) -> Result<AthenaTable, BackendError> {
    const OP: &str = "GetTableMetadata";
    let cfg = ctx.athena;
    let out = ctx
        .pace
        .athena
        .run(|| async {
            let request = ctx.clients.athena.get_table_metadata();
            let call = request
                .catalog_name(&cfg.catalog)
                .database_name(&cfg.database)
                .table_name(name)
                .send();
            one_call(SERVICE, OP, ctx.profile, call).await
        })
        .await?;
    out.table_metadata()
        .map(|t| table(t, cfg))
        .ok_or_else(|| BackendError::Other(format!("{OP}: the answer has no table")))
}

pub(crate) async fn start(ctx: &Ctx<'_>, sql: &str) -> Result<String, BackendError> {
    const OP: &str = "StartQueryExecution";
    let cfg = ctx.athena;
    let context = QueryExecutionContext::builder()
        .catalog(&cfg.catalog)
        .database(&cfg.database)
        .build();
    let out = ctx
        .pace
        .athena
        .run(|| async {
            let request = ctx.clients.athena.start_query_execution();
            let call = request
                .query_string(sql)
                .work_group(&cfg.workgroup)
                .query_execution_context(context.clone())
                .send();
            one_call(SERVICE, OP, ctx.profile, call).await
        })
        .await
        .map_err(explained)?;
    out.query_execution_id()
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .ok_or_else(|| BackendError::Other(format!("{OP}: the answer has no query execution ID")))
}

/// A service error's message put in words (the permission it names, a missing result
/// location); the kind is kept so callers still branch on it.
fn explained(e: BackendError) -> BackendError {
    match e {
        BackendError::Service {
            operation,
            code,
            message,
        } => BackendError::Service {
            message: explain_failure(&message),
            operation,
            code,
        },
        // Qualified: GetQueryResults is a Logs operation too, and the IAM action the
        // message names must be Athena's.
        BackendError::AccessDenied { operation, message } => BackendError::AccessDenied {
            message: explain_failure(&message),
            operation: if operation.contains(':') {
                operation
            } else {
                format!("athena:{operation}")
            },
        },
        other => other,
    }
}

pub(crate) fn status(s: Option<&QueryExecutionState>) -> QueryStatus {
    match s {
        Some(QueryExecutionState::Queued) => QueryStatus::Scheduled,
        Some(QueryExecutionState::Running) => QueryStatus::Running,
        Some(QueryExecutionState::Succeeded) => QueryStatus::Complete,
        Some(QueryExecutionState::Failed) => QueryStatus::Failed,
        Some(QueryExecutionState::Cancelled) => QueryStatus::Cancelled,
        _ => QueryStatus::Unknown,
    }
}

pub(crate) async fn results(ctx: &Ctx<'_>, id: &str) -> Result<QueryPage, BackendError> {
    const OP: &str = "GetQueryExecution";
    let out = ctx
        .pace
        .athena
        .run(|| async {
            let request = ctx.clients.athena.get_query_execution();
            one_call(
                SERVICE,
                OP,
                ctx.profile,
                request.query_execution_id(id).send(),
            )
            .await
        })
        .await?;
    let q = out.query_execution();
    let st = q.and_then(|q| q.status());
    let status = status(st.and_then(|s| s.state()));
    let stats = q
        .and_then(|q| q.statistics())
        .map(|s| QueryStats {
            bytes_scanned: s.data_scanned_in_bytes().unwrap_or(0) as f64,
            queued_ms: s.query_queue_time_in_millis().unwrap_or(0) as f64,
            engine_ms: s.engine_execution_time_in_millis().unwrap_or(0) as f64,
            ..QueryStats::default()
        })
        .unwrap_or_default();
    let message = st
        .and_then(|s| {
            s.athena_error()
                .and_then(|e| e.error_message())
                .or(s.state_change_reason())
        })
        .filter(|m| !m.is_empty())
        .map(|m| clean(&explain_failure(m)));
    let mut rows = Vec::new();
    let ddl = q
        .and_then(|q| q.statement_type())
        .is_some_and(|t| *t != StatementType::Dml);
    if status == QueryStatus::Complete && !ddl {
        rows = result_rows(ctx, id).await?;
    }
    let mut stats = stats;
    stats.records_matched = rows.len() as f64;
    Ok(QueryPage {
        status,
        rows,
        stats,
        message,
    })
}

/// Every row of a succeeded query (GetQueryResults, following NextToken), up to the
/// tally's limit, keyed by the pane's column names; the header row is dropped.
async fn result_rows(ctx: &Ctx<'_>, id: &str) -> Result<Vec<ResultRow>, BackendError> {
    const OP: &str = "GetQueryResults";
    let mut out: Vec<ResultRow> = Vec::new();
    let mut token: Option<String> = None;
    let mut columns: Vec<String> = Vec::new();
    let mut first = true;
    // At most the tally's rows (and a header), in pages of 1,000.
    for _ in 0..=(TALLY_LIMIT / PAGE_ROWS as usize + 1) {
        let page = ctx
            .pace
            .athena
            .run(|| async {
                let request = ctx.clients.athena.get_query_results();
                let call = request
                    .query_execution_id(id)
                    .max_results(PAGE_ROWS)
                    .set_next_token(token.clone())
                    .send();
                one_call(SERVICE, OP, ctx.profile, call).await
            })
            .await?;
        let set = page.result_set();
        if columns.is_empty() {
            columns = set
                .and_then(|s| s.result_set_metadata())
                .map(|m| {
                    m.column_info()
                        .iter()
                        .map(|c| result_field(c.label().unwrap_or(c.name())))
                        .collect()
                })
                .unwrap_or_default();
        }
        for (i, row) in set.map(|s| s.rows()).unwrap_or_default().iter().enumerate() {
            let values: Vec<&str> = row
                .data()
                .iter()
                .map(|d| d.var_char_value().unwrap_or(""))
                .collect();
            let header = first
                && i == 0
                && values.len() == columns.len()
                && values
                    .iter()
                    .zip(&columns)
                    .all(|(v, c)| result_field(v) == *c);
            if header {
                continue;
            }
            out.push(
                columns
                    .iter()
                    .zip(values)
                    .map(|(c, v)| (c.clone(), clean(v)))
                    .collect(),
            );
        }
        first = false;
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() || out.len() >= TALLY_LIMIT {
            break;
        }
    }
    out.truncate(TALLY_LIMIT);
    Ok(out)
}

pub(crate) async fn stop(ctx: &Ctx<'_>, id: &str) -> Result<bool, BackendError> {
    const OP: &str = "StopQueryExecution";
    ctx.pace
        .athena
        .run(|| async {
            let request = ctx.clients.athena.stop_query_execution();
            one_call(
                SERVICE,
                OP,
                ctx.profile,
                request.query_execution_id(id).send(),
            )
            .await
        })
        .await?;
    tracing::info!(query_execution_id = id, "StopQueryExecution");
    Ok(true)
}

impl AwsBackend {
    pub(crate) async fn athena_workgroup_impl(&self) -> Result<Workgroup, BackendError> {
        workgroup(&self.ctx().await).await
    }
    pub(crate) async fn athena_tables_impl(&self) -> Result<Vec<AthenaTable>, BackendError> {
        tables(&self.ctx().await).await
    }
    pub(crate) async fn athena_table_impl(&self, name: &str) -> Result<AthenaTable, BackendError> {
        table_metadata(&self.ctx().await, name).await
    }
    pub(crate) async fn start_athena_impl(&self, sql: &str) -> Result<String, BackendError> {
        start(&self.ctx().await, sql).await
    }
    pub(crate) async fn athena_results_impl(&self, id: &str) -> Result<QueryPage, BackendError> {
        results(&self.ctx().await, id).await
    }
    pub(crate) async fn stop_athena_impl(&self, id: &str) -> Result<bool, BackendError> {
        stop(&self.ctx().await, id).await
    }
}
