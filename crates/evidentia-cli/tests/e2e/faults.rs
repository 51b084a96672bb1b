//! TSA and chain faults injected during batches (down, slow, lying) — nothing lost, no lie kept.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::support::{Anvil, DEV_KEY, Env, Tsa, closed_port, text};
use serde_json::{Value, json};

// --- the fault-injecting proxy ----------------------------------------------------------------
//
// It stands in front of the real TSA (OpenSSL behind `scripts/tsa/tsa_server.py`) or the real chain
// node (anvil): it passes requests through, resets or refuses connections, answers after the
// client's timeout, or lies — every lie made from the real service's own answers. It logs every
// exchange, so each record's outcome is checked against what was actually said about it.

/// What the proxy does with one request.
enum Plan {
    /// Forward it and pass the real answer back.
    Pass,
    /// Reset the connection, the request unread.
    Reset,
    /// Reset it, and refuse every connection (nothing listens) until the next [`FaultProxy::set`].
    Refuse,
    /// The real answer, but only once the client has given up waiting.
    Late,
    /// An answer made up here: the real service never sees the request.
    Answer(u16, Vec<u8>),
    /// Forward this request instead of the one received.
    Forward(Vec<u8>),
    /// Forward the request and change the real answer.
    Rewrite(Box<dyn FnOnce(Vec<u8>) -> Vec<u8> + Send>),
}

/// One request the proxy received, and what it did with it.
#[derive(Clone)]
struct Exchange {
    request: Vec<u8>,
    fault: &'static str,
    /// The body the client was sent, once it was written.
    answer: Option<Vec<u8>>,
}

/// Picks the fault for a request, given the request body and every exchange before it.
type Decide = Box<dyn FnMut(&[u8], &[Exchange]) -> (&'static str, Plan) + Send>;

struct State {
    decide: Decide,
    log: Vec<Exchange>,
}

struct Shared {
    upstream: SocketAddr,
    /// How long a late answer waits.
    late_by: Duration,
    /// Content type of made-up answers.
    content_type: &'static str,
    state: Mutex<State>,
    refusing: AtomicBool,
    listening: AtomicBool,
    stop: AtomicBool,
}

/// An HTTP proxy whose faults the test switches while a command runs; one request per connection.
struct FaultProxy {
    shared: Arc<Shared>,
    port: u16,
    thread: Option<JoinHandle<()>>,
}

impl FaultProxy {
    fn start(upstream: &str, late_by: Duration, content_type: &'static str, decide: Decide) -> FaultProxy {
        let upstream: SocketAddr =
            upstream.trim_start_matches("http://").trim_end_matches('/').parse().expect("upstream host:port");
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy bind");
        let port = listener.local_addr().expect("proxy address").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let shared = Arc::new(Shared {
            upstream,
            late_by,
            content_type,
            state: Mutex::new(State { decide, log: Vec::new() }),
            refusing: AtomicBool::new(false),
            listening: AtomicBool::new(true),
            stop: AtomicBool::new(false),
        });
        let s = shared.clone();
        let thread = std::thread::spawn(move || accept_loop(&s, port, listener));
        FaultProxy { shared, port, thread: Some(thread) }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// New faults from now on; listens again if it was refusing, before returning.
    fn set(&self, decide: Decide) {
        self.shared.state.lock().unwrap().decide = decide;
        self.shared.refusing.store(false, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.shared.listening.load(Ordering::SeqCst) {
            assert!(Instant::now() < deadline, "the proxy could not listen on port {} again", self.port);
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn log(&self) -> Vec<Exchange> {
        self.shared.state.lock().unwrap().log.clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn pass_all() -> Decide {
    Box::new(|_, _| ("pass", Plan::Pass))
}

fn accept_loop(shared: &Arc<Shared>, port: u16, listener: TcpListener) {
    let mut listener = Some(listener);
    while !shared.stop.load(Ordering::SeqCst) {
        if shared.refusing.load(Ordering::SeqCst) {
            // Nothing listens: connections are refused by the kernel.
            listener = None;
            shared.listening.store(false, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(2));
            continue;
        }
        let Some(l) = &listener else {
            // std sets SO_REUSEADDR, so the port is free again at once.
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(l) => {
                    l.set_nonblocking(true).expect("nonblocking");
                    listener = Some(l);
                    shared.listening.store(true, Ordering::SeqCst);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
            continue;
        };
        match l.accept() {
            Ok((stream, _)) => {
                let s = shared.clone();
                std::thread::spawn(move || handle(&s, stream));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(1)),
        }
    }
}

/// A whole HTTP request, peeked (still unread): its path, content type, and where its body is.
struct Request {
    raw: Vec<u8>,
    path: String,
    content_type: String,
    body_at: usize,
}

fn peek_request(stream: &TcpStream) -> Option<Request> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = stream.peek(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(end) = buf[..n].windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let header = |name: &str| {
                head.lines()
                    .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case(name)))
                    .map(|(_, v)| v.trim().to_owned())
            };
            let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
            let total = end + 4 + length;
            if n >= total {
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let content_type = header("content-type").unwrap_or_default();
                return Some(Request { raw: buf[..total].to_vec(), path, content_type, body_at: end + 4 });
            }
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn handle(shared: &Shared, mut client: TcpStream) {
    let _ = client.set_nonblocking(false);
    let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
    let Some(req) = peek_request(&client) else { return };
    let body = req.raw[req.body_at..].to_vec();
    let (index, plan) = {
        let mut st = shared.state.lock().unwrap();
        let State { decide, log } = &mut *st;
        let (fault, plan) = decide(&body, log);
        log.push(Exchange { request: body.clone(), fault, answer: None });
        (log.len() - 1, plan)
    };
    let answer = match plan {
        // Closing a socket with unread data makes the kernel send a reset.
        Plan::Reset => {
            drop(client);
            return;
        }
        Plan::Refuse => {
            shared.refusing.store(true, Ordering::SeqCst);
            drop(client);
            return;
        }
        _ => {
            let mut consumed = vec![0u8; req.raw.len()];
            if client.read_exact(&mut consumed).is_err() {
                return;
            }
            match plan {
                Plan::Pass => forward(shared, &req, &body),
                Plan::Late => {
                    std::thread::sleep(shared.late_by);
                    forward(shared, &req, &body)
                }
                Plan::Answer(status, made_up) => (status, shared.content_type.to_owned(), made_up),
                Plan::Forward(other) => forward(shared, &req, &other),
                Plan::Rewrite(change) => {
                    let (status, ctype, real) = forward(shared, &req, &body);
                    (status, ctype, change(real))
                }
                Plan::Reset | Plan::Refuse => unreachable!(),
            }
        }
    };
    let (status, ctype, bytes) = answer;
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Error" },
        bytes.len()
    );
    let sent = client.write_all(head.as_bytes()).and_then(|_| client.write_all(&bytes)).and_then(|_| client.flush());
    if sent.is_ok() {
        shared.state.lock().unwrap().log[index].answer = Some(bytes);
    }
}

/// Sends `body` to the real service and returns its status, content type and body.
fn forward(shared: &Shared, req: &Request, body: &[u8]) -> (u16, String, Vec<u8>) {
    let exchange = || -> std::io::Result<Vec<u8>> {
        let mut up = TcpStream::connect(shared.upstream)?;
        up.set_read_timeout(Some(Duration::from_secs(30)))?;
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            req.path,
            shared.upstream,
            req.content_type,
            body.len()
        );
        up.write_all(head.as_bytes())?;
        up.write_all(body)?;
        let mut raw = Vec::new();
        up.read_to_end(&mut raw)?;
        Ok(raw)
    };
    match exchange() {
        Ok(raw) => parse_response(&raw),
        Err(e) => (502, "text/plain".into(), format!("proxy: upstream failed: {e}").into_bytes()),
    }
}

fn parse_response(raw: &[u8]) -> (u16, String, Vec<u8>) {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer from upstream");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("an HTTP status");
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case(name)))
            .map(|(_, v)| v.trim().to_owned())
    };
    let rest = &raw[end + 4..];
    let body = if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut out = Vec::new();
        let mut pos = 0;
        loop {
            let line_end = pos + rest[pos..].windows(2).position(|w| w == b"\r\n").expect("chunk size");
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[pos..line_end]).trim(), 16).unwrap();
            if size == 0 {
                break out;
            }
            out.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            pos = line_end + 2 + size + 2;
        }
    } else {
        match header("content-length").and_then(|v| v.parse::<usize>().ok()) {
            Some(n) => rest[..n.min(rest.len())].to_vec(),
            None => rest.to_vec(),
        }
    };
    (status, header("content-type").unwrap_or_default(), body)
}

