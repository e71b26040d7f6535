//! CloudWatch Logs (awsJson1.1): Logs Insights queries over flow-log groups, and saved
//! queries. With `flow_ec2`, implements [`FlowLogs`] for the live backend.
//!
//! Facts this relies on (CloudWatch Logs API reference): StartQuery takes epoch seconds
//! (start and end inclusive), at most 50 log groups and a `limit` of at most 10,000
//! rows; GetQueryResults returns partial rows while Running, statistics (records
//! matched and scanned, bytes scanned) and a status among Scheduled, Running, Complete,
//! Failed, Cancelled, Timeout, Unknown; queries time out after 60 minutes; the account
//! runs a bounded number of queries at once (LimitExceededException beyond it);
//! DescribeQueryDefinitions pages with `nextToken`.

use super::paging::one_call;
use super::{AwsBackend, Ctx};
use crate::backend::BackendError;
use crate::backend::flowlogs::{
    AthenaConfig, FlowLogSource, FlowLogs, QueryPage, QueryRequest, QueryStats, QueryStatus,
    SavedQuery, Workgroup,
};
use crate::model::athena::AthenaTable;
use crate::model::flowlogs::{InterfaceInfo, ResultRow, SubnetInfo};
use crate::model::text::clean;
use async_trait::async_trait;
use aws_sdk_cloudwatchlogs::types::QueryStatus as SdkStatus;

const SERVICE: &str = "logs";
/// Log groups one StartQuery may name.
pub const MAX_LOG_GROUPS: usize = 50;
/// Rows one query may return.
pub const MAX_LIMIT: i32 = 10_000;

pub(crate) async fn start_query(ctx: &Ctx<'_>, q: &QueryRequest) -> Result<String, BackendError> {
    const OP: &str = "StartQuery";
    if q.log_groups.is_empty() {
        return Err(BackendError::Other(format!("{OP}: no log group to query")));
    }
    let groups: Vec<String> = q.log_groups.iter().take(MAX_LOG_GROUPS).cloned().collect();
    let out = ctx
        .pace
        .logs
        .run(|| async {
            let call = ctx
                .clients
                .logs
                .start_query()
                .set_log_group_names(Some(groups.clone()))
                .start_time(q.start.timestamp())
                .end_time(q.end.timestamp())
                .query_string(q.query.clone())
                .set_limit(q.limit.map(|l| l.clamp(1, MAX_LIMIT)))
                .send();
            one_call(SERVICE, OP, ctx.profile, call).await
        })
        .await?;
    out.query_id()
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .ok_or_else(|| BackendError::Other(format!("{OP}: the answer has no query ID")))
}

pub(crate) fn status(s: Option<&SdkStatus>) -> QueryStatus {
    match s {
        Some(SdkStatus::Scheduled) => QueryStatus::Scheduled,
        Some(SdkStatus::Running) => QueryStatus::Running,
        Some(SdkStatus::Complete) => QueryStatus::Complete,
        Some(SdkStatus::Failed) => QueryStatus::Failed,
        Some(SdkStatus::Cancelled) => QueryStatus::Cancelled,
        Some(SdkStatus::Timeout) => QueryStatus::Timeout,
        _ => QueryStatus::Unknown,
    }
}

pub(crate) async fn query_results(ctx: &Ctx<'_>, id: &str) -> Result<QueryPage, BackendError> {
    const OP: &str = "GetQueryResults";
    let out = ctx
        .pace
        .logs
        .run(|| async {
            let call = ctx.clients.logs.get_query_results().query_id(id).send();
            one_call(SERVICE, OP, ctx.profile, call).await
        })
        .await?;
    let rows: Vec<ResultRow> = out
        .results()
        .iter()
        .map(|row| {
            row.iter()
                .filter_map(|f| Some((f.field()?.to_string(), clean(f.value().unwrap_or("")))))
                .collect()
        })
        .collect();
    let stats = out
        .statistics()
        .map(|s| QueryStats {
            records_matched: s.records_matched(),
            records_scanned: s.records_scanned(),
            bytes_scanned: s.bytes_scanned(),
            ..QueryStats::default()
        })
        .unwrap_or_default();
    Ok(QueryPage {
        status: status(out.status()),
        rows,
        stats,
        message: None,
    })
}

