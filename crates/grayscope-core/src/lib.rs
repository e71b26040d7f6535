//! grayscope's core: the domain model and the backend contract, without a terminal and
//! without the AWS SDK.
//!
//! - `model`: pure domain logic (zones, target tallies, metrics, the AZ verdict, bands,
//!   flow-log tallies, Health events, Reachability paths, zonal shift rules).
//! - `backend`: one trait per capability, bundled in `backend::Services`, and
//!   `backend::demo`, the simulated incident behind `--demo`. The live implementation
//!   is the `grayscope-aws` crate, the only one that depends on the SDK.
//! - `clock`: the system clock, or one frozen for tests and `--clock`.
//!
//! The grayscope crate re-exports these modules under the same paths
//! (`grayscope::model`, `grayscope::backend`, `grayscope::clock`).

pub mod backend;
pub mod clock;
pub mod model;