// --- DER, just enough to read a TimeStampReq and to find a signature -----------------------------

/// The DER element at `pos`: its tag, where its content starts, and where it ends.
fn tlv(d: &[u8], pos: usize) -> (u8, usize, usize) {
    let first = d[pos + 1] as usize;
    let (len, start) = if first & 0x80 == 0 {
        (first, pos + 2)
    } else {
        let n = first & 0x7f;
        (d[pos + 2..pos + 2 + n].iter().fold(0usize, |a, b| (a << 8) | *b as usize), pos + 2 + n)
    };
    (d[pos], start, start + len)
}

/// The elements inside the element at `pos`: (tag, content start, end) each.
fn children(d: &[u8], pos: usize) -> Vec<(u8, usize, usize, usize)> {
    let (_, mut at, end) = tlv(d, pos);
    let mut out = Vec::new();
    while at < end {
        let (tag, start, stop) = tlv(d, at);
        out.push((tag, at, start, stop));
        at = stop;
    }
    out
}

/// The message imprint (the digest) of a TimeStampReq.
fn imprint_of(request: &[u8]) -> String {
    let top = children(request, 0);
    let imprint = children(request, top[1].1);
    hex::encode(&request[imprint[1].2..imprint[1].3])
}

/// The same TimeStampReq with another nonce.
fn with_other_nonce(request: &[u8]) -> Vec<u8> {
    let top = children(request, 0);
    let nonce = top.iter().skip(1).find(|c| c.0 == 0x02).expect("Evidentia's requests carry a nonce");
    let mut out = request.to_vec();
    out[nonce.3 - 1] ^= 0x01;
    out
}

