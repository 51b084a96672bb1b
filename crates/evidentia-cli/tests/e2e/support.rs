//! Shared harness for end-to-end tests: each test gets its own temporary folder, vault and
//! `evidentia` command with a clean environment.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Env {
    pub dir: tempfile::TempDir,
    /// For a team vault: its database's URL (a fresh database on the test server).
    pub database: Option<String>,
}

/// Whether the vault tests run on PostgreSQL (`EVIDENTIA_TEST_BACKEND=postgres`) instead of SQLite.
pub fn on_postgres() -> bool {
    std::env::var("EVIDENTIA_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// The test PostgreSQL server (`EVIDENTIA_TEST_POSTGRES`, a superuser URL without a database).
pub fn postgres_server() -> String {
    std::env::var("EVIDENTIA_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "EVIDENTIA_TEST_POSTGRES is not set: team-vault tests need a PostgreSQL server; \
             `source scripts/postgres/start_local.sh` starts a throwaway one and sets it"
        )
    })
}

/// Runs psql against `url`, stopping at the first error.
pub fn psql(url: &str, sql: &str) -> Output {
    Command::new("psql").args(["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", url, "-c", sql]).output().expect("psql")
}

/// Creates a fresh database on the test server and returns its URL.
pub fn fresh_database() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let server = postgres_server();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let name = format!("v{}_{}_{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
    let out = psql(&format!("{server}/postgres"), &format!("CREATE DATABASE {name}"));
    assert!(out.status.success(), "CREATE DATABASE: {}", text(&out.stderr));
    format!("{server}/{name}")
}

impl Env {
    /// A test folder whose vault is on the backend the run asks for (see [`on_postgres`]).
    pub fn new() -> Env {
        if on_postgres() { Env::team() } else { Env::folder() }
    }

    /// A test folder with a folder (SQLite) vault.
    pub fn folder() -> Env {
        Env { dir: tempfile::tempdir().expect("temporary folder"), database: None }
    }

    /// A test folder with a team vault in a fresh PostgreSQL database; `vault/` is its shared folder.
    pub fn team() -> Env {
        Env { dir: tempfile::tempdir().expect("temporary folder"), database: Some(fresh_database()) }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// What `--vault` is given: the vault folder, or the team vault's URL.
    pub fn vault(&self) -> PathBuf {
        match &self.database {
            Some(url) => PathBuf::from(format!("{url}?folder={}", self.vault_folder().display())),
            None => self.vault_folder(),
        }
    }

    /// The folder holding the vault's file copies (`blobs/`) and head witness.
    pub fn vault_folder(&self) -> PathBuf {
        self.path("vault")
    }

    /// The independent Python checker of the custody log, run on this vault.
    pub fn check_custody_log(&self) -> Output {
        let mut c = Command::new("python3");
        c.arg(repo().join("docs/tools/check_custody_log.py"));
        match &self.database {
            Some(url) => c.arg(url).arg(self.vault_folder()),
            None => c.arg(self.vault_folder()),
        };
        c.output().expect("python3")
    }

    /// Whether a vault has been created.
    pub fn vault_exists(&self) -> bool {
        match &self.database {
            Some(url) => {
                // A vault is there once its first migration has committed: a process killed
                // while creating it can leave sqlx's bookkeeping table with nothing applied.
                let out =
                    psql(url, "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '_sqlx_migrations'");
                text(&out.stdout).trim() == "1"
                    && text(&psql(url, "SELECT COUNT(*) FROM _sqlx_migrations WHERE success").stdout).trim() != "0"
            }
            None => self.vault_folder().join("vault.db").exists(),
        }
    }

    /// Writes a file (creating folders) and returns its path.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, bytes).expect("write");
        p
    }

    /// `evidentia --vault <this test's vault>` with no inherited EVIDENTIA_* settings.
    pub fn cmd(&self) -> Command {
        self.cmd_in(&self.vault())
    }

    /// `evidentia --vault VAULT` with no inherited EVIDENTIA_* settings.
    pub fn cmd_in(&self, vault: &Path) -> Command {
        self.cmd_with(Command::new(bin()), vault)
    }

