//! End-to-end tests of the `evidentia` command against real services (a local RFC 3161 TSA, anvil,
//! an OpenTimestamps calendar, PostgreSQL) and independent verifiers, in one test binary.
//!
//! One module per concern; [`support`] starts the services and gives each test its own folder.
//! `EVIDENTIA_TEST_BACKEND=postgres` runs the vault tests on a team vault with the same binary.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

mod anchor;
mod bad_input;
mod cli;
mod crash;
mod disk_full;
mod faults;
mod foreign;
mod kill_storm;
mod memory;
mod ots;
mod package;
mod pdf;
mod renewal;
mod signing;
mod tamper;
mod team_vault;
mod timestamp;
mod tokens;

/// A file added to this folder but not declared above would compile into nothing and never run.
#[test]
fn every_file_in_the_folder_is_a_module() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    let declared = include_str!("main.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(module) = name.strip_suffix(".rs").filter(|m| *m != "main")
            && !declared.lines().any(|l| l.trim() == format!("mod {module};"))
        {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "tests/e2e files not declared as modules in main.rs: {missing:?}");
}
