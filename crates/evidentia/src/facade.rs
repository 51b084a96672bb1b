//! The one entry point of the CLI and the desktop app: each use case, from the configuration to a
//! typed result, so both front ends do the same thing and fail with the same code and exit.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::anchor::LedgerOutcomes;
use crate::config::Config;
use crate::digest::DigestAlgorithm;
use crate::identity::{Identity, IdentityStore};
use crate::package::export::{ExportOptions, ExportReport};
use crate::pades::{PadesLevel, PdfReport, Placement, SignOptions};
use crate::pending::Completed;
use crate::profile::ProfileName;
use crate::report::Lang;
use crate::seal::{SealOptions, SealProgress, SealReport};
use crate::subject::Subject;
use crate::vault::{Access, CaseChange, CaseSummary, Vault};
use crate::verify::package::{PackageReport, looks_like_package, records_only, verify_container};

/// Evidentia under one configuration (and, from the command line, one vault).
#[derive(Debug, Clone)]
pub struct Evidentia {
    config: Config,
    vault: Option<PathBuf>,
}

/// What to sign inside PDFs before sealing them (`seal --pades`, the app's PDF option).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PadesRequest {
    /// `B-B`, `B-T`, `B-LT` or `B-LTA`; when absent, B-T with a TSA configured, else B-B.
    #[serde(default)]
    pub level: Option<String>,
    /// A visible signature: `page,x,y,width,height`; invisible when absent.
    #[serde(default)]
    pub visible: Option<String>,
    /// Why (shown in the signature); blank means none.
    #[serde(default)]
    pub reason: Option<String>,
    /// Stamp the signing identity's kept seal in the visible signature.
    #[serde(default)]
    pub seal: bool,
}

/// What to seal, and how.
#[derive(Default)]
pub struct SealRequest {
    /// The checked subjects (from [`crate::subject::plan`]).
    pub subjects: Vec<Subject>,
    /// Digest algorithms; the configured ones when `None`.
    pub algorithms: Option<Vec<DigestAlgorithm>>,
    /// Whether to keep a copy in the vault (as configured, unless `false` here).
    pub keep_copy: bool,
    /// The identity that signs each record (unlocked with [`Evidentia::unlock`]).
    pub identity: Option<Arc<Identity>>,
    /// Sign each PDF inside it first (needs the identity).
    pub pades: Option<PadesRequest>,
}

/// What a seal did: the records, and what the anchoring after it did.
#[derive(Debug, Serialize)]
pub struct Sealed {
    /// The profile the records were made under.
    pub profile: ProfileName,
    /// The notice the profile's outputs carry.
    pub notice: Option<&'static str>,
    /// The vault written to (a team vault's URL without its password).
    pub vault: PathBuf,
    /// The records and the signed PDF copies.
    #[serde(flatten)]
    pub report: SealReport,
    /// The anchoring run once enough records waited, if it ran.
    pub anchors: Option<LedgerOutcomes>,
    /// The anchoring could not run (the records are sealed and stay pending): the seal's
    /// failure, which the caller reports after the records.
    #[serde(skip)]
    pub anchoring_failed: Option<Error>,
}

impl Evidentia {
    /// Evidentia under `config`.
    pub fn open(config: Config) -> Self {
        Self { config, vault: None }
    }

    /// The same, on the vault `dir` (a folder or a PostgreSQL URL) instead of the configured one.
    pub fn with_vault(mut self, dir: Option<PathBuf>) -> Self {
        self.vault = dir;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The vault's folder or URL.
    pub fn vault_dir(&self) -> Result<PathBuf, Error> {
        Ok(self.config.vault_dir(self.vault.as_deref())?)
    }

    /// Whether there is a vault yet (a team vault's database is asked only when it is opened).
    pub fn has_vault(&self) -> Result<bool, Error> {
        let dir = self.vault_dir()?;
        Ok(dir.to_str().is_some_and(crate::vault::is_postgres_url)
            || dir.is_dir() && std::fs::read_dir(&dir).map(|mut d| d.next().is_some()).unwrap_or(false))
    }

    /// Opens the vault for writing (created when missing), waiting for another writer as configured.
    pub async fn vault_for_writing(&self) -> Result<Vault, Error> {
        let access = Access::Write { lock_wait: self.config.lock_wait() };
        Ok(Vault::open(&self.vault_dir()?, access).await?)
    }

    /// Opens the vault for reading.
    pub async fn vault_for_reading(&self) -> Result<Vault, Error> {
        Ok(Vault::open(&self.vault_dir()?, Access::Read).await?)
    }

    /// The identity store.
    pub fn identities(&self) -> Result<IdentityStore, Error> {
        Ok(self.config.identity_store()?)
    }

    /// Unlocks the stored identity `name` with its password or its token's PIN.
    pub fn unlock(&self, name: &str, secret: &str) -> Result<Identity, Error> {
        Ok(self.identities()?.unlock(name, secret)?)
    }

    /// Stamps identity `name`'s kept seal (generated or an image) in the visible signature `options`
    /// describe; an identity without a seal is told how to make one.
    pub fn stamp_seal_of(&self, name: &str, options: &mut SignOptions) -> Result<(), Error> {
        match self.identities()?.seal(name)? {
            Some(crate::identity::IdentitySeal::Generated(seal)) => options.seal = Some(seal),
            Some(crate::identity::IdentitySeal::Image(bytes)) => options.image = Some(bytes),
            None => {
                return Err(crate::identity::IdentityError::BadSeal(format!(
                    "identity `{name}` has no seal; make one with `evidentia identity seal {name} --organisation NAME` \
                     or import an image with `--image seal.png`"
                ))
                .into());
            }
        }
        Ok(())
    }

    /// What a visible signature by identity `name` will look like in a box of `width` × `height`
    /// points as the page shows it: the appearance signing draws (the signer's name, the time, the
    /// reason, and the identity's seal when `stamp_seal`), as a one-page PDF for a preview.
    pub fn appearance_preview(
        &self,
        name: &str,
        width: f32,
        height: f32,
        reason: Option<&str>,
        stamp_seal: bool,
    ) -> Result<Vec<u8>, Error> {
        let info = self.identities()?.info(name)?;
        let mut options = SignOptions::default();
        if stamp_seal {
            self.stamp_seal_of(name, &mut options)?;
        }
        let text = crate::pades::appearance::AppearanceText {
            name: common_name_of(&info.certificate.subject),
            time: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            reason: reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned),
            location: None,
        };
        let pdf =
            crate::pades::appearance::render(width, height, &text, options.image.as_deref(), options.seal.as_ref())
                .map_err(Error::from)?;
        Ok(pdf)
    }

