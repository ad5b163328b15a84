//! Links the `wsdeck` binary as a position-dependent executable on Linux (glibc).
//!
//! A position-independent executable of this size carries about 20 000 relative
//! relocations that the dynamic loader applies at every start, writing to (and so
//! faulting in) some 90 pages of otherwise read-only data: about 0.2 ms of the
//! ~2 ms a one-shot `wsdeck request` takes (see docs/PERFORMANCE.md). Linked without
//! PIE, those addresses are fixed at link time. The price is that the executable's
//! own code and data are not placed at a random address (shared libraries, heap
//! and stack still are).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bin=wsdeck=-no-pie");
    }
}
