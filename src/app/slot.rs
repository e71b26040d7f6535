//! A pane's hold on one piece of remote data: the last good value with its time, whether
//! a fetch is under way, and the last error with its time. An error never throws the
//! last good data away: the pane shows both until the next success.

use crate::backend::BackendError;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct Slot<T> {
    pub data: Option<T>,
    pub at: Option<DateTime<Utc>>,
    pub loading: bool,
    pub error: Option<(BackendError, DateTime<Utc>)>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            data: None,
            at: None,
            loading: false,
            error: None,
        }
    }
}

impl<T> Slot<T> {
    pub fn start(&mut self) {
        self.loading = true;
    }

    pub fn finish(&mut self, result: Result<T, BackendError>, now: DateTime<Utc>) {
        self.loading = false;
        match result {
            Ok(data) => {
                self.data = Some(data);
                self.at = Some(now);
                self.error = None;
            }
            Err(e) => self.error = Some((e, now)),
        }
    }

    pub fn get(&self) -> Option<&T> {
        self.data.as_ref()
    }
}

/// How long ago, in the fewest characters a person reads at a glance: `<1m`, `3m`,
/// `2h`. It moves at most once a minute, so an idle screen is not redrawn just to
/// count (every redraw costs bytes over a congested SSH link); fresh data is `<1m`,
/// and what matters at 3 a.m., data going stale, shows within the minute.
pub fn age(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let s = (now - then).num_seconds().max(0);
    if s < 60 {
        "<1m".to_string()
    } else if s < 3600 {
        format!("{}m", s / 60)
    } else if s < 86_400 {
        format!("{}h", s / 3600)
    } else {
        format!("{}d", s / 86_400)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn error_keeps_last_data() {
        let t0 = Utc.timestamp_opt(1_000, 0).single().expect("time");
        let t1 = Utc.timestamp_opt(1_030, 0).single().expect("time");
        let mut s: Slot<u32> = Slot::default();
        s.start();
        s.finish(Ok(7), t0);
        s.start();
        s.finish(Err(BackendError::Other("boom".into())), t1);
        assert_eq!(s.get(), Some(&7));
        assert_eq!(s.at, Some(t0));
        assert!(!s.loading);
        assert_eq!(s.error.as_ref().map(|e| e.1), Some(t1));
        s.finish(Ok(8), t1);
        assert!(s.error.is_none());
    }

    #[test]
    fn ages_are_short() {
        let t = Utc.timestamp_opt(0, 0).single().expect("time");
        assert_eq!(age(t, t + chrono::Duration::seconds(4)), "<1m");
        assert_eq!(age(t, t + chrono::Duration::seconds(59)), "<1m");
        assert_eq!(age(t, t + chrono::Duration::seconds(185)), "3m");
        assert_eq!(age(t, t + chrono::Duration::hours(5)), "5h");
        assert_eq!(age(t + chrono::Duration::seconds(5), t), "<1m");
    }
}