    /// The PDF signing options a request asks for: its level (the default follows the TSA), its
    /// placement and its reason.
    pub fn pades_options(&self, request: &PadesRequest, has_tsa: bool) -> Result<SignOptions, Error> {
        let level = PadesLevel::chosen(request.level.as_deref(), has_tsa)?;
        let placement = request.visible.as_deref().map(Placement::parse).transpose()?;
        let reason = request.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        Ok(SignOptions { level, placement, reason, ..Default::default() })
    }

    /// Seals the subjects into the vault (signing PDFs inside them first when asked), then
    /// anchors once enough records wait. `progress` hears the phases (`signing`, `anchoring`,
    /// `done`) and may cancel.
    pub async fn seal(&self, request: SealRequest, progress: &dyn SealProgress) -> Result<Sealed, Error> {
        if request.pades.is_some() && request.identity.is_none() {
            return Err(Error::Usage("signing inside PDFs needs an identity: choose one to sign with".into()));
        }
        let tsa = self.config.tsa_client(&[], &[])?;
        let mut pades = request.pades.as_ref().map(|p| self.pades_options(p, tsa.is_some())).transpose()?;
        if let (Some(options), Some(p), Some(identity)) = (pades.as_mut(), &request.pades, &request.identity)
            && p.seal
        {
            if options.placement.is_none() {
                return Err(Error::Usage("a seal is stamped in a visible signature: place it on a page".into()));
            }
            self.stamp_seal_of(&identity.name, options)?;
        }
        let threshold = self.config.evm.batch_after_records;
        let ledgers = if threshold > 0 { self.config.ledgers()? } else { Default::default() };
        let options = SealOptions {
            algorithms: request.algorithms.unwrap_or_else(|| self.config.seal.algorithms.clone()),
            copy: self.config.seal.copy && request.keep_copy,
            profile: self.config.profile,
            timestamp: tsa.is_some(),
            identity: request.identity,
            pades,
        };
        let vault = self.vault_for_writing().await?;
        if options.pades.is_some() {
            progress.phase("signing");
        }
        let report = match crate::seal::seal(&vault, request.subjects, &options, tsa.as_ref(), progress).await {
            Ok(r) => r,
            Err(e) => {
                vault.close().await;
                return Err(e);
            }
        };
        progress.phase("anchoring");
        let anchored = crate::anchor::after_seal(&vault, threshold, &ledgers).await;
        let shown = vault.location().to_owned();
        vault.close().await;
        progress.phase("done");
        let (anchors, anchoring_failed) = match anchored {
            Ok(a) => (a, None),
            Err(e) => (None, Some(e.into())),
        };
        Ok(Sealed {
            profile: self.config.profile,
            notice: self.config.profile.notice(),
            vault: shown,
            report,
            anchors,
            anchoring_failed,
        })
    }

    /// Completes pending time-stamps, then (with `make_batch`) batches the waiting records and
    /// anchors every unanchored batch. `None` when no TSA and no ledger is configured; nothing is
    /// done (and no vault made) when there is no vault yet.
    pub async fn sync(&self, make_batch: bool) -> Result<Option<Completed>, Error> {
        let tsa = self.config.tsa_client(&[], &[])?;
        let ledgers = self.config.ledgers()?;
        if tsa.is_none() && !ledgers.any() {
            return Ok(None);
        }
        if !self.has_vault()? {
            return Ok(Some(Completed::default()));
        }
        let vault = self.vault_for_writing().await?;
        let done = crate::pending::complete_pending(&vault, tsa.as_ref(), &ledgers, make_batch).await;
        vault.close().await;
        Ok(Some(done?))
    }