/// A TimeStampResp with one bit of its SignerInfo's signature flipped.
fn with_flipped_signature(response: &[u8]) -> Vec<u8> {
    let token = children(response, 0)[1];
    let signed = children(response, token.1)[1]; // [0] EXPLICIT content
    let signed_data = children(response, signed.1)[0];
    let signer_infos = *children(response, signed_data.1).last().expect("signerInfos");
    let signer = children(response, signer_infos.1)[0];
    let sig = children(response, signer.1).into_iter().rfind(|c| c.0 == 0x04).expect("the signature");
    let mut out = response.to_vec();
    out[sig.2 + (sig.3 - sig.2) / 2] ^= 0x01;
    out
}

// --- the TSA ---------------------------------------------------------------------------------------

/// What each record's first request to the TSA meets, in turn. A retry after a transport fault
/// (reset, slow, HTTP 503) passes, so those records end time-stamped; a lie is not retried, so
/// those records stay pending with the lie's reason.
const TSA_CYCLE: [&str; 20] = [
    "pass",
    "pass",
    "pass",
    "garbage",
    "pass",
    "pass",
    "replay",
    "pass",
    "reset",
    "pass",
    "bad-signature",
    "pass",
    "pass",
    "slow",
    "wrong-nonce",
    "pass",
    "pass",
    "http-503",
    "truncated",
    "pass",
];

/// Each lie and the reason a record it was told to must stay pending with.
const TSA_LIES: [(&str, &str); 5] = [
    ("garbage", "TSP_MALFORMED"),
    ("replay", "IMPRINT_MISMATCH"),
    ("bad-signature", "SIG_CRYPTO_FAILURE"),
    ("wrong-nonce", "NONCE_MISMATCH"),
    ("truncated", "TSP_MALFORMED"),
];

/// TSA seconds: a slow answer comes after the client's timeout.
const TSA_TIMEOUT: u64 = 2;

/// The faults of one seal: [`TSA_CYCLE`] over the records' first requests, then, from the
/// `down_from`-th record on, the TSA goes down (connections reset, then refused).
fn tsa_storm(down_from: usize) -> Decide {
    let mut seen: HashSet<String> = HashSet::new();
    Box::new(move |req, log| {
        let imprint = imprint_of(req);
        if seen.contains(&imprint) {
            return ("retry", Plan::Pass);
        }
        let k = seen.len();
        seen.insert(imprint.clone());
        if k >= down_from {
            return ("refused", Plan::Refuse);
        }
        match TSA_CYCLE[k % TSA_CYCLE.len()] {
            "garbage" => ("garbage", Plan::Answer(200, b"<html>busy, try later</html>\n".repeat(3))),
            "replay" => {
                // The real TSA's answer to an earlier request for another record.
                let earlier = log.iter().rev().find(|e| {
                    matches!(e.fault, "pass" | "retry") && e.answer.is_some() && imprint_of(&e.request) != imprint
                });
                match earlier {
                    Some(e) => ("replay", Plan::Answer(200, e.answer.clone().unwrap())),
                    None => ("pass", Plan::Pass),
                }
            }
            "bad-signature" => ("bad-signature", Plan::Rewrite(Box::new(|r| with_flipped_signature(&r)))),
            // The real TSA signs the request with another nonce: a valid token for another request.
            "wrong-nonce" => ("wrong-nonce", Plan::Forward(with_other_nonce(req))),
            "truncated" => ("truncated", Plan::Rewrite(Box::new(|r| r[..r.len() / 2].to_vec()))),
            "reset" => ("reset", Plan::Reset),
            "slow" => ("slow", Plan::Late),
            "http-503" => ("http-503", Plan::Answer(503, b"overloaded\n".to_vec())),
            _ => ("pass", Plan::Pass),
        }
    })
}

fn with_tsa(env: &Env, tsa: &Tsa, proxy: &FaultProxy) -> Command {
    let mut c = env.cmd();
    c.env("EVIDENTIA_TSA", proxy.url("/tsa"))
        .env("EVIDENTIA_TSA_TRUST", tsa.root())
        .env("EVIDENTIA_TSA_TIMEOUT", TSA_TIMEOUT.to_string())
        .env("EVIDENTIA_TSA_RETRIES", "2");
    c
}

fn json_run(mut cmd: Command, args: &[&str]) -> (i32, Value) {
    let out = cmd.arg("--json").args(args).output().expect("run evidentia");
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e}): {}{}", text(&out.stdout), text(&out.stderr)));
    (out.status.code().unwrap_or(-1), v)
}

/// Every stored time-stamp token (DER), by record, read from the vault's database.
fn stored_tokens(env: &Env) -> HashMap<String, Vec<Vec<u8>>> {
    let agg = if env.database.is_some() { "string_agg" } else { "group_concat" };
    let all = env.sql_value(&format!("SELECT COALESCE({agg}(record_id || ':' || token, ','), '') FROM timestamps"));
    let mut out: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
    for item in all.split(',').filter(|s| !s.is_empty()) {
        let (id, token) = item.split_once(':').expect("record:token");
        out.entry(id.to_owned()).or_default().push(hex::decode(token).expect("hex token"));
    }
    out
}

