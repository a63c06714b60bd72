//! Repeated failed logins from one client address slow down: after a few in a row, the address
//! waits a cool-down that doubles with each further failure (429 with `Retry-After`), so that
//! guessing passwords costs time. A success clears the address. Time is the registry's clock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

/// Failures in a row an address may make before it waits.
const FREE_FAILURES: u32 = 5;
/// The first cool-down, doubled with each failure after it, up to the longest.
const FIRST_COOL_DOWN_SECONDS: i64 = 1;
const LONGEST_COOL_DOWN_SECONDS: i64 = 300;
/// Addresses remembered; past it, those whose cool-down is over are forgotten.
const REMEMBERED: usize = 10_000;

/// The address a connection comes from, as the server attaches it to each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<IpAddr, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    in_a_row: u32,
    until: Timestamp,
}

impl Throttle {
    /// The seconds left of the address's cool-down, if it is in one.
    pub fn waiting(&self, client: IpAddr, now: Timestamp) -> Option<i64> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let until = failures.get(&client)?.until;
        (until > now).then(|| now.duration_until(until).as_secs().max(1))
    }

    pub fn failed(&self, client: IpAddr, now: Timestamp) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= REMEMBERED {
            failures.retain(|_, f| f.until > now);
        }
        let entry = failures.entry(client).or_insert(Failures {
            in_a_row: 0,
            until: now,
        });
        entry.in_a_row += 1;
        if let Some(beyond) = entry.in_a_row.checked_sub(FREE_FAILURES + 1) {
            let seconds = FIRST_COOL_DOWN_SECONDS
                .checked_shl(beyond.min(30))
                .unwrap_or(i64::MAX)
                .min(LONGEST_COOL_DOWN_SECONDS);
            entry.until = now + SignedDuration::from_secs(seconds);
        }
    }

    pub fn succeeded(&self, client: IpAddr) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_in_a_row_wait_a_doubling_cool_down_and_a_success_clears_it() {
        let throttle = Throttle::default();
        let client: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        let start: Timestamp = "2026-11-30T00:00:00Z".parse().unwrap();
        for _ in 0..FREE_FAILURES {
            throttle.failed(client, start);
            assert_eq!(throttle.waiting(client, start), None);
        }
        throttle.failed(client, start);
        assert_eq!(throttle.waiting(client, start), Some(1));
        assert_eq!(throttle.waiting(other, start), None);
        throttle.failed(client, start);
        assert_eq!(throttle.waiting(client, start), Some(2));
        let later = start + SignedDuration::from_secs(2);
        assert_eq!(throttle.waiting(client, later), None);
        for _ in 0..40 {
            throttle.failed(client, later);
        }
        assert_eq!(
            throttle.waiting(client, later),
            Some(LONGEST_COOL_DOWN_SECONDS)
        );
        throttle.succeeded(client);
        assert_eq!(throttle.waiting(client, later), None);
    }
}
