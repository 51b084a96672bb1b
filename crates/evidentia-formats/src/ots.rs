//! The OpenTimestamps proof format: operations, attestations, the timestamp tree and the detached
//! `.ots` file, read and written byte for byte as the reference client does.

use std::cmp::Ordering;

/// Bytes that are not an OpenTimestamps proof this build can evaluate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OtsFormatError {
    /// Bytes that are not a valid OpenTimestamps proof.
    #[error("malformed OpenTimestamps proof: {0}")]
    Malformed(String),
    /// An operation this build does not evaluate.
    #[error("the proof uses {0}, which Evidentia does not evaluate")]
    UnsupportedOp(&'static str),
}

impl OtsFormatError {
    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            OtsFormatError::Malformed(_) => "OTS_MALFORMED",
            OtsFormatError::UnsupportedOp(_) => "OTS_UNSUPPORTED_OP",
        }
    }
}

/// The first bytes of every detached `.ots` file.
pub const HEADER_MAGIC: &[u8] = b"\x00OpenTimestamps\x00\x00Proof\x00\xbf\x89\xe2\xe8\x84\xe8\x92\x94";
const MAJOR_VERSION: u64 = 1;
/// Longest operation argument, message and result (as the reference client).
const MAX_LEN: usize = 4096;
/// Deepest timestamp tree read.
const MAX_DEPTH: usize = 256;
const MAX_PAYLOAD: usize = 8192;
const MAX_URI: usize = 1000;
const URI_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._/:";

const TAG_PENDING: [u8; 8] = [0x83, 0xdf, 0xe3, 0x0d, 0x2e, 0xf9, 0x0c, 0x8e];
const TAG_BITCOIN: [u8; 8] = [0x05, 0x88, 0x96, 0x0d, 0x73, 0xd7, 0x19, 0x01];
/// Attestations the reference client knows by name but does not check: the ledger and its block height.
const TAG_OTHER_LEDGERS: [([u8; 8], &str); 2] = [
    ([0x06, 0x86, 0x9a, 0x0d, 0x73, 0xd7, 0x1b, 0x45], "Litecoin"),
    ([0x30, 0xfe, 0x80, 0x87, 0xb5, 0xc7, 0xea, 0xd7], "Ethereum"),
];

/// One operation on a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// SHA-1 (readable, not produced).
    Sha1,
    /// RIPEMD-160 (in older calendars' trees).
    Ripemd160,
    /// SHA-256.
    Sha256,
    /// Keccak-256.
    Keccak256,
    /// Message ‖ argument.
    Append(Vec<u8>),
    /// Argument ‖ message.
    Prepend(Vec<u8>),
    /// The message reversed.
    Reverse,
    /// The message in lower-case hex.
    Hexlify,
}

impl Op {
    fn tag(&self) -> u8 {
        match self {
            Op::Sha1 => 0x02,
            Op::Ripemd160 => 0x03,
            Op::Sha256 => 0x08,
            Op::Keccak256 => 0x67,
            Op::Append(_) => 0xf0,
            Op::Prepend(_) => 0xf1,
            Op::Reverse => 0xf2,
            Op::Hexlify => 0xf3,
        }
    }

    fn arg(&self) -> &[u8] {
        match self {
            Op::Append(a) | Op::Prepend(a) => a,
            _ => &[],
        }
    }

