// Pure reading of a PKCS#11 module listing: the tokens present and the keys a user can pick.

export interface TokenObjectLike {
  class: string;
  label: string;
  subject?: string;
  key_type?: string;
}

export interface TokenSlotLike {
  slot: number;
  description: string;
  token: { label: string; manufacturer: string; model: string; pin_locked?: boolean; objects: TokenObjectLike[] } | null;
}

export interface KeyChoice {
  label: string;
  /** What to show: the label, with the certificate subject or key type when known. */
  text: string;
}

/** The slots that hold a token. */
export function presentTokens<T extends TokenSlotLike>(slots: readonly T[]): (T & { token: NonNullable<T['token']> })[] {
  return slots.filter((s): s is T & { token: NonNullable<T['token']> } => s.token !== null);
}

/**
 * The keys on a token by label, once each: private keys and certificates (a key and its
 * certificate usually share a label), private keys first.
 */
export function keyChoices(objects: readonly TokenObjectLike[]): KeyChoice[] {
  const order = (c: string) => (c === 'private key' ? 0 : c === 'certificate' ? 1 : 2);
  const seen = new Map<string, KeyChoice>();
  for (const o of [...objects].sort((a, b) => order(a.class) - order(b.class))) {
    if (!o.label || order(o.class) === 2) continue;
    const existing = seen.get(o.label);
    const extra = o.subject ?? o.key_type;
    if (!existing) seen.set(o.label, { label: o.label, text: extra ? `${o.label} — ${extra}` : o.label });
    else if (o.subject && !existing.text.includes(o.subject)) existing.text = `${o.label} — ${o.subject}`;
  }
  return [...seen.values()];
}
