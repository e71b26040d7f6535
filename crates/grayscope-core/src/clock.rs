//! Time, in one place, so that the demo and the tests can freeze it.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The real wall clock.
    System,
    /// Always this instant (screenshots, tests).
    Frozen(DateTime<Utc>),
    /// From `start`, running `factor` times faster than the wall clock since `since`
    /// (the demo soak: 24 hours of the incident in minutes).
    Accelerated {
        start: DateTime<Utc>,
        since: std::time::Instant,
        factor: u32,
    },
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Frozen(t) => *t,
            Clock::Accelerated {
                start,
                since,
                factor,
            } => {
                let real = since.elapsed().as_millis() as i64;
                *start + chrono::Duration::milliseconds(real.saturating_mul(i64::from(*factor)))
            }
        }
    }

    /// A clock from `start` running `factor` times faster than the wall clock.
    pub fn accelerated(start: DateTime<Utc>, factor: u32) -> Clock {
        Clock::Accelerated {
            start,
            since: std::time::Instant::now(),
            factor: factor.max(1),
        }
    }

    pub fn is_frozen(&self) -> bool {
        matches!(self, Clock::Frozen(_))
    }
}
