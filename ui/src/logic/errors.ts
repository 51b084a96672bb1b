// Pure mapping of a command rejection to a plain, translatable sentence with what to do next.

export interface AppError {
  code: string;
  message: string;
}

export type ErrorKey =
  | 'error.CANCELLED'
  | 'error.RECORD_NOT_FOUND'
  | 'error.RECORD_AMBIGUOUS'
  | 'error.VAULT_LOCKED'
  | 'error.VAULT_MISSING'
  | 'error.VAULT_NEWER'
  | 'error.VAULT_CORRUPT'
  | 'error.VAULT_DISK_FULL'
  | 'error.VAULT_BAD_URL'
  | 'error.VAULT_UNREACHABLE'
  | 'error.VAULT'
  | 'error.WRONG_PASSWORD'
  | 'error.WEAK_PASSWORD'
  | 'error.IDENTITY_EXISTS'
  | 'error.IDENTITY_EXPIRED'
  | 'error.IDENTITY'
  | 'error.TOKEN_ABSENT'
  | 'error.TOKEN'
  | 'error.SERVICE'
  | 'error.PACKAGE_HOSTILE'
  | 'error.PACKAGE'
  | 'error.NOT_GRANTED'
  | 'error.INPUT_NOT_FOUND'
  | 'error.INPUT_CHANGED'
  | 'error.INPUT'
  | 'error.CONFIG'
  | 'error.USAGE'
  | 'error.JOB_RUNNING'
  | 'error.ORIGINAL_GONE'
  | 'error.NO_REPORT'
  | 'error.BAD_LEVEL'
  | 'error.PDF_NEEDS_TSA'
  | 'error.PDF_TIMESTAMP'
  | 'error.PDF'
  | 'error.CASE_EXISTS'
  | 'error.CASE_NOT_FOUND'
  | 'error.CASE_NAME';

const EXACT: { [code: string]: ErrorKey } = {
  CANCELLED: 'error.CANCELLED',
  RECORD_NOT_FOUND: 'error.RECORD_NOT_FOUND',
  RECORD_ID_AMBIGUOUS: 'error.RECORD_AMBIGUOUS',
  NO_VAULT: 'error.VAULT_MISSING',
  VAULT_MISSING: 'error.VAULT_MISSING',
  VAULT_LOCKED: 'error.VAULT_LOCKED',
  VAULT_NEWER_SCHEMA: 'error.VAULT_NEWER',
  VAULT_CORRUPT: 'error.VAULT_CORRUPT',
  VAULT_DISK_FULL: 'error.VAULT_DISK_FULL',
  VAULT_BAD_URL: 'error.VAULT_BAD_URL',
  VAULT_UNREACHABLE: 'error.VAULT_UNREACHABLE',
  VAULT_BAD_ROW: 'error.VAULT_CORRUPT',
  PKCS12_BAD_PASSWORD: 'error.WRONG_PASSWORD',
  WRONG_PASSWORD: 'error.WRONG_PASSWORD',
  IDENTITY_WRONG_PASSWORD: 'error.WRONG_PASSWORD',
  TOKEN_PIN_INCORRECT: 'error.WRONG_PASSWORD',
  TOKEN_PIN_FINAL_TRY: 'error.WRONG_PASSWORD',
  IDENTITY_WEAK_PASSWORD: 'error.WEAK_PASSWORD',
  IDENTITY_EXISTS: 'error.IDENTITY_EXISTS',
  IDENTITY_CERT_NOT_VALID_NOW: 'error.IDENTITY_EXPIRED',
  TOKEN_ABSENT: 'error.TOKEN_ABSENT',
  TOKEN_REMOVED: 'error.TOKEN_ABSENT',
  PACKAGE_HOSTILE: 'error.PACKAGE_HOSTILE',
  NOT_GRANTED: 'error.NOT_GRANTED',
  PATH_NOT_GRANTED: 'error.NOT_GRANTED',
  INPUT_NOT_FOUND: 'error.INPUT_NOT_FOUND',
  INPUT_CHANGED: 'error.INPUT_CHANGED',
  NO_TSA_CONFIGURED: 'error.CONFIG',
  USAGE: 'error.USAGE',
  JOB_RUNNING: 'error.JOB_RUNNING',
  ORIGINAL_GONE: 'error.ORIGINAL_GONE',
  NO_REPORT: 'error.NO_REPORT',
  BAD_LEVEL: 'error.BAD_LEVEL',
  TSA_NOT_CONFIGURED: 'error.PDF_NEEDS_TSA',
  PDF_TIMESTAMP_FAILED: 'error.PDF_TIMESTAMP',
  NOT_PDF: 'error.PDF',
  CASE_EXISTS: 'error.CASE_EXISTS',
  CASE_NOT_FOUND: 'error.CASE_NOT_FOUND',
  CASE_NAME_INVALID: 'error.CASE_NAME',
};

const PREFIXES: [string, ErrorKey][] = [
  ['VAULT_', 'error.VAULT'],
  ['IDENTITY_', 'error.IDENTITY'],
  ['PKCS12_', 'error.IDENTITY'],
  ['TOKEN_', 'error.TOKEN'],
  ['TSA_', 'error.SERVICE'],
  ['CALENDAR_', 'error.SERVICE'],
  ['CHAIN_', 'error.SERVICE'],
  ['OTS_', 'error.SERVICE'],
  ['PACKAGE_', 'error.PACKAGE'],
  ['MIMETYPE_', 'error.PACKAGE'],
  ['MANIFEST_', 'error.PACKAGE'],
  ['EVIDENCE_', 'error.PACKAGE'],
  ['INPUT_', 'error.INPUT'],
  ['CONFIG_', 'error.CONFIG'],
  ['EVIDENTIA_', 'error.CONFIG'],
  ['PDF_', 'error.PDF'],
];

/** The dictionary key for a code, or null when the code is unknown (show its message). */
export function errorKey(code: string | null | undefined): ErrorKey | null {
  if (!code) return null;
  const upper = code.toUpperCase();
  const exact = EXACT[upper];
  if (exact) return exact;
  for (const [prefix, key] of PREFIXES) if (upper.startsWith(prefix)) return key;
  return null;
}

/** Whether the failure is a service that Evidentia retries by itself. */
export function isRetryable(code: string | null | undefined): boolean {
  return errorKey(code) === 'error.SERVICE';
}

/** Any rejection value as `{ code, message }`. */
export function toAppError(e: unknown): AppError {
  if (e && typeof e === 'object') {
    const o = e as { code?: unknown; message?: unknown; error?: unknown };
    if (o.error && typeof o.error === 'object') return toAppError(o.error);
    const code = typeof o.code === 'string' && o.code ? o.code : 'UNKNOWN';
    const message = typeof o.message === 'string' ? o.message : e instanceof Error ? e.message : JSON.stringify(e);
    return { code, message };
  }
  if (typeof e === 'string') {
    try {
      const parsed: unknown = JSON.parse(e);
      if (parsed && typeof parsed === 'object' && 'code' in parsed) return toAppError(parsed);
    } catch {
      /* not JSON: the text is the message */
    }
    return { code: 'UNKNOWN', message: e };
  }
  return { code: 'UNKNOWN', message: String(e) };
}

/**
 * The sentence to show: the translation of the code's key when known, else the core's message.
 * `translate` looks a key up in the current language.
 */
export function describeError(e: unknown, translate: (key: ErrorKey) => string): { code: string; text: string; known: boolean } {
  const err = toAppError(e);
  const key = errorKey(err.code);
  if (key) return { code: err.code, text: translate(key), known: true };
  return { code: err.code, text: err.message || err.code, known: false };
}
