// The mock's "vault-million" scenario: a vault of 1,000,000 records, each made when a page asks for
// it (record n is a function of n; nothing holds a million objects). Searched as the vault does it.

import type { RecordRow, RecordStatus } from '../api';
import { searchTerm } from '../logic/search';

/** How many records the scenario's vault holds. */
export const MILLION = 1_000_000;

/** Name stem, extension and media type, by record number modulo 7. */
export const MILLION_KINDS: readonly (readonly [string, string, string])[] = [
  ['contract', 'pdf', 'application/pdf'],
  ['invoice', 'pdf', 'application/pdf'],
  ['photo', 'jpg', 'image/jpeg'],
  ['scan', 'png', 'image/png'],
  ['letter', 'docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['drawing', 'svg', 'image/svg+xml'],
  ['recording', 'wav', 'audio/wav'],
];

/** When the newest record was sealed; each older one a minute before the next. */
const NEWEST_MS = Date.UTC(2026, 10, 29, 12, 0, 0);

/** A bijection of 32-bit numbers, so no two records share the start of their SHA-256. */
function mix(n: number): number {
  let x = Math.imul((n ^ 0x5bd1e995) >>> 0, 0x9e3779b1) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  return (x ^ (x >>> 13)) >>> 0;
}

const hex8 = (x: number): string => (x >>> 0).toString(16).padStart(8, '0');

/** Record n's name (1 is the oldest, MILLION the newest): "invoice-0999999.pdf". */
export function millionName(n: number): string {
  const k = MILLION_KINDS[n % MILLION_KINDS.length]!;
  return `${k[0]}-${String(n).padStart(7, '0')}.${k[1]}`;
}

/** Record n's id: its number in the first 8 hex digits. */
export function millionId(n: number): string {
  return `${hex8(n)}-6d6f-7000-8000-${hex8(mix(n ^ 0xabcdef)).slice(0, 4)}${hex8(mix(n))}`;
}

/** Record n's SHA-256 (made up, distinct in its first 8 digits). */
export function millionSha256(n: number): string {
  let out = hex8(mix(n));
  for (let i = 1; i < 8; i++) out += hex8(mix((n + i * 0x01000193) >>> 0));
  return out;
}

/** The number of the record with this id, or null when it is none of the scenario's. */
export function millionNumber(id: string): number | null {
  const n = parseInt(id.slice(0, 8), 16);
  return Number.isInteger(n) && n >= 1 && n <= MILLION && millionId(n) === id ? n : null;
}

/** Record n as the `records` command lists it. */
export function millionRow(n: number): RecordRow {
  const kind = MILLION_KINDS[n % MILLION_KINDS.length]!;
  const name = millionName(n);
  const status: RecordStatus = n % 10 === 0 ? 'timestamp_pending' : n % 13 === 0 ? 'sealed' : 'timestamped';
  const anchored = status === 'timestamped' && n % 5 !== 0;
  return {
    id: millionId(n),
    kind: 'file',
    name,
    size: 2048 + (mix(n) % 8_000_000),
    file_count: 1,
    media_type: kind[2],
    digests: { sha256: millionSha256(n) },
    stored: true,
    source_path: `/home/ana/Archive/${name}`,
    profile: 'sandbox',
    created_at: new Date(NEWEST_MS - (MILLION - n) * 60_000).toISOString().replace(/\.\d+Z$/, '.000000Z'),
    timestamp_requested: status !== 'sealed',
    status,
    signed: n % 3 !== 0,
    anchored,
    anchor_pending: !anchored && status !== 'sealed',
  };
}

/**
 * Whether record n matches `term` (as `searchTerm` makes it), as `matchesSearch` says, without
 * building the record: the scan of a million stays quick. Names have digits only in their number,
 * so a text without digits matches a name by its kind alone; id and SHA-256 prefixes are compared
 * as numbers.
 */
function matcher(term: string): (n: number) => boolean {
  const hexHead = /^[0-9a-f]+$/.test(term.slice(0, 8)) ? parseInt(term.slice(0, 8), 16) : -1;
  const headLen = Math.min(term.length, 8);
  const idTerm = hexHead >= 0 && /^[0-9a-f-]+$/.test(term) && (term.length <= 8 || term[8] === '-');
  const shaTerm = hexHead >= 0 && /^[0-9a-f]+$/.test(term);
  const scale = 2 ** (32 - 4 * headLen);
  // Ids: n is the first 8 digits, so the numbers whose id starts with the text make one range.
  const idLo = idTerm ? hexHead * scale : 1;
  const idHi = idTerm ? idLo + scale - 1 : 0;
  const idMatch = (n: number) => n >= idLo && n <= idHi && (term.length <= 8 || millionId(n).startsWith(term));
  const shaMatch = (n: number) => {
    const head = mix(n);
    return Math.floor(head / scale) === hexHead && (term.length <= 8 || millionSha256(n).startsWith(term));
  };
  const run = /\d+/.exec(term)?.[0];
  if (run === undefined) {
    const byKind = MILLION_KINDS.map((k) => `${k[0]}-`.includes(term) || `.${k[1]}`.includes(term));
    return (n) => byKind[n % MILLION_KINDS.length]! || (idTerm && idMatch(n)) || (shaTerm && shaMatch(n));
  }
  return (n) => {
    if ((idTerm && idMatch(n)) || (shaTerm && shaMatch(n))) return true;
    const digits = String(n).padStart(7, '0');
    return digits.includes(run) && millionName(n).includes(term);
  };
}

/** One page, newest first, of the records matching `search`, and how many match in all. */
export function millionPage(search: string, offset: number, limit: number): { rows: RecordRow[]; total: number } {
  const term = searchTerm(search);
  const rows: RecordRow[] = [];
  if (term === '') {
    for (let k = offset; k < Math.min(offset + limit, MILLION); k++) rows.push(millionRow(MILLION - k));
    return { rows, total: MILLION };
  }
  const matches = matcher(term);
  let total = 0;
  for (let n = MILLION; n >= 1; n--) {
    if (!matches(n)) continue;
    if (total >= offset && total < offset + limit) rows.push(millionRow(n));
    total += 1;
  }
  return { rows, total };
}
