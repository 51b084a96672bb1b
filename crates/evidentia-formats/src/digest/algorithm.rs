//! The digest algorithms Evidentia speaks, their values, and a hasher that runs several at once.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sm3::Digest as _;

/// A cryptographic hash function a seal can be made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestAlgorithm {
    /// SHA-256 (FIPS 180-4), the default.
    Sha256,
    /// SHA-384 (FIPS 180-4).
    Sha384,
    /// SHA-512 (FIPS 180-4).
    Sha512,
    /// SM3 (GM/T 0004-2012, ISO/IEC 10118-3).
    Sm3,
}

impl DigestAlgorithm {
    /// Every supported algorithm, in canonical order.
    pub const ALL: [DigestAlgorithm; 4] = [Self::Sha256, Self::Sha384, Self::Sha512, Self::Sm3];

    /// The lower-case name used on the command line, in JSON and in manifests.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
            Self::Sm3 => "sm3",
        }
    }

    /// The tag used by BSD-style checksum lines (`SHA256 (file) = ...`), as `sha256sum -c` reads them.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA256",
            Self::Sha384 => "SHA384",
            Self::Sha512 => "SHA512",
            Self::Sm3 => "SM3",
        }
    }

    /// Length of the digest in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha256 | Self::Sm3 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Digest of a byte slice held in memory.
    pub fn digest(self, data: &[u8]) -> DigestValue {
        let mut hasher = MultiHasher::new(&[self]);
        hasher.update(data);
        let mut all = hasher.finish();
        all.remove(self).unwrap_or_default()
    }

    /// Parses a comma-separated list such as `sha256,sm3`, keeping order and dropping repeats.
    pub fn parse_list(list: &str) -> Result<Vec<DigestAlgorithm>, UnknownAlgorithm> {
        let mut out = Vec::new();
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let algo: DigestAlgorithm = part.parse()?;
            if !out.contains(&algo) {
                out.push(algo);
            }
        }
        if out.is_empty() {
            return Err(UnknownAlgorithm(list.to_owned()));
        }
        Ok(out)
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A digest algorithm name that Evidentia does not know.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown digest algorithm `{0}`: use sha256, sha384, sha512 or sm3 (comma-separated for several)")]
pub struct UnknownAlgorithm(pub String);

impl FromStr for DigestAlgorithm {
    type Err = UnknownAlgorithm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "sha256" => Ok(Self::Sha256),
            "sha384" => Ok(Self::Sha384),
            "sha512" => Ok(Self::Sha512),
            "sm3" => Ok(Self::Sm3),
            _ => Err(UnknownAlgorithm(s.to_owned())),
        }
    }
}

/// The bytes of one digest; shown and serialised as lower-case hex.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DigestValue(Vec<u8>);

impl DigestValue {
    /// Wraps raw digest bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Parses lower- or upper-case hex.
    pub fn from_hex(text: &str) -> Result<Self, hex::FromHexError> {
        hex::decode(text.trim()).map(Self)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }
}

impl fmt::Display for DigestValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for DigestValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DigestValue({})", self.to_hex())
    }
}

impl Serialize for DigestValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for DigestValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// The digests of one subject, one per algorithm, ordered by algorithm.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Digests(BTreeMap<DigestAlgorithm, DigestValue>);

impl Digests {
    /// The value for one algorithm, if it was computed.
    pub fn get(&self, algo: DigestAlgorithm) -> Option<&DigestValue> {
        self.0.get(&algo)
    }

    /// Adds or replaces one value.
    pub fn insert(&mut self, algo: DigestAlgorithm, value: DigestValue) {
        self.0.insert(algo, value);
    }

    /// Takes one value out.
    pub fn remove(&mut self, algo: DigestAlgorithm) -> Option<DigestValue> {
        self.0.remove(&algo)
    }

    /// All values, ordered by algorithm.
    pub fn iter(&self) -> impl Iterator<Item = (DigestAlgorithm, &DigestValue)> {
        self.0.iter().map(|(a, v)| (*a, v))
    }

    /// The algorithms present.
    pub fn algorithms(&self) -> Vec<DigestAlgorithm> {
        self.0.keys().copied().collect()
    }

