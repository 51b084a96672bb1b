//! The digest algorithms Evidentia speaks, their values, and a hasher that runs several at once.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sm3::Digest as _;

/// A cryptographic hash function: the four a seal can be made with ([`DigestAlgorithm::ALL`]), and
/// those others' signatures and time-stamps are read with.
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
    /// SHA-1 (broken for collisions): read in others' signatures, never sealed with.
    Sha1,
    /// SHA-224 (FIPS 180-4): read only.
    Sha224,
    /// SHA3-224 (FIPS 202): read only.
    #[serde(rename = "sha3-224")]
    Sha3_224,
    /// SHA3-256 (FIPS 202): read only.
    #[serde(rename = "sha3-256")]
    Sha3_256,
    /// SHA3-384 (FIPS 202): read only.
    #[serde(rename = "sha3-384")]
    Sha3_384,
    /// SHA3-512 (FIPS 202): read only.
    #[serde(rename = "sha3-512")]
    Sha3_512,
    /// SHAKE256 with 512 bits of output (FIPS 202, RFC 8702), as CMS uses it with Ed448: read only.
    Shake256,
}

impl DigestAlgorithm {
    /// Every supported algorithm, in canonical order.
    pub const ALL: [DigestAlgorithm; 4] = [Self::Sha256, Self::Sha384, Self::Sha512, Self::Sm3];

    /// Every algorithm read in others' signatures and time-stamps, sealable ones first.
    pub const READ: [DigestAlgorithm; 11] = [
        Self::Sha256,
        Self::Sha384,
        Self::Sha512,
        Self::Sm3,
        Self::Sha1,
        Self::Sha224,
        Self::Sha3_224,
        Self::Sha3_256,
        Self::Sha3_384,
        Self::Sha3_512,
        Self::Shake256,
    ];

    /// Whether a seal may be made with it (the others are only read).
    pub fn sealable(self) -> bool {
        Self::ALL.contains(&self)
    }

