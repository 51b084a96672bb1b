// Vault screen: one page of the records at a time, searched and filtered (status, case) by the
// vault; select records for export or for a case (on any page) and inspect one record in a side panel.

import { api, LIST_FILTERS, type ListFilter, type ProofStatus, type RecordDetail, type RecordList, type RecordRow, type VerifyReport } from '../api';
import { badges, digestBlock, facts, pageHead, pagedSearchBox, pagerControls, reportView, select, shortHash, when, whenShort } from '../components';
import { h, icon, replace } from '../dom';
import { t, tMaybe } from '../i18n';
import { formatDate, formatSize, localOffset } from '../logic/format';
import { Pager, PAGE_SIZE } from '../logic/paging';
import { notePage, state, type Ctx, type Screen } from '../state';

export function createVaultScreen(ctx: Ctx): Screen {
  const el = h('div', { class: 'screen screen-vault' });
  const listBox = h('div', { class: 'card table-card', testid: 'vault-list' });
  const exportBtn = h('button', { class: 'btn btn-primary', type: 'button', testid: 'vault-export-selected', on: { click: () => ctx.navigate('export') } });
  const drawer = h('aside', { class: 'drawer', testid: 'record-detail', hidden: true });
  const s = {
    /** The text in the search box (the pager holds the search asked for). */
    text: '',
    detail: null as RecordDetail | null,
    reverify: null as VerifyReport | null,
    reverifying: false,
    /** The status filter ('' for any). */
    status: '' as ListFilter | '',
    /** The case filter ('' for all records). */
    case: '',
    /** The new-case form is open, with the name typed. */
    naming: false,
    newName: '',
    /** What the last case action did, in words. */
    note: '',
  };
  const caseBar = h('div', { class: 'case-bar', testid: 'vault-case-bar' });
  const pager = new Pager<RecordRow, RecordList>({
    fetch: (q) => api.records({ ...q, ...(s.case ? { case: s.case } : {}), ...(s.status ? { status: s.status } : {}) }),
    limit: PAGE_SIZE,
    onAnswer: (list) => notePage(list),
    onChange: () => renderList(),
    onError: (e) => ctx.showError(e),
  });
  let controls = pagerControls('vault', () => void pager.prev(), () => void pager.next());
  let location: HTMLElement | null = null;
  let retryBtn: HTMLButtonElement | null = null;
  /** The line saying when proofs weaken, with its Renew button (empty when none is due). */
  const renewal = h('div', { class: 'card renewal-line', testid: 'vault-renewal', hidden: true });
  let renewing = false;
  /** What the last Renew did, in words. */
  let renewalNote = '';

  function rows(): RecordRow[] {
    return pager.page?.rows ?? [];
  }

  function updateExportBtn(): void {
    exportBtn.textContent = t('vault.exportSelected', { count: state.selection.size });
    exportBtn.disabled = state.selection.size === 0;
  }

  function toggle(r: RecordRow, on: boolean): void {
    if (on) state.selection.set(r.id, r);
    else state.selection.delete(r.id);
  }

  async function openDetail(id: string): Promise<void> {
    try {
      s.detail = await api.record(id);
      s.reverify = null;
      renderDrawer();
      renderList();
    } catch (e) {
      ctx.showError(e);
    }
  }

  async function reverify(): Promise<void> {
    if (!s.detail) return;
    s.reverifying = true;
    renderDrawer();
    try {
      s.reverify = await api.reverify(s.detail.id);
    } catch (e) {
      ctx.showError(e);
    } finally {
      s.reverifying = false;
      renderDrawer();
    }
  }

  function renderList(): void {
    const page = pager.page;
    const shown = rows();
    controls.update(pager);
    listBox.setAttribute('aria-busy', String(pager.loading));
    updateExportBtn();
    if (location) location.textContent = state.vaultPath ? t('vault.location', { path: state.vaultPath }) : '';
    // What waits for a time-stamp or an anchor is among the newest records, on the first page.
    if (retryBtn) retryBtn.hidden = !shown.some((r) => r.status === 'timestamp_pending' || r.anchor_pending);
    renderCaseBar();
    const filtered = s.status !== '' || s.case !== '';
    if (!page || (page.total === 0 && page.search === '' && !filtered)) {
      replace(listBox, h('p', { class: 'empty muted', testid: 'vault-empty' }, page ? t('vault.empty') : t('app.loading')));
      return;
    }
    const allChecked = shown.length > 0 && shown.every((r) => state.selection.has(r.id));
    const selectAll = h('input', {
      type: 'checkbox',
      testid: 'vault-select-all',
      'aria-label': t('vault.selectAll'),
      title: t('vault.selectAll'),
      checked: allChecked,
      disabled: shown.length === 0,
      on: {
        change: (e) => {
          const on = (e.target as HTMLInputElement).checked;
          for (const r of shown) toggle(r, on);
          renderList();
        },
      },
    });
    replace(
      listBox,
      h(
        'table',
        { class: 'table' },
        h('thead', null, h('tr', null, h('th', { class: 'col-check' }, selectAll), h('th', null, t('vault.col.name')), h('th', { class: 'col-date' }, t('vault.col.date')), h('th', { class: 'col-size' }, t('vault.col.size')), h('th', { class: 'col-proofs' }, t('vault.col.proofs')))),
        h(
          'tbody',
          null,
          shown.length === 0
            ? h('tr', null, h('td', { colspan: '5', class: 'empty muted', testid: 'vault-no-match' }, page.search === '' ? t('vault.noMatchFilter') : t('vault.noMatch')))
            : shown.map((r) =>
                h(
                  'tr',
                  {
                    class: `clickable ${s.detail?.id === r.id ? 'selected' : ''}`,
                    testid: 'vault-row',
                    'data-id': r.id,
                    tabindex: '0',
                    on: {
                      click: (e) => {
                        if ((e.target as HTMLElement).closest('.col-check')) return;
                        void openDetail(r.id);
                      },
                      keydown: (e) => {
                        if ((e as KeyboardEvent).key === 'Enter') void openDetail(r.id);
                      },
                    },
                  },
                  h(
                    'td',
                    { class: 'col-check' },
                    h('input', {
                      type: 'checkbox',
                      testid: 'vault-select',
                      'aria-label': t('vault.select', { name: r.name }),
                      checked: state.selection.has(r.id),
                      on: {
                        change: (e) => {
                          toggle(r, (e.target as HTMLInputElement).checked);
                          renderList();
                        },
                      },
                    }),
                  ),
                  h('td', { class: 'col-name' }, h('div', { class: 'cell-title ellipsis', title: r.name }, r.name), h('div', { class: 'cell-sub' }, r.kind === 'work' ? `${t('detail.kind.work', { count: r.file_count })} · ` : '', shortHash(r.digests['sha256'] ?? ''))),
                  h('td', { class: 'col-date nowrap' }, whenShort(r.created_at)),
                  h('td', { class: 'col-size nowrap' }, formatSize(r.size)),
                  h('td', { class: 'col-proofs' }, badges(r, () => ctx.navigate('settings'))),
                ),
              ),
        ),
      ),
    );
  }

  /** Reads the vault's cases (for the filter and the "add to case" list). */
  async function loadCases(): Promise<void> {
    try {
      state.cases = await api.cases();
    } catch (e) {
      ctx.showError(e);
      return;
    }
    // A case gone from the list (another vault opened) is no longer a filter.
    if (s.case && !state.cases.some((c) => c.name === s.case)) {
      s.case = '';
      await pager.restart();
    }
    render();
  }

  function filterSelects(): HTMLElement {
    const status = select('vault-status', [['', t('vault.status.all')], ...LIST_FILTERS.map((f): [string, string] => [f, t(`vault.status.${f}`)])], s.status, (v) => {
      s.status = v as ListFilter | '';
      void pager.restart();
    });
    status.setAttribute('aria-label', t('vault.statusLabel'));
    status.title = t('vault.statusLabel');
    const cases = select('vault-case', [['', t('vault.case.all')], ...state.cases.map((c): [string, string] => [c.name, t('vault.case.option', { name: c.name, count: c.records })])], s.case, (v) => {
      s.case = v;
      s.note = '';
      void pager.restart();
    });
    cases.setAttribute('aria-label', t('vault.caseLabel'));
    cases.title = t('vault.caseLabel');
    return h('div', { class: 'filters' }, status, cases);
  }

  /** The case actions: naming a new case, adding the selection to a case, removing it, exporting the case. */
  function renderCaseBar(): void {
    const chosen = [...state.selection.keys()];
    const parts: (HTMLElement | null)[] = [];
    if (!s.naming) {
      parts.push(h('button', { class: 'btn btn-ghost btn-sm', type: 'button', testid: 'vault-case-new', on: { click: () => ((s.naming = true), (s.note = ''), renderCaseBar(), caseBar.querySelector<HTMLInputElement>('input')?.focus()) } }, '+ ', t('vault.case.new')));
    } else {
      const input = h('input', { type: 'text', testid: 'vault-case-name', placeholder: t('vault.case.name'), 'aria-label': t('vault.case.name'), maxlength: '100', value: s.newName, on: { input: (e) => (s.newName = (e.target as HTMLInputElement).value), keydown: (e) => { if ((e as KeyboardEvent).key === 'Enter') void createCase(); } } });
      parts.push(h('div', { class: 'case-new' }, input, h('button', { class: 'btn btn-primary', type: 'button', testid: 'vault-case-create', on: { click: () => void createCase() } }, t('vault.case.create')), h('button', { class: 'btn btn-ghost', type: 'button', testid: 'vault-case-cancel', on: { click: () => ((s.naming = false), (s.newName = ''), renderCaseBar()) } }, t('vault.case.cancel'))));
    }
    if (chosen.length > 0 && state.cases.length > 0) {
      const add = select('vault-case-add', [['', t('vault.case.addTo')], ...state.cases.map((c): [string, string] => [c.name, c.name])], '', (v) => {
        if (v) void changeCase(v, chosen, true);
      });
      parts.push(add);
    }
    if (s.case && chosen.length > 0) {
      parts.push(h('button', { class: 'btn btn-secondary', type: 'button', testid: 'vault-case-remove', on: { click: () => void changeCase(s.case, chosen, false) } }, t('vault.case.remove', { count: chosen.length })));
    }
    if (s.case) {
      parts.push(h('button', { class: 'btn btn-secondary', type: 'button', testid: 'vault-case-export', on: { click: () => ((state.exportCase = s.case), ctx.navigate('export')) } }, t('vault.case.export')));
    }
    if (s.note) parts.push(h('p', { class: 'muted small', testid: 'vault-case-note' }, s.note));
    replace(caseBar, ...parts.filter((p): p is HTMLElement => p !== null));
  }

  async function createCase(): Promise<void> {
    const name = s.newName.trim();
    if (!name) return;
    try {
      const opened = await api.openCase(name);
      s.naming = false;
      s.newName = '';
      s.note = t('vault.case.opened', { name: opened.name });
    } catch (e) {
      ctx.showError(e);
      return;
    }
    await loadCases();
  }

  async function changeCase(name: string, ids: string[], add: boolean): Promise<void> {
    try {
      const done = await api.changeCase(name, ids, add);
      s.note = t(add ? 'vault.case.added' : 'vault.case.removed', { count: done.changed.length, name: done.case });
      if (!add) for (const id of done.changed) state.selection.delete(id);
    } catch (e) {
      ctx.showError(e);
    }
    await loadCases();
    await pager.refresh();
    if (s.detail && ids.includes(s.detail.id)) await openDetail(s.detail.id);
  }

  function section(title: string, ...body: (Node | null)[]): HTMLElement {
    return h('section', { class: 'detail-section' }, h('h3', null, title), ...body);
  }

  function renderDrawer(): void {
    const d = s.detail;
    drawer.hidden = d === null;
    if (!d) return;
    const inc = d.inclusion;
    const events = [...d.events].sort((a, b) => a.seq - b.seq);
    replace(
      drawer,
      h(
        'div',
        { class: 'drawer-head' },
        h('div', { class: 'drawer-title' }, h('h2', { class: 'wrap', testid: 'detail-name' }, d.name), badges(d, () => ctx.navigate('settings'))),
        h('button', { class: 'btn-icon', type: 'button', testid: 'record-close', title: t('detail.close'), 'aria-label': t('detail.close'), on: { click: () => ((s.detail = null), renderDrawer(), renderList()) } }, icon('close', 18)),
      ),
      h(
        'div',
        { class: 'drawer-actions' },
        h('button', { class: 'btn btn-secondary', type: 'button', testid: 'record-open', on: { click: () => void api.openOriginal(d.id).catch((e: unknown) => ctx.showError(e)) } }, t('detail.open')),
        h('button', { class: 'btn btn-primary', type: 'button', testid: 'record-reverify', disabled: s.reverifying, on: { click: () => void reverify() } }, s.reverifying ? t('detail.reverifyRunning') : t('detail.reverify')),
      ),
      h(
        'div',
        { class: 'drawer-body' },
        s.reverify ? h('div', { class: 'reverify', testid: 'reverify-result' }, reportView(s.reverify)) : null,
        facts([
          [t('detail.id'), h('code', { class: 'mono wrap' }, d.id)],
          [t('detail.kind'), d.kind === 'work' ? t('detail.kind.work', { count: d.file_count }) : t('detail.kind.file')],
          [t('detail.size'), formatSize(d.size)],
          [t('detail.media'), d.media_type],
          [t('detail.sealedAt'), when(d.created_at)],
          [t('detail.source'), h('span', { class: 'wrap mono-ish' }, d.source_path)],
          [t('detail.stored'), d.stored ? t('detail.yes') : t('detail.no')],
        ]),
        section(t('detail.cases'), (d.cases ?? []).length === 0 ? h('p', { class: 'muted' }, t('detail.noCase')) : h('ul', { class: 'plain', testid: 'detail-cases' }, (d.cases ?? []).map((c) => h('li', null, c)))),
        section(t('detail.digests'), h('div', { testid: 'detail-digests' }, Object.entries(d.digests).map(([a, v]) => digestBlock(a, v)))),
        section(
          t('detail.signatures'),
          d.signatures.length === 0
            ? h('p', { class: 'muted' }, t('detail.noSignature'))
            : h(
                'div',
                { testid: 'detail-signatures' },
                d.signatures.map((g) =>
                  h(
                    'div',
                    { class: 'subcard' },
                    facts([
                      [t('detail.signer'), h('span', { class: 'wrap', testid: 'detail-signer' }, g.signer_subject)],
                      [t('detail.identity'), g.identity],
                      [t('detail.signedAt'), when(g.signed_at)],
                      [t('detail.issuer'), h('span', { class: 'wrap' }, g.signer_issuer)],
                    ]),
                    h('p', { class: g.self_signed ? 'note tone-indet' : 'note' }, g.self_signed ? t('detail.selfSigned') : t('detail.caIssued')),
                  ),
                ),
              ),
        ),
        section(
          t('detail.timestamps'),
          d.timestamps.length === 0
            ? h('p', { class: 'muted' }, t('detail.noTimestamp'))
            : h(
                'div',
                { testid: 'detail-timestamps' },
                d.timestamps.map((ts) =>
                  h(
                    'div',
                    { class: 'subcard' },
                    facts([
                      [t('detail.genTime'), h('strong', null, when(ts.gen_time))],
                      [t('detail.tsa'), h('span', { class: 'wrap', testid: 'detail-tsa' }, ts.tsa_url)],
                      [t('detail.serial'), ts.serial],
                      [t('detail.policy'), ts.policy],
                    ]),
                  ),
                ),
              ),
        ),
        section(
          t('detail.anchor'),
          !inc
            ? h('p', { class: 'muted' }, t('detail.noAnchor'))
            : h(
                'div',
                { class: 'subcard', testid: 'detail-anchor' },
                facts([
                  [t('detail.batch'), h('code', { class: 'mono wrap' }, inc.batch.id)],
                  ['', t('detail.leaf', { index: inc.proof.leaf_index + 1, size: inc.proof.tree_size })],
                  [t('detail.root'), h('code', { class: 'mono wrap' }, inc.batch.root)],
                  [t('detail.chain'), inc.anchor ? String(inc.anchor.anchor.chain_id) : null],
                  [t('detail.tx'), inc.anchor ? h('code', { class: 'mono wrap', testid: 'detail-tx' }, inc.anchor.anchor.tx_hash) : null],
                  [t('detail.block'), inc.anchor ? String(inc.anchor.anchor.block_number) : null],
                  [t('detail.confirmations'), inc.anchor ? String(inc.anchor.confirmations) : null],
                ]),
                inc.anchor ? null : h('p', { class: 'note tone-indet' }, t('detail.anchorPending')),
              ),
        ),
        section(
          t('detail.custody'),
          h(
            'ol',
            { class: 'timeline', testid: 'detail-timeline' },
            events.map((e) =>
              h(
                'li',
                { class: 'timeline-item', 'data-kind': e.kind },
                h('div', { class: 'timeline-dot' }),
                h('div', null, h('div', { class: 'timeline-title' }, `#${e.seq} · ${tMaybe(`detail.event.${e.kind}`, e.kind)}`), h('div', { class: 'muted small' }, when(e.recorded_at), ' · ', h('code', { class: 'mono', title: e.hash }, e.hash.slice(0, 16) + '…'))),
              ),
            ),
          ),
        ),
      ),
    );
  }

  function render(): void {
    const search = pagedSearchBox('vault-search', s.text, (text) => (s.text = text), pager);
    controls = pagerControls('vault', () => void pager.prev(), () => void pager.next());
    retryBtn = h('button', { class: 'btn btn-secondary', type: 'button', testid: 'vault-retry', hidden: true, on: { click: () => void retryPending() } }, t('vault.retry'));
    const head = pageHead(t('vault.title'), ' ', [retryBtn, h('button', { class: 'btn btn-ghost', type: 'button', testid: 'vault-refresh', on: { click: () => void refresh() } }, t('vault.refresh')), exportBtn]);
    location = head.querySelector<HTMLElement>('.lead');
    replace(el, head, renewal, h('div', { class: 'toolbar' }, search, filterSelects(), controls.el), caseBar, listBox, drawer);
    renderList();
    renderDrawer();
  }

  /** Asks how the vault's proofs stand and shows the renewal line when one weakens within two years. */
  async function refreshRenewal(): Promise<void> {
    let status: ProofStatus;
    try {
      status = await api.proofStatus();
    } catch {
      renewal.hidden = true;
      return;
    }
    const due = status.within_90_days + status.within_2_years;
    const lines = [
      status.expired ? h('p', { class: 'tone-fail', testid: 'vault-renewal-expired' }, t('vault.renewal.expired', { count: status.expired })) : null,
      due ? h('p', { class: 'tone-indet', testid: 'vault-renewal-due' }, t('vault.renewal.due', { count: due, date: status.next_expiry ? formatDate(status.next_expiry, localOffset(new Date(status.next_expiry))) : '' })) : null,
      status.archived ? h('p', { class: 'muted small' }, t('vault.renewal.archived', { count: status.archived })) : null,
    ];
    const button = due
      ? h('button', { class: 'btn btn-secondary', type: 'button', testid: 'vault-renew', disabled: renewing, on: { click: () => void renewNow() } }, renewing ? t('vault.renewal.renewing') : t('vault.renewal.renew'))
      : null;
    const note = renewalNote ? h('p', { class: 'muted small', testid: 'vault-renewal-note' }, renewalNote) : null;
    replace(renewal, h('div', { class: 'renewal-text' }, ...lines, note), button);
    renewal.hidden = !status.expired && !due && !status.archived && !renewalNote;
  }

  /** Renews what weakens within two years, then reads the line and the page anew. */
  async function renewNow(): Promise<void> {
    renewing = true;
    await refreshRenewal();
    try {
      const done = await api.renew();
      const renewedCount = done.started + done.timestamp_renewed + done.hash_tree_renewed;
      const why = done.skipped[0]?.[1] ?? done.pending[0]?.[1];
      renewalNote = why ? t('vault.renewal.notDone', { why }) : t('vault.renewal.done', { count: renewedCount });
    } catch (e) {
      ctx.showError(e);
    } finally {
      renewing = false;
    }
    await refreshRenewal();
    await refresh();
  }

  /** Asks the TSA and the ledgers again for what records wait for, then reads the page anew. */
  async function retryPending(): Promise<void> {
    try {
      await api.sync();
    } catch (e) {
      ctx.showError(e);
    }
    await refresh();
  }

  /** Reads the page shown again (a search still being typed is asked for at once). */
  async function refresh(): Promise<void> {
    if (pager.typing || pager.search !== s.text.trim()) await pager.setSearch(s.text);
    else await pager.refresh();
  }

  return {
    el,
    render,
    shown: () => {
      renderList();
      void refresh();
      void refreshRenewal();
      void loadCases();
    },
    recordsChanged: () => {
      if (el.isConnected) {
        void pager.refresh();
        void refreshRenewal();
      }
    },
  };
}
