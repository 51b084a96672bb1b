//! Disk full: a vault on a small tmpfs fills up in the middle of a seal. The error names the vault,
//! says the disk is full and what to do; the vault still verifies with only whole records; once
//! there is room again (the tmpfs grown), sealing again completes the work. Needs root (mount).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Env, text};

/// A tmpfs mounted for the test, unmounted on drop.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path, size: &str) -> SmallDisk {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(at).output();
        let out = out.expect("mount (util-linux)");
        assert!(out.status.success(), "mounting a tmpfs needs root: {}", text(&out.stderr));
        SmallDisk(at.to_owned())
    }

    fn grow(&self, size: &str) {
        let out = Command::new("mount").args(["-o", &format!("remount,size={size}")]).arg(&self.0).output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).output();
    }
}

#[test]
fn a_full_disk_stops_the_seal_clearly_and_loses_nothing() {
    let env = Env::new();
    let disk = SmallDisk::mount(&env.path("small"), "6m");
    let vault = env.path("small/vault");
    // A first seal that fits.
    for i in 0..5 {
        env.write(&format!("first/f{i}.txt"), format!("first document {i}\n"));
    }
    let out = env.cmd_in(&vault).args(["seal", "--each", "first"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));

    // 40 files of 300 KB each: their copies do not fit in what is left.
    for i in 0..40 {
        let bytes: Vec<u8> =
            (0..300_000u32).map(|j| (j.wrapping_mul(2654435761).wrapping_add(i * 7919) >> 13) as u8).collect();
        env.write(&format!("big/b{i:02}.bin"), bytes);
    }
    let out = env.cmd_in(&vault).args(["--json", "seal", "--each", "big"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}{}", text(&out.stdout), text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "VAULT_DISK_FULL", "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("small/vault") && message.contains("disk holding the vault is full"), "{message}");
    assert!(message.contains("free some space"), "{message}");

    // The vault verifies, with the first records whole and nothing of the failed batch.
    let out = env.cmd_in(&vault).args(["vault", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stdout));
    let out = env.cmd_in(&vault).args(["--json", "vault", "list"]).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list["records"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(names.iter().all(|n| n.starts_with("first/")), "{names:?}");
    assert_eq!(names.len(), 5);

    // With room again, the same seal completes.
    disk.grow("64m");
    let out = env.cmd_in(&vault).args(["--json", "seal", "--each", "big"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = env.cmd_in(&vault).args(["vault", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stdout));
    let out = env.cmd_in(&vault).args(["--json", "vault", "list"]).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["records"].as_array().unwrap().len(), 45);
}
