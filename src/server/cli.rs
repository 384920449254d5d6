//! The `onering` command line: serve (the default), or run one maintenance task against the
//! configured database and exit.
//!
//! - `onering` / `onering serve`: the web app;
//! - `onering analytics rebuild`: recompute the analytics rollups from the event store;
//! - `onering plans set <handle> <plan> [reason…]`: move someone to a plan (recorded as an
//!   admin change, from the command line);
//! - `onering admin grant <handle>` / `onering admin revoke <handle>`: give or take the admin
//!   role (the only way to either; each is in the audit log as actor `cli`).

use crate::db::{run_migrations, Db};

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Serve,
    RebuildAnalytics,
    SetPlan {
        handle: String,
        plan: String,
        reason: String,
    },
    Admin {
        handle: String,
        grant: bool,
    },
}

/// Reads the arguments (without the program name); `Err` carries the usage text.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] | ["serve"] => Ok(Command::Serve),
        ["analytics", "rebuild"] => Ok(Command::RebuildAnalytics),
        ["plans", "set", handle, plan, reason @ ..] => Ok(Command::SetPlan {
            handle: handle.trim_start_matches('@').to_owned(),
            plan: (*plan).to_owned(),
            reason: if reason.is_empty() {
                "set from the command line".to_owned()
            } else {
                reason.join(" ")
            },
        }),
        ["admin", verb @ ("grant" | "revoke"), handle] => Ok(Command::Admin {
            handle: (*handle).to_owned(),
            grant: *verb == "grant",
        }),
        _ => Err(USAGE.to_owned()),
    }
}

pub const USAGE: &str = "usage:\n  onering                                serve the app (also: onering serve)\n  onering analytics rebuild              recompute the analytics rollups from the events\n  onering plans set <handle> <plan> [why] move someone to a plan (free, creator, team)\n  onering admin grant|revoke <handle>    give or take the admin role (audited)";

/// Runs a maintenance command against `DATABASE_URL` and reports what it did.
pub async fn run_task(command: Command) -> Result<String, String> {
    let config = super::config::Config::from_env("127.0.0.1:3000").map_err(|e| e.to_string())?;
    let db = Db::connect(&config.database_url, 2)
        .await
        .map_err(|e| e.to_string())?;
    run_migrations(&db).await.map_err(|e| e.to_string())?;
    let report = match command {
        Command::Serve => Ok(String::new()),
        Command::RebuildAnalytics => crate::analytics::rebuild::rebuild(&db)
            .await
            .map(|r| {
                format!(
                    "rebuilt the analytics rollups from {} events: {} draft-day, {} person-day and {} person-hour rows",
                    r.events, r.draft_days, r.user_days, r.user_hours
                )
            })
            .map_err(|e| format!("rebuild failed: {e}")),
        Command::SetPlan {
            handle,
            plan,
            reason,
        } => set_plan(&db, &handle, &plan, &reason).await,
        Command::Admin { handle, grant } => {
            crate::admin::service::set_admin_role(&db, &handle, grant)
                .await
                .map_err(|e| match e {
                    crate::error::AppError::NotFound => format!("there is no one called @{handle}"),
                    other => other.to_string(),
                })
        }
    };
    db.close().await;
    report
}

async fn set_plan(db: &Db, handle: &str, plan: &str, reason: &str) -> Result<String, String> {
    let user_id: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE handle = $1")
        .bind(handle.to_lowercase())
        .fetch_optional(db.pool())
        .await
        .map_err(|e| e.to_string())?;
    let user_id = user_id.ok_or_else(|| format!("there is no one called @{handle}"))?;
    let (plan_id, note) = (plan.to_owned(), reason.to_owned());
    let changed = db
        .write_with(move |tx| {
            Box::pin(async move {
                crate::plans::store::change_plan(
                    tx,
                    &user_id,
                    &plan_id,
                    crate::plans::store::ChangeReason::Admin,
                    Some(&note),
                    crate::db::now_ms(),
                )
                .await
            })
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(if changed {
        format!("@{handle} is now on {plan}")
    } else {
        format!("@{handle} was already on {plan}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(parse(&args(&[])), Ok(Command::Serve));
        assert_eq!(parse(&args(&["serve"])), Ok(Command::Serve));
        assert_eq!(
            parse(&args(&["analytics", "rebuild"])),
            Ok(Command::RebuildAnalytics)
        );
        assert!(parse(&args(&["analytics"])).is_err());
        assert_eq!(
            parse(&args(&["plans", "set", "@ada", "team", "pilot", "user"])),
            Ok(Command::SetPlan {
                handle: "ada".into(),
                plan: "team".into(),
                reason: "pilot user".into()
            })
        );
        assert_eq!(
            parse(&args(&["admin", "grant", "ada"])),
            Ok(Command::Admin {
                handle: "ada".into(),
                grant: true
            })
        );
        assert_eq!(
            parse(&args(&["admin", "revoke", "ada"])),
            Ok(Command::Admin {
                handle: "ada".into(),
                grant: false
            })
        );
        assert!(parse(&args(&["admin", "grant"])).is_err());
        assert!(parse(&args(&["--help"])).is_err());
    }
}
