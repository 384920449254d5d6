//! Stored webhook payloads as admins see them: pretty-printed, with anything secret
//! replaced by `"[redacted]"`. A value is secret when its key names one (secret, password,
//! token, key, signature, authorization, client_secret…) or when it looks like a credential
//! whatever its key (Stripe's `sk_`, `rk_`, `whsec_` prefixes, a `Bearer` header value).

use serde_json::Value;

const REDACTED: &str = "[redacted]";

/// Keys whose values are secret wherever they appear (compared lowercased, as substrings).
const SECRET_KEYS: [&str; 8] = [
    "secret",
    "password",
    "token",
    "api_key",
    "apikey",
    "signature",
    "authorization",
    "private_key",
];

/// Prefixes of credentials Stripe (and the rest of the web) hands out.
const SECRET_PREFIXES: [&str; 6] = ["sk_", "rk_", "whsec_", "bearer ", "pk_live_", "ek_"];

fn is_secret_key(key: &str) -> bool {
    let key = key.to_lowercase();
    SECRET_KEYS.iter().any(|k| key.contains(k))
}

fn looks_like_credential(value: &str) -> bool {
    let value = value.trim_start().to_lowercase();
    SECRET_PREFIXES.iter().any(|p| value.starts_with(p))
}

/// Redacts `value` in place.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_secret_key(key) && !inner.is_null() {
                    *inner = Value::String(REDACTED.to_owned());
                } else {
                    redact(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::String(text) if looks_like_credential(text) => {
            *text = REDACTED.to_owned();
        }
        _ => {}
    }
}

/// The payload to show: redacted and pretty-printed, or, when it is not JSON at all (it was
/// stored because it was signed, not because it parsed), a note instead of the raw text.
pub fn for_display(payload: &str) -> String {
    match serde_json::from_str::<Value>(payload) {
        Ok(mut value) => {
            redact(&mut value);
            serde_json::to_string_pretty(&value).unwrap_or_default()
        }
        Err(_) => format!("(not JSON: {} bytes, not shown)", payload.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_by_key_and_by_shape() {
        let payload = r#"{
            "id": "evt_1",
            "data": {"object": {
                "client_secret": "pi_123_secret_456",
                "customer": "cus_9",
                "metadata": {"note": "sk_live_abcdef", "onering_user": "u-1"},
                "headers": [{"Authorization": "Bearer xyz"}],
                "api_key": null,
                "webhook": "whsec_abc"
            }}
        }"#;
        let shown = for_display(payload);
        for secret in [
            "pi_123_secret_456",
            "sk_live_abcdef",
            "Bearer xyz",
            "whsec_abc",
        ] {
            assert!(!shown.contains(secret), "{secret} was shown");
        }
        assert!(shown.contains("cus_9") && shown.contains("evt_1") && shown.contains("u-1"));
        assert!(
            shown.contains("\"api_key\": null"),
            "a missing secret stays visibly missing"
        );
    }

    #[test]
    fn a_payload_that_is_not_json_is_not_echoed() {
        assert_eq!(for_display("sk_live_x"), "(not JSON: 9 bytes, not shown)");
    }
}
