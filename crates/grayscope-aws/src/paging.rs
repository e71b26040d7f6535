//! The one paging loop: every paginated SDK call goes through [`all_pages`], which
//! logs each page with its latency, classifies a failed page into a [`BackendError`]
//! and hands each good page to the caller's mapping. [`one_call`] does the same for a
//! call without pages.

use super::error::classify;
use super::log_call;
use crate::backend::BackendError;
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::error::Error as StdError;
use std::time::Instant;

/// Reads every page of `pages` (an SDK paginator's `send()`), calling `each` on each.
/// The first failed page ends it with that page's error.
pub(crate) async fn all_pages<O, E>(
    service: &str,
    operation: &str,
    profile: Option<&str>,
    pages: PaginationStream<Result<O, SdkError<E, HttpResponse>>>,
    mut each: impl FnMut(&O),
) -> Result<(), BackendError>
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    pages_while(service, operation, profile, pages, |page| {
        each(page);
        true
    })
    .await
}

/// [`all_pages`] that stops asking for more pages as soon as `each` returns false (a
/// listing that has found enough).
pub(crate) async fn pages_while<O, E>(
    service: &str,
    operation: &str,
    profile: Option<&str>,
    mut pages: PaginationStream<Result<O, SdkError<E, HttpResponse>>>,
    mut each: impl FnMut(&O) -> bool,
) -> Result<(), BackendError>
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let mut started = Instant::now();
    while let Some(page) = pages.next().await {
        log_call(service, operation, started, page.is_ok());
        let page = page.map_err(|e| classify(operation, &e, profile))?;
        if !each(&page) {
            break;
        }
        started = Instant::now();
    }
    Ok(())
}

/// Sends one (unpaged) SDK request: logs it with its latency and classifies a failure.
pub(crate) async fn one_call<O, E>(
    service: &str,
    operation: &str,
    profile: Option<&str>,
    call: impl std::future::Future<Output = Result<O, SdkError<E, HttpResponse>>>,
) -> Result<O, BackendError>
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let started = Instant::now();
    let result = call.await;
    log_call(service, operation, started, result.is_ok());
    result.map_err(|e| classify(operation, &e, profile))
}

/// [`one_call`] that also reads a detail the error code alone does not carry from a
/// modelled service error (ARC's `ConflictException` reason, for one), so the caller
/// can say what happened in words.
pub(crate) async fn one_call_with_detail<O, E>(
    service: &str,
    operation: &str,
    profile: Option<&str>,
    call: impl std::future::Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    detail: impl FnOnce(&E) -> Option<String>,
) -> Result<O, (BackendError, Option<String>)>
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let started = Instant::now();
    let result = call.await;
    log_call(service, operation, started, result.is_ok());
    result.map_err(|e| {
        let reason = e.as_service_error().and_then(detail);
        (classify(operation, &e, profile), reason)
    })
}