/// Every file under `dir` with its SHA-256 from coreutils, by the name Evidentia gives it.
fn sha256sums(env: &Env, names: &[String]) -> HashMap<String, String> {
    let out = Command::new("sha256sum").args(names).current_dir(env.dir.path()).output().expect("sha256sum");
    assert!(out.status.success(), "sha256sum: {}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| {
            let (sha, name) = l.split_once("  ").expect("sha256sum line");
            (name.to_owned(), sha.to_owned())
        })
        .collect()
}

/// Every file is listed exactly once, under its name, with the SHA-256 coreutils computes.
fn assert_listed_once(env: &Env, names: &[String]) -> Vec<Value> {
    let records = env.records();
    let expected = sha256sums(env, names);
    let mut by_name: HashMap<&str, Vec<&Value>> = HashMap::new();
    for r in &records {
        by_name.entry(r["name"].as_str().unwrap()).or_default().push(r);
    }
    assert_eq!(records.len(), names.len(), "one record per file, no more, no less");
    for (name, sha) in &expected {
        let found = by_name.get(name.as_str()).unwrap_or_else(|| panic!("{name}: lost, not in `vault list`"));
        assert_eq!(found.len(), 1, "{name}: listed {} times", found.len());
        assert_eq!(found[0]["digests"]["sha256"], sha.as_str(), "{name}: the vault's SHA-256 is not coreutils'");
    }
    records
}

