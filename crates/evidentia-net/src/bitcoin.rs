//! A Bitcoin node's block headers over bitcoind's JSON-RPC (`getblockhash`, `getblockheader`),
//! to check the Bitcoin attestations of OpenTimestamps proofs. The raw 80-byte header is asked
//! for and hashed here, so a node cannot answer a Merkle root that is not the block's.

use std::time::Duration;

use base64::Engine as _;
use sha2::Digest as _;

/// Largest JSON-RPC answer read.
const MAX_ANSWER: usize = 64 * 1024;

/// What went wrong asking the node.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BitcoinError {
    /// `--bitcoin-node` is not a usable address.
    #[error("--bitcoin-node {url}: {why}")]
    BadAddress {
        /// The address given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// The node could not be reached, or refused the credentials.
    #[error("the Bitcoin node at {url} is unreachable: {detail}")]
    Unreachable {
        /// The node (without credentials).
        url: String,
        /// Why.
        detail: String,
    },
    /// The node answered, but not as bitcoind does, or with a header that is not the block's.
    #[error("the Bitcoin node at {url} answered wrongly: {detail}")]
    BadAnswer {
        /// The node (without credentials).
        url: String,
        /// What it did.
        detail: String,
    },
    /// The node has no block at that height.
    #[error("the Bitcoin node at {url} has no block at height {height} (is it synced?)")]
    NoSuchBlock {
        /// The node (without credentials).
        url: String,
        /// The height asked for.
        height: u64,
    },
}

impl BitcoinError {
    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            BitcoinError::BadAddress { .. } => "USAGE",
            BitcoinError::Unreachable { .. } => "CHAIN_UNREACHABLE",
            BitcoinError::BadAnswer { .. } => "CHAIN_BAD_ANSWER",
            BitcoinError::NoSuchBlock { .. } => "BLOCK_NOT_FOUND",
        }
    }
}

/// A block header as the node gave it, checked against the block hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockHeader {
    /// The height asked for.
    pub height: u64,
    /// The block hash, as explorers show it.
    pub hash: String,
    /// The Merkle root in the header's own (internal) byte order, as proofs commit to it.
    pub merkle_root: [u8; 32],
    /// The block's time (seconds since 1970, as the miner wrote it).
    pub time: u32,
}

impl BlockHeader {
    /// Reads an 80-byte header and checks that its double SHA-256 is `hash` (display order).
    pub fn from_raw(height: u64, hash: &str, raw: &[u8]) -> Result<BlockHeader, String> {
        if raw.len() != 80 {
            return Err(format!("a block header is 80 bytes, this one {}", raw.len()));
        }
        let mut id = sha2::Sha256::digest(sha2::Sha256::digest(raw)).to_vec();
        id.reverse();
        if !hex::encode(&id).eq_ignore_ascii_case(hash) {
            return Err(format!("the header it gave hashes to {}, not to block {hash}", hex::encode(&id)));
        }
        let mut merkle_root = [0u8; 32];
        merkle_root.copy_from_slice(&raw[36..68]);
        let time = u32::from_le_bytes([raw[68], raw[69], raw[70], raw[71]]);
        Ok(BlockHeader { height, hash: hash.to_ascii_lowercase(), merkle_root, time })
    }

    /// The Merkle root as explorers show it (byte-reversed).
    pub fn merkle_root_shown(&self) -> String {
        let mut shown = self.merkle_root;
        shown.reverse();
        hex::encode(shown)
    }
}

/// A bitcoind JSON-RPC endpoint: `http://user:password@host:8332/`, or without credentials when
/// `cookie` names bitcoind's `.cookie` file.
pub struct BitcoinNode {
    http: reqwest::Client,
    url: reqwest::Url,
    shown: String,
    auth: Option<String>,
}

