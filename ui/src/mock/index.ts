// IPC mock for the mock build and the Chromium UI tests: fixture answers, scenario switches, events.

import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type {
  AppInfo,
  Identity,
  IdentityList,
  PdfReport,
  SignedPdf,
  RecordDetail,
  RecordRow,
  SealReport,
  SealedRecord,
  Settings,
  VerifyReport,
  ExportReport,
} from '../api';
import sealFixture from '../../tests/fixtures/seal.json';
import vaultFixture from '../../tests/fixtures/vault-list.json';
import recordFixture from '../../tests/fixtures/record.json';
import exportFixture from '../../tests/fixtures/export.json';
import verifyFixture from '../../tests/fixtures/verify.json';
import verifyIndetFixture from '../../tests/fixtures/verify-indet.json';
import pdfVerifyFixture from '../../tests/fixtures/pdf-verify.json';
import pdfVerifyFailedFixture from '../../tests/fixtures/pdf-verify-failed.json';
import identityFixture from '../../tests/fixtures/identity-list.json';
import { contractPdf, sealPdf } from './pdf';
import notFoundFixture from '../../tests/fixtures/error-record-not-found.json';
import { matchesSearch, newestFirst } from '../logic/search';
import { isTeamVaultUrl, redactUrl, teamVaultProblem, withoutPassword } from '../logic/vaulturl';
import { millionNumber, millionPage, millionRow } from './million';

declare global {
  interface Window {
    __EVIDENTIA_SCENARIO__?: string;
    __evidentiaMock?: {
      emit(event: string, payload?: unknown): Promise<void>;
      calls: { cmd: string; args: unknown }[];
      /** How long `records` takes to answer a search (by its text, trimmed), in ms; tests set it. */
      recordsDelayMs: { [search: string]: number };
      /** Every `records` answer, in the order they were given back. */
      recordsAnswered: { search: string; offset: number; limit: number; total: number }[];
    };
  }
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const reject = (code: string, message: string) => Promise.reject({ code, message });

function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().replace(/\.\d+Z$/, '+00:00');
}

function baseName(p: string): string {
  return p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? p;
}

function hex(seed: string, len = 64): string {
  let out = '';
  let x = 2166136261;
  while (out.length < len) {
    for (const c of seed + out.length) x = Math.imul(x ^ c.charCodeAt(0), 16777619) >>> 0;
    out += x.toString(16).padStart(8, '0');
  }
  return out.slice(0, len);
}

/** The details of a list row, built from the fixture record like the vault would answer them. */
function detailOf(row: RecordRow, detail0: RecordDetail): RecordDetail {
  const d: RecordDetail = {
    ...clone(detail0),
    ...row,
    signatures: row.signed ? clone(detail0.signatures).map((g) => ({ ...g, record_id: row.id, signed_at: row.created_at })) : [],
    timestamps: row.status === 'timestamped' ? clone(detail0.timestamps).map((x) => ({ ...x, record_id: row.id, gen_time: row.created_at })) : [],
    events: clone(detail0.events)
      .slice(0, row.signed ? (row.status === 'timestamped' ? 3 : 2) : 1)
      .map((ev) => ({ ...ev, record_id: row.id, recorded_at: row.created_at })),
    inclusion: null,
  };
  if (row.anchored) {
    d.inclusion = {
      batch: { id: '01a2286a-5555-7000-8000-00000000b001', root: hex('root'), size: 9, head_seq: 41, head_hash: hex('head'), created_at: '2026-11-27T09:30:00Z' },
      salt: hex('salt'),
      leaf_hash: hex('leaf'),
      proof: { leaf_index: 3, tree_size: 9, path: [hex('p1'), hex('p2'), hex('p3')] },
      anchor: {
        id: '01a2286a-6666-7000-8000-00000000a001',
        batch_id: '01a2286a-5555-7000-8000-00000000b001',
        confirmations: 12,
        recorded_at: '2026-11-27T09:41:00Z',
        anchor: { chain_id: 31337, tx_hash: '0x' + hex('tx'), block_number: 1842, block_hash: '0x' + hex('block') },
      },
    };
    const last = d.events[d.events.length - 1]!;
    d.events.push(
      { ...d.events[0]!, seq: last.seq + 1, kind: 'batched', recorded_at: '2026-11-27T09:30:00Z', hash: hex('e4'), prev_hash: last.hash },
      { ...d.events[0]!, seq: last.seq + 2, kind: 'anchored', recorded_at: '2026-11-27T09:41:00Z', hash: hex('e5'), prev_hash: hex('e4') },
    );
  }
  return d;
}

