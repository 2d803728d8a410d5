//! Two jobs:
//! - switches the PostgreSQL test suite on when `BRIDGE_TEST_POSTGRES_URL` is set, and the
//!   browser test when `BRIDGE_TEST_CHROMEDRIVER` names a chromedriver, so a plain `cargo test`
//!   lists those tests as ignored (with the reason) instead of passing them silently (`.ci/run`
//!   sets both);
//! - names the git revision the binary is built from, for `shaq-bridge --version`:
//!   `SHAQ_BRIDGE_GIT_REVISION` when set (Docker builds have no `.git`), else `git rev-parse`.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo:rerun-if-env-changed=BRIDGE_TEST_POSTGRES_URL");
    if std::env::var_os("BRIDGE_TEST_POSTGRES_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo:rustc-cfg=postgres_tests");
    }
    println!("cargo:rustc-check-cfg=cfg(browser_tests)");
    println!("cargo:rerun-if-env-changed=BRIDGE_TEST_CHROMEDRIVER");
    if std::env::var_os("BRIDGE_TEST_CHROMEDRIVER").is_some_and(|v| !v.is_empty()) {
        println!("cargo:rustc-cfg=browser_tests");
    }
    git_revision();
}

fn git_revision() {
    println!("cargo:rerun-if-env-changed=SHAQ_BRIDGE_GIT_REVISION");
    let git = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.git");
    // A new commit moves HEAD's branch ref; HEAD itself changes on checkout.
    for watched in ["HEAD", "logs/HEAD"] {
        let path = git.join(watched);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let revision = std::env::var("SHAQ_BRIDGE_GIT_REVISION")
        .ok()
        .filter(|revision| !revision.trim().is_empty())
        .or_else(|| {
            let output = Command::new("git")
                .args(["rev-parse", "--short=12", "HEAD"])
                .output()
                .ok()?;
            output
                .status
                .success()
                .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=SHAQ_BRIDGE_REVISION={revision}");
}
