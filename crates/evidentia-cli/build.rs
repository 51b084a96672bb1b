//! Release builds for GNU/Linux pack the relative relocations of the position-independent binary
//! (DT_RELR, glibc 2.36 and later): 1.5 MB less than a table of one entry per pointer
//! (BENCHMARKS.md, "Desktop app").

fn main() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("PROFILE") == "release" && var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