function makeRecords(): { rows: RecordRow[]; details: Map<string, RecordDetail> } {
  const base = vaultFixture.records[0] as unknown as RecordRow;
  const detail0 = recordFixture as unknown as RecordDetail;
  const rows: RecordRow[] = [{ ...clone(base), signed: true, anchored: false, anchor_pending: false }];
  const details = new Map<string, RecordDetail>([[base.id, clone(detail0)]]);
  const extra: Partial<RecordRow>[] = [
    {
      id: '01a2286a-0c11-7a3e-9d0b-5b1f3c2e7a10',
      name: 'Photos — Spring collection 2026 (final selection for the gallery)',
      kind: 'work',
      file_count: 248,
      size: 1_873_420_311,
      media_type: 'inode/directory',
      created_at: '2026-11-27T09:12:03.120000Z',
      status: 'timestamped',
      signed: true,
      anchored: true,
      source_path: '/home/ana/Pictures/Spring collection 2026 (final selection for the gallery)',
    },
    {
      id: '01a2286b-77a0-7c42-8e11-0f4a2b6c9d21',
      name: 'invoice-2026-0457-supplier-agreement-signed-countersigned-v3.pdf',
      kind: 'file',
      file_count: 1,
      size: 482_113,
      media_type: 'application/pdf',
      created_at: '2026-11-29T18:02:41.553000Z',
      status: 'timestamp_pending',
      signed: true,
      anchor_pending: true,
      source_path: '/home/ana/Documents/Contracts/Suppliers/2026/invoice-2026-0457-supplier-agreement-signed-countersigned-v3.pdf',
    },
    {
      id: '01a2286c-1234-7f00-a1b2-c3d4e5f60718',
      name: '设计稿-首页.png',
      kind: 'file',
      file_count: 1,
      size: 3_204_551,
      media_type: 'image/png',
      created_at: '2026-10-03T02:30:00.000000Z',
      status: 'sealed',
      signed: false,
      source_path: '/home/ana/设计/设计稿-首页.png',
    },
  ];
  for (const e of extra) {
    const row: RecordRow = { ...clone(base), signed: false, anchored: false, anchor_pending: false, ...e, digests: { sha256: hex(e.id ?? '') }, stored: true } as RecordRow;
    rows.push(row);
    details.set(row.id, detailOf(row, detail0));
  }
  return { rows, details };
}

/** A vault as the `records` and `record` commands read it. */
interface RecordSource {
  /** One page, newest first, of the records matching `search`, and how many match in all. */
  page(search: string, offset: number, limit: number, keep?: (r: RecordRow) => boolean): { rows: RecordRow[]; total: number };
  detail(id: string): RecordDetail | undefined;
}

/** A vault of a few records held in memory. */
function listSource(rows: RecordRow[], details: Map<string, RecordDetail>): RecordSource {
  const sorted = [...rows].sort(newestFirst);
  return {
    page(search, offset, limit, keep) {
      const hits = sorted.filter((r) => matchesSearch(r, search) && (!keep || keep(r)));
      return { rows: clone(hits.slice(offset, offset + limit)), total: hits.length };
    },
    detail: (id) => {
      const d = details.get(id);
      return d ? clone(d) : undefined;
    },
  };
}

/** The "vault-million" vault: 1,000,000 records, each made only when its page is asked for. */
function millionSource(): RecordSource {
  const detail0 = recordFixture as unknown as RecordDetail;
  return {
    page: (search, offset, limit) => millionPage(search, offset, limit),
    detail: (id) => {
      const n = millionNumber(id);
      return n === null ? undefined : detailOf(millionRow(n), detail0);
    },
  };
}

/**
 * Installs the mock; the scenario is a comma-separated list of switches from
 * window.__EVIDENTIA_SCENARIO__ (for the vault: `empty-vault`, `vault-million`, `records-vault-missing`).
 */
