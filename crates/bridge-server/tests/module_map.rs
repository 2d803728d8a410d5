//! The module map, enforced: in `bridge-core` and `bridge-server` a module may use only the
//! modules of lower layers (the tables below, drawn in docs/architecture.md), and no two files
//! of one module use each other. A `use crate::…` (or a `crate::…` path, or a `super::…` path)
//! that breaks the map fails this test, naming the file and the module it reached.
//!
//! It reads the sources as text: `use` declarations (braces expanded) and paths written inline,
//! outside comments and `#[cfg(test)]` blocks; test files are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `bridge-core`, bottom layer first.
const CORE_LAYERS: &[&[&str]] = &[
    &["domain", "retry"],
    &["lifecycle", "reports"],
    &["workflow"],
    &["settings"],
    &["invoice"],
    &["shop", "store"],
    &["intake", "worker"],
    &["notify", "maintenance", "backfill"],
    &["jobs"],
    &["testing"],
];

/// `bridge-server`, bottom layer first.
const SERVER_LAYERS: &[&[&str]] = &[
    &[
        "configuration",
        "client_address",
        "refusals",
        "idle",
        "http_metrics",
        "export",
    ],
    &["telemetry", "setup", "sign_in", "serve", "operations"],
    &["error"],
    &[
        "rate_limit",
        "api_credentials",
        "downloads",
        "queries",
        "reports",
    ],
    &["state"],
    &["auth"],
    &["routes", "console"],
    &["startup"],
    &["demo"],
    &["cli"],
];

/// A source file and the module path it defines (`store/jobs/claim.rs` → `store::jobs::claim`).
struct SourceFile {
    path: PathBuf,
    module: Vec<String>,
    text: String,
}

fn sources(root: &Path) -> Vec<SourceFile> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                // Test-only folders (`workflow/tests/`) are not part of the map.
                if path.file_name().is_some_and(|n| n != "tests") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(root).expect("under the root");
            let mut module: Vec<String> = relative
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let last = module.last().cloned().unwrap_or_default();
            if last == "tests" {
                continue;
            }
            if matches!(last.as_str(), "mod" | "lib" | "main") {
                module.pop();
            }
            if module.is_empty() {
                continue; // lib.rs / main.rs: the crate root declares, it does not depend
            }
            let text = std::fs::read_to_string(&path).expect("a readable source");
            found.push(SourceFile { path, module, text });
        }
    }
    found
}

/// The text without comments and without the unit tests at the end of a file.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(start) => &text[..start],
        None => text,
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `a::{b, c::{d}}` → `a::b`, `a::c::d`.
fn expand(prefix: &[String], body: &str) -> Vec<Vec<String>> {
    let mut items = Vec::new();
    let (mut depth, mut current) = (0, String::new());
    for ch in body.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth == 0 {
            items.push(std::mem::take(&mut current));
        } else {
            current.push(ch);
        }
    }
    items.push(current);
    let mut paths = Vec::new();
    for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        if let Some(open) = item.find("::{") {
            let mut inner_prefix = prefix.to_vec();
            inner_prefix.extend(item[..open].split("::").map(str::to_owned));
            let inner = &item[open + 3..item.len() - 1];
            paths.extend(expand(&inner_prefix, inner));
        } else {
            let item = item.split(" as ").next().unwrap_or(item);
            let mut path = prefix.to_vec();
            path.extend(
                item.split("::")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
            paths.push(path);
        }
    }
    paths
}

/// Every module path a file names, absolute from the crate root.
fn named_paths(file: &SourceFile) -> Vec<Vec<String>> {
    let code = code_of(&file.text);
    let mut paths = Vec::new();
    // `super` of module `a::b` (`a/b.rs` or `a/b/mod.rs`) is `a`.
    let parent = &file.module[..file.module.len() - 1];
    let super_of = |rest: &[String]| -> Vec<String> {
        let mut path = parent.to_vec();
        let mut rest = rest;
        while rest.first().is_some_and(|s| s == "super") {
            path.pop();
            rest = &rest[1..];
        }
        path.extend(rest.iter().cloned());
        path
    };
    let mut rest = code.as_str();
    while let Some(at) = rest.find("use ") {
        let before_ok = at == 0
            || !rest[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let after = &rest[at + 4..];
        rest = after;
        if !before_ok {
            continue;
        }
        let Some(end) = after.find(';') else { break };
        let statement: String = after[..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let statement = statement.replace(":: {", "::{").replace("{ ", "{");
        for root in ["crate", "super"] {
            if let Some(body) = statement.strip_prefix(&format!("{root}::")) {
                let body = body.strip_prefix('{').and_then(|b| b.strip_suffix('}'));
                let expanded = match body {
                    Some(group) => expand(&[], group),
                    None => expand(&[], statement.trim_start_matches(&format!("{root}::"))),
                };
                for path in expanded {
                    paths.push(if root == "crate" {
                        path
                    } else {
                        let mut relative = vec!["super".to_owned()];
                        relative.extend(path);
                        super_of(&relative[1..])
                    });
                }
            }
        }
    }
    // Paths written inline: `crate::workflow::returns::AfterSale`, `super::search::MAX_PAGE`.
    for root in ["crate::", "super::"] {
        let bytes = code.as_bytes();
        let mut from = 0;
        while let Some(found) = code[from..].find(root) {
            let start = from + found;
            from = start + root.len();
            let before = start.checked_sub(1).map(|i| bytes[i]);
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':') {
                continue;
            }
            if code[..start].ends_with("use ") {
                continue;
            }
            let path: Vec<String> = code[start..]
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or("")
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            paths.push(if root == "crate::" {
                path[1..].to_vec()
            } else {
                super_of(&path[1..])
            });
        }
    }
    paths
}

/// The module a path reaches: its longest prefix that is a module of the crate.
fn module_of(path: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| modules.contains(prefix))
}