fn assert_vault_verifies(env: &Env, when: &str) {
    let out = env.run(&["vault", "verify"]);
    assert!(
        out.status.success() && text(&out.stdout).contains("INTACT"),
        "{when}: vault verify: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// For each record of a seal: a record the TSA lied to is pending with the lie's reason and has no
/// token; a record with a token has exactly a real answer given to a request for its digest; the
/// others are pending because the TSA was down or slow. Returns how many of each lie were told.
fn check_seal_outcomes(
    seal: &Value,
    log: &[Exchange],
    tokens: &HashMap<String, Vec<Vec<u8>>>,
) -> HashMap<String, usize> {
    let mut by_imprint: HashMap<String, Vec<&Exchange>> = HashMap::new();
    for e in log {
        by_imprint.entry(imprint_of(&e.request)).or_default().push(e);
    }
    let mut told: HashMap<String, usize> = HashMap::new();
    for r in seal["records"].as_array().unwrap() {
        let (id, name) = (r["id"].as_str().unwrap(), r["name"].as_str().unwrap());
        let sha = r["digests"]["sha256"].as_str().unwrap();
        let seen = by_imprint.get(sha).cloned().unwrap_or_default();
        let kept = tokens.get(id);
        let reason = &r["timestamp"]["pending_reason"];
        if let Some(lie) = seen.iter().find_map(|e| TSA_LIES.iter().find(|(l, _)| *l == e.fault)) {
            *told.entry(lie.0.to_owned()).or_default() += 1;
            assert!(kept.is_none(), "{name}: a token was kept although the TSA's only answer was a lie ({})", lie.0);
            assert_eq!(r["status"], "timestamp_pending", "{name} was told a lie ({}): {r}", lie.0);
            assert_eq!(reason["code"], lie.1, "{name}: the lie ({}) is named: {reason}", lie.0);
        } else if let Some(kept) = kept {
            assert_eq!(r["status"], "timestamped", "{name} has a token: {r}");
            assert_eq!(kept.len(), 1, "{name}: one token");
            let real = seen.iter().any(|e| matches!(e.fault, "pass" | "retry") && e.answer.as_ref() == Some(&kept[0]));
            assert!(real, "{name}: the kept token is not the real TSA's answer to a request for its digest");
            for e in seen.iter().filter(|e| !matches!(e.fault, "pass" | "retry")) {
                *told.entry(format!("{} then recovered", e.fault)).or_default() += 1;
            }
        } else {
            assert_eq!(r["status"], "timestamp_pending", "{name}: no token, so pending: {r}");
            let code = reason["code"].as_str().unwrap_or_default();
            assert!(
                code == "TSA_UNREACHABLE" || code == "TSA_TIMEOUT",
                "{name}: pending without a lie told, so for a TSA down or slow, not {reason}"
            );
            assert!(reason["message"].as_str().is_some_and(|m| !m.is_empty()), "{name}: the reason is said: {reason}");
            *told.entry(format!("pending: {code}")).or_default() += 1;
        }
    }
    told
}

#[test]
fn tsa_down_slow_or_lying_during_a_seal_loses_nothing_and_keeps_no_lie() {
    let started = Instant::now();
    let tsa = Tsa::start();
    let env = Env::new();
    let late_by = Duration::from_secs(TSA_TIMEOUT) + Duration::from_millis(1500);
    let proxy = FaultProxy::start(&tsa.base, late_by, "application/timestamp-reply", tsa_storm(200));
    let mut names: Vec<String> = Vec::new();
    for i in 0..240 {
        let name = format!("batch/f{i:03}.txt");
        env.write(&name, format!("evidence item {i}\n{}", "x".repeat(i % 17)));
        names.push(name);
    }

    // 1. One seal of 240 files while the TSA lies, resets, answers late and finally goes down.
    let (code, seal) = json_run(with_tsa(&env, &tsa, &proxy), &["seal", "--each", "batch"]);
    assert_eq!(code, 0, "sealing never fails because of a TSA: {seal}");
    assert_eq!(seal["records"].as_array().unwrap().len(), 240, "one outcome per file");
    let log = proxy.log();
    let told = check_seal_outcomes(&seal, &log, &stored_tokens(&env));
    println!("seal under faults ({:?}): {told:?}", started.elapsed());
    for (lie, _) in TSA_LIES {
        assert!(told.get(lie).is_some_and(|n| *n >= 5), "the lie `{lie}` was told during the seal: {told:?}");
    }
    // A slow answer's retry comes 2 s later, possibly after the TSA went down: at least one recovers.
    for (fault, least) in [("reset", 3), ("slow", 1), ("http-503", 3)] {
        let key = format!("{fault} then recovered");
        assert!(told.get(&key).is_some_and(|n| *n >= least), "`{fault}` met and a retry recovered: {told:?}");
    }
    assert!(log.iter().any(|e| e.fault == "refused"), "the TSA went down during the seal");
    assert!(told.get("pending: TSA_UNREACHABLE").is_some_and(|n| *n >= 20), "records left by a TSA down: {told:?}");
    let records = assert_listed_once(&env, &names);
    for r in &records {
        let sealed = seal["records"].as_array().unwrap().iter().find(|s| s["id"] == r["id"]).unwrap();
        assert_eq!(r["status"], sealed["status"], "{}: `vault list` agrees with the seal", r["name"]);
    }
    assert_vault_verifies(&env, "after the seal under faults");
    let stamped_after_seal = stored_tokens(&env).len();

    // 2. A second seal while the TSA answers only after the timeout: every record pending.
    for i in 0..20 {
        let name = format!("late/g{i:02}.txt");
        env.write(&name, format!("late item {i}\n"));
        names.push(name);
    }
    proxy.set(Box::new(|_, _| ("slow", Plan::Late)));
    let before = Instant::now();
    let (code, late) = json_run(with_tsa(&env, &tsa, &proxy), &["seal", "--each", "late"]);
    assert_eq!(code, 0, "{late}");
    assert!(before.elapsed() < Duration::from_secs(30), "a slow TSA is given up on: {:?}", before.elapsed());
    let codes: Vec<&str> = late["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["status"], "timestamp_pending", "{r}");
            r["timestamp"]["pending_reason"]["code"].as_str().unwrap()
        })
        .collect();
    assert!(codes.contains(&"TSA_TIMEOUT"), "{codes:?}");
    assert!(codes.iter().all(|c| *c == "TSA_TIMEOUT" || *c == "TSA_UNREACHABLE"), "{codes:?}");
    assert_eq!(stored_tokens(&env).len(), stamped_after_seal, "no token from answers given after the timeout");
    assert_listed_once(&env, &names);
    assert_vault_verifies(&env, "after the seal with a slow TSA");

    // 3. `sync` while the TSA is down: exit 6, everything still pending, nothing kept.
    let pending = env.records().iter().filter(|r| r["status"] == "timestamp_pending").count();
    proxy.set(Box::new(|_, _| ("refused", Plan::Refuse)));
    let (code, synced) = json_run(with_tsa(&env, &tsa, &proxy), &["sync"]);
    assert_eq!(code, 6, "sync leaves records pending: {synced}");
    let outcomes = synced["records"].as_array().unwrap();
    assert_eq!(outcomes.len(), pending, "sync asks for every pending record");
    assert!(outcomes.iter().all(|o| o["pending_reason"]["code"] == "TSA_UNREACHABLE"), "{:?}", outcomes.first());
    assert_eq!(stored_tokens(&env).len(), stamped_after_seal);

    // 4. The TSA is honest again: sync completes every pending time-stamp.
    proxy.set(pass_all());
    let (code, synced) = json_run(with_tsa(&env, &tsa, &proxy), &["sync"]);
    assert_eq!(code, 0, "{synced}");
    assert_eq!(synced["records"].as_array().unwrap().len(), pending, "sync asks for every pending record");
    let records = assert_listed_once(&env, &names);
    let waiting: Vec<&Value> = records.iter().filter(|r| r["status"] != "timestamped").collect();
    assert!(waiting.is_empty(), "{} record(s) not time-stamped after sync: {:?}", waiting.len(), waiting.first());
    assert_vault_verifies(&env, "after sync");
    // Every kept token is the real TSA's answer to a request for that record's digest, never a lie.
    let log = proxy.log();
    let tokens = stored_tokens(&env);
    for r in &records {
        let (id, sha) = (r["id"].as_str().unwrap(), r["digests"]["sha256"].as_str().unwrap());
        let kept = &tokens[id];
        assert_eq!(kept.len(), 1, "{}: one token", r["name"]);
        let real = log.iter().any(|e| {
            matches!(e.fault, "pass" | "retry") && imprint_of(&e.request) == sha && e.answer.as_ref() == Some(&kept[0])
        });
        assert!(real, "{}: the kept token is not the real TSA's answer for its digest", r["name"]);
    }

    // 5. A sample of the kept tokens, exported in a package, passes `openssl ts -verify`.
    let lied_to = |fault: &str| {
        let e = log.iter().find(|e| e.fault == fault).unwrap();
        let sha = imprint_of(&e.request);
        records.iter().find(|r| r["digests"]["sha256"] == sha.as_str()).unwrap()["id"].as_str().unwrap().to_owned()
    };
    let mut sample: Vec<String> = TSA_LIES.iter().map(|(l, _)| lied_to(l)).collect();
    sample.extend(["slow", "refused"].map(lied_to));
    sample.push(records.last().unwrap()["id"].as_str().unwrap().to_owned());
    sample.sort();
    sample.dedup();
    let mut export = with_tsa(&env, &tsa, &proxy);
    export.args(["export", "--lang", "en", "-o", "sample.asice"]).args(&sample);
    let out = export.output().unwrap();
    assert!(out.status.success(), "export: {}{}", text(&out.stdout), text(&out.stderr));
    env.ok(&["extract", "sample.asice", "sample"]);
    let dir = env.path("sample");
    let evidence: Value =
        serde_json::from_slice(&std::fs::read(dir.join("META-INF/evidentia/evidence.json")).unwrap()).unwrap();
    let exported = evidence["records"].as_array().unwrap();
    assert_eq!(exported.len(), sample.len());
    for r in exported {
        let name = r["record"]["name"].as_str().unwrap();
        let content = dir.join(r["content"].as_str().unwrap());
        let token = dir.join(r["timestamps"][0]["entry"].as_str().unwrap());
        assert_eq!(std::fs::read(&token).unwrap(), tokens[r["record"]["id"].as_str().unwrap()][0]);
        openssl_ts_verify(&content, &token, &tsa.root(), name);
    }
    println!("TSA faults test: {:?}", started.elapsed());
}

fn openssl_ts_verify(data: &Path, token: &Path, root: &Path, what: &str) {
    let out = Command::new("openssl")
        .args(["ts", "-verify", "-data"])
        .arg(data)
        .arg("-in")
        .arg(token)
        .arg("-CAfile")
        .arg(root)
        .output()
        .expect("openssl");
    assert!(
        text(&out.stdout).contains("Verification: OK"),
        "{what}: openssl ts -verify: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

// --- the chain -------------------------------------------------------------------------------------

/// anvil's chain id.
const ANVIL_CHAIN_ID: u64 = 31337;

fn method_of(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body).ok().and_then(|v| v["method"].as_str().map(str::to_owned)).unwrap_or_default()
}

/// Changes the `result` of a JSON-RPC answer (when it has one).
fn rewrite_result(change: impl FnOnce(&mut Value) + Send + 'static) -> Plan {
    Plan::Rewrite(Box::new(move |body| {
        let mut v: Value = serde_json::from_slice(&body).expect("a JSON-RPC answer from anvil");
        if !v["result"].is_null() {
            change(&mut v["result"]);
        }
        serde_json::to_vec(&v).unwrap()
    }))
}

/// A fault of the chain node during `anchor flush`.
#[derive(Clone, Copy, Debug)]
enum ChainFault {
    /// Nothing listens.
    Down,
    /// The transaction goes out; then every connection is reset.
    ResetAfterSend,
    /// Receipts come after the timeout.
    SlowReceipts,
    /// Receipts come as bytes that are not JSON.
    GarbageReceipts,
    /// The block number is an HTTP 502.
    BadGateway,
    /// The receipt lookup is a JSON-RPC error.
    RpcError,
    /// Every chain id is 1: the transaction is signed for another chain.
    WrongChainId,
    /// The block's header names a transactions root its transactions do not give.
    TamperedBlock,
    /// After the send, the node says the chain is chain 1.
    WrongChainIdAfterSend,
    /// Receipt and block name a block hash that is not the block's.
    WrongBlockHash,
    /// The receipt asked for is another transaction's.
    OtherReceipt,
}

/// The fault as a plan per request; `other_tx` is a mined transaction that is not the anchor.
fn chain_faults(fault: ChainFault, other_tx: String) -> Decide {
    let mut sent = false;
    Box::new(move |req, _| {
        let method = method_of(req);
        let after_send = sent;
        if method == "eth_sendRawTransaction" {
            sent = true;
        }
        let fake_hash = "0x1111111111111111111111111111111111111111111111111111111111111111";
        match (fault, method.as_str()) {
            (ChainFault::Down, _) => ("refused", Plan::Refuse),
            (ChainFault::ResetAfterSend, _) if after_send => ("reset", Plan::Reset),
            (ChainFault::SlowReceipts, "eth_getTransactionReceipt") => ("slow", Plan::Late),
            (ChainFault::GarbageReceipts, "eth_getTransactionReceipt") => {
                ("garbage", Plan::Answer(200, b"<html>502 Bad Gateway</html>".to_vec()))
            }
            (ChainFault::BadGateway, "eth_blockNumber") => ("http-502", Plan::Answer(502, b"bad gateway".to_vec())),
            (ChainFault::RpcError, "eth_getTransactionReceipt") => {
                let id = serde_json::from_slice::<Value>(req).map(|v| v["id"].clone()).unwrap_or(Value::Null);
                let answer =
                    json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32603, "message": "internal error"}});
                ("rpc-error", Plan::Answer(200, serde_json::to_vec(&answer).unwrap()))
            }
            (ChainFault::WrongChainId, "eth_chainId") => ("wrong-chain-id", rewrite_result(|r| *r = json!("0x1"))),
            (ChainFault::TamperedBlock, "eth_getBlockByNumber") => {
                ("tampered-block", rewrite_result(move |r| r["transactionsRoot"] = json!(fake_hash)))
            }
            (ChainFault::WrongChainIdAfterSend, "eth_chainId") if after_send => {
                ("wrong-chain-id", rewrite_result(|r| *r = json!("0x1")))
            }
            (ChainFault::WrongBlockHash, "eth_getTransactionReceipt") => {
                ("wrong-block-hash", rewrite_result(move |r| r["blockHash"] = json!(fake_hash)))
            }
            (ChainFault::WrongBlockHash, "eth_getBlockByNumber") => {
                ("wrong-block-hash", rewrite_result(move |r| r["hash"] = json!(fake_hash)))
            }
            (ChainFault::OtherReceipt, "eth_getTransactionReceipt") => {
                let mut v: Value = serde_json::from_slice(req).unwrap();
                v["params"] = json!([other_tx.clone()]);
                ("other-receipt", Plan::Forward(serde_json::to_vec(&v).unwrap()))
            }
            _ => ("pass", Plan::Pass),
        }
    })
}

