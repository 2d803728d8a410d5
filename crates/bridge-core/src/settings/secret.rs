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

/// `url` as it may be printed: a password in its user part, and the value of any query
/// parameter that names a secret (`password`, `sslpassword`, `secret`, `token`, `key`…),
/// replaced by `[redacted]`.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = match url_password_span(base) {
        Some((start, end)) => format!("{}[redacted]{}", &base[..start], &base[end..]),
        None => base.to_owned(),
    };
    let Some(query) = query else {
        return base;
    };
    let secret_name = |name: &str| {
        let name = name.to_ascii_lowercase();
        ["pass", "secret", "token", "key"]
            .iter()
            .any(|word| name.contains(word))
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if secret_name(name) => format!("{name}=[redacted]"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

fn url_password_span(url: &str) -> Option<(usize, usize)> {
    let scheme_end = url.find("://")? + 3;
    let authority_end = url[scheme_end..]
        .find('/')
        .map_or(url.len(), |i| scheme_end + i);
    let at = url[scheme_end..authority_end].rfind('@')? + scheme_end;
    let colon = url[scheme_end..at].find(':')? + scheme_end;
    Some((colon + 1, at))
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
    fn urls_are_printed_without_their_passwords() {
        assert_eq!(
            redact_url("postgres://bridge:s3cret@db.internal:5432/bridge"),
            "postgres://bridge:[redacted]@db.internal:5432/bridge"
        );
        assert_eq!(
            redact_url("postgres://bridge@db/bridge?password=s3cret&sslmode=require&sslpassword=k"),
            "postgres://bridge@db/bridge?password=[redacted]&sslmode=require&sslpassword=[redacted]"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(
            redact_url("sqlite://data/x.db?mode=rwc"),
            "sqlite://data/x.db?mode=rwc"
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
