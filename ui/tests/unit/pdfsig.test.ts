import { describe, expect, it } from 'vitest';
import type { PdfReport, SealReport } from '../../src/api';
import { DEFAULT_PADES_LEVEL, PADES_LEVELS, isPdfPath, padesRequest, parseLevel, pdfSignatureRows, signedCopies } from '../../src/logic/pdfsig';
import passedFixture from '../fixtures/pdf-verify.json';
import failedFixture from '../fixtures/pdf-verify-failed.json';
import sealFixture from '../fixtures/seal.json';

const passed = passedFixture as unknown as PdfReport;
const failed = failedFixture as unknown as PdfReport;

describe('isPdfPath', () => {
  it('goes by the name, any case', () => {
    expect(isPdfPath('/home/ana/contract.pdf')).toBe(true);
    expect(isPdfPath('C:\\Users\\ana\\CONTRACT.PDF')).toBe(true);
    expect(isPdfPath('/tmp/合同-签署版.Pdf')).toBe(true);
  });
  it('refuses other files', () => {
    expect(isPdfPath('/home/ana/evidence.asice')).toBe(false);
    expect(isPdfPath('/home/ana/contract.pdf.txt')).toBe(false);
    expect(isPdfPath('/home/ana/pdf')).toBe(false);
    expect(isPdfPath('')).toBe(false);
    expect(isPdfPath(null)).toBe(false);
  });
});

describe('parseLevel and padesRequest', () => {
  it('offers the four levels, B-T first chosen', () => {
    expect(PADES_LEVELS).toEqual(['B-B', 'B-T', 'B-LT', 'B-LTA']);
    expect(DEFAULT_PADES_LEVEL).toBe('B-T');
  });
  it('reads levels as the core does', () => {
    expect(parseLevel('b-lta')).toBe('B-LTA');
    expect(parseLevel(' PAdES-B-T ')).toBe('B-T');
    expect(parseLevel('B-X')).toBeNull();
    expect(parseLevel(undefined)).toBeNull();
  });
  it('asks for nothing unless enabled with an identity', () => {
    expect(padesRequest(false, 'alice', 'B-T', '')).toBeNull();
    expect(padesRequest(true, '', 'B-T', '')).toBeNull();
    expect(padesRequest(true, null, 'B-T', '')).toBeNull();
  });
  it('sends the level and a trimmed reason, none when blank', () => {
    expect(padesRequest(true, 'alice', 'B-LTA', '  Approved  ')).toEqual({ level: 'B-LTA', reason: 'Approved' });
    expect(padesRequest(true, 'alice', 'B-B', '   ')).toEqual({ level: 'B-B', reason: null });
    expect(padesRequest(true, 'alice', 'nonsense', '同意')).toEqual({ level: 'B-T', reason: '同意' });
  });
});

describe('pdfSignatureRows', () => {
  it('gives one row per signature and document time-stamp, in file order', () => {
    const rows = pdfSignatureRows(passed);
    expect(rows.map((r) => [r.field, r.kind, r.level, r.result])).toEqual([
      ['Signature1', 'signature', 'B-LTA', 'TOTAL-PASSED'],
      ['Signature2', 'signature', 'B-LTA', 'TOTAL-PASSED'],
      ['DocTimeStamp1', 'document-timestamp', null, 'TOTAL-PASSED'],
    ]);
  });
  it('names the signer, the TSA and the time-stamp time', () => {
    const [first, , doc] = pdfSignatureRows(passed);
    expect(first!.signer).toBe('CN=Ana Li,O=Li & Partners Law Firm,L=Shanghai,C=CN');
    expect(first!.time).toBe('2026-11-29T17:45:48Z');
    expect(first!.tsa).toBe('CN=Evidentia Sandbox TSA,O=Evidentia Sandbox');
    expect(doc!.signer).toBeNull();
    expect(doc!.time).toBe('2026-11-30T09:12:14Z');
  });
  it('has no problems or disallowed changes when everything passed (allowed changes are left out)', () => {
    for (const r of pdfSignatureRows(passed)) {
      expect(r.problems).toEqual([]);
      expect(r.disallowed).toEqual([]);
    }
  });
  it('gives the failing check and the disallowed changes of a modified PDF', () => {
    const [row] = pdfSignatureRows(failed);
    expect(row!.result).toBe('TOTAL-FAILED');
    expect(row!.level).toBe('B-T');
    expect(row!.problems.map((c) => [c.check, c.verdict, c.reason])).toEqual([['modifications', 'FAILED', 'MODIFIED_AFTER_SIGNING']]);
    expect(row!.problems[0]!.detail).toContain('page 1 was changed (Contents)');
    expect(row!.disallowed).toEqual(['page 1 was changed (Contents)', 'an object (stream) was added that no signature needs']);
  });
  it('puts failed checks before indeterminate ones', () => {
    const report = structuredClone(failed);
    const sig = report.signatures[0]!;
    sig.checks[1] = { ...sig.checks[1]!, verdict: 'INDETERMINATE', reason: 'NO_TRUSTED_ROOT' };
    const [row] = pdfSignatureRows(report);
    expect(row!.problems.map((c) => c.verdict)).toEqual(['FAILED', 'INDETERMINATE']);
  });
  it('states the certification, the locked fields and the revocation status when the report has them', () => {
    expect(pdfSignatureRows(passed).map((r) => [r.certification, r.lockedFields, r.revocation])).toEqual([
      [null, null, []],
      [null, null, []],
      [null, null, []],
    ]);
    const report = structuredClone(passed);
    const sig = report.signatures[0]!;
    sig.certification = 'DocMDP P=2: form filling, signing and document time-stamps';
    sig.locked_fields = 'Amount';
    sig.revocation = ['CN=Ana Li: not revoked at 2026-11-29T17:45:48Z (CRL of CN=Li CA, 2026-11-29)'];
    const [row] = pdfSignatureRows(report);
    expect(row!.certification).toContain('DocMDP P=2');
    expect(row!.lockedFields).toBe('Amount');
    expect(row!.revocation).toEqual(['CN=Ana Li: not revoked at 2026-11-29T17:45:48Z (CRL of CN=Li CA, 2026-11-29)']);
  });
  it('has no rows for a PDF without signatures, or no report', () => {
    expect(pdfSignatureRows({ ...passed, signatures: [], result: 'INDETERMINATE' })).toEqual([]);
    expect(pdfSignatureRows(null)).toEqual([]);
  });
  it('copes with a signature that did not verify (no signer, no level, no time-stamp)', () => {
    const report = structuredClone(failed);
    const sig = report.signatures[0]!;
    delete sig.signer;
    delete sig.level;
    delete sig.timestamp;
    const [row] = pdfSignatureRows(report);
    expect([row!.signer, row!.level, row!.time, row!.tsa]).toEqual([null, null, null, null]);
  });
});

describe('signedCopies', () => {
  it('lists each signed copy with its level', () => {
    const report = structuredClone(sealFixture) as unknown as SealReport;
    expect(signedCopies(report)).toEqual([]);
    report.signed_pdfs = [
      {
        output: '/home/ana/contract-signed.pdf',
        field: 'Signature1',
        level: 'B-LTA',
        signer: passed.signatures[0]!.signer!,
        timestamp: null,
        document_timestamp: null,
        sha256: 'ab',
        size: 10,
      },
    ];
    expect(signedCopies(report)).toEqual([{ output: '/home/ana/contract-signed.pdf', level: 'B-LTA', field: 'Signature1' }]);
    expect(signedCopies(null)).toEqual([]);
  });
});
