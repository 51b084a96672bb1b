//! CAdES baseline signatures (ETSI EN 319 122-1): a detached CMS SignedData over a file's digest
//! with the signed attributes content-type, message-digest, signing-time and
//! signing-certificate-v2 (CAdES-B-B), optionally with an RFC 3161 time-stamp over the signature
//! value as the unsigned attribute signature-time-stamp (CAdES-B-T).

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;

use crate::digest::DigestAlgorithm;
use crate::identity::{Identity, IdentityError};
use crate::tsp::asn1::{EssCertIdV2, IssuerSerial, SigningCertificateV2, oid};

/// id-data.
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// id-signingTime.
const SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
/// id-aa-signatureTimeStampToken (RFC 3161 appendix A).
pub const SIGNATURE_TIME_STAMP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// Why a CAdES signature could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CadesError {
    /// The identity cannot sign.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// Encoding failed (a defect, reported rather than hidden).
    #[error("cannot encode the signature: {0}")]
    Encoding(String),
    /// SM2 keys sign raw signatures only.
    #[error(
        "identity `{0}` has an SM2 key: SM2 signatures inside CMS are not offered, since no independent verifier \
         (OpenSSL 3.0) can check them; sign with an RSA or ECDSA identity"
    )]
    Sm2NotInCms(String),
    /// The bytes are not a CMS signature Evidentia made or can extend.
    #[error("not a CMS SignedData signature: {0}")]
    Malformed(String),
}

fn enc(e: impl std::fmt::Display) -> CadesError {
    CadesError::Encoding(e.to_string())
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, CadesError> {
    Ok(Attribute { oid, values: SetOfVec::try_from(vec![value]).map_err(enc)? })
}

/// Whether `identity` can make CAdES signatures now: its certificate is valid and its key is not SM2.
pub fn check_identity(identity: &Identity) -> Result<(), CadesError> {
    identity.check_valid_now()?;
    if matches!(identity.key, crate::identity::SigningKey::Sm2(_)) {
        return Err(CadesError::Sm2NotInCms(identity.name.clone()));
    }
    Ok(())
}

/// The digest algorithm a signature by `identity` covers content with.
pub fn content_digest_algorithm(identity: &Identity) -> DigestAlgorithm {
    identity.key.digest()
}

/// Makes a detached CAdES-B-B signature (DER ContentInfo) over content whose digest, with
/// [`content_digest_algorithm`], is `content_digest`.
pub fn sign_detached(
    identity: &Identity,
    content_digest: &[u8],
    signing_time: DateTime<Utc>,
) -> Result<Vec<u8>, CadesError> {
    sign_detached_with(identity, content_digest, Some(signing_time))
}

/// Makes the CMS of a PAdES signature: as [`sign_detached`] but without the signing-time
/// attribute (PAdES keeps the claimed time in the signature dictionary's /M).
pub fn sign_detached_pades(identity: &Identity, content_digest: &[u8]) -> Result<Vec<u8>, CadesError> {
    sign_detached_with(identity, content_digest, None)
}

fn sign_detached_with(
    identity: &Identity,
    content_digest: &[u8],
    signing_time: Option<DateTime<Utc>>,
) -> Result<Vec<u8>, CadesError> {
    check_identity(identity)?;
    let cert = identity.certificate();
    let digest = identity.key.digest();
    let digest_alg = AlgorithmIdentifierOwned { oid: crate::tsp::digest_oid(digest), parameters: None };
    let cert_der = cert.to_der().map_err(enc)?;

    let issuer_names = vec![GeneralName::DirectoryName(cert.tbs_certificate.issuer.clone())];
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None, // DEFAULT sha256
            cert_hash: OctetString::new(DigestAlgorithm::Sha256.digest(&cert_der).as_bytes().to_vec()).map_err(enc)?,
            issuer_serial: Some(IssuerSerial {
                issuer: Any::from_der(&issuer_names.to_der().map_err(enc)?).map_err(enc)?,
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
        }],
        policies: None,
    };
    let mut attrs = vec![attribute(oid::CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(enc)?)?];
    if let Some(at) = signing_time {
        let time = x509_cert::time::Time::try_from(std::time::SystemTime::from(at)).map_err(enc)?;
        attrs.push(attribute(SIGNING_TIME, Any::encode_from(&time).map_err(enc)?)?);
    }
    attrs.extend([
        attribute(
            oid::MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(content_digest.to_vec()).map_err(enc)?).map_err(enc)?,
        )?,
        attribute(oid::SIGNING_CERTIFICATE_V2, Any::encode_from(&ess).map_err(enc)?)?,
    ]);
    let signed_attrs = SetOfVec::try_from(attrs).map_err(enc)?;
    let signature = identity.key.sign(&signed_attrs.to_der().map_err(enc)?).map_err(CadesError::Identity)?;

    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: identity.key.signature_algorithm(),
        signature: OctetString::new(signature).map_err(enc)?,
        unsigned_attrs: None,
    };
    let certs: Vec<CertificateChoices> = identity.chain.iter().cloned().map(CertificateChoices::Certificate).collect();
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![digest_alg]).map_err(enc)?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: ID_DATA, econtent: None },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs).map_err(enc)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).map_err(enc)?),
    };
    ContentInfo { content_type: oid::SIGNED_DATA, content: Any::encode_from(&signed_data).map_err(enc)? }
        .to_der()
        .map_err(enc)
}