export function installMock(): void {
  const flags = new Set((window.__EVIDENTIA_SCENARIO__ ?? '').split(',').map((x) => x.trim()).filter(Boolean));
  const has = (f: string) => flags.has(f);
  const calls: { cmd: string; args: unknown }[] = [];
  const cancelled = new Set<string>();
  /** Whether the mocked vault's proofs were renewed (RFC 4998 evidence records). */
  let renewed = false;
  const production = has('production');
  const savedLang = has('lang-zh') ? 'zh-CN' : has('lang-en') ? 'en' : null;

  const settings: Settings = {
    profile: production ? 'production' : 'sandbox',
    tsa_urls: production ? ['https://freetsa.org/tsr', 'http://timestamp.digicert.com'] : ['http://127.0.0.1:40299/tsa'],
    evm_rpc: production ? 'https://rpc.example.org' : 'http://127.0.0.1:8545',
    anchor_after: 10,
    vault_dir: '/home/ana/.local/share/evidentia/vault',
    language: savedLang,
    theme: has('dark') ? 'dark' : 'system',
    overridden: has('env-override') ? ['tsa_urls'] : [],
  };
  const info = (): AppInfo => ({
    version: '0.1.0',
    profile: settings.profile,
    notice: settings.profile === 'sandbox' ? 'SANDBOX — NOT LEGAL EVIDENCE' : null,
    vault_dir: settings.vault_dir === null ? null : withoutPassword(settings.vault_dir),
    config_file: '/home/ana/.config/evidentia/config.toml',
    config_error: has('config-error') ? 'config.toml line 3: tsa.urls must be a list' : null,
    export_dir: '/home/ana/Documents/Evidentia',
    language: settings.language,
    theme: settings.theme,
    timestamping: !has('no-tsa'),
  });

  const { rows, details } = makeRecords();
  const vault: RecordSource = has('vault-million') ? millionSource() : listSource(has('empty-vault') ? [] : rows, details);
  const recordsDelayMs: { [search: string]: number } = {};
  const recordsAnswered: { search: string; offset: number; limit: number; total: number }[] = [];

  /** The vault's cases: name → when opened and who is in it. */
  const cases = new Map<string, { opened_at: string; members: Set<string> }>();
  if (has('with-cases')) cases.set('合同纠纷 2026-11 · Supplier dispute', { opened_at: '2026-11-28T09:00:00Z', members: new Set(rows.slice(0, 2).map((r) => r.id)) });
  const caseList = () => [...cases.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, c]) => ({ name, opened_at: c.opened_at, records: c.members.size }));
  /** Whether a row has the proofs a status filter asks for. */
  const hasStatus = (r: RecordRow, status: string): boolean =>
    status === 'signed' ? r.signed : status === 'timestamped' ? r.status === 'timestamped' : status === 'anchored' ? r.anchored : status === 'pending' ? r.status === 'timestamp_pending' : status === 'no_timestamp' ? r.status === 'sealed' : true;

  /** The `records` command: one page of the vault, newest first, as the app's backend answers it. */
  async function recordsPage(query: { search?: unknown; offset?: unknown; limit?: unknown; case?: unknown; status?: unknown } | null | undefined): Promise<unknown> {
    const q = query ?? {};
    const search = typeof q.search === 'string' ? q.search : '';
    const offset = Math.max(0, Math.floor(Number(q.offset ?? 0)) || 0);
    const asked = Math.floor(Number(q.limit ?? 0)) || 0;
    const limit = asked <= 0 ? 100 : Math.min(asked, 1000);
    const caseName = typeof q.case === 'string' && q.case ? q.case : null;
    const status = typeof q.status === 'string' ? q.status : '';
    if (caseName && !cases.has(caseName)) return reject('CASE_NOT_FOUND', `no case \`${caseName}\` in this vault`);
    const members = caseName ? cases.get(caseName)!.members : null;
    const page = vault.page(search, offset, limit, members || status ? (r) => (!members || members.has(r.id)) && hasStatus(r, status) : undefined);
    const delay = recordsDelayMs[search.trim()] ?? 0;
    if (delay > 0) await sleep(delay);
    recordsAnswered.push({ search, offset, limit, total: page.total });
    const shown = settings.vault_dir !== null && isTeamVaultUrl(settings.vault_dir) ? redactUrl(settings.vault_dir) : settings.vault_dir;
    return { vault: shown, records: page.rows, total: page.total, offset };
  }
  const identities: IdentityList = clone(identityFixture) as IdentityList;
  const seals = new Map<string, unknown>();
  if (has('identity-seal')) {
    seals.set('alice-zhang', { identity: 'alice-zhang', kind: 'generated', seal: 'company seal 深圳证据科技有限公司 · 合同专用章', organisation: '深圳证据科技有限公司', title: '合同专用章', code: null });
  }
  if (!has('no-identities')) {
    identities.identities.push(
      {
        name: 'ana-work',
        key: 'RSA 3072',
        self_made: false,
        certificate: {
          subject: 'CN=Ana Li,O=Li & Partners Law Firm,L=Shanghai,C=CN',
          issuer: 'CN=Example Qualified CA G2,O=Example Trust Services,C=CN',
          serial: '4f1a9c',
          not_before: daysFromNow(-350),
          not_after: daysFromNow(12.5),
          sha256: hex('ana'),
        },
      },
      {
        name: 'old-2024',
        key: 'ECDSA P-256',
        self_made: false,
        certificate: {
          subject: 'CN=Ana Li,O=Previous Employer Ltd',
          issuer: 'CN=Example CA,O=Example',
          serial: '0199',
          not_before: daysFromNow(-800),
          not_after: daysFromNow(-35),
          sha256: hex('old'),
        },
      },
    );
  } else identities.identities = [];

  async function progress(job: string, phase: string, paths: string[], steps: number, stepMs: number): Promise<void> {
    const sizes = paths.map((_p, i) => 1_048_576 * (i + 3));
    const bytesTotal = sizes.reduce((a, b) => a + b, 0);
    let done = 0;
    for (let f = 0; f < paths.length; f++) {
      for (let k = 1; k <= steps; k++) {
        if (cancelled.has(job)) return;
        const bytes = done + Math.round((sizes[f]! * k) / steps);
        await emit('progress', { job, phase, files_total: paths.length, files_done: f, bytes_total: bytesTotal, bytes_done: bytes, current: paths[f] });
        await sleep(stepMs);
      }
      done += sizes[f]!;
    }
  }

  /** What `seal` with `pades` writes: NAME-signed.pdf beside each PDF, sealed instead of it. */
  function signPdfs(paths: string[], identity: string, pades: { level?: string | null; reason?: string | null }): { paths: string[]; signed: SignedPdf[] } {
    const level = String(pades.level ?? 'B-T') as SignedPdf['level'];
    const who = identities.identities.find((i) => i.name === identity) ?? identities.identities[0]!;
    const stamp = (serial: string) => ({ gen_time: '2026-11-29T17:45:48Z', gen_time_raw: '20261129174548Z', accuracy_micros: null, serial, policy: '1.3.6.1.4.1.99999.1.1', algorithm: 'sha256', tsa_subject: 'CN=Evidentia Sandbox TSA,O=Evidentia Sandbox', chain: [] });
    const signed: SignedPdf[] = [];
    const out = paths.map((p) => {
      if (!/\.pdf$/i.test(p)) return p;
      const output = p.replace(/\.pdf$/i, '-signed.pdf');
      signed.push({
        output,
        field: 'Signature1',
        level,
        signer: clone(who.certificate),
        timestamp: level === 'B-B' ? null : stamp('0a'),
        document_timestamp: level === 'B-LTA' ? stamp('0b') : null,
        validation: null,
        sha256: hex(output),
        size: 96_410,
      });
      return output;
    });
    return { paths: out, signed };
  }

  async function seal(args: { job: string; paths: string[]; identity: string | null; password: string | null; pades?: { level?: string | null; reason?: string | null } | null }): Promise<SealReport> {
    if (has('seal-vault-locked')) return reject('VAULT_LOCKED', 'the vault is in use by another writer');
    if (args.identity && has('seal-wrong-password')) return reject('IDENTITY_WRONG_PASSWORD', 'wrong password for identity ' + args.identity);
    if (args.pades && !args.identity) return reject('USAGE', 'signing inside PDFs needs an identity: choose one to sign with');
    if (args.pades && (has('seal-bad-level') || !['B-B', 'B-T', 'B-LT', 'B-LTA'].includes(String(args.pades.level ?? 'B-T').toUpperCase())))
      return reject('BAD_LEVEL', `PAdES level \`${String(args.pades.level)}\` is unknown: choose B-B, B-T, B-LT or B-LTA`);
    const pades = args.pades && args.identity ? signPdfs(args.paths, args.identity, args.pades) : null;
    const slow = has('seal-slow');
    await progress(args.job, 'hashing', args.paths, slow ? 20 : 3, slow ? 150 : 60);
    if (cancelled.has(args.job)) return reject('CANCELLED', 'cancelled');
    await emit('progress', { job: args.job, phase: 'timestamping', files_total: args.paths.length, files_done: args.paths.length, bytes_total: 1, bytes_done: 1, current: null });
    await sleep(slow ? 300 : 50);
    if (cancelled.has(args.job)) return reject('CANCELLED', 'cancelled');
    const report = clone(sealFixture) as unknown as SealReport;
    const template = report.records[0]!;
    report.records = (pades?.paths ?? args.paths).map((p, i): SealedRecord => {
      const r = clone(template);
      r.name = baseName(p);
      r.source_path = p;
      if (i > 0) {
        r.id = `01a22869-bdfe-749d-844d-${hex(p, 12)}`;
        r.digests = { sha256: hex(p) };
      }
      r.already_sealed = /already|dup/i.test(p);
      if (!args.identity) r.signature = null;
      if (has('no-tsa')) {
        r.status = 'sealed';
        r.timestamp = null;
      }
      if (has('seal-tsa-down') && r.timestamp) {
        r.status = 'timestamp_pending';
        r.timestamp.timestamps = [];
        r.timestamp.failed = [{ url: 'http://127.0.0.1:40299/tsa', code: 'TSA_UNREACHABLE', message: 'connection refused' }];
        r.timestamp.pending_reason = { code: 'TSA_UNREACHABLE', message: 'every TSA was unreachable: http://127.0.0.1:40299/tsa (connection refused)' };
      }
      return r;
    });
    report.profile = settings.profile;
    report.notice = info().notice;
    if (pades && pades.signed.length > 0) report.signed_pdfs = pades.signed;
    return report;
  }

  function failedReport(): VerifyReport {
    const r = clone(verifyFixture) as unknown as VerifyReport;
    r.result = 'TOTAL-FAILED';
    const rec = r.records[0]!;
    rec.result = 'TOTAL-FAILED';
    rec.checks[0] = { ...rec.checks[0]!, verdict: 'FAILED', reason: 'HASH_MISMATCH', detail: '15 bytes, SHA-256 1f2e… differs from the sealed ef30c41e3b107e09724c33a662606e921942d179df036bc31f8ad301df54cb97' };
    return r;
  }

  async function verify(path: string): Promise<VerifyReport> {
    await sleep(80);
    if (has('verify-not-found')) return Promise.reject(clone(notFoundFixture));
    if (has('verify-hostile')) return reject('PACKAGE_HOSTILE', 'entry ../../etc/passwd escapes the package');
    if (has('verify-not-granted')) return reject('NOT_GRANTED', `${path} was not chosen through a dialog`);
    if (has('verify-failed')) return failedReport();
    if (has('verify-indet')) return clone(verifyIndetFixture) as unknown as VerifyReport;
    const r = clone(verifyFixture) as unknown as VerifyReport;
    // A package is verified from itself; any other file through the vault's record of it.
    r.package = /\.pdf$/i.test(path) ? null : baseName(path);
    return r;
  }

  async function verifyPdf(path: string): Promise<PdfReport> {
    await sleep(60);
    if (has('pdf-not-granted')) return reject('NOT_GRANTED', `${path} was not chosen through a dialog`);
    if (has('pdf-unreadable')) return reject('PDF_UNREADABLE', `${path}: the PDF cannot be read (invalid xref); it may be truncated or damaged`);
    if (has('pdf-failed')) return { ...(clone(pdfVerifyFailedFixture) as unknown as PdfReport), file: path };
    if (has('pdf-unsigned'))
      return { file: path, size: 48_211, sha256: hex(path), revisions: 1, signatures: [], policy: clone(pdfVerifyFixture.policy), result: 'INDETERMINATE' };
    return { ...(clone(pdfVerifyFixture) as unknown as PdfReport), file: path };
  }

  /** Anyone's evidence by its kind: detached signatures need their file; proofs list attestations. */
  async function verifyEvidence(path: string, file: string | null): Promise<unknown> {
    await sleep(60);
    if (/\.(p7s|tsr)$/i.test(path) && !file)
      return reject('DATA_FILE_NEEDED', `${path}: a detached signature (the signed file is not inside it) over another file: give that file (--file)`);
    if (/\.p7s$/i.test(path))
      return {
        kind: 'signature',
        result: 'INDETERMINATE',
        signers: [{ result: 'INDETERMINATE', reason: 'NO_TRUSTED_ROOT', message: 'the signer\'s certificate does not chain to a trusted root (it ends at the self-signed CN=Other Party)' }],
      };
    if (/\.ots$/i.test(path))
      return {
        kind: 'ots',
        report: {
          proof: path,
          file: path.replace(/\.ots$/i, ''),
          file_hash: 'sha256',
          digest: '03ba204e50d126e4674c005e04d82e84c21366780af1f43bd54a37816b6ab340',
          result: 'INDETERMINATE',
          bitcoin_node: 'offline',
          checks: [
            { check: 'ots_proof', subject: path.replace(/\.ots$/i, ''), verdict: 'PASSED', detail: "the file's sha256 is the proof's; the proof leads to 1 attestation(s)" },
            { check: 'bitcoin_block', subject: 'Bitcoin block 358391', verdict: 'INDETERMINATE', reason: 'BLOCK_NOT_CHECKED', detail: 'confirm on any block explorer or node that Bitcoin block 358391 has Merkle root 8a1b66ecb7cbd07d8139a7e7d7f2c41aab1f5009b8364aaf61d03ad245e47e00 (or give --bitcoin-node)' },
          ],
          notes: [],
        },
      };
    if (/\.pdf$/i.test(path)) {
      // As the core: a PDF sealed here through its records; else by its signatures; with none, not sealed here.
      try {
        return { kind: 'package', report: await verify(path) };
      } catch (e) {
        if ((e as { code?: string }).code !== 'RECORD_NOT_FOUND') throw e;
        const report = await verifyPdf(path);
        if (report.signatures.length === 0) throw e;
        return { kind: 'pdf', report };
      }
    }
    return { kind: 'package', report: await verify(path) };
  }

  async function handle(cmd: string, a: { [k: string]: unknown }): Promise<unknown> {
    switch (cmd) {
      case 'app_info':
        return info();
      case 'initial_files':
        return has('initial-files') ? ['/home/ana/Documents/contract.pdf', '/home/ana/Documents/Evidence photos'] : [];
      case 'pick_files':
        if (has('pick-unknown-error')) return reject('SOMETHING_NEW', 'The file dialog could not be opened (portal timeout).');
        return a['folders'] ? ['/home/ana/Pictures/Spring collection 2026'] : ['/home/ana/Documents/contract.txt', '/home/ana/Documents/Contracts/Suppliers/2026/invoice-2026-0457-supplier-agreement-signed-countersigned-v3.pdf'];
      case 'pick_package':
        if (has('pick-pdf')) return '/home/ana/Documents/Contracts/supplier-agreement-SIGNED.PDF';
        return has('pick-cancelled') ? null : '/home/ana/Downloads/evidence-2026-11-29.asice';
      case 'read_document': {
        const path = String(a['path']);
        if (!/\.pdf$/i.test(path)) return reject('NOT_PDF', `${path}: not a PDF file`);
        return contractPdf(['Agreement', 'Signature here']).buffer;
      }
      case 'identity_seal': {
        const name = String(a['identity']);
        return seals.get(name) ?? { identity: name, kind: null, seal: null, organisation: null, title: null, code: null };
      }
      case 'set_identity_seal': {
        const name = String(a['identity']);
        const organisation = String(a['organisation'] ?? '').trim();
        if ([...organisation].length < 2) return reject('BAD_SEAL', `the company seal cannot be made: the organisation's name has ${[...organisation].length} characters; a seal holds 2 to 30`);
        const title = (a['title'] as string | null) || null;
        const code = (a['code'] as string | null) || null;
        const view = { identity: name, kind: 'generated', seal: `company seal ${organisation}${title ? ` · ${title}` : ''}`, organisation, title, code };
        seals.set(name, view);
        return view;
      }
      case 'set_identity_seal_image': {
        const name = String(a['identity']);
        const image = a['image'] as number[] | null;
        if (image && !(image[0] === 0x89 && image[1] === 0x50)) return reject('BAD_SEAL', 'the drawn signature: not a PNG or JPEG image; export the seal as PNG');
        const view = { identity: name, kind: 'image', seal: 'image', organisation: null, title: null, code: null };
        seals.set(name, view);
        return view;
      }
      case 'appearance_preview':
      case 'seal_preview':
        return sealPdf().buffer;
      case 'pick_identity_file':
        return '/home/ana/Downloads/ana-li-2026.p12';
      case 'pick_folder':
        return '/mnt/evidence/vault';
      case 'seal':
        return seal(a as unknown as Parameters<typeof seal>[0]);
      case 'cancel':
        cancelled.add(String(a['job']));
        return null;
      case 'records':
        if (has('records-vault-missing')) return reject('VAULT_MISSING', 'no vault at /home/ana/.local/share/evidentia/vault');
        return recordsPage(a['query'] as Parameters<typeof recordsPage>[0]);
      case 'record': {
        const d = vault.detail(String(a['id']));
        if (d) d.cases = [...cases.entries()].filter(([, c]) => c.members.has(d.id)).map(([name]) => name);
        return d ?? Promise.reject(clone(notFoundFixture));
      }
      case 'cases':
        return caseList();
      case 'open_case': {
        const name = String(a['name']).trim();
        if (!name || name.length > 100) return reject('CASE_NAME_INVALID', `case name \`${name}\` cannot be used`);
        if (cases.has(name)) return reject('CASE_EXISTS', `a case \`${name}\` exists already in this vault`);
        cases.set(name, { opened_at: new Date().toISOString(), members: new Set() });
        return { name, opened_at: cases.get(name)!.opened_at, records: 0 };
      }
      case 'change_case': {
        const name = String(a['name']);
        const c = cases.get(name);
        if (!c) return reject('CASE_NOT_FOUND', `no case \`${name}\` in this vault`);
        const ids = a['ids'] as string[];
        const add = Boolean(a['add']);
        const changed = ids.filter((id) => c.members.has(id) !== add);
        for (const id of changed) if (add) c.members.add(id); else c.members.delete(id);
        return { case: name, changed, unchanged: ids.filter((id) => !changed.includes(id)) };
      }
      case 'open_original':
        return null;
      case 'reverify':
        await sleep(80);
        if (has('reverify-indet')) return clone(verifyIndetFixture);
        return { ...clone(verifyFixture), package: null };
      case 'verify':
        return verify(String(a['path']));
      case 'verify_pdf':
        return verifyPdf(String(a['path']));
      case 'verify_evidence':
        return verifyEvidence(String(a['path']), a['file'] ? String(a['file']) : null);
      case 'proof_status':
        return {
          records: 12,
          archived: renewed ? 3 : 0,
          without_timestamp: 2,
          expired: 0,
          within_90_days: 0,
          within_2_years: renewed ? 0 : 3,
          later: renewed ? 10 : 7,
          next_expiry: renewed ? null : '2028-03-01T00:00:00Z',
          renewal_due: !renewed,
        };
      case 'renew':
        await sleep(60);
        renewed = true;
        return { stamps: [{ id: 'a1', kind: 'initial', algorithm: 'sha256', gen_time: '2026-12-05T10:00:00Z', tsa_not_after: '2036-12-01T00:00:00Z' }], started: 3, timestamp_renewed: 0, hash_tree_renewed: 0, pending: [], skipped: [] };
      case 'save_report':
        return `/home/ana/Documents/Evidentia/verification-report-${String(a['lang'])}.pdf`;
      case 'export': {
        const caseName = a['case'] ? String(a['case']) : null;
        if (caseName && !cases.has(caseName)) return reject('CASE_NOT_FOUND', `no case \`${caseName}\` in this vault`);
        const ids = caseName ? [...cases.get(caseName)!.members] : (a['ids'] as string[]);
        await progress(String(a['job']), 'exporting', ids, 2, 40);
        if (a['identity'] && has('export-wrong-password')) return reject('IDENTITY_WRONG_PASSWORD', 'wrong password');
        const r = clone(exportFixture) as ExportReport;
        r.records = ids;
        r.path = caseName ? `/home/ana/Documents/Evidentia/${caseName}.asice` : '/home/ana/Documents/Evidentia/evidence-2026-11-29-contract-and-supporting-documents.asice';
        return r;
      }
      case 'identities':
        return clone(identities);
      case 'import_identity': {
        if (has('import-wrong-password')) return reject('PKCS12_BAD_PASSWORD', 'the PKCS #12 file could not be decrypted: wrong password');
        const id: Identity = { ...clone(identities.identities[0]!), name: String(a['name']), self_made: false, key: 'RSA 2048' };
        identities.identities.push(id);
        return id;
      }
      case 'create_identity': {
        const name = String(a['name']);
        if (identities.identities.some((i) => i.name === name)) return reject('IDENTITY_EXISTS', `an identity named ${name} exists`);
        const id: Identity = { ...clone(identityFixture.identities[0]!), name } as Identity;
        id.certificate.subject = `OU=Self-made Evidentia identity (no CA),CN=${name}`;
        if (a['algorithm'] === 'sm2') id.key = 'SM2';
        identities.identities.push(id);
        return id;
      }
      case 'list_tokens':
        if (has('token-absent')) return reject('TOKEN_ABSENT', 'no token in any slot');
        return {
          module: String(a['module']),
          slots: [
            { slot: 0, description: 'Feitian ePass2003 00 00', token: null },
            {
              slot: 1,
              description: 'Feitian ePass2003 01 00',
              token: {
                label: 'ePass2003',
                manufacturer: 'EnterSafe',
                model: 'PKCS#15',
                serial: '2A5B1C',
                initialized: true,
                login_required: true,
                pin_pad: false,
                pin_count_low: false,
                pin_final_try: false,
                pin_locked: false,
                objects: [
                  { class: 'certificate', label: 'Signing key', id: '01', subject: 'CN=Ana Li,O=Li & Partners' },
                  { class: 'public key', label: 'Signing key', id: '01', key_type: 'RSA' },
                  { class: 'certificate', label: 'Auth key', id: '02', subject: 'CN=Ana Li (auth)' },
                ],
              },
            },
          ],
        };
      case 'add_token_identity': {
        if (has('token-wrong-pin')) return reject('TOKEN_PIN_INCORRECT', 'PIN incorrect');
        const id: Identity = { ...clone(identities.identities[0]!), name: String(a['name'] ?? a['keyLabel']), self_made: false, key: 'RSA 2048 (token)' };
        identities.identities.push(id);
        return id;
      }
      case 'settings':
        // As the backend answers: a team vault's URL without its password.
        return { ...clone(settings), vault_dir: settings.vault_dir === null ? null : withoutPassword(settings.vault_dir) };
      case 'save_settings': {
        if (has('settings-invalid')) return reject('CONFIG_INVALID', 'tsa_urls: not a URL');
        const next = { ...(a['settings'] as Settings) };
        const configured = settings.vault_dir;
        if (next.vault_dir !== null && configured !== null && (next.vault_dir === configured || next.vault_dir === withoutPassword(configured))) {
          // Unchanged: the configured value is kept, with its password.
          next.vault_dir = configured;
        } else if (next.vault_dir !== null && isTeamVaultUrl(next.vault_dir)) {
          const problem = teamVaultProblem(next.vault_dir);
          const why = {
            folder: 'a team vault needs the folder its members share for file copies: add ?folder=/shared/path to the URL',
            database: 'the URL names no database: add /DATABASE after the host',
            encoding: 'the folder is not valid percent-encoded UTF-8',
          };
          if (problem) return reject('VAULT_BAD_URL', `vault ${redactUrl(next.vault_dir)}: ${why[problem]}`);
        }
        Object.assign(settings, next);
        return info();
      }
      case 'sync':
        return { records: [], profile: settings.profile, notice: info().notice };
      default:
        return reject('USAGE', `unknown command ${cmd}`);
    }
  }

  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as { [k: string]: unknown };
      calls.push({ cmd, args });
      return handle(cmd, args);
    },
    { shouldMockEvents: true },
  );
  window.__evidentiaMock = { emit: (event, payload) => emit(event, payload), calls, recordsDelayMs, recordsAnswered };
}