fn check(crate_dir: &str, layers: &[&[&str]]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crate_dir)
        .join("src");
    let files = sources(&root);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| f.module.clone()).collect();
    let layer_of = |top: &str| layers.iter().position(|layer| layer.contains(&top));
    let mut problems = Vec::new();
    let mut file_edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in &files {
        let top = &file.module[0];
        let Some(own_layer) = layer_of(top) else {
            problems.push(format!(
                "{crate_dir}: module `{top}` is not in the module map (add it to its layer)"
            ));
            continue;
        };
        for path in named_paths(file) {
            let Some(target) = module_of(&path, &modules) else {
                continue; // an item of the crate root (a macro) or of another crate
            };
            if target[0] != *top {
                match layer_of(&target[0]) {
                    Some(layer) if layer < own_layer => {}
                    _ => problems.push(format!(
                        "{crate_dir}: {} uses `{}`, which `{top}` may not (see docs/architecture.md)",
                        file.path.strip_prefix(&root).unwrap_or(&file.path).display(),
                        target.join("::")
                    )),
                }
            } else if target != file.module {
                file_edges
                    .entry(file.module.clone())
                    .or_default()
                    .insert(target);
            }
        }
    }
    // Within a module: no file reaches back to a file that reaches it (a module's `mod.rs`
    // declares its files and may re-export them; that edge is not a dependency).
    for (from, targets) in &file_edges {
        for to in targets {
            let declares = to.len() < from.len() && from.starts_with(to);
            if declares {
                continue;
            }
            if reaches(&file_edges, to, from) {
                problems.push(format!(
                    "{crate_dir}: `{}` and `{}` use each other",
                    from.join("::"),
                    to.join("::")
                ));
            }
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

/// Whether `from` reaches `to` through file edges (parents' `mod.rs` left out).
fn reaches(
    edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    from: &[String],
    to: &[String],
) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_vec()];
    while let Some(at) = stack.pop() {
        if at == to {
            return true;
        }
        if !seen.insert(at.clone()) {
            continue;
        }
        for next in edges.get(&at).into_iter().flatten() {
            let declares = next.len() < at.len() && at.starts_with(next);
            if !declares {
                stack.push(next.clone());
            }
        }
    }
    false
}

#[test]
fn bridge_core_follows_the_module_map() {
    let problems = check("bridge-core", CORE_LAYERS);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn bridge_server_follows_the_module_map() {
    let problems = check("bridge-server", SERVER_LAYERS);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_forbidden_import_is_caught() {
    let file = SourceFile {
        path: PathBuf::from("workflow/mod.rs"),
        module: vec!["workflow".to_owned()],
        text: "use crate::store::{Store, TimelineRecord};\n\
               fn f() { crate::jobs::runner::x(); super::super::intake::y(); }\n"
            .to_owned(),
    };
    let named = named_paths(&file);
    assert!(named.contains(&vec!["store".to_owned(), "Store".to_owned()]));
    assert!(named.contains(&vec![
        "jobs".to_owned(),
        "runner".to_owned(),
        "x".to_owned()
    ]));
    assert!(
        named.contains(&vec!["intake".to_owned(), "y".to_owned()]),
        "{named:?}"
    );
    let modules: BTreeSet<Vec<String>> = [vec!["store".to_owned()], vec!["jobs".to_owned()]]
        .into_iter()
        .collect();
    assert_eq!(
        module_of(&named[0], &modules),
        Some(vec!["store".to_owned()])
    );
}