    /// A new package path in the export folder, named after the time: `evidence-YYYYMMDD-HHMMSS.asice`.
    pub fn new_export_path(&self) -> Result<PathBuf, Error> {
        let digits: String = crate::clock::now().chars().filter(char::is_ascii_digit).take(14).collect();
        let stamp = match digits.len() {
            14 => format!("{}-{}", &digits[..8], &digits[8..]),
            _ => digits,
        };
        self.free_export_path(&format!("evidence-{stamp}"))
    }

    /// A new package path in the export folder, named after case `case` (characters a file name
    /// cannot hold replaced by `_`), with `-2`, `-3`… when taken.
    pub fn new_case_export_path(&self, case: &str) -> Result<PathBuf, Error> {
        let stem: String =
            case.trim().chars().map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c }).collect();
        let stem = stem.trim_start_matches('.');
        self.free_export_path(if stem.is_empty() { "case" } else { stem })
    }

    fn free_export_path(&self, stem: &str) -> Result<PathBuf, Error> {
        let dir = self.config.export_dir()?;
        std::fs::create_dir_all(&dir).map_err(|e| crate::subject::InputError::from_io(&dir, e))?;
        let mut out = dir.join(format!("{stem}.asice"));
        let mut n = 2;
        while out.exists() {
            out = dir.join(format!("{stem}-{n}.asice"));
            n += 1;
        }
        Ok(out)
    }

    /// Exports the records `ids` into the package `out`, its manifest sealed by `identity` (and
    /// the TSA, when configured), with the verification report (`lang`) of the same records inside.
    pub async fn export(
        &self,
        ids: &[String],
        out: &Path,
        identity: Option<&Identity>,
        lang: Lang,
    ) -> Result<ExportReport, Error> {
        if ids.is_empty() {
            return Err(Error::Usage("choose at least one record to export".into()));
        }
        let vault = self.vault_for_writing().await?;
        let result = self.export_from(&vault, ids, None, out, identity, lang).await;
        vault.close().await;
        result
    }

    /// Exports every record of case `case` as [`Evidentia::export`] does, the case named in the
    /// package and its report.
    pub async fn export_case(
        &self,
        case: &str,
        out: &Path,
        identity: Option<&Identity>,
        lang: Lang,
    ) -> Result<ExportReport, Error> {
        let vault = self.vault_for_writing().await?;
        let result = async {
            let ids = vault.case_records(case).await?;
            if ids.is_empty() {
                return Err(Error::Usage(format!(
                    "case `{}` holds no records; add some with `evidentia case add` first",
                    case.trim()
                )));
            }
            self.export_from(&vault, &ids, Some(case.trim()), out, identity, lang).await
        }
        .await;
        vault.close().await;
        result
    }

    async fn export_from(
        &self,
        vault: &Vault,
        ids: &[String],
        case: Option<&str>,
        out: &Path,
        identity: Option<&Identity>,
        lang: Lang,
    ) -> Result<ExportReport, Error> {
        let policy = self.config.verify_policy(&[], false, false)?;
        let tsa = self.config.tsa_client(&[], &[])?;
        let draft = crate::package::export::draft(vault, ids, None, self.config.profile, case).await?;
        let mut report = verify_container(draft, &policy).await;
        records_only(&mut report);
        report.package = "(this package)".into();
        let pdf = crate::report::render(&report, lang, &crate::clock::now())?;
        let options = ExportOptions {
            profile: self.config.profile,
            tsa: tsa.as_ref(),
            identity,
            content_from: None,
            log_event: true,
            report_pdf: Some(&pdf),
            case,
        };
        Ok(crate::package::export::export(vault, ids, out, &options).await?)
    }

    /// Opens a new case.
    pub async fn open_case(&self, name: &str) -> Result<CaseSummary, Error> {
        let vault = self.vault_for_writing().await?;
        let result = vault.open_case(name).await;
        vault.close().await;
        Ok(result?)
    }

    /// Every case, with how many records each holds (none when there is no vault yet).
    pub async fn cases(&self) -> Result<Vec<CaseSummary>, Error> {
        if !self.has_vault()? {
            return Ok(Vec::new());
        }
        let vault = self.vault_for_reading().await?;
        let result = vault.cases().await;
        vault.close().await;
        Ok(result?)
    }

    /// Adds records (ids or unique prefixes) to case `case`, or removes them from it.
    pub async fn change_case(&self, case: &str, ids: &[String], add: bool) -> Result<CaseChange, Error> {
        if ids.is_empty() {
            return Err(Error::Usage("choose at least one record".into()));
        }
        let vault = self.vault_for_writing().await?;
        let result = if add { vault.add_to_case(case, ids).await } else { vault.remove_from_case(case, ids).await };
        vault.close().await;
        Ok(result?)
    }

    /// Verifies what the user gives: a package from the package alone, any other file through
    /// the records the vault has of it. `trust` adds roots; `online` asks the configured node.
    pub async fn verify(
        &self,
        path: &Path,
        trust: &[PathBuf],
        accept_self_signed: bool,
        online: bool,
    ) -> Result<PackageReport, Error> {
        let mut policy = self.config.verify_policy(trust, accept_self_signed, online)?;
        if looks_like_package(path) {
            if online {
                fetch_revocation(&mut policy.signatures, &package_certificates(path)).await;
            }
            return Ok(crate::verify::package::verify_package(path, &policy).await?);
        }
        if !self.has_vault()? {
            return Err(Error::NotSealedHere(path.to_owned()));
        }
        let vault = self.vault_for_reading().await?;
        let found = crate::verify::package::verify_file_in_vault(&vault, path, &policy, self.config.profile).await;
        vault.close().await;
        found?.ok_or_else(|| Error::NotSealedHere(path.to_owned()))
    }

    /// Verifies any evidence, told by its content ([`crate::verify::kind`]): an evidence package
    /// (or a file through the vault, as [`Evidentia::verify`]), a PDF (through its records when it
    /// was sealed here, else its signatures; neither: not sealed here), a CMS
    /// signature (detached over `request.file`, or enveloping), an RFC 3161 time-stamp or an
    /// evidence record (RFC 4998, RFC 6283) over `request.file`, or an OpenTimestamps proof over
    /// its stamped file.
    pub async fn verify_evidence(&self, request: &VerifyRequest<'_>) -> Result<Verification, Error> {
        use crate::verify::kind::{EvidenceKind, kind_of};
        let path = request.path;
        let kind = kind_of(path).map_err(|e| crate::subject::InputError::from_io(path, e))?;
        let needs_file = |what: &str| Error::DataFileNeeded { path: path.to_owned(), what: what.to_owned() };
        Ok(match kind {
            EvidenceKind::OtsProof => {
                let node = request
                    .bitcoin_node
                    .map(|url| {
                        evidentia_net::bitcoin::BitcoinNode::new(
                            url,
                            request.bitcoin_cookie,
                            std::time::Duration::from_secs(30),
                        )
                    })
                    .transpose()?;
                match crate::verify::ots::verify_ots(path, request.file, node.as_ref()).await {
                    Err(crate::verify::ots::OtsProofError::NoData { expected, .. }) => {
                        let beside = expected.map(|e| format!(" ({} is not there)", e.display())).unwrap_or_default();
                        return Err(needs_file(&format!("an OpenTimestamps proof{beside}")));
                    }
                    other => Verification::Ots(other?),
                }
            }
            EvidenceKind::Pdf => {
                // A PDF sealed here is verified through its records (which judge its signatures
                // too); any other by its signatures; one with neither is not sealed here.
                if self.has_vault()? {
                    let policy =
                        self.config.verify_policy(request.trust, request.accept_self_signed, request.online)?;
                    let vault = self.vault_for_reading().await?;
                    let found =
                        crate::verify::package::verify_file_in_vault(&vault, path, &policy, self.config.profile).await;
                    vault.close().await;
                    if let Some(report) = found? {
                        return Ok(Verification::Package(Box::new(report)));
                    }
                }
                let report = if request.online {
                    self.verify_pdf_online(path, request.trust, request.accept_self_signed, request.revocation).await
                } else {
                    self.verify_pdf_with(path, request.trust, request.accept_self_signed, request.revocation)
                };
                match report {
                    Ok(r) if r.signatures.is_empty() && self.has_vault()? => {
                        return Err(Error::NotSealedHere(path.to_owned()));
                    }
                    Err(Error::Pdf(e)) if e.is_input() && self.has_vault()? => {
                        return Err(Error::NotSealedHere(path.to_owned()));
                    }
                    other => Verification::Pdf(other?),
                }
            }
            EvidenceKind::Cms => {
                match self
                    .verify_signature_file(path, request.file, request.trust, &[], request.revocation, request.online)
                    .await
                {
                    Ok(report) => Verification::Signature(report),
                    // Unreadable or refused as a whole: a verdict on its one signer, not a failure to run.
                    Err(e) if e.kind() == crate::ErrorKind::Invalid => {
                        Verification::Signature(SignatureFileReport::of(vec![Err(e)]))
                    }
                    Err(e) => return Err(e),
                }
            }
            EvidenceKind::TimestampToken => {
                let Some(file) = request.file else { return Err(needs_file("an RFC 3161 time-stamp")) };
                let settings = self.config.tsa_settings(request.trust)?;
                let subject = crate::tsp::TokenSubject::File(file.to_owned());
                match crate::tsp::check_token_file(path, &subject, None, &settings.policy) {
                    Ok(verified) => Verification::Timestamp(Ok(verified)),
                    Err(e) if e.kind() == crate::ErrorKind::Invalid => Verification::Timestamp(Err(e)),
                    Err(e) => return Err(e),
                }
            }
            EvidenceKind::EvidenceRecord => {
                let Some(file) = request.file else { return Err(needs_file("an evidence record")) };
                let policy = self.config.verify_policy(request.trust, request.accept_self_signed, request.online)?;
                Verification::Package(Box::new(crate::verify::evidence_record::verify_detached(path, file, &policy)?))
            }
            EvidenceKind::Container | EvidenceKind::Other => Verification::Package(Box::new(
                self.verify(path, request.trust, request.accept_self_signed, request.online).await?,
            )),
        })
    }

    /// Renews every record proof that weakens within `options.before` (RFC 4998 evidence
    /// records: first archive time-stamps, time-stamp renewals, hash-tree renewals) with the
    /// configured TSA; what the TSA could not do is left pending for the next run.
    pub async fn renew(&self, options: &crate::renew::RenewOptions) -> Result<crate::renew::RenewalSummary, Error> {
        let tsa = self.config.tsa_client(&[], &[])?.ok_or(crate::tsp::TspError::NoTsaConfigured)?;
        if !self.has_vault()? {
            return Ok(crate::renew::RenewalSummary::default());
        }
        let vault = self.vault_for_writing().await?;
        let done = crate::renew::renew(&vault, &tsa, options).await;
        vault.close().await;
        done
    }

    /// How the vault's proofs stand (`vault status`, the Vault screen), and each record's.
    pub async fn proof_status(&self) -> Result<(crate::renew::ProofStatus, Vec<crate::renew::ProofExpiry>), Error> {
        let expiries = self.proof_expiries().await?;
        Ok((crate::renew::summarize(&expiries, chrono::Utc::now()), expiries))
    }

    /// When each record's newest proof weakens.
    pub async fn proof_expiries(&self) -> Result<Vec<crate::renew::ProofExpiry>, Error> {
        if !self.has_vault()? {
            return Ok(Vec::new());
        }
        let vault = self.vault_for_reading().await?;
        let found = crate::renew::expiries(&vault).await;
        vault.close().await;
        found
    }

    /// A record's evidence record (RFC 4998, DER), `None` when it has none yet.
    pub async fn evidence_record_of(&self, id: &str) -> Result<Option<(String, Vec<u8>)>, Error> {
        let vault = self.vault_for_reading().await?;
        let found = async {
            let detail = vault.record(id).await?;
            let chains = vault.evidence_record_chains(&detail.record.id).await?;
            let placed = evidentia_vault::placed_chains(&chains);
            Ok::<_, Error>(
                (!placed.is_empty())
                    .then(|| (detail.record.id.clone(), evidentia_pki::evidence_record::build::encode(&placed))),
            )
        }
        .await;
        vault.close().await;
        found
    }

    /// Upgrades pending OpenTimestamps proofs anyone made (`ots upgrade`) through the calendars
    /// they name that are on the configured list or public, rewriting each proof in place.
    pub async fn upgrade_ots(
        &self,
        proofs: &[PathBuf],
    ) -> Result<Vec<crate::anchor::ots::upgrade::ProofUpgrade>, Error> {
        let settings = self.config.ots_settings().unwrap_or_else(|| crate::anchor::ots::OtsSettings {
            calendars: Vec::new(),
            timeout: std::time::Duration::from_secs(30),
        });
        let mut out = Vec::new();
        for proof in proofs {
            out.push(crate::anchor::ots::upgrade::upgrade_proof(proof, &settings).await?);
        }
        Ok(out)
    }

    /// Extracts the package's entries into `dir` (new files only), after checking every entry of
    /// the container; returns how many entries it has.
    pub fn extract(&self, package: &Path, dir: &Path) -> Result<usize, Error> {
        use crate::package::container::{Container, Limits};
        let mut container = Container::open(package, Limits::default())?;
        container.extract(dir)?;
        Ok(container.entries().len())
    }

    /// Verifies a record as the vault holds it (`id` or a unique prefix), through the same checks
    /// as a package.
    pub async fn verify_record(&self, id: &str) -> Result<PackageReport, Error> {
        let policy = self.config.verify_policy(&[], false, false)?;
        let vault = self.vault_for_reading().await?;
        let result = async {
            let detail = vault.record(id).await?;
            let ids = [detail.record.id];
            Ok::<_, Error>(
                crate::verify::package::verify_records_in_vault(&vault, &ids, None, &policy, self.config.profile)
                    .await?,
            )
        }
        .await;
        vault.close().await;
        result
    }

    /// Verifies every signature and document time-stamp inside the PDF at `path`, with the
    /// revocation data the signatures and the document carry.
    pub fn verify_pdf(&self, path: &Path, trust: &[PathBuf], accept_self_signed: bool) -> Result<PdfReport, Error> {
        self.verify_pdf_with(path, trust, accept_self_signed, &[])
    }

    /// As [`Evidentia::verify_pdf`], with CRLs and OCSP responses from the files `revocation`.
    pub fn verify_pdf_with(
        &self,
        path: &Path,
        trust: &[PathBuf],
        accept_self_signed: bool,
        revocation: &[PathBuf],
    ) -> Result<PdfReport, Error> {
        let mut policy = self.config.verify_policy(trust, accept_self_signed, false)?.signatures;
        load_revocation(&mut policy.revocation, revocation)?;
        Ok(crate::pades::verify_pdf(path, &policy)?)
    }

    /// As [`Evidentia::verify_pdf`], and first fetches revocation data (OCSP, CRLs) for every
    /// certificate the PDF's signatures carry from the addresses those certificates name.
    pub async fn verify_pdf_online(
        &self,
        path: &Path,
        trust: &[PathBuf],
        accept_self_signed: bool,
        revocation: &[PathBuf],
    ) -> Result<PdfReport, Error> {
        let mut policy = self.config.verify_policy(trust, accept_self_signed, false)?.signatures;
        load_revocation(&mut policy.revocation, revocation)?;
        let bytes = std::fs::read(path).map_err(|e| crate::subject::InputError::from_io(path, e))?;
        fetch_revocation(&mut policy, &evidentia_pki::pades::signature_certificates(path, &bytes)).await;
        Ok(crate::pades::verify_pdf_bytes(path, &bytes, &policy)?)
    }

    /// Verifies every signer of the CMS/CAdES signature `signature`, detached over `file` or
    /// enveloping: `trust` adds roots, `certs` certificates the signature does not carry; `online`
    /// fetches revocation data.
    pub async fn verify_signature_file(
        &self,
        signature: &Path,
        file: Option<&Path>,
        trust: &[PathBuf],
        certs: &[PathBuf],
        revocation: &[PathBuf],
        online: bool,
    ) -> Result<SignatureFileReport, Error> {
        let p7s = std::fs::read(signature).map_err(|e| crate::subject::InputError::from_io(signature, e))?;
        if file.is_none() && matches!(crate::cades_verify::encapsulated_content(&p7s), Ok(None)) {
            return Err(Error::DataFileNeeded {
                path: signature.to_owned(),
                what: "a detached signature (the signed file is not inside it)".into(),
            });
        }
        let mut settings = self.config.tsa_settings(trust)?;
        load_revocation(&mut settings.policy.revocation, revocation)?;
        settings.policy.trust.extend(crate::cades_verify::system_roots().roots().to_vec());
        for c in certs {
            settings.policy.extra_certificates.extend(crate::tsp::load_certificates(c)?);
        }
        if online {
            let carried = crate::cades_verify::embedded_certificates(&p7s);
            let mut policy = crate::verify::SignaturePolicy {
                trust: settings.policy.trust.clone(),
                extra_certificates: std::mem::take(&mut settings.policy.extra_certificates),
                ..Default::default()
            };
            fetch_revocation(&mut policy, &carried).await;
            settings.policy.revocation.extend(&policy.revocation);
            settings.policy.extra_certificates = policy.extra_certificates;
            settings.policy.revocation_fetched = true;
        }
        let signers: Vec<Result<crate::cades_verify::VerifiedSignature, Error>> =
            crate::cades_verify::verify_file(signature, file, &settings.policy)?
                .into_iter()
                .map(|r| r.map_err(Error::from))
                .collect();
        Ok(SignatureFileReport::of(signers))
    }

    /// The verification report as a PDF in `lang`.
    pub fn report_pdf(&self, report: &PackageReport, lang: Lang) -> Result<Vec<u8>, Error> {
        Ok(crate::report::render(report, lang, &crate::clock::now())?)
    }
}

