// Pure record search: free text over name, digest/id prefix and date, plus date range and status filter.

import { formatDate } from './format';
import { deriveBadges } from './badges';

export type StatusFilter = 'all' | 'sealed' | 'timestamp_pending' | 'timestamped' | 'anchored' | 'pending';

export const STATUS_FILTERS: StatusFilter[] = ['all', 'sealed', 'timestamp_pending', 'timestamped', 'anchored', 'pending'];

export interface SearchableRecord {
  id: string;
  name: string;
  created_at: string;
  status: string;
  digests: { [algorithm: string]: string };
  signed?: boolean;
  anchored?: boolean;
  anchor_pending?: boolean;
}

export interface RecordQuery {
  text?: string;
  /** Inclusive first day, "YYYY-MM-DD". */
  from?: string;
  /** Inclusive last day, "YYYY-MM-DD". */
  to?: string;
  status?: StatusFilter;
  /** Zone used to turn instants into days, minutes east of UTC. */
  offsetMinutes?: number;
}

const HEX = /^[0-9a-f]+$/;
const DATE_PREFIX = /^\d{4}(-\d{1,2}(-\d{1,2})?)?$/;

function termMatches(r: SearchableRecord, term: string, day: string): boolean {
  if (r.name.toLowerCase().includes(term)) return true;
  if (DATE_PREFIX.test(term) && day.startsWith(term)) return true;
  const hex = term.replace(/^(sha256|sha512|sm3):/, '');
  if (hex.length >= 4 && HEX.test(hex)) {
    if (Object.values(r.digests).some((d) => d.toLowerCase().startsWith(hex))) return true;
  }
  if (term.length >= 4 && r.id.toLowerCase().startsWith(term)) return true;
  return false;
}

/** Whether one record passes the status filter. */
export function matchesStatus(r: SearchableRecord, status: StatusFilter = 'all'): boolean {
  const { kinds } = deriveBadges(r);
  switch (status) {
    case 'all':
      return true;
    case 'anchored':
      return kinds.includes('anchored');
    case 'pending':
      return kinds.includes('pending');
    default:
      return r.status === status;
  }
}

/** Whether one record matches the query: every word of the text, the date range and the status. */
export function matchesRecord(r: SearchableRecord, q: RecordQuery): boolean {
  const day = formatDate(r.created_at, q.offsetMinutes ?? 0);
  if (q.from && day < q.from) return false;
  if (q.to && day > q.to) return false;
  if (!matchesStatus(r, q.status ?? 'all')) return false;
  const terms = (q.text ?? '').toLowerCase().split(/\s+/).filter((t) => t.length > 0);
  return terms.every((t) => termMatches(r, t, day));
}

/** The records matching the query, newest first. */
export function searchRecords<T extends SearchableRecord>(records: readonly T[], q: RecordQuery): T[] {
  return records
    .filter((r) => matchesRecord(r, q))
    .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}
