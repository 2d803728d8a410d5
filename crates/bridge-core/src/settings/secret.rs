//! Secrets in settings: printed as `[redacted]` wherever settings are shown (`check-config`,
//! logs, the admin API), and refused at start-up when a copy-paste slip would make them fail
//! every call. The one place for both, in this crate and the server's.

use secrecy::{ExposeSecret, SecretString};
use serde::Serializer;

/// Serialises a secret as `[redacted]`.
pub fn redact<S: Serializer>(_: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("[redacted]")
}

/// Serialises an optional secret as `[redacted]` (or nothing).
pub fn redact_option<S: Serializer>(v: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_str("[redacted]"),
        None => s.serialize_none(),
    }
}

/// Serialises a list of secrets as `[redacted]` each.
pub fn redact_all<S: Serializer>(v: &[SecretString], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|_| "[redacted]"))
}

/// An empty or all-blank secret.
pub fn is_blank(secret: &SecretString) -> bool {
    secret.expose_secret().trim().is_empty()
}

/// A secret with spaces or line breaks around it (a copy-paste slip) never matches what the
/// other side sends or expects: refused at start-up rather than failing every call.
pub fn check_secret(key: &str, secret: &SecretString, min_len: usize, problems: &mut Vec<String>) {
    let value = secret.expose_secret();
    if value.trim() != value {
        problems.push(format!("{key} has spaces or line breaks around it"));
    } else if value.chars().count() < min_len {
        problems.push(format!("{key} must be at least {min_len} characters"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Shown {
        #[serde(serialize_with = "redact")]
        one: SecretString,
        #[serde(serialize_with = "redact_option")]
        maybe: Option<SecretString>,
        #[serde(serialize_with = "redact_all")]
        many: Vec<SecretString>,
    }

    #[test]
    fn secrets_are_never_printed() {
        let shown = Shown {
            one: "hunter2-hunter2".into(),
            maybe: Some("s3cret".into()),
            many: vec!["a1".into(), "b2".into()],
        };
        let json = serde_json::to_string(&shown).expect("serialises");
        assert_eq!(
            json,
            r#"{"one":"[redacted]","maybe":"[redacted]","many":["[redacted]","[redacted]"]}"#
        );
    }

    #[test]
    fn a_pasted_secret_with_spaces_or_too_short_is_refused() {
        let mut problems = Vec::new();
        check_secret("a", &" padded".into(), 1, &mut problems);
        check_secret("b", &"short".into(), 16, &mut problems);
        check_secret("c", &"long-enough-secret".into(), 16, &mut problems);
        assert_eq!(
            problems,
            [
                "a has spaces or line breaks around it",
                "b must be at least 16 characters"
            ]
        );
        assert!(is_blank(&"  ".into()));
    }
}
