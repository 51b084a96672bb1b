import { describe, expect, it } from 'vitest';
import { describeError, errorKey, isRetryable, toAppError } from '../../src/logic/errors';
import { DICTIONARIES, translate } from '../../src/i18n';
import notFound from '../fixtures/error-record-not-found.json';

describe('errorKey', () => {
  it.each([
    ['CANCELLED', 'error.CANCELLED'],
    ['RECORD_NOT_FOUND', 'error.RECORD_NOT_FOUND'],
    ['NO_VAULT', 'error.VAULT_MISSING'],
    ['VAULT_MISSING', 'error.VAULT_MISSING'],
    ['VAULT_LOCKED', 'error.VAULT_LOCKED'],
    ['VAULT_DISK_FULL', 'error.VAULT_DISK_FULL'],
    ['VAULT_BAD_URL', 'error.VAULT_BAD_URL'],
    ['VAULT_UNREACHABLE', 'error.VAULT_UNREACHABLE'],
    ['VAULT_IO', 'error.VAULT'],
    ['VAULT_SOMETHING_NEW', 'error.VAULT'],
    ['PKCS12_BAD_PASSWORD', 'error.WRONG_PASSWORD'],
    ['WRONG_PASSWORD', 'error.WRONG_PASSWORD'],
    ['IDENTITY_WRONG_PASSWORD', 'error.WRONG_PASSWORD'],
    ['TOKEN_PIN_INCORRECT', 'error.WRONG_PASSWORD'],
    ['IDENTITY_UNKNOWN', 'error.IDENTITY'],
    ['PKCS12_UNREADABLE', 'error.IDENTITY'],
    ['TOKEN_ABSENT', 'error.TOKEN_ABSENT'],
    ['TOKEN_DEVICE_ERROR', 'error.TOKEN'],
    ['TSA_UNREACHABLE', 'error.SERVICE'],
    ['TSA_ALL_FAILED', 'error.SERVICE'],
    ['CALENDAR_UNREACHABLE', 'error.SERVICE'],
    ['CHAIN_UNREACHABLE', 'error.SERVICE'],
    ['PACKAGE_HOSTILE', 'error.PACKAGE_HOSTILE'],
    ['PACKAGE_NOT_A_CONTAINER', 'error.PACKAGE'],
    ['MIMETYPE_MISSING', 'error.PACKAGE'],
    ['NOT_GRANTED', 'error.NOT_GRANTED'],
    ['INPUT_NOT_FOUND', 'error.INPUT_NOT_FOUND'],
    ['INPUT_SYMLINK', 'error.INPUT'],
    ['CONFIG_INVALID', 'error.CONFIG'],
    ['USAGE', 'error.USAGE'],
    ['usage', 'error.USAGE'],
    ['JOB_RUNNING', 'error.JOB_RUNNING'],
    ['ORIGINAL_GONE', 'error.ORIGINAL_GONE'],
    ['NO_REPORT', 'error.NO_REPORT'],
    ['CONFIG_NO_HOME', 'error.CONFIG'],
    ['BAD_LEVEL', 'error.BAD_LEVEL'],
    ['TSA_NOT_CONFIGURED', 'error.PDF_NEEDS_TSA'],
    ['NOT_PDF', 'error.PDF'],
    ['PDF_UNREADABLE', 'error.PDF'],
    ['PDF_ENCRYPTED', 'error.PDF'],
    ['PDF_TIMESTAMP_FAILED', 'error.PDF_TIMESTAMP'],
  ])('%s → %s', (code, key) => {
    expect(errorKey(code)).toBe(key);
  });
  it('knows nothing of unknown codes', () => {
    expect(errorKey('SOMETHING_NEW')).toBeNull();
    expect(errorKey('')).toBeNull();
    expect(errorKey(undefined)).toBeNull();
  });
  it('says which failures are retried', () => {
    expect(isRetryable('TSA_TIMEOUT')).toBe(true);
    expect(isRetryable('RECORD_NOT_FOUND')).toBe(false);
  });
});

describe('toAppError', () => {
  it('keeps a {code, message} rejection', () => {
    expect(toAppError(notFound)).toEqual(notFound);
  });
  it('unwraps the CLI shape {error: {...}} and JSON strings', () => {
    expect(toAppError({ error: { code: 'USAGE', message: 'bad' } })).toEqual({ code: 'USAGE', message: 'bad' });
    expect(toAppError('{"code":"VAULT_LOCKED","message":"busy"}')).toEqual({ code: 'VAULT_LOCKED', message: 'busy' });
  });
  it('turns text and exceptions into UNKNOWN with the message', () => {
    expect(toAppError('plain failure')).toEqual({ code: 'UNKNOWN', message: 'plain failure' });
    expect(toAppError(new Error('boom'))).toEqual({ code: 'UNKNOWN', message: 'boom' });
    expect(toAppError(42)).toEqual({ code: 'UNKNOWN', message: '42' });
  });
});

describe('describeError', () => {
  const en = (k: string) => translate('en', k);
  const zh = (k: string) => translate('zh-CN', k);
  it('translates known codes in both languages, saying what to do next', () => {
    const d = describeError(notFound, en);
    expect(d).toEqual({ code: 'RECORD_NOT_FOUND', text: DICTIONARIES.en['error.RECORD_NOT_FOUND'], known: true });
    expect(d.text).toContain('verify its evidence package');
    expect(describeError(notFound, zh).text).toBe(DICTIONARIES['zh-CN']['error.RECORD_NOT_FOUND']);
    expect(describeError({ code: 'TSA_UNREACHABLE', message: 'x' }, en).text).toContain('retry by itself');
    expect(describeError({ code: 'TSA_UNREACHABLE', message: 'x' }, zh).text).toContain('自动重试');
  });
  it('falls back to the message for unknown codes', () => {
    expect(describeError({ code: 'SOMETHING_NEW', message: 'The portal timed out.' }, en)).toEqual({ code: 'SOMETHING_NEW', text: 'The portal timed out.', known: false });
    expect(describeError({ code: 'SOMETHING_NEW', message: '' }, en).text).toBe('SOMETHING_NEW');
  });
});
