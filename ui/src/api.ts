// Typed wrappers around the Tauri commands and events listed in docs/app.md.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { toAppError, type AppError } from './logic/errors';

export type { AppError };
export type Profile = 'sandbox' | 'production';
export type RecordStatus = 'sealed' | 'timestamp_pending' | 'timestamped';
export type Verdict = 'PASSED' | 'FAILED' | 'INDETERMINATE';
export type TotalResult = 'TOTAL-PASSED' | 'TOTAL-FAILED' | 'INDETERMINATE';
export type ReportLang = 'zh-CN' | 'en' | 'both';
/** The key of a self-made identity: ECDSA P-256, or SM2 with SM3. */
export type KeyAlgorithm = 'p256' | 'sm2';
export type Phase = 'hashing' | 'signing' | 'timestamping' | 'anchoring' | 'exporting' | 'done';

export interface AppInfo {
  version: string;
  profile: Profile;
  notice: string | null;
  vault_dir: string | null;
  config_file: string | null;
  /** Why the configuration file could not be used (the defaults are in force), if so. */
  config_error?: string | null;
  export_dir: string | null;
  /** "zh-CN", "en", or null to follow the system. */
  language: string | null;
  /** "system", "light" or "dark". */
  theme: string | null;
  /** Whether a time-stamping service is configured (records get time-stamps). */
  timestamping?: boolean;
}

export interface Digests {
  [algorithm: string]: string;
}

export interface EvidenceRecord {
  id: string;
  kind: 'file' | 'work';
  name: string;
  size: number;
  file_count: number;
  media_type: string;
  digests: Digests;
  stored: boolean;
  source_path: string;
  profile: Profile;
  created_at: string;
  timestamp_requested: boolean;
  status: RecordStatus;
}

export interface RecordRow extends EvidenceRecord {
  signed: boolean;
  anchored: boolean;
  anchor_pending: boolean;
}

/** Which page of the records to read (the `records` command's `query`). */
export interface RecordQuery {
  /** Part of a name (any case), or the start of a record id or SHA-256; empty for every record. */
  search?: string;
  /** Records to skip (default 0). */
  offset?: number;
  /** Records to read (default 100, at most 1000). */
  limit?: number;
  /** Only the records of this case. */
  case?: string | null;
  /** Only the records with these proofs (or lacking them). */
  status?: ListFilter | null;
}

/** The Vault screen's status filter. */
export type ListFilter = 'signed' | 'timestamped' | 'anchored' | 'pending' | 'no_timestamp';
export const LIST_FILTERS: ListFilter[] = ['signed', 'timestamped', 'anchored', 'pending', 'no_timestamp'];

/** A case: records grouped under a name. */
export interface CaseSummary {
  name: string;
  opened_at: string;
  /** How many records it holds. */
  records: number;
}

/** What adding records to a case (or removing them) did. */
export interface CaseChange {
  case: string;
  changed: string[];
  unchanged: string[];
}

/** One page of the records, newest first. */
export interface RecordList {
  vault: string;
  records: RecordRow[];
  /** How many records match the search in all. */
  total: number;
  /** Where the page starts. */
  offset: number;
}

export interface Signature {
  id: string;
  record_id: string;
  identity: string;
  signer_subject: string;
  signer_issuer: string;
  signer_serial: string;
  signer_sha256: string;
  self_signed: boolean;
  digest_algorithm: string;
  signed_at: string;
  p7s_sha256: string;
  signature_value_sha256: string;
}

export interface Timestamp {
  id: string;
  record_id: string;
  tsa_url: string;
  algorithm: string;
  imprint: string;
  gen_time: string;
  serial: string;
  policy: string;
  token_sha256: string;
  created_at: string;
  verification?: string;
}

export interface ServiceFailure {
  url: string;
  code: string;
  message: string;
}

export interface StampOutcome {
  record_id: string;
  timestamps: Timestamp[];
  flags: { flag: string; [k: string]: unknown }[];
  failed: ServiceFailure[];
  pending_reason: { code: string; message: string } | null;
}

export interface SealedRecord extends EvidenceRecord {
  already_sealed: boolean;
  skipped: { path: string; reason: string }[];
  signature: Signature | null;
  timestamp: StampOutcome | null;
  anchored?: boolean;
  anchor_pending?: boolean;
}