/// What [`Evidentia::verify_evidence`] is asked to verify, and under which policy.
#[derive(Debug, Clone, Copy)]
pub struct VerifyRequest<'a> {
    /// The evidence: a package, a PDF, a signature, a time-stamp, an `.ots` proof, or a sealed file.
    pub path: &'a Path,
    /// The file a detached signature, time-stamp or proof is over.
    pub file: Option<&'a Path>,
    /// Roots to trust besides the system's and the configured TSA roots.
    pub trust: &'a [PathBuf],
    /// Let self-signed signers pass.
    pub accept_self_signed: bool,
    /// Fetch revocation data and missing issuers; confirm chain anchors with the configured node.
    pub online: bool,
    /// CRL or OCSP files to judge revocation by.
    pub revocation: &'a [PathBuf],
    /// A bitcoind JSON-RPC address to check Bitcoin attestations with.
    pub bitcoin_node: Option<&'a str>,
    /// bitcoind's `.cookie` file, when the address carries no credentials.
    pub bitcoin_cookie: Option<&'a Path>,
}

/// What [`Evidentia::verify_evidence`] found, by the kind of evidence it was given.
#[derive(Debug)]
pub enum Verification {
    /// An evidence package, or a file through the vault's records.
    Package(Box<PackageReport>),
    /// A PDF's signatures and document time-stamps.
    Pdf(PdfReport),
    /// A CMS signature's signers.
    Signature(SignatureFileReport),
    /// An RFC 3161 time-stamp: verified, or the verdict that refuses it.
    Timestamp(Result<evidentia_pki::tsp::VerifiedTimestamp, Error>),
    /// An OpenTimestamps proof.
    Ots(crate::verify::ots::OtsReport),
}

