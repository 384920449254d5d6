//! Fixed-window rate limiters kept in this server's memory, keyed by anything hashable
//! (client addresses, users).
//!
//! Memory is bounded and no request ever scans the whole map: keys live in shards (one lock
//! each), every shard remembers when each of its windows opened, in order, and forgets
//! expired windows from the oldest end as it goes. A shard that is full forgets its oldest
//! window early (that key starts afresh): flooding a limiter with new keys costs the flooder
//! a fresh budget for old keys, never the server its memory.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

const SHARDS: usize = 16;
/// Keys tracked per shard (so at most 16 × this per limiter).
const SHARD_CAPACITY: usize = 8_192;

#[derive(Debug)]
struct Shard<K> {
    /// Key → (when its window opened, attempts in it).
    windows: HashMap<K, (Instant, u32)>,
    /// Window openings, oldest first.
    opened: VecDeque<(Instant, K)>,
}

#[derive(Debug)]
pub struct RateLimiter<K> {
    limit: u32,
    window: Duration,
    capacity: usize,
    shards: Vec<Mutex<Shard<K>>>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self::with_capacity(limit, window, SHARD_CAPACITY)
    }

    fn with_capacity(limit: u32, window: Duration, capacity: usize) -> Self {
        let shards = (0..SHARDS)
            .map(|_| {
                Mutex::new(Shard {
                    windows: HashMap::new(),
                    opened: VecDeque::new(),
                })
            })
            .collect();
        Self {
            limit,
            window,
            capacity,
            shards,
        }
    }

    pub fn per_minute(limit: u32) -> Self {
        Self::new(limit, Duration::from_secs(60))
    }

    fn shard(&self, key: &K) -> MutexGuard<'_, Shard<K>> {
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        let index = (hasher.finish() as usize) % self.shards.len();
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts one attempt for `key` at `now`; `Err(seconds)` says how long until the next is
    /// allowed.
    pub fn check_at(&self, key: &K, now: Instant) -> Result<(), u64> {
        let mut shard = self.shard(key);
        let Shard { windows, opened } = &mut *shard;
        // Forget expired windows, oldest first; then, if still full, the oldest live one.
        while let Some((started, _)) = opened.front() {
            let expired = now.duration_since(*started) >= self.window;
            let full = windows.len() >= self.capacity && !windows.contains_key(key);
            if !expired && !full {
                break;
            }
            if let Some((started, old)) = opened.pop_front() {
                if windows.get(&old).is_some_and(|(s, _)| *s == started) {
                    windows.remove(&old);
                }
            }
        }
        let entry = windows.entry(key.clone()).or_insert_with(|| {
            opened.push_back((now, key.clone()));
            (now, 0)
        });
        if entry.1 >= self.limit {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }

    pub fn check(&self, key: &K) -> Result<(), u64> {
        self.check_at(key, Instant::now())
    }

    /// Seconds until `key` may try again, if its budget is spent now (counts nothing).
    pub fn retry_after(&self, key: &K) -> Option<u64> {
        let now = Instant::now();
        let shard = self.shard(key);
        let (started, attempts) = shard.windows.get(key)?;
        let elapsed = now.duration_since(*started);
        (elapsed < self.window && *attempts >= self.limit)
            .then(|| self.window.saturating_sub(elapsed).as_secs().max(1))
    }

    /// Whether `key` has spent its budget for now (counts nothing).
    pub fn is_limited(&self, key: &K) -> bool {
        self.retry_after(key).is_some()
    }

    /// How many keys are tracked (for tests).
    pub fn tracked(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map(|s| s.windows.len()).unwrap_or_default())
            .sum()
    }
}

/// The key an address is limited under: IPv6 addresses by their /64 (one subscriber
/// usually holds a whole /64, so per-address limits on v6 would be no limit at all), IPv4
/// and IPv4-mapped addresses as themselves.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_up_to_the_limit_then_says_how_long_to_wait() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at(&"ip", start), Ok(()));
        }
        assert_eq!(
            limiter.check_at(&"ip", start + Duration::from_secs(15)),
            Err(45)
        );
        assert_eq!(
            limiter.check_at(&"other", start),
            Ok(()),
            "keys are independent"
        );
        assert_eq!(
            limiter.check_at(&"ip", start + Duration::from_secs(60)),
            Ok(())
        );
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_keys() {
        let limiter = RateLimiter::with_capacity(1, Duration::from_secs(60), 100);
        let start = Instant::now();
        for i in 0..100_000u32 {
            let _ = limiter.check_at(&i, start);
        }
        assert!(limiter.tracked() <= 16 * 100, "{}", limiter.tracked());
        // Expired windows go as time passes.
        let later = start + Duration::from_secs(61);
        for shard_key in 0..1_000u32 {
            let _ = limiter.check_at(&(1_000_000 + shard_key), later);
        }
        assert!(limiter.tracked() <= 1_000, "{}", limiter.tracked());
    }

    #[test]
    fn ipv6_addresses_share_their_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        let b: IpAddr = "2001:db8:1:2:bbbb::9"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        let c: IpAddr = "2001:db8:1:3::1"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:203.0.113.7"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        assert_eq!(address_key(mapped), IpAddr::V4([203, 0, 113, 7].into()));
    }
}
