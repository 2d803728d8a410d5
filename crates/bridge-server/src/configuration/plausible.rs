//! Settings that parse but cannot work, refused before anything starts: placeholders left in
//! (`fill-me-in…` from `shaq-bridge setup`, `change-me…` from the examples, hosts under
//! `example.com` or the `.example` domain), and ticket status keys the bridge never uses (a
//! typo: `delivred = "…"` is valid TOML, and customers would never hear their parcel arrived).
//! Each problem names its key.

use std::collections::BTreeSet;

use bridge_core::workflow::{TicketKey, TicketStatuses};
use serde_json::Value;

/// Every placeholder left in the settings (the merged tree: files, environment, secret files).
pub fn placeholders(tree: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    walk(tree, &mut String::new(), &mut problems);
    problems
}

fn walk(value: &Value, path: &mut String, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let before = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk(child, path, problems);
                path.truncate(before);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let before = path.len();
                path.push_str(&format!("[{index}]"));
                walk(child, path, problems);
                path.truncate(before);
            }
        }
        Value::String(text) => {
            if let Some(why) = placeholder(text) {
                problems.push(format!("{path} is still a placeholder ({why}): fill it in"));
            }
        }
        _ => {}
    }
}

/// Why `text` is a placeholder, if it is one. The reason never repeats the value (it may be a
/// secret someone pasted next to a placeholder).
fn placeholder(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("fill-me-in") {
        return Some("`fill-me-in`");
    }
    if lower.contains("change-me") {
        return Some("`change-me`");
    }
    if let Ok(url) = url::Url::parse(text)
        && let Some(host) = url.host_str()
        && is_example_host(host)
    {
        return Some("an example host");
    }
    None
}

/// Hosts reserved for examples (RFC 2606): `example.com`, `.net`, `.org` and the `.example`
/// domain, with their subdomains.
fn is_example_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    ["example.com", "example.net", "example.org", "example"]
        .iter()
        .any(|reserved| host == *reserved || host.ends_with(&format!(".{reserved}")))
}

/// Problems with the keys and ids of `statuses` (at `at`, e.g. `digishare.statuses`): a key
/// the bridge never moves a ticket to (with the nearest one it does), and an id the watched
/// statuses (`confirmed`, `cancelled`) share with another key — the bridge could not tell a
/// customer's answer from its own move.
pub fn ticket_statuses<'a>(
    at: &str,
    statuses: &TicketStatuses,
    courier_keys: impl IntoIterator<Item = &'a TicketKey>,
    problems: &mut Vec<String>,
) {
    let known: BTreeSet<String> = TicketKey::WORKFLOW
        .iter()
        .map(|key| (*key).to_owned())
        .chain(courier_keys.into_iter().map(|key| key.as_str().to_owned()))
        .collect();
    for key in statuses.0.keys() {
        if known.contains(key.as_str()) || key.is_reminder() {
            continue;
        }
        let nearest = known
            .iter()
            .map(|candidate| (strsim::levenshtein(key.as_str(), candidate), candidate))
            .min();
        let hint = match nearest {
            Some((distance, candidate)) if distance <= 3 => {
                format!(": did you mean `{candidate}`?")
            }
            _ => String::new(),
        };
        problems.push(format!(
            "{at}.{key} is not a status the bridge moves tickets to{hint}"
        ));
    }
    for watched in [TicketKey::CONFIRMED, TicketKey::CANCELLED] {
        let Some(id) = statuses.id(&watched) else {
            continue;
        };
        let sharing: Vec<&str> = statuses
            .0
            .iter()
            .filter(|(key, other)| **key != watched && *other == id)
            .map(|(key, _)| key.as_str())
            .collect();
        if !sharing.is_empty() {
            problems.push(format!(
                "{at}.{watched} has the same id as {}: a customer's answer is recognised by its \
                 status id, so `{watched}` needs a status of its own",
                sharing
                    .iter()
                    .map(|key| format!("`{key}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridge_core::domain::TicketStatusId;
    use bridge_core::workflow::CourierMapping;

    #[test]
    fn placeholders_are_found_by_key_without_repeating_the_value() {
        let tree = serde_json::json!({
            "server": {"public_url": "https://bridge.example.com", "admin_token": "change-me-to-a-long-random-string"},
            "shaq": {"secret": "fill-me-in: your ShaQ secret", "base_url": "https://test-partner.shaqexpress.com/api/v1"},
            "shops": [{"write_back": {"admin_url": "https://kente.myshopify.com"}},
                      {"write_back": {"admin_url": "https://shop.atlas.example/"}}],
            "console": {"shaq_package_url": "https://partner.shaqexpress.com/packages/{tracking_number}"}
        });
        let problems = placeholders(&tree);
        assert_eq!(problems.len(), 4, "{problems:#?}");
        for key in [
            "server.public_url",
            "server.admin_token",
            "shaq.secret",
            "shops[1].write_back.admin_url",
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(&format!("{key} "))),
                "{key}: {problems:#?}"
            );
        }
        assert!(problems.iter().all(|p| !p.contains("your ShaQ secret")));
        // A real address is not an example host because it contains the word.
        assert!(!is_example_host("examples-shop.com"));
        assert!(is_example_host("bridge.example.org"));
    }

    #[test]
    fn a_typo_in_a_status_key_names_the_one_it_meant() {
        let mut statuses = TicketStatuses::default();
        for (key, id) in [
            ("confirmed", "st-confirmed"),
            ("cancelled", "st-cancelled"),
            ("delivred", "st-delivered"),
            ("reminder_3", "st-r3"),
            ("zzzz", "st-z"),
        ] {
            statuses
                .0
                .insert(TicketKey::new(key), TicketStatusId::new(id));
        }
        let mapping = CourierMapping::default();
        let mut problems = Vec::new();
        ticket_statuses(
            "digishare.statuses",
            &statuses,
            mapping.ticket_keys(),
            &mut problems,
        );
        assert_eq!(
            problems,
            [
                "digishare.statuses.delivred is not a status the bridge moves tickets to: did you \
                 mean `delivered`?",
                "digishare.statuses.zzzz is not a status the bridge moves tickets to",
            ]
        );
    }

    #[test]
    fn the_watched_statuses_need_ids_of_their_own() {
        let mut statuses = TicketStatuses::default();
        for key in [
            "awaiting_confirmation",
            "confirmed",
            "cancelled",
            "delivered",
        ] {
            statuses
                .0
                .insert(TicketKey::new(key), TicketStatusId::new("same-for-all"));
        }
        let mut problems = Vec::new();
        let mapping = CourierMapping::default();
        ticket_statuses(
            "digishare.statuses",
            &statuses,
            mapping.ticket_keys(),
            &mut problems,
        );
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems[0].starts_with("digishare.statuses.confirmed has the same id as"));
    }
}