/// The chain timeout, in seconds (`[evm] timeout_secs`).
const CHAIN_TIMEOUT: u64 = 1;

fn chain_cmd(env: &Env, rpc: &str, args: &[&str]) -> (i32, Value) {
    env.write("anchor.key", DEV_KEY);
    let config = env.write("evm.toml", format!("[evm]\ntimeout_secs = {CHAIN_TIMEOUT}\n"));
    let mut c = env.cmd();
    c.env("EVIDENTIA_CONFIG", config)
        .env("EVIDENTIA_EVM_RPC", rpc)
        .env("EVIDENTIA_EVM_KEY_FILE", env.path("anchor.key"));
    json_run(c, args)
}

fn count(env: &Env, table: &str) -> u64 {
    env.sql_value(&format!("SELECT COUNT(*) FROM {table}")).parse().unwrap()
}

fn block_number(anvil: &Anvil) -> u64 {
    let n = anvil.rpc("eth_blockNumber", "[]").expect("anvil answers");
    u64::from_str_radix(n.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

/// Seals `files` new files under `dir/` (no TSA); returns their names.
fn seal_files(env: &Env, dir: &str, files: usize) -> Vec<String> {
    let names: Vec<String> = (0..files).map(|i| format!("{dir}/d{i:02}.txt")).collect();
    for (i, n) in names.iter().enumerate() {
        env.write(n, format!("{dir} document {i}\n"));
    }
    env.ok(&["seal", "--each", dir]);
    names
}

/// The anchor of the newest batch in `outcomes`, checked against the chain read without Evidentia.
fn check_anchor_on_chain(env: &Env, anvil: &Anvil, outcome: &Value, dir: &str) -> String {
    let anchor = &outcome["anchor"]["anchor"];
    let tx_hash = anchor["tx_hash"].as_str().unwrap().to_owned();
    let tx = anvil.rpc("eth_getTransactionByHash", &format!("[\"{tx_hash}\"]")).expect("anvil knows the tx");
    assert_eq!(tx["input"], format!("0x{}", outcome["root"].as_str().unwrap()), "{dir}: the tx carries the root");
    assert_eq!(tx["blockHash"], anchor["block_hash"], "{dir}: the recorded block is the tx's block");
    assert_eq!(anchor["chain_id"], ANVIL_CHAIN_ID, "{dir}: the recorded chain is the node's");
    // A record of this batch: its anchor verifies online against the node itself.
    let prefix = format!("{dir}/");
    let record = env.records().into_iter().find(|r| r["name"].as_str().unwrap().starts_with(&prefix)).unwrap();
    let (code, v) = chain_cmd(env, &anvil.url(), &["anchor", "verify", record["id"].as_str().unwrap()]);
    assert_eq!((code, v["result"].as_str()), (0, Some("TOTAL-PASSED")), "{dir}: anchor verify: {v}");
    tx_hash
}

/// One batch anchored through faults: `anchor flush` leaves it pending with `expected` (for a lie
/// the product cannot name, any reason) and records nothing from the node's answers — no anchor,
/// no drop of an earlier anchor; then an honest `sync` anchors it, with one transaction in all.
/// Returns the anchoring transaction.
fn anchor_through(
    env: &Env,
    anvil: &Anvil,
    proxy: &FaultProxy,
    fault: ChainFault,
    other_tx: &str,
    expected: Option<&str>,
) -> String {
    let dir = format!("{fault:?}").to_lowercase();
    seal_files(env, &dir, 12);
    let recorded = |env: &Env| (count(env, "chain_anchors"), count(env, "anchor_drops"));
    let (before, sends, height) = (recorded(env), count(env, "anchor_sends"), block_number(anvil));
    proxy.set(chain_faults(fault, other_tx.to_owned()));
    let (code, v) = chain_cmd(env, &proxy.url("/"), &["anchor", "flush"]);
    let outcome = v["anchors"].as_array().and_then(|a| a.last()).cloned().unwrap_or_default();
    let state = outcome["state"].as_str().unwrap_or_default();
    if state == "anchored" || recorded(env) != before {
        let kept = &outcome["anchor"]["anchor"];
        let check = env.run(&["--json", "vault", "verify"]);
        let problems =
            serde_json::from_slice::<Value>(&check.stdout).map(|v| v["problems"].clone()).unwrap_or_default();
        panic!(
            "{fault:?}: a lying node got an anchor recorded: `anchor flush` exited {code} with the batch {state:?}; \
             (anchors, drops) went from {before:?} to {:?}; recorded chain_id {} tx_hash {} block {} hash {}; \
             `vault verify` now exits {:?} with problems {problems}",
            recorded(env),
            kept["chain_id"],
            kept["tx_hash"],
            kept["block_number"],
            kept["block_hash"],
            check.status.code(),
        );
    }
    assert_eq!(code, 6, "{fault:?}: anchor flush could not anchor yet: {v}");
    if let Some(expected) = expected {
        assert_eq!(state, expected, "{fault:?}: the reason: {outcome}");
    }
    assert!(outcome["detail"].as_str().is_some_and(|d| d.len() > 10), "{fault:?}: the reason is said: {outcome}");
    assert_vault_verifies(env, &format!("{fault:?}: after the faulty flush"));
    println!("{fault:?}: pending, {state}: {}", outcome["detail"]);

    proxy.set(pass_all());
    let (code, v) = chain_cmd(env, &proxy.url("/"), &["sync"]);
    assert_eq!(code, 0, "{fault:?}: sync with an honest node: {v}");
    let all = v["anchors"].as_array().unwrap();
    assert!(all.iter().all(|o| o["state"] == "anchored"), "{fault:?}: every batch anchored: {v}");
    assert_eq!(recorded(env), (before.0 + 1, before.1), "{fault:?}: one anchor recorded, none dropped");
    assert_eq!(block_number(anvil), height + 1, "{fault:?}: one transaction for the batch, none repeated");
    assert!(count(env, "anchor_sends") <= sends + 1, "{fault:?}: one send");
    let tx = check_anchor_on_chain(env, anvil, all.last().unwrap(), &dir);
    assert_vault_verifies(env, &format!("{fault:?}: after sync"));
    tx
}

#[test]
fn chain_down_slow_or_garbled_during_anchor_flush_leaves_the_batch_pending_until_sync() {
    let started = Instant::now();
    let env = Env::new();
    let anvil = Anvil::start_on(closed_port());
    let late_by = Duration::from_secs(CHAIN_TIMEOUT) + Duration::from_millis(1500);
    let proxy = FaultProxy::start(&anvil.url(), late_by, "application/json", pass_all());
    let mut other = String::new();
    for (fault, expected) in [
        (ChainFault::Down, "CHAIN_UNREACHABLE"),
        (ChainFault::ResetAfterSend, "CHAIN_UNREACHABLE"),
        (ChainFault::SlowReceipts, "CHAIN_UNREACHABLE"),
        (ChainFault::GarbageReceipts, "CHAIN_UNREACHABLE"),
        (ChainFault::BadGateway, "CHAIN_UNREACHABLE"),
        (ChainFault::RpcError, "CHAIN_UNREACHABLE"),
        (ChainFault::WrongChainId, "CHAIN_UNREACHABLE"),
        (ChainFault::TamperedBlock, "CHAIN_TX_ROOT_MISMATCH"),
    ] {
        other = anchor_through(&env, &anvil, &proxy, fault, &other, Some(expected));
    }
    let faults: HashSet<&str> = proxy.log().iter().map(|e| e.fault).collect();
    for f in ["refused", "reset", "slow", "garbage", "http-502", "rpc-error", "wrong-chain-id", "tampered-block"] {
        assert!(faults.contains(f), "the fault `{f}` was met: {faults:?}");
    }
    let py = env.check_custody_log();
    assert!(py.status.success(), "the independent custody-log check: {}", text(&py.stderr));
    println!("chain faults test: {:?}", started.elapsed());
}

/// A lie told while a batch is anchored, with an honest batch anchored before it in the same vault
/// (its transaction is the other one a lying receipt names, and its anchor is checked again).
fn lie_during_anchor_flush(fault: ChainFault) {
    let env = Env::new();
    let anvil = Anvil::start_on(closed_port());
    let late_by = Duration::from_secs(CHAIN_TIMEOUT) + Duration::from_millis(1500);
    let proxy = FaultProxy::start(&anvil.url(), late_by, "application/json", pass_all());
    seal_files(&env, "honest", 3);
    let (code, v) = chain_cmd(&env, &proxy.url("/"), &["anchor", "flush"]);
    assert_eq!(code, 0, "{v}");
    let other = check_anchor_on_chain(&env, &anvil, &v["anchors"][0], "honest");
    anchor_through(&env, &anvil, &proxy, fault, &other, None);
    assert!(proxy.log().iter().any(|e| e.fault != "pass"), "{fault:?}: the lie was told");
}

#[test]
fn a_node_that_names_another_chain_after_the_send_gets_nothing_recorded() {
    lie_during_anchor_flush(ChainFault::WrongChainIdAfterSend);
}

#[test]
fn a_node_that_names_a_wrong_block_hash_gets_nothing_recorded() {
    lie_during_anchor_flush(ChainFault::WrongBlockHash);
}

#[test]
fn a_node_that_answers_another_transactions_receipt_gets_nothing_recorded() {
    lie_during_anchor_flush(ChainFault::OtherReceipt);
}
