//! Invite codes: 128 random bits from the operating system's CSPRNG (through `rand`'s
//! thread generator, reseeded from it), base64url without padding: 22 characters. Only the
//! SHA-256 of a code is stored; a signed-out visitor's code waits in an HttpOnly cookie
//! while they sign up or sign in, so no page ever has to carry it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http::HeaderMap;

use crate::auth::session::{cookie_from_headers, private_cookie, token_hash};

pub const CODE_BYTES: usize = 16;
const CODE_CHARS: usize = 22;
pub const INVITE_COOKIE: &str = "onering_invite";
/// Long enough to sign up and come back; shorter than any invite's life.
const COOKIE_MAX_AGE_S: i64 = 60 * 60;

/// A fresh code (never stored).
pub fn new_code() -> String {
    let bytes: [u8; CODE_BYTES] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores for a code.
pub fn code_hash(code: &str) -> String {
    token_hash(code)
}

/// Whether `code` has the shape of one of ours (checked before any database lookup).
pub fn is_well_formed(code: &str) -> bool {
    code.len() == CODE_CHARS
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The path a code's link points to.
pub fn link(code: &str) -> String {
    format!("/refer/{code}")
}

/// The code a signed-out visitor opened, kept while they sign in.
pub fn code_from_cookie(headers: &HeaderMap) -> Option<String> {
    cookie_from_headers(headers, INVITE_COOKIE).filter(|c| is_well_formed(c))
}

pub fn remember_cookie(code: &str, secure: bool) -> String {
    private_cookie(INVITE_COOKIE, code, COOKIE_MAX_AGE_S, secure)
}

pub fn forget_cookie(secure: bool) -> String {
    private_cookie(INVITE_COOKIE, "", 0, secure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::COOKIE;
    use http::HeaderValue;

    #[test]
    fn codes_are_128_bit_url_safe_and_unique() {
        let code = new_code();
        assert_eq!(
            URL_SAFE_NO_PAD.decode(&code).map(|b| b.len()).ok(),
            Some(16)
        );
        assert!(is_well_formed(&code), "{code}");
        assert_ne!(code, new_code());
        assert!(!code_hash(&code).contains(&code));
    }

    #[test]
    fn malformed_codes_are_refused_before_the_database() {
        for bad in [
            "",
            "short",
            "../../etc/passwd-aaaaa",
            "aaaaaaaaaaaaaaaaaaaaa=",
            &"a".repeat(23),
        ] {
            assert!(!is_well_formed(bad), "{bad}");
        }
    }

    #[test]
    fn the_waiting_code_is_read_back_from_its_cookie() {
        let code = new_code();
        let set = remember_cookie(&code, false);
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"));
        let mut headers = HeaderMap::new();
        let sent = format!("onering_session=x; {INVITE_COOKIE}={code}");
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&sent).unwrap_or(HeaderValue::from_static("")),
        );
        assert_eq!(code_from_cookie(&headers), Some(code));
        assert!(forget_cookie(true).contains("Max-Age=0"));
    }
}
