//! Account types shared by the server and the browser, and the parsing rules for their
//! fields. The rules run in both places: the browser for instant feedback, the server as
//! the authority.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::AppError;

pub const HANDLE_MIN: usize = 3;
pub const HANDLE_MAX: usize = 30;
pub const PASSWORD_MIN: usize = 10;
/// Argon2 accepts more, but nobody types this much and it bounds the hashing cost.
pub const PASSWORD_MAX: usize = 256;
const EMAIL_MAX: usize = 254;

/// A normalised handle: lowercase `[a-z0-9_]`, 3–30 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Handle(String);

impl Handle {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let handle = raw.trim().trim_start_matches('@').to_lowercase();
        let len = handle.chars().count();
        if !(HANDLE_MIN..=HANDLE_MAX).contains(&len) {
            return Err(AppError::validation(
                "handle",
                format!("Handles are {HANDLE_MIN} to {HANDLE_MAX} characters long."),
            ));
        }
        if !handle
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(AppError::validation(
                "handle",
                "Use only letters, digits and underscores in your handle.",
            ));
        }
        Ok(Self(handle))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address as typed (trimmed), with its case-insensitive comparison key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    display: String,
    normalized: String,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let display = raw.trim().to_owned();
        let invalid =
            || AppError::validation("email", "Enter an email address like name@example.com.");
        if display.len() > EMAIL_MAX || display.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let (local, domain) = display.rsplit_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        let normalized = display.to_lowercase();
        Ok(Self {
            display,
            normalized,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

/// Length rules for a new password (it is never stored; only its argon2id hash is).
pub fn check_new_password(password: &str, handle: &str, email: &str) -> Result<(), AppError> {
    let len = password.chars().count();
    if len < PASSWORD_MIN {
        return Err(AppError::validation(
            "password",
            format!("Use at least {PASSWORD_MIN} characters for your password."),
        ));
    }
    if len > PASSWORD_MAX {
        return Err(AppError::validation(
            "password",
            format!("Passwords can be at most {PASSWORD_MAX} characters."),
        ));
    }
    let lowered = password.to_lowercase();
    if lowered == handle.to_lowercase() || lowered == email.trim().to_lowercase() {
        return Err(AppError::validation(
            "password",
            "Choose a password that isn't your handle or email.",
        ));
    }
    Ok(())
}

/// The public display id for a user: `@u_` and six hex digits of SHA-256 of the user id.
/// Stable for a user, and reveals nothing about them.
pub fn display_id(user_id: &str) -> String {
    let digest = Sha256::digest(user_id.as_bytes());
    format!("@u_{}", &hex::encode(digest)[..6])
}

/// What anyone may see about a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicUser {
    pub id: String,
    pub handle: String,
    pub display_id: String,
}

/// What a signed-in user sees about themselves (their own email included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user: PublicUser,
    pub email: String,
    pub created_at_ms: i64,
}

/// One of the signed-in user's sessions, for the "where you're signed in" list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub id: String,
    pub device: String,
    pub created_at_ms: i64,
    pub last_seen_at_ms: i64,
    pub current: bool,
}

/// A short, human name for a user agent string ("Chrome on Linux").
pub fn describe_user_agent(user_agent: &str) -> String {
    if user_agent.trim().is_empty() {
        return "Unknown device".to_owned();
    }
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome", "Headless Chrome"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(needle, _)| user_agent.contains(needle))
    .map_or("Browser", |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| user_agent.contains(needle))
    .map(|(_, name)| *name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_normalised() {
        assert_eq!(
            Handle::parse("  @Ada_Lovelace ").map(|h| h.0),
            Ok("ada_lovelace".into())
        );
        assert_eq!(Handle::parse("abc").map(|h| h.0), Ok("abc".into()));
    }

    #[test]
    fn handles_reject_bad_length_and_characters() {
        for bad in [
            "ab",
            "",
            &"a".repeat(31),
            "ada-lovelace",
            "ada lovelace",
            "adá",
            "ada.l",
        ] {
            let err = Handle::parse(bad).err();
            assert!(
                err.is_some_and(|e| e.for_field("handle").is_some()),
                "{bad:?}"
            );
        }
        assert!(Handle::parse(&"a".repeat(30)).is_ok());
    }

    #[test]
    fn emails_compare_case_insensitively() {
        let email = Email::parse(" Ada@Example.COM ");
        assert_eq!(email.as_ref().map(Email::as_str), Ok("Ada@Example.COM"));
        assert_eq!(email.as_ref().map(Email::normalized), Ok("ada@example.com"));
    }

    #[test]
    fn emails_must_look_like_emails() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "a@.com",
            "a@x..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_have_bounds_and_differ_from_identity() {
        assert!(check_new_password("short", "ada", "ada@example.com").is_err());
        assert!(check_new_password(&"x".repeat(257), "ada", "ada@example.com").is_err());
        assert!(check_new_password("ada_lovelace", "ada_lovelace", "a@example.com").is_err());
        assert!(check_new_password("correct horse battery", "ada", "a@example.com").is_ok());
    }

    #[test]
    fn display_id_is_deterministic_and_short() {
        let a = display_id("0b7e6c2e-1111-4a4a-9c9c-000000000001");
        assert_eq!(a, display_id("0b7e6c2e-1111-4a4a-9c9c-000000000001"));
        assert_ne!(a, display_id("0b7e6c2e-1111-4a4a-9c9c-000000000002"));
        assert!(a.starts_with("@u_") && a.len() == 9);
        assert!(a[3..].chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn user_agents_read_as_devices() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(describe_user_agent(chrome), "Chrome on Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_user_agent(iphone), "Safari on iPhone");
        assert_eq!(describe_user_agent(""), "Unknown device");
        assert_eq!(describe_user_agent("curl/8.0"), "curl");
    }
}