/// The signature value of a CMS signature's single signer (what a signature time-stamp covers).
pub fn signature_value(p7s: &[u8]) -> Result<Vec<u8>, CadesError> {
    let (_, sd) = parse(p7s)?;
    let signer = sd.signer_infos.0.iter().next().ok_or_else(|| CadesError::Malformed("no signer".into()))?;
    Ok(signer.signature.as_bytes().to_vec())
}

/// What a CMS signature's single signer signed: the content digest algorithm, the
/// message-digest attribute, and the signature value.
pub fn signed_digest(p7s: &[u8]) -> Result<(DigestAlgorithm, Vec<u8>, Vec<u8>), CadesError> {
    let (_, sd) = parse(p7s)?;
    let signer = sd.signer_infos.0.iter().next().ok_or_else(|| CadesError::Malformed("no signer".into()))?;
    let algo = crate::tsp::digest_from_oid(&signer.digest_alg.oid)
        .ok_or_else(|| CadesError::Malformed(format!("digest algorithm {}", signer.digest_alg.oid)))?;
    let digest = signer
        .signed_attrs
        .iter()
        .flat_map(|a| a.iter())
        .find(|a| a.oid == oid::MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or_else(|| CadesError::Malformed("no message-digest attribute".into()))?;
    Ok((algo, digest.as_bytes().to_vec(), signer.signature.as_bytes().to_vec()))
}

/// Adds an RFC 3161 token (a bare token, DER ContentInfo) over the signature value as the
/// signature-time-stamp unsigned attribute: CAdES-B-B becomes CAdES-B-T.
pub fn add_signature_timestamp(p7s: &[u8], token: &[u8]) -> Result<Vec<u8>, CadesError> {
    let (ci, mut sd) = parse(p7s)?;
    let mut signers: Vec<SignerInfo> = sd.signer_infos.0.into_vec();
    let signer = signers.first_mut().ok_or_else(|| CadesError::Malformed("no signer".into()))?;
    let attr = attribute(SIGNATURE_TIME_STAMP, Any::from_der(token).map_err(enc)?)?;
    let mut unsigned: Vec<Attribute> = signer.unsigned_attrs.take().map(|a| a.into_vec()).unwrap_or_default();
    unsigned.push(attr);
    signer.unsigned_attrs = Some(SetOfVec::try_from(unsigned).map_err(enc)?);
    sd.signer_infos = SignerInfos(SetOfVec::try_from(signers).map_err(enc)?);
    ContentInfo { content_type: ci.content_type, content: Any::encode_from(&sd).map_err(enc)? }.to_der().map_err(enc)
}

fn parse(p7s: &[u8]) -> Result<(ContentInfo, SignedData), CadesError> {
    let ci = ContentInfo::from_der(p7s).map_err(|e| CadesError::Malformed(e.to_string()))?;
    if ci.content_type != oid::SIGNED_DATA {
        return Err(CadesError::Malformed(format!("content type {}", ci.content_type)));
    }
    let sd: SignedData = ci.content.decode_as().map_err(|e| CadesError::Malformed(e.to_string()))?;
    Ok((ci, sd))
}

/// A file signed, and how.
#[derive(Debug, Clone)]
pub struct SignedFile {
    /// The detached signature (DER, `.p7s`).
    pub p7s: Vec<u8>,
    /// Digest of the file the signature covers.
    pub content_digest: crate::digest::Digests,
    /// The signature time-stamp, when a TSA gave one (CAdES-B-T).
    pub timestamp: Option<crate::tsp::VerifiedTimestamp>,
    /// Why there is no time-stamp, when one was asked for and none came.
    pub timestamp_error: Option<crate::tsp::TspError>,
}

/// Signs a file: CAdES-B-B, and CAdES-B-T when a TSA client is given and a TSA answers (a
/// failing TSA leaves the signature B-B and says why).
pub async fn sign_file(
    identity: &Identity,
    path: &std::path::Path,
    tsa: Option<&crate::tsp::TsaClient>,
) -> Result<SignedFile, crate::Error> {
    use crate::subject::InputError;
    crate::subject::plan_file(path)?;
    let algo = content_digest_algorithm(identity);
    let hashed = crate::digest::hash_file(path, &[algo], None, &|_| {}).map_err(|e| InputError::from_io(path, e))?;
    let digest = hashed.digests.get(algo).map(|d| d.as_bytes().to_vec()).unwrap_or_default();
    let mut p7s = sign_detached(identity, &digest, Utc::now())?;
    let (mut timestamp, mut timestamp_error) = (None, None);
    if let Some(client) = tsa {
        let imprint = DigestAlgorithm::Sha256.digest(&signature_value(&p7s)?);
        match client.timestamp(DigestAlgorithm::Sha256, imprint.as_bytes()).await {
            Ok(obtained) => {
                p7s = add_signature_timestamp(&p7s, obtained.token.to_der())?;
                timestamp = Some(obtained.verified);
            }
            Err(e) => timestamp_error = Some(e),
        }
    }
    Ok(SignedFile { p7s, content_digest: hashed.digests, timestamp, timestamp_error })
}

/// The RFC 3161 token (DER ContentInfo) in a signature's signature-time-stamp attribute, if any.
pub fn signature_timestamp_token(p7s: &[u8]) -> Result<Option<Vec<u8>>, CadesError> {
    let (_, sd) = parse(p7s)?;
    let signer = sd.signer_infos.0.iter().next().ok_or_else(|| CadesError::Malformed("no signer".into()))?;
    let token = signer
        .unsigned_attrs
        .iter()
        .flat_map(|attrs| attrs.iter())
        .find(|a| a.oid == SIGNATURE_TIME_STAMP)
        .and_then(|a| a.values.iter().next())
        .map(|v| v.to_der())
        .transpose()
        .map_err(enc)?;
    Ok(token)
}

/// The signature the vault keeps for a record, as a `.p7s`: CAdES-B-T when the vault holds a
/// time-stamp over its signature value (joined here as the signature-time-stamp attribute), else
/// CAdES-B-B. `None` when the record was not signed.
pub async fn record_signature(vault: &crate::vault::Vault, record_id: &str) -> Result<Option<Vec<u8>>, crate::Error> {
    let Some((signature, p7s)) = vault.signatures(Some(record_id)).await?.into_iter().next() else {
        return Ok(None);
    };
    let timestamps = vault.timestamps(Some(record_id)).await?;
    let Some((_, response)) = timestamps.iter().find(|(t, _)| t.imprint == signature.signature_value_sha256) else {
        return Ok(Some(p7s));
    };
    let token = crate::tsp::TimestampToken::from_any_der(response)?;
    Ok(Some(add_signature_timestamp(&p7s, token.to_der())?))
}
