import { describe, expect, it } from 'vitest';
import { matchesSearch, newestFirst, searchTerm, type SearchableRecord } from '../../src/logic/search';
import vault from '../fixtures/vault-list.json';

const contract: SearchableRecord = vault.records[0]!;
const photos: SearchableRecord = {
  id: '01a2286a-0c11-7a3e-9d0b-5b1f3c2e7a10',
  name: 'Photos — Spring 2026',
  digests: { sha256: 'a7186400c1928c13', sm3: '99aa0011bbcc' },
};
const invoice: SearchableRecord = { id: '01a2286b-77a0-7c42-8e11-0f4a2b6c9d21', name: 'Invoice_0457.PDF', digests: { sha256: '4f3969c1be60' } };
const all = [contract, photos, invoice];
const names = (text: string) => all.filter((r) => matchesSearch(r, text)).map((r) => r.name);

describe('searchTerm', () => {
  it('trims and lowers the case, keeping every character', () => {
    expect(searchTerm('  Invoice  ')).toBe('invoice');
    expect(searchTerm('A%b_C\\d')).toBe('a%b_c\\d');
    expect(searchTerm(undefined)).toBe('');
  });
});

describe('matchesSearch (the vault’s search)', () => {
  it('matches everything with an empty or blank text', () => {
    expect(names('')).toHaveLength(3);
    expect(names('   ')).toHaveLength(3);
  });
  it('matches a part of the name in any case', () => {
    expect(names('INVOICE')).toEqual(['Invoice_0457.PDF']);
    expect(names('spring 2026')).toEqual(['Photos — Spring 2026']);
    expect(names('.txt')).toEqual(['contract.txt']);
  });
  it('matches the start of the id, not its middle', () => {
    expect(names('01a2286b')).toEqual(['Invoice_0457.PDF']);
    expect(names('01A2286A-0C11')).toEqual(['Photos — Spring 2026']);
    expect(names('7a3e')).toEqual([]);
  });
  it('matches the start of the SHA-256 only (not other algorithms, not its middle)', () => {
    expect(names('ef30c41e')).toEqual(['contract.txt']);
    expect(names('4F39')).toEqual(['Invoice_0457.PDF']);
    expect(names('99aa00')).toEqual([]);
    expect(names('54cb97')).toEqual([]);
  });
  it('reads "%" and "_" in a name as the vault\'s LIKE does: any run, any one character', () => {
    expect(names('invoice_0457')).toEqual(['Invoice_0457.PDF']);
    expect(names('%photos%')).toEqual(['Photos — Spring 2026']);
    expect(names('ph_tos')).toEqual(['Photos — Spring 2026']);
    expect(names('ph%spring')).toEqual(['Photos — Spring 2026']);
    expect(names('(.*)')).toEqual([]);
  });
});

describe('newestFirst', () => {
  it('orders by sealing time, then id, both descending', () => {
    const rs = [
      { id: 'a', created_at: '2026-11-27T09:00:00Z' },
      { id: 'b', created_at: '2026-11-29T09:00:00Z' },
      { id: 'c', created_at: '2026-11-27T09:00:00Z' },
    ];
    expect([...rs].sort(newestFirst).map((r) => r.id)).toEqual(['b', 'c', 'a']);
  });
});