    /// Whether no digest is present.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

enum Engine {
    Ring(Box<ring::digest::Context>),
    Sm3(Box<sm3::Sm3>),
}

/// Runs several digest algorithms over the same stream of bytes.
pub struct MultiHasher {
    engines: Vec<(DigestAlgorithm, Engine)>,
}

impl MultiHasher {
    /// A hasher for the given algorithms (repeats are ignored).
    pub fn new(algos: &[DigestAlgorithm]) -> Self {
        let mut engines: Vec<(DigestAlgorithm, Engine)> = Vec::with_capacity(algos.len());
        for &algo in algos {
            if engines.iter().any(|(a, _)| *a == algo) {
                continue;
            }
            let engine = match algo {
                DigestAlgorithm::Sha256 => Engine::Ring(Box::new(ring::digest::Context::new(&ring::digest::SHA256))),
                DigestAlgorithm::Sha384 => Engine::Ring(Box::new(ring::digest::Context::new(&ring::digest::SHA384))),
                DigestAlgorithm::Sha512 => Engine::Ring(Box::new(ring::digest::Context::new(&ring::digest::SHA512))),
                DigestAlgorithm::Sm3 => Engine::Sm3(Box::new(sm3::Sm3::new())),
            };
            engines.push((algo, engine));
        }
        Self { engines }
    }

    /// Feeds bytes to every algorithm. With several algorithms and a large chunk, they run in parallel.
    pub fn update(&mut self, data: &[u8]) {
        if self.engines.len() > 1 && data.len() >= 256 * 1024 {
            rayon::scope(|s| {
                for (_, engine) in self.engines.iter_mut() {
                    s.spawn(move |_| engine.update(data));
                }
            });
        } else {
            for (_, engine) in self.engines.iter_mut() {
                engine.update(data);
            }
        }
    }

    /// Finishes every algorithm.
    pub fn finish(self) -> Digests {
        let mut out = Digests::default();
        for (algo, engine) in self.engines {
            let bytes = match engine {
                Engine::Ring(ctx) => (*ctx).finish().as_ref().to_vec(),
                Engine::Sm3(h) => h.finalize().to_vec(),
            };
            out.insert(algo, DigestValue(bytes));
        }
        out
    }
}

impl Engine {
    fn update(&mut self, data: &[u8]) {
        match self {
            Engine::Ring(ctx) => ctx.update(data),
            Engine::Sm3(h) => h.update(data),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex_of(algo: DigestAlgorithm, data: &[u8]) -> String {
        algo.digest(data).to_hex()
    }

    #[test]
    fn sm3_standard_vectors() {
        // GM/T 0004-2012, appendix A.
        assert_eq!(
            hex_of(DigestAlgorithm::Sm3, b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            hex_of(DigestAlgorithm::Sm3, &b"abcd".repeat(16)),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
    }

    #[test]
    fn nist_sha256_vectors() {
        // FIPS 180-4 examples (NIST CSRC "SHA256.pdf").
        assert_eq!(
            hex_of(DigestAlgorithm::Sha256, b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex_of(DigestAlgorithm::Sha256, b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex_of(DigestAlgorithm::Sha256, b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex_of(DigestAlgorithm::Sha256, &vec![b'a'; 1_000_000]),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn nist_sha384_vector() {
        assert_eq!(
            hex_of(DigestAlgorithm::Sha384, b"abc"),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
             8086072ba1e7cc2358baeca134c825a7"
        );
    }

    #[test]
    fn nist_sha512_vectors() {
        assert_eq!(
            hex_of(DigestAlgorithm::Sha512, b"abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert_eq!(
            hex_of(
                DigestAlgorithm::Sha512,
                b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
            ),
            "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018\
             501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"
        );
    }

    #[test]
    fn several_algorithms_in_one_pass_match_single_runs() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut multi = MultiHasher::new(&DigestAlgorithm::ALL);
        for chunk in data.chunks(700_001) {
            multi.update(chunk);
        }
        let all = multi.finish();
        for algo in DigestAlgorithm::ALL {
            assert_eq!(all.get(algo), Some(&algo.digest(&data)), "{algo}");
        }
    }

    #[test]
    fn parses_algorithm_lists() {
        let list = DigestAlgorithm::parse_list("SHA-256, sm3,sha256").unwrap();
        assert_eq!(list, vec![DigestAlgorithm::Sha256, DigestAlgorithm::Sm3]);
        assert!(DigestAlgorithm::parse_list("md5").is_err());
        assert!(DigestAlgorithm::parse_list("").is_err());
    }
}
