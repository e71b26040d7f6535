//! Capability: anomaly-detection bands (CloudWatch GetMetricData with
//! `ANOMALY_DETECTION_BAND`, the detector calls, ListMetrics for the metric picker).
//! Domain types in and out (`crate::model::bands`); the live implementation is
//! `backend::aws::bands`, the simulation `backend::demo::bands`.

use crate::backend::{BackendError, Partial};
use crate::model::bands::{BandChart, BandMetric, BandQuery, CustomMetric, DetectorState};
use async_trait::async_trait;

#[async_trait]
pub trait Bands: Send + Sync {
    /// The metric and its band (`FIRST`/`LAST` of `ANOMALY_DETECTION_BAND(m, width)`)
    /// over the query's range, in one GetMetricData call (plus its pages). No band in
    /// the answer is not an error: the chart's source is then `None`.
    async fn band_chart(&self, query: &BandQuery) -> Result<BandChart, BackendError>;

    /// The metric alone, slot-aligned, from `ESTIMATE_DAYS` days before `query.start`
    /// to `query.end` (for the local estimate when CloudWatch has no band).
    async fn history(
        &self,
        query: &BandQuery,
        days: usize,
    ) -> Result<Vec<Option<f64>>, BackendError>;

    /// What CloudWatch's model for this metric and statistic is doing.
    async fn detector(&self, metric: &BandMetric) -> Result<DetectorState, BackendError>;

    /// Creates a detector for this metric and statistic (a write: the pane asks first).
    async fn create_detector(&self, metric: &BandMetric) -> Result<(), BackendError>;

    /// Deletes a detector grayscope created.
    async fn delete_detector(&self, metric: &BandMetric) -> Result<(), BackendError>;

    /// Metrics in a namespace (for completing a typed metric), at most `limit`.
    async fn list_metrics(
        &self,
        namespace: &str,
        limit: usize,
    ) -> Result<Partial<Vec<CustomMetric>>, BackendError>;
}