    /// Its name as the reference client prints it.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Sha1 => "sha1",
            Op::Ripemd160 => "ripemd160",
            Op::Sha256 => "sha256",
            Op::Keccak256 => "keccak256",
            Op::Append(_) => "append",
            Op::Prepend(_) => "prepend",
            Op::Reverse => "reverse",
            Op::Hexlify => "hexlify",
        }
    }

    /// The digest of everything `reader` yields, read in 1 MiB pieces, for a file-hash operation
    /// (SHA-1, RIPEMD-160, SHA-256, Keccak-256); `None` for another operation.
    pub fn digest_reader(&self, mut reader: impl std::io::Read) -> std::io::Result<Option<Vec<u8>>> {
        use ripemd::Digest as _;
        enum Hasher {
            Ring(Box<ring::digest::Context>),
            Ripemd(Box<ripemd::Ripemd160>),
            Keccak(Box<sha3::Keccak256>),
        }
        let mut hasher = match self {
            Op::Sha1 => Hasher::Ring(Box::new(ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY))),
            Op::Sha256 => Hasher::Ring(Box::new(ring::digest::Context::new(&ring::digest::SHA256))),
            Op::Ripemd160 => Hasher::Ripemd(Box::default()),
            Op::Keccak256 => Hasher::Keccak(Box::default()),
            _ => return Ok(None),
        };
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            match &mut hasher {
                Hasher::Ring(c) => c.update(&buf[..n]),
                Hasher::Ripemd(h) => h.update(&buf[..n]),
                Hasher::Keccak(h) => h.update(&buf[..n]),
            }
        }
        Ok(Some(match hasher {
            Hasher::Ring(c) => c.finish().as_ref().to_vec(),
            Hasher::Ripemd(h) => h.finalize().to_vec(),
            Hasher::Keccak(h) => h.finalize().to_vec(),
        }))
    }

    /// The operation applied to `msg`.
    pub fn apply(&self, msg: &[u8]) -> Result<Vec<u8>, OtsFormatError> {
        if msg.len() > MAX_LEN {
            return Err(OtsFormatError::Malformed(format!(
                "a message of {} bytes is longer than {MAX_LEN}",
                msg.len()
            )));
        }
        let out = match self {
            Op::Sha1 => ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, msg).as_ref().to_vec(),
            Op::Ripemd160 => {
                use ripemd::Digest as _;
                ripemd::Ripemd160::digest(msg).to_vec()
            }
            Op::Sha256 => ring::digest::digest(&ring::digest::SHA256, msg).as_ref().to_vec(),
            Op::Keccak256 => alloy_primitives::keccak256(msg).to_vec(),
            Op::Append(a) => [msg, a].concat(),
            Op::Prepend(a) => [a, msg].concat(),
            Op::Reverse => msg.iter().rev().copied().collect(),
            Op::Hexlify => hex::encode(msg).into_bytes(),
        };
        if out.len() > MAX_LEN {
            return Err(OtsFormatError::Malformed(format!(
                "{} gives {} bytes, more than {MAX_LEN}",
                self.name(),
                out.len()
            )));
        }
        Ok(out)
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.push(self.tag());
        if let Op::Append(a) | Op::Prepend(a) = self {
            write_varbytes(out, a);
        }
    }

    fn read(tag: u8, r: &mut Reader<'_>) -> Result<Op, OtsFormatError> {
        Ok(match tag {
            0x02 => Op::Sha1,
            0x03 => Op::Ripemd160,
            0x08 => Op::Sha256,
            0x67 => Op::Keccak256,
            0xf0 => Op::Append(r.varbytes(MAX_LEN, 1, "append argument")?),
            0xf1 => Op::Prepend(r.varbytes(MAX_LEN, 1, "prepend argument")?),
            0xf2 => Op::Reverse,
            0xf3 => Op::Hexlify,
            other => return Err(OtsFormatError::Malformed(format!("unknown operation tag 0x{other:02x}"))),
        })
    }

    fn cmp_key(&self, other: &Op) -> Ordering {
        (self.tag(), self.arg()).cmp(&(other.tag(), other.arg()))
    }
}

/// What a commitment is attested by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attestation {
    /// A calendar holds the commitment and will attest it later; ask it at this URI.
    Pending(String),
    /// The commitment is the Merkle root of the Bitcoin block at this height.
    Bitcoin(u64),
    /// Another kind, kept as read.
    Unknown([u8; 8], Vec<u8>),
}

impl Attestation {
    fn tag(&self) -> [u8; 8] {
        match self {
            Attestation::Pending(_) => TAG_PENDING,
            Attestation::Bitcoin(_) => TAG_BITCOIN,
            Attestation::Unknown(tag, _) => *tag,
        }
    }

