// Shared view pieces: proof badges, verdict pills, digests, form fields and the verification report.

import type { Check, PdfReport, VerifyReport, VerifiedRecord } from './api';
import { h, icon, type Child } from './dom';
import { lang, t, tMaybe } from './i18n';
import { deriveBadges, pendingLabelKey, type BadgeSource } from './logic/badges';
import { state } from './state';
import { baseName, formatDateTime, formatSize, groupDigest, localOffset, shortDigest } from './logic/format';
import { pageLabelParams, type ShownPage } from './logic/paging';
import { pdfSignatureRows, type PdfSigRow } from './logic/pdfsig';
import { verdictStyle } from './logic/verdict';

/** The proof badges of a record. */
export function badges(r: BadgeSource, settings?: () => void): HTMLElement {
  const { kinds, pending } = deriveBadges(r);
  const wrap = h('span', { class: 'badges' });
  for (const kind of kinds) {
    if (kind === 'untimestamped') {
      // Why there is none, and where to set one up, when no time-stamping service is configured.
      const configured = state.info?.timestamping !== false;
      const label = t(configured ? 'badge.untimestamped' : 'badge.untimestamped.noTsa');
      const badge = settings && !configured
        ? h('button', { type: 'button', class: 'badge badge-untimestamped badge-link', testid: 'badge-untimestamped', 'data-tsa': 'none', title: t('badge.untimestamped.settings'), on: { click: (e) => (e.stopPropagation(), settings()) } }, label)
        : h('span', { class: 'badge badge-untimestamped', testid: 'badge-untimestamped', 'data-tsa': configured ? 'configured' : 'none', title: label }, label);
      wrap.appendChild(badge);
      continue;
    }
    const label = kind === 'pending' ? t(pendingLabelKey(pending)) : t(`badge.${kind}` as 'badge.signed');
    const title = kind === 'pending' ? pending.map((p) => t(`badge.pending.${p}` as 'badge.pending.timestamp')).join(' ') : label;
    wrap.appendChild(h('span', { class: `badge badge-${kind}`, testid: `badge-${kind}`, title }, label));
  }
  return wrap;
}

/** A small coloured verdict label. */
export function verdictPill(verdict: string): HTMLElement {
  const s = verdictStyle(verdict);
  return h('span', { class: `pill tone-${s.tone}`, 'data-verdict': verdict }, t(s.label));
}

/** Display name of a digest algorithm: sha256 → SHA-256, sm3 → SM3. */
export function algorithmName(algorithm: string): string {
  const m = /^sha(\d+)$/i.exec(algorithm);
  return m ? `SHA-${m[1]}` : algorithm.toUpperCase();
}

/** A digest shown whole (grouped, wrapping) with a copy button. */
export function digestBlock(algorithm: string, hex: string): HTMLElement {
  const copy = h('button', { class: 'btn-link small', type: 'button', title: t('detail.copy') }, t('detail.copy'));
  copy.addEventListener('click', () => {
    void navigator.clipboard?.writeText(hex).then(() => {
      copy.textContent = t('detail.copied');
    });
  });
  return h(
    'div',
    { class: 'digest' },
    h('span', { class: 'digest-algo' }, algorithmName(algorithm)),
    h('code', { class: 'mono wrap', title: hex }, groupDigest(hex)),
    copy,
  );
}

/** A short digest in monospace, whole value on hover. */
export function shortHash(hex: string): HTMLElement {
  return h('code', { class: 'mono muted', title: hex }, shortDigest(hex));
}

/** Date-time in the local zone. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return formatDateTime(iso, localOffset(new Date(iso)));
}

/** Date and minutes in the local zone, for lists (the full time is in the title). */
export function whenShort(iso: string): HTMLElement {
  return h('span', { title: when(iso) }, formatDateTime(iso, localOffset(new Date(iso)), false).slice(0, 16));
}

