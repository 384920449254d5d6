//! Background jobs shared by every server on one database: retries, changes due at a
//! time, and periodic work. Billing uses it for webhook retries, period ends and
//! reconciliation; scheduled publishing will use it too.
//!
//! Our own ~300 lines rather than a crate: the job crates for Rust either need sqlx 0.9 (a
//! second sqlx in the tree) or run only on PostgreSQL.
//!
//! - A job is a row in `jobs` (migration 0010). `(kind, dedupe_key)` is unique, so the same
//!   work enqueued twice (the same webhook event, the same hourly slot) is one job.
//! - Claiming is one `UPDATE … RETURNING` over the due rows (on PostgreSQL over a
//!   `SELECT … FOR UPDATE SKIP LOCKED`, so several servers share the work without taking
//!   the same job; on SQLite the single writer makes it atomic). A claim takes a lease; a
//!   server that dies mid-job lets it run out and the job is claimed again.
//! - A failure is retried with exponential backoff and jitter up to a cap, then left
//!   `failed` with its last error, for an admin.
//! - Periodic work ([`runner::Runner::every`]) is enqueued as a job keyed by its time slot,
//!   so one server runs each slot.

pub mod runner;
pub mod store;

pub use runner::Runner;
pub use store::{enqueue, Job, NewJob};