    fn cmp_key(&self, other: &Attestation) -> Ordering {
        match (self, other) {
            (Attestation::Pending(a), Attestation::Pending(b)) => a.cmp(b),
            (Attestation::Bitcoin(a), Attestation::Bitcoin(b)) => a.cmp(b),
            (Attestation::Unknown(t, p), Attestation::Unknown(u, q)) => (t, p).cmp(&(u, q)),
            _ => self.tag().cmp(&other.tag()),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.tag());
        let mut payload = Vec::new();
        match self {
            Attestation::Pending(uri) => write_varbytes(&mut payload, uri.as_bytes()),
            Attestation::Bitcoin(height) => write_varuint(&mut payload, *height),
            Attestation::Unknown(_, p) => payload.extend_from_slice(p),
        }
        write_varbytes(out, &payload);
    }

    fn read(r: &mut Reader<'_>) -> Result<Attestation, OtsFormatError> {
        let tag: [u8; 8] = r.bytes(8, "attestation tag")?.try_into().unwrap_or_default();
        let payload = r.varbytes(MAX_PAYLOAD, 0, "attestation payload")?;
        let mut p = Reader::new(&payload);
        let attestation = match tag {
            TAG_PENDING => {
                let uri = p.varbytes(MAX_URI, 0, "calendar URI")?;
                if let Some(c) = uri.iter().find(|c| !URI_CHARS.contains(c)) {
                    return Err(OtsFormatError::Malformed(format!("calendar URI has the character 0x{c:02x}")));
                }
                Attestation::Pending(String::from_utf8_lossy(&uri).into_owned())
            }
            TAG_BITCOIN => Attestation::Bitcoin(p.varuint("block height")?),
            _ => return Ok(Attestation::Unknown(tag, payload)),
        };
        if !p.at_end() {
            return Err(OtsFormatError::Malformed("an attestation payload has trailing bytes".into()));
        }
        Ok(attestation)
    }
}

impl Attestation {
    /// For an attestation in another ledger the reference client names (Litecoin, Ethereum): the
    /// ledger and the block height its payload gives.
    pub fn other_ledger(&self) -> Option<(&'static str, Option<u64>)> {
        let Attestation::Unknown(tag, payload) = self else { return None };
        let (_, ledger) = TAG_OTHER_LEDGERS.iter().find(|(t, _)| t == tag)?;
        let mut r = Reader::new(payload);
        let height = r.varuint("block height").ok().filter(|_| r.at_end());
        Some((ledger, height))
    }
}

impl std::fmt::Display for Attestation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Attestation::Pending(uri) => write!(f, "pending at calendar {uri}"),
            Attestation::Bitcoin(h) => write!(f, "Bitcoin block {h}"),
            Attestation::Unknown(tag, _) => match self.other_ledger() {
                Some((ledger, Some(h))) => write!(f, "{ledger} block {h}"),
                Some((ledger, None)) => write!(f, "{ledger} block (height unreadable)"),
                None => write!(f, "unknown attestation {}", hex::encode(tag)),
            },
        }
    }
}

/// A timestamp tree: what attests the message here, and the operations leading further on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timestamp {
    /// Attestations of this node's message.
    pub attestations: Vec<Attestation>,
    /// Operations on this node's message, each with the tree of its result.
    pub ops: Vec<(Op, Timestamp)>,
}

impl Timestamp {
    /// A chain of operations ending in `tail`.
    pub fn chain(ops: impl IntoIterator<Item = Op>, tail: Timestamp) -> Timestamp {
        let ops: Vec<Op> = ops.into_iter().collect();
        ops.into_iter().rev().fold(tail, |t, op| Timestamp { attestations: Vec::new(), ops: vec![(op, t)] })
    }

    /// Adds everything `other` (a tree of the same message) holds.
    pub fn merge(&mut self, other: Timestamp) {
        for a in other.attestations {
            if !self.attestations.contains(&a) {
                self.attestations.push(a);
            }
        }
        for (op, t) in other.ops {
            match self.ops.iter_mut().find(|(o, _)| *o == op) {
                Some((_, mine)) => mine.merge(t),
                None => self.ops.push((op, t)),
            }
        }
    }

    /// Every attestation with the commitment (the message at its node), starting from `msg`.
    pub fn attestations(&self, msg: &[u8]) -> Result<Vec<(Vec<u8>, Attestation)>, OtsFormatError> {
        let mut out = Vec::new();
        self.walk(msg, &mut |m, a| out.push((m.to_vec(), a.clone())))?;
        Ok(out)
    }