/// One signer of a CMS signature, as the app shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SignerOutcome {
    /// `PASSED`, `FAILED` or `INDETERMINATE`.
    pub result: crate::check::Verdict,
    /// What the signature establishes, when it passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<crate::cades_verify::VerifiedSignature>,
    /// Why not, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// Why not, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// [`Verification`] as the app receives it: the kind of evidence and its report.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum VerificationView {
    /// An evidence package, an ASiC container, or a file through the vault's records.
    Package {
        /// The report.
        report: Box<PackageReport>,
    },
    /// A PDF's signatures.
    Pdf {
        /// The report.
        report: PdfReport,
    },
    /// A CMS signature's signers.
    Signature {
        /// The verdict over all signers.
        result: crate::check::Indication,
        /// Each signer.
        signers: Vec<SignerOutcome>,
    },
    /// An RFC 3161 time-stamp.
    Timestamp {
        /// The verdict.
        result: crate::check::Indication,
        /// What it establishes, when it passed.
        #[serde(skip_serializing_if = "Option::is_none")]
        verified: Option<evidentia_pki::tsp::VerifiedTimestamp>,
        /// Why not, when it did not.
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<&'static str>,
        /// Why not, in words.
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// An OpenTimestamps proof.
    Ots {
        /// The report.
        report: crate::verify::ots::OtsReport,
    },
}