export interface SealReport {
  vault: string;
  profile: Profile;
  notice: string | null;
  records: SealedRecord[];
  earlier_pending: StampOutcome[];
  /** The PDFs signed inside (PAdES) before sealing; present only when some were. */
  signed_pdfs?: SignedPdf[];
}

export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

/** The seal request's optional `pades` object. */
export interface PadesRequest {
  level: PadesLevel;
  reason: string | null;
  /** A visible signature: `page,x,y,w,h` in user space (the page may be `last`). */
  visible?: string | null;
  /** Stamp the identity's kept seal in it. */
  seal?: boolean;
}

/** The seal kept with an identity. */
export interface SealView {
  identity: string;
  kind: 'generated' | 'image' | null;
  seal: string | null;
  organisation: string | null;
  title: string | null;
  code: string | null;
}

/** A time-stamp the core verified (signature time-stamp or document time-stamp). */
export interface VerifiedTimestamp {
  gen_time: string;
  gen_time_raw?: string;
  accuracy_micros?: number | null;
  serial: string;
  policy: string;
  algorithm?: string;
  tsa_subject: string;
  chain?: string[];
}

/** A PDF signed inside before sealing: the copy written beside the original. */
export interface SignedPdf {
  output: string;
  field: string;
  level: PadesLevel;
  signer: CertSummary;
  timestamp: VerifiedTimestamp | null;
  document_timestamp: VerifiedTimestamp | null;
  validation?: unknown;
  sha256: string;
  size: number;
}

export interface CustodyEvent {
  seq: number;
  kind: string;
  recorded_at: string;
  record_id: string;
  payload: string;
  prev_hash: string;
  hash: string;
}

export interface ChainAnchor {
  chain_id: number | string;
  tx_hash: string;
  block_number: number;
  block_hash: string;
  block_time?: string | number;
  [k: string]: unknown;
}

export interface Inclusion {
  batch: { id: string; root: string; size: number; head_seq: number; head_hash: string; created_at: string };
  salt: string;
  leaf_hash: string;
  proof: { leaf_index: number; tree_size: number; path: string[] };
  anchor: { id: string; batch_id: string; confirmations: number; recorded_at: string; anchor: ChainAnchor } | null;
}

export interface RecordDetail extends EvidenceRecord {
  signatures: Signature[];
  timestamps: Timestamp[];
  events: CustodyEvent[];
  inclusion: Inclusion | null;
  /** The cases it is in, by name. */
  cases?: string[];
}

export interface Check {
  check: string;
  subject: string;
  verdict: Verdict;
  reason?: string | null;
  detail: string;
}

export interface CertSummary {
  subject: string;
  issuer: string;
  serial: string;
  not_before: string;
  not_after: string;
  sha256: string;
}

export interface VerifiedRecord {
  id: string;
  name: string;
  sha256: string;
  size: number;
  result: TotalResult;
  checks: Check[];
  notes: Check[];
  signers?: CertSummary[];
}

export interface VerifyReport {
  package: string | null;
  result: TotalResult;
  profile: Profile;
  exported_at: string | null;
  producer: string | null;
  /** The case the records were exported as. */
  case?: string | null;
  policy: {
    trust: string[];
    accept_self_signed: boolean;
    /** Where revocation data came from, in words. */
    revocation?: string;
    /** When the validation ran (RFC 3339). */
    validation_time?: string;
    chain: string;
    confirmations?: number | null;
  };
  checks: Check[];
  records: VerifiedRecord[];
}

/** What changed in a PDF after a signature, and whether signing rules allow it. */
export interface PdfChange {
  object: string;
  page?: number;
  what: string;
  allowed: boolean;
}

/** One signature or document time-stamp inside a PDF, checked. */
export interface PdfSignature {
  field: string;
  kind: 'signature' | 'document-timestamp';
  sub_filter: string;
  signer?: CertSummary;
  claimed_time?: string;
  timestamp?: VerifiedTimestamp;
  level?: PadesLevel;
  revision: number;
  covered: number;
  /** What a certification signature permits later revisions, in words. */
  certification?: string;
  /** The fields it locks (FieldMDP), in words. */
  locked_fields?: string;
  /** What the revocation data says of each certificate of its chain. */
  revocation?: string[];
  changes: PdfChange[];
  checks: Check[];
  result: TotalResult;
}