    fn walk(&self, msg: &[u8], f: &mut dyn FnMut(&[u8], &Attestation)) -> Result<(), OtsFormatError> {
        for a in &self.attestations {
            f(msg, a);
        }
        for (op, t) in &self.ops {
            t.walk(&op.apply(msg)?, f)?;
        }
        Ok(())
    }

    /// Whether some node reached from `msg` has the message `target`.
    pub fn passes_through(&self, msg: &[u8], target: &[u8]) -> Result<bool, OtsFormatError> {
        if msg == target {
            return Ok(true);
        }
        for (op, t) in &self.ops {
            if t.passes_through(&op.apply(msg)?, target)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Merges `found` into the node whose message is `commitment` (reached from `msg`). Returns
    /// whether such a node was found.
    pub fn graft(&mut self, msg: &[u8], commitment: &[u8], found: &Timestamp) -> Result<bool, OtsFormatError> {
        if msg == commitment {
            self.merge(found.clone());
            return Ok(true);
        }
        let mut grafted = false;
        for (op, t) in &mut self.ops {
            grafted |= t.graft(&op.apply(msg)?, commitment, found)?;
        }
        Ok(grafted)
    }

    /// The serialized tree (without header), as calendars send it.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out);
        out
    }

    /// Reads a tree (without header) that must fill `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Timestamp, OtsFormatError> {
        let mut r = Reader::new(bytes);
        let t = Timestamp::read(&mut r, MAX_DEPTH)?;
        if !r.at_end() {
            return Err(OtsFormatError::Malformed(format!("{} bytes follow the timestamp", bytes.len() - r.pos)));
        }
        Ok(t)
    }

    fn write(&self, out: &mut Vec<u8>) {
        let mut attestations: Vec<&Attestation> = self.attestations.iter().collect();
        attestations.sort_by(|a, b| a.cmp_key(b));
        let mut ops: Vec<&(Op, Timestamp)> = self.ops.iter().collect();
        ops.sort_by(|a, b| a.0.cmp_key(&b.0));
        let total = attestations.len() + ops.len();
        let mut n = 0;
        for a in attestations {
            n += 1;
            if n < total {
                out.push(0xff);
            }
            out.push(0x00);
            a.write(out);
        }
        for (op, t) in ops {
            n += 1;
            if n < total {
                out.push(0xff);
            }
            op.write(out);
            t.write(out);
        }
    }

    fn read(r: &mut Reader<'_>, depth: usize) -> Result<Timestamp, OtsFormatError> {
        if depth == 0 {
            return Err(OtsFormatError::Malformed(format!("the timestamp is nested deeper than {MAX_DEPTH}")));
        }
        let mut t = Timestamp::default();
        loop {
            let tag = r.u8("timestamp entry")?;
            let (more, tag) = if tag == 0xff { (true, r.u8("timestamp entry")?) } else { (false, tag) };
            if tag == 0x00 {
                t.attestations.push(Attestation::read(r)?);
            } else {
                let op = Op::read(tag, r)?;
                let child = Timestamp::read(r, depth - 1)?;
                t.ops.push((op, child));
            }
            if !more {
                return Ok(t);
            }
        }
    }
}

/// A detached `.ots` file: the file's digest and its timestamp tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetachedTimestamp {
    /// How the file was hashed (SHA-256 for Evidentia's files).
    pub file_hash: Op,
    /// The file's digest: the tree's first message.
    pub digest: Vec<u8>,
    /// The tree.
    pub timestamp: Timestamp,
}

