//! Switches the PostgreSQL test suite on when `BRIDGE_TEST_POSTGRES_URL` is set, and the browser
//! test when `BRIDGE_TEST_CHROMEDRIVER` names a chromedriver, so a plain `cargo test` lists those
//! tests as ignored (with the reason) instead of passing them silently. `.ci/run` sets both.

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
}
