import { describe, expect, it } from 'vitest';
import { etaSeconds, progressPercent } from '../../src/logic/progress';

const p = (files_done: number, files_total: number, bytes_done: number, bytes_total: number) => ({ files_done, files_total, bytes_done, bytes_total });

describe('progressPercent', () => {
  it('uses bytes when known', () => {
    expect(progressPercent(p(0, 2, 512, 2048))).toBe(25);
    expect(progressPercent(p(1, 2, 2047, 2048))).toBe(99);
    expect(progressPercent(p(2, 2, 2048, 2048))).toBe(100);
  });
  it('falls back to files, and to 0 with nothing known', () => {
    expect(progressPercent(p(1, 4, 0, 0))).toBe(25);
    expect(progressPercent(p(0, 0, 0, 0))).toBe(0);
  });
  it('clamps odd reports', () => {
    expect(progressPercent(p(0, 1, 5000, 100))).toBe(100);
    expect(progressPercent(p(0, 1, -5, 100))).toBe(0);
  });
});

describe('etaSeconds', () => {
  it('extrapolates the rate so far', () => {
    expect(etaSeconds(p(0, 1, 250, 1000), 0, 10_000)).toBeCloseTo(30, 5);
    expect(etaSeconds(p(1, 4, 0, 0), 0, 2_000)).toBeCloseTo(6, 5);
  });
  it('says nothing too early, before progress, or once done', () => {
    expect(etaSeconds(p(0, 1, 500, 1000), 0, 200)).toBeNull();
    expect(etaSeconds(p(0, 1, 0, 1000), 0, 5000)).toBeNull();
    expect(etaSeconds(p(1, 1, 1000, 1000), 0, 5000)).toBeNull();
  });
});
