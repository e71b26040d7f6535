//! Pure domain types and logic. No I/O, no SDK types, no clocks: every function here
//! takes what it needs as arguments so tests can pin it down.
//!
//! - `zones`: Availability Zones (name <-> ID), load balancers, CIDR matching.
//! - `targets`: target groups, target health states and per-zone tallies.
//! - `metrics`: per-AZ load-balancer metric series at one-minute resolution.
//! - `verdict`: the per-AZ verdict (OK / DEGRADED / IMPAIRED) that catches gray failures.
//! - `summary`: joins zones, target tallies and metrics into one row per zone.
//! - `command`: the `:` command line (parsing, completion).
//! - `filter`: the `/` filter of a table (substring, /regex/, ! to invert).
//! - `health`: AWS Health events: reading order, zone ties, the Markdown summary.
//! - `athena`: flow logs in S3 queried with Athena: the table DDL, partition predicates,
//!   the SQL of the tally and the records, the cost of a scan.
//! - `flowlogs`: VPC flow log records and formats, the REJECT tally query, its merge,
//!   pivots, and the attribution of addresses to zones by ID.
//! - `text`: sanitising strings that came from AWS before they reach the screen.
//! - `bands`: anomaly bands: out-of-band runs, periods, units, the local estimate.
//! - `zonal_shift`: ARC zonal shift: AZ IDs, expiry, the CLI command, capacity left.

pub mod athena;
pub mod bands;
pub mod command;
pub mod filter;
pub mod flowlogs;
pub mod health;
pub mod metrics;
pub mod reach;
pub mod summary;
pub mod targets;
pub mod text;
pub mod verdict;
pub mod zonal_shift;
pub mod zones;
