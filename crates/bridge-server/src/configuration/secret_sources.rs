//! Secrets from where deployments keep them, applied to the merged settings before they are
//! read: the environment for `[[shops]]` entries, which the `config` crate cannot address (an
//! array has no names, only positions), and files named by `*_file` keys (Docker and Kubernetes
//! secrets, systemd credentials).
//!
//! - `SHAQ_BRIDGE__SHOPS__<ID>__<KEY>[__<KEY>…]` sets a key of the shop whose `id` is `<ID>`
//!   (case ignored, `_` standing for `-`): `SHAQ_BRIDGE__SHOPS__KENTE__WRITE_BACK__TOKEN`. A
//!   list (`webhook_secrets`) is written comma-separated.
//! - Any key `<name>_file` is replaced by `<name>` holding the file's content, without its
//!   trailing newline; for a list, one entry per non-empty line. It works in the file and from
//!   the environment alike (`SHAQ_BRIDGE__SHAQ__SECRET_FILE=/run/secrets/shaq`), and wins over
//!   a `<name>` set anywhere (the example file's placeholder, typically).

use serde_json::{Map, Value};

/// Where the shop overrides start.
pub(super) const SHOP_ENV_PREFIX: &str = "SHAQ_BRIDGE__SHOPS__";

/// The suffix of a key that names a file holding the value.
const FILE_SUFFIX: &str = "_file";

/// Secrets that are lists (several during a rotation).
const LIST_KEYS: &[&str] = &["webhook_secrets"];

/// Keys whose value is always text, even when it reads as a number or a boolean (a token of
/// digits stays a token).
const TEXT_KEYS: &[&str] = &[
    "token",
    "secret",
    "webhook_secret",
    "consumer_key",
    "identifier",
    "client_id",
    "client_secret",
];

/// Applies `SHAQ_BRIDGE__SHOPS__…` variables to the shops in `tree`, each problem naming its
/// variable.
pub(super) fn apply_shop_env(tree: &mut Value, overrides: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (variable, value) in overrides {
        if let Err(problem) = apply_one(tree, variable, value) {
            problems.push(format!("{variable}: {problem}"));
        }
    }
    problems
}

fn apply_one(tree: &mut Value, variable: &str, value: &str) -> Result<(), String> {
    let rest = variable
        .strip_prefix(SHOP_ENV_PREFIX)
        .ok_or("not a shop variable")?;
    let mut parts = rest.split("__");
    let wanted = parts.next().unwrap_or_default();
    let path: Vec<String> = parts.map(str::to_ascii_lowercase).collect();
    if wanted.is_empty() || path.is_empty() || path.iter().any(String::is_empty) {
        return Err(format!(
            "expected {SHOP_ENV_PREFIX}<SHOP ID>__<KEY>, e.g. {SHOP_ENV_PREFIX}KENTE__WEBHOOK_SECRETS"
        ));
    }
    let shops = tree
        .get_mut("shops")
        .and_then(Value::as_array_mut)
        .ok_or("no [[shops]] in the settings")?;
    let same_id = |id: &str| id.replace('-', "_").eq_ignore_ascii_case(wanted);
    let shop = shops
        .iter_mut()
        .find(|shop| shop.get("id").and_then(Value::as_str).is_some_and(same_id))
        .ok_or_else(|| format!("no shop with the id `{}`", wanted.to_ascii_lowercase()))?;
    let (last, parents) = path.split_last().ok_or("no key")?;
    let mut table = shop.as_object_mut().ok_or("a shop is not a table")?;
    for key in parents {
        table = table
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .ok_or_else(|| format!("`{key}` is not a table"))?;
    }
    let typed = typed_like(table.get(last), last, value);
    table.insert(last.clone(), typed);
    Ok(())
}

/// `value` with the type the setting has: what the file gave, else a list for `…s` lists of
/// secrets, else a boolean or a number when it reads as one, else text.
fn typed_like(existing: Option<&Value>, key: &str, value: &str) -> Value {
    let list = || {
        Value::Array(
            value
                .split(',')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(|part| Value::String(part.to_owned()))
                .collect(),
        )
    };
    match existing {
        _ if TEXT_KEYS.contains(&key) => Value::String(value.to_owned()),
        Some(Value::Array(_)) => list(),
        Some(Value::String(_)) => Value::String(value.to_owned()),
        Some(Value::Bool(_)) | None if value == "true" || value == "false" => {
            Value::Bool(value == "true")
        }
        Some(Value::Number(_)) | None if value.parse::<i64>().is_ok() => value
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(value.to_owned())),
        None if LIST_KEYS.contains(&key) => list(),
        _ => Value::String(value.to_owned()),
    }
}

/// Replaces every `<name>_file` key in `tree` by `<name>` with the file's content.
pub(super) fn read_secret_files(tree: &mut Value) -> Vec<String> {
    let mut problems = Vec::new();
    walk(tree, "", &mut problems);
    problems
}

fn walk(node: &mut Value, at: &str, problems: &mut Vec<String>) {
    match node {
        Value::Object(table) => {
            let file_keys: Vec<String> = table
                .keys()
                .filter(|key| key.ends_with(FILE_SUFFIX) && key.len() > FILE_SUFFIX.len())
                .cloned()
                .collect();
            for file_key in file_keys {
                let name = file_key.trim_end_matches(FILE_SUFFIX).to_owned();
                let here = join(at, &file_key);
                let Some(Value::String(path)) = table.remove(&file_key) else {
                    problems.push(format!("{here}: expected the path of a file"));
                    continue;
                };
                match std::fs::read_to_string(&path) {
                    Ok(content) => {
                        let value = if LIST_KEYS.contains(&name.as_str()) {
                            Value::Array(
                                content
                                    .lines()
                                    .map(str::trim)
                                    .filter(|line| !line.is_empty())
                                    .map(|line| Value::String(line.to_owned()))
                                    .collect(),
                            )
                        } else {
                            Value::String(content.trim_end_matches(['\n', '\r']).to_owned())
                        };
                        table.insert(name, value);
                    }
                    Err(error) => problems.push(format!("{here}: cannot read {path}: {error}")),
                }
            }
            for (key, child) in table.iter_mut() {
                walk(child, &join(at, key), problems);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                walk(item, &format!("{at}[{index}]"), problems);
            }
        }
        _ => {}
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}
