// Settings screen: profile, time-stamp authorities, chain, anchoring, vault location, language, theme.

import { api, type Settings } from '../api';
import { field, pageHead, select } from '../components';
import { h, replace } from '../dom';
import { t } from '../i18n';
import { isTeamVaultUrl, vaultKind, withoutPassword } from '../logic/vaulturl';
import { state, type Ctx, type Screen } from '../state';

export function createSettingsScreen(ctx: Ctx): Screen {
  const el = h('div', { class: 'screen screen-settings' });
  const s = { settings: null as Settings | null, tsaText: '', saved: false, saving: false, teamUrl: '', teamMsg: '' };

  async function load(): Promise<void> {
    try {
      s.settings = await api.settings();
      s.tsaText = s.settings.tsa_urls.join('\n');
      s.saved = false;
    } catch (e) {
      ctx.showError(e);
    }
    render();
  }

  async function save(): Promise<void> {
    if (!s.settings) return;
    const next: Settings = {
      ...s.settings,
      tsa_urls: s.tsaText
        .split(/\r?\n/)
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    };
    s.saving = true;
    ctx.clearError();
    try {
      const info = await api.saveSettings(next);
      // As saved: a team vault's URL comes back without its password.
      s.settings = await api.settings().catch(() => next);
      s.tsaText = s.settings.tsa_urls.join('\n');
      s.teamUrl = '';
      s.saved = true;
      ctx.applyInfo(info);
    } catch (e) {
      ctx.showError(e);
    } finally {
      s.saving = false;
      render();
    }
  }

  function render(): void {
    const st = s.settings;
    if (!st) {
      replace(el, pageHead(t('settings.title')), h('p', { class: 'muted' }, t('app.loading')));
      return;
    }
    const env = (key: string, hint?: string): string | undefined =>
      st.overridden?.includes(key) ? [hint, t('settings.overridden')].filter(Boolean).join(' ') : hint;
    const set = <K extends keyof Settings>(k: K, v: Settings[K]) => {
      st[k] = v;
      s.saved = false;
    };
    // The vault chosen (shown without a team vault's password), else the one in force.
    const vault = st.vault_dir ?? state.info?.vault_dir ?? null;
    const useTeamUrl = (): void => {
      const url = s.teamUrl.trim();
      if (!isTeamVaultUrl(url)) {
        s.teamMsg = t('settings.teamNotUrl');
      } else {
        s.teamMsg = '';
        set('vault_dir', url);
      }
      render();
      if (!s.teamMsg) (el.querySelector('[data-testid="settings-save"]') as HTMLElement | null)?.focus();
    };
    replace(
      el,
      pageHead(t('settings.title')),
      h(
        'section',
        { class: 'card settings' },
        field(
          t('settings.profile'),
          select('settings-profile', [['sandbox', t('settings.profile.sandbox')], ['production', t('settings.profile.production')]], st.profile, (v) => set('profile', v as Settings['profile'])),
          env('profile'),
        ),
        field(t('settings.tsa'), h('textarea', { testid: 'settings-tsa', rows: '3', spellcheck: 'false', value: s.tsaText, on: { input: (e) => ((s.tsaText = (e.target as HTMLTextAreaElement).value), (s.saved = false)) } }), env('tsa_urls', t('settings.tsaHint'))),
        h(
          'div',
          { class: 'form-grid' },
          field(t('settings.chain'), h('input', { type: 'url', testid: 'settings-chain', spellcheck: 'false', value: st.evm_rpc ?? '', on: { input: (e) => set('evm_rpc', (e.target as HTMLInputElement).value.trim() || null) } }), env('evm_rpc')),
          field(
            t('settings.anchorAfter'),
            h('input', {
              type: 'number',
              min: '0',
              step: '1',
              testid: 'settings-anchor-after',
              value: String(st.anchor_after),
              on: {
                input: (e) => {
                  const n = parseInt((e.target as HTMLInputElement).value, 10);
                  if (Number.isFinite(n) && n >= 0) set('anchor_after', n);
                },
              },
            }),
            env('anchor_after', t('settings.anchorAfterHint')),
          ),
        ),
        field(
          t('settings.vault'),
          h(
            'div',
            { class: 'file-pick' },
            h('span', { class: 'pill tone-neutral', testid: 'settings-vault-kind', 'data-kind': vaultKind(vault) }, t(vaultKind(vault) === 'team' ? 'settings.vaultTeam' : 'settings.vaultFolder')),
            h('code', { class: 'mono wrap grow path-box', testid: 'settings-vault' }, vault ? withoutPassword(vault) : '—'),
            h(
              'button',
              {
                class: 'btn btn-secondary',
                type: 'button',
                testid: 'settings-vault-pick',
                on: {
                  click: () =>
                    void api.pickFolder().then(
                      (p) => {
                        if (p) {
                          set('vault_dir', p);
                          render();
                        }
                      },
                      (e: unknown) => ctx.showError(e),
                    ),
                },
              },
              t('settings.choose'),
            ),
          ),
          env('vault_dir'),
        ),
        field(
          t('settings.teamUrl'),
          h(
            'div',
            { class: 'file-pick' },
            h('input', {
              type: 'text',
              class: 'grow mono',
              testid: 'settings-team-url',
              spellcheck: 'false',
              autocomplete: 'off',
              placeholder: 'postgres://USER:PASSWORD@HOST:PORT/DATABASE?folder=/shared/folder',
              value: s.teamUrl,
              on: {
                input: (e) => {
                  s.teamUrl = (e.target as HTMLInputElement).value;
                  if (s.teamMsg) ((s.teamMsg = ''), el.querySelector('[data-testid="settings-team-msg"]')?.remove());
                },
                keydown: (e) => {
                  if ((e as KeyboardEvent).key === 'Enter') (e.preventDefault(), useTeamUrl());
                },
              },
            }),
            h('button', { class: 'btn btn-secondary', type: 'button', testid: 'settings-team-use', on: { click: () => useTeamUrl() } }, t('settings.teamUse')),
          ),
          t('settings.teamHint'),
        ),
        s.teamMsg ? h('p', { class: 'form-error', testid: 'settings-team-msg' }, s.teamMsg) : null,
        h(
          'div',
          { class: 'form-grid' },
          field(
            t('settings.language'),
            select('settings-language', [['system', t('settings.language.system')], ['zh-CN', '简体中文'], ['en', 'English']], st.language === 'zh-CN' || st.language === 'en' ? st.language : 'system', (v) => set('language', v === 'system' ? null : v)),
          ),
          field(
            t('settings.theme'),
            select('settings-theme', [['system', t('settings.theme.system')], ['light', t('settings.theme.light')], ['dark', t('settings.theme.dark')]], st.theme === 'light' || st.theme === 'dark' ? st.theme : 'system', (v) => set('theme', v)),
          ),
        ),
        h(
          'div',
          { class: 'form-row' },
          h('div', { class: 'grow' }, s.saved ? h('p', { class: 'success', testid: 'settings-saved' }, t('settings.saved')) : null),
          h('button', { class: 'btn btn-primary btn-lg', type: 'button', testid: 'settings-save', disabled: s.saving, on: { click: () => void save() } }, t('settings.save')),
        ),
        state.info?.config_file ? h('p', { class: 'muted small wrap', testid: 'settings-config-file' }, t('settings.configFile', { path: state.info.config_file })) : null,
      ),
    );
  }

  return { el, render, shown: () => void load() };
}
