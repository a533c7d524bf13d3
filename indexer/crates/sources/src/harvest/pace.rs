//! Request pacing: one pacer per host, so a source never exceeds its rate.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// The window a rate is counted over, with a margin for clock and network
/// jitter between our send time and the server's count.
const WINDOW: Duration = Duration::from_millis(1_005);

/// Spaces requests to one host `1 / rate` seconds apart and never lets more
/// than `rate` of them into any one-second window; holds them back while the
/// host has asked us to wait.
///
/// We pace rather than burst: E-utilities and ORCID count requests per second
/// server-side, and an evenly spaced stream at the documented rate is both
/// the fastest legal schedule and the one that never trips their 429/503.
/// Slots follow a fixed schedule, so a late wake-up (a busy runtime) does not
/// push every later request back; the sliding-window check keeps that
/// catch-up from ever exceeding the rate.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    /// Requests allowed in any one-second window (0: no window check, for rates below 1/s).
    per_window: usize,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The next scheduled slot.
    next: Instant,
    /// Send times of the last `per_window` requests.
    recent: VecDeque<Instant>,
}

impl Pacer {
    /// A pacer allowing `rate` requests per second (a non-positive rate means unpaced).
    pub fn new(rate: f64) -> Self {
        let (interval, per_window) = if rate > 0.0 && rate.is_finite() {
            (Duration::from_secs_f64(1.0 / rate), rate.floor() as usize)
        } else {
            (Duration::ZERO, 0)
        };
        Self {
            interval,
            per_window,
            state: Mutex::new(State {
                next: Instant::now(),
                recent: VecDeque::new(),
            }),
        }
    }

    /// The minimum average gap between two requests.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits for this host's next slot and claims it.
    pub async fn wait(&self) {
        let mut state = self.state.lock().await;
        let mut slot = state.next.max(Instant::now());
        if self.per_window > 0 && state.recent.len() >= self.per_window {
            if let Some(oldest) = state.recent.front() {
                slot = slot.max(*oldest + WINDOW);
            }
        }
        tokio::time::sleep_until(slot).await;
        state.next = slot + self.interval;
        if self.per_window > 0 {
            state.recent.push_back(Instant::now());
            while state.recent.len() > self.per_window {
                state.recent.pop_front();
            }
        }
    }

    /// Holds every request to this host until at least `delay` from now (`Retry-After`).
    pub async fn hold_for(&self, delay: Duration) {
        let mut state = self.state.lock().await;
        let until = Instant::now() + delay;
        if until > state.next {
            state.next = until;
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
        for _ in 0..4 {
            pacer.wait().await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(750));
        // The fifth request in a row must leave the first one's window.
        pacer.wait().await;
        assert_eq!(start.elapsed(), WINDOW);
        pacer.hold_for(Duration::from_secs(3)).await;
        pacer.wait().await;
        assert!(start.elapsed() >= WINDOW + Duration::from_secs(3));
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn a_late_request_does_not_delay_the_schedule_or_break_the_window() {
        let pacer = Pacer::new(2.0);
        let start = Instant::now();
        pacer.wait().await;
        // The caller was busy: the next slot (0.5 s) passed unused.
        tokio::time::sleep(Duration::from_millis(700)).await;
        pacer.wait().await;
        assert_eq!(start.elapsed(), Duration::from_millis(700));
        // An idle caller earns no burst: the schedule restarts from the late request.
        pacer.wait().await;
        assert_eq!(start.elapsed(), Duration::from_millis(1_200));
    }
}
