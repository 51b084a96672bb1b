import { describe, expect, it } from 'vitest';
import { baseName, formatDate, formatDateTime, formatDuration, formatOffset, formatSize, groupDigest, shortDigest } from '../../src/logic/format';

describe('formatSize', () => {
  it('keeps bytes whole and scales by 1024', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(15)).toBe('15 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1.0 KB');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(482_113)).toBe('471 KB');
    expect(formatSize(3_204_551)).toBe('3.1 MB');
    expect(formatSize(1_873_420_311)).toBe('1.7 GB');
  });
  it('refuses nonsense', () => {
    expect(formatSize(-1)).toBe('—');
    expect(formatSize(Number.NaN)).toBe('—');
  });
});

describe('dates', () => {
  const iso = '2026-11-29T17:45:48.285051Z';
  it('formats in UTC', () => {
    expect(formatDateTime(iso)).toBe('2026-11-29 17:45:48 UTC');
  });
  it('shifts to a zone east of UTC and crosses midnight', () => {
    expect(formatDateTime(iso, 480)).toBe('2026-11-30 01:45:48 UTC+08:00');
    expect(formatDate(iso, 480)).toBe('2026-11-30');
    expect(formatDate(iso, 0)).toBe('2026-11-29');
  });
  it('handles zones west of UTC and half hours', () => {
    expect(formatDateTime(iso, -300)).toBe('2026-11-29 12:45:48 UTC-05:00');
    expect(formatOffset(330)).toBe('UTC+05:30');
    expect(formatDateTime(iso, 0, false)).toBe('2026-11-29 17:45:48');
  });
  it('reads offsets in the input', () => {
    expect(formatDateTime('2036-11-28T00:00:00+00:00')).toBe('2036-11-28 00:00:00 UTC');
    expect(formatDateTime('2026-01-01T08:00:00+08:00')).toBe('2026-01-01 00:00:00 UTC');
  });
  it('returns unreadable text unchanged', () => {
    expect(formatDateTime('yesterday')).toBe('yesterday');
    expect(formatDate('')).toBe('');
  });
});

describe('digests and paths', () => {
  const d = 'ef30c41e3b107e09724c33a662606e921942d179df036bc31f8ad301df54cb97';
  it('shortens with head and tail', () => {
    expect(shortDigest(d)).toBe('ef30c41e3b10…54cb97');
    expect(shortDigest('abcd')).toBe('abcd');
  });
  it('groups for wrapping without losing characters', () => {
    const g = groupDigest(d);
    expect(g.split(' ')).toHaveLength(8);
    expect(g.replace(/ /g, '')).toBe(d);
    expect(groupDigest('abcdef', 4)).toBe('abcd ef');
  });
  it('takes the last path component for both separators', () => {
    expect(baseName('/home/ana/contract.pdf')).toBe('contract.pdf');
    expect(baseName('C:\\Users\\ana\\photo.jpg')).toBe('photo.jpg');
    expect(baseName('/home/ana/Photos/')).toBe('Photos');
    expect(baseName('plain.txt')).toBe('plain.txt');
  });
});

describe('formatDuration', () => {
  it('reads naturally', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(282, { h: ' 小时', min: ' 分', s: ' 秒' })).toBe('4 分 42 秒');
  });
});
