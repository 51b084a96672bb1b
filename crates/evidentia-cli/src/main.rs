//! The `evidentia` command: parses arguments, calls the core library, renders results.
//! Exit codes are decided by the core (`evidentia::Error::exit_code`) and listed in `docs/cli.md`.

mod progress;
mod render;
mod secret;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use evidentia::Evidentia;
use evidentia::config::{Config, ProfileName};
use evidentia::digest::{DigestAlgorithm, hash_files};
use evidentia::facade::{PadesRequest, SealRequest};
use evidentia::subject::{WalkPolicy, plan};
use evidentia::tsp::{TokenSubject, check_token_file, timestamp_file};
use evidentia::vault::{ListFilter, RecordQuery, RecordStatus, Vault};

use evidentia::work::manifest_of_folder;

use crate::progress::CliProgress;

/// Seal files and works as evidence: digests, a tamper-evident vault, and checks anyone can repeat.
#[derive(Parser, Debug)]
#[command(name = "evidentia", version)]
struct Cli {
    /// Vault folder (default: EVIDENTIA_VAULT, then the configuration file, then the OS data folder).
    #[arg(long, global = true, value_name = "DIR")]
    vault: Option<PathBuf>,
    /// Print no progress bars.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Print results as JSON (the shapes are documented in docs/cli.md).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print digests of files, like sha256sum.
    Hash(HashArgs),
    /// Seal files and folders into the vault.
    Seal(SealArgs),
    /// Look into and check the vault.
    #[command(subcommand)]
    Vault(VaultCommand),
    /// Group records into named cases (a record may be in several); export a whole case.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Obtain RFC 3161 time-stamps, and check any RFC 3161 token.
    #[command(subcommand)]
    Timestamp(TimestampCommand),
    /// Complete the time-stamps that records are still waiting for; with --ots, upgrade pending
    /// OpenTimestamps proofs (anyone's, as `ots upgrade` does) instead.
    Sync {
        /// A pending .ots proof to upgrade through its calendars (those configured, or public).
        #[arg(long = "ots", value_name = "FILE.ots")]
        ots: Vec<PathBuf>,
    },
    /// Renew every proof that weakens within the window before it does (RFC 4998 evidence
    /// records): a first archive time-stamp for records whose time-stamp's TSA certificate
    /// expires, a time-stamp renewal for an expiring archive time-stamp, a hash-tree renewal with
    /// --hash. Pending (exit 6) when the TSA does not answer; the next run completes it.
    Renew {
        /// The window: proofs that weaken before now + this are renewed (`2y`, `90d`, `12h`).
        #[arg(long, default_value = "2y", value_parser = parse_window)]
        before: chrono::Duration,
        /// Renew the hash trees with this algorithm (sha256, sha384, sha512).
        #[arg(long)]
        hash: Option<String>,
        /// Renew these evidence packages' seals instead (an ASiCArchiveManifest and its archive
        /// time-stamp over every entry, when the newest seal weakens within the window).
        #[arg(long = "package", value_name = "FILE.asice")]
        packages: Vec<PathBuf>,
    },
    /// Gather records into Merkle batches for anchoring.
    #[command(subcommand)]
    Anchor(AnchorCommand),
    /// Check CMS/CAdES signatures.
    #[command(subcommand)]
    Signature(SignatureCommand),
    /// Write records into an evidence package (ASiC-E) that anyone can verify without Evidentia.
    Export {
        /// Record ids, or prefixes that only one record has.
        #[arg(required_unless_present = "case", conflicts_with = "case")]
        ids: Vec<String>,
        /// Export every record of this case, the case named in the package and its report.
        #[arg(long)]
        case: Option<String>,
        /// Where to write the package (.asice); by default a new file in the export folder, named
        /// after the case or the time.
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Sign the package's manifest with this identity (else it is time-stamped when a TSA is configured).
        #[arg(long)]
        identity: Option<String>,
        /// Read the identity's password from this file (else EVIDENTIA_PASSWORD, else a prompt).
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// The language of the package's report PDF: zh-CN, en, or both.
        #[arg(long, default_value = "zh-CN")]
        lang: String,
    },
    /// Extract a package into a new folder, refusing unsafe entries before writing anything.
    Extract {
        /// The package (.asice).
        package: PathBuf,
        /// A new or empty folder.
        dir: PathBuf,
    },
    /// Verify any evidence, told by its content: an evidence package (offline, from the package
    /// alone), a signed PDF, a CMS/CAdES signature (.p7s, .p7m), an RFC 3161 time-stamp (.tsr,
    /// .tst), an evidence record (.ers, RFC 6283 .xml), an OpenTimestamps proof (.ots) — or a
    /// file through the vault's records.
    Verify {
        /// The evidence.
        #[arg(value_name = "PATH")]
        package: PathBuf,
        /// The file a detached signature, time-stamp, evidence record or .ots proof is over (for a proof, by
        /// default the file named like it without .ots).
        #[arg(long)]
        file: Option<PathBuf>,
        /// Trust these roots (PEM) for TSAs and signers, besides the system's and the configured TSA roots.
        #[arg(long)]
        trust: Vec<PathBuf>,
        /// Let self-signed signers pass (their certificate is trusted as its own root).
        #[arg(long)]
        accept_self_signed: bool,
        /// Fetch revocation data and missing issuer certificates; confirm anchor blocks with the
        /// configured chain node.
        #[arg(long)]
        online: bool,
        /// A CRL (DER or PEM) or OCSP response (DER) to judge revocation by.
        #[arg(long, value_name = "FILE")]
        revocation: Vec<PathBuf>,
        /// Check Bitcoin attestations of an .ots proof with this bitcoind JSON-RPC address
        /// (http://user:password@host:8332/).
        #[arg(long, value_name = "URL")]
        bitcoin_node: Option<String>,
        /// bitcoind's .cookie file, for a --bitcoin-node address without user and password.
        #[arg(long, value_name = "FILE")]
        bitcoin_cookie: Option<PathBuf>,
        /// Also write the report as PDF here (evidence packages and vault records).
        #[arg(long, value_name = "PDF")]
        report: Option<PathBuf>,
        /// The PDF report's language: zh-CN, en, or both.
        #[arg(long, default_value = "zh-CN")]
        lang: String,
    },
    /// Manage signing identities (PKCS #12 files, self-made certificates).
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// Sign PDF contracts inside the file (PAdES), and check signed PDFs.
    #[command(subcommand)]
    Pdf(PdfCommand),
    /// Sign a file with an identity: a detached CAdES signature (.p7s), time-stamped when a TSA is configured.
    Sign {
        /// The file to sign.
        file: PathBuf,
        /// The identity to sign with.
        #[arg(long)]
        identity: String,
        /// Where to write the signature.
        #[arg(short, long)]
        out: PathBuf,
        /// Read the identity's password from this file (else EVIDENTIA_PASSWORD, else a prompt).
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant, reason = "parsed once per run; its size does not matter")]
enum PdfCommand {
    /// Sign PDFs inside the file (PAdES): what Adobe Reader, pdfsig and pyHanko show as signed.
    Sign {
        /// The PDF(s) to sign; several are signed in one batch with one password or PIN.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Where to write the signed PDF (one input); may be the input itself.
        #[arg(short, long, conflicts_with = "out_dir")]
        out: Option<PathBuf>,
        /// Where to write the signed PDFs (several inputs), each as NAME-signed.pdf.
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// The identity to sign with.
        #[arg(long)]
        identity: String,
        /// B-B, B-T (time-stamped), B-LT (with validation data), B-LTA (with a document time-stamp).
        #[arg(long, default_value = "B-T")]
        level: String,
        /// A visible signature at page,x,y,width,height (points from the page's lower-left corner).
        #[arg(long, value_name = "PAGE,X,Y,W,H")]
        visible: Option<String>,
        /// Why you sign (shown in the signature).
        #[arg(long)]
        reason: Option<String>,
        /// Where you sign.
        #[arg(long)]
        location: Option<String>,
        /// A PNG or JPEG (a handwritten signature, the company seal) shown in a visible signature.
        #[arg(long)]
        image: Option<PathBuf>,
        /// Stamp the identity's seal (see `identity seal`) in the visible signature.
        #[arg(long, conflicts_with = "image", requires = "visible")]
        seal: bool,
        /// Read the identity's password from this file (else EVIDENTIA_PASSWORD, else a prompt).
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// Make a certification signature (DocMDP) that permits later: no-changes, form-filling
        /// (and signing), or annotations. It must be the document's first signature.
        #[arg(long, value_name = "PERMISSION")]
        certify: Option<String>,
        /// Lock form fields against later changes (FieldMDP): all, NAME,NAME, or
        /// all-except:NAME,NAME.
        #[arg(long, value_name = "FIELDS")]
        lock_fields: Option<String>,
    },
    /// Extend a signed PDF to PAdES B-LTA, or renew a B-LTA one before its last document
    /// time-stamp weakens: the current validation data (DSS) of every signature and document
    /// time-stamp in it, then a new document time-stamp over the whole (needs a TSA).
    Extend {
        /// The signed PDF.
        file: PathBuf,
        /// Where to write the extended PDF (default: the file itself, replaced when complete).
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Verify every signature and document time-stamp in a PDF, and what changed after each.
    Verify {
        /// The PDF.
        file: PathBuf,
        /// Trust these roots (PEM), besides the system's and the configured TSA roots.
        #[arg(long)]
        trust: Vec<PathBuf>,
        /// Let self-signed signers pass (their certificate is trusted as its own root).
        #[arg(long)]
        accept_self_signed: bool,
        /// Fetch revocation data (OCSP, CRLs) from the addresses the certificates name.
        #[arg(long)]
        online: bool,
        /// A CRL (DER or PEM) or OCSP response (DER) to judge revocation by, besides those the
        /// signatures carry.
        #[arg(long, value_name = "FILE")]
        revocation: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum AnchorCommand {
    /// Put every record that is in no batch yet, with the custody log's head, into a new Merkle batch.
    Flush,
    /// List the batches.
    Status,
    /// Check a record's anchor: its Merkle proof, the offline chain proof, and (unless --offline) the block on the node.
    Verify {
        /// Record id, or a prefix of it that only one record has.
        id: String,
        /// Do not ask the node; say which block hash to confirm elsewhere.
        #[arg(long)]
        offline: bool,
    },
    /// Write a record's OpenTimestamps proof (.ots), readable by the `ots` client.
    Ots {
        /// Record id, or a prefix of it that only one record has.
        id: String,
        /// Where to write the proof.
        #[arg(short, long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum SignatureCommand {
    /// Verify a CMS/CAdES signature (ours or another tool's): detached against the signed file,
    /// or enveloping (.p7m) over the content inside it.
    Verify {
        /// The signature (.p7s or .p7m, DER or BER).
        signature: PathBuf,
        /// The signed file (required for a detached signature).
        #[arg(long)]
        file: Option<PathBuf>,
        /// Trust anchors (PEM), besides the system's roots and the configured TSA roots.
        #[arg(long)]
        trust: Vec<PathBuf>,
        /// Certificates to use when the signature does not embed them.
        #[arg(long)]
        cert: Vec<PathBuf>,
        /// Fetch revocation data (OCSP, CRLs) from the addresses the certificates name.
        #[arg(long)]
        online: bool,
        /// A CRL (DER or PEM) or OCSP response (DER) to judge revocation by, besides those the
        /// signatures carry.
        #[arg(long, value_name = "FILE")]
        revocation: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum IdentityCommand {
    /// Import a PKCS #12 (.p12/.pfx) file; it is kept encrypted, as given.
    Import {
        /// The file.
        file: PathBuf,
        /// Name for the identity (default: the file's name).
        #[arg(long)]
        name: Option<String>,
        /// Read the file's password from this file (else EVIDENTIA_PASSWORD, else a prompt).
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Make a key (ECDSA P-256, or SM2 with SM3) and a self-signed certificate (no CA vouches for it).
    New {
        /// Your name, as the certificate will show it.
        #[arg(long)]
        name: String,
        /// The key: `p256` (ECDSA P-256 with SHA-256) or `sm2` (SM2 with SM3, GM/T 0003).
        #[arg(long, default_value = "p256", value_parser = key_algorithm)]
        algorithm: evidentia::identity::KeyAlgorithm,
        /// Your e-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Name for the identity in the store (default: derived from --name).
        #[arg(long)]
        id: Option<String>,
        /// Read the new password from this file (else EVIDENTIA_PASSWORD, else a prompt).
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Keep a seal with an identity, stamped by `pdf sign --seal`: the round red company seal made
    /// from its texts, or an image (PNG with transparency, or JPEG). Without options: show it.
    Seal {
        /// The identity.
        identity: String,
        /// The organisation's name, along the upper arc (2 to 30 characters).
        #[arg(long, conflicts_with_all = ["image", "remove"])]
        organisation: Option<String>,
        /// The seal's name under the star (合同专用章, 财务专用章, 公章).
        #[arg(long, requires = "organisation")]
        title: Option<String>,
        /// The 13- or 18-character registration code, along the lower arc.
        #[arg(long, requires = "organisation")]
        code: Option<String>,
        /// An image of the seal or of a handwritten signature.
        #[arg(long, conflicts_with = "remove")]
        image: Option<PathBuf>,
        /// Write what the company seal looks like to this PDF.
        #[arg(long)]
        preview: Option<PathBuf>,
        /// Forget the identity's seal.
        #[arg(long)]
        remove: bool,
    },
    /// List the identities.
    List,
    /// Use keys on PKCS #11 tokens (USB keys, smart cards, HSMs).
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// List the slots and tokens of a PKCS #11 module, with the keys and certificates readable without a PIN.
    List {
        /// The token's PKCS #11 library (default: EVIDENTIA_PKCS11_MODULE or [pkcs11] module).
        #[arg(long)]
        module: Option<PathBuf>,
    },
    /// Add a key on a token as an identity (asks the PIN once to check the key against its certificate).
    Add {
        /// The token's label or serial number.
        #[arg(long)]
        token: String,
        /// The private key's label.
        #[arg(long, required_unless_present = "key_id")]
        key_label: Option<String>,
        /// The private key's id (hex).
        #[arg(long)]
        key_id: Option<String>,
        /// Name for the identity (default: the key's label, else the token's).
        #[arg(long)]
        name: Option<String>,
        /// The certificate chain (PEM), signer first, when the token does not hold it.
        #[arg(long)]
        cert: Vec<PathBuf>,
        /// The token's PKCS #11 library (default: EVIDENTIA_PKCS11_MODULE or [pkcs11] module).
        #[arg(long)]
        module: Option<PathBuf>,
        /// Read the PIN from this file (else EVIDENTIA_PASSWORD, else a prompt).
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum TimestampCommand {
    /// Hash a file and ask the TSAs (in order) for a verified time-stamp; writes the TSA's answer.
    Request {
        /// The file to time-stamp.
        file: PathBuf,
        /// TSA URL (repeat for failover); default: EVIDENTIA_TSA or the profile's TSAs.
        #[arg(long)]
        tsa: Vec<String>,
        /// Hash algorithm of the imprint: sha256, sha384, sha512 (or sm3 where the TSA takes it).
        #[arg(long, default_value = "sha256")]
        algo: String,
        /// Extra trust anchors (PEM), besides EVIDENTIA_TSA_TRUST and the profile's.
        #[arg(long)]
        trust: Vec<PathBuf>,
        /// Where to write the TimeStampResp (DER, as `openssl ts -verify -in` reads it).
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Verify any RFC 3161 token (TimeStampResp or bare token) against a file or a digest.
    Verify {
        /// The token file.
        #[arg(long)]
        token: PathBuf,
        /// The time-stamped file.
        #[arg(long, required_unless_present = "digest", conflicts_with = "digest")]
        file: Option<PathBuf>,
        /// The time-stamped digest, hex.
        #[arg(long)]
        digest: Option<String>,
        /// Hash algorithm of the imprint; default: the one the token names.
        #[arg(long)]
        algo: Option<String>,
        /// Trust anchors (PEM), besides EVIDENTIA_TSA_TRUST and the profile's.
        #[arg(long)]
        trust: Vec<PathBuf>,
        /// Certificates to use when the token does not embed them (the TSA's, intermediates).
        #[arg(long)]
        cert: Vec<PathBuf>,
        /// Require this TSA policy OID.
        #[arg(long)]
        policy: Option<String>,
    },
}

#[derive(Args, Debug)]
struct HashArgs {
    /// Files to hash (with --work, folders).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Algorithms, comma-separated: sha256, sha384, sha512, sm3.
    #[arg(long, default_value = "sha256")]
    algo: String,
    /// BSD-style lines, `SHA256 (path) = digest` (the default with several algorithms).
    #[arg(long)]
    tag: bool,
    /// Treat each folder as one work and print the work's digest (its manifest's digest).
    #[arg(long)]
    work: bool,
    /// With --work: leave out symbolic links and special files instead of refusing the folder.
    #[arg(long)]
    skip_special: bool,
}

#[derive(Args, Debug)]
struct SealArgs {
    /// Files and folders to seal; a folder is sealed as one work unless --each is given.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Extra algorithms, comma-separated (sha256 is always included): sha384, sha512, sm3.
    #[arg(long)]
    algo: Option<String>,
    /// Do not keep a copy of the content in the vault (for huge files); only digests are kept.
    #[arg(long)]
    no_copy: bool,
    /// Seal every file inside the named folders as its own record.
    #[arg(long)]
    each: bool,
    /// Leave out symbolic links and special files inside folders (they are listed) instead of refusing.
    #[arg(long)]
    skip_special: bool,
    /// Sign each new record with this identity (its password or PIN is asked once).
    #[arg(long)]
    identity: Option<String>,
    /// Read the identity's password or PIN from this file (else EVIDENTIA_PASSWORD, else a prompt).
    #[arg(long, requires = "identity")]
    password_file: Option<PathBuf>,
    /// Also sign each PDF inside the file (PAdES) first, written beside it as NAME-signed.pdf; the vault keeps that copy.
    #[arg(long, requires = "identity")]
    pades: bool,
    /// The PAdES level: B-B, B-T, B-LT or B-LTA (default: B-T when a TSA is configured, else B-B).
    #[arg(long, requires = "pades")]
    pades_level: Option<String>,
    /// A visible PAdES signature at page,x,y,width,height.
    #[arg(long, requires = "pades", value_name = "PAGE,X,Y,W,H")]
    visible: Option<String>,
    /// Stamp the identity's seal (see `identity seal`) in the visible PAdES signature.
    #[arg(long = "with-seal", requires = "visible")]
    with_seal: bool,
    /// Why you sign (shown in a PAdES signature).
    #[arg(long, requires = "pades")]
    reason: Option<String>,
}

#[derive(Subcommand, Debug)]
enum VaultCommand {
    /// List the records (every one, oldest first; or one page of them with --limit or --search).
    List {
        /// Only records whose name contains this (any case), or whose id or SHA-256 starts with it.
        #[arg(long)]
        search: Option<String>,
        /// Show at most this many records (at most 1000).
        #[arg(long)]
        limit: Option<u64>,
        /// Skip this many records first.
        #[arg(long, default_value_t = 0)]
        offset: u64,
        /// Only the records of this case.
        #[arg(long)]
        case: Option<String>,
        /// Only records that are: signed, timestamped, anchored, pending (time-stamp asked for, not
        /// arrived) or no_timestamp (none asked for).
        #[arg(long)]
        status: Option<ListFilter>,
    },
    /// Show one record and its custody events.
    Show {
        /// Record id, or a prefix of it that only one record has.
        id: String,
    },
    /// Recompute the custody chain, every record and every stored copy; name what is broken.
    Verify,
    /// When the records' proofs weaken (their TSA certificates' expiry), and what to renew.
    Status,
    /// Write a record's evidence record (RFC 4998 .ers), for checking without Evidentia.
    EvidenceRecord {
        /// Record id, or a prefix of it that only one record has.
        id: String,
        /// Where to write it.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Write a record's signature as a .p7s (CAdES-B-T when its signature time-stamp has arrived).
    Signature {
        /// Record id, or a prefix of it that only one record has.
        id: String,
        /// Where to write the signature.
        #[arg(short, long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum CaseCommand {
    /// Open a new case.
    New {
        /// Its name (1 to 100 characters).
        name: String,
    },
    /// List the cases and how many records each holds.
    List,
    /// Add records to a case.
    Add {
        /// The case.
        name: String,
        /// Record ids, or prefixes that only one record has.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Remove records from a case (the records stay in the vault).
    Remove {
        /// The case.
        name: String,
        /// Record ids, or prefixes that only one record has.
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

/// What `main` reports: a library error (its code and exit decided by the core), or output
/// already printed and the exit code it ends with.
enum Failure {
    Core(evidentia::Error),
    /// Output already printed; exit with this code.
    Exit(u8),
}

/// A usage failure: the core's `USAGE` code and exit.
fn usage(message: impl Into<String>) -> Box<Failure> {
    Box::new(Failure::Core(evidentia::Error::Usage(message.into())))
}

impl From<evidentia::Error> for Failure {
    fn from(e: evidentia::Error) -> Self {
        Failure::Core(e)
    }
}

impl<E: Into<evidentia::Error>> From<E> for Box<Failure> {
    fn from(e: E) -> Self {
        Box::new(Failure::Core(e.into()))
    }
}

type Outcome = Result<(), Box<Failure>>;

/// Output piped into a reader that stops early (`| head`) ends the process quietly, as it does for
/// coreutils, instead of a panic in `println!`.
#[allow(unsafe_code)]
fn die_quietly_on_broken_pipe() {
    // SAFETY: restoring the default disposition of SIGPIPE at start-up, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    die_quietly_on_broken_pipe();
    let cli = Cli::parse();
    let json = cli.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("evidentia: cannot start: {e}");
            return ExitCode::from(10);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => match *failure {
            Failure::Exit(code) => ExitCode::from(code),
            Failure::Core(e) => {
                render::error(json, e.code(), &e.to_string());
                ExitCode::from(e.exit_code())
            }
        },
    }
}

/// `anchor flush`: a new batch of the waiting records, then anchoring in the configured ledgers.
async fn anchor_flush(vault: &Vault, ledgers: &evidentia::anchor::Ledgers, json: bool) -> Outcome {
    let batch = vault.make_batch().await?;
    if !ledgers.any() {
        render::batch_made(json, batch.as_ref(), false);
        return Ok(());
    }
    if !json {
        render::batch_made(false, batch.as_ref(), true);
    }
    let outcomes = evidentia::anchor::sync_ledgers(vault, ledgers).await?;
    render::anchored(json, &outcomes);
    if !outcomes.complete() {
        return Err(Box::new(Failure::Exit(6)));
    }
    Ok(())
}

/// The report language named on the command line.
fn report_lang(text: &str) -> Result<evidentia::report::Lang, Box<Failure>> {
    evidentia::report::Lang::parse(text).ok_or_else(|| usage(format!("--lang {text}: choose zh-CN, en or both")))
}

/// Unlocks a stored identity, asking its password or its token's PIN once.
fn unlock_identity(
    evidentia: &Evidentia,
    name: &str,
    password_file: Option<&std::path::Path>,
) -> Result<evidentia::identity::Identity, Box<Failure>> {
    let info = evidentia.identities()?.info(name)?;
    let secret = secret::read(password_file, &info.secret_prompt(), false).map_err(|e| usage(e.to_string()))?;
    Ok(evidentia.unlock(name, &secret)?)
}

/// The PKCS #11 module: `--module`, else the configured one.
fn token_module(explicit: Option<PathBuf>, config: &Config) -> Result<PathBuf, Box<Failure>> {
    explicit.or_else(|| config.pkcs11.module.clone()).ok_or_else(|| {
        usage(
            "which PKCS #11 module? give --module PATH (the token vendor's library, e.g. /usr/lib/softhsm/libsofthsm2.so) \
             or set EVIDENTIA_PKCS11_MODULE"
        )
    })
}

async fn timestamp(cmd: TimestampCommand, config: &Config, json: bool) -> Outcome {
    match cmd {
        TimestampCommand::Request { file, tsa, algo, trust, out } => {
            let algorithm: DigestAlgorithm = algo.parse()?;
            if !algorithm.sealable() {
                return Err(usage(format!(
                    "--algo {algo}: time-stamps are asked for with sha256, sha384, sha512 or sm3"
                )));
            }
            let Some(client) = config.tsa_client(&tsa, &trust)? else {
                return Err(Box::new(Failure::Core(evidentia::tsp::TspError::NoTsaConfigured.into())));
            };
            let obtained = timestamp_file(&client, &file, algorithm).await?;
            std::fs::write(&out, &obtained.response_der)
                .map_err(|e| evidentia::subject::InputError::Unreadable { path: out.clone(), source: e })?;
            render::timestamp_obtained(json, config.profile, &out, &obtained);
            Ok(())
        }
        TimestampCommand::Verify { token, file, digest, algo, trust, cert, policy } => {
            let algorithm: Option<DigestAlgorithm> = algo.as_deref().map(str::parse).transpose()?;
            let mut settings = config.tsa_settings(&trust)?;
            for c in &cert {
                settings.policy.extra_certificates.extend(evidentia::tsp::load_certificates(c)?);
            }
            if let Some(p) = policy {
                let oid = p.parse().map_err(|_| {
                    evidentia::Error::Usage(format!("--policy {p}: not a dotted object identifier such as 1.2.3.4"))
                });
                settings.policy.required_policy = Some(oid?);
            }
            let subject = match (file, digest) {
                (Some(f), _) => TokenSubject::File(f),
                (None, Some(d)) => TokenSubject::Digest(d),
                (None, None) => return Err(usage("give --file or --digest")),
            };
            match check_token_file(&token, &subject, algorithm, &settings.policy) {
                Ok(verified) => {
                    render::timestamp_verified(json, &token, &verified);
                    Ok(())
                }
                Err(e) if e.kind() == evidentia::ErrorKind::Invalid => {
                    render::timestamp_rejected(json, &token, &e);
                    verdict_exit(e.indication())
                }
                Err(e) => Err(Box::new(Failure::Core(e))),
            }
        }
    }
}

/// `pdf sign` and `pdf verify`.
async fn pdf(cmd: PdfCommand, evidentia: &Evidentia, json: bool, show_progress: bool) -> Outcome {
    let config = evidentia.config();
    use evidentia::pades::{PadesLevel, Placement, SignOptions};
    match cmd {
        PdfCommand::Sign {
            files,
            out,
            out_dir,
            identity,
            level,
            visible,
            reason,
            location,
            image,
            seal,
            password_file,
            certify,
            lock_fields,
        } => {
            let level = PadesLevel::chosen(Some(&level), true)?;
            let placement = visible.as_deref().map(Placement::parse).transpose().map_err(evidentia::Error::from)?;
            let image = match &image {
                Some(path) => Some(
                    std::fs::read(path)
                        .map_err(|e| evidentia::subject::InputError::Unreadable { path: path.clone(), source: e })?,
                ),
                None => None,
            };
            let targets: Vec<(PathBuf, PathBuf)> = match (&out, &out_dir, files.len()) {
                (Some(o), _, 1) => vec![(files[0].clone(), o.clone())],
                (Some(_), _, _) => {
                    return Err(usage("-o names one output: give --out-dir for several PDFs"));
                }
                (None, Some(dir), _) => files
                    .iter()
                    .map(|f| {
                        let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                        (f.clone(), dir.join(format!("{stem}-signed.pdf")))
                    })
                    .collect(),
                (None, None, _) => return Err(usage("give -o OUT.pdf, or --out-dir DIR")),
            };
            let certify = certify
                .as_deref()
                .map(evidentia::pades::Certification::parse)
                .transpose()
                .map_err(|e| usage(e.to_string()))?;
            let lock_fields = lock_fields
                .as_deref()
                .map(evidentia::pades::FieldLock::parse)
                .transpose()
                .map_err(|e| usage(e.to_string()))?;
            let mut options =
                SignOptions { level, placement, reason, location, image, certify, lock_fields, seal: None };
            if seal {
                evidentia.stamp_seal_of(&identity, &mut options)?;
            }
            let identity = unlock_identity(evidentia, &identity, password_file.as_deref())?;
            let tsa = if level >= PadesLevel::BT { config.tsa_client(&[], &[])? } else { None };
            let bar = progress::CliProgress::new(show_progress && targets.len() > 1, "signing");
            bar.set_length(targets.len() as u64);
            let started = std::time::Instant::now();
            let mut results = evidentia::pades::sign_batch(&identity, &targets, &options, tsa.as_ref(), &|n| {
                bar.set_position(n as u64)
            })
            .await;
            bar.finish();
            if targets.len() == 1
                && let Some(Err(e)) = results.pop_if(|r| r.is_err())
            {
                // One PDF: its error is the command's.
                return Err(Box::new(Failure::Core(e)));
            }
            let failed: Vec<(&PathBuf, &evidentia::Error)> = targets
                .iter()
                .zip(&results)
                .filter_map(|((input, _), r)| r.as_ref().err().map(|e| (input, e)))
                .collect();
            let signed: Vec<&evidentia::pades::SignedPdf> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
            render::pdf_signed(json, config.profile, &signed, &failed, started.elapsed());
            match failed.first() {
                None => Ok(()),
                Some((_, e)) => Err(Box::new(Failure::Exit(e.exit_code()))),
            }
        }
        PdfCommand::Extend { file, out } => {
            let tsa = config.tsa_client(&[], &[])?.ok_or(evidentia::tsp::TspError::NoTsaConfigured)?;
            let output = out.unwrap_or_else(|| file.clone());
            let done = evidentia::pades::extend_pdf(&file, &output, &tsa).await?;
            render::pdf_extended(json, &done);
            Ok(())
        }
        PdfCommand::Verify { file, trust, accept_self_signed, online, revocation } => {
            let report = if online {
                evidentia.verify_pdf_online(&file, &trust, accept_self_signed, &revocation).await?
            } else {
                evidentia.verify_pdf_with(&file, &trust, accept_self_signed, &revocation)?
            };
            render::pdf_report(json, &report);
            verdict_exit(report.result)
        }
    }
}

async fn run(cli: Cli) -> Outcome {
    let evidentia = Evidentia::open(Config::load()?).with_vault(cli.vault.clone());
    let config = evidentia.config();
    let show_progress = !cli.quiet && std::io::stderr().is_terminal();
    match cli.command {
        Command::Hash(args) => hash(args, cli.json, show_progress),
        Command::Seal(args) => {
            let algorithms = args.algo.as_deref().map(DigestAlgorithm::parse_list).transpose()?;
            let policy = WalkPolicy { skip_special: args.skip_special, each: args.each };
            // Every input is checked before the vault is opened or created.
            let subjects = plan(&args.paths, policy)?;
            let identity = match &args.identity {
                Some(name) => {
                    Some(std::sync::Arc::new(unlock_identity(&evidentia, name, args.password_file.as_deref())?))
                }
                None => None,
            };
            let pades = args.pades.then(|| PadesRequest {
                level: args.pades_level.clone(),
                visible: args.visible.clone(),
                reason: args.reason.clone(),
                seal: args.with_seal,
            });
            let request = SealRequest { subjects, algorithms, keep_copy: !args.no_copy, identity, pades };
            let progress = CliProgress::new(show_progress, "sealing");
            let sealed = evidentia.seal(request, &progress).await;
            progress.finish();
            let sealed = sealed?;
            render::sealed(cli.json, &sealed.vault, sealed.profile, &sealed.report);
            // The records are sealed; an anchoring that could not run is the command's failure.
            if let Some(e) = sealed.anchoring_failed {
                return Err(Box::new(Failure::Core(e)));
            }
            if let Some(outcomes) = &sealed.anchors
                && !cli.json
            {
                render::anchored(false, outcomes);
            }
            Ok(())
        }
        Command::Sync { ots } if !ots.is_empty() => {
            let upgrades = evidentia.upgrade_ots(&ots).await?;
            render::ots_upgraded(cli.json, &upgrades);
            if upgrades.iter().all(|u| u.complete()) { Ok(()) } else { Err(Box::new(Failure::Exit(6))) }
        }
        Command::Sync { .. } => {
            let Some(done) = evidentia.sync(false).await? else {
                return Err(Box::new(Failure::Core(evidentia::tsp::TspError::NoTsaConfigured.into())));
            };
            render::synced(cli.json, config.profile, done.timestamps.as_deref(), done.anchors.as_ref());
            if !done.complete() {
                return Err(Box::new(Failure::Exit(6)));
            }
            Ok(())
        }
        Command::Timestamp(cmd) => timestamp(cmd, config, cli.json).await,
        Command::Signature(SignatureCommand::Verify { signature, file, trust, cert, online, revocation }) => {
            match evidentia.verify_signature_file(&signature, file.as_deref(), &trust, &cert, &revocation, online).await
            {
                Ok(report) => {
                    render::signature_report(cli.json, &signature, &report);
                    verdict_exit(report.result)
                }
                Err(e) if e.kind() == evidentia::ErrorKind::Invalid => {
                    render::timestamp_rejected(cli.json, &signature, &e);
                    verdict_exit(e.indication())
                }
                Err(e) => Err(Box::new(Failure::Core(e))),
            }
        }
        Command::Identity(IdentityCommand::Token(TokenCommand::List { module })) => {
            let module = token_module(module, config)?;
            let slots = evidentia::identity::list_tokens(&module, config.token_timeout())
                .map_err(evidentia::identity::IdentityError::from)?;
            render::token_slots(cli.json, &module, &slots);
            Ok(())
        }
        Command::Identity(IdentityCommand::Seal { identity, organisation, title, code, image, preview, remove }) => {
            use evidentia::identity::{CompanySeal, IdentitySeal};
            let store = config.identity_store()?;
            if remove {
                store.remove_seal(&identity)?;
            } else if let Some(org) = organisation {
                let seal = CompanySeal::new(&org, title.as_deref(), code.as_deref()).map_err(evidentia::Error::from)?;
                store.set_seal(&identity, &IdentitySeal::Generated(seal))?;
            } else if let Some(path) = image {
                let bytes = std::fs::read(&path)
                    .map_err(|e| evidentia::subject::InputError::Unreadable { path: path.clone(), source: e })?;
                store.set_seal(&identity, &IdentitySeal::image(&path, bytes)?)?;
            }
            let seal = store.seal(&identity)?;
            if let (Some(path), Some(IdentitySeal::Generated(s))) = (&preview, &seal) {
                let pdf = s.render_pdf(120.0).map_err(evidentia::Error::from)?;
                std::fs::write(path, pdf)
                    .map_err(|e| evidentia::subject::InputError::Unreadable { path: path.clone(), source: e })?;
            }
            render::identity_seal(cli.json, &identity, seal.as_ref(), preview.as_deref());
            Ok(())
        }
        Command::Identity(cmd) => {
            let store = config.identity_store()?;
            let info = match cmd {
                IdentityCommand::Import { file, name, password_file } => {
                    let name = name.unwrap_or_else(|| {
                        file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
                    });
                    let password = secret::read(password_file.as_deref(), "PKCS #12 password: ", false)
                        .map_err(|e| usage(e.to_string()))?;
                    vec![store.import(&file, &name, &password)?]
                }
                IdentityCommand::New { name, algorithm, email, id, password_file } => {
                    let id = id.unwrap_or_else(|| evidentia::identity::name_for(&name));
                    let password = secret::read(password_file.as_deref(), "New password for the key: ", true)
                        .map_err(|e| usage(e.to_string()))?;
                    vec![store.create_self_made(&id, algorithm, &name, email.as_deref(), &password)?]
                }
                IdentityCommand::List => store.list()?,
                IdentityCommand::Token(TokenCommand::Add {
                    token,
                    key_label,
                    key_id,
                    name,
                    cert,
                    module,
                    password_file,
                }) => {
                    let module = token_module(module, config)?;
                    let name =
                        name.or_else(|| key_label.clone()).unwrap_or_else(|| evidentia::identity::name_for(&token));
                    let mut chain = Vec::new();
                    for path in &cert {
                        chain.extend(evidentia::tsp::load_certificates(path)?);
                    }
                    let prompt = format!("PIN of token `{token}`: ");
                    let pin =
                        secret::read(password_file.as_deref(), &prompt, false).map_err(|e| usage(e.to_string()))?;
                    let reference = evidentia::identity::TokenKeyRef { module, token, key_label, key_id };
                    vec![store.add_token(&name, reference, chain, pin)?]
                }
                IdentityCommand::Token(TokenCommand::List { .. }) | IdentityCommand::Seal { .. } => {
                    unreachable!("handled above")
                }
            };
            render::identities(cli.json, store.dir(), &info);
            Ok(())
        }
        Command::Sign { file, identity, out, password_file } => {
            let identity = unlock_identity(&evidentia, &identity, password_file.as_deref())?;
            let tsa = config.tsa_client(&[], &[])?;
            let signed = evidentia::cades::sign_file(&identity, &file, tsa.as_ref()).await?;
            std::fs::write(&out, &signed.p7s)
                .map_err(|e| evidentia::subject::InputError::Unreadable { path: out.clone(), source: e })?;
            render::signed(cli.json, config.profile, &out, &identity, &signed);
            Ok(())
        }
        Command::Pdf(cmd) => pdf(cmd, &evidentia, cli.json, show_progress).await,
        Command::Export { ids, case, out, identity, password_file, lang } => {
            let lang = report_lang(&lang)?;
            let identity = match &identity {
                Some(name) => Some(unlock_identity(&evidentia, name, password_file.as_deref())?),
                None => None,
            };
            let out = match (out, &case) {
                (Some(out), _) => out,
                (None, Some(case)) => evidentia.new_case_export_path(case)?,
                (None, None) => evidentia.new_export_path()?,
            };
            let exported = match &case {
                Some(case) => evidentia.export_case(case, &out, identity.as_ref(), lang).await?,
                None => evidentia.export(&ids, &out, identity.as_ref(), lang).await?,
            };
            render::exported(cli.json, &exported);
            Ok(())
        }
        Command::Extract { package, dir } => {
            let entries = evidentia.extract(&package, &dir)?;
            render::extracted(cli.json, &dir, entries);
            Ok(())
        }
        Command::Verify {
            package,
            file,
            trust,
            accept_self_signed,
            online,
            revocation,
            bitcoin_node,
            bitcoin_cookie,
            report: report_pdf,
            lang,
        } => {
            use evidentia::facade::{Verification, VerifyRequest};
            let lang = report_lang(&lang)?;
            let request = VerifyRequest {
                path: &package,
                file: file.as_deref(),
                trust: &trust,
                accept_self_signed,
                online,
                revocation: &revocation,
                bitcoin_node: bitcoin_node.as_deref(),
                bitcoin_cookie: bitcoin_cookie.as_deref(),
            };
            let verification = match evidentia.verify_evidence(&request).await {
                Ok(v) => v,
                Err(e)
                    if e.kind() == evidentia::ErrorKind::Invalid
                        && !matches!(e, evidentia::Error::NotSealedHere(_)) =>
                {
                    render::timestamp_rejected(cli.json, &package, &e);
                    return verdict_exit(e.indication());
                }
                Err(e) => return Err(Box::new(Failure::Core(e))),
            };
            match &verification {
                Verification::Package(report) => {
                    if let Some(pdf) = &report_pdf {
                        let bytes = evidentia.report_pdf(report, lang)?;
                        std::fs::write(pdf, bytes)
                            .map_err(|e| evidentia::subject::InputError::Unreadable { path: pdf.clone(), source: e })?;
                    }
                    render::package_report(cli.json, report);
                }
                _ if report_pdf.is_some() => {
                    return Err(usage("--report: the report PDF is made for evidence packages and vault records"));
                }
                Verification::Pdf(report) => render::pdf_report(cli.json, report),
                Verification::Signature(report) => render::signature_report(cli.json, &package, report),
                Verification::Timestamp(Ok(verified)) => render::timestamp_verified(cli.json, &package, verified),
                Verification::Timestamp(Err(e)) => render::timestamp_rejected(cli.json, &package, e),
                Verification::Ots(report) => render::ots_report(cli.json, report),
            }
            verdict_exit(verification.result())
        }
        Command::Anchor(cmd) => {
            let flush = matches!(cmd, AnchorCommand::Flush);
            let ledgers = if flush { config.ledgers()? } else { Default::default() };
            let vault =
                if flush { evidentia.vault_for_writing().await? } else { evidentia.vault_for_reading().await? };
            let result = match cmd {
                AnchorCommand::Flush => anchor_flush(&vault, &ledgers, cli.json).await,
                AnchorCommand::Status => match (vault.anchoring().await, vault.ots_stamps().await) {
                    (Ok(a), Ok(o)) => {
                        render::anchoring(cli.json, &a, &o);
                        Ok(())
                    }
                    (Err(e), _) | (_, Err(e)) => Err(Box::<Failure>::from(e)),
                },
                AnchorCommand::Ots { id, out } => match evidentia::anchor::ots::record_file(&vault, &id).await {
                    Err(e) => Err(Box::<Failure>::from(e)),
                    Ok(proof) => std::fs::write(&out, proof.to_bytes())
                        .map(|()| render::ots_written(cli.json, &out, &proof))
                        .map_err(|e| {
                            Box::new(Failure::Core(
                                evidentia::subject::InputError::Unreadable { path: out, source: e }.into(),
                            ))
                        }),
                },
                AnchorCommand::Verify { id, offline } => {
                    let node = if offline { None } else { config.evm_node() };
                    match evidentia::anchor::check::check_record(&vault, &id, node.as_ref()).await {
                        Err(e) => Err(Box::<Failure>::from(e)),
                        Ok(report) => {
                            render::anchor_report(cli.json, &report);
                            verdict_exit(report.result)
                        }
                    }
                }
            };
            vault.close().await;
            result
        }
        Command::Renew { before, packages, .. } if !packages.is_empty() => {
            let tsa = config.tsa_client(&[], &[])?.ok_or(evidentia::tsp::TspError::NoTsaConfigured)?;
            let mut done = Vec::new();
            for p in &packages {
                done.push(evidentia::package::archive::renew_package(p, &tsa, before).await?);
            }
            render::packages_renewed(cli.json, &done);
            Ok(())
        }
        Command::Renew { before, hash, .. } => {
            let hash = hash.map(|h| DigestAlgorithm::parse_list(&h)).transpose()?.and_then(|l| l.first().copied());
            let done = evidentia.renew(&evidentia::renew::RenewOptions { before, hash }).await?;
            render::renewed(cli.json, &done);
            if done.pending.is_empty() { Ok(()) } else { Err(Box::new(Failure::Exit(6))) }
        }
        Command::Vault(VaultCommand::Status) => {
            let (status, expiries) = evidentia.proof_status().await?;
            render::proof_status(cli.json, &status, &expiries);
            Ok(())
        }
        Command::Vault(VaultCommand::EvidenceRecord { id, out }) => {
            let Some((id, ers)) = evidentia.evidence_record_of(&id).await? else {
                return Err(usage(format!("record {id} has no evidence record yet; `evidentia renew` makes one")));
            };
            std::fs::write(&out, &ers)
                .map_err(|e| evidentia::subject::InputError::Unreadable { path: out.clone(), source: e })?;
            render::evidence_record_written(cli.json, &id, &out, ers.len());
            Ok(())
        }
        Command::Case(CaseCommand::New { name }) => {
            render::case_opened(cli.json, &evidentia.open_case(&name).await?);
            Ok(())
        }
        Command::Case(CaseCommand::List) => {
            render::case_list(cli.json, &evidentia.cases().await?);
            Ok(())
        }
        Command::Case(CaseCommand::Add { name, ids }) => {
            render::case_changed(cli.json, &evidentia.change_case(&name, &ids, true).await?, true);
            Ok(())
        }
        Command::Case(CaseCommand::Remove { name, ids }) => {
            render::case_changed(cli.json, &evidentia.change_case(&name, &ids, false).await?, false);
            Ok(())
        }
        Command::Vault(cmd) => {
            let vault = evidentia.vault_for_reading().await?;
            let result = vault_command(&vault, cmd, cli.json, show_progress, config.profile).await;
            vault.close().await;
            result
        }
    }
}

fn hash(args: HashArgs, json: bool, show_progress: bool) -> Outcome {
    let algos = DigestAlgorithm::parse_list(&args.algo)?;
    let progress = CliProgress::new(show_progress, "hashing");
    if args.work {
        let policy = WalkPolicy { skip_special: args.skip_special, each: false };
        let mut works = Vec::new();
        for root in &args.paths {
            works.push((root.clone(), manifest_of_folder(root, &algos, policy, &|n| progress.add(n))?));
        }
        progress.finish();
        render::work_digests(json, args.tag, &works);
        return Ok(());
    }
    if let Some(folder) = args.paths.iter().find(|p| p.is_dir()) {
        return Err(usage(format!(
            "{}: is a folder; name the files inside it, or add --work to hash the folder as one work",
            folder.display()
        )));
    }
    let results = hash_files(&args.paths, &algos, &|n| progress.add(n));
    progress.finish();
    let failed = render::file_digests(json, args.tag || algos.len() > 1, &results);
    if failed { Err(Box::new(Failure::Exit(3))) } else { Ok(()) }
}

async fn vault_command(
    vault: &Vault,
    cmd: VaultCommand,
    json: bool,
    show_progress: bool,
    profile: ProfileName,
) -> Outcome {
    match cmd {
        VaultCommand::List { search: None, limit: None, offset: 0, case: None, status: None } => {
            let records = vault.records().await?;
            let stamped = vault.timestamped_ids().await?;
            render::record_list(json, vault.location(), &records, &stamped, None);
        }
        VaultCommand::List { search, limit, offset, case, status } => {
            let query = RecordQuery {
                search: search.unwrap_or_default(),
                offset,
                limit: limit.unwrap_or(evidentia::vault::MAX_PAGE),
                newest_first: false,
                case,
                status,
            };
            let page = vault.record_page(&query, false).await?;
            let records: Vec<_> = page.rows.iter().map(|r| r.record.clone()).collect();
            let stamped = page
                .rows
                .iter()
                .filter(|r| r.status == RecordStatus::Timestamped)
                .map(|r| r.record.id.clone())
                .collect();
            render::record_list(json, vault.location(), &records, &stamped, Some((page.total, page.offset)));
        }
        VaultCommand::Show { id } => {
            let detail = vault.record(&id).await?;
            render::record_detail(json, &detail);
        }
        VaultCommand::Verify => {
            let progress = CliProgress::new(show_progress, "verifying");
            let check = vault.verify(&|n| progress.add(n)).await;
            progress.finish();
            let check = check?;
            render::vault_check(json, vault.location(), profile, &check);
            if !check.intact() {
                return Err(Box::new(Failure::Exit(1)));
            }
        }
        // Answered through the facade before the vault is opened (`run`).
        VaultCommand::Status | VaultCommand::EvidenceRecord { .. } => {
            return Err(usage("this vault command is answered before the vault is opened"));
        }
        VaultCommand::Signature { id, out } => {
            let detail = vault.record(&id).await?;
            let Some(p7s) = vault.record_signature(&detail.record.id).await? else {
                return Err(usage(format!(
                    "record {} was sealed without an identity: it has no signature",
                    detail.record.id
                )));
            };
            std::fs::write(&out, &p7s)
                .map_err(|e| evidentia::subject::InputError::Unreadable { path: out.clone(), source: e })?;
            render::record_signature(json, &out, &detail);
        }
    }
    Ok(())
}

/// A window of time: `2y`, `6m` (30-day months), `90d`, `12h`.
fn parse_window(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: i64 = number.parse().map_err(|_| format!("`{text}` is not a window such as 2y, 6m, 90d or 12h"))?;
    let days = match unit {
        "y" => n * 365,
        "m" => n * 30,
        "d" => n,
        "h" => return Ok(chrono::Duration::hours(n)),
        _ => return Err(format!("`{text}`: the unit is y, m, d or h (2y, 6m, 90d, 12h)")),
    };
    Ok(chrono::Duration::days(days))
}

/// Success for a passed verification, else the exit code of its indication (`docs/cli.md`).
fn verdict_exit(result: evidentia::check::Indication) -> Result<(), Box<Failure>> {
    match evidentia::verdict_exit_code(result) {
        0 => Ok(()),
        code => Err(Box::new(Failure::Exit(code))),
    }
}

fn key_algorithm(text: &str) -> Result<evidentia::identity::KeyAlgorithm, String> {
    evidentia::identity::KeyAlgorithm::parse(text).ok_or_else(|| format!("`{text}`: choose p256 or sm2"))
}