    /// `evidentia --vault VAULT` run with the clock moved by `offset` (libfaketime: `+365d`).
    pub fn cmd_at(&self, offset: &str) -> Command {
        let mut c = self.cmd_with(Command::new(bin()), &self.vault());
        moved_clock(&mut c, offset);
        c
    }

    fn cmd_with(&self, mut c: Command, vault: &Path) -> Command {
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("EVIDENTIA_") {
                c.env_remove(k);
            }
        }
        c.env("EVIDENTIA_CONFIG", self.path("no-config.toml"));
        // Packages written without -o go into the test folder, never the user's documents.
        c.env("EVIDENTIA_EXPORTS", self.path("exports"));
        c.arg("--vault").arg(vault);
        c.current_dir(self.dir.path());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run evidentia")
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "evidentia {args:?} failed: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// Runs with --json and parses stdout, whatever the exit code.
    pub fn json(&self, args: &[&str]) -> (i32, serde_json::Value) {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("stdout of {args:?} is not JSON ({e}): {}", text(&out.stdout)));
        (out.status.code().unwrap_or(-1), v)
    }

    /// Runs SQL against the vault database as an intruder would, after switching the guard
    /// triggers off: with Python's sqlite3 module, or with psql as PostgreSQL's superuser.
    pub fn tamper_sql(&self, sql: &str) {
        if let Some(url) = &self.database {
            let out = psql(url, &format!("SET session_replication_role = replica; {sql}"));
            assert!(out.status.success(), "tampering failed: {}", text(&out.stderr));
            return;
        }
        let script = r#"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
    db.execute("DROP TRIGGER " + name)
db.execute("PRAGMA foreign_keys=OFF")
db.executescript(sys.argv[2])
db.commit()
"#;
        let out = Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(self.vault_folder().join("vault.db"))
            .arg(sql)
            .output()
            .expect("python3");
        assert!(out.status.success(), "tampering failed: {}", text(&out.stderr));
    }

    /// One value from the vault database, read with Python's sqlite3 module or psql.
    pub fn sql_value(&self, sql: &str) -> String {
        if let Some(url) = &self.database {
            let out = psql(url, sql);
            assert!(out.status.success(), "query failed: {}", text(&out.stderr));
            return text(&out.stdout).lines().next().unwrap_or_default().trim().to_owned();
        }
        let script = "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])";
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(self.vault_folder().join("vault.db"))
            .arg(sql)
            .output()
            .expect("python3");
        assert!(out.status.success(), "query failed: {}", text(&out.stderr));
        text(&out.stdout).trim().to_owned()
    }

    pub fn records(&self) -> Vec<serde_json::Value> {
        let (code, v) = self.json(&["vault", "list"]);
        assert_eq!(code, 0, "vault list: {v}");
        v["records"].as_array().cloned().unwrap_or_default()
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_evidentia"))
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// SHA-256 of a file computed by coreutils, the independent reference.
pub fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum");
    text(&out.stdout).split_whitespace().next().unwrap_or_default().to_owned()
}