/** A definition list from label/value pairs (values may be nodes); empty values are left out. */
export function facts(rows: [string, Child][]): HTMLElement {
  const dl = h('dl', { class: 'facts' });
  for (const [label, value] of rows) {
    if (value === null || value === undefined || value === '') continue;
    dl.appendChild(h('dt', null, label));
    dl.appendChild(h('dd', null, value));
  }
  return dl;
}

/** A labelled form field around a control. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control, hint ? h('span', { class: 'field-hint' }, hint) : null);
}

/** A <select> from value/label pairs. */
export function select(testid: string, options: [string, string][], value: string, onChange: (v: string) => void): HTMLSelectElement {
  const el = h('select', { testid, on: { change: (e) => onChange((e.target as HTMLSelectElement).value) } });
  for (const [v, label] of options) el.appendChild(h('option', { value: v, selected: v === value }, label));
  el.value = value;
  return el;
}

/** The page heading with its lead paragraph. */
export function pageHead(title: string, lead?: string, actions?: Child): HTMLElement {
  return h('div', { class: 'page-head' }, h('div', null, h('h1', null, title), lead ? h('p', { class: 'lead' }, lead) : null), actions ? h('div', { class: 'page-actions' }, actions) : null);
}

/** What the controls of a paged list read from its pager. */
export interface PagerView {
  page: ShownPage<unknown> | null;
  loading: boolean;
  hasPrev(): boolean;
  hasNext(): boolean;
}

/** Previous / Next buttons and the "1–100 of 1,000,000" label of a paged list, updated in place. */
export function pagerControls(prefix: string, onPrev: () => void, onNext: () => void): { el: HTMLElement; update(p: PagerView): void } {
  const label = h('span', { class: 'pager-range muted', testid: `${prefix}-range`, 'aria-live': 'polite' });
  const prev = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', testid: `${prefix}-prev`, on: { click: onPrev } }, t('pager.prev'));
  const next = h('button', { class: 'btn btn-secondary btn-sm', type: 'button', testid: `${prefix}-next`, on: { click: onNext } }, t('pager.next'));
  const el = h('div', { class: 'pager', testid: `${prefix}-pager` }, label, prev, next);
  return {
    el,
    update(p) {
      const page = p.page;
      const params = page ? pageLabelParams(page.offset, page.rows.length, page.total, lang()) : null;
      label.textContent = params ? t('pager.range', params) : '';
      prev.disabled = !p.hasPrev();
      next.disabled = !p.hasNext();
      el.setAttribute('aria-busy', String(p.loading));
      el.setAttribute('data-search', page?.search ?? '');
    },
  };
}

/** The search box of a paged list: typing searches after a pause, Enter at once. */
export function pagedSearchBox(testid: string, text: string, onText: (text: string) => void, pager: { typed(text: string): void; setSearch(text: string): Promise<void> }): HTMLInputElement {
  let current = text;
  return h('input', {
    type: 'search',
    class: 'search',
    testid,
    placeholder: t('vault.search'),
    'aria-label': t('vault.search'),
    value: text,
    on: {
      input: (e) => {
        current = (e.target as HTMLInputElement).value;
        onText(current);
        pager.typed(current);
      },
      keydown: (e) => {
        if ((e as KeyboardEvent).key === 'Enter') void pager.setSearch(current);
      },
    },
  }) as HTMLInputElement;
}

/** A drop zone with a big icon, a title, a hint and buttons. */
export function dropZone(testid: string, title: string, hint: string | null, buttons: Child, compact = false): HTMLElement {
  return h('div', { class: `dropzone ${compact ? 'compact' : ''}`, testid }, icon('upload', 40), h('div', { class: 'dropzone-title' }, title), hint ? h('div', { class: 'dropzone-hint' }, hint) : null, h('div', { class: 'dropzone-actions' }, buttons));
}

