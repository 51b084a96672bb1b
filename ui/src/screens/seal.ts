// Seal screen: queue files, choose an identity, seal with live progress, show each record's proofs.

import { api, events, newJobId, type Progress, type RecordRow, type SealReport, type SealView } from '../api';
import { badges, dropZone, field, pageHead, select, shortHash } from '../components';
import { h, icon, replace } from '../dom';
import { t, tMaybe } from '../i18n';
import { describeError } from '../logic/errors';
import { baseName, formatDuration, formatSize } from '../logic/format';
import { MAX_PAGE } from '../logic/paging';
import { DEFAULT_PADES_LEVEL, PADES_LEVELS, isPdfPath, padesRequest, signedCopies } from '../logic/pdfsig';
import type { PdfView, PlacedBox } from '../pdfview';
import { etaSeconds, progressPercent } from '../logic/progress';
import { state, type Ctx, type Screen } from '../state';

/** Records sealed before that the result looks up one by one for their proofs, at most. */
const LOOKUPS = 20;

export function createSealScreen(ctx: Ctx): Screen {
  const el = h('div', { class: 'screen screen-seal' });
  const s = {
    queue: [] as string[],
    identity: '',
    password: '',
    /** Also sign inside PDFs (PAdES), only with an identity. */
    pades: false,
    padesLevel: DEFAULT_PADES_LEVEL as string,
    padesReason: '',
    job: null as string | null,
    progress: null as Progress | null,
    startedMs: 0,
    result: null as SealReport | null,
    hint: '',
    /** A visible signature placed on the page (PAdES only). */
    visible: false,
    /** The queued PDF the document view shows. */
    viewPath: '',
    viewError: '',
    placed: null as PlacedBox | null,
    /** Where the batch's other PDFs get the box: the same page, or each one's last page. */
    placeOn: 'same' as 'same' | 'last',
    keyword: '',
    keywordMsg: '',
    /** Stamp the identity's kept seal. */
    stamp: false,
    sealOf: null as SealView | null,
  };
  let view: PdfView | null = null;
  let shownPath = '';

  /** The document view, pdf.js loaded on first use (it stays out of the app's first paint). */
  async function documentView(): Promise<PdfView> {
    const { createPdfView } = await import('../pdfview');
    view ??= createPdfView({
      id: 'seal-doc',
      onPlace: (box) => {
        const resized = !s.placed || !box || s.placed.seen.w !== box.seen.w || s.placed.seen.h !== box.seen.h;
        s.placed = box;
        s.hint = '';
        const text = el.querySelector('[data-testid="seal-placement"]');
        if (text) text.textContent = box ? box.text : '';
        if (resized) scheduleAppearance();
      },
    });
    return view;
  }

  /** Shows the chosen PDF in the document view (read once per choice). */
  async function showDocument(): Promise<void> {
    const pdfs = s.queue.filter(isPdfPath);
    if (!pdfs.includes(s.viewPath)) s.viewPath = pdfs[0] ?? '';
    if (!s.viewPath || s.viewPath === shownPath) return;
    shownPath = s.viewPath;
    s.placed = null;
    s.viewError = '';
    try {
      const v = await documentView();
      await v.open(await api.readDocument(s.viewPath));
      v.setPlacing(true);
      await refreshAppearance();
    } catch (e) {
      shownPath = '';
      s.viewError = describeError(e, (k) => t(k)).text;
    }
    render();
  }

  let appearanceTimer: ReturnType<typeof setTimeout> | null = null;
  function scheduleAppearance(): void {
    if (appearanceTimer) clearTimeout(appearanceTimer);
    appearanceTimer = setTimeout(() => void refreshAppearance(), 150);
  }

  /**
   * The box shows what will be drawn: the core's own appearance for a box of this size (the
   * signer's name, the time, the reason, the seal), else the words alone.
   */
  async function refreshAppearance(): Promise<void> {
    const v = view;
    if (!v) return;
    const placed = s.placed;
    if (s.identity && placed) {
      try {
        const bytes = await api.appearancePreview(s.identity, placed.seen.w, placed.seen.h, s.padesReason.trim() || null, s.stamp);
        const { renderPdfToCanvas } = await import('../pdfview');
        v.setAppearance(await renderPdfToCanvas(bytes, Math.max(placed.seen.w, placed.seen.h) * 3));
        return;
      } catch {
        // Falls back to the words below.
      }
    }
    const signer = state.identities.find((i) => i.name === s.identity);
    const cn = signer ? (/CN=([^,]+)/.exec(signer.certificate.subject)?.[1] ?? signer.name) : '';
    v.setAppearance([cn, new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', s.padesReason.trim()].filter(Boolean));
  }

  async function loadSealOf(identity: string): Promise<void> {
    s.sealOf = null;
    s.stamp = false;
    if (!identity) return;
    try {
      s.sealOf = await api.identitySeal(identity);
      s.stamp = s.sealOf.kind !== null;
    } catch {
      s.sealOf = null;
    }
    await refreshAppearance();
    render();
  }

  async function findKeyword(): Promise<void> {
    s.keywordMsg = '';
    if (view && !(await view.placeAtText(s.keyword))) s.keywordMsg = t('seal.keywordMissing', { text: s.keyword.trim() });
    render();
  }

  /** The visible-signature text the core reads, with the batch's page choice. */
  function visibleText(): string | null {
    if (!s.visible || !s.placed) return null;
    return s.placeOn === 'last' ? s.placed.text.replace(/^\d+,/, 'last,') : s.placed.text;
  }
  const progressBox = h('div', { class: 'progress-box', testid: 'seal-progress', hidden: true });

  function add(paths: string[]): void {
    for (const p of paths) if (!s.queue.includes(p)) s.queue.push(p);
    render();
    if (s.visible) void showDocument();
  }

  async function pick(folders: boolean): Promise<void> {
    try {
      add(await api.pickFiles(folders));
    } catch (e) {
      ctx.showError(e);
    }
  }

  // The progress box is built once per job and then updated in place, so its Cancel button
  // stays the same element however fast progress events arrive.
  let progressJob: string | null = null;
  const progressParts = {
    phase: h('span', { class: 'progress-phase', testid: 'seal-phase' }),
    pct: h('span', { class: 'progress-pct', testid: 'seal-percent' }),
    bar: h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100' }),
    fill: h('div', { class: 'bar-fill' }),
    current: h('span', { class: 'progress-current ellipsis', testid: 'seal-current' }),
    counts: h('span', { class: 'muted nowrap', testid: 'seal-counts' }),
  };
  progressParts.bar.append(progressParts.fill);

  function renderProgress(): void {
    const p = s.progress;
    progressBox.hidden = s.job === null;
    if (s.job === null) {
      progressJob = null;
      return;
    }
    if (progressJob !== s.job || progressBox.childElementCount === 0) {
      progressJob = s.job;
      replace(
        progressBox,
        h('div', { class: 'progress-head' }, progressParts.phase, progressParts.pct),
        progressParts.bar,
        h('div', { class: 'progress-foot' }, progressParts.current, progressParts.counts),
        h('div', { class: 'progress-actions' }, h('button', { class: 'btn btn-secondary', type: 'button', testid: 'seal-cancel', on: { click: () => void cancel() } }, t('seal.cancel'))),
      );
    }
    const pct = p ? progressPercent(p) : 0;
    const eta = p ? etaSeconds(p, s.startedMs, Date.now()) : null;
    progressParts.phase.textContent = p ? tMaybe(`seal.phase.${p.phase}`, p.phase) : t('app.loading');
    progressParts.pct.textContent = `${pct}%`;
    progressParts.fill.style.width = `${pct}%`;
    progressParts.bar.setAttribute('aria-valuenow', String(pct));
    progressParts.current.title = p?.current ?? '';
    progressParts.current.textContent = p?.current ? baseName(p.current) : '';
    progressParts.counts.textContent =
      (p
        ? t('seal.progress', { files_done: p.files_done, files_total: p.files_total, bytes_done: formatSize(p.bytes_done), bytes_total: formatSize(p.bytes_total) })
        : '') + (eta !== null ? ` · ${t('seal.eta', { eta: formatDuration(eta, { h: t('unit.h'), min: t('unit.min'), s: t('unit.s') }) })}` : '');
  }

  async function cancel(): Promise<void> {
    if (!s.job) return;
    try {
      await api.cancel(s.job);
    } catch (e) {
      ctx.showError(e);
    }
  }

  async function start(): Promise<void> {
    if (s.queue.length === 0 || s.job) return;
    if (s.identity && !s.password) {
      s.hint = t('seal.needPassword');
      render();
      return;
    }
    if (s.pades && s.visible && !s.placed) {
      s.hint = t('seal.placeFirst');
      render();
      return;
    }
    s.hint = '';
    ctx.clearError();
    const job = newJobId();
    s.job = job;
    s.progress = null;
    s.startedMs = Date.now();
    s.result = null;
    render();
    const unwatch = events.watchProgress(job, (p) => {
      s.progress = p;
      renderProgress();
    });
    try {
      const paths = [...s.queue];
      const base = padesRequest(s.pades, s.identity, s.padesLevel, s.padesReason);
      const visible = visibleText();
      const pades = base && visible ? { ...base, visible, seal: s.stamp } : base;
      const report = await api.seal(job, paths, s.identity || null, s.identity ? s.password : null, pades);
      s.result = await withProofs(report);
      s.queue = s.queue.filter((p) => !paths.includes(p));
    } catch (e) {
      ctx.showError(e);
    } finally {
      unwatch();
      s.job = null;
      s.password = '';
      render();
      el.querySelector('[data-testid="seal-result"]')?.scrollIntoView({ block: 'nearest' });
    }
  }

  /**
   * The sealed records with what the vault now says of their proofs (the anchor comes after the
   * seal). The records sealed now are the newest: one page of the newest reads them; records that
   * were sealed before (already sealed) are looked up by their id, a few at most.
   */
  async function withProofs(report: SealReport): Promise<SealReport> {
    try {
      const wanted = new Set(report.records.map((r) => r.id));
      const rows = new Map<string, RecordRow>();
      if (wanted.size === 0) return report;
      const newest = await api.records({ limit: Math.min(wanted.size, MAX_PAGE) });
      for (const r of newest.records) if (wanted.has(r.id)) rows.set(r.id, r);
      const older = [...wanted].filter((id) => !rows.has(id)).slice(0, LOOKUPS);
      const found = await Promise.all(older.map((id) => api.records({ search: id, limit: 1 }).then((p) => p.records.find((r) => r.id === id), () => undefined)));
      for (const r of found) if (r) rows.set(r.id, r);
      const records = report.records.map((r) => {
        const row = rows.get(r.id);
        return row ? { ...r, anchored: row.anchored, anchor_pending: row.anchor_pending } : r;
      });
      return { ...report, records };
    } catch {
      return report;
    }
  }

  function signedPdfsView(report: SealReport): HTMLElement | null {
    const copies = signedCopies(report);
    if (copies.length === 0) return null;
    return h(
      'div',
      { class: 'signed-pdfs', testid: 'seal-signed-pdfs' },
      h('h3', null, t('seal.signedPdfs', { count: copies.length })),
      h(
        'ul',
        { class: 'rows' },
        copies.map((c) =>
          h(
            'li',
            { class: 'row', testid: 'signed-pdf-row', 'data-level': c.level },
            h('div', { class: 'row-main' }, icon('file', 18), h('div', { class: 'row-text' }, h('div', { class: 'row-title ellipsis', title: c.output }, baseName(c.output)), h('div', { class: 'row-sub wrap', testid: 'signed-pdf-path' }, c.output))),
            h('span', { class: 'pill tone-pass', testid: 'signed-pdf-level' }, t('seal.signedPdfLevel', { level: c.level })),
          ),
        ),
      ),
    );
  }

  function padesFields(running: boolean): HTMLElement {
    const box = h('input', {
      type: 'checkbox',
      testid: 'seal-pades',
      checked: s.pades,
      disabled: running,
      on: {
        change: (e) => {
          s.pades = (e.target as HTMLInputElement).checked;
          render();
        },
      },
    });
    const level = select('seal-pades-level', PADES_LEVELS.map((l): [string, string] => [l, t(`seal.padesLevel.${l}`)]), s.padesLevel, (v) => (s.padesLevel = v));
    level.disabled = running;
    const reason = h('input', { type: 'text', testid: 'seal-pades-reason', maxlength: '200', placeholder: t('seal.padesReasonPlaceholder'), value: s.padesReason, disabled: running, on: { input: (e) => (s.padesReason = (e.target as HTMLInputElement).value) } });
    return h(
      'div',
      { class: 'pades-options', testid: 'seal-pades-options' },
      h('label', { class: 'check-field' }, box, h('span', null, t('seal.pades'))),
      s.pades
        ? h('div', { class: 'form-row' }, field(t('seal.padesLevel'), level), field(t('seal.padesReason'), reason))
        : null,
      s.pades ? h('p', { class: 'field-hint' }, t('seal.padesHint')) : null,
      s.pades ? placementFields(running) : null,
    );
  }

  function placementFields(running: boolean): HTMLElement {
    const pdfs = s.queue.filter(isPdfPath);
    const visible = h('input', {
      type: 'checkbox',
      testid: 'seal-visible',
      checked: s.visible,
      disabled: running || pdfs.length === 0,
      on: {
        change: (e) => {
          s.visible = (e.target as HTMLInputElement).checked;
          if (!s.visible) s.placed = null;
          render();
          if (s.visible) void showDocument();
        },
      },
    });
    if (!s.visible || pdfs.length === 0) return h('div', { class: 'placement' }, h('label', { class: 'check-field' }, visible, h('span', null, t('seal.visible'))));
    const which = select('seal-view-pdf', pdfs.map((p): [string, string] => [p, baseName(p)]), s.viewPath, (v) => {
      s.viewPath = v;
      void showDocument();
    });
    const placeOn = select('seal-place-page', [['same', t('seal.placePage.same')], ['last', t('seal.placePage.last')]], s.placeOn, (v) => (s.placeOn = v as 'same' | 'last'));
    const keyword = h('input', { type: 'text', testid: 'seal-keyword', placeholder: t('seal.keywordPlaceholder'), value: s.keyword, on: { input: (e) => (s.keyword = (e.target as HTMLInputElement).value), keydown: (e) => (e as KeyboardEvent).key === 'Enter' && void findKeyword() } });
    const stamp = h('input', {
      type: 'checkbox',
      testid: 'seal-stamp',
      checked: s.stamp,
      disabled: running || !s.sealOf?.kind,
      on: {
        change: (e) => {
          s.stamp = (e.target as HTMLInputElement).checked;
          void refreshAppearance();
        },
      },
    });
    return h(
      'div',
      { class: 'placement', testid: 'seal-placement-box' },
      h('label', { class: 'check-field' }, visible, h('span', null, t('seal.visible'))),
      h('p', { class: 'field-hint' }, t('seal.visibleHint')),
      h(
        'div',
        { class: 'form-row' },
        pdfs.length > 1 ? field(t('seal.viewing'), which) : null,
        pdfs.length > 1 ? field(t('seal.placePage'), placeOn) : null,
        field(t('seal.keyword'), h('div', { class: 'inline' }, keyword, h('button', { class: 'btn btn-secondary', type: 'button', testid: 'seal-find', on: { click: () => void findKeyword() } }, t('seal.find')))),
      ),
      s.keywordMsg ? h('p', { class: 'form-error', testid: 'seal-keyword-msg' }, s.keywordMsg) : null,
      h('label', { class: 'check-field' }, stamp, h('span', null, t('seal.stamp'))),
      s.sealOf && !s.sealOf.kind ? h('p', { class: 'field-hint', testid: 'seal-no-stamp' }, t('seal.noStamp')) : null,
      s.viewError ? h('p', { class: 'form-error', testid: 'seal-view-error' }, s.viewError) : (view?.el ?? h('p', { class: 'muted', testid: 'seal-view-loading' }, t('app.loading'))),
      h('p', { class: 'muted small mono', testid: 'seal-placement' }, s.placed?.text ?? ''),
    );
  }

  function resultView(report: SealReport): HTMLElement {
    return h(
      'section',
      { class: 'card', testid: 'seal-result' },
      h('div', { class: 'card-head' }, h('h2', null, t('seal.results', { count: report.records.length })), h('button', { class: 'btn btn-ghost', type: 'button', testid: 'seal-open-vault', on: { click: () => ctx.navigate('vault') } }, t('seal.openVault'))),
      h('p', { class: 'muted' }, t('seal.done', { count: report.records.length })),
      h(
        'ul',
        { class: 'rows' },
        report.records.map((r) => {
          const reason = r.timestamp?.pending_reason;
          return h(
            'li',
            { class: 'row result-row', testid: 'record-row', 'data-id': r.id },
            h('div', { class: 'row-main' }, icon('file', 18), h('div', { class: 'row-text' }, h('div', { class: 'row-title ellipsis', title: r.source_path }, r.name), h('div', { class: 'row-sub' }, formatSize(r.size), ' · SHA-256 ', shortHash(r.digests['sha256'] ?? '')))),
            badges(r, () => ctx.navigate('settings')),
            reason ? h('div', { class: 'row-note tone-indet', testid: 'seal-pending-reason', 'data-code': reason.code }, describeError(reason, (k) => t(k)).text) : null,
            r.skipped.length > 0 ? h('ul', { class: 'row-note plain' }, r.skipped.map((k) => h('li', null, t('seal.skipped', { path: k.path, reason: k.reason })))) : null,
          );
        }),
      ),
      signedPdfsView(report),
    );
  }

  function render(): void {
    const running = s.job !== null;
    const ids = state.identities;
    if (s.identity && !ids.some((i) => i.name === s.identity)) s.identity = '';
    const identitySelect = select('seal-identity', [['', t('seal.noSignature')], ...ids.map((i): [string, string] => [i.name, i.name])], s.identity, (v) => {
      s.identity = v;
      s.password = '';
      render();
      void loadSealOf(v);
    });
    identitySelect.disabled = running;
    const password = h('input', { type: 'password', testid: 'seal-password', autocomplete: 'current-password', value: s.password, disabled: running, on: { input: (e) => (s.password = (e.target as HTMLInputElement).value) } });
    replace(
      el,
      pageHead(t('seal.title'), t('seal.lead')),
      dropZone('seal-drop', t('seal.drop'), t('seal.dropHint'), [
        h('button', { class: 'btn btn-secondary', type: 'button', testid: 'seal-pick-files', disabled: running, on: { click: () => void pick(false) } }, t('seal.pickFiles')),
        h('button', { class: 'btn btn-secondary', type: 'button', testid: 'seal-pick-folder', disabled: running, on: { click: () => void pick(true) } }, t('seal.pickFolder')),
      ], s.queue.length > 0 || s.result !== null || running),
      h(
        'section',
        { class: 'card' },
        h(
          'div',
          { class: 'card-head' },
          h('h2', null, t('seal.queue', { count: s.queue.length })),
          s.queue.length > 1 && !running ? h('button', { class: 'btn btn-ghost', type: 'button', testid: 'seal-clear', on: { click: () => ((s.queue = []), render()) } }, t('seal.clear')) : null,
        ),
        s.queue.length === 0
          ? h('p', { class: 'muted empty', testid: 'seal-queue' }, t('seal.queueEmpty'))
          : h(
              'ul',
              { class: 'rows queue', testid: 'seal-queue' },
              s.queue.map((p) =>
                h(
                  'li',
                  { class: 'row queue-row', testid: 'seal-queue-item', 'data-path': p },
                  h('div', { class: 'row-main' }, icon('file', 18), h('div', { class: 'row-text' }, h('div', { class: 'row-title ellipsis' }, baseName(p)), h('div', { class: 'row-sub ellipsis', title: p }, p))),
                  h(
                    'button',
                    { class: 'btn-icon', type: 'button', testid: 'seal-queue-remove', title: t('seal.remove'), 'aria-label': `${t('seal.remove')} ${baseName(p)}`, disabled: running, on: { click: () => ((s.queue = s.queue.filter((q) => q !== p)), render()) } },
                    icon('close', 16),
                  ),
                ),
              ),
            ),
        h(
          'div',
          { class: 'form-row' },
          field(t('seal.identity'), identitySelect),
          s.identity ? field(t('seal.password'), password) : null,
          h('div', { class: 'form-row-end' }, h('button', { class: 'btn btn-primary btn-lg', type: 'button', testid: 'seal-start', disabled: running || s.queue.length === 0, on: { click: () => void start() } }, icon('seal', 18), t('seal.start'))),
        ),
        s.identity ? padesFields(running) : null,
        s.hint ? h('p', { class: 'form-error', testid: 'seal-hint' }, s.hint) : null,
      ),
      progressBox,
      s.result ? resultView(s.result) : null,
    );
    renderProgress();
  }

  return {
    el,
    render,
    filesDropped: (paths) => add(paths),
    countersign: (path) => {
      // A received PDF signed again in a new revision, at a box placed on its pages; its earlier
      // signatures stay valid, and the countersigned copy is what is sealed.
      if (s.job) return;
      if (!s.queue.includes(path)) s.queue.push(path);
      s.viewPath = path;
      s.pades = true;
      s.visible = true;
      if (!s.identity && state.identities.length === 1) {
        s.identity = state.identities[0]!.name;
        void loadSealOf(s.identity);
      }
      render();
      void showDocument();
    },
  };
}
