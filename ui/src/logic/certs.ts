// Pure certificate expiry check: expired, expiring within 30 days, or fine.

export type ExpiryState = 'expired' | 'soon' | 'ok' | 'unknown';

export interface Expiry {
  state: ExpiryState;
  /** Whole days left (negative once expired), null when the date is unreadable. */
  days: number | null;
}

const DAY_MS = 86_400_000;

/** How close `notAfter` is to `now`; "soon" means within `warnDays` (30 by default). */
export function certExpiry(notAfter: string, now: Date = new Date(), warnDays = 30): Expiry {
  const end = Date.parse(notAfter);
  if (Number.isNaN(end)) return { state: 'unknown', days: null };
  const diff = end - now.getTime();
  if (diff <= 0) return { state: 'expired', days: Math.floor(diff / DAY_MS) };
  const days = Math.floor(diff / DAY_MS);
  return { state: days < warnDays ? 'soon' : 'ok', days };
}
