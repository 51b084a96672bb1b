import { describe, expect, it } from 'vitest';
import { toneColor, verdictStyle } from '../../src/logic/verdict';
import verify from '../fixtures/verify.json';
import indet from '../fixtures/verify-indet.json';

describe('verdictStyle', () => {
  it('maps overall results', () => {
    expect(verdictStyle(verify.result)).toEqual({ tone: 'pass', label: 'verdict.passed', sentence: 'verdict.sentence.passed' });
    expect(verdictStyle('TOTAL-FAILED').tone).toBe('fail');
    expect(verdictStyle(indet.result)).toEqual({ tone: 'indet', label: 'verdict.indeterminate', sentence: 'verdict.sentence.indeterminate' });
  });
  it('maps check verdicts from the fixtures', () => {
    const verdicts = indet.records[0]!.checks.map((c) => verdictStyle(c.verdict).tone);
    expect(verdicts).toEqual(['pass', 'indet', 'pass', 'pass']);
    expect(verdictStyle('FAILED').label).toBe('verdict.failed');
    expect(verdictStyle('passed').tone).toBe('pass');
  });
  it('treats anything else as unknown', () => {
    expect(verdictStyle(undefined).tone).toBe('neutral');
    expect(verdictStyle('MAYBE').label).toBe('verdict.unknown');
  });
  it('gives each tone its colour variable', () => {
    expect(toneColor('pass')).toBe('var(--pass)');
    expect(toneColor('fail')).toBe('var(--fail)');
    expect(toneColor('indet')).toBe('var(--indet)');
  });
});
