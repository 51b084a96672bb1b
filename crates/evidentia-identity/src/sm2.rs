//! Raw SM2 signatures (GM/T 0003 with SM3 and the default distinguishing ID), outside CMS.

use std::fmt;

use der::asn1::ObjectIdentifier;
use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm2::elliptic_curve::sec1::ToSec1Point;
use sm2::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use zeroize::Zeroizing;

/// Named curve sm2p256v1 (GM/T 0006), the parameter of `id-ecPublicKey` in SM2 keys and certificates.
pub const SM2_CURVE_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");

/// Signature algorithm SM2 with SM3 (`SM2-with-SM3`, GM/T 0006).
pub const SM2_WITH_SM3_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");

/// Default distinguishing ID of GM/T 0009 used in Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ G ‖ P).
///
/// OpenSSL 3.0 does not use it by default (it hashes an empty ID); pass
/// `-sigopt distid:1234567812345678` (dgst) or `-pkeyopt distid:1234567812345678` (pkeyutl).
const DEFAULT_DISTID: &str = "1234567812345678";

/// An SM2 private key that signs with SM3 and the default distinguishing ID.
///
/// The `sm2` crate does not wipe its `SigningKey` on drop (the secret scalar is `Copy`), so dropping
/// this key overwrites the held scalar with a fixed public value (best effort; copies made inside
/// the crate while signing are out of reach).
pub struct Sm2Key {
    inner: SigningKey,
}

impl Sm2Key {
    /// Reads an unencrypted PKCS #8 `PrivateKeyInfo` (DER) with algorithm `id-ecPublicKey` and curve
    /// sm2p256v1, as `openssl genpkey -algorithm SM2` writes it and PKCS #12 files carry it.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, String> {
        // `SecretKey` wipes itself on drop.
        let secret = sm2::SecretKey::from_pkcs8_der(der)
            .map_err(|e| format!("not an SM2 PKCS #8 private key (id-ecPublicKey with curve sm2p256v1): {e}"))?;
        let inner = SigningKey::new(DEFAULT_DISTID, &secret).map_err(|e| format!("unusable SM2 private key: {e}"))?;
        Ok(Self { inner })
    }

    /// Makes a fresh key from the system's random source; returns it with its unencrypted PKCS #8
    /// `PrivateKeyInfo` (wiped when dropped), as OpenSSL writes SM2 keys.
    pub fn generate() -> Result<(Self, Zeroizing<Vec<u8>>), String> {
        let rng = ring::rand::SystemRandom::new();
        // A uniformly random scalar: draw 32 bytes until they are in [1, n-1] (almost always at once).
        for _ in 0..64 {
            let mut bytes = Zeroizing::new([0u8; 32]);
            ring::rand::SecureRandom::fill(&rng, bytes.as_mut()).map_err(|_| "no random source for the key")?;
            let Ok(secret) = sm2::SecretKey::from_slice(bytes.as_ref()) else { continue };
            let pkcs8 = secret.to_pkcs8_der().map_err(|e| format!("cannot encode the SM2 key: {e}"))?;
            let pkcs8 = Zeroizing::new(pkcs8.as_bytes().to_vec());
            return Ok((Self::from_pkcs8(&pkcs8)?, pkcs8));
        }
        Err("no usable SM2 key from the random source".into())
    }

    /// The public key as an uncompressed SEC1 point (`04 ‖ X ‖ Y`, 65 bytes), as in a certificate's
    /// `subjectPublicKey`.
    pub fn public_key(&self) -> Vec<u8> {
        self.inner.verifying_key().to_sec1_point(false).as_bytes().to_vec()
    }

    /// Signs `message` (the crate hashes SM3(Z ‖ message) itself) and returns the DER
    /// `SEQUENCE { r INTEGER, s INTEGER }`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let signature: Signature = self.inner.try_sign(message).map_err(|e| format!("SM2 signing failed: {e}"))?;
        Ok(signature.to_der().to_vec())
    }
}

impl fmt::Debug for Sm2Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SM2")
    }
}

impl Drop for Sm2Key {
    fn drop(&mut self) {
        let mut one = [0u8; 32];
        one[31] = 1;
        if let Ok(dummy) = SigningKey::from_slice(DEFAULT_DISTID, &one) {
            self.inner = dummy;
            // Keep the overwrite from being optimised away as a dead store.
            std::hint::black_box(&self.inner);
        }
    }
}

