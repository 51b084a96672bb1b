//! Bad input gets a clear error naming it, the documented exit code, and changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use crate::support::{Env, text};

fn stderr_of(out: &std::process::Output) -> String {
    text(&out.stderr)
}

/// Everything in the vault folder, with contents, for before/after comparison.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if !dir.exists() {
        return out;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_missing_file_is_named_and_no_vault_is_created() {
    let env = Env::new();
    env.write("good.txt", "good");
    let out = env.run(&["seal", "good.txt", "missing.pdf"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr_of(&out).contains("missing.pdf: no such file"), "{}", stderr_of(&out));
    assert!(!env.vault().exists(), "no vault was created for a failed seal");
}

#[test]
fn a_missing_file_changes_nothing_in_an_existing_vault() {
    let env = Env::new();
    env.write("good.txt", "good");
    env.write("other.txt", "other");
    env.ok(&["seal", "good.txt"]);
    let before = snapshot(&env.vault());
    let out = env.run(&["seal", "other.txt", "missing.pdf"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(snapshot(&env.vault()), before);
}

#[test]
fn an_unreadable_file_is_named() {
    let env = Env::new();
    env.write("secret.txt", "secret");
    env.write("fine.txt", "fine");
    let secret = env.path("secret.txt");
    std::fs::set_permissions(&secret, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let is_root = Command::new("id").arg("-u").output().map(|o| text(&o.stdout).trim() == "0").unwrap_or(false);
    let out = if is_root {
        // Root reads anything: run as an unprivileged user from a copy of the binary it can reach.
        let bin_copy = env.path("evidentia");
        std::fs::copy(crate::support::bin(), &bin_copy).unwrap();
        for p in [env.dir.path(), bin_copy.as_path()] {
            std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
        }
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin_copy)
            .arg("--vault")
            .arg(env.vault())
            .args(["seal", "fine.txt", "secret.txt"])
            .env("EVIDENTIA_CONFIG", env.path("none.toml"))
            .env("HOME", env.dir.path())
            .current_dir(env.dir.path())
            .output()
            .unwrap()
    } else {
        env.run(&["seal", "fine.txt", "secret.txt"])
    };
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("secret.txt: cannot be read"), "{}", stderr_of(&out));
    assert!(!env.vault().exists());
}

#[test]
fn a_symlink_loop_is_named() {
    let env = Env::new();
    std::os::unix::fs::symlink(env.path("loop-b"), env.path("loop-a")).unwrap();
    std::os::unix::fs::symlink(env.path("loop-a"), env.path("loop-b")).unwrap();
    for args in [&["seal", "loop-a"][..], &["hash", "loop-a"][..]] {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        assert!(stderr_of(&out).contains("loop-a: symbolic link loop"), "{}", stderr_of(&out));
    }
    assert!(!env.vault().exists());
}

#[test]
fn links_and_special_files_inside_a_work_are_refused_unless_skipped() {
    let env = Env::new();
    env.write("work/a.txt", "a");
    std::os::unix::fs::symlink("/etc/hostname", env.path("work/link")).unwrap();
    let fifo = env.path("work/pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let out = env.run(&["seal", "work"]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr_of(&out);
    assert!(err.contains("work/link: is a symbolic link") || err.contains("work/pipe: is a named pipe"), "{err}");
    assert!(!env.vault().exists());
    let (code, out) = env.json(&["seal", "--skip-special", "work"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["records"][0]["file_count"], 1);
    assert_eq!(out["records"][0]["skipped"].as_array().unwrap().len(), 2);
}

#[test]
fn a_named_pipe_given_directly_is_refused() {
    let env = Env::new();
    let fifo = env.path("pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let out = env.run(&["seal", "pipe"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr_of(&out).contains("pipe: is a named pipe"), "{}", stderr_of(&out));
}

#[test]
fn a_vault_path_that_is_a_file_is_refused_and_left_alone() {
    let env = Env::new();
    env.write("a.txt", "a");
    env.write("vault", "I am a file");
    for args in [&["seal", "a.txt"][..], &["vault", "list"][..], &["vault", "verify"][..]] {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(4), "{args:?}");
        assert!(stderr_of(&out).contains("is a file, not a vault folder"), "{}", stderr_of(&out));
    }
    assert_eq!(std::fs::read(env.vault()).unwrap(), b"I am a file");
}

#[test]
fn a_folder_of_other_files_is_not_taken_over() {
    let env = Env::new();
    env.write("a.txt", "a");
    env.write("vault/thesis.docx", "precious");
    let out = env.run(&["seal", "a.txt"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr_of(&out).contains("holds other files"), "{}", stderr_of(&out));
    assert_eq!(std::fs::read_dir(env.vault()).unwrap().count(), 1);
}

#[test]
fn a_vault_from_a_newer_schema_is_refused_and_not_changed() {
    let env = Env::new();
    env.write("a.txt", "a");
    env.write("b.txt", "b");
    env.ok(&["seal", "a.txt"]);
    env.tamper_sql(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES (9999, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0);",
    );
    let before = snapshot(&env.vault());
    for args in [&["seal", "b.txt"][..], &["vault", "list"][..]] {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(4), "{args:?}");
        assert!(stderr_of(&out).contains("newer Evidentia (schema 9999"), "{}", stderr_of(&out));
    }
    assert_eq!(snapshot(&env.vault()), before);
    assert_eq!(env.sql_value("SELECT COUNT(*) FROM records"), "1");
}

#[test]
fn a_damaged_database_is_reported_not_panicked_on() {
    let env = Env::new();
    env.write("a.txt", "a");
    std::fs::create_dir(env.vault()).unwrap();
    env.write("vault/vault.db", vec![0x42u8; 8192]);
    let out = env.run(&["vault", "list"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr_of(&out).contains("cannot be read"), "{}", stderr_of(&out));
    assert!(!stderr_of(&out).contains("panicked"));
}

#[test]
fn reading_commands_do_not_create_a_vault() {
    let env = Env::new();
    let out = env.run(&["vault", "list"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr_of(&out).contains("no vault at"), "{}", stderr_of(&out));
    assert!(!env.vault().exists());
}

#[test]
fn json_errors_carry_a_stable_code() {
    let env = Env::new();
    let (code, out) = env.json(&["seal", "nothing-here.txt"]);
    assert_eq!(code, 3);
    assert_eq!(out["error"]["code"], "INPUT_NOT_FOUND");
    assert!(out["error"]["message"].as_str().unwrap().contains("nothing-here.txt"));
}

#[test]
fn unknown_algorithms_and_folders_for_hash_are_usage_errors() {
    let env = Env::new();
    env.write("d/a.txt", "a");
    let out = env.run(&["hash", "--algo", "md5", "d/a.txt"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr_of(&out).contains("unknown digest algorithm `md5`"));
    let out = env.run(&["hash", "d"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--work"), "{}", stderr_of(&out));
}
