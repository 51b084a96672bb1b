// Verify screen: choose or drop any evidence — a package or ASiC container, a PDF, a signature,
// a time-stamp, an OpenTimestamps proof, or a sealed file — and read its report; detached
// evidence asks for the file it covers (or takes it dropped together); save a package's report.

import { api, type EvidenceView, type OtsReport, type PdfReport, type ReportLang, type SignerOutcome } from '../api';
import { checkList, dropZone, facts, pageHead, pdfSignaturesView, reportView, select, verdictPill, when } from '../components';
import { h, replace } from '../dom';
import { lang, t } from '../i18n';
import { describeError } from '../logic/errors';
import { isPdfPath } from '../logic/pdfsig';
import { verdictStyle } from '../logic/verdict';
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
    /** Evidence other than a package or a PDF: a signature, a time-stamp, a proof. */
    other: null as EvidenceView | null,
    /** Detached evidence waiting for the file it covers. */
    needsFile: '',
    needsFileText: '',
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

  async function run(path: string, file: string | null = null): Promise<void> {
    s.running = true;
    s.saved = '';
    s.other = null;
    s.needsFile = '';
    state.lastReport = null;
    state.lastReportSource = path;
    s.pdfSource = '';
    s.pdf = null;
    s.pdfError = null;
    ctx.clearError();
    render();
    let sealedPdf = false;
    try {
      const view = await api.verifyEvidence(path, file);
      if (view.kind === 'package') {
        state.lastReport = view.report;
        // A PDF sealed here: its record, and the signatures inside it beside.
        sealedPdf = isPdfPath(path);
      } else if (view.kind === 'pdf') {
        s.pdfSource = path;
        s.pdf = view.report;
      } else s.other = view;
    } catch (e) {
      const err = describeError(e, (k) => t(k));
      if (err.code === 'DATA_FILE_NEEDED') {
        s.needsFile = path;
        s.needsFileText = err.text;
      } else ctx.showError(e);
    } finally {
      s.running = false;
      render();
    }
    if (sealedPdf) {
      const pdf = runPdf(path);
      render();
      await pdf;
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

  /** Asks for the file detached evidence covers, then verifies the two together. */
  async function pickData(): Promise<void> {
    const evidence = s.needsFile;
    try {
      const [file] = await api.pickFiles(false);
      if (file) await run(evidence, file);
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
    if (!s.pdf) return null;
    const source = s.pdfSource;
    return h(
      'section',
      { class: 'card', testid: 'verify-pdf' },
      pdfSignaturesView(s.pdf),
      h(
        'div',
        { class: 'form-row' },
        h('button', { class: 'btn btn-secondary', type: 'button', testid: 'verify-show-doc', on: { click: () => void showDocument(source) } }, t('verify.pdf.showDocument')),
        s.pdf.signatures.length > 0 ? h('button', { class: 'btn btn-primary', type: 'button', testid: 'verify-countersign', on: { click: () => ctx.countersign(source) } }, t('verify.pdf.countersign')) : null,
      ),
      docView && docShown === source ? docView.el : null,
    );
  }

  /** The verified PDF's pages, read-only (pdf.js loaded on first use). */
  let docView: import('../pdfview').PdfView | null = null;
  let docShown = '';
  async function showDocument(path: string): Promise<void> {
    try {
      const { createPdfView } = await import('../pdfview');
      docView ??= createPdfView({ id: 'verify-doc' });
      await docView.open(await api.readDocument(path));
      docShown = path;
    } catch (e) {
      ctx.showError(e);
    }
    render();
  }

  /** The card asking for the file detached evidence covers. */
  function needsFileSection(): HTMLElement | null {
    if (!s.needsFile) return null;
    return h(
      'section',
      { class: 'card', testid: 'verify-needs-file' },
      h('h2', null, t('verify.detached.title')),
      h('p', { class: 'wrap' }, t('verify.detached.lead')),
      h('p', { class: 'muted small wrap' }, s.needsFileText),
      h('button', { class: 'btn btn-primary', type: 'button', testid: 'verify-pick-data', on: { click: () => void pickData() } }, t('verify.detached.pick')),
    );
  }

  function signerRow(o: SignerOutcome, i: number): HTMLElement {
    const v = o.verified;
    return h(
      'li',
      { class: `report-record tone-${verdictStyle(o.result).tone}`, testid: 'evidence-signer', 'data-result': o.result },
      h('div', { class: 'report-record-head' }, h('h3', null, v ? v.signer.subject : t('verify.evidence.signer', { n: i + 1 })), verdictPill(o.result)),
      facts([
        [t('verify.pdf.level'), v?.level ?? null],
        [t('verify.pdf.time'), v?.timestamp ? `${when(v.timestamp.gen_time)} · ${v.timestamp.tsa_subject}` : null],
        [t('verify.reason'), o.reason ? h('code', { class: 'mono' }, o.reason) : null],
      ]),
      o.message ? h('p', { class: 'check-detail wrap' }, o.message) : null,
    );
  }

  function otsBody(r: OtsReport): HTMLElement[] {
    return [
      facts([
        [t('verify.evidence.file'), h('span', { class: 'wrap' }, r.file)],
        [t('verify.evidence.digest'), h('code', { class: 'mono wrap' }, `${r.file_hash} ${r.digest}`)],
        [t('verify.evidence.bitcoin'), r.bitcoin_node],
      ]),
      checkList(r.checks),
      r.notes.length > 0 ? h('div', { class: 'notes' }, h('h4', null, t('verify.notes')), checkList(r.notes)) : h('span'),
    ];
  }

  /** A signature, a time-stamp or a proof: its verdict, then what was checked. */
  function otherSection(view: EvidenceView): HTMLElement {
    const result = view.kind === 'ots' ? view.report.result : view.kind === 'signature' || view.kind === 'timestamp' ? view.result : 'INDETERMINATE';
    const style = verdictStyle(result);
    const totalKey = style.tone === 'pass' ? 'verdict.total.passed' : style.tone === 'fail' ? 'verdict.total.failed' : 'verdict.total.indeterminate';
    let body: (HTMLElement | null)[] = [];
    if (view.kind === 'signature') body = [h('ul', { class: 'plain' }, view.signers.map(signerRow))];
    else if (view.kind === 'timestamp')
      body = [
        facts([
          [t('verify.pdf.tsa'), view.verified ? h('span', { class: 'wrap' }, view.verified.tsa_subject) : null],
          [t('verify.pdf.time'), view.verified ? when(view.verified.gen_time) : null],
          [t('verify.reason'), view.reason ? h('code', { class: 'mono' }, view.reason) : null],
        ]),
        view.message ? h('p', { class: 'check-detail wrap' }, view.message) : null,
      ];
    else if (view.kind === 'ots') body = otsBody(view.report);
    return h(
      'section',
      { class: 'card report', testid: 'verify-evidence', 'data-kind': view.kind },
      h(
        'div',
        { class: `verdict-hero tone-${style.tone}`, testid: 'verify-total', 'data-result': result },
        h('div', { class: 'verdict-mark' }, style.tone === 'pass' ? '✓' : style.tone === 'fail' ? '✕' : '!'),
        h('div', null, h('div', { class: 'verdict-label' }, t(totalKey)), h('p', { class: 'verdict-sentence' }, t(`verify.evidence.kind.${view.kind}`))),
      ),
      ...body,
    );
  }

  function render(): void {
    const report = state.lastReport;
    const pdfLang = s.pdfLang ?? (lang() === 'zh-CN' ? 'zh-CN' : 'en');
    const pdf = pdfSection();
    const needs = needsFileSection();
    const other = s.other ? otherSection(s.other) : null;
    replace(
      el,
      pageHead(t('verify.title'), t('verify.lead')),
      dropZone('verify-drop', t('verify.drop'), null, h('button', { class: 'btn btn-primary', type: 'button', testid: 'verify-pick', disabled: s.running || s.pdfRunning, on: { click: () => void pick() } }, t('verify.pick')), report !== null || pdf !== null || other !== null || needs !== null || s.running),
      s.running ? h('div', { class: 'card muted', testid: 'verify-running' }, h('span', { class: 'spinner' }), t('verify.running')) : null,
      needs,
      other,
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
        : s.running || pdf || other || needs
          ? null
          : h('p', { class: 'muted empty', testid: 'verify-empty' }, t('verify.empty')),
      pdf,
    );
  }

  return {
    el,
    render,
    shown: () => render(),
    // Two files dropped together: the evidence and the file it covers.
    filesDropped: (paths) => {
      const [first, second] = paths;
      if (first) void run(first, second ?? null);
    },
  };
}