/// Checks a DER `SEQUENCE { r, s }` SM2 signature over `message` (SM3 and the default
/// distinguishing ID) against an SEC1-encoded public key.
pub fn verify_sm2(public_key_sec1: &[u8], message: &[u8], signature_der: &[u8]) -> Result<(), String> {
    let key = VerifyingKey::from_sec1_bytes(DEFAULT_DISTID, public_key_sec1)
        .map_err(|_| "bad SM2 public key: not a point on sm2p256v1 in SEC1 encoding".to_string())?;
    let signature = Signature::from_der(signature_der).map_err(|_| {
        "bad SM2 signature encoding: expected DER SEQUENCE { r INTEGER, s INTEGER } with 0 < r, s < n".to_string()
    })?;
    key.verify(message, &signature).map_err(|_| "SM2 signature does not match this message and key".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made by `openssl genpkey -algorithm SM2` and `openssl pkcs8 -topk8 -nocrypt -outform DER`.
    const TEST_PKCS8: &str = "308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b02010104200e4f21f1\
                              236645e7d55985a5825b376c7c4d8965af8d2d01ee0b848022b2e0bca14403420004dd0310762294\
                              afbdd61f8c00b99a766a269509907025fb0dc4e2fc9a1077cffcd5e31d50ba07559ad63514fd21a8\
                              faa7294022e425f64eefb8e8a57caa50953e";
    const TEST_PUBLIC: &str = "04dd0310762294afbdd61f8c00b99a766a269509907025fb0dc4e2fc9a1077cffcd5e31d50ba07559ad6\
                               3514fd21a8faa7294022e425f64eefb8e8a57caa50953e";

    fn test_key() -> Sm2Key {
        Sm2Key::from_pkcs8(&hex::decode(TEST_PKCS8).unwrap()).unwrap()
    }

    #[test]
    fn oids() {
        assert_eq!(SM2_CURVE_OID.to_string(), "1.2.156.10197.1.301");
        assert_eq!(SM2_WITH_SM3_OID.to_string(), "1.2.156.10197.1.501");
    }

    #[test]
    fn loads_openssl_pkcs8_and_round_trips() {
        let key = test_key();
        assert_eq!(format!("{key:?}"), "SM2");
        assert_eq!(hex::encode(key.public_key()), TEST_PUBLIC);
        let message = b"evidence sealed with SM2";
        let signature = key.sign(message).unwrap();
        assert_eq!(signature[0], 0x30);
        verify_sm2(&key.public_key(), message, &signature).unwrap();
    }

    #[test]
    fn flipped_message_bit_fails() {
        let key = test_key();
        let message = b"evidence sealed with SM2".to_vec();
        let signature = key.sign(&message).unwrap();
        for bit in [0usize, 7, 100, 191] {
            let mut altered = message.clone();
            altered[bit / 8] ^= 1 << (bit % 8);
            let err = verify_sm2(&key.public_key(), &altered, &signature).unwrap_err();
            assert!(err.contains("does not match"), "{err}");
        }
    }

    #[test]
    fn flipped_signature_byte_fails() {
        let key = test_key();
        let message = b"evidence sealed with SM2";
        let signature = key.sign(message).unwrap();
        for i in 0..signature.len() {
            let mut altered = signature.clone();
            altered[i] ^= 0x01;
            assert!(verify_sm2(&key.public_key(), message, &altered).is_err(), "byte {i} flipped still verified");
        }
        // A flip inside r or s keeps the encoding valid but breaks the match.
        let mut altered = signature.clone();
        let last = altered.len() - 1;
        altered[last] ^= 0x01;
        let err = verify_sm2(&key.public_key(), message, &altered).unwrap_err();
        assert!(err.contains("does not match"), "{err}");
    }

    #[test]
    fn rejects_bad_inputs_with_clear_errors() {
        let key = test_key();
        let signature = key.sign(b"m").unwrap();
        let err = verify_sm2(&[0x04; 65], b"m", &signature).unwrap_err();
        assert!(err.contains("bad SM2 public key"), "{err}");
        let err = verify_sm2(&key.public_key(), b"m", &signature[..signature.len() - 1]).unwrap_err();
        assert!(err.contains("bad SM2 signature encoding"), "{err}");
        assert!(Sm2Key::from_pkcs8(b"\x30\x00").is_err());
    }

    /// Runs `openssl` with `args` in `dir`; panics with its output when it fails.
    fn openssl(dir: &std::path::Path, args: &[&str]) {
        let out = std::process::Command::new("openssl").args(args).current_dir(dir).output().unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn interoperates_with_openssl() {
        let present = std::process::Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success());
        if !present {
            println!("skipped: openssl not found");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        openssl(d, &["genpkey", "-algorithm", "SM2", "-out", "k.pem"]);
        openssl(d, &["pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k.der"]);
        openssl(d, &["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"]);
        openssl(d, &["pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "pub.der"]);
        let key = Sm2Key::from_pkcs8(&std::fs::read(d.join("k.der")).unwrap()).unwrap();
        let spki = std::fs::read(d.join("pub.der")).unwrap();
        assert!(spki.ends_with(&key.public_key()), "public key differs from OpenSSL's");

        let message = b"sealed evidence: OpenSSL interop";
        std::fs::write(d.join("msg"), message).unwrap();

        // Ours -> OpenSSL. OpenSSL 3.0 defaults to an empty distinguishing ID: name it explicitly.
        std::fs::write(d.join("sig.ours"), key.sign(message).unwrap()).unwrap();
        let distid = format!("distid:{DEFAULT_DISTID}");
        openssl(d, &["dgst", "-sm3", "-verify", "pub.pem", "-signature", "sig.ours", "-sigopt", &distid, "msg"]);
        openssl(
            d,
            &[
                "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", "pub.pem", "-in", "msg",
                "-sigfile", "sig.ours", "-pkeyopt", &distid,
            ],
        );

        // OpenSSL -> ours.
        openssl(d, &["dgst", "-sm3", "-sign", "k.pem", "-sigopt", &distid, "-out", "sig.dgst", "msg"]);
        verify_sm2(&key.public_key(), message, &std::fs::read(d.join("sig.dgst")).unwrap()).unwrap();
        openssl(
            d,
            &[
                "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", "k.pem", "-in", "msg", "-out", "sig.pku",
                "-pkeyopt", &distid,
            ],
        );
        verify_sm2(&key.public_key(), message, &std::fs::read(d.join("sig.pku")).unwrap()).unwrap();
    }
}