impl Verification {
    /// What the app shows of it.
    pub fn view(&self) -> VerificationView {
        let outcome = |r: &Result<crate::cades_verify::VerifiedSignature, Error>| match r {
            Ok(v) => SignerOutcome {
                result: crate::check::Verdict::Passed,
                verified: Some(v.clone()),
                reason: None,
                message: None,
            },
            Err(e) => SignerOutcome {
                result: e.indication().verdict(),
                verified: None,
                reason: Some(e.code()),
                message: Some(e.to_string()),
            },
        };
        match self {
            Verification::Package(r) => VerificationView::Package { report: r.clone() },
            Verification::Pdf(r) => VerificationView::Pdf { report: r.clone() },
            Verification::Signature(r) => {
                VerificationView::Signature { result: r.result, signers: r.signers.iter().map(outcome).collect() }
            }
            Verification::Timestamp(t) => VerificationView::Timestamp {
                result: self.result(),
                verified: t.as_ref().ok().cloned(),
                reason: t.as_ref().err().map(Error::code),
                message: t.as_ref().err().map(Error::to_string),
            },
            Verification::Ots(r) => VerificationView::Ots { report: r.clone() },
        }
    }

    /// The verdict over everything checked.
    pub fn result(&self) -> crate::check::Indication {
        match self {
            Verification::Package(r) => r.result,
            Verification::Pdf(r) => r.result,
            Verification::Signature(r) => r.result,
            Verification::Timestamp(Ok(_)) => crate::check::Indication::TotalPassed,
            Verification::Timestamp(Err(e)) => e.indication(),
            Verification::Ots(r) => r.result,
        }
    }
}

