// The shell: sidebar navigation, header with the sandbox banner and language switch, error banner, screens.

import { api, events, type AppInfo } from './api';
import { h, icon, replace } from './dom';
import { lang, onLangChange, resolveLang, setLang, t, type Key } from './i18n';
import { describeError } from './logic/errors';
import { SCREENS, state, type Ctx, type Screen, type ScreenName } from './state';
import { createSealScreen } from './screens/seal';
import { createVaultScreen } from './screens/vault';
import { createVerifyScreen } from './screens/verify';
import { createExportScreen } from './screens/export';
import { createIdentitiesScreen } from './screens/identities';
import { createSettingsScreen } from './screens/settings';

/** Applies "light" / "dark"; anything else follows the system. */
export function applyTheme(theme: string | null | undefined): void {
  const root = document.documentElement;
  if (theme === 'light' || theme === 'dark') root.setAttribute('data-theme', theme);
  else root.removeAttribute('data-theme');
}

export async function startApp(root: HTMLElement): Promise<void> {
  let current: ScreenName = 'seal';
  let lastError: unknown = null;

  const nav = h('nav', { class: 'nav' });
  const sidebarFoot = h('div', { class: 'sidebar-foot' });
  const sidebar = h('aside', { class: 'sidebar' }, h('div', { class: 'brand' }, icon('seal', 26), h('div', null, h('div', { class: 'brand-name' }, 'Evidentia'), h('div', { class: 'brand-sub', testid: 'brand-sub' }))), nav, sidebarFoot);
  const banner = h('div', { class: 'sandbox-banner', testid: 'sandbox-banner', hidden: true });
  const title = h('div', { class: 'header-title', testid: 'header-title' });
  const langToggle = h('button', { class: 'btn btn-ghost lang-toggle', type: 'button', testid: 'lang-toggle' });
  const header = h('header', { class: 'header' }, title, banner, langToggle);
  const errorBanner = h('div', { class: 'error-banner', role: 'alert', testid: 'error-banner', hidden: true });
  const content = h('main', { class: 'content' });
  root.replaceChildren(h('div', { class: 'app' }, sidebar, h('div', { class: 'main' }, header, errorBanner, content)));

  function renderError(): void {
    if (lastError === null) {
      errorBanner.hidden = true;
      errorBanner.removeAttribute('data-code');
      errorBanner.replaceChildren();
      return;
    }
    const d = describeError(lastError, (k) => t(k));
    errorBanner.hidden = false;
    errorBanner.setAttribute('data-code', d.code);
    errorBanner.className = `error-banner ${d.code === 'CANCELLED' ? 'info' : ''}`;
    replace(
      errorBanner,
      h('div', { class: 'error-text' }, h('strong', null, d.code === 'CANCELLED' ? '' : `${t('error.title')}: `), h('span', { testid: 'error-text' }, d.text)),
      h('code', { class: 'error-code mono' }, d.code),
      h('button', { class: 'btn-icon', type: 'button', title: t('app.dismiss'), 'aria-label': t('app.dismiss'), testid: 'error-dismiss', on: { click: () => ctx.clearError() } }, icon('close', 16)),
    );
  }

  const ctx: Ctx = {
    navigate: (name) => show(name),
    countersign: (path) => {
      show('seal');
      screens.seal.countersign?.(path);
    },
    showError: (e) => {
      lastError = e;
      renderError();
    },
    clearError: () => {
      lastError = null;
      renderError();
    },
    loadIdentities: async () => {
      const list = await api.identities();
      state.identities = list.identities;
      state.identityStore = list.store;
    },
    applyInfo: (info) => applyInfo(info),
  };

  const screens: { [N in ScreenName]: Screen } = {
    seal: createSealScreen(ctx),
    vault: createVaultScreen(ctx),
    verify: createVerifyScreen(ctx),
    export: createExportScreen(ctx),
    identities: createIdentitiesScreen(ctx),
    settings: createSettingsScreen(ctx),
  };

  function renderChrome(): void {
    replace(
      nav,
      SCREENS.map((name) =>
        h(
          'button',
          { class: `nav-item ${name === current ? 'active' : ''}`, type: 'button', testid: `nav-${name}`, 'aria-current': name === current ? 'page' : undefined, on: { click: () => show(name) } },
          icon(name),
          h('span', null, t(`nav.${name}` as Key)),
        ),
      ),
    );
    title.textContent = t(`nav.${current}` as Key);
    const info = state.info;
    const sandbox = info?.profile === 'sandbox';
    banner.hidden = !sandbox;
    banner.textContent = sandbox ? t('app.sandbox') : '';
    banner.title = sandbox ? t('app.sandboxHint') : '';
    langToggle.textContent = t('lang.toggle');
    langToggle.title = t('lang.toggleTitle');
    (sidebar.querySelector('[data-testid="brand-sub"]') as HTMLElement).textContent = t('app.tagline');
    replace(sidebarFoot, info ? t('app.version', { version: info.version }) : '');
    document.title = `Evidentia — ${t(`nav.${current}` as Key)}`;
  }

  function show(name: ScreenName): void {
    current = name;
    renderChrome();
    const s = screens[name];
    content.replaceChildren(s.el);
    content.scrollTop = 0;
    s.shown?.();
  }

  function applyInfo(info: AppInfo): void {
    state.info = info;
    applyTheme(info.theme);
    const next = resolveLang(info.language, navigator.language);
    if (next !== lang()) setLang(next);
    else renderChrome();
  }

  onLangChange(() => {
    renderChrome();
    renderError();
    for (const s of Object.values(screens)) s.render();
  });

  langToggle.addEventListener('click', () => {
    const next = lang() === 'zh-CN' ? 'en' : 'zh-CN';
    setLang(next);
    void api
      .settings()
      .then((s) => api.saveSettings({ ...s, language: next }))
      .then((info) => {
        state.info = info;
        renderChrome();
      })
      .catch((e: unknown) => ctx.showError(e));
  });

  setLang(resolveLang(null, navigator.language));
  document.documentElement.lang = lang();
  for (const s of Object.values(screens)) s.render();
  show('seal');
  void events.listenProgress();

  try {
    const info = await api.appInfo();
    applyInfo(info);
    if (info.config_error) ctx.showError({ code: 'CONFIG_INVALID', message: info.config_error });
  } catch (e) {
    ctx.showError(e);
  }

  void events.onFilesDropped((paths) => {
    const s = screens[current];
    if (s.filesDropped) s.filesDropped(paths);
    else {
      screens.seal.filesDropped?.(paths);
      show('seal');
    }
  });
  void events.onRecordsChanged(() => {
    for (const s of Object.values(screens)) s.recordsChanged?.();
  });
  void ctx.loadIdentities().then(
    () => {
      screens.seal.render();
      screens.export.render();
    },
    (e: unknown) => ctx.showError(e),
  );
  try {
    const initial = await api.initialFiles();
    if (initial.length > 0) screens.seal.filesDropped?.(initial);
  } catch (e) {
    ctx.showError(e);
  }
}
