import { describe, expect, it } from 'vitest';
import { matchesStatus, searchRecords, type SearchableRecord } from '../../src/logic/search';
import vault from '../fixtures/vault-list.json';

const contract: SearchableRecord = { ...vault.records[0]!, signed: true, anchored: false, anchor_pending: false };
const photos: SearchableRecord = {
  id: '01a2286a-0c11-7a3e-9d0b-5b1f3c2e7a10',
  name: 'Photos — Spring 2026',
  created_at: '2026-11-27T09:12:03Z',
  status: 'timestamped',
  digests: { sha256: 'a7186400c1928c13', sm3: '99aa0011bbcc' },
  anchored: true,
};
const invoice: SearchableRecord = {
  id: '01a2286b-77a0-7c42-8e11-0f4a2b6c9d21',
  name: 'Invoice-0457.PDF',
  created_at: '2026-11-29T23:30:00Z',
  status: 'timestamp_pending',
  digests: { sha256: '4f3969c1be60' },
  anchor_pending: true,
};
const all = [contract, photos, invoice];
const names = (rs: SearchableRecord[]) => rs.map((r) => r.name);

describe('searchRecords', () => {
  it('lists everything newest first with an empty query', () => {
    expect(names(searchRecords(all, {}))).toEqual(['Invoice-0457.PDF', 'contract.txt', 'Photos — Spring 2026']);
  });
  it('matches names case-insensitively, every word', () => {
    expect(names(searchRecords(all, { text: 'invoice' }))).toEqual(['Invoice-0457.PDF']);
    expect(names(searchRecords(all, { text: 'photos spring' }))).toEqual(['Photos — Spring 2026']);
    expect(names(searchRecords(all, { text: 'photos autumn' }))).toEqual([]);
  });
  it('matches a digest prefix of any algorithm, with or without its name', () => {
    expect(names(searchRecords(all, { text: 'EF30C41E' }))).toEqual(['contract.txt']);
    expect(names(searchRecords(all, { text: 'sha256:4f39' }))).toEqual(['Invoice-0457.PDF']);
    expect(names(searchRecords(all, { text: '99aa00' }))).toEqual(['Photos — Spring 2026']);
    expect(names(searchRecords(all, { text: '54cb97' }))).toEqual([]);
  });
  it('ignores digest prefixes shorter than 4 characters (they would match anything)', () => {
    expect(names(searchRecords(all, { text: 'ef3' }))).toEqual([]);
  });
  it('matches a record id prefix', () => {
    expect(names(searchRecords(all, { text: '01a2286b' }))).toEqual(['Invoice-0457.PDF']);
  });
  it('matches a date typed in the box, in the local zone', () => {
    expect(names(searchRecords(all, { text: '2026-11-29' }))).toEqual(['Invoice-0457.PDF', 'contract.txt']);
    expect(names(searchRecords(all, { text: '2026-11-30', offsetMinutes: 480 }))).toEqual(['Invoice-0457.PDF', 'contract.txt']);
    expect(names(searchRecords(all, { text: '2026-11' }))).toHaveLength(3);
  });
  it('applies an inclusive date range', () => {
    expect(names(searchRecords(all, { from: '2026-11-28' }))).toEqual(['Invoice-0457.PDF', 'contract.txt']);
    expect(names(searchRecords(all, { to: '2026-11-27' }))).toEqual(['Photos — Spring 2026']);
    expect(names(searchRecords(all, { from: '2026-11-29', to: '2026-11-29' }))).toEqual(['Invoice-0457.PDF', 'contract.txt']);
    expect(names(searchRecords(all, { from: '2026-11-30', to: '2026-11-30', offsetMinutes: 480 }))).toEqual(['Invoice-0457.PDF', 'contract.txt']);
  });
  it('filters by status', () => {
    expect(names(searchRecords(all, { status: 'timestamped' }))).toEqual(['contract.txt', 'Photos — Spring 2026']);
    expect(names(searchRecords(all, { status: 'timestamp_pending' }))).toEqual(['Invoice-0457.PDF']);
    expect(names(searchRecords(all, { status: 'anchored' }))).toEqual(['Photos — Spring 2026']);
    expect(names(searchRecords(all, { status: 'pending' }))).toEqual(['Invoice-0457.PDF']);
    expect(names(searchRecords(all, { status: 'sealed' }))).toEqual([]);
    expect(names(searchRecords(all, { status: 'timestamped', text: 'contract' }))).toEqual(['contract.txt']);
  });
  it('does not change the input order', () => {
    const copy = [...all];
    searchRecords(all, {});
    expect(all).toEqual(copy);
  });
  it('matchesStatus: all passes everything', () => {
    expect(all.every((r) => matchesStatus(r, 'all'))).toBe(true);
  });
});