/// SHA-256 of bytes, computed by coreutils.
pub fn sha256_of(bytes: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum");
    child.stdin.take().expect("stdin").write_all(bytes).expect("pipe");
    let out = child.wait_with_output().expect("sha256sum");
    text(&out.stdout).split_whitespace().next().unwrap_or_default().to_owned()
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A real local RFC 3161 TSA (`scripts/tsa/tsa_server.py`: OpenSSL's time-stamp responder), stopped on drop.
pub struct Tsa {
    child: std::process::Child,
    pub base: String,
    pub pki: PathBuf,
}

impl Tsa {
    /// Starts a TSA on a free port; its test PKI is made once per build folder.
    pub fn start() -> Tsa {
        Tsa::start_at(None)
    }

    /// Starts a TSA whose clock is moved by `offset` (libfaketime: `+365d`), when given.
    pub fn start_at(offset: Option<&str>) -> Tsa {
        let pki = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tsa-pki");
        {
            // One test process makes the PKI; the others wait for it.
            std::fs::create_dir_all(&pki).expect("pki dir");
            let lock = std::fs::File::create(pki.with_extension("lock")).expect("lock file");
            lock.lock().expect("lock");
            let out = Command::new("bash")
                .arg(repo().join("scripts/tsa/make_pki.sh"))
                .arg(&pki)
                .output()
                .expect("make_pki.sh");
            assert!(out.status.success(), "make_pki.sh: {}", text(&out.stderr));
        }
        let port_file = tempfile::NamedTempFile::new().expect("port file");
        let mut command = Command::new("python3");
        if let Some(o) = offset {
            moved_clock(&mut command, o);
        }
        let child = command
            .arg(repo().join("scripts/tsa/tsa_server.py"))
            .arg("--dir")
            .arg(&pki)
            .args(["--port", "0", "--port-file"])
            .arg(port_file.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start tsa_server.py");
        let port = wait_for_port(port_file.path(), "the test TSA");
        Tsa { child, base: format!("http://127.0.0.1:{port}"), pki }
    }

    /// The URL of one of the server's behaviours (`/tsa`, `/wrong-nonce`, …).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The test root CA.
    pub fn root(&self) -> PathBuf {
        self.pki.join("root-ca.pem")
    }
}

impl Drop for Tsa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `c` (and what it starts) with its wall clock moved by `offset` (`+365d`), through
/// libfaketime preloaded into the process itself, so that killing it kills what is faked.
pub fn moved_clock(c: &mut Command, offset: &str) {
    let lib = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|d| d.path().join("faketime/libfaketime.so.1"))
        .find(|p| p.exists())
        .expect("libfaketime (Debian package faketime)");
    c.env("LD_PRELOAD", lib).env("FAKETIME", offset).env("DONT_FAKE_MONOTONIC", "1");
}

/// The port a server started with a port file writes there (empty until then).
fn wait_for_port(port_file: &Path, what: &str) -> u16 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(port_file).unwrap_or_default();
        if let Ok(port) = text.trim().parse::<u16>() {
            return port;
        }
        assert!(std::time::Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A local OpenTimestamps calendar (`tests/fixtures/ots_calendar.py`, the reference library),
/// stopped on drop.
pub struct Calendar {
    child: std::process::Child,
    pub url: String,
}

impl Calendar {
    /// Starts a calendar on `port`, or on a free port.
    pub fn start(port: Option<u16>) -> Calendar {
        let port_file = tempfile::NamedTempFile::new().expect("port file");
        let mut cmd = Command::new("python3");
        cmd.arg(repo().join("tests/fixtures/ots_calendar.py")).arg(port_file.path());
        if let Some(p) = port {
            cmd.arg(p.to_string());
        }
        let child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start ots_calendar.py (pip install opentimestamps)");
        let port = wait_for_port(port_file.path(), "the test calendar");
        Calendar { child, url: format!("http://127.0.0.1:{port}") }
    }

    /// Attests every pending commitment in a new Bitcoin block; returns the calendar's account
    /// (`height`, `merkle_root` in internal byte order).
    pub fn mine(&self) -> serde_json::Value {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(self.url.trim_start_matches("http://")).expect("calendar");
        s.write_all(b"POST /mine HTTP/1.0\r\nContent-Length: 0\r\n\r\n").expect("send");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("answer");
        let body = answer.split("\r\n\r\n").nth(1).expect("body");
        serde_json::from_str(body).expect("json")
    }
}

impl Drop for Calendar {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bitcoind-compatible JSON-RPC endpoint (`tests/fixtures/bitcoind.py`) serving the block
/// headers of `tests/fixtures/bitcoin-headers.json`, user `evidentia`, password `s3cret`; stopped on drop.
pub struct BitcoinNode {
    child: std::process::Child,
    pub port: u16,
}

impl BitcoinNode {
    /// Starts the node on a free port.
    pub fn start() -> BitcoinNode {
        Self::serving(&repo().join("tests/fixtures/bitcoin-headers.json"))
    }

    /// Starts a node serving the headers of `blocks` (`{"HEIGHT": {"merkleroot", "time"}}`).
    pub fn serving(blocks: &Path) -> BitcoinNode {
        let port_file = tempfile::NamedTempFile::new().expect("port file");
        let child = Command::new("python3")
            .arg(repo().join("tests/fixtures/bitcoind.py"))
            .arg(blocks)
            .args(["--user", "evidentia", "--password", "s3cret", "--port-file"])
            .arg(port_file.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start bitcoind.py");
        let port = wait_for_port(port_file.path(), "the test Bitcoin node");
        BitcoinNode { child, port }
    }

    /// Its address with the credentials.
    pub fn url(&self) -> String {
        format!("http://evidentia:s3cret@127.0.0.1:{}/", self.port)
    }
}

impl Drop for BitcoinNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port with nothing listening on it.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// What a person at a terminal saw running `cmd`: every prompt containing `marker` answered with
/// `secret` (`tests/fixtures/answer_prompts.py`, on a pseudo-terminal). Returns the terminal
/// output, how many prompts appeared, and the exit code.
pub fn at_terminal(cmd: &Command, marker: &str, secret: &str) -> (String, u64, i64) {
    let out = Command::new("python3")
        .arg(repo().join("tests/fixtures/answer_prompts.py"))
        .args([marker, secret, "--"])
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))))
        .env_remove("EVIDENTIA_PASSWORD")
        .current_dir(cmd.get_current_dir().unwrap_or(Path::new(".")))
        .output()
        .expect("python3");
    let stdout = text(&out.stdout);
    let summary: serde_json::Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no summary from answer_prompts.py: {stdout}{}", text(&out.stderr)));
    (stdout, summary["prompts"].as_u64().unwrap_or(0), summary["exit"].as_i64().unwrap_or(-1))
}

/// anvil's first well-known development account (public test key, holds test ether only).
pub const DEV_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// A local anvil chain node, stopped on drop.
pub struct Anvil {
    child: std::process::Child,
    pub port: u16,
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Anvil {
    pub fn start_on(port: u16) -> Anvil {
        let bin = repo().join("scripts/chain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
        let child = Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--silent"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("anvil (run scripts/setup.sh)");
        let anvil = Anvil { child, port };
        for _ in 0..200 {
            if anvil.rpc("eth_chainId", "[]").is_some() {
                return anvil;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("anvil did not start");
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A plain JSON-RPC call through Python's standard library: the chain seen without Evidentia.
    pub fn rpc(&self, method: &str, params: &str) -> Option<serde_json::Value> {
        let script = r#"
import json, sys, urllib.request
body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": sys.argv[2], "params": json.loads(sys.argv[3])}).encode()
req = urllib.request.Request(sys.argv[1], body, {"Content-Type": "application/json"})
print(json.dumps(json.load(urllib.request.urlopen(req, timeout=5))["result"]))
"#;
        let out = Command::new("python3").args(["-c", script, &self.url(), method, params]).output().ok()?;
        if !out.status.success() {
            return None;
        }
        serde_json::from_slice(&out.stdout).ok()
    }
}

/// A plain HTTP server on a free loopback port that answers `GET /NAME` with the file NAME of its
/// folder (404 otherwise): where a test PKI publishes its certificates and CRLs.
pub struct FileServer {
    pub base: String,
}

impl FileServer {
    /// Serves `dir` until the test process ends.
    pub fn start(dir: &Path) -> FileServer {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let dir = dir.to_owned();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                // The headers are read to their end, so that closing does not reset the connection.
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let name = line.split_whitespace().nth(1).unwrap_or("/").trim_start_matches('/').to_owned();
                let body =
                    (!name.contains("..") && !name.is_empty()).then(|| std::fs::read(dir.join(&name)).ok()).flatten();
                let mut out = &stream;
                let _ = match body {
                    Some(b) => out
                        .write_all(format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n", b.len()).as_bytes())
                        .and_then(|_| out.write_all(&b)),
                    None => out.write_all(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
                };
            }
        });
        FileServer { base }
    }
}
