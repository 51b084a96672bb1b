// Export screen: choose records, report language and an optional signing identity, write the package.

import { api, events, newJobId, type ExportReport, type ReportLang } from '../api';
import { badges, facts, field, pageHead, select, shortHash, when } from '../components';
import { h, replace } from '../dom';
import { lang, t } from '../i18n';
import { progressPercent } from '../logic/progress';
import { state, type Ctx, type Screen } from '../state';

export function createExportScreen(ctx: Ctx): Screen {
  const el = h('div', { class: 'screen screen-export' });
  const s = {
    lang: null as ReportLang | null,
    identity: '',
    password: '',
    job: null as string | null,
    pct: 0,
    result: null as ExportReport | null,
    verifying: false,
  };

  async function start(): Promise<void> {
    const ids = state.records.filter((r) => state.selection.has(r.id)).map((r) => r.id);
    if (ids.length === 0 || s.job) return;
    ctx.clearError();
    const job = newJobId();
    s.job = job;
    s.pct = 0;
    s.result = null;
    render();
    const unlisten = await events.onProgress((p) => {
      if (p.job !== job) return;
      s.pct = progressPercent(p);
      const bar = el.querySelector<HTMLElement>('.bar-fill');
      if (bar) bar.style.width = `${s.pct}%`;
    });
    try {
      s.result = await api.export(job, ids, s.lang ?? (lang() === 'zh-CN' ? 'zh-CN' : 'en'), s.identity || null, s.identity ? s.password : null);
    } catch (e) {
      ctx.showError(e);
    } finally {
      unlisten();
      s.job = null;
      s.password = '';
      render();
    }
  }

  async function verifyPackage(path: string): Promise<void> {
    s.verifying = true;
    render();
    try {
      state.lastReport = await api.verify(path);
      state.lastReportSource = path;
      ctx.navigate('verify');
    } catch (e) {
      ctx.showError(e);
    } finally {
      s.verifying = false;
      render();
    }
  }

  function render(): void {
    const running = s.job !== null;
    const records = state.records;
    const chosen = records.filter((r) => state.selection.has(r.id));
    if (s.identity && !state.identities.some((i) => i.name === s.identity)) s.identity = '';
    const reportLang = s.lang ?? (lang() === 'zh-CN' ? 'zh-CN' : 'en');
    const bar = h('div', { class: 'bar-fill' });
    bar.style.width = `${s.pct}%`;
    replace(
      el,
      pageHead(t('export.title'), t('export.lead')),
      h(
        'section',
        { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, t('export.records', { count: chosen.length }))),
        records.length === 0 || chosen.length === 0 ? h('p', { class: 'muted', testid: 'export-none' }, t('export.none')) : null,
        h(
          'ul',
          { class: 'rows pick-list', testid: 'export-records' },
          records.map((r) =>
            h(
              'li',
              { class: `row ${state.selection.has(r.id) ? 'chosen' : ''}`, testid: 'export-record', 'data-id': r.id },
              h(
                'label',
                { class: 'row-main' },
                h('input', {
                  type: 'checkbox',
                  testid: 'export-select',
                  checked: state.selection.has(r.id),
                  disabled: running,
                  on: { change: (e) => ((e.target as HTMLInputElement).checked ? state.selection.add(r.id) : state.selection.delete(r.id), render()) },
                }),
                h('div', { class: 'row-text' }, h('div', { class: 'row-title ellipsis', title: r.name }, r.name), h('div', { class: 'row-sub' }, when(r.created_at), ' · ', shortHash(r.digests['sha256'] ?? ''))),
              ),
              badges(r),
            ),
          ),
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h(
          'div',
          { class: 'form-grid' },
          field(t('export.lang'), select('export-lang', [['zh-CN', t('export.lang.zh-CN')], ['en', t('export.lang.en')], ['both', t('export.lang.both')]], reportLang, (v) => (s.lang = v as ReportLang))),
          field(
            t('export.identity'),
            select('export-identity', [['', t('export.noIdentity')], ...state.identities.map((i): [string, string] => [i.name, i.name])], s.identity, (v) => {
              s.identity = v;
              render();
            }),
          ),
          s.identity ? field(t('export.password'), h('input', { type: 'password', testid: 'export-password', value: s.password, on: { input: (e) => (s.password = (e.target as HTMLInputElement).value) } })) : null,
        ),
        h(
          'div',
          { class: 'form-row' },
          running ? h('div', { class: 'grow' }, h('div', { class: 'muted' }, t('export.running')), h('div', { class: 'bar' }, bar)) : h('div', { class: 'grow' }),
          h('button', { class: 'btn btn-primary btn-lg', type: 'button', testid: 'export-start', disabled: running || chosen.length === 0, on: { click: () => void start() } }, t('export.start')),
        ),
      ),
      s.result
        ? h(
            'section',
            { class: 'card success-card', testid: 'export-result' },
            h('h2', null, '✓ ', t('export.done')),
            facts([
              [t('export.path'), h('code', { class: 'mono wrap', testid: 'export-path' }, s.result.path)],
              [t('export.sha256'), h('code', { class: 'mono wrap' }, s.result.sha256)],
              [t('export.sealedBy'), `${s.result.sealed_by} · ${t('export.entries', { count: s.result.entries })}`],
            ]),
            h('div', { class: 'form-row' }, h('button', { class: 'btn btn-primary', type: 'button', testid: 'export-verify', disabled: s.verifying, on: { click: () => void verifyPackage(s.result!.path) } }, t('export.verify'))),
          )
        : null,
    );
  }

  async function shown(): Promise<void> {
    if (!state.recordsLoaded) {
      try {
        await ctx.loadRecords();
      } catch (e) {
        ctx.showError(e);
      }
    }
    render();
  }

  return { el, render, shown: () => void shown() };
}
