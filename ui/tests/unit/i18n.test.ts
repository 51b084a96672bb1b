import { describe, expect, it } from 'vitest';
import { DICTIONARIES, hasKey, resolveLang, translate } from '../../src/i18n';

describe('resolveLang', () => {
  it('prefers the saved setting', () => {
    expect(resolveLang('zh-CN', 'en-US')).toBe('zh-CN');
    expect(resolveLang('en', 'zh-CN')).toBe('en');
  });
  it('follows the system when the setting is empty or "system"', () => {
    expect(resolveLang(null, 'zh-CN')).toBe('zh-CN');
    expect(resolveLang('system', 'zh-TW')).toBe('zh-CN');
    expect(resolveLang('', 'zh')).toBe('zh-CN');
    expect(resolveLang(undefined, 'en-GB')).toBe('en');
    expect(resolveLang('system', 'fr-FR')).toBe('en');
    expect(resolveLang(null, undefined)).toBe('en');
  });
});

describe('dictionaries', () => {
  const en = DICTIONARIES.en as Record<string, string>;
  const zh = DICTIONARIES['zh-CN'] as Record<string, string>;
  it('have the same keys and no empty entries', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(zh)) expect(v, k).not.toBe('');
  });
  it('keep the same placeholders in both languages', () => {
    const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join(',');
    for (const k of Object.keys(en)) expect(ph(zh[k]!), k).toBe(ph(en[k]!));
  });
  it('translate every user-facing Chinese entry into Chinese (CJK present) except names', () => {
    const untranslatable = new Set(['app.name', 'lang.toggle', 'export.lang.en']);
    for (const [k, v] of Object.entries(zh)) {
      if (untranslatable.has(k)) continue;
      expect(/[\u4e00-\u9fff]/.test(v), `${k}: ${v}`).toBe(true);
    }
  });
  it('carry the sandbox notice in plain words', () => {
    expect(en['app.sandbox']).toBe('SANDBOX — NOT LEGAL EVIDENCE');
    expect(zh['app.sandbox']).toBe('沙盒 — 不具法律证据效力');
  });
});

describe('translate', () => {
  it('fills placeholders', () => {
    expect(translate('en', 'pager.range', { first: '1', last: '100', total: '1,000,000' })).toBe('1–100 of 1,000,000');
    expect(translate('zh-CN', 'pager.range', { first: '1', last: '100', total: '1,000,000' })).toBe('第 1–100 条，共 1,000,000 条');
  });
  it('leaves unknown placeholders and keys visible', () => {
    expect(translate('en', 'pager.range', { first: 1, last: 2 })).toBe('1–2 of {total}');
    expect(translate('en', 'no.such.key')).toBe('no.such.key');
    expect(hasKey('check.signature')).toBe(true);
    expect(hasKey('check.nope')).toBe(false);
  });
});
