//! Network credentials at rest: sealed with XChaCha20-Poly1305 under `PUBLISHING_KEY`.
//!
//! Why this: an AEAD (tampering is detected, not just hidden) with 24-byte nonces, which are
//! safe to pick at random for every seal; the RustCrypto crate `chacha20poly1305` is pure
//! Rust (no C toolchain, builds on every machine this app does), constant-time, and audited
//! (NCC Group, 2020). Each sealed value is bound to its row and purpose by the associated
//! data (`connection:<id>`), so a ciphertext copied into another row does not open.
//!
//! Stored form: `v1.` + base64url(nonce ‖ ciphertext+tag). The key (32 bytes, base64) comes
//! from configuration; without it the server cannot publish, and says so. Secrets are never
//! logged: [`Sealed`] and the key print as `<sealed>`.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const PREFIX: &str = "v1.";
const NONCE_LEN: usize = 24;

/// The key credentials are sealed with.
#[derive(Clone)]
pub struct VaultKey([u8; 32]);

impl std::fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VaultKey(<secret>)")
    }
}

impl VaultKey {
    /// From configuration: 32 bytes in base64 (`openssl rand -base64 32`).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(raw.trim())
            .or_else(|_| URL_SAFE_NO_PAD.decode(raw.trim()))
            .map_err(|_| "must be base64".to_owned())?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "must be 32 bytes (openssl rand -base64 32)".to_owned())?;
        Ok(Self(key))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// Seals `plaintext` for the row and purpose named by `context`.
    pub fn seal(&self, plaintext: &str, context: &str) -> Result<String, String> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let nonce = XNonce::from(nonce_bytes);
        let sealed = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| "could not seal".to_owned())?;
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// Opens what [`VaultKey::seal`] made for the same `context`.
    pub fn open(&self, sealed: &str, context: &str) -> Result<String, String> {
        let body = sealed
            .strip_prefix(PREFIX)
            .ok_or_else(|| "not a sealed value".to_owned())?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| "not a sealed value".to_owned())?;
        if bytes.len() < NONCE_LEN {
            return Err("not a sealed value".to_owned());
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce
            .try_into()
            .map_err(|_| "not a sealed value".to_owned())?;
        let plain = self
            .cipher()
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| "the sealed value does not open with this key".to_owned())?;
        String::from_utf8(plain).map_err(|_| "not a sealed value".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> VaultKey {
        VaultKey([byte; 32])
    }

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let sealed = key(1)
            .seal("app-password-1234", "connection:a")
            .unwrap_or_default();
        assert!(!sealed.contains("app-password"));
        assert_eq!(
            key(1).open(&sealed, "connection:a").ok().as_deref(),
            Some("app-password-1234")
        );
        assert!(key(2).open(&sealed, "connection:a").is_err(), "another key");
        assert!(key(1).open(&sealed, "connection:b").is_err(), "another row");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(key(1).open(&tampered, "connection:a").is_err(), "tampered");
        assert_ne!(
            sealed,
            key(1)
                .seal("app-password-1234", "connection:a")
                .unwrap_or_default(),
            "fresh nonce"
        );
    }

    #[test]
    fn keys_are_32_bytes_of_base64_and_never_print() {
        assert!(VaultKey::parse("c2hvcnQ=").is_err());
        assert!(VaultKey::parse("not base64!").is_err());
        let key = VaultKey::parse(&STANDARD.encode([7u8; 32]));
        assert!(key.is_ok());
        assert!(!format!("{key:?}").contains('7'));
    }
}