    /// The lower-case name used on the command line, in JSON and in manifests.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
            Self::Sm3 => "sm3",
            Self::Sha1 => "sha1",
            Self::Sha224 => "sha224",
            Self::Sha3_224 => "sha3-224",
            Self::Sha3_256 => "sha3-256",
            Self::Sha3_384 => "sha3-384",
            Self::Sha3_512 => "sha3-512",
            Self::Shake256 => "shake256",
        }
    }

    /// The tag used by BSD-style checksum lines (`SHA256 (file) = ...`), as `sha256sum -c` reads them.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA256",
            Self::Sha384 => "SHA384",
            Self::Sha512 => "SHA512",
            Self::Sm3 => "SM3",
            Self::Sha1 => "SHA1",
            Self::Sha224 => "SHA224",
            Self::Sha3_224 => "SHA3-224",
            Self::Sha3_256 => "SHA3-256",
            Self::Sha3_384 => "SHA3-384",
            Self::Sha3_512 => "SHA3-512",
            Self::Shake256 => "SHAKE256",
        }
    }

    /// Length of the digest in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 | Self::Sha3_224 => 28,
            Self::Sha256 | Self::Sm3 | Self::Sha3_256 => 32,
            Self::Sha384 | Self::Sha3_384 => 48,
            Self::Sha512 | Self::Sha3_512 | Self::Shake256 => 64,
        }
    }

    /// Digest of a byte slice held in memory.
    pub fn digest(self, data: &[u8]) -> DigestValue {
        let mut hasher = MultiHasher::new(&[self]);
        hasher.update(data);
        let mut all = hasher.finish();
        all.remove(self).unwrap_or_default()
    }

    /// Parses a comma-separated list of sealable algorithms such as `sha256,sm3`, keeping order
    /// and dropping repeats.
    pub fn parse_list(list: &str) -> Result<Vec<DigestAlgorithm>, UnknownAlgorithm> {
        let mut out = Vec::new();
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let algo: DigestAlgorithm = part.parse()?;
            if !algo.sealable() {
                return Err(UnknownAlgorithm(part.to_owned()));
            }
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
            "sha1" => Ok(Self::Sha1),
            "sha224" => Ok(Self::Sha224),
            "sha3224" => Ok(Self::Sha3_224),
            "sha3256" => Ok(Self::Sha3_256),
            "sha3384" => Ok(Self::Sha3_384),
            "sha3512" => Ok(Self::Sha3_512),
            "shake256" => Ok(Self::Shake256),
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
        let text = text.trim();
        match crate::hash_hex::decode(text) {
            Some(bytes) => Ok(Self(bytes)),
            // Not hex: the hex crate names what is wrong.
            None => hex::decode(text).map(Self),
        }
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        crate::hash_hex::encode(&self.0)
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
        // Digests are at most 64 bytes: their hex fits on the stack.
        let mut buf = [0u8; 128];
        if self.0.len() <= 64 {
            s.serialize_str(crate::hash_hex::encode_into(&self.0, &mut buf))
        } else {
            s.serialize_str(&self.to_hex())
        }
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
    Fixed(Box<dyn digest::DynDigest + Send>),
    Shake256(Box<sha3::Shake256>),
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
                DigestAlgorithm::Sha1 => {
                    Engine::Ring(Box::new(ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY)))
                }
                DigestAlgorithm::Sha224 => Engine::Fixed(Box::new(sha2::Sha224::new())),
                DigestAlgorithm::Sha3_224 => Engine::Fixed(Box::new(sha3::Sha3_224::new())),
                DigestAlgorithm::Sha3_256 => Engine::Fixed(Box::new(sha3::Sha3_256::new())),
                DigestAlgorithm::Sha3_384 => Engine::Fixed(Box::new(sha3::Sha3_384::new())),
                DigestAlgorithm::Sha3_512 => Engine::Fixed(Box::new(sha3::Sha3_512::new())),
                DigestAlgorithm::Shake256 => Engine::Shake256(Box::default()),
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
                Engine::Fixed(h) => h.finalize().to_vec(),
                Engine::Shake256(h) => {
                    let mut out = vec![0u8; 64];
                    sha3::digest::ExtendableOutput::finalize_xof_into(*h, &mut out);
                    out
                }
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
            Engine::Fixed(h) => h.update(data),
            Engine::Shake256(h) => sha3::digest::Update::update(h.as_mut(), data),
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
    fn read_only_algorithms_match_their_standard_vectors() {
        // FIPS 180-4 and FIPS 202 examples (NIST CSRC) for "abc".
        let cases = [
            (DigestAlgorithm::Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (DigestAlgorithm::Sha224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
            (DigestAlgorithm::Sha3_256, "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"),
            (
                DigestAlgorithm::Shake256,
                "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739\
                 d5a15bef186a5386c75744c0527e1faa9f8726e462a12a4feb06bd8801e751e4",
            ),
        ];
        for (algo, want) in cases {
            assert_eq!(hex_of(algo, b"abc"), want, "{algo}");
            assert_eq!(algo.digest(b"abc").as_bytes().len(), algo.output_len(), "{algo}");
        }
    }

    #[test]
    fn read_only_algorithms_are_refused_for_sealing() {
        assert_eq!("SHA3-256".parse::<DigestAlgorithm>().unwrap(), DigestAlgorithm::Sha3_256);
        assert!(DigestAlgorithm::parse_list("sha1").is_err());
        assert!(DigestAlgorithm::parse_list("sha256,sha3-256").is_err());
    }

    #[test]
    fn several_algorithms_in_one_pass_match_single_runs() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut multi = MultiHasher::new(&DigestAlgorithm::READ);
        for chunk in data.chunks(700_001) {
            multi.update(chunk);
        }
        let all = multi.finish();
        for algo in DigestAlgorithm::READ {
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
