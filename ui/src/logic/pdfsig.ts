// Pure logic of signatures inside PDFs (PAdES): which files are PDFs, the seal request's `pades`
// object, and a verify_pdf report turned into rows to show.

import type { Check, PadesLevel, PadesRequest, PdfReport, SignedPdf, TotalResult } from '../api';

/** The levels offered, weakest first. */
export const PADES_LEVELS: readonly PadesLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

/** The level offered first: a signature time-stamp proves when. */
export const DEFAULT_PADES_LEVEL: PadesLevel = 'B-T';

/** Whether a path names a PDF (by its name: ends with .pdf, any case). */
export function isPdfPath(path: string | null | undefined): boolean {
  return /\.pdf$/i.test(path ?? '');
}

/** A level from text (`b-lta`, `PAdES-B-T`), or null when it is none of the four. */
export function parseLevel(text: string | null | undefined): PadesLevel | null {
  const t = (text ?? '').trim().toUpperCase().replace(/^PADES-/, '');
  return (PADES_LEVELS as readonly string[]).includes(t) ? (t as PadesLevel) : null;
}

/**
 * The seal request's `pades` object: null unless signing inside PDFs is asked for with an identity;
 * an unknown level falls back to the default; a blank reason is none.
 */
export function padesRequest(enabled: boolean, identity: string | null | undefined, level: string, reason: string): PadesRequest | null {
  if (!enabled || !identity) return null;
  const r = reason.trim();
  return { level: parseLevel(level) ?? DEFAULT_PADES_LEVEL, reason: r === '' ? null : r };
}

/** One signature or document time-stamp of a PDF, ready to show. */
export interface PdfSigRow {
  field: string;
  kind: 'signature' | 'document-timestamp';
  /** PAdES level (signatures that verified), else null. */
  level: PadesLevel | null;
  /** The signer's subject (signatures), else null. */
  signer: string | null;
  /** The time-stamp authority's subject, when time-stamped. */
  tsa: string | null;
  /** The time the time-stamp proves (RFC 3339), else null. */
  time: string | null;
  result: TotalResult;
  /** The checks that did not pass (failed first), with their details. */
  problems: Check[];
  /** What changed after signing that signing rules do not allow ("page 1 was changed (Contents)"). */
  disallowed: string[];
  /** A certification signature: what it permits later revisions ("DocMDP P=2: …"), else null. */
  certification: string | null;
  /** The fields it locks against later changes (FieldMDP), else null. */
  lockedFields: string | null;
  /** What the revocation data says of its certificates; empty when not checked. */
  revocation: string[];
}

function rank(verdict: string): number {
  return verdict === 'FAILED' ? 0 : verdict === 'INDETERMINATE' ? 1 : 2;
}

/** The rows of a verify_pdf report, in file order. */
export function pdfSignatureRows(report: PdfReport | null | undefined): PdfSigRow[] {
  return (report?.signatures ?? []).map((s) => ({
    field: s.field,
    kind: s.kind,
    level: s.level ?? null,
    signer: s.signer?.subject ?? null,
    tsa: s.timestamp?.tsa_subject ?? null,
    time: s.timestamp?.gen_time ?? null,
    result: s.result,
    problems: s.checks.filter((c) => c.verdict !== 'PASSED').sort((a, b) => rank(a.verdict) - rank(b.verdict)),
    disallowed: s.changes.filter((c) => !c.allowed).map((c) => c.what),
    certification: s.certification ?? null,
    lockedFields: s.locked_fields ?? null,
    revocation: s.revocation ?? [],
  }));
}

/** The signed copies of a seal report, each with its path and level. */
export function signedCopies(report: { signed_pdfs?: SignedPdf[] | null } | null | undefined): { output: string; level: PadesLevel; field: string }[] {
  return (report?.signed_pdfs ?? []).map((s) => ({ output: s.output, level: s.level, field: s.field }));
}
