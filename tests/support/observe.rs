//! Observed coverage for in-process mocks: an interceptor on each mocked SDK client that
//! appends `mock <service> <Operation>` to the operations log (see `ops.rs`) for every
//! operation the mock actually answered. The "mocked" column of docs/testing.md comes
//! from these observations, never from a name a test writes down by hand.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Records each answered operation under `service` (the signing name used in
/// docs/testing.md: ec2, elasticloadbalancing, monitoring, logs, health).
#[derive(Debug, Clone)]
pub struct Observe {
    service: &'static str,
}

impl Observe {
    pub fn new(service: &'static str) -> Self {
        Self { service }
    }
}

impl Intercept for Observe {
    fn name(&self) -> &'static str {
        "grayscope-observe-ops"
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Answered: a response came back (an output or a modelled/HTTP error), as
        // opposed to a request that never left (construction or dispatch failure).
        let answered = context.response().is_some();
        if let (true, Some(meta)) = (answered, cfg.load::<Metadata>()) {
            super::ops::record("mock", self.service, meta.name());
        }
        Ok(())
    }
}