/** Every signature inside a PDF (`verify_pdf`); INDETERMINATE with none. */
export interface PdfReport {
  file: string;
  size: number;
  sha256: string;
  revisions: number;
  signatures: PdfSignature[];
  policy: VerifyReport['policy'];
  result: TotalResult;
}

export interface ExportReport {
  path: string;
  sha256: string;
  records: string[];
  entries: number;
  sealed_by: string;
  profile: Profile;
}

export interface Identity {
  name: string;
  key: string;
  self_made: boolean;
  certificate: CertSummary;
}

export interface IdentityList {
  store: string;
  identities: Identity[];
}

export interface TokenObject {
  /** "certificate", "public key" or "private key". */
  class: string;
  label: string;
  id: string;
  subject?: string;
  key_type?: string;
}

export interface TokenDescription {
  label: string;
  manufacturer: string;
  model: string;
  serial: string;
  initialized: boolean;
  login_required: boolean;
  pin_pad: boolean;
  pin_count_low: boolean;
  pin_final_try: boolean;
  pin_locked: boolean;
  objects: TokenObject[];
}

export interface TokenSlot {
  slot: number;
  description: string;
  token: TokenDescription | null;
}

export interface TokenList {
  module: string;
  slots: TokenSlot[];
}

export interface Settings {
  profile: Profile;
  tsa_urls: string[];
  evm_rpc: string | null;
  anchor_after: number;
  vault_dir: string | null;
  /** "zh-CN", "en", or null to follow the system. */
  language: string | null;
  /** "system", "light" or "dark". */
  theme: string;
  /** Settings an environment variable overrides now (answered by `settings`, ignored when saved). */
  overridden?: string[];
}

export interface Progress {
  job: string;
  phase: Phase;
  files_total: number;
  files_done: number;
  bytes_total: number;
  bytes_done: number;
  current: string | null;
}

/** One signer of a CMS signature (`verify_evidence`, kind `signature`). */
export interface SignerOutcome {
  result: Verdict;
  verified?: { level: string; signer: CertSummary; timestamp?: VerifiedTimestamp | null; warnings?: string[] };
  reason?: string;
  message?: string;
}

/** An OpenTimestamps proof checked over its file (`verify_evidence`, kind `ots`). */
export interface OtsReport {
  proof: string;
  file: string;
  file_hash: string;
  digest: string;
  result: TotalResult;
  bitcoin_node: string;
  checks: Check[];
  notes: Check[];
}

/** Anyone's evidence, verified as `evidentia verify` verifies it, by the kind it turned out to be. */
export type EvidenceView =
  | { kind: 'package'; report: VerifyReport }
  | { kind: 'pdf'; report: PdfReport }
  | { kind: 'signature'; result: TotalResult; signers: SignerOutcome[] }
  | { kind: 'timestamp'; result: TotalResult; verified?: VerifiedTimestamp; reason?: string; message?: string }
  | { kind: 'ots'; report: OtsReport };

/** How the vault's proofs stand: counts by when their newest proof's TSA certificate expires. */
export interface ProofStatus {
  records: number;
  archived: number;
  without_timestamp: number;
  expired: number;
  within_90_days: number;
  within_2_years: number;
  later: number;
  next_expiry: string | null;
  renewal_due: boolean;
}

/** What a renewal wrote (RFC 4998 archive time-stamps) and left for later. */
export interface RenewalSummary {
  stamps: { id: string; kind: string; algorithm: string; gen_time: string; tsa_not_after: string }[];
  started: number;
  timestamp_renewed: number;
  hash_tree_renewed: number;
  pending: [string, string][];
  skipped: [string, string][];
}

async function call<T>(cmd: string, args?: { [k: string]: unknown }): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e);
  }
}

