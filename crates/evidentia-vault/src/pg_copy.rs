//! A table's `COPY … TO STDOUT` on a PostgreSQL connection of its own, read from the socket in
//! blocks of 256 KiB: a million-row copy comes as a million messages, and reading them through the
//! general client (8 KiB per read, one buffer per message) costs a verify on PostgreSQL more than
//! the copy's own decoding. The connection logs in as the general client would (same host or
//! socket, user, database, options; no password, a password in clear or SCRAM-SHA-256) and is
//! plain, as the general client is in this build; anything else it leaves to the general client.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use ring::{digest, hmac, pbkdf2, rand::SecureRandom};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use zeroize::Zeroizing;

use super::VaultError;

/// Bytes asked of the socket at a time, and the copy data handed on at a time.
const BLOCK: usize = 256 << 10;
/// The largest message taken from the server (a row of the vault's tables is far smaller).
const LARGEST_MESSAGE: usize = 1 << 30;

/// A copy under way: its connection and the bytes read but not yet handed on.
pub(super) struct TableCopy {
    socket: Box<dyn Socket>,
    shown: PathBuf,
    buf: Vec<u8>,
    at: usize,
    ended: bool,
}

trait Socket: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Socket for T {}

/// Why a connection of its own was not used: the caller then reads through the general client,
/// which also words any error for people.
#[derive(Debug)]
pub(super) struct NotHere(#[allow(dead_code)] String);

/// Opens a connection to `url` and starts `sql` (a `COPY … TO STDOUT`) on it. Table scans start at
/// the table's first page (`synchronize_seqscans` off), text comes as UTF-8.
pub(super) async fn open(url: &str, shown: &Path, sql: &str) -> Result<TableCopy, NotHere> {
    let not_here = |why: &str| NotHere(why.to_owned());
    let options: PgConnectOptions = url.parse().map_err(|_| not_here("the URL"))?;
    if !matches!(options.get_ssl_mode(), PgSslMode::Disable | PgSslMode::Allow | PgSslMode::Prefer) {
        return Err(not_here("TLS is asked for"));
    }
    let socket: Box<dyn Socket> = match unix_socket(&options) {
        Some(path) => Box::new(tokio::net::UnixStream::connect(path).await.map_err(|e| NotHere(e.to_string()))?),
        None => {
            let tcp = tokio::net::TcpStream::connect((options.get_host(), options.get_port()))
                .await
                .map_err(|e| NotHere(e.to_string()))?;
            tcp.set_nodelay(true).map_err(|e| NotHere(e.to_string()))?;
            Box::new(tcp)
        }
    };
    let mut copy =
        TableCopy { socket, shown: shown.to_owned(), buf: Vec::with_capacity(2 * BLOCK), at: 0, ended: false };
    let user = options.get_username();
    let mut params = vec![
        ("user", user),
        ("database", options.get_database().unwrap_or(user)),
        ("client_encoding", "UTF8"),
        ("synchronize_seqscans", "off"),
    ];
    params.extend(options.get_application_name().map(|name| ("application_name", name)));
    params.extend(options.get_options().map(|o| ("options", o)));
    copy.send(&startup_message(&params)).await.map_err(|e| NotHere(e.to_string()))?;
    copy.log_in(&password(url)).await?;
    copy.send(&message(b'Q', &[sql.as_bytes(), b"\0"].concat())).await.map_err(|e| NotHere(e.to_string()))?;
    // The copy starts, or the server says why not (the general client then says it to people).
    loop {
        let (kind, body) = copy.message().await.map_err(|e| NotHere(e.to_string()))?;
        match kind {
            b'H' => return Ok(copy),
            b'E' => return Err(NotHere(server_error(&body))),
            _ => {}
        }
    }
}

/// The socket file for `options`, as the general client finds it.
fn unix_socket(options: &PgConnectOptions) -> Option<String> {
    let dir = match options.get_socket() {
        Some(dir) => dir.display().to_string(),
        None if options.get_host().starts_with('/') => options.get_host().to_owned(),
        None => return None,
    };
    Some(format!("{dir}/.s.PGSQL.{}", options.get_port()))
}

/// The password in `url`, else in `PGPASSWORD` (a password file is left to the general client).
fn password(url: &str) -> Option<Zeroizing<String>> {
    let authority = url.split_once("://").map_or("", |(_, rest)| rest.split(['/', '?']).next().unwrap_or(""));
    let from_url = authority
        .rsplit_once('@')
        .and_then(|(user_info, _)| user_info.split_once(':'))
        .map(|(_, p)| Zeroizing::new(percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned()));
    from_url.or_else(|| std::env::var("PGPASSWORD").ok().map(Zeroizing::new))
}

fn startup_message(params: &[(&str, &str)]) -> Vec<u8> {
    let mut body = 196_608u32.to_be_bytes().to_vec(); // protocol 3.0
    for (name, value) in params {
        body.extend_from_slice(name.as_bytes());
        body.push(0);
        body.extend_from_slice(value.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut out = u32::try_from(body.len() + 4).unwrap_or(u32::MAX).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

/// A message to the server (wiped when dropped: it may hold a password).
fn message(kind: u8, body: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![kind]);
    out.extend_from_slice(&u32::try_from(body.len() + 4).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// The message of an ErrorResponse's body.
fn server_error(body: &[u8]) -> String {
    body.split(|&b| b == 0)
        .find_map(|field| field.strip_prefix(b"M"))
        .map_or_else(|| "the server refused".to_owned(), |m| String::from_utf8_lossy(m).into_owned())
}

impl TableCopy {
    async fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.socket.write_all(bytes).await?;
        self.socket.flush().await
    }

    /// Reads until `len` unread bytes are buffered.
    async fn fill(&mut self, len: usize) -> std::io::Result<()> {
        while self.buf.len() - self.at < len {
            if self.at > 0 {
                self.buf.drain(..self.at);
                self.at = 0;
            }
            self.buf.reserve(BLOCK.max(len.saturating_sub(self.buf.len())));
            if self.socket.read_buf(&mut self.buf).await? == 0 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the server closed the connection"));
            }
        }
        Ok(())
    }

    /// The kind and length of the message under the cursor, if its header is buffered.
    fn header(&self) -> std::io::Result<Option<(u8, usize)>> {
        let Some(h) = self.buf.get(self.at..self.at + 5) else { return Ok(None) };
        let len = u32::from_be_bytes([h[1], h[2], h[3], h[4]]) as usize;
        if !(4..=LARGEST_MESSAGE).contains(&len) {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("a message of {len} bytes")));
        }
        Ok(Some((h[0], len - 4)))
    }

    /// The next whole message: its kind and body.
    async fn message(&mut self) -> std::io::Result<(u8, Vec<u8>)> {
        self.fill(5).await?;
        let (kind, len) = self.header()?.unwrap_or_default();
        self.fill(5 + len).await?;
        let body = self.buf[self.at + 5..self.at + 5 + len].to_vec();
        self.at += 5 + len;
        Ok((kind, body))
    }

    /// Answers the server's requests for a password until it lets the connection in.
    async fn log_in(&mut self, password: &Option<Zeroizing<String>>) -> Result<(), NotHere> {
        let io = |e: std::io::Error| NotHere(e.to_string());
        let needs_password = || NotHere("a password from elsewhere".into());
        let mut scram: Option<Scram> = None;
        loop {
            let (kind, body) = self.message().await.map_err(io)?;
            match kind {
                b'R' => {
                    let code = body.get(..4).map_or(u32::MAX, |c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
                    let data = &body[body.len().min(4)..];
                    match code {
                        0 => {}
                        3 => {
                            let password = password.as_ref().ok_or_else(needs_password)?;
                            let body = Zeroizing::new([password.as_bytes(), b"\0"].concat());
                            self.send(&message(b'p', &body)).await.map_err(io)?;
                        }
                        10 if data.split(|&b| b == 0).any(|m| m == b"SCRAM-SHA-256") => {
                            let password = password.as_ref().ok_or_else(needs_password)?;
                            let s = Scram::new(password, &client_nonce()?);
                            let first = s.client_first();
                            let mut body = b"SCRAM-SHA-256\0".to_vec();
                            body.extend_from_slice(&u32::try_from(first.len()).unwrap_or(0).to_be_bytes());
                            body.extend_from_slice(first.as_bytes());
                            self.send(&message(b'p', &body)).await.map_err(io)?;
                            scram = Some(s);
                        }
                        11 => {
                            let s = scram.as_mut().ok_or_else(|| NotHere("SCRAM out of turn".into()))?;
                            let server_first = std::str::from_utf8(data).map_err(|_| NotHere("SCRAM".into()))?;
                            let last = s.client_final(server_first).ok_or_else(|| NotHere("SCRAM".into()))?;
                            self.send(&message(b'p', last.as_bytes())).await.map_err(io)?;
                        }
                        12 => {
                            let s = scram.take().ok_or_else(|| NotHere("SCRAM out of turn".into()))?;
                            let server_final = std::str::from_utf8(data).unwrap_or_default();
                            if !s.server_is_proven(server_final) {
                                return Err(NotHere("the server did not prove it knows the password".into()));
                            }
                        }
                        // MD5, Kerberos, SSPI and others: left to the general client.
                        _ => return Err(NotHere(format!("authentication method {code}"))),
                    }
                }
                b'E' => return Err(NotHere(server_error(&body))),
                b'Z' => return Ok(()),
                // Parameter statuses, the key for cancelling, notices.
                _ => {}
            }
        }
    }

    /// The next block of the copy's data (its rows' bytes, the messages' framing taken away);
    /// `None` once the copy has ended.
    pub(super) async fn next_block(&mut self) -> Result<Option<Bytes>, VaultError> {
        if self.ended {
            return Ok(None);
        }
        let unreachable = |shown: &Path, e: std::io::Error| VaultError::Unreachable {
            shown: shown.to_owned(),
            detail: format!("the copy of a table was cut off: {e}"),
        };
        let mut out = Vec::with_capacity(BLOCK + (8 << 10));
        loop {
            while let Some((kind, len)) = self.header().map_err(|e| unreachable(&self.shown, e))?
                && out.len() < BLOCK
            {
                let Some(body) = self.buf.get(self.at + 5..self.at + 5 + len) else { break };
                match kind {
                    b'd' => out.extend_from_slice(body),
                    b'E' => {
                        return Err(VaultError::Database(sqlx::Error::Protocol(format!(
                            "the server stopped the copy of a table: {}",
                            server_error(body)
                        ))));
                    }
                    b'Z' => {
                        self.ended = true;
                        let _ = self.send(&message(b'X', &[])).await;
                        return Ok(Some(out.into()));
                    }
                    // The copy's end, the statement's completion, notices.
                    _ => {}
                }
                self.at += 5 + len;
            }
            if out.len() >= BLOCK {
                return Ok(Some(out.into()));
            }
            let buffered = self.buf.len() - self.at;
            self.fill(buffered + 1).await.map_err(|e| unreachable(&self.shown, e))?;
        }
    }

    /// The copy's data as a stream of blocks.
    pub(super) fn into_stream(self) -> impl futures_util::Stream<Item = Result<Bytes, VaultError>> + Send {
        futures_util::stream::try_unfold(self, |mut copy| async move {
            Ok(copy.next_block().await?.map(|block| (block, copy)))
        })
    }
}

fn client_nonce() -> Result<String, NotHere> {
    let mut nonce = [0u8; 18];
    ring::rand::SystemRandom::new().fill(&mut nonce).map_err(|_| NotHere("no randomness for SCRAM".into()))?;
    Ok(BASE64.encode(nonce))
}

/// A SCRAM-SHA-256 exchange (RFC 5802, RFC 7677) without channel binding; the user name is the
/// startup message's, so it is left empty here as the server expects.
struct Scram {
    password: Zeroizing<String>,
    client_first_bare: String,
    nonce: String,
    auth_message: String,
    salted: Zeroizing<Vec<u8>>,
}

impl Scram {
    fn new(password: &str, nonce: &str) -> Scram {
        Scram::for_user("", password, nonce)
    }

    fn for_user(user: &str, password: &str, nonce: &str) -> Scram {
        Scram {
            password: Zeroizing::new(password.to_owned()),
            client_first_bare: format!("n={user},r={nonce}"),
            nonce: nonce.to_owned(),
            auth_message: String::new(),
            salted: Zeroizing::new(Vec::new()),
        }
    }

    fn client_first(&self) -> String {
        format!("n,,{}", self.client_first_bare)
    }

    /// The client's last message for the server's first; `None` if that is malformed or does not
    /// extend this side's nonce.
    fn client_final(&mut self, server_first: &str) -> Option<String> {
        let attr = |name: &str| server_first.split(',').find_map(|a| a.strip_prefix(name));
        let nonce = attr("r=")?;
        let salt = BASE64.decode(attr("s=")?).ok()?;
        let rounds = std::num::NonZeroU32::new(attr("i=")?.parse().ok()?)?;
        if !nonce.starts_with(&self.nonce) || nonce.len() == self.nonce.len() {
            return None;
        }
        let mut salted = Zeroizing::new([0u8; 32]);
        pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, rounds, &salt, self.password.as_bytes(), &mut *salted);
        let client_key = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &*salted), b"Client Key");
        let stored_key = digest::digest(&digest::SHA256, client_key.as_ref());
        let without_proof = format!("c=biws,r={nonce}");
        self.auth_message = format!("{},{server_first},{without_proof}", self.client_first_bare);
        let signature =
            hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, stored_key.as_ref()), self.auth_message.as_bytes());
        let proof: Vec<u8> = client_key.as_ref().iter().zip(signature.as_ref()).map(|(k, s)| k ^ s).collect();
        self.salted = Zeroizing::new(salted.to_vec());
        Some(format!("{without_proof},p={}", BASE64.encode(proof)))
    }

    /// Whether the server's last message proves that it holds the password's keys.
    fn server_is_proven(&self, server_final: &str) -> bool {
        let Some(claimed) = server_final.strip_prefix("v=").and_then(|v| BASE64.decode(v).ok()) else { return false };
        let server_key = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &self.salted), b"Server Key");
        hmac::verify(&hmac::Key::new(hmac::HMAC_SHA256, server_key.as_ref()), self.auth_message.as_bytes(), &claimed)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    /// RFC 7677, section 3: the exchange for user `user`, password `pencil`.
    #[test]
    fn scram_matches_the_rfc_example() {
        let mut scram = Scram::for_user("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        assert_eq!(scram.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        assert_eq!(
            scram.client_final(server_first).unwrap(),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        assert!(scram.server_is_proven("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
        assert!(!scram.server_is_proven("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5="));
        assert!(!scram.server_is_proven("e=invalid-proof"));
    }

    #[test]
    fn scram_refuses_a_server_nonce_that_does_not_extend_ours() {
        let mut scram = Scram::new("pencil", "abc");
        assert!(scram.client_final("r=xyzdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096").is_none());
        assert!(scram.client_final("r=abc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096").is_none());
        assert!(scram.client_final("r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0").is_none());
        assert!(scram.client_final("r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1").is_some());
    }

    /// The test server (`EVIDENTIA_TEST_POSTGRES` of `scripts/postgres/start_local.sh`) as `role`.
    fn test_server(role: &str, password: &str) -> String {
        let server = std::env::var("EVIDENTIA_TEST_POSTGRES").unwrap_or_else(|_| {
            panic!("EVIDENTIA_TEST_POSTGRES is not set: `source scripts/postgres/start_local.sh` starts a test server")
        });
        let user = if password.is_empty() { role.to_owned() } else { format!("{role}:{password}") };
        format!("{}/postgres", server.replacen("://admin@", &format!("://{user}@"), 1))
    }

    const PROBE: &str = "COPY (SELECT 7::int8, 'über'::text UNION ALL SELECT -1, NULL) TO STDOUT (FORMAT binary)";

    /// The whole copy of `sql` at `url`, or why it was not read here.
    fn copy(url: &str, sql: &str) -> Result<Vec<u8>, String> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build().unwrap();
        runtime.block_on(async {
            let mut copy = open(url, Path::new("the test server"), sql).await.map_err(|e| e.0)?;
            let mut all = Vec::new();
            while let Some(block) = copy.next_block().await.map_err(|e| e.to_string())? {
                all.extend_from_slice(&block);
            }
            Ok(all)
        })
    }

    #[test]
    fn a_copy_is_read_as_a_role_with_no_password_by_scram_or_in_clear() {
        let mut expected = b"PGCOPY\n\xff\r\n\0".to_vec();
        expected.extend_from_slice(&[0; 8]);
        expected.extend_from_slice(&[0, 2, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 5]);
        expected.extend_from_slice("über".as_bytes());
        expected.extend_from_slice(&[0, 2, 0, 0, 0, 8, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
        expected.extend_from_slice(&[255, 255]);
        for (role, password) in
            [("admin", ""), ("evidentia_scram", "test%20p%C3%A4ssword"), ("evidentia_clear", "test%20p%C3%A4ssword")]
        {
            assert_eq!(copy(&test_server(role, password), PROBE).unwrap(), expected, "as {role}");
        }
    }

    #[test]
    fn the_general_client_is_plain_as_this_one_is() {
        // This reader never asks for TLS, which is right only while the general client cannot
        // either: were it built with TLS, `sslmode=prefer` (its default) would encrypt its
        // connections and this reader would have to as well.
        let url = format!("{}?sslmode=require", test_server("admin", ""));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let refused = runtime.block_on(sqlx::PgConnection::connect(&url)).map(|_| ()).unwrap_err().to_string();
        assert!(refused.contains("without TLS support"), "{refused}");
    }

    #[test]
    fn what_cannot_be_read_here_is_left_to_the_general_client() {
        let password = "test%20p%C3%A4ssword";
        let refused = copy(&test_server("evidentia_scram", "wrong"), PROBE).unwrap_err();
        assert!(refused.contains("password authentication failed"), "{refused}");
        // No password to give.
        assert!(copy(&test_server("evidentia_scram", ""), PROBE).is_err());
        assert_eq!(copy(&test_server("evidentia_md5", password), PROBE).unwrap_err(), "authentication method 5");
        assert!(copy(&format!("{}?sslmode=require", test_server("admin", "")), PROBE).is_err());
        let unknown = copy(&test_server("admin", ""), "COPY no_such_table TO STDOUT (FORMAT binary)").unwrap_err();
        assert!(unknown.contains("no_such_table"), "{unknown}");
        // A copy that fails after it started is an error of the read, not a fallback.
        let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build().unwrap();
        let failed = runtime.block_on(async {
            let sql = "COPY (SELECT 1 / (3 - i) FROM generate_series(1, 5) i) TO STDOUT (FORMAT binary)";
            let mut copy = open(&test_server("admin", ""), Path::new("the test server"), sql).await.unwrap();
            loop {
                match copy.next_block().await {
                    Ok(Some(_)) => {}
                    Ok(None) => return None,
                    Err(e) => return Some(e.to_string()),
                }
            }
        });
        assert!(failed.is_some_and(|e| e.contains("division by zero")), "a copy cut off by the server is an error");
    }
}
