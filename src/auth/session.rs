//! Session tokens and cookies.
//!
//! A session token is 256 random bits, base64url, sent only in an HttpOnly cookie. The
//! database keeps its SHA-256, so a leaked database row cannot be replayed as a cookie.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cookie::{Cookie, SameSite};
use http::header::COOKIE;
use http::HeaderMap;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "onering_session";

/// A fresh session token (never stored).
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores for a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The session token from the request's cookies, if any.
pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    cookie_from_headers(headers, SESSION_COOKIE)
}

/// The non-empty value of cookie `name` in the request, if any.
pub fn cookie_from_headers(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` value for a site-wide cookie that scripts cannot read (an empty `value`
/// with `max_age_s` 0 removes it).
pub fn private_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> String {
    Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age_s))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that stores `token` for `max_age_s` seconds.
pub fn session_cookie(token: &str, max_age_s: i64, secure: bool) -> String {
    private_cookie(SESSION_COOKIE, token, max_age_s, secure)
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clearing_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn tokens_are_256_bit_and_unique() {
        let a = new_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).map(|b| b.len()).ok(), Some(32));
        assert_ne!(a, new_token());
    }

    #[test]
    fn stored_hash_is_not_the_token() {
        let token = new_token();
        let hash = token_hash(&token);
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(&token));
        assert_eq!(hash, token_hash(&token));
    }

    #[test]
    fn cookie_flags() {
        let set = session_cookie("abc", 60, false);
        assert!(set.starts_with("onering_session=abc"));
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=60"] {
            assert!(set.contains(flag), "{set} lacks {flag}");
        }
        assert!(!set.contains("Secure"));
        assert!(session_cookie("abc", 60, true).contains("Secure"));
        assert!(clearing_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn reads_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("theme=dark; onering_session=tok123"),
        );
        assert_eq!(token_from_headers(&headers).as_deref(), Some("tok123"));
        headers.insert(COOKIE, HeaderValue::from_static("onering_session="));
        assert_eq!(token_from_headers(&headers), None);
    }
}