pub(crate) async fn stop_query(ctx: &Ctx<'_>, id: &str) -> Result<bool, BackendError> {
    const OP: &str = "StopQuery";
    let out = ctx
        .pace
        .logs
        .run(|| async {
            let call = ctx.clients.logs.stop_query().query_id(id).send();
            one_call(SERVICE, OP, ctx.profile, call).await
        })
        .await?;
    tracing::info!(query_id = id, success = out.success(), "StopQuery");
    Ok(out.success())
}

pub(crate) async fn saved_queries(ctx: &Ctx<'_>) -> Result<Vec<SavedQuery>, BackendError> {
    const OP: &str = "DescribeQueryDefinitions";
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    // No paginator in the SDK for this one: follow nextToken (bounded, in case a
    // service ever repeats a token).
    for _ in 0..50 {
        let page = ctx
            .pace
            .logs
            .run(|| async {
                let call = ctx
                    .clients
                    .logs
                    .describe_query_definitions()
                    .set_next_token(token.clone())
                    .send();
                one_call(SERVICE, OP, ctx.profile, call).await
            })
            .await?;
        out.extend(page.query_definitions().iter().map(|d| SavedQuery {
            name: clean(d.name().unwrap_or("(unnamed)")),
            query: d.query_string().unwrap_or_default().to_string(),
            log_groups: d.log_group_names().to_vec(),
        }));
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

#[async_trait]
impl FlowLogs for AwsBackend {
    async fn flow_logs(&self) -> Result<Vec<FlowLogSource>, BackendError> {
        let ctx = self.ctx().await;
        super::flow_ec2::flow_logs(&ctx).await
    }

    async fn start_query(&self, request: &QueryRequest) -> Result<String, BackendError> {
        let ctx = self.ctx().await;
        start_query(&ctx, request).await
    }

    async fn query_results(&self, query_id: &str) -> Result<QueryPage, BackendError> {
        let ctx = self.ctx().await;
        query_results(&ctx, query_id).await
    }

    async fn stop_query(&self, query_id: &str) -> Result<bool, BackendError> {
        let ctx = self.ctx().await;
        stop_query(&ctx, query_id).await
    }

    async fn saved_queries(&self) -> Result<Vec<SavedQuery>, BackendError> {
        let ctx = self.ctx().await;
        saved_queries(&ctx).await
    }

    async fn subnets(&self, vpc_ids: &[String]) -> Result<Vec<SubnetInfo>, BackendError> {
        let ctx = self.ctx().await;
        super::flow_ec2::subnets(&ctx, vpc_ids).await
    }

    async fn interfaces(&self, addresses: &[String]) -> Result<Vec<InterfaceInfo>, BackendError> {
        let ctx = self.ctx().await;
        super::flow_ec2::interfaces(&ctx, addresses).await
    }

    fn athena_config(&self) -> AthenaConfig {
        AwsBackend::athena_config(self).clone()
    }

    async fn athena_workgroup(&self) -> Result<Workgroup, BackendError> {
        self.athena_workgroup_impl().await
    }

    async fn athena_tables(&self) -> Result<Vec<AthenaTable>, BackendError> {
        self.athena_tables_impl().await
    }

    async fn athena_table(&self, name: &str) -> Result<AthenaTable, BackendError> {
        self.athena_table_impl(name).await
    }

    async fn start_athena(&self, sql: &str) -> Result<String, BackendError> {
        self.start_athena_impl(sql).await
    }

    async fn athena_results(&self, id: &str) -> Result<QueryPage, BackendError> {
        self.athena_results_impl(id).await
    }

    async fn stop_athena(&self, id: &str) -> Result<bool, BackendError> {
        self.stop_athena_impl(id).await
    }
}