impl BitcoinNode {
    /// A client for `url`; credentials come from the URL, else from `cookie` (a file holding
    /// `user:password`, as bitcoind writes it).
    pub fn new(url: &str, cookie: Option<&std::path::Path>, timeout: Duration) -> Result<Self, BitcoinError> {
        let bad = |why: String| BitcoinError::BadAddress { url: redact(url), why };
        let mut parsed = reqwest::Url::parse(url).map_err(|e| bad(format!("not a URL ({e})")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad("give an http:// or https:// address".into()));
        }
        let auth = if !parsed.username().is_empty() {
            let user = percent_decode(parsed.username());
            let password = percent_decode(parsed.password().unwrap_or(""));
            Some(format!("{user}:{password}"))
        } else if let Some(file) = cookie {
            let text = std::fs::read_to_string(file)
                .map_err(|e| bad(format!("the cookie file {} cannot be read ({e})", file.display())))?;
            Some(text.trim().to_owned())
        } else {
            None
        };
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| bad(format!("the HTTP client cannot start ({e})")))?;
        Ok(BitcoinNode { http, shown: parsed.to_string(), url: parsed, auth })
    }

    /// The node's address, without credentials.
    pub fn address(&self) -> &str {
        &self.shown
    }

    async fn call(&self, method: &str, params: serde_json::Value) -> Result<serde_json::Value, BitcoinError> {
        let body = serde_json::json!({"jsonrpc": "1.0", "id": "evidentia", "method": method, "params": params});
        let mut request = self.http.post(self.url.clone()).json(&body);
        if let Some(auth) = &self.auth {
            let token = base64::engine::general_purpose::STANDARD.encode(auth.as_bytes());
            request = request.header("Authorization", format!("Basic {token}"));
        }
        let unreachable = |detail: String| BitcoinError::Unreachable { url: self.shown.clone(), detail };
        let bad = |detail: String| BitcoinError::BadAnswer { url: self.shown.clone(), detail };
        let response = request.send().await.map_err(|e| unreachable(evidentia_formats::causes::with_causes(&e)))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(unreachable(format!("HTTP {status}: the user and password (or cookie) are not accepted")));
        }
        let bytes = response.bytes().await.map_err(|e| unreachable(e.to_string()))?;
        if bytes.len() > MAX_ANSWER {
            return Err(bad(format!("{method}: an answer over {MAX_ANSWER} bytes")));
        }
        // bitcoind answers errors (an unknown height) with HTTP 500 and a JSON body.
        let answer: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|_| bad(format!("{method}: HTTP {status}, not a JSON-RPC answer")))?;
        if !answer["error"].is_null() {
            return Err(bad(format!("{method}: {}", answer["error"])));
        }
        Ok(answer["result"].clone())
    }

    /// The header of the block at `height` on the node's best chain.
    pub async fn block_header(&self, height: u64) -> Result<BlockHeader, BitcoinError> {
        let bad = |detail: String| BitcoinError::BadAnswer { url: self.shown.clone(), detail };
        let hash = match self.call("getblockhash", serde_json::json!([height])).await {
            Ok(v) => v.as_str().map(str::to_owned).ok_or_else(|| bad("getblockhash: no hash in the answer".into()))?,
            // bitcoind: "Block height out of range" (code -8).
            Err(BitcoinError::BadAnswer { detail, .. }) if detail.contains("-8") || detail.contains("out of range") => {
                return Err(BitcoinError::NoSuchBlock { url: self.shown.clone(), height });
            }
            Err(e) => return Err(e),
        };
        let raw = self.call("getblockheader", serde_json::json!([hash, false])).await?;
        let raw = raw.as_str().ok_or_else(|| bad("getblockheader: no header hex in the answer".into()))?;
        let raw = hex::decode(raw).map_err(|_| bad("getblockheader: the header is not hex".into()))?;
        BlockHeader::from_raw(height, &hash, &raw).map_err(|why| bad(format!("block {height}: {why}")))
    }
}

/// `url` with any password replaced, for messages.
fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bitcoin's genesis block header, as every node serves it.
    const GENESIS: &str = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";
    const GENESIS_HASH: &str = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";

    #[test]
    fn a_header_is_taken_only_under_its_own_hash() {
        let raw = hex::decode(GENESIS).unwrap();
        let h = BlockHeader::from_raw(0, GENESIS_HASH, &raw).unwrap();
        assert_eq!(h.merkle_root_shown(), "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
        assert_eq!(h.time, 1_231_006_505);
        let mut other = raw.clone();
        other[40] ^= 1;
        assert!(BlockHeader::from_raw(0, GENESIS_HASH, &other).unwrap_err().contains("hashes to"));
        assert!(BlockHeader::from_raw(0, GENESIS_HASH, &raw[..79]).unwrap_err().contains("80 bytes"));
    }

    #[test]
    fn credentials_come_from_the_url_and_never_show() {
        let node = BitcoinNode::new("http://alice:s%40cret@127.0.0.1:8332/", None, Duration::from_secs(1)).unwrap();
        assert_eq!(node.auth.as_deref(), Some("alice:s@cret"));
        assert!(!node.address().contains("cret"));
        let e = BitcoinNode::new("ftp://alice:secret@host/", None, Duration::from_secs(1)).err().unwrap();
        assert!(!e.to_string().contains("secret"), "{e}");
    }
}
