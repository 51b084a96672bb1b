import { describe, expect, it } from 'vitest';
import { keyChoices, presentTokens } from '../../src/logic/tokens';

const token = (label: string, objects: { class: string; label: string; subject?: string; key_type?: string }[]) => ({ label, manufacturer: 'M', model: 'X', objects });

describe('presentTokens', () => {
  it('keeps only slots with a token', () => {
    const slots = [
      { slot: 0, description: 'reader 0', token: null },
      { slot: 1, description: 'reader 1', token: token('card', []) },
    ];
    expect(presentTokens(slots).map((s) => s.slot)).toEqual([1]);
  });
});

describe('keyChoices', () => {
  it('merges a key and its certificate by label, with the subject', () => {
    const choices = keyChoices([
      { class: 'certificate', label: 'Signing', subject: 'CN=Ana Li' },
      { class: 'private key', label: 'Signing', key_type: 'RSA' },
      { class: 'public key', label: 'Other' },
      { class: 'certificate', label: 'Auth', subject: 'CN=Ana Li (auth)' },
    ]);
    expect(choices).toEqual([
      { label: 'Signing', text: 'Signing — CN=Ana Li' },
      { label: 'Auth', text: 'Auth — CN=Ana Li (auth)' },
    ]);
  });
  it('shows the key type when there is no certificate, and skips unlabeled objects', () => {
    expect(keyChoices([{ class: 'private key', label: 'k1', key_type: 'EC' }, { class: 'private key', label: '' }])).toEqual([{ label: 'k1', text: 'k1 — EC' }]);
    expect(keyChoices([])).toEqual([]);
  });
});
