// Export screen: the records chosen (on any page of the Vault, or found here page by page), report
// language and an optional signing identity; writes the package.

import { api, events, newJobId, type ExportReport, type RecordList, type RecordRow, type ReportLang } from '../api';
import { badges, facts, field, pageHead, pagedSearchBox, pagerControls, select, shortHash, when } from '../components';
import { h, icon, replace } from '../dom';
import { lang, t } from '../i18n';
import { Pager, PAGE_SIZE } from '../logic/paging';
import { progressPercent } from '../logic/progress';
import { notePage, state, type Ctx, type Screen } from '../state';

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
    /** The text in the search box of the records to add. */
    text: '',
    /** A whole case to export instead of the records chosen ('' for none). */
    case: '',
  };
  // The records to add from: one page at a time, searched by the vault.
  const pager = new Pager<RecordRow, RecordList>({
    fetch: (q) => api.records(q),
    limit: PAGE_SIZE,
    onAnswer: (list) => notePage(list),
    onChange: () => renderPick(),
    onError: (e) => ctx.showError(e),
  });
  let controls = pagerControls('export', () => void pager.prev(), () => void pager.next());
  const chosenHead = h('h2');
  const clearBtn = h('button', { class: 'btn btn-ghost', type: 'button', testid: 'export-clear', on: { click: () => (state.selection.clear(), selectionChanged()) } });
  const chosenBox = h('div', { class: 'chosen-box' });
  const pickBox = h('div', { class: 'pick-box' });
  let startBtn: HTMLButtonElement | null = null;

  async function start(): Promise<void> {
    const ids = [...state.selection.keys()];
    if ((ids.length === 0 && !s.case) || s.job) return;
    ctx.clearError();
    const job = newJobId();
    s.job = job;
    s.pct = 0;
    s.result = null;
    render();
    const unwatch = events.watchProgress(job, (p) => {
      s.pct = progressPercent(p);
      const bar = el.querySelector<HTMLElement>('.bar-fill');
      if (bar) bar.style.width = `${s.pct}%`;
    });
    try {
      s.result = await api.export(job, s.case ? [] : ids, s.lang ?? (lang() === 'zh-CN' ? 'zh-CN' : 'en'), s.identity || null, s.identity ? s.password : null, s.case || null);
    } catch (e) {
      ctx.showError(e);
    } finally {
      unwatch();
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

  function toggle(r: RecordRow, on: boolean): void {
    if (on) state.selection.set(r.id, r);
    else state.selection.delete(r.id);
    selectionChanged();
  }

  function selectionChanged(): void {
    renderChosen();
    renderPick();
  }

  /** The records chosen, wherever they were ticked; each can be taken out again. */
  function renderChosen(): void {
    const running = s.job !== null;
    const chosen = [...state.selection.values()];
    chosenHead.textContent = t('export.records', { count: chosen.length });
    clearBtn.textContent = t('export.clear');
    clearBtn.hidden = chosen.length === 0;
    clearBtn.disabled = running;
    if (startBtn) startBtn.disabled = running || (chosen.length === 0 && !s.case);
    if (chosen.length === 0) {
      replace(chosenBox, h('p', { class: 'muted', testid: 'export-none' }, t('export.none')));
      return;
    }
    replace(
      chosenBox,
      h(
        'ul',
        { class: 'rows chosen-list', testid: 'export-chosen' },
        chosen.map((r) =>
          h(
            'li',
            { class: 'row', testid: 'export-chosen-record', 'data-id': r.id },
            h('div', { class: 'row-main' }, icon('file', 18), h('div', { class: 'row-text' }, h('div', { class: 'row-title ellipsis', title: r.name }, r.name), h('div', { class: 'row-sub' }, when(r.created_at), ' · ', shortHash(r.digests['sha256'] ?? '')))),
            badges(r),
            h(
              'button',
              { class: 'btn-icon', type: 'button', testid: 'export-chosen-remove', title: t('seal.remove'), 'aria-label': `${t('seal.remove')} ${r.name}`, disabled: running, on: { click: () => toggle(r, false) } },
              icon('close', 16),
            ),
          ),
        ),
      ),
    );
  }

  /** One page of the vault's records (or of those the search finds), to tick. */
  function renderPick(): void {
    const running = s.job !== null;
    const page = pager.page;
    controls.update(pager);
    pickBox.setAttribute('aria-busy', String(pager.loading));
    if (!page) {
      replace(pickBox, h('p', { class: 'muted' }, t('app.loading')));
      return;
    }
    if (page.rows.length === 0) {
      replace(pickBox, h('p', { class: 'muted', testid: 'export-no-match' }, page.search === '' ? t('vault.empty') : t('vault.noMatch')));
      return;
    }
    replace(
      pickBox,
      h(
        'ul',
        { class: 'rows pick-list', testid: 'export-records' },
        page.rows.map((r) =>
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
                on: { change: (e) => toggle(r, (e.target as HTMLInputElement).checked) },
              }),
              h('div', { class: 'row-text' }, h('div', { class: 'row-title ellipsis', title: r.name }, r.name), h('div', { class: 'row-sub' }, when(r.created_at), ' · ', shortHash(r.digests['sha256'] ?? ''))),
            ),
            badges(r),
          ),
        ),
      ),
    );
  }

  function render(): void {
    const running = s.job !== null;
    if (s.identity && !state.identities.some((i) => i.name === s.identity)) s.identity = '';
    const reportLang = s.lang ?? (lang() === 'zh-CN' ? 'zh-CN' : 'en');
    const bar = h('div', { class: 'bar-fill' });
    bar.style.width = `${s.pct}%`;
    const search = pagedSearchBox('export-search', s.text, (text) => (s.text = text), pager);
    controls = pagerControls('export', () => void pager.prev(), () => void pager.next());
    startBtn = h('button', { class: 'btn btn-primary btn-lg', type: 'button', testid: 'export-start', disabled: running || (state.selection.size === 0 && !s.case), on: { click: () => void start() } }, t('export.start'));
    if (s.case && !state.cases.some((c) => c.name === s.case)) s.case = '';
    const wholeCase = state.cases.find((c) => c.name === s.case);
    replace(
      el,
      pageHead(t('export.title'), t('export.lead')),
      h(
        'section',
        { class: 'card' },
        h('div', { class: 'card-head' }, chosenHead, clearBtn),
        chosenBox,
        h('h3', { class: 'pick-head' }, t('export.find')),
        h('div', { class: 'toolbar' }, search, controls.el),
        pickBox,
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
          state.cases.length > 0
            ? field(
                t('export.case'),
                select('export-case', [['', t('export.case.none')], ...state.cases.map((c): [string, string] => [c.name, c.name])], s.case, (v) => {
                  s.case = v;
                  s.result = null;
                  render();
                }),
                wholeCase ? t('export.case.chosen', { name: wholeCase.name, count: wholeCase.records }) : undefined,
              )
            : null,
          s.identity ? field(t('export.password'), h('input', { type: 'password', testid: 'export-password', value: s.password, on: { input: (e) => (s.password = (e.target as HTMLInputElement).value) } })) : null,
        ),
        h(
          'div',
          { class: 'form-row' },
          running ? h('div', { class: 'grow' }, h('div', { class: 'muted' }, t('export.running')), h('div', { class: 'bar' }, bar)) : h('div', { class: 'grow' }),
          startBtn,
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
    renderChosen();
    renderPick();
  }

  return {
    el,
    render,
    shown: () => {
      if (state.exportCase) {
        // A case sent from the Vault screen: the last package written is not what is asked for now.
        s.case = state.exportCase;
        state.exportCase = null;
        s.result = null;
      }
      render();
      void pager.refresh();
      void api
        .cases()
        .then((cases) => {
          state.cases = cases;
          render();
        })
        .catch((e: unknown) => ctx.showError(e));
    },
    recordsChanged: () => {
      if (el.isConnected) void pager.refresh();
    },
  };
}