/** A fresh job id for `seal`, `export` and `cancel`. */
export function newJobId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  initialFiles: () => call<string[]>('initial_files'),
  pickFiles: (folders: boolean) => call<string[]>('pick_files', { folders }),
  pickPackage: () => call<string | null>('pick_package'),
  pickIdentityFile: () => call<string | null>('pick_identity_file'),
  pickFolder: () => call<string | null>('pick_folder'),
  seal: (job: string, paths: string[], identity: string | null, password: string | null, pades: PadesRequest | null = null) =>
    call<SealReport>('seal', { job, paths, identity, password, pades }),
  cancel: (job: string) => call<void>('cancel', { job }),
  records: (query: RecordQuery = {}) => call<RecordList>('records', { query }),
  record: (id: string) => call<RecordDetail>('record', { id }),
  openOriginal: (id: string) => call<void>('open_original', { id }),
  reverify: (id: string) => call<VerifyReport>('reverify', { id }),
  verify: (path: string) => call<VerifyReport>('verify', { path }),
  verifyPdf: (path: string) => call<PdfReport>('verify_pdf', { path }),
  verifyEvidence: (path: string, file: string | null = null) => call<EvidenceView>('verify_evidence', { path, file }),
  proofStatus: () => call<ProofStatus>('proof_status'),
  renew: () => call<RenewalSummary>('renew'),
  saveReport: (lang: ReportLang) => call<string | null>('save_report', { lang }),
  export: (job: string, ids: string[], lang: ReportLang, identity: string | null, password: string | null, caseName: string | null = null) =>
    call<ExportReport>('export', { job, ids, lang, identity, password, case: caseName }),
  cases: () => call<CaseSummary[]>('cases'),
  openCase: (name: string) => call<CaseSummary>('open_case', { name }),
  changeCase: (name: string, ids: string[], add: boolean) => call<CaseChange>('change_case', { name, ids, add }),
  identities: () => call<IdentityList>('identities'),
  importIdentity: (path: string, name: string, password: string) =>
    call<Identity>('import_identity', { path, name, password }),
  createIdentity: (name: string, email: string, password: string, algorithm: KeyAlgorithm = 'p256') =>
    call<Identity>('create_identity', { name, email, password, algorithm }),
  listTokens: (module: string) => call<TokenList>('list_tokens', { module }),
  addTokenIdentity: (module: string, token: string, keyLabel: string, name: string | null, pin: string | null) =>
    call<Identity>('add_token_identity', { module, token, keyLabel, name, pin }),
  identitySeal: (identity: string) => call<SealView>('identity_seal', { identity }),
  setIdentitySeal: (identity: string, organisation: string, title: string | null, code: string | null) =>
    call<SealView>('set_identity_seal', { identity, organisation, title, code }),
  setIdentitySealImage: (identity: string, image: Uint8Array | null, path: string | null = null) =>
    call<SealView>('set_identity_seal_image', { identity, image: image ? Array.from(image) : null, path }),
  appearancePreview: (identity: string, width: number, height: number, reason: string | null, seal: boolean) =>
    call<ArrayBuffer>('appearance_preview', { identity, width, height, reason, seal }).then((b) => new Uint8Array(b)),
  sealPreview: (organisation: string, title: string | null, code: string | null) =>
    call<ArrayBuffer>('seal_preview', { organisation, title, code }).then((b) => new Uint8Array(b)),
  readDocument: (path: string) => call<ArrayBuffer>('read_document', { path }).then((b) => new Uint8Array(b)),
  settings: () => call<Settings>('settings'),
  saveSettings: (settings: Settings) => call<AppInfo>('save_settings', { settings }),
  sync: () => call<unknown>('sync'),
};

/** Who follows which job's progress. */
const progressWatchers = new Map<string, (p: Progress) => void>();
let progressListening: Promise<UnlistenFn> | null = null;

export const events = {
  /**
   * Starts the page's one `progress` listener, once, when the page starts: registering a listener
   * per job took an IPC round trip (about 0.1 s) before each job could begin.
   */
  listenProgress: (): Promise<UnlistenFn> =>
    (progressListening ??= listen<Progress>('progress', (e) => progressWatchers.get(e.payload.job)?.(e.payload))),
  /** Calls `fn` with each progress event of `job` until the returned function is called. */
  watchProgress: (job: string, fn: (p: Progress) => void): (() => void) => {
    progressWatchers.set(job, fn);
    void events.listenProgress();
    return () => void progressWatchers.delete(job);
  },
  onFilesDropped: (fn: (paths: string[]) => void): Promise<UnlistenFn> =>
    listen<{ paths: string[] }>('files-dropped', (e) => fn(e.payload.paths)),
  onRecordsChanged: (fn: () => void): Promise<UnlistenFn> => listen('records-changed', () => fn()),
};
