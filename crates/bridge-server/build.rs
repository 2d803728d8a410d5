//! Switches the PostgreSQL test suite on when `BRIDGE_TEST_POSTGRES_URL` is set, so a plain
//! `cargo test` lists those tests as ignored (with the reason) instead of passing them silently.

fn main() {
    println!("cargo:rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo:rerun-if-env-changed=BRIDGE_TEST_POSTGRES_URL");
    if std::env::var_os("BRIDGE_TEST_POSTGRES_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo:rustc-cfg=postgres_tests");
    }
}