impl DetachedTimestamp {
    /// The `.ots` file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = HEADER_MAGIC.to_vec();
        write_varuint(&mut out, MAJOR_VERSION);
        self.file_hash.write(&mut out);
        out.extend_from_slice(&self.digest);
        self.timestamp.write(&mut out);
        out
    }

    /// Reads a `.ots` file.
    pub fn from_bytes(bytes: &[u8]) -> Result<DetachedTimestamp, OtsFormatError> {
        let Some(rest) = bytes.strip_prefix(HEADER_MAGIC) else {
            return Err(OtsFormatError::Malformed("not an OpenTimestamps proof (the header is missing)".into()));
        };
        let mut r = Reader::new(rest);
        let version = r.varuint("major version")?;
        if version != MAJOR_VERSION {
            return Err(OtsFormatError::Malformed(format!("proof format version {version} is not supported (only 1)")));
        }
        let tag = r.u8("file hash operation")?;
        let (file_hash, len) = match tag {
            0x02 => (Op::Sha1, 20),
            0x03 => (Op::Ripemd160, 20),
            0x08 => (Op::Sha256, 32),
            0x67 => (Op::Keccak256, 32),
            other => return Err(OtsFormatError::Malformed(format!("0x{other:02x} is not a file hash operation"))),
        };
        let digest = r.bytes(len, "file digest")?.to_vec();
        let timestamp = Timestamp::read(&mut r, MAX_DEPTH)?;
        if !r.at_end() {
            return Err(OtsFormatError::Malformed(format!("{} bytes follow the proof", rest.len() - r.pos)));
        }
        Ok(DetachedTimestamp { file_hash, digest, timestamp })
    }
}

fn write_varuint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn write_varbytes(out: &mut Vec<u8>, b: &[u8]) {
    write_varuint(out, b.len() as u64);
    out.extend_from_slice(b);
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    fn at_end(&self) -> bool {
        self.pos == self.buf.len()
    }

    fn bytes(&mut self, n: usize, what: &str) -> Result<&'a [u8], OtsFormatError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return Err(OtsFormatError::Malformed(format!("the proof ends inside its {what}")));
        };
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn u8(&mut self, what: &str) -> Result<u8, OtsFormatError> {
        Ok(self.bytes(1, what)?[0])
    }

    fn varuint(&mut self, what: &str) -> Result<u64, OtsFormatError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.u8(what)?;
            let part = u64::from(b & 0x7f);
            if shift == 63 && part > 1 {
                break;
            }
            value |= part << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(OtsFormatError::Malformed(format!("the {what} is larger than 64 bits")))
    }

    fn varbytes(&mut self, max: usize, min: usize, what: &str) -> Result<Vec<u8>, OtsFormatError> {
        let len = self.varuint(what)?;
        if len > max as u64 || len < min as u64 {
            return Err(OtsFormatError::Malformed(format!("the {what} is {len} bytes long (allowed {min} to {max})")));
        }
        Ok(self.bytes(len as usize, what)?.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DetachedTimestamp {
        let pending = Timestamp { attestations: vec![Attestation::Pending("http://127.0.0.1:1/".into())], ops: vec![] };
        let bitcoin = Timestamp { attestations: vec![Attestation::Bitcoin(840_000)], ops: vec![] };
        let mut tail = Timestamp::chain([Op::Append(vec![1; 16]), Op::Sha256], pending);
        tail.merge(Timestamp::chain([Op::Prepend(vec![2; 32]), Op::Sha256, Op::Sha256], bitcoin));
        DetachedTimestamp {
            file_hash: Op::Sha256,
            digest: vec![7; 32],
            timestamp: Timestamp::chain([Op::Prepend(b"salt".to_vec()), Op::Sha256], tail),
        }
    }

    #[test]
    fn round_trips_and_finds_commitments() {
        let d = sample();
        let bytes = d.to_bytes();
        assert_eq!(DetachedTimestamp::from_bytes(&bytes).unwrap(), d);
        let found = d.timestamp.attestations(&d.digest).unwrap();
        assert_eq!(found.len(), 2);
        assert!(found.iter().any(|(_, a)| *a == Attestation::Bitcoin(840_000)));
    }

    #[test]
    fn truncations_and_junk_are_errors_not_panics() {
        let bytes = sample().to_bytes();
        for cut in 0..bytes.len() {
            assert!(DetachedTimestamp::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(DetachedTimestamp::from_bytes(&extra).is_err());
        let deep = [HEADER_MAGIC, &[1, 8], &[0; 32], &[0xf2; 300]].concat();
        assert!(DetachedTimestamp::from_bytes(&deep).unwrap_err().to_string().contains("deeper"));
    }
}
