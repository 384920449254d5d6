//! The `onering` command line: serve (the default), or run one maintenance task against the
//! configured database and exit.
//!
//! - `onering` / `onering serve`: the web app;
//! - `onering analytics rebuild`: recompute the analytics rollups from the event store.

use crate::db::{run_migrations, Db};

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Serve,
    RebuildAnalytics,
}

/// Reads the arguments (without the program name); `Err` carries the usage text.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] | ["serve"] => Ok(Command::Serve),
        ["analytics", "rebuild"] => Ok(Command::RebuildAnalytics),
        _ => Err(USAGE.to_owned()),
    }
}

pub const USAGE: &str = "usage:\n  onering                     serve the app (also: onering serve)\n  onering analytics rebuild   recompute the analytics rollups from the events";

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
    };
    db.close().await;
    report
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
        assert!(parse(&args(&["--help"])).is_err());
    }
}
