//! Renewing a package's seal before it weakens (ETSI EN 319 162-1, `ASiCArchiveManifest`): an
//! archive manifest listing every entry with its SHA-256 — the manifest, its seal and the archive
//! manifests and time-stamps before — sealed by a new archive time-stamp. Each renewal adds one
//! link; the package is rewritten to a new file (every entry copied as it is) renamed over it
//! only when complete.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::PackageError;
use super::container::{Container, Limits};
use super::manifest::{AsicManifest, DataObject};
use super::{MANIFEST_SIGNATURE_PATH, MANIFEST_TIMESTAMP_PATH};
use crate::digest::DigestAlgorithm;
use evidentia_net::tsa::TsaClient;
use evidentia_pki::tsp::TimestampToken;

/// What renewing one package did.
#[derive(Debug, Clone, Serialize)]
pub struct PackageRenewal {
    /// The package.
    pub package: PathBuf,
    /// The archive manifest added, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive_manifest: Option<String>,
    /// Its archive time-stamp's time (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamped_at: Option<String>,
    /// When the package's newest seal weakens now (RFC 3339), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Why nothing was added, when nothing was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// The archive manifests of a container, oldest first (by their number).
pub fn archive_manifests(names: &[String]) -> Vec<String> {
    let mut found: Vec<(u64, String)> = names
        .iter()
        .filter(|n| n.starts_with("META-INF/") && n.contains("ASiCArchiveManifest") && n.ends_with(".xml"))
        .map(|n| {
            let digits: String = n.chars().filter(char::is_ascii_digit).collect();
            (digits.parse().unwrap_or(0), n.clone())
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, n)| n).collect()
}

/// When the token or signature at `bytes` weakens: its signer's certificate's expiry.
fn seal_expiry(bytes: &[u8], is_token: bool) -> Option<DateTime<Utc>> {
    if is_token {
        return TimestampToken::from_any_der(bytes).ok()?.signer_not_after(&[]);
    }
    evidentia_pki::cades_verify::embedded_certificates(bytes)
        .iter()
        .map(|c| DateTime::<Utc>::from(c.tbs_certificate.validity.not_after.to_system_time()))
        .min()
}

/// Renews the seal of the package at `path` when its newest seal (the last archive time-stamp,
/// else the manifest's time-stamp or signature) weakens before now + `before`.
pub async fn renew_package(path: &Path, tsa: &TsaClient, before: Duration) -> Result<PackageRenewal, PackageError> {
    let mut c = Container::open(path, Limits::default())?;
    let names: Vec<String> = c.entries().iter().filter(|e| !e.is_dir).map(|e| e.name.clone()).collect();
    let archives = archive_manifests(&names);
    // The newest seal: the last archive manifest's time-stamp, else the manifest's own seal.
    let tip = match archives.last() {
        Some(m) => c
            .read(m)
            .ok()
            .flatten()
            .and_then(|x| super::asic::parse_manifest(&x).ok())
            .and_then(|m| m.sig_reference.map(|(u, _)| super::asic::decode_uri(&u))),
        None => [MANIFEST_TIMESTAMP_PATH, MANIFEST_SIGNATURE_PATH]
            .into_iter()
            .find(|n| names.iter().any(|x| x == n))
            .map(str::to_owned),
    };
    let expires = tip.as_ref().and_then(|t| {
        let bytes = c.read(t).ok().flatten()?;
        seal_expiry(&bytes, t.ends_with(".tst"))
    });
    let mut outcome = PackageRenewal {
        package: path.to_owned(),
        archive_manifest: None,
        timestamped_at: None,
        expires: expires.map(|t| t.to_rfc3339()),
        skipped: None,
    };
    if let Some(t) = expires
        && t > Utc::now() + before
    {
        outcome.skipped = Some(format!("not due: its newest seal holds until {}", t.format("%Y-%m-%d")));
        return Ok(outcome);
    }

    // Every entry but `mimetype`, with its SHA-256.
    let mut objects = Vec::new();
    for name in names.iter().filter(|n| *n != "mimetype") {
        let digest = c
            .hash(name, &[DigestAlgorithm::Sha256])
            .map_err(|why| PackageError::Io {
                path: path.to_owned(),
                source: std::io::Error::other(format!("{name} {why}")),
            })?
            .and_then(|d| d.get(DigestAlgorithm::Sha256).map(|v| v.as_bytes().to_vec()))
            .unwrap_or_default();
        let mime = mime_guess::from_path(name).first_or_octet_stream().to_string();
        objects.push(DataObject { uri: name.clone(), mime_type: mime, sha256: digest });
    }
    let n = archives.len() + 1;
    let manifest_name = format!("META-INF/ASiCArchiveManifest{n:03}.xml");
    let token_name = format!("META-INF/timestamp-archive{n:03}.tst");
    let xml = AsicManifest {
        sig_reference: Some((token_name.clone(), "application/vnd.etsi.timestamp-token".into())),
        objects,
    }
    .to_archive_xml();
    let obtained =
        tsa.timestamp(DigestAlgorithm::Sha256, DigestAlgorithm::Sha256.digest(xml.as_bytes()).as_bytes()).await?;
    let renewed_until = obtained.token.signer_not_after(&[]);
    if let (Some(old), Some(new)) = (expires, renewed_until)
        && new <= old
    {
        outcome.skipped = Some(format!(
            "the TSA {}'s certificate expires on {}, no later than the package's seal ({}): use a TSA whose certificate is valid longer",
            obtained.url,
            new.format("%Y-%m-%d"),
            old.format("%Y-%m-%d")
        ));
        return Ok(outcome);
    }
    drop(c);
    rewrite_with(path, &[(&manifest_name, xml.as_bytes()), (&token_name, obtained.token.to_der())])?;
    outcome.archive_manifest = Some(manifest_name);
    outcome.timestamped_at = Some(obtained.verified.gen_time.to_rfc3339());
    outcome.expires = renewed_until.map(|t| t.to_rfc3339());
    Ok(outcome)
}

/// Copies every entry of the package as it is into a new file, adds `more`, and renames the new
/// file over the package.
fn rewrite_with(path: &Path, more: &[(&str, &[u8])]) -> Result<(), PackageError> {
    let io = |e: std::io::Error| PackageError::Io { path: path.to_owned(), source: e };
    let zip_err = |e: zip::result::ZipError| io(std::io::Error::other(e));
    let partial = path.with_extension("asice.partial");
    let result = (|| {
        let mut source = zip::ZipArchive::new(std::fs::File::open(path).map_err(io)?).map_err(zip_err)?;
        let mut out = zip::ZipWriter::new(std::fs::File::create(&partial).map_err(io)?);
        for i in 0..source.len() {
            out.raw_copy_file(source.by_index_raw(i).map_err(zip_err)?).map_err(zip_err)?;
        }
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in more {
            out.start_file(*name, options).map_err(zip_err)?;
            out.write_all(bytes).map_err(io)?;
        }
        let file = out.finish().map_err(zip_err)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&partial, path).map_err(io)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}