function checkRow(c: Check): HTMLElement {
  const s = verdictStyle(c.verdict);
  const reasonText = c.reason ? tMaybe(`reason.${c.reason}`, '') : '';
  return h(
    'li',
    { class: `check tone-${s.tone}`, testid: 'check-row', 'data-check': c.check, 'data-verdict': c.verdict },
    h('div', { class: 'check-head' }, verdictPill(c.verdict), h('span', { class: 'check-name' }, tMaybe(`check.${c.check}`, c.check)), h('code', { class: 'check-subject mono', title: c.subject }, c.subject)),
    c.reason
      ? h('div', { class: 'check-reason', testid: 'check-reason' }, h('strong', null, `${t('verify.reason')}: `), h('code', { class: 'mono' }, c.reason), reasonText ? ` — ${reasonText}` : null)
      : null,
    h('div', { class: 'check-detail' }, c.detail),
  );
}

export function checkList(checks: Check[]): HTMLElement {
  return h('ul', { class: 'checks' }, checks.map(checkRow));
}

function recordBlock(r: VerifiedRecord): HTMLElement {
  const s = verdictStyle(r.result);
  return h(
    'section',
    { class: `report-record tone-${s.tone}`, testid: 'report-record', 'data-id': r.id },
    h('div', { class: 'report-record-head' }, h('h3', null, r.name), verdictPill(r.result.replace('TOTAL-', ''))),
    h('div', { class: 'report-record-meta' }, h('span', null, formatSize(r.size)), h('span', null, 'SHA-256 '), shortHash(r.sha256)),
    checkList(r.checks),
    r.notes.length > 0 ? h('div', { class: 'notes' }, h('h4', null, t('verify.notes')), checkList(r.notes)) : null,
    r.signers && r.signers.length > 0
      ? h('div', { class: 'signers' }, h('h4', null, t('verify.signers')), h('ul', { class: 'plain' }, r.signers.map((g) => h('li', { class: 'wrap' }, g.subject))))
      : null,
  );
}

/** The whole verification report: big verdict, package checks, records, policy. */
export function reportView(report: VerifyReport): HTMLElement {
  const s = verdictStyle(report.result);
  const totalKey = s.tone === 'pass' ? 'verdict.total.passed' : s.tone === 'fail' ? 'verdict.total.failed' : 'verdict.total.indeterminate';
  const p = report.policy;
  return h(
    'div',
    { class: 'report' },
    h(
      'div',
      { class: `verdict-hero tone-${s.tone}`, testid: 'verify-total', 'data-result': report.result },
      h('div', { class: 'verdict-mark' }, s.tone === 'pass' ? '✓' : s.tone === 'fail' ? '✕' : '!'),
      h('div', null, h('div', { class: 'verdict-label' }, t(totalKey)), h('p', { class: 'verdict-sentence', testid: 'verify-sentence' }, t(s.sentence))),
    ),
    facts([
      [t('verify.package'), report.package ? h('span', { class: 'wrap' }, report.package) : null],
      [t('verify.producer'), report.producer],
      [t('verify.exportedAt'), report.exported_at ? when(report.exported_at) : null],
      [t('report.case'), report.case ? h('span', { class: 'wrap', testid: 'verify-case' }, report.case) : null],
      [t('verify.profile'), report.profile === 'sandbox' ? h('span', { class: 'pill tone-fail' }, t('app.sandbox')) : report.profile ? t('app.production') : null],
    ]),
    report.checks.length > 0 ? h('section', { class: 'report-section' }, h('h2', null, t('verify.packageChecks')), checkList(report.checks)) : null,
    h('section', { class: 'report-section' }, h('h2', null, t('verify.records', { count: report.records.length })), report.records.map(recordBlock)),
    h(
      'section',
      { class: 'report-section', testid: 'verify-policy' },
      h('h2', null, t('verify.policy')),
      facts([
        [t('verify.trust'), h('ul', { class: 'plain' }, p.trust.map((x) => h('li', null, x)))],
        [t('verify.selfSigned'), p.accept_self_signed ? t('verify.selfSigned.yes') : t('verify.selfSigned.no')],
        [t('verify.chainMode'), p.chain],
        [t('verify.confirmations'), p.confirmations != null ? String(p.confirmations) : null],
      ]),
    ),
  );
}

