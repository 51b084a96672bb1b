//! Self-made identities: a fresh key (ECDSA P-256 or SM2) and a self-signed certificate, as the
//! PKCS #12 bytes the store keeps.

use der::Encode;
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec, UtcTime, Utf8StringRef};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName};
use x509_cert::name::{RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate};
use zeroize::Zeroizing;

use super::IdentityError;
use super::sm2::{SM2_CURVE_OID, SM2_WITH_SM3_OID, Sm2Key};

/// The key a self-made identity is made with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// ECDSA on P-256 with SHA-256 (accepted everywhere).
    #[default]
    EcdsaP256,
    /// SM2 with SM3 (GM/T 0003, 商用密码), the certificate signed with the default distinguishing ID.
    Sm2,
}

impl KeyAlgorithm {
    /// Reads `p256` / `ecdsa-p256` or `sm2`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "p256" | "p-256" | "ecdsa" | "ecdsa-p256" => Some(Self::EcdsaP256),
            "sm2" => Some(Self::Sm2),
            _ => None,
        }
    }
}

/// Who the certificate names and how long it holds.
pub(crate) struct Subject<'a> {
    pub common_name: &'a str,
    pub email: Option<&'a str>,
    /// (year, month, day) of today, UTC.
    pub today: (i32, u8, u8),
}

const ORGANISATIONAL_UNIT: &str = "Self-made Evidentia identity (no CA)";
const YEARS_VALID: i32 = 10;

/// Makes the key and certificate and returns them as PKCS #12 protected by `password`.
pub(crate) fn make_pkcs12(
    algorithm: KeyAlgorithm,
    subject: &Subject<'_>,
    name: &str,
    password: &str,
) -> Result<Vec<u8>, IdentityError> {
    let (pkcs8, cert_der) = match algorithm {
        KeyAlgorithm::EcdsaP256 => p256_identity(subject)?,
        KeyAlgorithm::Sm2 => sm2_identity(subject)?,
    };
    let key = p12_keystore::PrivateKey::from_der(&pkcs8).map_err(|e| create(&e))?;
    let p12_cert = p12_keystore::Certificate::from_der(&cert_der).map_err(|e| create(&e))?;
    let local_id = evidentia_formats::digest::DigestAlgorithm::Sha256.digest(&cert_der).as_bytes()[..20].to_vec();
    let chain = p12_keystore::PrivateKeyChain::new(local_id, key, vec![p12_cert]);
    let mut ks = p12_keystore::KeyStore::new();
    ks.add_entry(name, p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    ks.writer(password).write().map_err(|e| create(&e))
}

fn create(e: &dyn std::fmt::Display) -> IdentityError {
    IdentityError::Create(e.to_string())
}

fn p256_identity(subject: &Subject<'_>) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), IdentityError> {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(&ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map_err(|_| IdentityError::Create("no random source for the key".into()))?;
    let pkcs8 = Zeroizing::new(pkcs8.as_ref().to_vec());
    let key_pair = rcgen::KeyPair::try_from(pkcs8.as_slice()).map_err(|e| create(&e))?;
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name.push(rcgen::DnType::CommonName, subject.common_name);
    params.distinguished_name.push(rcgen::DnType::OrganizationalUnitName, ORGANISATIONAL_UNIT);
    if let Some(mail) = subject.email {
        let ia5 = mail.try_into().map_err(|e: rcgen::Error| create(&e))?;
        params.subject_alt_names.push(rcgen::SanType::Rfc822Name(ia5));
    }
    let (y, m, d) = subject.today;
    params.not_before = rcgen::date_time_ymd(y, m, d);
    params.not_after = rcgen::date_time_ymd(y + YEARS_VALID, m, d.min(28));
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature, rcgen::KeyUsagePurpose::ContentCommitment];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::EmailProtection];
    let cert = params.self_signed(&key_pair).map_err(|e| create(&e))?;
    Ok((pkcs8, cert.der().to_vec()))
}

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const OU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const EMAIL_PROTECTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");

/// An SM2 key and its certificate as GM/T 0015 writes them: `id-ecPublicKey` on sm2p256v1, signed
/// SM2-with-SM3 over the DER TBSCertificate with the default distinguishing ID (what OpenSSL's
/// `openssl req -x509 -sm3 -sigopt distid:1234567812345678` does).
fn sm2_identity(subject: &Subject<'_>) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), IdentityError> {
    let (key, pkcs8) = Sm2Key::generate().map_err(IdentityError::Create)?;
    let der_err = |e: der::Error| create(&e);
    let name = RdnSequence(vec![rdn(CN, subject.common_name)?, rdn(OU, ORGANISATIONAL_UNIT)?]);
    let (y, m, d) = subject.today;
    let at = |year: i32, day: u8| -> Result<Time, IdentityError> {
        let year = u16::try_from(year).map_err(|_| IdentityError::Create("the clock is before year 0".into()))?;
        let date = der::DateTime::new(year, m, day, 0, 0, 0).map_err(der_err)?;
        Ok(Time::UtcTime(UtcTime::from_date_time(date).map_err(der_err)?))
    };
    let validity = Validity { not_before: at(y, d)?, not_after: at(y + YEARS_VALID, d.min(28))? };
    let signature = AlgorithmIdentifierOwned { oid: SM2_WITH_SM3_OID, parameters: None };
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned { oid: ID_EC_PUBLIC_KEY, parameters: Some(der::Any::from(&SM2_CURVE_OID)) },
        subject_public_key: der::asn1::BitString::from_bytes(&key.public_key()).map_err(der_err)?,
    };
    let mut extensions = vec![
        extension(KEY_USAGE, true, &KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation))?,
        extension(EXT_KEY_USAGE, false, &ExtendedKeyUsage(vec![EMAIL_PROTECTION]))?,
    ];
    if let Some(mail) = subject.email {
        let ia5 =
            der::asn1::Ia5String::new(mail).map_err(|_| create(&format!("`{mail}` is not a plain e-mail address")))?;
        extensions.push(extension(SUBJECT_ALT_NAME, false, &SubjectAltName(vec![GeneralName::Rfc822Name(ia5)]))?);
    }
    let mut serial = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut serial)
        .map_err(|_| IdentityError::Create("no random source for the serial number".into()))?;
    serial[0] &= 0x7f;
    serial[0] |= 0x40;
    let tbs = TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: SerialNumber::new(&serial).map_err(der_err)?,
        signature: signature.clone(),
        issuer: name.clone(),
        validity,
        subject: name,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let tbs_der = tbs.to_der().map_err(der_err)?;
    let signature_value = key.sign(&tbs_der).map_err(IdentityError::Create)?;
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: signature,
        signature: der::asn1::BitString::from_bytes(&signature_value).map_err(der_err)?,
    };
    Ok((pkcs8, cert.to_der().map_err(der_err)?))
}

fn rdn(oid: ObjectIdentifier, value: &str) -> Result<RelativeDistinguishedName, IdentityError> {
    let text = Utf8StringRef::new(value).map_err(|e| create(&e))?;
    let atv = AttributeTypeAndValue { oid, value: der::Any::from(text) };
    Ok(RelativeDistinguishedName(SetOfVec::try_from(vec![atv]).map_err(|e| create(&e))?))
}

fn extension(oid: ObjectIdentifier, critical: bool, value: &impl Encode) -> Result<Extension, IdentityError> {
    let der = value.to_der().map_err(|e| create(&e))?;
    Ok(Extension { extn_id: oid, critical, extn_value: OctetString::new(der).map_err(|e| create(&e))? })
}
