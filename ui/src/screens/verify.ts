// Verify screen: choose or drop a package or file, show the report, save it as PDF.

import { api, type ReportLang } from '../api';
import { dropZone, pageHead, reportView, select } from '../components';
import { h, replace } from '../dom';
import { lang, t } from '../i18n';
import { state, type Ctx, type Screen } from '../state';

export function createVerifyScreen(ctx: Ctx): Screen {
  const el = h('div', { class: 'screen screen-verify' });
  const s = { running: false, pdfLang: null as ReportLang | null, saved: '' };

  async function run(path: string): Promise<void> {
    s.running = true;
    s.saved = '';
    state.lastReport = null;
    state.lastReportSource = path;
    ctx.clearError();
    render();
    try {
      state.lastReport = await api.verify(path);
    } catch (e) {
      ctx.showError(e);
    } finally {
      s.running = false;
      render();
    }
  }

  async function pick(): Promise<void> {
    try {
      const path = await api.pickPackage();
      if (path) await run(path);
    } catch (e) {
      ctx.showError(e);
    }
  }

  async function savePdf(): Promise<void> {
    try {
      const path = await api.saveReport(s.pdfLang ?? (lang() === 'zh-CN' ? 'zh-CN' : 'en'));
      if (path) {
        s.saved = path;
        render();
      }
    } catch (e) {
      ctx.showError(e);
    }
  }

  function render(): void {
    const report = state.lastReport;
    const pdfLang = s.pdfLang ?? (lang() === 'zh-CN' ? 'zh-CN' : 'en');
    replace(
      el,
      pageHead(t('verify.title'), t('verify.lead')),
      dropZone('verify-drop', t('verify.drop'), null, h('button', { class: 'btn btn-primary', type: 'button', testid: 'verify-pick', disabled: s.running, on: { click: () => void pick() } }, t('verify.pick')), report !== null || s.running),
      s.running ? h('div', { class: 'card muted', testid: 'verify-running' }, h('span', { class: 'spinner' }), t('verify.running')) : null,
      report
        ? h(
            'section',
            { class: 'card', testid: 'verify-result' },
            reportView(report),
            h(
              'div',
              { class: 'form-row report-actions' },
              h(
                'label',
                { class: 'field' },
                h('span', { class: 'field-label' }, t('verify.pdfLang')),
                select('verify-pdf-lang', [['zh-CN', t('export.lang.zh-CN')], ['en', t('export.lang.en')], ['both', t('export.lang.both')]], pdfLang, (v) => (s.pdfLang = v as ReportLang)),
              ),
              h('div', { class: 'form-row-end' }, h('button', { class: 'btn btn-secondary', type: 'button', testid: 'verify-save-pdf', on: { click: () => void savePdf() } }, t('verify.savePdf'))),
            ),
            s.saved ? h('p', { class: 'success wrap', testid: 'verify-saved' }, t('verify.saved', { path: s.saved })) : null,
          )
        : s.running
          ? null
          : h('p', { class: 'muted empty', testid: 'verify-empty' }, t('verify.empty')),
    );
  }

  return {
    el,
    render,
    shown: () => render(),
    filesDropped: (paths) => {
      const first = paths[0];
      if (first) void run(first);
    },
  };
}