function pdfSignatureBlock(row: PdfSigRow): HTMLElement {
  const s = verdictStyle(row.result);
  return h(
    'li',
    { class: `report-record tone-${s.tone}`, testid: 'pdf-sig-row', 'data-field': row.field, 'data-kind': row.kind, 'data-level': row.level ?? '', 'data-result': row.result },
    h(
      'div',
      { class: 'report-record-head' },
      h('h3', null, h('span', { testid: 'pdf-sig-field' }, row.field), ' ', h('span', { class: 'muted small', testid: 'pdf-sig-kind' }, t(`verify.pdf.kind.${row.kind}`))),
      h('span', { testid: 'pdf-sig-result', 'data-result': row.result }, verdictPill(row.result.replace('TOTAL-', ''))),
    ),
    facts([
      [t('verify.pdf.level'), row.level ? h('span', { testid: 'pdf-sig-level' }, `PAdES ${row.level}`) : null],
      [t('verify.pdf.signer'), row.signer ? h('span', { class: 'wrap', testid: 'pdf-sig-signer' }, row.signer) : null],
      [t('verify.pdf.tsa'), row.tsa ? h('span', { class: 'wrap' }, row.tsa) : null],
      [t('verify.pdf.time'), h('span', { testid: 'pdf-sig-time' }, row.time ? when(row.time) : t('verify.pdf.noTime'))],
      [t('verify.pdf.certification'), row.certification ? h('span', { class: 'wrap', testid: 'pdf-sig-certification' }, row.certification) : null],
      [t('verify.pdf.locked'), row.lockedFields ? h('span', { class: 'wrap', testid: 'pdf-sig-locked' }, row.lockedFields) : null],
      [t('verify.pdf.revocation'), row.revocation.length > 0 ? h('span', { class: 'wrap', testid: 'pdf-sig-revocation' }, row.revocation.join('; ')) : null],
    ]),
    row.problems.length > 0 ? h('div', { testid: 'pdf-sig-problems' }, checkList(row.problems)) : null,
    row.disallowed.length > 0
      ? h('div', { class: 'notes', testid: 'pdf-sig-changes' }, h('h4', null, t('verify.pdf.changes')), h('ul', { class: 'plain' }, row.disallowed.map((w) => h('li', { class: 'wrap', testid: 'pdf-sig-change' }, w))))
      : null,
  );
}

/** The signatures inside a PDF (verify_pdf): one block per signature or document time-stamp. */
export function pdfSignaturesView(report: PdfReport): HTMLElement {
  const rows = pdfSignatureRows(report);
  return h(
    'div',
    { class: 'report-section', 'data-result': report.result },
    h(
      'div',
      { class: 'report-record-head' },
      h('h2', null, t('verify.pdf.title')),
      rows.length > 0 ? h('span', { testid: 'verify-pdf-total', 'data-result': report.result }, verdictPill(report.result.replace('TOTAL-', ''))) : null,
    ),
    h(
      'div',
      { class: 'report-record-meta' },
      h('span', { class: 'wrap', title: report.file }, baseName(report.file)),
      h('span', null, `· ${formatSize(report.size)} ·`),
      h('span', null, t('verify.pdf.revisions', { count: report.revisions })),
      shortHash(report.sha256),
    ),
    h(
      'div',
      { class: 'report-record-meta muted small', testid: 'verify-pdf-policy' },
      report.policy.validation_time ? h('span', null, t('verify.pdf.validatedAt', { time: when(report.policy.validation_time) })) : null,
      report.policy.revocation ? h('span', { class: 'wrap' }, `· ${t('verify.pdf.revocationSource', { source: report.policy.revocation })}`) : null,
    ),
    rows.length === 0
      ? h('p', { class: 'muted empty', testid: 'verify-pdf-none' }, t('verify.pdf.none'))
      : h('ul', { class: 'checks pdf-sigs' }, rows.map(pdfSignatureBlock)),
  );
}
