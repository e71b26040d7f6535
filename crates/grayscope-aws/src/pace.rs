//! Pacing per AWS service: a bound on calls in flight, and a shared delay that grows
//! when the service throttles and shrinks again as calls succeed.
//!
//! Many calls of one kind go out at once (DescribeTargetHealth for hundreds of target
//! groups); the team's own automation shares the same API rate limits during an
//! incident. So each service gets a [`Pacer`]: at most `limit` calls at a time, and when
//! one is throttled every later call of that service waits (doubling up to
//! [`MAX_DELAY`]) and the throttled call is tried again, up to [`MAX_TRIES`] times.
//! Each success halves the delay, so the service recovers once AWS does.

use crate::backend::BackendError;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// The first wait after a throttled call.
pub const FIRST_DELAY: Duration = Duration::from_millis(200);
/// The longest wait between calls of a throttled service.
pub const MAX_DELAY: Duration = Duration::from_secs(5);
/// Attempts of one call while its service throttles.
pub const MAX_TRIES: u32 = 4;

#[derive(Debug)]
pub struct Pacer {
    slots: Semaphore,
    delay_ms: AtomicU64,
    throttled: AtomicU64,
}

impl Pacer {
    pub fn new(limit: usize) -> Self {
        Self {
            slots: Semaphore::new(limit.max(1)),
            delay_ms: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
        }
    }

    /// The wait every call of this service takes now.
    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms.load(Ordering::Relaxed))
    }

    /// How many calls of this service were throttled so far.
    pub fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    fn slow_down(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
        let first = FIRST_DELAY.as_millis() as u64;
        let max = MAX_DELAY.as_millis() as u64;
        let _ = self
            .delay_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |d| {
                Some((d * 2).clamp(first, max))
            });
    }

    fn speed_up(&self) {
        let _ = self
            .delay_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |d| {
                Some(if d <= 25 { 0 } else { d / 2 })
            });
    }

    /// Runs `call` within the service's limit, waiting out its current delay, and tries
    /// it again while it is throttled.
    pub async fn run<T, F, Fut>(&self, mut call: F) -> Result<T, BackendError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, BackendError>>,
    {
        let mut tries = 0;
        loop {
            tries += 1;
            let result = {
                // The semaphore is never closed; if it were, run unbounded rather than fail.
                let _slot = self.slots.acquire().await.ok();
                let delay = self.delay();
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                call().await
            };
            match result {
                Err(BackendError::Throttled { .. }) if tries < MAX_TRIES => self.slow_down(),
                Err(e @ BackendError::Throttled { .. }) => {
                    self.slow_down();
                    return Err(e);
                }
                other => {
                    if other.is_ok() {
                        self.speed_up();
                    }
                    return other;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    fn throttled() -> BackendError {
        BackendError::Throttled {
            operation: "DescribeTargetHealth".into(),
        }
    }

    #[tokio::test]
    async fn throttling_slows_the_service_then_it_recovers() {
        let pacer = Pacer::new(4);
        let calls = AtomicUsize::new(0);
        let r = pacer
            .run(|| async {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                if n < 2 { Err(throttled()) } else { Ok(n) }
            })
            .await;
        assert_eq!(r, Ok(2), "the third try succeeds");
        assert_eq!(pacer.throttled(), 2);
        // Two throttles: 200 ms then 400 ms; the success halves it.
        assert_eq!(pacer.delay(), Duration::from_millis(200));
        for _ in 0..5 {
            pacer.run(|| async { Ok::<_, BackendError>(()) }).await.ok();
        }
        assert_eq!(pacer.delay(), Duration::ZERO, "recovered");
    }

    #[tokio::test]
    async fn gives_up_after_max_tries_and_says_throttled() {
        let pacer = Pacer::new(1);
        let calls = AtomicUsize::new(0);
        let r: Result<(), _> = pacer
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(throttled())
            })
            .await;
        assert_eq!(r, Err(throttled()));
        assert_eq!(calls.load(Ordering::SeqCst), MAX_TRIES as usize);
        assert!(pacer.delay() <= MAX_DELAY && pacer.delay() >= FIRST_DELAY);
    }

    #[tokio::test]
    async fn at_most_limit_calls_at_once() {
        let pacer = Arc::new(Pacer::new(3));
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let calls = (0..20).map(|_| {
            let (pacer, now, peak) = (pacer.clone(), now.clone(), peak.clone());
            tokio::spawn(async move {
                pacer
                    .run(|| async {
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(n, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        now.fetch_sub(1, Ordering::SeqCst);
                        Ok::<_, BackendError>(())
                    })
                    .await
            })
        });
        for c in futures::future::join_all(calls).await {
            assert!(c.expect("task").is_ok());
        }
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn other_errors_are_not_retried() {
        let pacer = Pacer::new(2);
        let calls = AtomicUsize::new(0);
        let r: Result<(), _> = pacer
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(BackendError::Other("no".into()))
            })
            .await;
        assert!(r.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(pacer.delay(), Duration::ZERO);
    }
}
