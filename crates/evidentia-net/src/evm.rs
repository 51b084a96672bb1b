//! The EVM backend: sends a batch root as the calldata of a transaction from the anchoring account
//! to itself, follows it to the configured number of confirmations, and collects an offline proof
//! (the raw transaction, the block header, and the Merkle-Patricia proof that the transaction is in
//! the header's transactionsRoot) that anyone can check given only the block hash.

use std::time::Duration;

use alloy::consensus::{Header, Transaction as _, TxEnvelope};
use alloy::eips::eip2718::{Decodable2718, Encodable2718};
use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::primitives::{B256, Bytes, keccak256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use zeroize::Zeroizing;

pub use evidentia_formats::evm_proof::{ChainAnchor, ChainProofError, transactions_proof, verify_offline};
use evidentia_formats::merkle::Hash;

/// Why anchoring on an EVM chain failed or a chain anchor does not hold.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum EvmError {
    /// The node could not be reached or answered with an error.
    #[error(
        "the chain node at {url} cannot be reached or refused the request ({detail}); the batch stays pending and `evidentia sync` retries"
    )]
    Unreachable {
        /// The RPC URL.
        url: String,
        /// What went wrong.
        detail: String,
    },
    /// The anchoring key is not a usable secp256k1 private key.
    #[error("the anchoring key is not a hex secp256k1 private key ({0}); put 64 hex digits in the key file")]
    BadKey(String),
    /// The configured URL is not a URL.
    #[error("`{0}` is not an RPC URL (http://host:port)")]
    BadUrl(String),
    /// An offline proof does not hold.
    #[error("{code}: {detail}")]
    ProofFailed {
        /// Stable reason code.
        code: &'static str,
        /// What does not hold.
        detail: String,
    },
}

impl EvmError {
    /// A short stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => "CHAIN_UNREACHABLE",
            Self::BadKey(_) => "CHAIN_BAD_KEY",
            Self::BadUrl(_) => "CHAIN_BAD_URL",
            Self::ProofFailed { code, .. } => code,
        }
    }
}

fn failed(code: &'static str, detail: impl Into<String>) -> EvmError {
    EvmError::ProofFailed { code, detail: detail.into() }
}

impl From<ChainProofError> for EvmError {
    fn from(e: ChainProofError) -> Self {
        EvmError::ProofFailed { code: e.code, detail: e.detail }
    }
}

/// Where and how to anchor.
#[derive(Clone)]
pub struct EvmSettings {
    /// JSON-RPC URL of the node.
    pub rpc_url: String,
    /// The anchoring account's private key, hex (wiped when dropped).
    pub key_hex: Zeroizing<String>,
    /// Confirmations (blocks on top, counting the anchor's own) before an anchor is final.
    pub confirmations: u64,
    /// Bound on one exchange with the node.
    pub timeout: Duration,
}

impl std::fmt::Debug for EvmSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvmSettings")
            .field("rpc_url", &self.rpc_url)
            .field("confirmations", &self.confirmations)
            .finish_non_exhaustive()
    }
}

/// Where a sent anchor stands on the chain now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainStatus {
    /// Known to the node but in no block of the canonical chain yet.
    Pending,
    /// Unknown to the node: never arrived, or dropped (for example by a reorg).
    Dropped,
    /// Mined; `confirmations` counts its own block.
    Mined {
        /// The anchor with its proof.
        anchor: Box<ChainAnchor>,
        /// Blocks on top, counting its own.
        confirmations: u64,
    },
}

/// The node's URL. Also makes sure TLS (for https nodes) uses ring, as everything else here does.
fn url_of(settings: &EvmSettings) -> Result<reqwest::Url, EvmError> {
    // Fails only when a provider is installed already, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    settings.rpc_url.parse().map_err(|_| EvmError::BadUrl(settings.rpc_url.clone()))
}

fn unreachable(settings: &EvmSettings) -> impl Fn(&dyn std::fmt::Display) -> EvmError + '_ {
    move |e| EvmError::Unreachable { url: settings.rpc_url.clone(), detail: e.to_string() }
}

async fn bounded<T, E: std::fmt::Display>(
    settings: &EvmSettings,
    call: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, EvmError> {
    match tokio::time::timeout(settings.timeout, call).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(unreachable(settings)(&e)),
        Err(_) => Err(unreachable(settings)(&format!("no answer within {} s", settings.timeout.as_secs()))),
    }
}