/// What `signature verify` found: each signer's outcome, in the order of the file, and the verdict
/// over them all (FAILED when one failed, else INDETERMINATE when one is undecided).
#[derive(Debug)]
pub struct SignatureFileReport {
    /// Each signer's verified signature, or why it is not accepted.
    pub signers: Vec<Result<crate::cades_verify::VerifiedSignature, Error>>,
    /// The verdict over all signers.
    pub result: crate::check::Indication,
}

impl SignatureFileReport {
    fn of(signers: Vec<Result<crate::cades_verify::VerifiedSignature, Error>>) -> Self {
        use crate::check::Indication;
        let each: Vec<Indication> =
            signers.iter().map(|r| r.as_ref().map_or_else(Error::indication, |_| Indication::TotalPassed)).collect();
        let result = if each.contains(&Indication::TotalFailed) {
            Indication::TotalFailed
        } else if each.contains(&Indication::Indeterminate) {
            Indication::Indeterminate
        } else {
            Indication::TotalPassed
        };
        Self { signers, result }
    }
}

/// Reads the CRL and OCSP response files the user names (`--revocation`).
fn load_revocation(into: &mut evidentia_pki::revocation::RevocationSources, files: &[PathBuf]) -> Result<(), Error> {
    for f in files {
        into.load(f).map_err(|why| Error::Usage(format!("--revocation {}: {why}", f.display())))?;
    }
    Ok(())
}

/// The certificates the signatures in a package carry (its .p7s entries and signed PDFs); none
/// when it cannot be read (verification then says why).
fn package_certificates(path: &Path) -> Vec<x509_cert::Certificate> {
    use crate::package::container::{Container, Limits};
    let Ok(mut container) = Container::open(path, Limits::default()) else { return Vec::new() };
    let names: Vec<String> = container
        .entries()
        .iter()
        .map(|e| e.name.clone())
        .filter(|n| n.ends_with(".p7s") || n.ends_with(".pdf"))
        .collect();
    let mut certs = Vec::new();
    for name in names {
        let Ok(Some(bytes)) = container.read(&name) else { continue };
        if name.ends_with(".p7s") {
            certs.extend(crate::cades_verify::embedded_certificates(&bytes));
        } else {
            certs.extend(evidentia_pki::pades::signature_certificates(Path::new(&name), &bytes));
        }
    }
    certs
}

/// With `--online`: the issuer certificates that `certificates` lack, fetched from the CA-issuers
/// addresses they name, join `policy`'s intermediates; then OCSP responses or CRLs for all of them
/// (what cannot be had is named by the verdict as missing).
async fn fetch_revocation(policy: &mut crate::verify::SignaturePolicy, certificates: &[x509_cert::Certificate]) {
    let known: Vec<x509_cert::Certificate> =
        policy.trust.roots().iter().chain(&policy.extra_certificates).cloned().collect();
    let issuers = evidentia_net::issuers::fetch(certificates, &known).await.map(|f| f.certificates).unwrap_or_default();
    let mut all: Vec<&x509_cert::Certificate> = certificates.iter().chain(&issuers).collect();
    all.extend(policy.extra_certificates.iter());
    policy.revocation_fetched = true;
    if let Ok(data) = evidentia_net::revocation::fetch(&all).await {
        policy.revocation.crls.extend(data.crls);
        for ocsp in &data.ocsps {
            policy.revocation.add_ocsp_response(ocsp);
        }
    }
    policy.extra_certificates.extend(issuers);
}

