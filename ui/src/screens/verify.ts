// Verify screen: choose or drop a package or file, show the report, save it as PDF; for a PDF,
// also the signatures inside it.

import { api, type PdfReport, type ReportLang } from '../api';
import { dropZone, pageHead, pdfSignaturesView, reportView, select } from '../components';
import { h, replace } from '../dom';
import { lang, t } from '../i18n';
import { describeError } from '../logic/errors';
import { isPdfPath } from '../logic/pdfsig';
import { state, type Ctx, type Screen } from '../state';

export function createVerifyScreen(ctx: Ctx): Screen {
  const el = h('div', { class: 'screen screen-verify' });
  const s = {
    running: false,
    pdfLang: null as ReportLang | null,
    saved: '',
    /** The PDF whose signatures are checked or shown (the report source when it is a PDF). */
    pdfSource: '',
    pdfRunning: false,
    pdf: null as PdfReport | null,
    pdfError: null as { code: string; text: string } | null,
  };

  /** Checks the signatures inside a PDF; its failure shows in its own section, not the banner. */
  async function runPdf(path: string): Promise<void> {
    s.pdfSource = path;
    s.pdf = null;
    s.pdfError = null;
    s.pdfRunning = true;
    try {
      const report = await api.verifyPdf(path);
      if (s.pdfSource === path) s.pdf = report;
    } catch (e) {
      if (s.pdfSource === path) s.pdfError = describeError(e, (k) => t(k));
    } finally {
      if (s.pdfSource === path) s.pdfRunning = false;
    }
  }

  async function run(path: string): Promise<void> {
    s.running = true;
    s.saved = '';
    state.lastReport = null;
    state.lastReportSource = path;
    s.pdfSource = '';
    s.pdf = null;
    s.pdfError = null;
    ctx.clearError();
    const pdf = isPdfPath(path) ? runPdf(path) : Promise.resolve();
    render();
    try {
      state.lastReport = await api.verify(path);
    } catch (e) {
      ctx.showError(e);
    } finally {
      s.running = false;
      render();
    }
    await pdf;
    render();
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

  /** The PDF section, when the file last verified is a PDF. */
  function pdfSection(): HTMLElement | null {
    if (!s.pdfSource || s.pdfSource !== state.lastReportSource) return null;
    if (s.pdfRunning) return h('div', { class: 'card muted', testid: 'verify-pdf-running' }, h('span', { class: 'spinner' }), t('verify.pdf.running'));
    if (s.pdfError)
      return h(
        'section',
        { class: 'card', testid: 'verify-pdf' },
        h('h2', null, t('verify.pdf.title')),
        h('p', { class: 'form-error', testid: 'verify-pdf-error', 'data-code': s.pdfError.code }, s.pdfError.text),
      );
    return s.pdf ? h('section', { class: 'card', testid: 'verify-pdf' }, pdfSignaturesView(s.pdf)) : null;
  }

  function render(): void {
    const report = state.lastReport;
    const pdfLang = s.pdfLang ?? (lang() === 'zh-CN' ? 'zh-CN' : 'en');
    const pdf = pdfSection();
    replace(
      el,
      pageHead(t('verify.title'), t('verify.lead')),
      dropZone('verify-drop', t('verify.drop'), null, h('button', { class: 'btn btn-primary', type: 'button', testid: 'verify-pick', disabled: s.running || s.pdfRunning, on: { click: () => void pick() } }, t('verify.pick')), report !== null || pdf !== null || s.running),
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
        : s.running || pdf
          ? null
          : h('p', { class: 'muted empty', testid: 'verify-empty' }, t('verify.empty')),
      pdf,
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
