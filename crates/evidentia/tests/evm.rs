//! The EVM backend against a real local node (anvil from `scripts/chain/`): one transaction
//! carries the root, the offline proof verifies against the block hash alone (read from the node
//! by plain JSON-RPC, not through this crate), altered proofs fail with a reason, a node that is
//! down is reported as unreachable, and a reorg that drops the transaction is seen.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use evidentia::anchor::evm::{ChainStatus, EvmSettings, send_root, status, verify_offline};
use zeroize::Zeroizing;

/// anvil's first well-known development account (public test key, holds test ether only).
const DEV_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

struct Anvil {
    child: Child,
    url: String,
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn anvil_bin() -> PathBuf {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    repo.join("scripts/chain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_anvil() -> Anvil {
    let port = free_port();
    let child = Command::new(anvil_bin())
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--silent"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start anvil ({e}); run scripts/setup.sh"));
    let anvil = Anvil { child, url: format!("http://127.0.0.1:{port}") };
    for _ in 0..200 {
        if rpc(&anvil.url, "eth_chainId", "[]").is_some() {
            return anvil;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("anvil did not answer on {}", anvil.url);
}

/// A plain JSON-RPC call through Python's standard library: the independent view of the chain.
fn rpc(url: &str, method: &str, params: &str) -> Option<serde_json::Value> {
    let script = r#"
import json, sys, urllib.request
body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": sys.argv[2], "params": json.loads(sys.argv[3])}).encode()
req = urllib.request.Request(sys.argv[1], body, {"Content-Type": "application/json"})
print(json.dumps(json.load(urllib.request.urlopen(req, timeout=5))["result"]))
"#;
    let out = Command::new("python3").args(["-c", script, url, method, params]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    serde_json::from_slice(&out.stdout).ok()
}

fn settings(url: &str) -> EvmSettings {
    EvmSettings {
        rpc_url: url.to_owned(),
        key_hex: Zeroizing::new(DEV_KEY.to_owned()),
        confirmations: 1,
        timeout: Duration::from_secs(5),
    }
}

/// The status of a transaction sent with automine on: anvil answers the send before its block is
/// readable when the machine is busy, so a few reads are allowed (5 s).
async fn mined(s: &EvmSettings, tx_hash: &str) -> ChainStatus {
    let mut now = status(s, tx_hash).await.unwrap();
    for _ in 0..50 {
        if matches!(now, ChainStatus::Mined { .. }) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        now = status(s, tx_hash).await.unwrap();
    }
    now
}

#[tokio::test]
async fn a_root_anchored_on_anvil_verifies_offline_against_the_block_hash_alone() {
    let anvil = start_anvil();
    let s = settings(&anvil.url);
    let root = [0x5au8; 32];
    let tx_hash = send_root(&s, &root).await.unwrap();

    // The node's own view: the transaction carries exactly the root.
    let tx = rpc(&anvil.url, "eth_getTransactionByHash", &format!("[\"{tx_hash}\"]")).unwrap();
    assert_eq!(tx["input"], format!("0x{}", hex::encode(root)));
    assert_eq!(tx["from"], tx["to"], "sent to the anchoring account itself");

    let ChainStatus::Mined { anchor, confirmations } = mined(&s, &tx_hash).await else {
        panic!("not mined");
    };
    assert_eq!(confirmations, 1);
    assert_eq!(anchor.chain_id, 31337);
    let block = rpc(&anvil.url, "eth_getBlockByNumber", &format!("[\"0x{:x}\", false]", anchor.block_number)).unwrap();
    let block_hash = block["hash"].as_str().unwrap();
    assert_eq!(anchor.block_hash, block_hash);
    verify_offline(&anchor, &root, block_hash).unwrap();

    // Another root, another block hash, or any altered part fails with its reason.
    assert_eq!(verify_offline(&anchor, &[0u8; 32], block_hash).unwrap_err().code(), "CHAIN_ROOT_MISMATCH");
    let other_block = format!("0x{}", "11".repeat(32));
    assert_eq!(verify_offline(&anchor, &root, &other_block).unwrap_err().code(), "CHAIN_HEADER_MISMATCH");
    for field in ["raw_tx", "header_rlp", "tx_proof"] {
        let mut bad = (*anchor).clone();
        let text = match field {
            "raw_tx" => &mut bad.raw_tx,
            "header_rlp" => &mut bad.header_rlp,
            _ => &mut bad.tx_proof[0],
        };
        let i = text.len() / 2;
        let flipped = if &text[i..i + 1] == "0" { "1" } else { "0" };
        text.replace_range(i..i + 1, flipped);
        assert!(verify_offline(&bad, &root, block_hash).is_err(), "an altered {field} still verifies");
    }

    // More blocks on top: more confirmations.
    rpc(&anvil.url, "anvil_mine", "[\"0x3\"]").unwrap();
    let ChainStatus::Mined { confirmations, .. } = status(&s, &tx_hash).await.unwrap() else { panic!() };
    assert_eq!(confirmations, 4);
}

#[tokio::test]
async fn a_block_with_many_transactions_gives_a_proof_for_each_position() {
    let anvil = start_anvil();
    rpc(&anvil.url, "evm_setAutomine", "[false]").unwrap();
    let s = settings(&anvil.url);
    let mut sent = Vec::new();
    for i in 0..40u8 {
        sent.push((i, send_root(&s, &[i; 32]).await.unwrap()));
    }
    rpc(&anvil.url, "evm_mine", "[]").unwrap();
    let mut blocks = std::collections::HashSet::new();
    for (i, tx_hash) in sent {
        let ChainStatus::Mined { anchor, .. } = status(&s, &tx_hash).await.unwrap() else { panic!("{i} not mined") };
        blocks.insert(anchor.block_number);
        verify_offline(&anchor, &[i; 32], &anchor.block_hash).unwrap_or_else(|e| panic!("tx {i}: {e}"));
    }
    assert_eq!(blocks.len(), 1, "all forty in one block");
}

#[tokio::test]
async fn a_node_that_is_down_is_reported_and_a_reorg_is_seen() {
    let down = settings(&format!("http://127.0.0.1:{}", free_port()));
    let err = send_root(&down, &[1u8; 32]).await.unwrap_err();
    assert_eq!(err.code(), "CHAIN_UNREACHABLE");
    assert!(err.to_string().contains("sync"), "{err}");

    let anvil = start_anvil();
    let s = settings(&anvil.url);
    let snapshot = rpc(&anvil.url, "evm_snapshot", "[]").unwrap();
    let tx_hash = send_root(&s, &[2u8; 32]).await.unwrap();
    let mined = mined(&s, &tx_hash).await;
    assert!(matches!(mined, ChainStatus::Mined { .. }), "{mined:?}");
    // The chain goes back to before the anchor and grows past it: the anchor is gone.
    rpc(&anvil.url, "evm_revert", &format!("[{snapshot}]")).unwrap();
    rpc(&anvil.url, "anvil_mine", "[\"0x2\"]").unwrap();
    assert_eq!(status(&s, &tx_hash).await.unwrap(), ChainStatus::Dropped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_hundred_thousand_records_anchor_with_one_transaction_and_every_proof_verifies() {
    use evidentia::anchor::merkle::{MerkleTree, leaf_hash, record_leaf_data};
    use evidentia::digest::{DigestAlgorithm, Digests};
    use evidentia::vault::{Access, EvidenceRecord, NewRecord, SubjectKind, Vault};

    const N: u32 = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let vault =
        Vault::open(&dir.path().join("vault"), Access::Write { lock_wait: Duration::from_secs(5) }).await.unwrap();
    let mut shas = std::collections::HashMap::new();
    let records: Vec<NewRecord> = (0..N)
        .map(|i| {
            let mut digests = Digests::default();
            let sha = DigestAlgorithm::Sha256.digest(&i.to_be_bytes());
            digests.insert(DigestAlgorithm::Sha256, sha);
            let id = uuid::Uuid::now_v7().to_string();
            shas.insert(id.clone(), DigestAlgorithm::Sha256.digest(&i.to_be_bytes()).to_hex());
            NewRecord {
                record: EvidenceRecord {
                    id,
                    kind: SubjectKind::File,
                    name: format!("scan-{i}.pdf"),
                    size: 1,
                    file_count: 1,
                    media_type: "application/pdf".into(),
                    digests,
                    stored: false,
                    source_path: format!("/scans/scan-{i}.pdf"),
                    profile: "sandbox".into(),
                    created_at: evidentia::clock::now(),
                    timestamp_requested: false,
                },
                signature: None,
                events: Vec::new(),
            }
        })
        .collect();
    for chunk in records.chunks(10_000) {
        vault.append_records(chunk).await.unwrap();
    }
    let batch = vault.make_batch().await.unwrap().unwrap();
    assert_eq!(batch.size, u64::from(N) + 1, "every record and the log's head");

    let anvil = start_anvil();
    let outcomes = evidentia::anchor::sync(&vault, &settings(&anvil.url)).await.unwrap();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].state, "anchored", "{:?}", outcomes[0]);
    assert_eq!(rpc(&anvil.url, "eth_blockNumber", "[]").unwrap(), "0x1", "exactly one transaction, in one block");
    let anchor = outcomes[0].anchor.clone().unwrap().anchor;
    let root: [u8; 32] = hex::decode(&batch.root).unwrap().try_into().unwrap();
    verify_offline(&anchor, &root, &anchor.block_hash).unwrap();

    // Every record's proof: its salted leaf leads to the anchored root in at most 17 hashes.
    let leaves = vault.batch_leaves(&batch.id).await.unwrap();
    let tree = MerkleTree::new(leaves.iter().map(|l| hex::decode(&l.leaf_hash).unwrap().try_into().unwrap()).collect());
    assert_eq!(tree.root(), root);
    let mut checked = 0;
    for l in &leaves {
        let Some(id) = &l.record_id else { continue };
        let sha: [u8; 32] = hex::decode(&shas[id]).unwrap().try_into().unwrap();
        let salt: [u8; 32] = hex::decode(&l.salt).unwrap().try_into().unwrap();
        let leaf = leaf_hash(&record_leaf_data(&salt, &sha));
        let proof = tree.proof(l.leaf_index).unwrap();
        assert!(proof.path.len() <= 17);
        proof.verify(&leaf, &root).unwrap();
        checked += 1;
    }
    assert_eq!(checked, N);
    vault.close().await;
}
