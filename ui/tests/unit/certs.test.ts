import { describe, expect, it } from 'vitest';
import { certExpiry } from '../../src/logic/certs';
import ids from '../fixtures/identity-list.json';

const now = new Date('2026-11-29T12:00:00Z');

describe('certExpiry', () => {
  it('is fine for the fixture identity valid until 2036', () => {
    const e = certExpiry(ids.identities[0]!.certificate.not_after, now);
    expect(e.state).toBe('ok');
    expect(e.days).toBeGreaterThan(3600);
  });
  it('warns within 30 days', () => {
    expect(certExpiry('2026-12-11T12:00:00Z', now)).toEqual({ state: 'soon', days: 12 });
    expect(certExpiry('2026-12-29T11:00:00Z', now)).toEqual({ state: 'soon', days: 29 });
    expect(certExpiry('2026-12-29T12:00:00Z', now)).toEqual({ state: 'ok', days: 30 });
  });
  it('says expired once past, with negative days', () => {
    expect(certExpiry('2026-11-29T11:59:59Z', now)).toEqual({ state: 'expired', days: -1 });
    expect(certExpiry('2026-10-25T12:00:00+00:00', now)).toEqual({ state: 'expired', days: -35 });
  });
  it('honours another warning window and unreadable dates', () => {
    expect(certExpiry('2027-01-10T12:00:00Z', now, 60).state).toBe('soon');
    expect(certExpiry('not a date', now)).toEqual({ state: 'unknown', days: null });
  });
});
