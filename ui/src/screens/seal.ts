// Seal screen: queue files, choose an identity, seal with live progress, show each record's proofs.

import { api, events, newJobId, type Progress, type RecordRow, type SealReport } from '../api';
import { badges, dropZone, field, pageHead, select, shortHash } from '../components';
import { h, icon, replace } from '../dom';
import { t, tMaybe } from '../i18n';
import { describeError } from '../logic/errors';
import { baseName, formatDuration, formatSize } from '../logic/format';
import { MAX_PAGE } from '../logic/paging';
import { DEFAULT_PADES_LEVEL, PADES_LEVELS, padesRequest, signedCopies } from '../logic/pdfsig';
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
  };
  const progressBox = h('div', { class: 'progress-box', testid: 'seal-progress', hidden: true });

  function add(paths: string[]): void {
    for (const p of paths) if (!s.queue.includes(p)) s.queue.push(p);
    render();
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
    s.hint = '';
    ctx.clearError();
    const job = newJobId();
    s.job = job;
    s.progress = null;
    s.startedMs = Date.now();
    s.result = null;
    render();
    const unlisten = await events.onProgress((p) => {
      if (p.job !== job) return;
      s.progress = p;
      renderProgress();
    });
    try {
      const paths = [...s.queue];
      const pades = padesRequest(s.pades, s.identity, s.padesLevel, s.padesReason);
      const report = await api.seal(job, paths, s.identity || null, s.identity ? s.password : null, pades);
      s.result = await withProofs(report);
      s.queue = s.queue.filter((p) => !paths.includes(p));
    } catch (e) {
      ctx.showError(e);
    } finally {
      unlisten();
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
            badges(r),
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
  };
}
