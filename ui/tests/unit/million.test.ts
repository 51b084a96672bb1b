import { describe, expect, it } from 'vitest';
import { MILLION, MILLION_KINDS, millionId, millionName, millionNumber, millionPage, millionRow } from '../../src/mock/million';
import { matchesSearch } from '../../src/logic/search';

/** How many records n in 1..MILLION have n % 7 === r. */
const kindCount = (r: number) => Math.floor((MILLION - r) / 7) + (r === 0 ? 0 : 1);

describe('the mock’s million-record vault', () => {
  it('answers one page, newest first, without a search', () => {
    const p = millionPage('', 0, 100);
    expect(p.total).toBe(MILLION);
    expect(p.rows).toHaveLength(100);
    expect(p.rows[0]!.name).toBe(millionName(MILLION));
    expect(p.rows[99]!.name).toBe(millionName(MILLION - 99));
    const dates = p.rows.map((r) => r.created_at);
    expect([...dates].sort().reverse()).toEqual(dates);
    const next = millionPage('', 100, 100);
    expect(next.rows[0]!.id).toBe(millionId(MILLION - 100));
    expect(millionPage('', MILLION - 10, 100).rows).toHaveLength(10);
  });
  it('gives every record a distinct id it can be found by again', () => {
    const ids = new Set<string>();
    for (const n of [1, 2, 7, 999_999, MILLION]) {
      const r = millionRow(n);
      expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(r.digests['sha256']).toMatch(/^[0-9a-f]{64}$/);
      expect(millionNumber(r.id)).toBe(n);
      ids.add(r.id);
    }
    expect(ids.size).toBe(5);
    expect(millionNumber('01a22869-bdfe-749d-844d-927c4c792066')).toBeNull();
  });
  it('searches names, ids and SHA-256 prefixes as the vault does, with the right totals', () => {
    const invoice = millionPage('Invoice', 0, 100);
    expect(invoice.total).toBe(kindCount(MILLION_KINDS.findIndex((k) => k[0] === 'invoice')));
    expect(invoice.rows).toHaveLength(100);
    expect(invoice.rows.every((r) => r.name.startsWith('invoice-'))).toBe(true);
    const few = millionPage('photo-09999', 0, 100);
    expect(few.rows.map((r) => r.name)).toEqual(few.rows.map((r) => r.name).filter((n) => /^photo-09999\d\d\.jpg$/.test(n)));
    expect(few.total).toBe(few.rows.length);
    expect(few.total).toBeGreaterThan(10);
    const row = millionRow(123_456);
    expect(millionPage(row.id.slice(0, 13), 0, 100).rows.map((r) => r.id)).toEqual([row.id]);
    expect(millionPage(row.digests['sha256']!.slice(0, 10), 0, 100).rows.map((r) => r.id)).toEqual([row.id]);
    expect(millionPage('no such record', 0, 100)).toEqual({ rows: [], total: 0 });
  });
  it('agrees with matchesSearch on every record of a sample', () => {
    for (const text of ['0999', 'scan-00000', 'a1', 'f4240', '.wav']) {
      const page = millionPage(text, 0, 1000);
      for (const r of page.rows) expect(matchesSearch(r, text), `${text} ${r.name}`).toBe(true);
      for (let n = MILLION; n > MILLION - 300; n--) {
        const r = millionRow(n);
        if (matchesSearch(r, text) && page.total <= 1000) expect(page.rows.some((x) => x.id === r.id), `${text} ${r.name}`).toBe(true);
      }
    }
  });
  it('searches the whole million quickly enough for a mock', () => {
    const t0 = performance.now();
    millionPage('letter', 500, 100);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
