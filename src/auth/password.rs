//! Password hashing with argon2id (OWASP parameters: m = 19456 KiB, t = 2, p = 1).
//!
//! Hashing takes tens of milliseconds of CPU, so it runs on the blocking pool, never on the
//! async runtime's threads.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

fn argon2() -> Argon2<'static> {
    // These constants are valid argon2 parameters; `Params::DEFAULT` is the same m/t/p.
    let params = Params::new(19_456, 2, 1, None).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|err| {
        tracing::error!(error = %err, "salt encoding failed");
        AppError::Internal
    })?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| {
            tracing::error!(error = %err, "password hashing failed");
            AppError::Internal
        })
}

fn verify_blocking(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of a random password, verified against when the account does not exist so that an
/// unknown account costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&uuid::Uuid::new_v4().to_string()).unwrap_or_default())
}

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

/// Verifies `password` against `stored`, or against a dummy hash when there is no account.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let matched = tokio::task::spawn_blocking(move || match stored {
        Some(stored) => verify_blocking(&password, &stored),
        None => {
            let _ = verify_blocking(&password, dummy_hash());
            false
        }
    })
    .await?;
    Ok(matched)
}

/// Computes the dummy hash ahead of the first sign-in, so that request is not slower.
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(dummy_hash).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let first = hash("correct horse battery".into())
            .await
            .unwrap_or_default();
        let second = hash("correct horse battery".into())
            .await
            .unwrap_or_default();
        assert!(
            first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{first}"
        );
        assert_ne!(first, second, "every hash has its own salt");
        assert!(!first.contains("correct horse"));
        assert_eq!(
            verify("correct horse battery".into(), Some(first.clone())).await,
            Ok(true)
        );
        assert_eq!(
            verify("wrong horse battery".into(), Some(first)).await,
            Ok(false)
        );
        assert_eq!(verify("anything".into(), None).await, Ok(false));
    }

    #[test]
    fn garbage_stored_hash_never_verifies() {
        assert!(!verify_blocking("x", "not a hash"));
    }
}
