import { describe, expect, it } from 'vitest';
import { deriveBadges, pendingLabelKey } from '../../src/logic/badges';
import seal from '../fixtures/seal.json';
import vault from '../fixtures/vault-list.json';
import record from '../fixtures/record.json';

describe('deriveBadges', () => {
  it('reads a sealed record from the seal report', () => {
    const r = seal.records[0]!;
    expect(deriveBadges(r)).toEqual({ kinds: ['signed', 'timestamped'], pending: [] });
  });
  it('reads a vault row with its booleans', () => {
    const row = { ...vault.records[0]!, signed: true, anchored: false, anchor_pending: true };
    expect(deriveBadges(row)).toEqual({ kinds: ['signed', 'timestamped', 'pending'], pending: ['anchor'] });
  });
  it('reads a record detail (signatures list, inclusion)', () => {
    expect(deriveBadges(record).kinds).toEqual(['signed', 'timestamped']);
    expect(deriveBadges({ ...record, inclusion: { anchor: { tx_hash: '0x1' } } }).kinds).toEqual(['signed', 'timestamped', 'anchored']);
    expect(deriveBadges({ ...record, signatures: [] }).kinds).toEqual(['timestamped']);
  });
  it('marks a pending time-stamp and an already sealed file', () => {
    const r = { ...seal.records[0]!, status: 'timestamp_pending', signature: null, already_sealed: true };
    expect(deriveBadges(r)).toEqual({ kinds: ['pending', 'already'], pending: ['timestamp'] });
  });
  it('does not call an anchored record anchor-pending', () => {
    expect(deriveBadges({ status: 'timestamped', signed: false, anchored: true, anchor_pending: true })).toEqual({ kinds: ['timestamped', 'anchored'], pending: [] });
  });
  it('calls a record with no time-stamp, none awaited, untimestamped', () => {
    expect(deriveBadges({ status: 'sealed' })).toEqual({ kinds: ['untimestamped'], pending: [] });
    expect(deriveBadges({ status: 'sealed', signed: true })).toEqual({ kinds: ['signed', 'untimestamped'], pending: [] });
    expect(deriveBadges({ status: 'timestamp_pending' }).kinds).not.toContain('untimestamped');
  });
  it('labels the pending badge by what is awaited first', () => {
    expect(pendingLabelKey(['timestamp', 'anchor'])).toBe('badge.pending.timestampLabel');
    expect(pendingLabelKey(['anchor'])).toBe('badge.pending.anchorLabel');
  });
});