/// Sends `root` as the calldata of a transaction from the anchoring account to itself; returns
/// the transaction hash (hex with 0x). Nonce, gas and fees come from the node.
pub async fn send_root(settings: &EvmSettings, root: &Hash) -> Result<String, EvmError> {
    let signer: PrivateKeySigner = settings
        .key_hex
        .trim()
        .trim_start_matches("0x")
        .parse()
        .map_err(|e: alloy::signers::local::LocalSignerError| EvmError::BadKey(e.to_string()))?;
    let from = signer.address();
    let provider = ProviderBuilder::new().wallet(EthereumWallet::from(signer)).connect_http(url_of(settings)?);
    let tx = TransactionRequest::default().with_from(from).with_to(from).with_input(Bytes::copy_from_slice(root));
    let pending = bounded(settings, provider.send_transaction(tx)).await?;
    Ok(format!("{:#x}", pending.tx_hash()))
}

/// Looks the transaction up: not mined (yet, or any more), or mined with its offline proof.
pub async fn status(settings: &EvmSettings, tx_hash: &str) -> Result<ChainStatus, EvmError> {
    let hash: B256 = tx_hash.parse().map_err(|_| failed("CHAIN_BAD_TX_HASH", format!("`{tx_hash}`")))?;
    let provider = ProviderBuilder::new().connect_http(url_of(settings)?);
    let Some(receipt) = bounded(settings, provider.get_transaction_receipt(hash)).await? else {
        let known =
            bounded(settings, std::future::IntoFuture::into_future(provider.get_transaction_by_hash(hash))).await?;
        return Ok(if known.is_some() { ChainStatus::Pending } else { ChainStatus::Dropped });
    };
    let (Some(number), Some(index)) = (receipt.block_number, receipt.transaction_index) else {
        return Ok(ChainStatus::Pending);
    };
    let Some(block) =
        bounded(settings, std::future::IntoFuture::into_future(provider.get_block_by_number(number.into()).full()))
            .await?
    else {
        return Ok(ChainStatus::Pending);
    };
    if Some(block.header.hash) != receipt.block_hash {
        // The receipt names a block that is no longer the canonical one at its height.
        return Ok(ChainStatus::Pending);
    }
    let chain_id = bounded(settings, provider.get_chain_id()).await?;
    let head = bounded(settings, provider.get_block_number()).await?;
    let encoded: Vec<Vec<u8>> = block.transactions.txns().map(|t| t.inner.inner().encoded_2718()).collect::<Vec<_>>();
    let raw = encoded
        .get(index as usize)
        .cloned()
        .ok_or_else(|| failed("CHAIN_TX_NOT_IN_BLOCK", format!("block {number} has no transaction {index}")))?;
    let (root, proof) = transactions_proof(&encoded, index);
    let header: &Header = &block.header.inner;
    if root != header.transactions_root {
        return Err(failed("CHAIN_TX_ROOT_MISMATCH", format!("block {number}: its transactions do not give its root")));
    }
    // Nothing the node says is taken on trust: the block hash is the header's own hash, the
    // transaction at that position is the one asked about, and it is signed for the chain the
    // node names.
    let header_rlp = alloy::rlp::encode(header);
    let block_hash = keccak256(&header_rlp);
    if block_hash != block.header.hash {
        return Err(failed(
            "CHAIN_HEADER_MISMATCH",
            format!(
                "block {number}: the node names hash {:#x} but its header hashes to {block_hash:#x}",
                block.header.hash
            ),
        ));
    }
    let tx = TxEnvelope::decode_2718(&mut raw.as_slice())
        .map_err(|e| failed("CHAIN_PROOF_UNREADABLE", format!("block {number}, transaction {index}: {e}")))?;
    if *tx.tx_hash() != hash {
        return Err(failed(
            "CHAIN_TX_MISMATCH",
            format!("the node's receipt for {hash:#x} points at another transaction ({:#x})", tx.tx_hash()),
        ));
    }
    if let Some(signed_for) = tx.chain_id()
        && signed_for != chain_id
    {
        return Err(failed(
            "CHAIN_ID_MISMATCH",
            format!("the node says chain {chain_id}, but transaction {hash:#x} is signed for chain {signed_for}"),
        ));
    }
    let anchor = ChainAnchor {
        chain_id,
        tx_hash: format!("{hash:#x}"),
        block_number: number,
        block_hash: format!("{block_hash:#x}"),
        block_time: header.timestamp,
        tx_index: index,
        raw_tx: hex::encode(raw),
        header_rlp: hex::encode(header_rlp),
        tx_proof: proof.iter().map(hex::encode).collect(),
    };
    Ok(ChainStatus::Mined { anchor: Box::new(anchor), confirmations: head.saturating_sub(number) + 1 })
}

/// The hash of the canonical block at `number` (if the node has one) and the node's newest block
/// number.
pub async fn canonical_block(settings: &EvmSettings, number: u64) -> Result<(Option<String>, u64), EvmError> {
    let provider = ProviderBuilder::new().connect_http(url_of(settings)?);
    let block =
        bounded(settings, std::future::IntoFuture::into_future(provider.get_block_by_number(number.into()))).await?;
    let head = bounded(settings, provider.get_block_number()).await?;
    Ok((block.map(|b| format!("{:#x}", b.header.hash)), head))
}