/// The common name in an RFC 4514 subject (`OU=…,CN=Li Si`), else the whole subject; escaped
/// commas (`\,`) stay inside a value.
fn common_name_of(subject: &str) -> String {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in subject.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            ',' if !escaped => parts.push(std::mem::take(&mut current)),
            _ => {
                current.push(c);
                escaped = false;
            }
        }
    }
    parts.push(current);
    parts.iter().find_map(|p| p.trim().strip_prefix("CN=").map(str::to_owned)).unwrap_or_else(|| subject.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pades::PadesLevel;

    fn request(level: Option<&str>, visible: Option<&str>, reason: Option<&str>) -> PadesRequest {
        PadesRequest {
            level: level.map(Into::into),
            visible: visible.map(Into::into),
            reason: reason.map(Into::into),
            seal: false,
        }
    }

    fn evidentia() -> Evidentia {
        Evidentia::open(Config::default())
    }

    #[test]
    fn pades_request_gives_the_level_placement_and_reason() {
        let o = evidentia().pades_options(&request(Some("b-lta"), None, Some("  Approved ")), true).unwrap();
        assert_eq!((o.level, o.reason.as_deref()), (PadesLevel::BLTA, Some("Approved")));
        assert!(o.placement.is_none());
        let o = evidentia().pades_options(&request(Some("B-B"), Some("1,360,60,200,70"), Some("   ")), false).unwrap();
        assert_eq!((o.level, o.reason), (PadesLevel::BB, None));
        let p = o.placement.unwrap();
        assert_eq!((p.page, p.x, p.y, p.w, p.h), (1, 360.0, 60.0, 200.0, 70.0));
        // A batch shares one placement on each document's last page; user space may start below 0.
        let o = evidentia().pades_options(&request(None, Some("last,-20.5,40,150,150"), None), true).unwrap();
        let p = o.placement.unwrap();
        assert_eq!((p.page_in(7), p.page_in(1), p.x), (7, 1, -20.5));
        assert!(evidentia().pades_options(&request(None, Some("0,10,10,100,50"), None), true).is_err());
    }

    #[test]
    fn the_preview_names_the_signer_by_common_name() {
        assert_eq!(common_name_of("OU=Self-made Evidentia identity (no CA),CN=Li Si"), "Li Si");
        assert_eq!(common_name_of("CN=Smith\\, Ana,O=Firm"), "Smith, Ana");
        assert_eq!(common_name_of("O=Firm"), "O=Firm");
    }

    #[test]
    fn pades_request_without_level_follows_the_tsa() {
        assert_eq!(evidentia().pades_options(&request(None, None, None), true).unwrap().level, PadesLevel::BT);
        assert_eq!(evidentia().pades_options(&request(Some(""), None, None), false).unwrap().level, PadesLevel::BB);
    }

    #[test]
    fn an_unknown_level_or_placement_is_a_usage_failure() {
        let e = evidentia().pades_options(&request(Some("B-Z"), None, None), true).unwrap_err();
        assert_eq!((e.code(), e.exit_code()), ("BAD_LEVEL", 2), "{e}");
        assert!(e.to_string().contains("B-Z") && e.to_string().contains("B-LTA"), "{e}");
        let e = evidentia().pades_options(&request(None, Some("1,2,3"), None), true).unwrap_err();
        assert_eq!(e.exit_code(), 3, "{}: {e}", e.code());
        assert!(e.to_string().contains("1,2,3"), "{e}");
    }

    #[test]
    fn the_pades_request_reads_as_the_page_sends_it() {
        let r: PadesRequest = serde_json::from_value(serde_json::json!({ "level": "B-T" })).unwrap();
        assert_eq!((r.level.as_deref(), r.visible, r.reason), (Some("B-T"), None, None));
        let r: Option<PadesRequest> = serde_json::from_value(serde_json::Value::Null).unwrap();
        assert!(r.is_none());
    }

    #[tokio::test]
    async fn signing_pdfs_without_an_identity_is_refused_before_the_vault_is_touched() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault");
        let e = evidentia()
            .with_vault(Some(vault.clone()))
            .seal(SealRequest { pades: Some(PadesRequest::default()), ..Default::default() }, &NoProgress)
            .await
            .unwrap_err();
        assert_eq!((e.code(), e.exit_code()), ("USAGE", 2), "{e}");
        assert!(!vault.exists(), "the vault was made");
    }

    #[tokio::test]
    async fn a_file_without_a_vault_is_not_sealed_here() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("contract.txt");
        std::fs::write(&file, b"terms").unwrap();
        let e =
            evidentia().with_vault(Some(dir.path().join("vault"))).verify(&file, &[], false, false).await.unwrap_err();
        assert_eq!((e.code(), e.exit_code()), ("RECORD_NOT_FOUND", 1), "{e}");
        assert!(e.to_string().contains("contract.txt"), "{e}");
    }

    struct NoProgress;
    impl SealProgress for NoProgress {}
}
