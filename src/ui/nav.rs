//! Paths the app builds from request data: return paths (`?next=`), and ids and values put
//! into a path or a query. Every such value is checked or percent-encoded here, so what ends
//! up in a `Location` header is always a valid header value and always stays on the site.
//! (The framework's redirect panics on an invalid header value: nothing from a request may
//! reach it unencoded.)

/// The longest return path we keep; anything longer goes home.
const NEXT_MAX: usize = 512;

/// Where to go after signing in: `next` if it is a plain local path, else `/`.
///
/// A plain local path starts with one `/` (not `//` or `/\`, which browsers read as another
/// host), holds no control characters, backslashes or whitespace, and still looks like that
/// once its percent-escapes are decoded (`/%2F/evil.example` and `/%09/evil.example` are
/// refused: browsers drop tabs and newlines, leaving `//evil.example`). Characters outside
/// ASCII are kept, percent-encoded.
pub fn safe_next(next: Option<String>) -> String {
    next.as_deref()
        .filter(|n| is_plain_local_path(n))
        .map(encode_path)
        .unwrap_or_else(|| "/".to_owned())
}

fn is_plain_local_path(path: &str) -> bool {
    let looks_local = |p: &[u8]| {
        p.first() == Some(&b'/')
            && !matches!(p.get(1), Some(b'/' | b'\\'))
            && p.iter().all(|&b| b > b' ' && b != 0x7f && b != b'\\')
    };
    let decoded = percent_decode(path);
    path.len() <= NEXT_MAX
        && looks_local(path.as_bytes())
        && looks_local(&decoded)
        && std::str::from_utf8(&decoded).is_ok_and(|text| !text.chars().any(char::is_control))
}

/// `%XX` escapes decoded to bytes; anything else kept as it is.
fn percent_decode(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let high = hex(h).unwrap_or_default();
                let low = hex(l).unwrap_or_default();
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

fn encode_bytes(value: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// A checked local path made safe for a header: visible ASCII kept, the rest encoded.
fn encode_path(path: &str) -> String {
    encode_bytes(path, |b| b.is_ascii_graphic())
}

/// One path segment (an id, a slug, a handle): everything but unreserved characters
/// encoded, so it can neither end the segment nor break a header.
pub fn encode_segment(value: &str) -> String {
    encode_bytes(value, is_unreserved)
}

/// A query value: like a segment, but `/` kept, so return paths stay readable.
pub fn encode_query_value(value: &str) -> String {
    encode_bytes(value, |b| is_unreserved(b) || b == b'/')
}

/// The sign-in page, coming back to `next` afterwards.
pub fn sign_in_then(next: &str) -> String {
    format!("/signin?next={}", encode_query_value(next))
}

/// The sign-up page, coming back to `next` afterwards.
pub fn sign_up_then(next: &str) -> String {
    format!("/signup?next={}", encode_query_value(next))
}

/// `/drafts/<id>`, with the id encoded whatever it holds.
pub fn draft_path(draft_id: &str) -> String {
    format!("/drafts/{}", encode_segment(draft_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/drafts/1".into())), "/drafts/1");
        assert_eq!(safe_next(Some("/refer".into())), "/refer");
        assert_eq!(safe_next(Some("/drafts?page=2".into())), "/drafts?page=2");
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/%09/evil.example",
            "/%0A/evil.example",
            "/%2F/evil.example",
            "/%2f/evil.example",
            "/%5C/evil.example",
            "/\n",
            "/a b",
            "/\u{0}",
            "/%00",
            "/%C0%AF",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile.into())), "/", "{hostile:?}");
        }
        assert_eq!(safe_next(Some(format!("/{}", "a".repeat(600)))), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn non_ascii_return_paths_are_encoded_for_the_header() {
        assert_eq!(safe_next(Some("/drafts/é".into())), "/drafts/%C3%A9");
    }

    #[test]
    fn segments_and_query_values_are_encoded() {
        assert_eq!(encode_segment("\n"), "%0A");
        assert_eq!(encode_segment("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(draft_path("x y"), "/drafts/x%20y");
        assert_eq!(
            sign_in_then("/refer/a?x=1&y=2#z"),
            "/signin?next=/refer/a%3Fx%3D1%26y%3D2%23z"
        );
        assert_eq!(
            sign_in_then(&draft_path("\n")),
            "/signin?next=/drafts/%250A"
        );
    }

    #[test]
    fn every_built_path_is_a_valid_header_value() {
        for hostile in ["\n", "\r\n", "\u{0}", "é", "//x", "%0A", " "] {
            for path in [
                sign_in_then(hostile),
                draft_path(hostile),
                safe_next(Some(hostile.into())),
            ] {
                assert!(path.bytes().all(|b| b.is_ascii_graphic()), "{path:?}");
            }
        }
    }
}
