// Vault locations as the Settings screen shows them: a folder, or a team vault named by a
// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?folder=/shared/folder` URL — shown, like the
// backend shows it (crates/evidentia/src/vault/location.rs), never with its password.

export type VaultKind = 'folder' | 'team';

/** Whether the text names a PostgreSQL team vault rather than a folder. */
export function isTeamVaultUrl(text: string | null | undefined): boolean {
  return typeof text === 'string' && (text.startsWith('postgres://') || text.startsWith('postgresql://'));
}

/** Which kind of vault a location names. */
export function vaultKind(location: string | null | undefined): VaultKind {
  return isTeamVaultUrl(location) ? 'team' : 'folder';
}

/** What keeps a team vault URL from being used: no `folder`, no database, a bad encoding; or null. */
export type TeamVaultProblem = 'folder' | 'database' | 'encoding';

interface Parsed {
  /** The URL before `?`. */
  base: string;
  /** The parameters other than `folder`, as given. */
  params: string[];
  /** The folder, decoded; null when absent or empty. */
  folder: string | null;
  problem: TeamVaultProblem | null;
}

function parse(url: string): Parsed {
  const q = url.indexOf('?');
  const base = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const params: string[] = [];
  let folder: string | null = null;
  let problem: TeamVaultProblem | null = null;
  for (const pair of query.split('&').filter((p) => p.length > 0)) {
    const eq = pair.indexOf('=');
    if (eq >= 0 && pair.slice(0, eq) === 'folder') {
      const decoded = percentDecode(pair.slice(eq + 1));
      if (decoded === null) problem = 'encoding';
      else folder = decoded;
    } else {
      params.push(pair);
    }
  }
  if (folder === '') folder = null;
  if (!problem && folder === null) problem = 'folder';
  const database = base.split('/').slice(3).join('/');
  if (!problem && database === '') problem = 'database';
  return { base, params, folder, problem };
}

/** Why a team vault URL cannot be used as given, or null when it can (the backend decides for good). */
export function teamVaultProblem(url: string): TeamVaultProblem | null {
  return parse(url).problem;
}

/** The URL without its password and parameters (as the backend's messages show it). */
export function redactUrl(url: string): string {
  const base = url.split('?')[0] ?? url;
  const scheme = base.indexOf('://');
  if (scheme < 0) return base;
  const rest = base.slice(scheme + 3);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  const at = authority.lastIndexOf('@');
  const shownAuthority = at < 0 ? authority : `${authority.slice(0, at).split(':')[0] ?? ''}@${authority.slice(at + 1)}`;
  return `${base.slice(0, scheme)}://${shownAuthority}${path}`;
}

/**
 * A vault location as it may be shown: a folder as it is; a team vault's URL with its parameters
 * and `folder` but without its password (in the user part, or as a `password`/`sslpassword`
 * parameter); a URL that cannot be used, without password and parameters.
 */
export function withoutPassword(location: string): string {
  if (!isTeamVaultUrl(location)) return location;
  const p = parse(location);
  if (p.problem || p.folder === null) return redactUrl(location);
  const params = p.params.filter((pair) => !(pair.split('=')[0] ?? '').endsWith('password'));
  params.push(`folder=${percentEncode(p.folder)}`);
  return `${redactUrl(p.base)}?${params.join('&')}`;
}

const KEEP = /[A-Za-z0-9\-._~/:]/;

/** Percent-encodes all but letters, digits and `-._~/:` (UTF-8). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && KEEP.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Decodes `%XX` escapes (UTF-8); null when they are malformed. */
export function percentDecode(text: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...new TextEncoder().encode(ch));
      i += ch.length;
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return null;
  }
}
