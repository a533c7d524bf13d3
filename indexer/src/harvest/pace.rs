//! Request pacing: one pacer per host, so a source never exceeds its rate.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Spaces requests to one host at least `1 / rate` seconds apart, measured between
/// actual send times, and holds them back while the host has asked us to wait.
///
/// We pace rather than burst: E-utilities and ORCID count requests per second
/// server-side, and an evenly spaced stream at the documented rate is both
/// the fastest legal schedule and the one that never trips their 429/503.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    /// A pacer allowing `rate` requests per second (a non-positive rate means unpaced).
    pub fn new(rate: f64) -> Self {
        let interval = if rate > 0.0 && rate.is_finite() {
            Duration::from_secs_f64(1.0 / rate)
        } else {
            Duration::ZERO
        };
        Self {
            interval,
            next: Mutex::new(Instant::now()),
        }
    }

    /// The minimum gap between two requests.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits for this host's next slot and claims it.
    pub async fn wait(&self) {
        let mut next = self.next.lock().await;
        tokio::time::sleep_until(*next).await;
        // Schedule from the actual send time, not the planned slot: a late
        // wake-up must not let the following request come early.
        *next = Instant::now() + self.interval;
    }

    /// Holds every request to this host until at least `delay` from now (`Retry-After`).
    pub async fn hold_for(&self, delay: Duration) {
        let mut next = self.next.lock().await;
        let until = Instant::now() + delay;
        if until > *next {
            *next = until;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn spaces_requests_and_honours_holds() {
        let pacer = Pacer::new(4.0);
        let start = Instant::now();
        for _ in 0..5 {
            pacer.wait().await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(1000));
        pacer.hold_for(Duration::from_secs(3)).await;
        pacer.wait().await;
        assert_eq!(start.elapsed(), Duration::from_millis(4000));
    }
}
