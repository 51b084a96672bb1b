// Pure mapping of verification verdicts to a colour tone and a dictionary key.

export type Tone = 'pass' | 'fail' | 'indet' | 'neutral';

export interface VerdictStyle {
  tone: Tone;
  /** i18n key of the short label. */
  label: 'verdict.passed' | 'verdict.failed' | 'verdict.indeterminate' | 'verdict.unknown';
  /** i18n key of the plain-language sentence for an overall result. */
  sentence: 'verdict.sentence.passed' | 'verdict.sentence.failed' | 'verdict.sentence.indeterminate' | 'verdict.sentence.unknown';
}

/** Style of a check verdict (PASSED …) or an overall result (TOTAL-PASSED …). */
export function verdictStyle(verdict: string | null | undefined): VerdictStyle {
  switch ((verdict ?? '').toUpperCase()) {
    case 'PASSED':
    case 'TOTAL-PASSED':
      return { tone: 'pass', label: 'verdict.passed', sentence: 'verdict.sentence.passed' };
    case 'FAILED':
    case 'TOTAL-FAILED':
      return { tone: 'fail', label: 'verdict.failed', sentence: 'verdict.sentence.failed' };
    case 'INDETERMINATE':
      return { tone: 'indet', label: 'verdict.indeterminate', sentence: 'verdict.sentence.indeterminate' };
    default:
      return { tone: 'neutral', label: 'verdict.unknown', sentence: 'verdict.sentence.unknown' };
  }
}

/** CSS colour variable for a tone. */
export function toneColor(tone: Tone): string {
  return { pass: 'var(--pass)', fail: 'var(--fail)', indet: 'var(--indet)', neutral: 'var(--muted)' }[tone];
}
