// Pure derivation of the proof badges shown for a record row or a freshly sealed record.

export type BadgeKind = 'signed' | 'timestamped' | 'anchored' | 'pending' | 'untimestamped' | 'already';

export interface BadgeSource {
  status?: string;
  signed?: boolean;
  anchored?: boolean;
  anchor_pending?: boolean;
  already_sealed?: boolean;
  signature?: unknown;
  signatures?: unknown[];
  inclusion?: { anchor?: unknown } | null;
}

export interface Badges {
  kinds: BadgeKind[];
  /** What is still awaited when `pending` is among the kinds. */
  pending: ('timestamp' | 'anchor')[];
}

/**
 * The badges of a record, in display order. A record with no time-stamp that none is awaited for
 * is `untimestamped` (its badge says why when no time-stamping service is configured).
 */
export function deriveBadges(r: BadgeSource): Badges {
  const kinds: BadgeKind[] = [];
  const signed = r.signed ?? (r.signature != null || (Array.isArray(r.signatures) && r.signatures.length > 0));
  if (signed) kinds.push('signed');
  if (r.status === 'timestamped') kinds.push('timestamped');
  const anchored = r.anchored ?? (r.inclusion != null && r.inclusion.anchor != null);
  if (anchored) kinds.push('anchored');
  const pending: ('timestamp' | 'anchor')[] = [];
  if (r.status === 'timestamp_pending') pending.push('timestamp');
  if (r.anchor_pending && !anchored) pending.push('anchor');
  if (pending.length > 0) kinds.push('pending');
  if (r.status === 'sealed') kinds.push('untimestamped');
  if (r.already_sealed) kinds.push('already');
  return { kinds, pending };
}

/** The label of the pending badge: what is awaited first. */
export function pendingLabelKey(pending: ('timestamp' | 'anchor')[]): 'badge.pending.timestampLabel' | 'badge.pending.anchorLabel' {
  return pending.includes('timestamp') ? 'badge.pending.timestampLabel' : 'badge.pending.anchorLabel';
}
