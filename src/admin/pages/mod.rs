//! The admin pages: overview, people, billing events, reconciliation, the audit log.

mod audit;
mod events;
mod overview;
mod reconcile;
mod shell;
mod user;
mod users;

pub use audit::AdminAuditPage;
pub use events::{AdminEventPage, AdminEventsPage};
pub use overview::AdminOverviewPage;
pub use reconcile::AdminReconcilePage;
pub use user::AdminUserPage;
pub use users::AdminUsersPage;
